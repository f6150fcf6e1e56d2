"""Reads on 普惠, always within the caller's sight.

Two kinds of caller see 普惠 records:
- a union's staff, through `benefits.campaign.view` on a subtree: the merchants
  signed there, the campaigns held there and the sales booked to them;
- a merchant's cashier (a `MerchantOperator` account, usually with no grant):
  their own merchant, its stores and cashiers, the campaigns it takes part in,
  and its sales. Nothing of any other merchant.
Anything else is not found (404), never forbidden: a foreign id tells nothing.

The management pages read as staff only (`staff_only=True`): a cadre who also
works some merchant's till does not manage that merchant's records through them.

The till (the cashier's page and the till API) has selectors of its own, at the
end: a cashier holds no grant to scope a query by, so what their till shows is
resolved from their own binding, by one rule (`cashier_link`), and nowhere else.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Sum
from django.utils import timezone

from gonghui.accounts.models import Grant, User
from gonghui.benefits.models import (
    BenefitTransaction,
    Campaign,
    CampaignStatus,
    Merchant,
    MerchantOperator,
    Store,
    TransactionStatus,
)
from gonghui.benefits.permissions import BenefitPerm
from gonghui.benefits.recurrence import Occurrence, occurrences
from gonghui.cards.models import CardStatus, ServiceCard
from gonghui.cards.numbers import card_index, normalize_card_number
from gonghui.core.errors import DomainError, NotFoundError
from gonghui.core.scoping import Scope, subtree_q, unscoped
from gonghui.members.models import Membership, MembershipStatus, Person
from gonghui.orgs.models import Org


def till_bindings() -> QuerySet[MerchantOperator]:
    """The bindings that make a till: to an account that is neither a member's phone login nor staff
    (an account holding a grant), and is active. Cashier accounts are made by binding
    (`partners.operator_create`); a binding of any other account, made before that rule, opens
    no till and is not listed, so it shows nobody's name either."""
    staff = Grant.objects.filter(user_id=OuterRef("user_id"))
    return MerchantOperator.objects.filter(
        ~Exists(staff), user__is_active=True, user__is_superuser=False, user__member_account__isnull=True
    )


def operator_merchant_ids(scope: Scope) -> QuerySet[MerchantOperator, int]:
    """The merchants whose till the caller works (a subquery)."""
    return till_bindings().filter(user_id=scope.user_id or 0).values_list("merchant_id", flat=True)


# --- merchants, stores, cashiers ------------------------------------------------------------------


def merchant_queryset(*, scope: Scope, staff_only: bool = False) -> QuerySet[Merchant]:
    staff = Merchant.objects.within(scope, BenefitPerm.VIEW)
    if staff_only or scope.is_superuser or scope.user_id is None:
        return staff
    return staff | Merchant.all_objects.filter(pk__in=operator_merchant_ids(scope))


def merchant_list(
    *, scope: Scope, q: str = "", category: str = "", active: bool | None = None, staff_only: bool = False
) -> QuerySet[Merchant]:
    """Merchants in sight, searched by name, USCC or address."""
    qs = merchant_queryset(scope=scope, staff_only=staff_only).select_related("org")
    qs = qs.annotate(store_count=Count("stores"))
    q = q.strip()
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(uscc=q.upper()) | Q(address__icontains=q))
    if category:
        qs = qs.filter(category=category)
    if active is not None:
        qs = qs.filter(is_active=active)
    return qs.order_by("name", "pk")


def merchant_get(*, scope: Scope, pk: int, staff_only: bool = False) -> Merchant:
    merchant = (
        merchant_queryset(scope=scope, staff_only=staff_only)
        .select_related("org")
        .annotate(store_count=Count("stores"))
        .filter(pk=pk)
        .first()
    )
    if merchant is None:
        raise NotFoundError()
    return merchant


def store_list(*, scope: Scope, merchant: Merchant) -> QuerySet[Store]:
    """The stores of a merchant the caller already resolved through `merchant_get`."""
    return Store.objects.filter(merchant=merchant).select_related("merchant").order_by("pk")


def store_get(*, scope: Scope, merchant: Merchant, pk: int) -> Store:
    store = store_list(scope=scope, merchant=merchant).filter(pk=pk).first()
    if store is None:
        raise NotFoundError()
    return store


def operator_list(*, scope: Scope, merchant: Merchant) -> QuerySet[MerchantOperator]:
    return till_bindings().filter(merchant=merchant).select_related("user", "store", "merchant").order_by("pk")


def operator_get(*, scope: Scope, merchant: Merchant, pk: int) -> MerchantOperator:
    link = operator_list(scope=scope, merchant=merchant).filter(pk=pk).first()
    if link is None:
        raise NotFoundError()
    return link


