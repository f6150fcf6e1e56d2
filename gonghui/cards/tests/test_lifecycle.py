"""Service cards: application with consent, issuance with a sealed number, and every transition."""

from __future__ import annotations

import logging

import pytest
from django.db import IntegrityError, transaction
from stdnum import luhn

from gonghui.cards.models import BankPartner, CardEvent, CardStatus, ServiceCard
from gonghui.cards.numbers import CARD_PURPOSE, card_index
from gonghui.cards.services import card_apply, card_issue, card_replace, card_transition
from gonghui.core import crypto
from gonghui.core.errors import DomainError, PermissionDeniedError
from gonghui.core.models import AuditEvent
from gonghui.core.scoping import unscoped
from gonghui.members.services import membership_transition
from gonghui.members.tests.factories import id_number, register

pytestmark = pytest.mark.django_db


def card_number(seq: int, bin_prefix: str = "621795") -> str:
    body = f"{bin_prefix}{seq:012d}"[:18]
    return body + luhn.calc_check_digit(body)


@pytest.fixture
def bank() -> BankPartner:
    return BankPartner.objects.create(code="GZB", name="贵州银行", bin_prefixes="621795,623668")


@pytest.fixture
def member(tree):  # type: ignore[no-untyped-def]
    return register(tree.courier_union, id_number(301), name="王小明")


def apply(member, bank, **kw):  # type: ignore[no-untyped-def]
    return card_apply(actor=None, scope=None, membership=member, bank=bank, consented=True, **kw)


def states(card: ServiceCard) -> list[tuple[str, str, str]]:
    with unscoped():
        return [(e.event_type, e.from_status, e.to_status) for e in CardEvent.objects.filter(card=card)]


# --- application ---------------------------------------------------------------------------------


def test_apply_needs_the_members_consent(member, bank) -> None:
    with pytest.raises(DomainError) as refused:
        card_apply(actor=None, scope=None, membership=member, bank=bank, consented=False)
    assert refused.value.code == "card.consent_required"
    assert not ServiceCard.all_objects.exists()


def test_apply_records_the_consent_and_an_event(member, bank) -> None:
    card = apply(member, bank, consent_note="纸质同意书已存档")
    assert (card.status, card.org_id, card.org_path) == (CardStatus.APPLIED, member.org_id, member.org_path)
    assert card.consented_at is not None and card.consent_note == "纸质同意书已存档"
    assert states(card) == [("apply", "", "applied")]
    assert AuditEvent.all_objects.filter(action="cards.apply").count() == 1


def test_one_live_card_per_bank_but_another_bank_is_fine(member, bank) -> None:
    apply(member, bank)
    with pytest.raises(DomainError) as refused:
        apply(member, bank)
    assert refused.value.code == "card.live_card" and "已申请" in refused.value.message
    other = BankPartner.objects.create(code="PSBC", name="中国邮政储蓄银行")
    assert apply(member, other).bank == other


def test_the_database_refuses_a_second_live_card(member, bank) -> None:
    first = apply(member, bank)
    with pytest.raises(IntegrityError), transaction.atomic():
        ServiceCard.all_objects.create(
            person_id=first.person_id,
            bank=bank,
            org_id=first.org_id,
            org_path=first.org_path,
            consented_at=first.consented_at,
        )


def test_only_an_active_member_may_apply(member, bank) -> None:
    membership_transition(actor=None, scope=None, membership=member, action="withdraw", reason="voluntary")
    with pytest.raises(DomainError) as refused:
        apply(member, bank)
    assert refused.value.code == "card.not_member"


def test_an_inactive_bank_takes_no_applications(member, bank) -> None:
    bank.is_active = False
    bank.save()
    with pytest.raises(DomainError) as refused:
        apply(member, bank)
    assert refused.value.code == "card.bank_inactive"


def test_an_officer_outside_the_subtree_may_not_apply(member, bank, make_user) -> None:
    from gonghui.accounts.scope import scope_for_user

    outsider = make_user("dx_officer", ("officer", "621100"))
    with pytest.raises(PermissionDeniedError):
        card_apply(actor=outsider, scope=scope_for_user(outsider), membership=member, bank=bank, consented=True)
    insider = make_user("zs_officer", ("officer", "520201"))
    card = card_apply(actor=insider, scope=scope_for_user(insider), membership=member, bank=bank, consented=True)
    assert card.pk is not None


# --- issuance ------------------------------------------------------------------------------------


