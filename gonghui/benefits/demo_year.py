"""Demo: a year of 普惠 — each 贵州 city's quarterly 普惠周 and the sales in its past weeks.

At `--scale seed` every completed sale on record (these and the 五一 campaign's
live ones) adds up to exactly ¥4,287.43万, by exactly 122,500 members (the
reference page's yearly figures); at `small` to 2% of each.

Each city federation signs three partner merchants (a supermarket, a pharmacy,
a restaurant; three stores each) and runs 职工普惠周 through the services
(validated, audited): quarterly, the first seven days of each quarter, 满100减10,
three times per member per week and once a day. The weeks already past hold the
sales, bulk-inserted as the tills would have left them (each member within the
caps, the campaign's spent budget equal to its discounts). Per-member running
totals (`MemberUsage`) are kept for open weeks only, so none are loaded.
"""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.db.models import Count, Sum
from django.utils import timezone

from gonghui.benefits import campaigns, partners
from gonghui.benefits.models import BenefitTransaction, Campaign, Recurrence, RuleType, TransactionStatus
from gonghui.benefits.recurrence import Occurrence, occurrences
from gonghui.cards.models import CardStatus, ServiceCard
from gonghui.core.bulk.sql import insert_rows
from gonghui.core.demo import DemoContext, split_exactly
from gonghui.core.scoping import subtree_q, unscoped
from gonghui.core.validators import uscc_with_check
from gonghui.orgs.models import Org, OrgKind

SPEND_FEN = 4_287_430_000  # ¥4,287.43万
MEMBERS = 122_500
SMALL_RATIO = 0.02
THRESHOLD_FEN, REDUCTION_FEN = 10_000, 1_000  # 满100减10
PER_WEEK, PER_DAY = 3, 1
MERCHANTS = [
    ("职工之家超市", "supermarket", ["中心店", "东门店", "西城店"]),
    ("惠民大药房", "medical", ["总店", "南站店", "新区店"]),
    ("黔味餐饮", "catering", ["老街店", "广场店", "高铁站店"]),
]
TX_FIELDS = [
    "merchant_id",
    "store_id",
    "campaign_id",
    "org_path",
    "person_id",
    "idempotency_key",
    "amount_fen",
    "discount_fen",
    "no_discount_reason",
    "status",
    "operator_id",
    "at",
    "day",
    "occurrence",
]


