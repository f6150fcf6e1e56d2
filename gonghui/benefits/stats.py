from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Count, Sum

from gonghui.benefits.models import BenefitTransaction, TransactionStatus
from gonghui.core.scoping import subtrees_q, unscoped
from gonghui.core.stats import stat_provider


@stat_provider(order=40)
def benefit_stats(paths: list[str] | None) -> dict[str, Any]:
    """普惠 spending at partner merchants in the subtrees (completed sales; reversed ones do not count)."""
    with unscoped():
        qs = BenefitTransaction.objects.filter(status=TransactionStatus.COMPLETED)
        if paths is not None:
            qs = qs.filter(subtrees_q("org_path", paths))
        agg = qs.aggregate(
            spend=Sum("amount_fen"), discount=Sum("discount_fen"), members=Count("person", distinct=True), n=Count("pk")
        )
    return {
        "benefit_spend_yuan": float(Decimal(agg["spend"] or 0) / 100),
        "benefit_discount_yuan": float(Decimal(agg["discount"] or 0) / 100),
        "benefit_members": agg["members"] or 0,
        "benefit_transactions": agg["n"] or 0,
    }
