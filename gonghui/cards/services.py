"""Writes on service cards: application with consent, issuance, and the card's lifecycle.

    applied → issued → activated ⇄ frozen
    issued / activated / frozen → lost → replaced (a new card, applied) or cancelled
    any live state → cancelled; activated / frozen → replaced

Each transition locks the card row, checks its state, records a `CardEvent`
and an audit event in one transaction. One live card per person and bank is
the database's partial unique index; a race that loses against it becomes the
same refusal as the check before it.
"""

from __future__ import annotations

from datetime import date

from django.db import IntegrityError, transaction
from django.utils import timezone

from gonghui.accounts.models import User
from gonghui.cards import errors as _errors  # noqa: F401  (registers messages)
from gonghui.cards import selectors
from gonghui.cards.models import (
    LIVE_CARD_STATUSES,
    BankPartner,
    CardEvent,
    CardEventType,
    CardStatus,
    ServiceCard,
)
from gonghui.cards.numbers import parse_card_number
from gonghui.cards.permissions import CardPerm
from gonghui.core.audit import audit_record
from gonghui.core.errors import DomainError
from gonghui.core.scoping import Scope, unscoped
from gonghui.core.scoping import require_perm_at as _require
from gonghui.members.models import Membership, MembershipStatus

STATUS_LABELS = dict(CardStatus.choices)
# Which states each transition leaves from, and where it goes.
TRANSITIONS: dict[str, tuple[tuple[str, ...], str, str]] = {
    # action: (from states, to state, what the refusal calls it)
    "activate": ((CardStatus.ISSUED,), CardStatus.ACTIVATED, "激活"),
    "freeze": ((CardStatus.ACTIVATED,), CardStatus.FROZEN, "冻结"),
    "unfreeze": ((CardStatus.FROZEN,), CardStatus.ACTIVATED, "解冻"),
    "report_lost": ((CardStatus.ISSUED, CardStatus.ACTIVATED, CardStatus.FROZEN), CardStatus.LOST, "挂失"),
    "cancel": (tuple(LIVE_CARD_STATUSES), CardStatus.CANCELLED, "注销"),
}
NEEDS_REASON = {"freeze": "冻结原因", "cancel": "注销原因"}


def _locked(card: ServiceCard) -> ServiceCard:
    return ServiceCard.all_objects.select_for_update(of=("self",)).select_related("bank").get(pk=card.pk)


def _record(card: ServiceCard, *, actor: User | None, event: str, before: str, reason: str = "") -> None:
    CardEvent.all_objects.create(
        card=card,
        org_path=card.org_path,
        event_type=event,
        from_status=before,
        to_status=card.status,
        reason=reason,
        actor=actor,
    )
    audit_record(
        actor=actor,
        action=f"cards.{event}",
        org=card.org,
        target=card,
        data={"card": card.card_masked, "bank": card.bank.code, "from": before, "to": card.status, "reason": reason},
    )


def _live_card_refusal(person_id: int, bank: BankPartner) -> DomainError:
    live = selectors.live_card(person_id=person_id, bank=bank)
    state = STATUS_LABELS.get(live.status, "") if live else ""
    return DomainError("card.live_card", status=409, bank=bank.name, state=state)


def card_apply(
    *,
    actor: User | None,
    scope: Scope | None,
    membership: Membership,
    bank: BankPartner,
    consented: bool,
    consent_note: str = "",
) -> ServiceCard:
    """Apply for a member's card at `bank`, with their separate consent; one live card per bank."""
    _require(scope, CardPerm.APPLY, membership.org_path)
    if not consented:
        raise DomainError("card.consent_required")
    if not bank.is_active:
        raise DomainError("card.bank_inactive", bank=bank.name)
    with transaction.atomic(), unscoped():
        ms = Membership.all_objects.select_related("org").get(pk=membership.pk)
        if ms.status != MembershipStatus.ACTIVE:
            raise DomainError("card.not_member")
        if ServiceCard.all_objects.filter(person_id=ms.person_id, bank=bank, status__in=LIVE_CARD_STATUSES).exists():
            raise _live_card_refusal(ms.person_id, bank)
        try:
            with transaction.atomic():
                card = ServiceCard.all_objects.create(
                    person_id=ms.person_id,
                    bank=bank,
                    org=ms.org,
                    org_path=ms.org_path,
                    consented_at=timezone.now(),
                    consent_note=consent_note.strip()[:200],
                )
        except IntegrityError as exc:  # a concurrent application won the race
            raise _live_card_refusal(ms.person_id, bank) from exc
        _record(card, actor=actor, event=CardEventType.APPLY, before="")
    return card