def store_lookup(*, scope: Scope, pk: int, staff_only: bool = False) -> Store:
    """A store of a merchant in sight (to name it in a campaign); any other is not found."""
    merchants = merchant_queryset(scope=scope, staff_only=staff_only)
    store = Store.objects.filter(pk=pk, merchant__in=merchants).select_related("merchant").first()
    if store is None:
        raise NotFoundError()
    return store


# --- campaigns -----------------------------------------------------------------------------------


def campaign_queryset(*, scope: Scope, staff_only: bool = False) -> QuerySet[Campaign]:
    staff = Campaign.objects.within(scope, BenefitPerm.VIEW)
    if staff_only or scope.is_superuser or scope.user_id is None:
        return staff
    with unscoped():  # the many-to-many's manager is Merchant's, scoped
        joined = Campaign.merchants.through.objects.filter(merchant_id__in=operator_merchant_ids(scope))
    return staff | Campaign.all_objects.filter(pk__in=joined.values("campaign_id"))


def campaign_list(
    *,
    scope: Scope,
    status: str = "",
    org: Org | None = None,
    merchant_id: int | None = None,
    staff_only: bool = False,
) -> QuerySet[Campaign]:
    qs = campaign_queryset(scope=scope, staff_only=staff_only).select_related("org")
    if status:
        qs = qs.filter(status=status)
    if org is not None:
        qs = qs.filter(subtree_q("org_path", org.path))
    if merchant_id is not None:
        with unscoped():
            joined = Campaign.merchants.through.objects.filter(merchant_id=merchant_id).values("campaign_id")
        qs = qs.filter(pk__in=joined)
    return qs.order_by("-starts_at", "-pk")


def campaign_get(*, scope: Scope, pk: int, staff_only: bool = False) -> Campaign:
    campaign = campaign_queryset(scope=scope, staff_only=staff_only).select_related("org").filter(pk=pk).first()
    if campaign is None:
        raise NotFoundError()
    return campaign


@dataclass(frozen=True)
class Participants:
    merchants: list[Merchant]
    stores: list[Store]


def campaign_participants(*, scope: Scope, campaigns: list[Campaign]) -> dict[int, Participants]:
    """Each campaign's merchants and named stores; a cashier sees only its own merchant among them."""
    ids = [c.pk for c in campaigns]
    by_merchant = list(
        Campaign.merchants.through.objects.filter(campaign_id__in=ids).values_list("campaign_id", "merchant_id")
    )
    by_store = list(Campaign.stores.through.objects.filter(campaign_id__in=ids).values_list("campaign_id", "store_id"))
    with unscoped():
        merchants = Merchant.all_objects.in_bulk({m for _c, m in by_merchant})
    stores = Store.objects.in_bulk({s for _c, s in by_store})
    own: set[int] | None = None
    out: dict[int, Participants] = {}
    for campaign in campaigns:
        staff = scope.is_superuser or scope.has_perm(BenefitPerm.VIEW, campaign.org_path)
        if not staff and own is None:
            own = set(operator_merchant_ids(scope))
        ms = sorted((merchants[m] for c, m in by_merchant if c == campaign.pk), key=lambda m: m.pk)
        ss = sorted((stores[s] for c, s in by_store if c == campaign.pk), key=lambda s: s.pk)
        if not staff:
            ms = [m for m in ms if own is not None and m.pk in own]
            ss = [s for s in ss if own is not None and s.merchant_id in own]
        out[campaign.pk] = Participants(ms, ss)
    return out


def participant_candidates(*, scope: Scope, campaign: Campaign, q: str = "", limit: int = 100) -> list[Merchant]:
    """The merchants a campaign's participants form offers, each with its stores (staff sight only).

    First the campaign's own merchants, then up to `limit` other active ones
    (searched by name, USCC or address), each by name.
    """
    with unscoped():
        joined = Campaign.merchants.through.objects.filter(campaign_id=campaign.pk).values("merchant_id")
    stores = Prefetch("stores", queryset=Store.objects.order_by("pk"))
    own = merchant_queryset(scope=scope, staff_only=True).filter(pk__in=joined).select_related("org")
    others = merchant_list(scope=scope, q=q, active=True, staff_only=True).exclude(pk__in=joined)
    return [
        *own.prefetch_related(stores).order_by("name", "pk"),
        *others.prefetch_related(stores)[:limit],
    ]


