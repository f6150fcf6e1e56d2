"""Monthly series of payouts: money paid to cards, by the month the bank settled it."""

from __future__ import annotations

from datetime import date

from gonghui.core.scoping import subtrees_q, unscoped
from gonghui.core.stats import series_provider, sums_by_month
from gonghui.payouts.models import ItemStatus, PayoutItem


@series_provider(order=31)
def payout_by_month(paths: list[str] | None, since: date) -> dict[str, dict[str, float]]:
    with unscoped():
        qs = PayoutItem.objects.filter(status=ItemStatus.PAID)
        if paths is not None:
            qs = qs.filter(subtrees_q("org_path", paths))
        fen = sums_by_month(qs, field="settled_at", sums={"fen": "amount_fen"}, since=since)["fen"]
        return {"payout_yuan": {month: value / 100 for month, value in fen.items()}}
