"""Where a fund's money goes through other apps, and the donor's designation.

A designated gift pays only its project (its own line, first in first out there); a project pays
members through a payout batch (booked at creation, given back when the bank fails or the batch is
cancelled), a hardship household through aid's relief service, and a 金秋助学 student beside the
county's grant, shown on the student's whole course.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from gonghui.accounts.scope import scope_for_user
from gonghui.aid.models import FileStatus, HardshipFile, ReliefVisit
from gonghui.aid.services import file_apply
from gonghui.charity import services
from gonghui.charity.models import Disbursement, Fund, FundEntry, PayVia, Project
from gonghui.charity.selectors import disbursement_sources, donation_trace, ledger_balance_fen
from gonghui.charity.tests.factories import make_fund, make_project, pay
from gonghui.core.errors import DomainError, NotFoundError
from gonghui.core.scoping import Scope, unscoped
from gonghui.members.tests.factories import id_number, register
from gonghui.payouts.models import PayoutItem
from gonghui.payouts.services import (
    ItemResult,
    payout_bank_file,
    payout_batch_cancel,
    payout_batch_decide,
    payout_batch_submit,
    payout_results_apply,
)
from gonghui.student_aid.tests.factories import World, apply, approve, build_world, give_card

pytestmark = pytest.mark.django_db

ALL = Scope(user_id=None, is_superuser=True)
PAID_ON = date(2026, 9, 1)


def reload(fund: Fund) -> Fund:
    return Fund.all_objects.get(pk=fund.pk)


def assert_lines_true(fund: Fund) -> None:
    """The balance is the sum of the rows, and each line's running totals match its rows."""
    fund = reload(fund)
    assert fund.balance_fen == ledger_balance_fen(fund=fund) >= 0
    rows = FundEntry.all_objects.filter(fund=fund)
    general = rows.filter(project__isnull=True)
    assert sum(e.amount_fen for e in general) == fund.inflow_fen - fund.outflow_fen
    for project in Project.all_objects.filter(fund=fund):
        own = sum(e.amount_fen for e in rows.filter(project=project))
        assert own == project.designated_in_fen - project.designated_out_fen >= 0
    assert fund.designated_fen == sum(e.amount_fen for e in rows.filter(project__isnull=False))


# --- designation ---------------------------------------------------------------------------------------


def test_a_designated_gift_pays_only_its_project(tree) -> None:
    fund = make_fund(tree.lps, opening_fen=100_00)
    school = make_project(fund, name="助学项目")
    other = make_project(fund, name="大病救助", purpose="medical")
    gift = give_designated(fund, school, 500_00)
    # The fund holds ¥600, but only ¥100 of it is not designated: the other project cannot take more.
    with pytest.raises(DomainError) as refused:
        pay(fund, other, 150_00)
    assert refused.value.code == "charity.insufficient_balance" and "100.00" in refused.value.message
    medical = pay(fund, other, 80_00)
    # The school's project takes its own ¥500 first, then ¥20 of the general line: two rows.
    paid = pay(fund, school, 520_00)
    rows = list(FundEntry.all_objects.filter(disbursement=paid).order_by("pk"))
    assert [(r.project_id, r.amount_fen) for r in rows] == [(school.pk, -500_00), (None, -20_00)]
    assert reload(fund).balance_fen == 0
    assert_lines_true(fund)
    # Traced both ways, exactly: the designated gift went to the school's payment only.
    assert [(s.entry.disbursement_id, s.amount_fen) for s in donation_trace(scope=ALL, donation=gift)] == [
        (paid.pk, 500_00)
    ]
    sources = disbursement_sources(scope=ALL, disbursement=paid)
    assert [(s.entry.kind, s.entry.donation_id, s.amount_fen) for s in sources] == [
        ("donation", gift.pk, 500_00),
        ("opening", None, 20_00),
    ]
    assert [(s.entry.kind, s.amount_fen) for s in disbursement_sources(scope=ALL, disbursement=medical)] == [
        ("opening", 80_00)
    ]


def give_designated(fund: Fund, project: Project, amount_fen: int, on: date = date(2025, 2, 1)) -> Any:
    return services.donation_record(
        actor=None,
        scope=None,
        fund=fund,
        donor=services.DonorIn(kind="individual", name="刘先生"),
        amount_fen=amount_fen,
        received_on=on,
        project=project,
    )