def campaign_figures(campaign_ids: list[int]) -> dict[int, dict[str, int]]:
    """Per campaign: sales, discounted sales, members who got a discount, consumption and discounts (completed)."""
    keys = ("sales", "discounted", "members", "amount_fen", "discount_fen")
    figures = {pk: dict.fromkeys(keys, 0) for pk in campaign_ids}
    with unscoped():
        rows = (
            BenefitTransaction.objects.filter(campaign_id__in=campaign_ids, status=TransactionStatus.COMPLETED)
            .values("campaign_id")
            .annotate(
                sales=Count("pk"),
                discounted=Count("pk", filter=Q(discount_fen__gt=0)),
                members=Count("person", filter=Q(discount_fen__gt=0), distinct=True),
                amount_fen=Sum("amount_fen"),
                discount_fen=Sum("discount_fen"),
            )
        )
        for row in rows:
            found: dict[str, Any] = dict(row)
            figures[found["campaign_id"]] = {k: int(found[k] or 0) for k in keys}
    return figures


def campaign_occurrences(*, campaign: Campaign) -> list[Occurrence]:
    """The campaign's occurrences (its 普惠周, or its whole period), in order."""
    return occurrences(campaign)


# --- sales ---------------------------------------------------------------------------------------


def sale_queryset(*, scope: Scope, staff_only: bool = False) -> QuerySet[BenefitTransaction]:
    staff = BenefitTransaction.objects.within(scope, BenefitPerm.VIEW)
    if staff_only or scope.is_superuser or scope.user_id is None:
        return staff
    return staff | BenefitTransaction.all_objects.filter(merchant_id__in=operator_merchant_ids(scope))


def sale_list(
    *,
    scope: Scope,
    campaign_id: int | None = None,
    merchant_id: int | None = None,
    store_id: int | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    status: str = "",
    staff_only: bool = False,
) -> QuerySet[BenefitTransaction]:
    """Sales in sight, newest first, filtered by campaign, merchant, store, days (inclusive) and status."""
    qs = sale_queryset(scope=scope, staff_only=staff_only).select_related("merchant", "store", "campaign")
    if campaign_id is not None:
        qs = qs.filter(campaign_id=campaign_id)
    if merchant_id is not None:
        qs = qs.filter(merchant_id=merchant_id)
    if store_id is not None:
        qs = qs.filter(store_id=store_id)
    if date_from is not None:
        qs = qs.filter(day__gte=date_from)
    if date_to is not None:
        qs = qs.filter(day__lte=date_to)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-at", "-pk")


def period(*, day: date | None, date_from: date | None, date_to: date | None, max_days: int = 366) -> tuple[date, date]:
    """The days a query covers: one `day`, or `date_from`..`date_to` (each defaulting to the other), or today."""
    if day is not None:
        if date_from is not None or date_to is not None:
            raise DomainError("benefit.period_invalid", why="day 与 date_from/date_to 只能二选一")
        return day, day
    if date_from is None and date_to is None:
        today = timezone.localdate()
        return today, today
    start, end = date_from or date_to, date_to or date_from
    assert start is not None and end is not None
    if end < start:
        raise DomainError("benefit.period_invalid", why="结束日期早于开始日期")
    if (end - start).days >= max_days:
        raise DomainError("benefit.period_invalid", why=f"一次最多查询 {max_days} 天")
    return start, end


# --- a cashier's till ----------------------------------------------------------------------------


def cashier_link(*, user: User, merchant_id: int | None = None) -> MerchantOperator:
    """The binding (merchant, and store when bound to one) of the till `user` works: one rule for the
    cashier's page and the till API.

    Exactly one binding (to the merchant `merchant_id`, when named): that one. None, or a
    merchant the account does not work: not found. More than one and no merchant named: refused
    (`benefit.merchant_ambiguous`), never a guess. A binding exists while the account works the
    till (unbinding deletes it); a deactivated merchant's binding still answers, so its till can
    replay earlier sales and is told why it takes no new one.
    """
    links = till_bindings().filter(user=user).select_related("merchant", "store")
    if merchant_id is not None:
        links = links.filter(merchant_id=merchant_id)
    found = list(links[:2])
    if not found:
        raise NotFoundError()
    if len(found) > 1:
        raise DomainError("benefit.merchant_ambiguous", field="merchant_id")
    return found[0]


def till_stores(*, merchant: Merchant) -> dict[int, Store]:
    """The merchant's stores by id (a POS batch names stores sale by sale)."""
    return {s.pk: s for s in Store.objects.filter(merchant=merchant)}


def till_store(*, merchant: Merchant, store_id: int | None, stores: dict[int, Store] | None = None) -> Store | None:
    """The merchant's store `store_id` (None: none named), from `stores` when read already; another
    merchant's store is not found."""
    if not store_id:
        return None
    store = (stores or {}).get(store_id) or Store.objects.filter(pk=store_id, merchant=merchant).first()
    if store is None or store.merchant_id != merchant.pk:
        raise NotFoundError()
    return store


def is_cashier(*, user: object) -> bool:
    """True when `user` works some merchant's till (bound as its operator)."""
    pk = getattr(user, "pk", None)
    return pk is not None and till_bindings().filter(user_id=pk).exists()