def card_issue(
    *, actor: User | None, scope: Scope | None, card: ServiceCard, card_number: str, issued_on: date | None = None
) -> ServiceCard:
    """The bank made the card: record its number (sealed) and the date."""
    _require(scope, CardPerm.MANAGE, card.org_path)
    with transaction.atomic(), unscoped():
        card = _locked(card)
        if card.status != CardStatus.APPLIED:
            raise DomainError("card.wrong_status", state=STATUS_LABELS[card.status], action="登记制卡")
        number = parse_card_number(card_number, bins=card.bank.bins())
        if ServiceCard.all_objects.filter(card_index=number.index).exclude(pk=card.pk).exists():
            raise DomainError("card.number_taken", status=409)
        before = card.status
        card.card_cipher, card.card_index, card.card_masked = number.cipher, number.index, number.masked
        card.status = CardStatus.ISSUED
        card.issued_on = issued_on or timezone.localdate()
        try:
            with transaction.atomic():
                card.save(
                    update_fields=["card_cipher", "card_index", "card_masked", "status", "issued_on", "updated_at"]
                )
        except IntegrityError as exc:
            raise DomainError("card.number_taken", status=409) from exc
        _record(card, actor=actor, event=CardEventType.ISSUE, before=before)
    return card


def card_transition(
    *, actor: User | None, scope: Scope | None, card: ServiceCard, action: str, reason: str = ""
) -> ServiceCard:
    """activate, freeze, unfreeze, report_lost or cancel the card."""
    if action not in TRANSITIONS:
        raise ValueError(f"unknown card transition {action!r}")
    _require(scope, CardPerm.MANAGE, card.org_path)
    sources, target, label = TRANSITIONS[action]
    reason = reason.strip()[:200]
    if action in NEEDS_REASON and not reason:
        raise DomainError("card.reason_required", what=NEEDS_REASON[action])
    with transaction.atomic(), unscoped():
        card = _locked(card)
        if card.status not in sources:
            raise DomainError("card.wrong_status", state=STATUS_LABELS[card.status], action=label)
        before = card.status
        card.status = target
        card.status_reason = reason
        fields = ["status", "status_reason", "updated_at"]
        if target == CardStatus.ACTIVATED and card.activated_at is None:
            card.activated_at = timezone.now()
            fields.append("activated_at")
        if target == CardStatus.CANCELLED:
            card.ended_at = timezone.now()
            fields.append("ended_at")
        card.save(update_fields=fields)
        _record(card, actor=actor, event=action, before=before, reason=reason)
    return card


def card_replace(*, actor: User | None, scope: Scope | None, card: ServiceCard, reason: str = "") -> ServiceCard:
    """End a lost or worn card and apply for its successor at the same bank (the consent carries over)."""
    _require(scope, CardPerm.MANAGE, card.org_path)
    reason = reason.strip()[:200] or "补换卡"
    with transaction.atomic(), unscoped():
        card = _locked(card)
        if card.status not in (CardStatus.ACTIVATED, CardStatus.FROZEN, CardStatus.LOST):
            raise DomainError("card.wrong_status", state=STATUS_LABELS[card.status], action="补换卡")
        before = card.status
        card.status, card.status_reason, card.ended_at = CardStatus.REPLACED, reason, timezone.now()
        card.save(update_fields=["status", "status_reason", "ended_at", "updated_at"])
        _record(card, actor=actor, event=CardEventType.REPLACE, before=before, reason=reason)
        successor = ServiceCard.all_objects.create(
            person_id=card.person_id,
            bank=card.bank,
            org_id=card.org_id,
            org_path=card.org_path,
            consented_at=card.consented_at,
            consent_note=card.consent_note,
            replaces=card,
        )
        _record(successor, actor=actor, event=CardEventType.APPLY, before="", reason=reason)
    return successor


def card_apply_many(
    *, actor: User | None, scope: Scope | None, membership_ids: list[int], bank: BankPartner, consent_note: str
) -> tuple[int, dict[int, str]]:
    """A union's batch application for members who each signed their consent: (applied, refusals by membership).

    Each member is applied for on their own, so one refusal (no longer a member,
    a live card already) leaves the others applied.
    """
    refusals: dict[int, str] = {}
    applied = 0
    with unscoped():
        memberships = {m.pk: m for m in Membership.objects.filter(pk__in=membership_ids)}
    for ms_id in membership_ids:
        ms = memberships.get(ms_id)
        if ms is None:
            refusals[ms_id] = "未找到该会员"
            continue
        try:
            card_apply(actor=actor, scope=scope, membership=ms, bank=bank, consented=True, consent_note=consent_note)
        except DomainError as exc:
            refusals[ms_id] = exc.message
        else:
            applied += 1
    return applied, refusals