def test_a_designated_gift_is_refunded_from_its_own_line_and_names_a_project_of_its_fund(tree) -> None:
    fund = make_fund(tree.lps, opening_fen=1000_00)
    school = make_project(fund, name="助学项目")
    gift = give_designated(fund, school, 300_00)
    pay(fund, school, 250_00)
    # Only ¥50 of the gift is left on its line; the general line's ¥1,000 is not the donor's to take back.
    with pytest.raises(DomainError) as refused:
        services.donation_refund(
            actor=None, scope=None, donation=gift, amount_fen=100_00, on=date(2025, 9, 2), note="退"
        )
    assert refused.value.code == "charity.refund_exceeds_balance"
    services.donation_refund(actor=None, scope=None, donation=gift, amount_fen=50_00, on=date(2025, 9, 2), note="退")
    assert_lines_true(fund)
    other_fund = make_fund(tree.lps, name="另一基金")
    with pytest.raises(DomainError) as elsewhere:
        give_designated(other_fund, school, 10_00)
    assert elsewhere.value.code == "charity.donation_fields_invalid" and "project" in elsewhere.value.details


# --- 金秋助学 students --------------------------------------------------------------------------------


@pytest.fixture
def world(tree: Any, make_user: Any) -> World:
    return build_world(tree, make_user)


def student_fund(world: World) -> tuple[Fund, Project]:
    fund = make_fund(
        world.tree.zhongshan,
        name="钟山区企业爱心助学基金",
        opening_fen=10_000_00,
        restricted=True,
        purpose="student_aid",
    )
    project = make_project(fund, name="2026 年爱心助学", starts_on=date(2026, 1, 1), ends_on=date(2026, 12, 31))
    return fund, project


def test_a_student_grant_sits_on_the_students_course_beside_jinqiu(world, make_user, login) -> None:
    fund, project = student_fund(world)
    application = apply(world)
    with pytest.raises(DomainError) as early:
        services.student_grant_record(
            actor=None, scope=None, project=project, application=application, amount_fen=1000_00, paid_on=PAID_ON
        )
    assert "application" in early.value.details  # not yet approved by the county
    approve(world, application)
    officer = make_user("zs_charity", ("officer", "520201"))
    grant = services.student_grant_record(
        actor=officer,
        scope=scope_for_user(officer),
        project=project,
        application=application,
        amount_fen=1000_00,
        paid_on=PAID_ON,
    )
    assert grant.via == PayVia.STUDENT_AID and grant.person_id == world.worker.person_id
    assert reload(fund).balance_fen == 9_000_00
    page = login(make_user("zs_viewer", ("viewer", "520201"))).get(f"/student-aid/{application.pk}/")
    html = page.content.decode()
    assert 'data-testid="course-other"' in html and "钟山区企业爱心助学基金 · 2026 年爱心助学" in html
    assert 'data-testid="course-other-total">1,000.00' in html
    # Another union's officer, paying from their own fund, cannot reach the application: not found.
    theirs = make_fund(
        world.tree.nanming, name="南明区助学基金", opening_fen=100_00, restricted=True, purpose="student_aid"
    )
    their_project = make_project(theirs, name="助学", starts_on=date(2026, 1, 1), ends_on=date(2026, 12, 31))
    with pytest.raises(NotFoundError):
        services.student_grant_record(
            **world.as_("foreign"), project=their_project, application=application, amount_fen=10_00, paid_on=PAID_ON
        )
    assert reload(theirs).balance_fen == 100_00


def test_a_student_grant_needs_a_project_for_students(world) -> None:
    fund = make_fund(world.tree.zhongshan, name="综合基金", opening_fen=1000_00)
    project = make_project(
        fund, name="大病救助", purpose="medical", starts_on=date(2026, 1, 1), ends_on=date(2026, 12, 31)
    )
    application = approve(world, apply(world))
    with pytest.raises(DomainError) as refused:
        services.student_grant_record(
            actor=None, scope=None, project=project, application=application, amount_fen=10_00, paid_on=PAID_ON
        )
    assert refused.value.code == "charity.purpose_not_for"
    assert not Disbursement.all_objects.exists() and reload(fund).balance_fen == 1000_00


# --- payout batches ------------------------------------------------------------------------------------


def batch_of(world: World, fund: Fund, project: Project, n: int = 3) -> tuple[Any, list[Any]]:
    members = [world.worker]
    for i in range(1, n):
        ms = register(world.tree.courier_union, id_number(720 + i), name=f"会员{chr(0x4E00 + i)}")
        give_card(ms, world.bank, 80 + i)
        members.append(ms)
    nobody = register(world.tree.courier_union, id_number(790), name="无卡会员")
    return services.payout_batch_from_project(
        **world.as_("county_officer"),
        project=project,
        bank=world.bank,
        items=[(m, 500_00) for m in members] + [(nobody, 500_00)],
        paid_on=PAID_ON,
    )


