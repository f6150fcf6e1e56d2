"""Monthly series of payouts: money paid to cards, by the month the bank settled it."""

from __future__ import annotations

from datetime import date

from django.db.models import Sum
from django.db.models.functions import TruncMonth

from gonghui.core.scoping import subtrees_q, unscoped
from gonghui.core.stats import series_provider
from gonghui.payouts.models import ItemStatus, PayoutItem


@series_provider(order=31)
def payout_by_month(paths: list[str] | None, since: date) -> dict[str, dict[str, float]]:
    with unscoped():
        qs = PayoutItem.objects.filter(status=ItemStatus.PAID, settled_at__date__gte=since)
        if paths is not None:
            qs = qs.filter(subtrees_q("org_path", paths))
        rows = qs.annotate(month=TruncMonth("settled_at")).values("month").annotate(fen=Sum("amount_fen")).order_by()
        return {"payout_yuan": {f"{r['month']:%Y-%m}": r["fen"] / 100 for r in rows}}
