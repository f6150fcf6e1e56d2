"""Writes on 普惠: the sale at a till, with its discount granted atomically, and its reversal.

A till calls `transaction_record` with an idempotency key. Eligibility is read
first; then, in one transaction, the member's campaign and daily totals and the
campaign's budget are moved by conditional UPDATEs (`… WHERE total + d <= cap`),
members' rows before the campaign's so every sale takes its locks in one order.
If any cap would be passed, the savepoint rolls the grants back and the sale is
recorded without a discount, with the reason. The same key again returns the
same sale; a key reused for a different sale is refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from gonghui.accounts.models import User
from gonghui.benefits import errors as _errors  # noqa: F401  (registers messages)
from gonghui.benefits.models import (
    BenefitTransaction,
    Campaign,
    CampaignStatus,
    MemberUsage,
    Merchant,
    MerchantOperator,
    RuleType,
    Store,
    TransactionStatus,
)
from gonghui.cards.models import CardStatus, ServiceCard
from gonghui.cards.numbers import card_index, normalize_card_number
from gonghui.core.errors import DomainError
from gonghui.core.scoping import unscoped
from gonghui.members.models import Membership, MembershipStatus, Person


def sale_amount(yuan: str) -> int:
    """A till's amount in yuan ("200", "19.90") as fen, or the till's own refusal."""
    from gonghui.cards.payouts import yuan_to_fen

    try:
        return yuan_to_fen(yuan)
    except DomainError as exc:
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


def member_lookup(code: str) -> Person:
    """The member behind a till's scan: a service card number (activated) or a member number."""
    value = normalize_card_number(code)
    with unscoped():
        if len(value) >= 16:
            card = ServiceCard.objects.filter(card_index=card_index(value), status=CardStatus.ACTIVATED).first()
            person = Person.objects.filter(pk=card.person_id).first() if card else None
        else:
            person = Person.objects.filter(member_no=value.zfill(10)).first() if value.isdigit() else None
    if person is None:
        raise DomainError("benefit.member_unknown", status=404)
    return person


def _eligible(person: Person, campaign: Campaign) -> bool:
    with unscoped():
        member = Membership.objects.filter(
            person=person, status=MembershipStatus.ACTIVE, org_path__startswith=campaign.org_path
        ).exists()
        card = ServiceCard.objects.filter(person=person, status=CardStatus.ACTIVATED).exists()
    return member and card


def _open_campaigns(merchant: Merchant) -> list[Campaign]:
    now = timezone.now()
    with unscoped():
        return list(
            Campaign.objects.filter(
                merchants=merchant, status=CampaignStatus.ACTIVE, starts_at__lte=now, ends_at__gt=now
            ).order_by("id")
        )


def _require_operator(operator: User | None, merchant: Merchant) -> None:
    """`operator` None is the console; otherwise the user must work this merchant's till."""
    if operator is None or operator.is_superuser:
        return
    if not MerchantOperator.objects.filter(merchant=merchant, user=operator).exists():
        raise DomainError("benefit.not_operator", status=403, merchant=merchant.name)


class _CapReached(Exception):
    def __init__(self, reason: str) -> None:
        self.reason = reason


def _bump_usage(campaign: Campaign, person: Person, day: date | None, off: int) -> None:
    table = MemberUsage._meta.db_table
    # The partial unique index each kind of row is under (the ON CONFLICT target must name it).
    target = (
        "(campaign_id, person_id, day) WHERE day IS NOT NULL" if day else "(campaign_id, person_id) WHERE day IS NULL"
    )
    count_cap = campaign.per_day_count if day else campaign.per_member_count
    fen_cap = campaign.per_day_fen if day else campaign.per_member_fen
    day_test = "day = %s" if day else "day IS NULL"
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (campaign_id, person_id, day, count, discount_fen) VALUES (%s, %s, %s, 0, 0) "  # noqa: S608
            f"ON CONFLICT {target} DO NOTHING",
            [campaign.pk, person.pk, day],
        )
        cursor.execute(
            f"UPDATE {table} SET count = count + 1, discount_fen = discount_fen + %s "  # noqa: S608
            f"WHERE campaign_id = %s AND person_id = %s AND {day_test} "
            "AND (%s IS NULL OR count + 1 <= %s) AND (%s IS NULL OR discount_fen + %s <= %s)",
            [off, campaign.pk, person.pk, *([day] if day else []), count_cap, count_cap, fen_cap, off, fen_cap],
        )
        if cursor.rowcount != 1:
            raise _CapReached("已达每人每日优惠上限" if day else "已达每人活动优惠上限")


