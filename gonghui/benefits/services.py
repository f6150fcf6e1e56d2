"""Writes on 普惠: the sale at a till, with its discount granted atomically, and its reversal.

A till calls `transaction_record` with an idempotency key. Eligibility is read
first: the campaigns running at the merchant, for which the member is eligible,
that take part at the sale's store, and whose occurrence (a 普惠周, or the whole
period) is on now. Then, in one transaction, the member's totals for that
occurrence and that day are moved by upserts that stop at the caps, the sale is
written, and the campaign's budget is moved last (`… WHERE spent + d <= budget`),
so every sale takes its locks in one order and the row all sales share is held
only to the commit. If any cap would be passed, the
savepoint rolls the grants back and the sale is recorded without a discount,
with the reason; so is a sale outside the store list or the 普惠周. The same
key again returns the same sale; a key reused for a different sale is refused.

What a sale reads first (the cashier's binding, the running campaigns, the
members behind the codes, keys already used, eligibility) is `selectors.py`'s.
Merchants, stores, cashiers and campaigns are managed in `partners.py` and
`campaigns.py`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from gonghui.accounts.models import User
from gonghui.benefits import errors as _errors  # noqa: F401  (registers messages)
from gonghui.benefits import selectors
from gonghui.benefits.models import (
    BenefitTransaction,
    Campaign,
    MemberUsage,
    Merchant,
    MerchantOperator,
    Recurrence,
    RuleType,
    Store,
    TransactionStatus,
)
from gonghui.benefits.recurrence import Occurrence, next_occurrence, occurrence_at
from gonghui.core.audit import audit_record
from gonghui.core.errors import DomainError, NotFoundError
from gonghui.core.money import AmountError, parse_yuan
from gonghui.core.scoping import unscoped


def sale_amount(yuan: str) -> int:
    """A till's amount in yuan ("200", "19.90", "¥1,200") as fen, or the till's own refusal."""
    try:
        return parse_yuan(yuan)
    except AmountError as exc:
        raise DomainError("benefit.amount_invalid") from exc


def discount_for(campaign: Campaign, amount_fen: int) -> int:
    """What the campaign's rule takes off `amount_fen` (before caps and budget)."""
    if campaign.rule_type == RuleType.FULL_REDUCTION:
        off = campaign.reduction_fen if amount_fen >= campaign.threshold_fen else 0
    elif campaign.rule_type == RuleType.DISCOUNT:
        off = amount_fen - amount_fen * campaign.discount_percent // 100
    else:
        off = campaign.reduction_fen if amount_fen >= campaign.threshold_fen else 0
    if campaign.max_discount_fen is not None:
        off = min(off, campaign.max_discount_fen)
    return max(0, min(off, amount_fen))


def _sale_store(link: MerchantOperator | None, merchant: Merchant, store: Store | None) -> Store | None:
    """The store the sale is at: a cashier bound to a store records there and nowhere else."""
    if store is not None and store.merchant_id != merchant.pk:
        raise NotFoundError()
    if link is not None and link.store is not None:
        if store is not None and store.pk != link.store.pk:
            raise DomainError("benefit.store_not_yours", status=403, store=link.store.name)
        store = link.store
    return store


def _window_reason(campaigns: list[Campaign], now: datetime) -> str:
    upcoming = [o for o in (next_occurrence(c, now) for c in campaigns) if o is not None]
    if not upcoming:
        return "不在普惠周活动时段内（本活动已无后续时段）"
    first = min(upcoming, key=lambda o: o.starts_at)
    return f"不在普惠周活动时段内（下一期 {first.first_day.isoformat()} 起）"


class _CapReached(Exception):
    def __init__(self, reason: str) -> None:
        self.reason = reason