def till_sales_today(*, merchant: Merchant, status: str = "") -> QuerySet[BenefitTransaction]:
    """The merchant's sales booked today (of `status`, when given), newest first."""
    qs = BenefitTransaction.all_objects.filter(merchant=merchant, day=timezone.localdate())
    if status:
        qs = qs.filter(status=status)
    return qs.select_related("merchant", "store", "campaign").order_by("-id")


def till_sale_get(*, user: User, pk: int) -> BenefitTransaction:
    """A sale of a merchant whose till `user` works; any other is not found."""
    sale = (
        BenefitTransaction.all_objects.filter(pk=pk, merchant__operators__user=user)
        .select_related("merchant", "store", "campaign")
        .first()
    )
    if sale is None:
        raise NotFoundError()
    return sale


# --- what a sale reads (for `services.Till`) ------------------------------------------------------


def operator_link(*, operator: User | None, merchant: Merchant) -> MerchantOperator | None:
    """The binding of `operator` to the merchant whose sale it records or reverses: None for the console
    (`operator` None) and a superuser; anyone else must work this merchant's till (403 otherwise)."""
    if operator is None or operator.is_superuser:
        return None
    link = till_bindings().filter(merchant=merchant, user=operator).select_related("store").first()
    if link is None:
        raise DomainError("benefit.not_operator", status=403, merchant=merchant.name)
    return link


def open_campaigns(*, merchant: Merchant, now: datetime) -> list[tuple[Campaign, set[int]]]:
    """The active campaigns at the merchant in their period at `now`, each with the merchant's stores it names."""
    with unscoped():
        campaigns = list(
            Campaign.objects.filter(
                merchants=merchant, status=CampaignStatus.ACTIVE, starts_at__lte=now, ends_at__gt=now
            ).order_by("id")
        )
        named: dict[int, set[int]] = {c.pk: set() for c in campaigns}
        if campaigns:
            through = Campaign.stores.through.objects.filter(campaign_id__in=named, store__merchant=merchant)
            for campaign_id, store_id in through.values_list("campaign_id", "store_id"):
                named[campaign_id].add(store_id)
    return [(c, named[c.pk]) for c in campaigns]


def members_by_code(codes: list[str]) -> dict[str, tuple[int, bool]]:
    """Each till scan → (person id, scanned a card): an activated service card's number or a member number.

    Two queries whatever the number of codes (card numbers by blind index, member numbers).
    """
    cards: dict[str, list[str]] = {}
    numbers: dict[str, list[str]] = {}
    for code in codes:
        value = normalize_card_number(code)
        if len(value) >= 16:
            cards.setdefault(card_index(value), []).append(code)
        elif value.isdigit():
            numbers.setdefault(value.zfill(10), []).append(code)
    found: dict[str, tuple[int, bool]] = {}
    with unscoped():
        if cards:
            rows = ServiceCard.objects.filter(card_index__in=list(cards), status=CardStatus.ACTIVATED)
            for index, person_id in rows.values_list("card_index", "person_id"):
                found.update(dict.fromkeys(cards[str(index)], (person_id, True)))
        if numbers:
            for number, person_id in Person.objects.filter(member_no__in=list(numbers)).values_list("member_no", "pk"):
                found.update(dict.fromkeys(numbers[str(number)], (person_id, False)))
    return found


def member_lookup(code: str) -> Person:
    """The member behind a till's scan: a service card number (activated) or a member number."""
    found = members_by_code([code]).get(code)
    with unscoped():
        person = Person.objects.filter(pk=found[0]).first() if found else None
    if person is None:
        raise DomainError("benefit.member_unknown", status=404)
    return person


def sales_by_key(*, merchant: Merchant, keys: list[str]) -> dict[str, BenefitTransaction]:
    """The merchant's sales already recorded under these idempotency keys, by key."""
    rows = BenefitTransaction.all_objects.filter(merchant=merchant, idempotency_key__in=[k for k in keys if k])
    return {t.idempotency_key: t for t in rows.select_related("merchant", "store", "campaign")}


def member_eligibility(*, person_ids: set[int], holders: set[int]) -> tuple[dict[int, list[str]], set[int]]:
    """Each person's active memberships' paths, and who of them holds an activated card (`holders`: proven
    already, by a card scan)."""
    paths: dict[int, list[str]] = {}
    with unscoped():
        active = Membership.objects.filter(person_id__in=person_ids, status=MembershipStatus.ACTIVE)
        for person_id, path in active.values_list("person_id", "org_path"):
            paths.setdefault(person_id, []).append(path)
        unproven = person_ids - holders
        if unproven:
            holders = holders | set(
                ServiceCard.objects.filter(person_id__in=unproven, status=CardStatus.ACTIVATED).values_list(
                    "person_id", flat=True
                )
            )
    return paths, holders