def _grant(campaign: Campaign, person: Person, day: date, off: int) -> None:
    _bump_usage(campaign, person, None, off)
    _bump_usage(campaign, person, day, off)
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


def transaction_record(
    *,
    operator: User | None,
    merchant: Merchant,
    idempotency_key: str,
    member_code: str,
    amount_fen: int,
    store: Store | None = None,
) -> SaleResult:
    """Record a sale and grant the best discount a campaign allows; the same key again is the same sale."""
    key = (idempotency_key or "").strip()
    if not key or len(key) > 100:
        raise DomainError("benefit.key_required", status=400)
    if amount_fen <= 0:
        raise DomainError("benefit.amount_invalid")
    _require_operator(operator, merchant)
    person = member_lookup(member_code)
    earlier = _replay(merchant, key, person, amount_fen)
    if earlier is not None:
        return SaleResult(earlier, True)
    offers = sorted(
        ((discount_for(c, amount_fen), c) for c in _open_campaigns(merchant) if _eligible(person, c)),
        key=lambda offer: (-offer[0], offer[1].pk),
    )
    today = timezone.localdate()
    try:
        with transaction.atomic():
            campaign, off, reason = None, 0, "" if offers else "无可参加的活动"
            for candidate, candidate_off in ((c, o) for o, c in offers):
                if candidate_off <= 0:
                    reason = reason or "未达到优惠条件"
                    continue
                try:
                    with transaction.atomic():  # a savepoint: a cap reached undoes this campaign's grants
                        _grant(candidate, person, today, candidate_off)
                    campaign, off, reason = candidate, candidate_off, ""
                    break
                except _CapReached as cap:
                    reason = reason or cap.reason
            if campaign is None and offers:
                campaign = offers[0][1]  # the sale still counts towards the campaign's figures
            sale = BenefitTransaction.all_objects.create(
                merchant=merchant,
                store=store,
                campaign=campaign,
                org_path=campaign.org_path if campaign else merchant.org_path,
                person=person,
                idempotency_key=key,
                amount_fen=amount_fen,
                discount_fen=off,
                no_discount_reason="" if off else reason,
                operator=operator,
                day=today,
            )
    except IntegrityError:
        # The same key from a parallel retry won: everything here was rolled back.
        earlier = _replay(merchant, key, person, amount_fen)
        if earlier is None:
            raise
        return SaleResult(earlier, True)
    return SaleResult(sale, False)


def _replay(merchant: Merchant, key: str, person: Person, amount_fen: int) -> BenefitTransaction | None:
    earlier = BenefitTransaction.all_objects.filter(merchant=merchant, idempotency_key=key).first()
    if earlier is not None and (earlier.person_id, earlier.amount_fen) != (person.pk, amount_fen):
        raise DomainError("benefit.key_reused", status=409)
    return earlier


def transaction_reverse(*, operator: User | None, merchant: Merchant, sale: BenefitTransaction) -> BenefitTransaction:
    """Undo a sale (a refund at the till): its discount goes back to the budget and the member's totals."""
    _require_operator(operator, merchant)
    with transaction.atomic():
        sale = BenefitTransaction.all_objects.select_for_update().get(pk=sale.pk, merchant=merchant)
        if sale.status != TransactionStatus.COMPLETED:
            raise DomainError("benefit.already_reversed", status=409)
        if sale.discount_fen and sale.campaign_id:
            usage = MemberUsage._meta.db_table
            with connection.cursor() as cursor:
                cursor.execute(
                    f"UPDATE {usage} SET count = count - 1, discount_fen = discount_fen - %s "  # noqa: S608
                    "WHERE campaign_id = %s AND person_id = %s AND (day IS NULL OR day = %s)",
                    [sale.discount_fen, sale.campaign_id, sale.person_id, sale.day],
                )
                cursor.execute(
                    f"UPDATE {Campaign._meta.db_table} SET spent_fen = spent_fen - %s WHERE id = %s",  # noqa: S608
                    [sale.discount_fen, sale.campaign_id],
                )
        sale.status, sale.reversed_at = TransactionStatus.REVERSED, timezone.now()
        sale.save(update_fields=["status", "reversed_at"])
    return sale