def _bump_usage(campaign: Campaign, person_id: int, occurrence: date, day: date | None, off: int) -> None:
    """Add one sale of `off` to the member's occurrence row (`day` None) or day row, within its caps.

    One statement: the row is created with this sale, or moved by it only if the
    moved totals stay within the caps (`ON CONFLICT … DO UPDATE … WHERE`); no row
    back means a cap would be passed. The row lock it takes is held to the commit.
    """
    count_cap = campaign.per_day_count if day else campaign.per_member_count
    fen_cap = campaign.per_day_fen if day else campaign.per_member_fen
    if (count_cap is not None and count_cap < 1) or (fen_cap is not None and off > fen_cap):
        raise _CapReached(_cap_reason(campaign, day is not None))
    table = MemberUsage._meta.db_table
    # The partial unique index each kind of row is under (the ON CONFLICT target must name it).
    target = (
        "(campaign_id, person_id, day) WHERE day IS NOT NULL"
        if day
        else "(campaign_id, person_id, occurrence) WHERE day IS NULL"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} AS u (campaign_id, person_id, occurrence, day, count, discount_fen) "  # noqa: S608
            f"VALUES (%s, %s, %s, %s, 1, %s) ON CONFLICT {target} DO UPDATE "
            "SET count = u.count + 1, discount_fen = u.discount_fen + excluded.discount_fen "
            "WHERE (%s IS NULL OR u.count + 1 <= %s) AND (%s IS NULL OR u.discount_fen + excluded.discount_fen <= %s) "
            "RETURNING id",
            [campaign.pk, person_id, occurrence, day, off, count_cap, count_cap, fen_cap, fen_cap],
        )
        if cursor.fetchone() is None:
            raise _CapReached(_cap_reason(campaign, day is not None))


def _cap_reason(campaign: Campaign, daily: bool) -> str:
    if daily:
        return "已达每人每日优惠上限"
    return "已达每人本期普惠周优惠上限" if campaign.recurrence == Recurrence.QUARTERLY else "已达每人活动优惠上限"


def _spend(campaign: Campaign, off: int) -> None:
    """Take `off` from the campaign's budget, or refuse: the last statement before the commit.

    The budget row is the one every sale of the campaign updates. Taken last, its
    lock is held only for this statement and the commit, not while the sale's
    other rows are written.
    """
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Campaign._meta.db_table} SET spent_fen = spent_fen + %s "  # noqa: S608
            "WHERE id = %s AND spent_fen + %s <= budget_fen",
            [off, campaign.pk, off],
        )
        if cursor.rowcount != 1:
            raise _CapReached("活动预算已用完")


@dataclass
class SaleResult:
    transaction: BenefitTransaction
    replayed: bool


@dataclass(frozen=True)
class SaleRequest:
    """One sale as a till sends it."""

    idempotency_key: str
    member_code: str
    amount_fen: int
    store: Store | None = None


@dataclass
class SaleOutcome:
    """A sale of a batch: recorded (or replayed), or refused with the reason."""

    key: str
    result: SaleResult | None = None
    error: DomainError | None = None


def transaction_record(
    *,
    operator: User | None,
    merchant: Merchant,
    idempotency_key: str,
    member_code: str,
    amount_fen: int,
    store: Store | None = None,
    link: MerchantOperator | None = None,
) -> SaleResult:
    """Record a sale and grant the best discount a campaign allows; the same key again is the same sale.

    `link` is the cashier's MerchantOperator row when the caller already read it.
    """
    till = Till(operator=operator, merchant=merchant, link=link)
    outcome = till.record_many([SaleRequest(idempotency_key, member_code, amount_fen, store)])[0]
    if outcome.error is not None:
        raise outcome.error
    assert outcome.result is not None
    return outcome.result


def transactions_record_many(
    *, operator: User | None, merchant: Merchant, sales: list[SaleRequest], link: MerchantOperator | None = None
) -> list[SaleOutcome]:
    """A batch of sales from a merchant's POS back-end: each recorded on its own, as if sent alone.

    What the sales share is read once (the cashier, the running campaigns, the
    members behind the codes, keys already used); each sale then commits in its
    own transaction, so a refused sale leaves the others as they are and no two
    batches can wait on each other's rows.
    """
    return Till(operator=operator, merchant=merchant, link=link).record_many(sales)


