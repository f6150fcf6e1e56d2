"""Reads on service cards and payout batches, always within the caller's scope."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Count, QuerySet, Sum

from gonghui.cards.models import (
    LIVE_CARD_STATUSES,
    BankPartner,
    CardEvent,
    CardStatus,
    CreditCardReferral,
    PayoutBatch,
    PayoutItem,
    ReferralStatus,
    ServiceCard,
)
from gonghui.cards.permissions import CardPerm, PayoutPerm
from gonghui.core.errors import NotFoundError
from gonghui.core.scoping import Scope, subtrees_q, unscoped
from gonghui.members.models import Person


def card_queryset(*, scope: Scope, perm: str = CardPerm.VIEW) -> QuerySet[ServiceCard]:
    return ServiceCard.objects.within(scope, perm)


def card_list(*, scope: Scope, status: str = "", bank: str = "", person_id: int | None = None) -> QuerySet[ServiceCard]:
    qs = card_queryset(scope=scope).select_related("bank", "org", "person").order_by("-id")
    if status:
        qs = qs.filter(status=status)
    if bank:
        qs = qs.filter(bank__code=bank)
    if person_id is not None:
        qs = qs.filter(person_id=person_id)
    return qs


def card_get(*, scope: Scope, pk: int, perm: str = CardPerm.VIEW) -> ServiceCard:
    card = card_queryset(scope=scope, perm=perm).select_related("bank", "org", "person").filter(pk=pk).first()
    if card is None:
        raise NotFoundError()
    return card


def card_history(*, scope: Scope, card: ServiceCard) -> list[CardEvent]:
    return list(CardEvent.objects.within(scope, CardPerm.VIEW).filter(card=card).select_related("actor"))


def bank_list(*, active_only: bool = True) -> list[BankPartner]:
    qs = BankPartner.objects.all()
    return list(qs.filter(is_active=True) if active_only else qs)


def bank_get(code: str) -> BankPartner:
    bank = BankPartner.objects.filter(code=(code or "").strip().upper()).first()
    if bank is None:
        raise NotFoundError()
    return bank


def card_counts(paths: list[str] | None) -> dict[str, Any]:
    """Cards in use (activated) in the subtrees (None: everywhere)."""
    with unscoped():
        qs = ServiceCard.objects.filter(status=CardStatus.ACTIVATED)
        if paths is not None:
            qs = qs.filter(subtrees_q("org_path", paths))
        return {"cards_active": qs.count()}


# --- payout batches ------------------------------------------------------------------------------


def batch_queryset(*, scope: Scope, perm: str = PayoutPerm.VIEW) -> QuerySet[PayoutBatch]:
    return PayoutBatch.objects.within(scope, perm)


def batch_list(*, scope: Scope, status: str = "") -> QuerySet[PayoutBatch]:
    qs = batch_queryset(scope=scope).select_related("org", "bank", "made_by", "checked_by")
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-created_at", "-id")


def batch_get(*, scope: Scope, pk: int, perm: str = PayoutPerm.VIEW) -> PayoutBatch:
    """The batch if the scope may see it; another union's id is not found (never 403)."""
    batch = (
        batch_queryset(scope=scope, perm=perm)
        .select_related("org", "bank", "made_by", "checked_by")
        .filter(pk=pk)
        .first()
    )
    if batch is None:
        raise NotFoundError()
    return batch


def batch_items(*, scope: Scope, batch: PayoutBatch, status: str = "") -> QuerySet[PayoutItem]:
    qs = PayoutItem.objects.within(scope, PayoutPerm.VIEW).filter(batch=batch).select_related("person", "card")
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("id")


# --- 黔优信用卡 referrals ----------------------------------------------------------------------------


def referral_list(*, scope: Scope, status: str = "", bank: str = "") -> QuerySet[CreditCardReferral]:
    """The referrals of the unions where the caller may view cards, newest application first."""
    qs = CreditCardReferral.objects.within(scope, CardPerm.VIEW).select_related("bank", "org", "person")
    if status:
        qs = qs.filter(status=status)
    if bank:
        qs = qs.filter(bank__code=bank.strip().upper())
    return qs.order_by("-applied_on", "-id")


def referral_get(*, scope: Scope, pk: int) -> CreditCardReferral:
    """The referral if the scope may see it; another union's id is not found (never 403)."""
    referral = (
        CreditCardReferral.objects.within(scope, CardPerm.VIEW)
        .select_related("bank", "org", "person")
        .filter(pk=pk)
        .first()
    )
    if referral is None:
        raise NotFoundError()
    return referral


def credit_counts(paths: list[str] | None) -> dict[str, Any]:
    """Granted 黔优信用卡 in the subtrees (None: everywhere) and their credit lines in yuan, one aggregate."""
    with unscoped():
        qs = CreditCardReferral.objects.filter(status=ReferralStatus.APPROVED)
        if paths is not None:
            qs = qs.filter(subtrees_q("org_path", paths))
        agg = qs.aggregate(n=Count("pk"), fen=Sum("credit_line_fen"))
    return {"credit_cards": agg["n"] or 0, "credit_line_yuan": float(Decimal(agg["fen"] or 0) / 100)}


def member_cards(*, person: Person) -> list[ServiceCard]:
    """A person's own cards in use or on their way, newest first, for the member's own pages (no scope: the
    caller has established that the person is the signed-in member). Numbers are read masked only."""
    with unscoped():
        return list(
            ServiceCard.all_objects.select_related("bank")
            .filter(person=person, status__in=LIVE_CARD_STATUSES)
            .order_by("-pk")
        )