def test_a_payout_batch_books_its_items_when_made_and_gives_back_what_the_bank_fails(world, tmp_path: Path) -> None:
    fund, project = student_fund(world)
    batch, refused = batch_of(world, fund, project)
    assert [r.reason for r in refused] == ["该会员没有贵州银行已激活的会员服务卡"]
    # Booked now: ¥1,500 out of ¥10,000, one payment per item, so it cannot be promised twice.
    assert reload(fund).balance_fen == 8_500_00 and Disbursement.all_objects.filter(via="payout").count() == 3
    assert Project.all_objects.get(pk=project.pk).spent_fen == 1_500_00
    payout_batch_submit(**world.as_("county_officer"), batch=batch)
    payout_batch_decide(**world.as_("checker"), batch=batch, approve=True)
    payout_bank_file(**world.as_("county_officer"), batch=batch, path=tmp_path / "b.csv")
    with unscoped():
        items = list(PayoutItem.objects.filter(batch=batch).order_by("pk"))
    failed = items[0]
    payout_results_apply(
        **world.as_("county_officer"),
        batch=batch,
        results=[ItemResult(i.pk, i.pk != failed.pk, i.amount_fen, "账户冻结") for i in items],
    )
    # The failed item's ¥500 is back in the fund, the project's spending fell by it, the rest stays paid.
    assert reload(fund).balance_fen == 9_000_00
    assert Project.all_objects.get(pk=project.pk).spent_fen == 1_000_00
    back = Disbursement.all_objects.get(payout_item=failed)
    assert back.returned_fen == back.amount_fen == 500_00
    assert FundEntry.all_objects.filter(kind="return", disbursement=back).count() == 1
    assert_lines_true(fund)
    # The same answer again changes nothing (the signal's handler is idempotent).
    services.payout_returns_book(actor=None, batch=batch)
    assert reload(fund).balance_fen == 9_000_00


def test_a_cancelled_batch_gives_all_its_money_back(world) -> None:
    fund, project = student_fund(world)
    batch, _ = batch_of(world, fund, project, n=2)
    assert reload(fund).balance_fen == 9_000_00
    payout_batch_cancel(**world.as_("county_officer"), batch=batch, note="名单有误")
    assert reload(fund).balance_fen == 10_000_00
    assert Project.all_objects.get(pk=project.pk).spent_fen == 0
    assert_lines_true(fund)


def test_a_batch_the_fund_cannot_cover_is_not_made(world) -> None:
    fund = make_fund(world.tree.zhongshan, name="小基金", opening_fen=600_00, restricted=True, purpose="student_aid")
    project = make_project(fund, name="助学", starts_on=date(2026, 1, 1), ends_on=date(2026, 12, 31))
    with pytest.raises(DomainError) as refused:
        batch_of(world, fund, project, n=2)
    assert refused.value.code == "charity.insufficient_balance"
    with unscoped():
        assert not PayoutItem.objects.exists()
    assert reload(fund).balance_fen == 600_00 and not Disbursement.all_objects.exists()


# --- hardship files -----------------------------------------------------------------------------------


def test_assistance_to_a_filed_household_goes_through_aids_relief_service(world) -> None:
    from gonghui.aid.models import SubsistenceStandard

    SubsistenceStandard.objects.create(region_code="520200", year=2026, monthly_fen=900_00)
    ms = register(world.tree.courier_union, id_number(650), name="困难职工")
    file = file_apply(
        actor=None,
        scope=None,
        membership=ms,
        level="county",
        region_code="520201",
        year=2026,
        figures={"household_size": 2, "worker_monthly_income_fen": 1000_00},
        causes=["illness"],
    )
    fund = make_fund(world.tree.zhongshan, name="帮扶基金", opening_fen=5000_00)
    project = make_project(
        fund, name="困难职工帮扶", purpose="hardship", starts_on=date(2026, 1, 1), ends_on=date(2026, 12, 31)
    )
    with pytest.raises(DomainError) as early:
        services.hardship_assistance_record(
            actor=None, scope=None, project=project, file=file, amount_fen=800_00, paid_on=PAID_ON
        )
    assert "file" in early.value.details
    HardshipFile.all_objects.filter(pk=file.pk).update(status=FileStatus.FILED)
    paid = services.hardship_assistance_record(
        actor=None, scope=None, project=project, file=file, amount_fen=800_00, paid_on=PAID_ON
    )
    visit = ReliefVisit.all_objects.get(pk=paid.relief_visit_id)
    assert (visit.person_id, visit.event, visit.cash_fen) == (ms.person_id, "hardship", 800_00)
    assert paid.hardship_file_id == file.pk and reload(fund).balance_fen == 4200_00
    # Another union's officer, paying from their own fund, cannot reach the household: not found.
    theirs = make_fund(world.tree.nanming, name="南明区帮扶基金", opening_fen=100_00)
    their_project = make_project(
        theirs, name="帮扶", purpose="hardship", starts_on=date(2026, 1, 1), ends_on=date(2026, 12, 31)
    )
    with pytest.raises(NotFoundError):
        services.hardship_assistance_record(
            **world.as_("foreign"), project=their_project, file=file, amount_fen=10_00, paid_on=PAID_ON
        )
    assert reload(theirs).balance_fen == 100_00 and ReliefVisit.all_objects.count() == 1


