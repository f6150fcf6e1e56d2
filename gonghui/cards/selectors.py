"""Reads on service cards and 黔优信用卡 referrals, always within the caller's scope."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Count, QuerySet, Sum

from gonghui.cards.models import (
    LIVE_CARD_STATUSES,
    BankPartner,
    CardEvent,
    CardSpending,
    CardStatus,
    CreditCardReferral,
    ReferralStatus,
    ServiceCard,
)
from gonghui.cards.permissions import CardPerm
from gonghui.core.errors import NotFoundError
from gonghui.core.idnumbers import normalize_id_number
from gonghui.core.scoping import Scope, subtree_q, subtrees_q, unscoped
from gonghui.members.models import LIVE_STATUSES, Membership, Person
from gonghui.members.validation import identity_index
from gonghui.orgs.models import Org


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


def live_card(*, person_id: int, bank: BankPartner) -> ServiceCard | None:
    """The person's card in a live state at `bank`, if any (one at most: a partial unique index); no scope:
    a service names it in its refusal."""
    return ServiceCard.all_objects.filter(person_id=person_id, bank=bank, status__in=LIVE_CARD_STATUSES).first()


def bank_list(*, active_only: bool = True) -> list[BankPartner]:
    qs = BankPartner.objects.all()
    return list(qs.filter(is_active=True) if active_only else qs)


def bank_get(code: str) -> BankPartner:
    bank = BankPartner.objects.filter(code=(code or "").strip().upper()).first()
    if bank is None:
        raise NotFoundError()
    return bank


def spending_in_subtree(org: Org | None) -> QuerySet[CardSpending]:
    """The card spending imported for `org`'s subtree (None: everywhere), by day, for a file; the caller
    holds the right to export it and opens `unscoped()`."""
    qs = CardSpending.objects.select_related("bank", "card", "card__org", "person").order_by("day", "id")
    return qs.filter(subtree_q("org_path", org.path)) if org is not None else qs


def card_counts(paths: list[str] | None) -> dict[str, Any]:
    """Cards in use (activated) in the subtrees (None: everywhere)."""
    with unscoped():
        qs = ServiceCard.objects.filter(status=CardStatus.ACTIVATED)
        if paths is not None:
            qs = qs.filter(subtrees_q("org_path", paths))
        return {"cards_active": qs.count()}


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


def referrals_in_subtree(org: Org | None) -> QuerySet[CreditCardReferral]:
    """The referrals of `org`'s subtree (None: everywhere), oldest first, for a file; the caller holds the
    right to export them and opens `unscoped()`."""
    qs = CreditCardReferral.objects.select_related("bank", "org", "person").order_by("id")
    return qs.filter(subtree_q("org_path", org.path)) if org is not None else qs


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


def memberships_by_key(org_path: str, keys: list[str]) -> dict[str, int]:
    """Typed key → the live membership in the subtree at `org_path` (member numbers and ID numbers)."""
    by_no: dict[str, str] = {}
    by_index: dict[str, str] = {}
    for key in keys:
        if key.isdigit() and len(key) <= 10:
            by_no[key.zfill(10)] = key
        else:
            # Typed ID numbers are GB 11643 ones ("1"), which are indexed bare.
            by_index[identity_index("1", normalize_id_number(key))] = key
    found: dict[str, int] = {}
    with unscoped():
        live = Membership.objects.filter(subtree_q("org_path", org_path), status__in=LIVE_STATUSES)
        for ms_id, no in live.filter(person__member_no__in=list(by_no)).values_list("pk", "person__member_no"):
            found[by_no[str(no)]] = ms_id
        for ms_id, index in live.filter(person__id_index__in=list(by_index)).values_list("pk", "person__id_index"):
            found[by_index[index]] = ms_id
    return found
