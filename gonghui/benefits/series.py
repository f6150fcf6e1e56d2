"""Monthly series of 普惠: spending and discounts of completed sales, by the day of the sale."""

from __future__ import annotations

from datetime import date

from django.db.models import Sum
from django.db.models.functions import TruncMonth

from gonghui.benefits.models import BenefitTransaction, TransactionStatus
from gonghui.core.scoping import subtrees_q, unscoped
from gonghui.core.stats import series_provider


@series_provider(order=40)
def benefit_by_month(paths: list[str] | None, since: date) -> dict[str, dict[str, float]]:
    with unscoped():
        qs = BenefitTransaction.objects.filter(status=TransactionStatus.COMPLETED, day__gte=since)
        if paths is not None:
            qs = qs.filter(subtrees_q("org_path", paths))
        rows = (
            qs.annotate(month=TruncMonth("day"))
            .values("month")
            .annotate(spend=Sum("amount_fen"), discount=Sum("discount_fen"))
            .order_by()
        )
        spend: dict[str, float] = {}
        discount: dict[str, float] = {}
        for r in rows:
            key = f"{r['month']:%Y-%m}"
            spend[key], discount[key] = r["spend"] / 100, r["discount"] / 100
        return {"benefit_spend_yuan": spend, "benefit_discount_yuan": discount}