def test_issue_seals_the_number_and_shows_it_masked(member, bank, caplog) -> None:
    number = card_number(1)
    card = card_issue(actor=None, scope=None, card=apply(member, bank), card_number=f" {number[:4]} {number[4:]} ")
    card.refresh_from_db()
    assert card.status == CardStatus.ISSUED and card.issued_on is not None
    assert card.card_masked == f"{number[:4]} **** **** {number[-4:]}"
    assert crypto.decrypt(bytes(card.card_cipher), purpose=CARD_PURPOSE) == number
    assert card.card_index == card_index(number) and number not in card.card_index
    audit = AuditEvent.all_objects.get(action="cards.issue")
    assert number not in str(audit.data) and card.card_masked in str(audit.data)
    assert all(number not in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize(
    ("raw", "why"),
    [
        ("BAD_CHECK", "校验位不正确"),  # a 19-digit number with its check digit changed
        ("62179500", "16–19 位数字"),
        ("6217 95ab 0000 0001", "16–19 位数字"),
        (None, "不属于该银行"),  # a valid number from another bank's range
    ],
)
def test_issue_refuses_bad_numbers_and_changes_nothing(member, bank, raw, why) -> None:
    card = apply(member, bank)
    with pytest.raises(DomainError) as refused:
        if raw == "BAD_CHECK":
            good = card_number(6)
            raw = good[:-1] + str((int(good[-1]) + 1) % 10)
        card_issue(actor=None, scope=None, card=card, card_number=raw or card_number(7, "622202"))
    assert why in refused.value.message
    card.refresh_from_db()
    assert (card.status, card.card_index, card.card_masked) == (CardStatus.APPLIED, None, "")


def test_a_number_belongs_to_one_card(tree, member, bank) -> None:
    other = register(tree.courier_union, id_number(302), name="李娟")
    card_issue(actor=None, scope=None, card=apply(member, bank), card_number=card_number(2))
    second = apply(other, bank)
    with pytest.raises(DomainError) as refused:
        card_issue(actor=None, scope=None, card=second, card_number=card_number(2))
    assert refused.value.code == "card.number_taken"


# --- the lifecycle -------------------------------------------------------------------------------


def issued(member, bank, seq: int = 3) -> ServiceCard:  # type: ignore[no-untyped-def]
    return card_issue(actor=None, scope=None, card=apply(member, bank), card_number=card_number(seq))


def act(card: ServiceCard, action: str, reason: str = "") -> ServiceCard:
    return card_transition(actor=None, scope=None, card=card, action=action, reason=reason)


def test_activate_freeze_unfreeze_lose_cancel(member, bank) -> None:
    card = act(issued(member, bank), "activate")
    assert card.status == CardStatus.ACTIVATED and card.activated_at is not None
    with pytest.raises(DomainError) as refused:
        act(card, "freeze")
    assert refused.value.code == "card.reason_required"
    card = act(act(card, "freeze", "银行风控"), "unfreeze")
    card = act(act(card, "report_lost", "本人遗失"), "cancel", "不再补办")
    assert card.status == CardStatus.CANCELLED and card.ended_at is not None
    assert states(card) == [
        ("apply", "", "applied"),
        ("issue", "applied", "issued"),
        ("activate", "issued", "activated"),
        ("freeze", "activated", "frozen"),
        ("unfreeze", "frozen", "activated"),
        ("report_lost", "activated", "lost"),
        ("cancel", "lost", "cancelled"),
    ]
    # Ended, the member may apply again.
    assert apply(member, bank).status == CardStatus.APPLIED


@pytest.mark.parametrize(
    ("start", "action"),
    [("applied", "activate"), ("activated", "activate"), ("activated", "unfreeze"), ("applied", "freeze")],
)
def test_wrong_state_is_refused_and_nothing_changes(member, bank, start, action) -> None:
    card = act(issued(member, bank), "activate") if start == "activated" else apply(member, bank)
    before = (card.status, len(states(card)))
    with pytest.raises(DomainError) as refused:
        act(card, action, "原因")
    assert refused.value.code == "card.wrong_status"
    card.refresh_from_db()
    assert (card.status, len(states(card))) == before


def test_replace_ends_the_card_and_applies_for_its_successor(member, bank) -> None:
    card = act(act(issued(member, bank), "activate"), "report_lost", "被盗")
    successor = card_replace(actor=None, scope=None, card=card, reason="挂失补卡")
    card.refresh_from_db()
    assert card.status == CardStatus.REPLACED and card.ended_at is not None
    assert (successor.status, successor.replaces_id, successor.consented_at) == (
        CardStatus.APPLIED,
        card.pk,
        card.consented_at,
    )
    successor = card_issue(actor=None, scope=None, card=successor, card_number=card_number(4))
    assert successor.card_masked.endswith(card_number(4)[-4:])
    with pytest.raises(DomainError):
        card_replace(actor=None, scope=None, card=card)


def test_no_card_number_reaches_a_log(member, bank, caplog, sql_logging) -> None:
    number = card_number(5)
    with caplog.at_level(logging.DEBUG):
        act(card_issue(actor=None, scope=None, card=apply(member, bank), card_number=number), "activate")
    assert caplog.records
    assert all(number not in r.getMessage() for r in caplog.records)
