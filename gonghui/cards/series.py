"""Monthly series of the cards domain: card spending."""

from __future__ import annotations

from datetime import date

from gonghui.cards.models import CardSpending
from gonghui.core.scoping import subtrees_q, unscoped
from gonghui.core.stats import series_provider, sums_by_month


@series_provider(order=32)
def card_spending_by_month(paths: list[str] | None, since: date) -> dict[str, dict[str, float]]:
    """Card spending from the bank's files: part of 普惠 spending, as in the headline figure."""
    with unscoped():
        qs = CardSpending.objects.all()
        if paths is not None:
            qs = qs.filter(subtrees_q("org_path", paths))
        fen = sums_by_month(qs, field="day", sums={"fen": "amount_fen"}, since=since)["fen"]
        return {"benefit_spend_yuan": {month: value / 100 for month, value in fen.items()}}