def first_quarter_within_a_year(today: date) -> date:
    """The first quarter that starts within the last twelve months."""
    year, month = today.year - 1, ((today.month - 1) // 3 + 1) * 3 + 1
    if month > 12:
        year, month = year + 1, month - 12
    return date(year, month, 1)


def load_year_of_benefits(ctx: DemoContext) -> None:
    today = timezone.localdate()
    start = first_quarter_within_a_year(today)
    with unscoped():
        cities = list(Org.objects.filter(parent__code="520000", kind=OrgKind.CITY_FEDERATION).order_by("code"))
    weeks_of: dict[int, tuple[Campaign, list[Occurrence], list[tuple[int, list[int]]]]] = {}
    for n, city in enumerate(cities):
        campaign, stores = _city_week(ctx, city, start, n)
        past = [o for o in occurrences(campaign) if o.ends_at <= timezone.now()]
        weeks_of[city.pk] = (campaign, past, stores)
    ratio = 1 if ctx.is_seed else SMALL_RATIO
    rows = _sales(ctx, cities, weeks_of, members=round(MEMBERS * ratio), spend_fen=round(SPEND_FEN * ratio))
    with transaction.atomic():
        for chunk in range(0, len(rows), 5_000):
            insert_rows(BenefitTransaction, TX_FIELDS, rows[chunk : chunk + 5_000])
        with unscoped():
            spent = dict(
                BenefitTransaction.objects.filter(campaign__in=[c for c, _p, _s in weeks_of.values()])
                .values_list("campaign_id")
                .annotate(total=Sum("discount_fen"))
            )
            for campaign, _past, _stores in weeks_of.values():
                Campaign.all_objects.filter(pk=campaign.pk).update(spent_fen=spent.get(campaign.pk, 0))
    ctx.log(f"普惠：{len(cities)} 个市州的季度普惠周，{len(rows)} 笔往期交易。")


def _city_week(ctx: DemoContext, city: Org, start: date, n: int) -> tuple[Campaign, list[tuple[int, list[int]]]]:
    """The city's three merchants (nine stores) and its 职工普惠周, made through the services."""
    made: list[tuple[int, list[int]]] = []
    merchants = []
    for i, (name, category, stores) in enumerate(MERCHANTS):
        merchant = partners.merchant_create(
            actor=None,
            scope=None,
            org=city,
            name=f"{city.name.removesuffix('总工会')}{name}",
            category=category,
            uscc=uscc_with_check(f"91{city.code[:6]}MA{n % 10}{i}{ctx.rng.randrange(10**5):05d}"),
            region_code=city.code[:6],
            address=f"{city.name.removesuffix('总工会')}{stores[0]}",
        )
        ids = [
            partners.store_create(actor=None, scope=None, merchant=merchant, name=s, region_code=city.code[:6]).pk
            for s in stores
        ]
        merchants.append(merchant)
        made.append((merchant.pk, ids))
    campaign = campaigns.campaign_create(
        actor=None,
        scope=None,
        org=city,
        values={
            "name": f"{city.name.removesuffix('总工会')}职工普惠周",
            "starts_at": timezone.make_aware(datetime.combine(start, time.min)),
            "ends_at": timezone.make_aware(datetime.combine(date(start.year + 2, start.month, 1), time.min)),
            "rule_type": RuleType.FULL_REDUCTION,
            "threshold_fen": THRESHOLD_FEN,
            "reduction_fen": REDUCTION_FEN,
            "budget_fen": 2_000_000_00 if ctx.is_seed else 50_000_00,
            "per_member_count": PER_WEEK,
            "per_day_count": PER_DAY,
            "recurrence": Recurrence.QUARTERLY,
            "occurrence_month": 1,
            "occurrence_start_day": 1,
            "occurrence_days": 7,
        },
        merchants=merchants,
    )
    campaigns.campaign_activate(actor=None, scope=None, campaign=campaign)
    return campaign, made


def _slots(rng: random.Random, past: list[Occurrence], k: int) -> list[tuple[Occurrence, date]]:
    """`k` distinct days in the past weeks, at most three in one week (the caps)."""
    days = [(w, w.first_day + timedelta(days=d)) for w in past for d in range((w.last_day - w.first_day).days + 1)]
    rng.shuffle(days)
    taken: list[tuple[Occurrence, date]] = []
    per_week: dict[date, int] = defaultdict(int)
    for week, day in days:
        if per_week[week.key] < PER_WEEK:
            per_week[week.key] += 1
            taken.append((week, day))
            if len(taken) == k:
                break
    assert len(taken) == k, "a member's sales need more past weeks than the campaign has"
    return taken


def _sales(
    ctx: DemoContext,
    cities: list[Org],
    weeks_of: dict[int, tuple[Campaign, list[Occurrence], list[tuple[int, list[int]]]]],
    *,
    members: int,
    spend_fen: int,
) -> list[tuple[object, ...]]:
    """Past weeks' sales: with the live ones, `members` distinct members spend `spend_fen` in all."""
    rng = ctx.rng
    with unscoped():
        done = BenefitTransaction.objects.filter(status=TransactionStatus.COMPLETED).aggregate(
            fen=Sum("amount_fen"), people=Count("person", distinct=True)
        )
        already = set(
            BenefitTransaction.objects.filter(status=TransactionStatus.COMPLETED).values_list("person_id", flat=True)
        )
        guizhou = Org.objects.get(code="520000")
        holders = list(
            ServiceCard.objects.filter(subtree_q("org_path", guizhou.path), status=CardStatus.ACTIVATED)
            .order_by("pk")
            .values_list("person_id", "org_path")
        )
    city_of = {c.path: c.pk for c in cities}
    # Members of a city's unions (the 顺丰 union and others sit right under the province: no city week).
    city_path_of = {p: next((cp for cp in city_of if path.startswith(cp)), None) for p, path in holders}
    fresh = [p for p, cp in city_path_of.items() if cp is not None and p not in already]
    wanted = members - (done["people"] or 0)
    chosen = rng.sample(fresh, wanted)
    # 1–4 sales each, never more than the caps allow (three a week, one a day).
    counts = [rng.choice((1, 1, 2, 2, 2, 3, 4)) for _ in chosen]
    weights = [rng.lognormvariate(0, 0.6) for _ in range(sum(counts))]
    amounts = iter(split_exactly(spend_fen - (done["fen"] or 0), weights))
    rows: list[tuple[object, ...]] = []
    keys: dict[int, int] = defaultdict(int)
    for person_id, k in zip(chosen, counts, strict=True):
        campaign, past, merchants = weeks_of[city_of[city_path_of[person_id] or ""]]
        for week, day in _slots(rng, past, k):
            at = timezone.make_aware(datetime.combine(day, time(rng.randint(9, 20), rng.randrange(60))))
            merchant_id, stores = rng.choice(merchants)
            fen = next(amounts)
            keys[merchant_id] += 1
            rows.append(
                (
                    merchant_id,
                    rng.choice(stores),
                    campaign.pk,
                    campaign.org_path,
                    person_id,
                    f"hist-{keys[merchant_id]:07d}",
                    fen,
                    REDUCTION_FEN if fen >= THRESHOLD_FEN else 0,
                    "" if fen >= THRESHOLD_FEN else "未达到优惠条件",
                    TransactionStatus.COMPLETED,
                    None,
                    at,
                    day,
                    week.key,
                )
            )
    return rows
