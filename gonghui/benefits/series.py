"""Monthly series of 普惠: spending and discounts of completed sales, by the day of the sale."""

from __future__ import annotations

from datetime import date

from gonghui.benefits.models import BenefitTransaction, TransactionStatus
from gonghui.core.scoping import subtrees_q, unscoped
from gonghui.core.stats import series_provider, sums_by_month


@series_provider(order=40)
def benefit_by_month(paths: list[str] | None, since: date) -> dict[str, dict[str, float]]:
    with unscoped():
        qs = BenefitTransaction.objects.filter(status=TransactionStatus.COMPLETED)
        if paths is not None:
            qs = qs.filter(subtrees_q("org_path", paths))
        fen = sums_by_month(qs, field="day", sums={"spend": "amount_fen", "discount": "discount_fen"}, since=since)
        return {
            "benefit_spend_yuan": {month: value / 100 for month, value in fen["spend"].items()},
            "benefit_discount_yuan": {month: value / 100 for month, value in fen["discount"].items()},
        }
