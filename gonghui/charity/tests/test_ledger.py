"""Funds, donations, refunds, projects and disbursements through the services, and the ledger they keep."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gonghui.accounts.scope import scope_for_user
from gonghui.charity import services
from gonghui.charity.models import ANONYMOUS_DONOR, Donation, Fund, FundEntry, Project, Purpose
from gonghui.charity.selectors import fund_year_accounts, ledger_balance_fen
from gonghui.charity.tests.factories import enterprise_uscc, give, make_fund, make_project, pay
from gonghui.core.errors import DomainError, PermissionDeniedError
from gonghui.core.models import AuditEvent
from gonghui.members.tests.factories import id_number, register

pytestmark = pytest.mark.django_db


def reload(fund: Fund) -> Fund:
    return Fund.all_objects.get(pk=fund.pk)


def assert_ledger_true(fund: Fund) -> None:
    fund = reload(fund)
    assert fund.balance_fen == ledger_balance_fen(fund=fund) >= 0
    last = FundEntry.all_objects.filter(fund=fund).order_by("-pk").first()
    assert last is not None and last.balance_fen == fund.balance_fen


def test_a_fund_opens_with_its_balance_as_the_first_ledger_row(tree) -> None:
    fund = make_fund(tree.lps, opening_fen=50_000_00)
    (entry,) = FundEntry.all_objects.filter(fund=fund)
    assert (entry.kind, entry.amount_fen, entry.balance_fen, entry.booked_on) == (
        "opening",
        50_000_00,
        50_000_00,
        date(2025, 1, 1),
    )
    assert (fund.org_path, reload(fund).balance_fen) == (tree.lps.path, 50_000_00)
    assert AuditEvent.all_objects.filter(action="charity.fund.create", target_id=str(fund.pk)).count() == 1


def test_fund_refusals_name_every_field_at_once(tree) -> None:
    with pytest.raises(DomainError) as refused:
        services.fund_create(
            actor=None,
            scope=None,
            org=tree.lps,
            name=" ",
            kind="special",
            restricted=True,
            purpose="",
            opened_on=date(2999, 1, 1),
        )
    assert set(refused.value.details) == {"name", "foundation", "purpose", "opened_on"}
    make_fund(tree.lps, name="爱心基金")
    with pytest.raises(DomainError) as taken:
        make_fund(tree.lps, name="爱心基金")
    assert taken.value.code == "charity.fund_name_taken"
    special = make_fund(
        tree.lps, name="中国职工发展基金会六盘水专项基金", kind="special", foundation="中国职工发展基金会"
    )
    assert special.foundation == "中国职工发展基金会"
    assert Fund.all_objects.count() == 2


def test_the_database_refuses_a_negative_balance(tree) -> None:
    fund = make_fund(tree.lps, opening_fen=100)
    with pytest.raises(IntegrityError), transaction.atomic():
        # Consistent flows (out one more than in), only the balance below zero: refused by its own CHECK.
        Fund.all_objects.filter(pk=fund.pk).update(balance_fen=-1, outflow_fen=F("inflow_fen") + 1)
    with pytest.raises(IntegrityError), transaction.atomic():
        Fund.all_objects.filter(pk=fund.pk).update(balance_fen=F("balance_fen") - 1)  # no longer in minus out
    with pytest.raises(IntegrityError), transaction.atomic():
        FundEntry.all_objects.filter(fund=fund).update(balance_fen=-1)
    project = make_project(fund, budget_fen=100)
    with pytest.raises(IntegrityError), transaction.atomic():
        Project.all_objects.filter(pk=project.pk).update(spent_fen=101)
    assert reload(fund).balance_fen == 100


def test_enterprise_donations_need_a_valid_uscc(tree) -> None:
    fund = make_fund(tree.lps)
    with pytest.raises(DomainError) as refused:
        give(fund, 100_00, uscc="91520200MA0000001Y")
    assert "校验码" in refused.value.details["uscc"]
    with pytest.raises(DomainError) as blank:
        give(fund, 100_00, uscc="", name="")
    assert set(blank.value.details) == {"uscc", "donor_name"}
    donation = give(fund, 100_00, uscc=enterprise_uscc().lower())
    assert donation.uscc == enterprise_uscc()
    assert_ledger_true(fund)


def test_a_member_donor_is_matched_by_blind_index_and_a_stranger_is_sealed(tree) -> None:
    fund = make_fund(tree.lps)
    member = register(tree.courier_union, id_number(7), name="张师傅")
    by_member = give(fund, 50_00, kind="individual", name="", uscc="", id_number=id_number(7))
    assert (by_member.person_id, by_member.donor_name, by_member.id_index, by_member.id_cipher) == (
        member.person_id,
        "张师傅",
        "",
        None,
    )
    stranger_number = id_number(8, area="110101")
    by_stranger = give(fund, 20_00, kind="individual", name="李女士", uscc="", id_number=stranger_number)
    row = Donation.all_objects.get(pk=by_stranger.pk)
    assert row.person_id is None and row.id_index and row.id_cipher
    assert row.id_masked != stranger_number and stranger_number not in str(row.id_masked)
    stored = Donation.all_objects.filter(pk=row.pk).values_list("donor_name", "id_index", "id_masked", "note").get()
    assert all(stranger_number not in str(v) for v in stored)
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM charity_donation")
        assert stranger_number not in repr(cursor.fetchall())


def test_anonymous_donors_are_shown_as_caring_people(tree) -> None:
    fund = make_fund(tree.lps)
    gift = give(fund, 10_00, kind="individual", name="王某", uscc="", anonymous=True)
    assert (gift.shown_donor, gift.donor_name) == (ANONYMOUS_DONOR, "王某")
    nameless = give(fund, 10_00, kind="individual", name="", uscc="", anonymous=True)
    assert nameless.shown_donor == ANONYMOUS_DONOR
    with pytest.raises(DomainError) as refused:
        give(fund, 10_00, kind="individual", name="", uscc="")
    assert set(refused.value.details) == {"donor_name"}


def test_refunds_stay_within_the_gift_and_the_fund(tree) -> None:
    fund = make_fund(tree.lps)
    gift = give(fund, 1000_00)
    refund = services.donation_refund(
        actor=None, scope=None, donation=gift, amount_fen=300_00, on=date(2025, 3, 2), note="协议变更"
    )
    assert (refund.refunded_fen, reload(fund).balance_fen) == (300_00, 700_00)
    with pytest.raises(DomainError) as too_much:
        services.donation_refund(
            actor=None, scope=None, donation=gift, amount_fen=701_00, on=date(2025, 3, 2), note="x"
        )
    assert too_much.value.code == "charity.refund_exceeds_donation"
    project = make_project(fund)
    pay(fund, project, 600_00)
    with pytest.raises(DomainError) as spent:
        services.donation_refund(
            actor=None, scope=None, donation=gift, amount_fen=200_00, on=date(2025, 9, 2), note="x"
        )
    assert spent.value.code == "charity.refund_exceeds_balance"
    assert "余额 100.00 元" in spent.value.message
    assert Donation.all_objects.get(pk=gift.pk).refunded_fen == 300_00
    assert_ledger_true(fund)


def test_a_restricted_fund_pays_only_its_purpose(tree) -> None:
    fund = make_fund(tree.lps, restricted=True, purpose="student_aid", opening_fen=1000_00)
    with pytest.raises(DomainError) as refused:
        make_project(fund, purpose="medical")
    assert "限定用于金秋助学" in refused.value.details["purpose"]
    assert not Project.all_objects.exists()
    # A project kept in step with its fund pays; one whose purpose was changed behind the service does not.
    project = make_project(fund)
    Project.all_objects.filter(pk=project.pk).update(purpose="medical")
    with pytest.raises(DomainError) as mismatch:
        pay(fund, Project.all_objects.get(pk=project.pk), 10_00)
    assert mismatch.value.code == "charity.purpose_mismatch"
    open_fund = make_fund(tree.lps, name="不限定基金", opening_fen=1000_00)
    other = make_project(open_fund, purpose="medical", name="大病救助")
    with pytest.raises(DomainError) as elsewhere:
        pay(fund, other, 10_00)
    assert elsewhere.value.code == "charity.project_other_fund"
    pay(open_fund, other, 10_00)
    assert_ledger_true(fund)
    assert_ledger_true(open_fund)


def test_disbursements_stay_within_balance_budget_and_period(tree) -> None:
    fund = make_fund(tree.lps, opening_fen=500_00)
    project = make_project(fund, budget_fen=400_00)
    with pytest.raises(DomainError) as over_balance:
        pay(fund, make_project(fund, budget_fen=10_000_00, name="大项目"), 600_00)
    assert over_balance.value.code == "charity.insufficient_balance"
    pay(fund, project, 300_00)
    with pytest.raises(DomainError) as over_budget:
        pay(fund, project, 150_00)
    assert over_budget.value.code == "charity.over_budget"
    with pytest.raises(DomainError) as out_of_period:
        pay(fund, project, 10_00, on=date(2024, 12, 31))
    assert set(out_of_period.value.details) == {"paid_on"}
    assert Project.all_objects.get(pk=project.pk).spent_fen == 300_00
    assert reload(fund).balance_fen == 200_00
    assert_ledger_true(fund)


def test_a_member_is_paid_by_membership(tree) -> None:
    fund = make_fund(tree.lps, opening_fen=500_00)
    project = make_project(fund)
    ms = register(tree.courier_union, id_number(11), name="赵同学家长")
    paid = pay(fund, project, 100_00, recipient=services.RecipientIn(kind="member", membership=ms))
    assert (paid.person_id, paid.recipient_kind) == (ms.person_id, "member")
    with pytest.raises(DomainError) as nobody:
        pay(fund, project, 100_00, recipient=services.RecipientIn(kind="member"))
    assert set(nobody.value.details) == {"member"}


def test_services_check_the_callers_permission(tree, make_user) -> None:
    fund = make_fund(tree.lps, opening_fen=500_00)
    project = make_project(fund)
    foreign = scope_for_user(make_user("nm", ("officer", "520102")))
    viewer = scope_for_user(make_user("viewer", ("viewer", "520200")))
    for scope in (foreign, viewer):
        with pytest.raises(PermissionDeniedError):
            services.donation_record(
                actor=None,
                scope=scope,
                fund=fund,
                donor=services.DonorIn(kind="enterprise", name="某公司", uscc=enterprise_uscc()),
                amount_fen=1,
                received_on=date(2025, 3, 1),
            )
        with pytest.raises(PermissionDeniedError):
            services.disbursement_record(
                actor=None,
                scope=scope,
                fund=fund,
                project=project,
                recipient=services.RecipientIn(kind="org", name="某校"),
                amount_fen=1,
                paid_on=date(2025, 9, 1),
            )
    assert reload(fund).balance_fen == 500_00 and not Donation.all_objects.exists()


def test_year_accounts_are_sums_of_the_ledger(tree) -> None:
    fund = make_fund(tree.lps, opening_fen=100_00)
    give(fund, 1000_00, on=date(2025, 3, 1))
    project = make_project(fund, name="2025 助学")
    pay(fund, project, 300_00, on=date(2025, 9, 1))
    gift = give(fund, 500_00, on=date(2026, 1, 5))
    services.donation_refund(actor=None, scope=None, donation=gift, amount_fen=50_00, on=date(2026, 1, 6), note="重复")
    y2025 = fund_year_accounts(fund=fund, year=2025)
    assert (y2025.opening_fen, y2025.donations_fen, y2025.spent_fen, y2025.closing_fen) == (
        100_00,
        1000_00,
        300_00,
        800_00,
    )
    assert y2025.spent_by_project == [("2025 助学", 300_00)]
    y2026 = fund_year_accounts(fund=fund, year=2026)
    assert (y2026.opening_fen, y2026.donations_fen, y2026.refunds_fen, y2026.closing_fen) == (
        800_00,
        500_00,
        50_00,
        1250_00,
    )
    assert y2026.closing_fen == reload(fund).balance_fen


MOVES = st.lists(
    st.tuples(
        st.sampled_from(["give", "give_for", "refund", "pay", "pay_other"]), st.integers(1, 800_00), st.integers(0, 30)
    ),
    max_size=25,
)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(opening=st.integers(0, 1000_00), moves=MOVES, restricted=st.booleans(), purpose=st.sampled_from(Purpose.values))
def test_any_sequence_keeps_every_balance_equal_to_its_rows_and_never_below_zero(  # type: ignore[no-untyped-def]
    tree, opening, moves, restricted, purpose
) -> None:
    """Property: any donations (free or designated to `project`), refunds and payments of `project` and of
    another project keep the balance the sum of the rows and each line covered, as a model of two lines
    predicts: the general line (opening, free gifts) and the project's own line (designated gifts), which
    only `project` takes from, before the general line."""
    with transaction.atomic():
        fund = make_fund(tree.lps, opening_fen=opening, restricted=restricted, purpose=purpose if restricted else "")
        project = make_project(fund, purpose=purpose, budget_fen=10**12)
        second = make_project(fund, purpose=purpose, budget_fen=10**12, name="另一项目")
        other = next(p for p in Purpose.values if p != purpose)
        if restricted:
            with pytest.raises(DomainError):
                make_project(fund, purpose=other, name="别的用途")
        general, own, gifts, spent = opening, 0, [], 0
        for move, amount, pick in moves:
            gift: list[Any] = []
            try:
                if move in ("give", "give_for"):
                    designated = move == "give_for"
                    donor = services.DonorIn(kind="individual", name="捐赠人")
                    gifts.append(
                        [
                            services.donation_record(
                                actor=None,
                                scope=None,
                                fund=fund,
                                donor=donor,
                                amount_fen=amount,
                                received_on=date(2025, 3, 1),
                                project=project if designated else None,
                            ),
                            amount,
                            designated,
                        ]
                    )
                    own, general = (own + amount, general) if designated else (own, general + amount)
                elif move == "refund" and gifts:
                    gift = gifts[pick % len(gifts)]
                    services.donation_refund(
                        actor=None, scope=None, donation=gift[0], amount_fen=amount, on=date(2025, 6, 1), note="退"
                    )
                    line = own if gift[2] else general
                    assert amount <= gift[1] and amount <= line
                    gift[1] -= amount
                    own, general = (own - amount, general) if gift[2] else (own, general - amount)
                elif move == "pay":
                    pay(fund, project, amount)
                    assert amount <= own + general
                    from_own = min(amount, own)
                    own, general, spent = own - from_own, general - (amount - from_own), spent + amount
                elif move == "pay_other":
                    pay(fund, second, amount)
                    assert amount <= general  # another project never takes designated money
                    general -= amount
            except DomainError as exc:
                expected = {
                    "pay": {"charity.insufficient_balance"},
                    "pay_other": {"charity.insufficient_balance"},
                    "refund": {"charity.refund_exceeds_donation", "charity.refund_exceeds_balance"},
                }[move]
                assert exc.code in expected
                if move == "pay":
                    assert amount > own + general
                elif move == "pay_other":
                    assert amount > general
                else:
                    assert amount > gift[1] or amount > (own if gift[2] else general)
            fund = reload(fund)
            assert fund.balance_fen == general + own and fund.designated_fen == own
            assert_ledger_true(fund)
        assert Project.all_objects.get(pk=project.pk).spent_fen == spent
        transaction.set_rollback(True)