class Till:
    """One request's sales at one merchant."""

    def __init__(self, *, operator: User | None, merchant: Merchant, link: MerchantOperator | None = None) -> None:
        if link is not None and (operator is None or link.user_id != operator.pk or link.merchant_id != merchant.pk):
            link = None
        self.operator, self.merchant = operator, merchant
        self.link = link if link is not None else selectors.operator_link(operator=operator, merchant=merchant)
        self.now = timezone.now()
        self.today = timezone.localdate(self.now)
        self.campaigns = selectors.open_campaigns(merchant=merchant, now=self.now)
        # Filled per call of `record_many`: keys already used, members' paths, card holders.
        self.earlier: dict[str, BenefitTransaction] = {}
        self.member_paths: dict[int, list[str]] = {}
        self.card_holders: set[int] = set()

    def record_many(self, sales: list[SaleRequest]) -> list[SaleOutcome]:
        people = selectors.members_by_code([s.member_code for s in sales])
        person_ids = {pid for pid, _card in people.values()}
        self.earlier = selectors.sales_by_key(merchant=self.merchant, keys=[s.idempotency_key.strip() for s in sales])
        self.member_paths, self.card_holders = self._eligibility(person_ids, people)
        outcomes = []
        for sale in sales:
            key = (sale.idempotency_key or "").strip()
            try:
                outcomes.append(SaleOutcome(key, result=self._record(sale, key, people.get(sale.member_code))))
            except DomainError as exc:
                outcomes.append(SaleOutcome(key, error=exc))
        return outcomes

    def _eligibility(
        self, person_ids: set[int], people: dict[str, tuple[int, bool]]
    ) -> tuple[dict[int, list[str]], set[int]]:
        """Each person's active memberships' paths, and who holds an activated card (a card scan proves it)."""
        holders = {pid for pid, card in people.values() if card}
        if not self.campaigns or not person_ids:
            return {}, holders
        return selectors.member_eligibility(person_ids=person_ids, holders=holders)

    def _eligible(self, person_id: int, campaign: Campaign) -> bool:
        return person_id in self.card_holders and any(
            p.startswith(campaign.org_path) for p in self.member_paths.get(person_id, ())
        )

    def _record(self, sale: SaleRequest, key: str, found: tuple[int, bool] | None) -> SaleResult:
        if not key or len(key) > 100:
            raise DomainError("benefit.key_required", status=400)
        if sale.amount_fen <= 0:
            raise DomainError("benefit.amount_invalid")
        store = _sale_store(self.link, self.merchant, sale.store)
        if found is None:
            raise DomainError("benefit.member_unknown", status=404)
        person_id = found[0]
        earlier = self._replay(key, person_id, sale.amount_fen)
        if earlier is not None:
            return SaleResult(earlier, True)
        if not self.merchant.is_active:
            raise DomainError("benefit.merchant_inactive", status=409, merchant=self.merchant.name)
        if store is not None and not store.is_active:
            raise DomainError("benefit.store_inactive", status=409, store=store.name)
        offers, reason = self._offers(store, person_id, sale.amount_fen)

        def insert(campaign: Campaign | None, occurrence: Occurrence | None, off: int, why: str) -> BenefitTransaction:
            return BenefitTransaction.all_objects.create(
                merchant=self.merchant,
                store=store,
                campaign=campaign,
                org_path=campaign.org_path if campaign else self.merchant.org_path,
                person_id=person_id,
                idempotency_key=key,
                amount_fen=sale.amount_fen,
                discount_fen=off,
                no_discount_reason="" if off else why,
                operator=self.operator,
                day=self.today,
                occurrence=occurrence.key if occurrence else None,
            )

        try:
            with transaction.atomic():
                made = None
                for off, campaign, window in offers:
                    if off <= 0:
                        reason = reason or "未达到优惠条件"
                        continue
                    try:
                        # A savepoint: a cap reached undoes this campaign's grants and the sale row.
                        # Members' rows first, the sale, the budget last (every sale locks in this order).
                        with transaction.atomic():
                            _bump_usage(campaign, person_id, window.key, None, off)
                            _bump_usage(campaign, person_id, window.key, self.today, off)
                            made = insert(campaign, window, off, "")
                            _spend(campaign, off)
                        break
                    except _CapReached as cap:
                        made = None
                        reason = reason or cap.reason
                if made is None:
                    # No discount; the sale still counts towards the best campaign's figures.
                    _off, campaign_, window_ = offers[0] if offers else (0, None, None)
                    made = insert(campaign_, window_, 0, reason)
        except IntegrityError:
            # The same key from a parallel retry won: everything here was rolled back.
            self.earlier.update(selectors.sales_by_key(merchant=self.merchant, keys=[key]))
            earlier = self._replay(key, person_id, sale.amount_fen)
            if earlier is None:
                raise
            return SaleResult(earlier, True)
        self.earlier[key] = made  # the same key later in this batch is a replay
        return SaleResult(made, False)

    def _offers(
        self, store: Store | None, person_id: int, amount_fen: int
    ) -> tuple[list[tuple[int, Campaign, Occurrence]], str]:
        """The campaigns that may discount this sale, best first, or the reason none may."""
        if not self.campaigns:
            return [], "无可参加的活动"
        # Said apart: a member who has not activated the card can do something about it.
        if person_id not in self.card_holders:
            return [], "会员服务卡未激活，激活后可享受普惠优惠"
        eligible = [(c, named) for c, named in self.campaigns if self._eligible(person_id, c)]
        if not eligible:
            return [], "无可参加的活动"
        here = [c for c, named in eligible if not named or (store is not None and store.pk in named)]
        if not here:
            return [], "本门店未参加普惠活动" if store is not None else "未指定门店，本活动仅限参与门店"
        running = [(c, o) for c in here if (o := occurrence_at(c, self.now)) is not None]
        if not running:
            return [], _window_reason(here, self.now)
        offers = sorted(((discount_for(c, amount_fen), c, o) for c, o in running), key=lambda x: (-x[0], x[1].pk))
        return offers, ""

    def _replay(self, key: str, person_id: int, amount_fen: int) -> BenefitTransaction | None:
        earlier = self.earlier.get(key)
        if earlier is not None and (earlier.person_id, earlier.amount_fen) != (person_id, amount_fen):
            raise DomainError("benefit.key_reused", status=409)
        return earlier