# --- the API and the page -----------------------------------------------------------------------------


def test_the_api_pays_a_student_a_batch_and_a_household_within_scope(world, bearer) -> None:
    fund, project = student_fund(world)
    application = approve(world, apply(world))
    headers = bearer(world.users["county_officer"])
    url = f"/api/v1/charity/projects/{project.pk}"
    grant = Client().post(
        f"{url}/student-grants",
        {"application_id": application.pk, "amount": "1,200", "paid_on": "2026-09-01"},
        content_type="application/json",
        **headers,
    )
    assert grant.status_code == 201, grant.content
    assert (grant.json()["via"], grant.json()["amount"], grant.json()["recipient"]) == (
        "student_aid",
        "1200.00",
        "李*傅",
    )
    batch = Client().post(
        f"{url}/payout-batches",
        {"bank": "gzb", "items": [{"member_id": world.worker.pk, "amount": "300"}], "paid_on": "2026-09-02"},
        content_type="application/json",
        **headers,
    )
    assert batch.status_code == 201, batch.content
    body = batch.json()
    assert [d["via"] for d in body["disbursements"]] == ["payout"] and body["refused"] == []
    assert reload(fund).balance_fen == 10_000_00 - 1_200_00 - 300_00
    # Another union: the project is not found, nothing is booked.
    foreign = bearer(world.users["foreign"])
    refused = Client().post(
        f"{url}/student-grants",
        {"application_id": application.pk, "amount": "1", "paid_on": "2026-09-01"},
        content_type="application/json",
        **foreign,
    )
    assert refused.status_code == 404
    no_file = Client().post(
        f"{url}/hardship",
        {"file_id": 999999, "amount": "1", "paid_on": "2026-09-01"},
        content_type="application/json",
        **headers,
    )
    assert no_file.status_code == 404
    assert reload(fund).balance_fen == 8_500_00


def test_the_project_page_pays_a_student_and_keeps_a_refused_form(world, make_user, login) -> None:
    fund, project = student_fund(world)
    application = approve(world, apply(world))
    officer = login(make_user("zs_charity", ("officer", "520201")))
    url = f"/charity/projects/{project.pk}/student-grant/"
    bad = officer.post(url, {"grant-application": "999999", "grant-amount": "abc", "grant-paid_on": "2026-09-01"})
    html = bad.content.decode()
    assert bad.status_code == 400 and 'value="999999"' in html and 'value="abc"' in html
    assert Disbursement.all_objects.count() == 0
    ok = officer.post(
        url, {"grant-application": str(application.pk), "grant-amount": "800", "grant-paid_on": "2026-09-01"}
    )
    assert ok.status_code == 302
    page = officer.get(f"/charity/projects/{project.pk}/").content.decode()
    assert "金秋助学" in page and "800.00" in page and "李*傅" in page
    assert reload(fund).balance_fen == 9_200_00


# --- the 祁阳 demo step, on the test world's county -----------------------------------------------------


def test_the_qiyang_step_grants_every_approved_student_its_share(world, monkeypatch) -> None:
    import random

    from gonghui.charity import demo_students
    from gonghui.core.demo import DemoContext
    from gonghui.core.stats import stats_collect

    seed = DemoContext(scale="seed", rng=random.Random(1))
    assert seed.scaled(demo_students.SPENT_YUAN // 100, demo_students.SMALL_RATIO) * 100 == 3_050_000 >= 3_000_000
    first = approve(world, apply(world))
    second = approve(world, apply(world, name="李小妹", id_number=id_number(702, birth="20060301")))
    monkeypatch.setattr(demo_students, "QIYANG", "520201")  # the world's county stands in for 祁阳
    logged: list[str] = []
    small = DemoContext(scale="small", rng=random.Random(1), log=logged.append)
    demo_students.load_qiyang_charity(small)
    paid = Disbursement.all_objects.filter(via="student_aid")
    assert sorted(paid.values_list("student_application_id", flat=True)) == sorted([first.pk, second.pk])
    assert sum(paid.values_list("amount_fen", flat=True)) == 61_000_00  # 2% of ¥3,050,000, whole hundreds
    assert stats_collect([world.tree.zhongshan.path])["charity_spent_yuan"] == 61_000
    fund = Fund.all_objects.get(name=demo_students.FUND_NAME)
    assert_lines_true(fund)
    demo_students.load_qiyang_charity(small)  # run again: nothing added
    assert paid.count() == 2 and "跳过" in logged[-1]
