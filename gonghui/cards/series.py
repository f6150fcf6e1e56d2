"""Monthly series of the cards domain: card spending."""

from __future__ import annotations

from datetime import date

from django.db.models import Sum
from django.db.models.functions import TruncMonth

from gonghui.cards.models import CardSpending
from gonghui.core.scoping import subtrees_q, unscoped
from gonghui.core.stats import series_provider


@series_provider(order=32)
def card_spending_by_month(paths: list[str] | None, since: date) -> dict[str, dict[str, float]]:
    """Card spending from the bank's files: part of 普惠 spending, as in the headline figure."""
    with unscoped():
        qs = CardSpending.objects.filter(day__gte=since)
        if paths is not None:
            qs = qs.filter(subtrees_q("org_path", paths))
        rows = qs.annotate(month=TruncMonth("day")).values("month").annotate(fen=Sum("amount_fen")).order_by()
        return {"benefit_spend_yuan": {f"{r['month']:%Y-%m}": r["fen"] / 100 for r in rows}}