def transaction_reverse(*, operator: User | None, merchant: Merchant, sale: BenefitTransaction) -> BenefitTransaction:
    """Undo a sale (a refund at the till): its discount goes back to the budget and the member's totals.

    The reversal is booked on its own day (`reversed_day`) for the daily settlement.
    """
    link = selectors.operator_link(operator=operator, merchant=merchant)
    with transaction.atomic():
        sale = BenefitTransaction.all_objects.select_for_update().get(pk=sale.pk, merchant=merchant)
        if link is not None and link.store is not None and sale.store_id != link.store.pk:
            raise DomainError("benefit.store_not_yours", status=403, store=link.store.name)
        if sale.status != TransactionStatus.COMPLETED:
            raise DomainError("benefit.already_reversed", status=409)
        if sale.discount_fen and sale.campaign_id:
            usage = MemberUsage._meta.db_table
            with connection.cursor() as cursor:
                cursor.execute(
                    f"UPDATE {usage} SET count = count - 1, discount_fen = discount_fen - %s "  # noqa: S608
                    "WHERE campaign_id = %s AND person_id = %s "
                    "AND ((day IS NULL AND occurrence = %s) OR day = %s)",
                    [sale.discount_fen, sale.campaign_id, sale.person_id, sale.occurrence, sale.day],
                )
                cursor.execute(
                    f"UPDATE {Campaign._meta.db_table} SET spent_fen = spent_fen - %s WHERE id = %s",  # noqa: S608
                    [sale.discount_fen, sale.campaign_id],
                )
        now = timezone.now()
        sale.status, sale.reversed_at, sale.reversed_day = TransactionStatus.REVERSED, now, timezone.localdate(now)
        sale.save(update_fields=["status", "reversed_at", "reversed_day"])
        with unscoped():
            org = merchant.org if not sale.campaign_id else Campaign.all_objects.get(pk=sale.campaign_id).org
        audit_record(
            actor=operator,
            action="benefits.transaction.reverse",
            org=org,
            target=sale,
            data={
                "merchant": merchant.name,
                "amount_fen": sale.amount_fen,
                "discount_fen": sale.discount_fen,
                "day": sale.day.isoformat(),
            },
        )
    return sale
