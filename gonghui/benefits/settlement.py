"""The daily settlement (日结算): what each union owes each merchant for the discounts it granted.

One row per merchant, store and day. A day's row counts the sales recorded that
day (笔数, 消费金额, 优惠金额) and the reversals booked that day, whatever day
their sale was (撤销笔数, 撤销优惠): 应结算金额 = 优惠金额 − 撤销优惠. A day once
settled never changes; a later refund is netted on the day it happens, as card
acquirers do. Sales are those the caller sees (see `selectors.py`), narrowed to
a union's subtree (the campaign's union: it pays) or one merchant.

Excel: `settlement_export` (the API's download, and the `benefit_settlement`
export kind for `gonghui export` and the export pages).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db import transaction
from django.db.models import Count, QuerySet, Sum
from django.utils import timezone

from gonghui.accounts.models import User
from gonghui.benefits.models import BenefitTransaction, Merchant, Store, TransactionStatus
from gonghui.benefits.permissions import BenefitPerm
from gonghui.benefits.selectors import sale_queryset
from gonghui.core.audit import audit_record
from gonghui.core.bulk import write_table
from gonghui.core.errors import PermissionDeniedError
from gonghui.core.scoping import Scope, subtree_q, unscoped
from gonghui.orgs.models import Org

HEADERS = [
    "商户",
    "统一社会信用代码",
    "门店",
    "交易日",
    "笔数",
    "消费金额（元）",
    "优惠金额（元）",
    "撤销笔数",
    "撤销优惠金额（元）",
    "应结算金额（元）",
]
SHEET = "普惠日结算"
ALL_STORES = "（全部门店）"
NO_STORE = "（未指定门店）"
DEFAULT_DAYS = 31  # the export kind's period: the last 31 days, today included


@dataclass
class SettlementRow:
    merchant_id: int
    store_id: int | None
    day: date
    merchant: str = ""
    uscc: str = ""
    store: str = ""
    sales: int = 0
    amount_fen: int = 0
    discount_fen: int = 0
    reversals: int = 0
    reversed_fen: int = 0

    @property
    def settle_fen(self) -> int:
        return self.discount_fen - self.reversed_fen


@dataclass
class Settlement:
    date_from: date
    date_to: date
    by_store: bool
    rows: list[SettlementRow] = field(default_factory=list)

    @property
    def totals(self) -> dict[str, int]:
        keys = ("sales", "amount_fen", "discount_fen", "reversals", "reversed_fen", "settle_fen")
        return {k: sum(getattr(r, k) for r in self.rows) for k in keys}


def _base(
    scope: Scope | None, org: Org | None, merchant: Merchant | None, staff_only: bool
) -> QuerySet[BenefitTransaction]:
    qs = (
        sale_queryset(scope=scope, staff_only=staff_only) if scope is not None else BenefitTransaction.all_objects.all()
    )
    if org is not None:
        qs = qs.filter(subtree_q("org_path", org.path))
    if merchant is not None:
        qs = qs.filter(merchant=merchant)
    return qs


def settlement_rows(
    *,
    scope: Scope | None,
    date_from: date,
    date_to: date,
    org: Org | None = None,
    merchant: Merchant | None = None,
    by_store: bool = True,
    staff_only: bool = False,
) -> Settlement:
    """The settlement of `date_from`..`date_to` (inclusive), by merchant, store (unless not `by_store`) and day.

    `scope` None is the console or a job already checked against `org`; `staff_only` leaves out what the
    caller sees only as a merchant's cashier (see `selectors.py`).
    """
    base = _base(scope, org, merchant, staff_only)
    store_key = ["store_id"] if by_store else []
    rows: dict[tuple[int, int | None, date], SettlementRow] = {}

    def row(merchant_id: int, store_id: int | None, day: date) -> SettlementRow:
        key = (merchant_id, store_id, day)
        return rows.setdefault(key, SettlementRow(merchant_id, store_id, day))

    sold = (
        base.filter(day__gte=date_from, day__lte=date_to)
        .values("merchant_id", *store_key, "day")
        .annotate(n=Count("pk"), amount=Sum("amount_fen"), discount=Sum("discount_fen"))
        .order_by()
    )
    for agg in sold:
        r = row(agg["merchant_id"], agg.get("store_id"), agg["day"])
        r.sales, r.amount_fen, r.discount_fen = agg["n"], int(agg["amount"] or 0), int(agg["discount"] or 0)
    undone = (
        base.filter(status=TransactionStatus.REVERSED, reversed_day__gte=date_from, reversed_day__lte=date_to)
        .values("merchant_id", *store_key, "reversed_day")
        .annotate(n=Count("pk"), discount=Sum("discount_fen"))
        .order_by()
    )
    for agg in undone:
        r = row(agg["merchant_id"], agg.get("store_id"), agg["reversed_day"])
        r.reversals, r.reversed_fen = agg["n"], int(agg["discount"] or 0)

    with unscoped():
        merchants = {m.pk: m for m in Merchant.all_objects.filter(pk__in={k[0] for k in rows})}
    stores = dict(Store.objects.filter(pk__in={k[1] for k in rows if k[1]}).values_list("pk", "name"))
    for r in rows.values():
        m = merchants[r.merchant_id]
        r.merchant, r.uscc = m.name, m.uscc
        r.store = (stores.get(r.store_id, "") if r.store_id else NO_STORE) if by_store else ALL_STORES
    ordered = sorted(rows.values(), key=lambda r: (r.day, r.merchant, r.merchant_id, r.store, r.store_id or 0))
    return Settlement(date_from, date_to, by_store, ordered)


def yuan(fen: int) -> Decimal:
    """Fen as yuan with two decimals: a number in the workbook, exact."""
    return (Decimal(fen) / 100).quantize(Decimal("0.01"))


def _lines(settlement: Settlement) -> Iterator[list[Any]]:
    for r in settlement.rows:
        yield [
            r.merchant,
            r.uscc,
            r.store,
            r.day.isoformat(),
            r.sales,
            yuan(r.amount_fen),
            yuan(r.discount_fen),
            r.reversals,
            yuan(r.reversed_fen),
            yuan(r.settle_fen),
        ]
    t = settlement.totals
    period = f"{settlement.date_from.isoformat()} 至 {settlement.date_to.isoformat()}"
    yield [
        "合计",
        "",
        "",
        period,
        t["sales"],
        yuan(t["amount_fen"]),
        yuan(t["discount_fen"]),
        t["reversals"],
        yuan(t["reversed_fen"]),
        yuan(t["settle_fen"]),
    ]


def settlement_export(
    path: str | Path,
    *,
    actor: User | None,
    scope: Scope | None,
    date_from: date,
    date_to: date,
    org: Org | None = None,
    merchant: Merchant | None = None,
    by_store: bool = True,
    staff_only: bool = False,
) -> int:
    """Write the settlement as XLSX (or CSV by extension) with a totals row; returns the data rows. Audited."""
    settlement = settlement_rows(
        scope=scope,
        date_from=date_from,
        date_to=date_to,
        org=org,
        merchant=merchant,
        by_store=by_store,
        staff_only=staff_only,
    )
    with transaction.atomic():
        count = len(settlement.rows)
        write_table(path, HEADERS, _lines(settlement), sheet=SHEET)
        with unscoped():
            audit_org = org or (merchant.org if merchant is not None else None)
        audit_record(
            actor=actor,
            action="benefits.settlement.export",
            org=audit_org,
            target=merchant,
            data={
                "file": str(path).rsplit("/", 1)[-1],
                "rows": count,
                "from": date_from.isoformat(),
                "to": date_to.isoformat(),
                "by_store": by_store,
                "settle_fen": settlement.totals["settle_fen"],
            },
        )
    return count


def default_period(today: date | None = None) -> tuple[date, date]:
    today = today or timezone.localdate()
    return today - timedelta(days=DEFAULT_DAYS - 1), today


def export_kind(path: str, *, actor: User | None, org: Org | None, unmasked: bool, scope: Scope | None) -> int:
    """The `benefit_settlement` export kind: the last 31 days of the union's subtree, by store.

    The kinds' export protocol carries no options, hence the fixed period.
    """
    if scope is not None and (org is None or not scope.has_perm(BenefitPerm.VIEW, org.path)):
        raise PermissionDeniedError(BenefitPerm.VIEW)
    date_from, date_to = default_period()
    return settlement_export(path, actor=actor, scope=scope, date_from=date_from, date_to=date_to, org=org)
