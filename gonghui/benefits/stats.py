from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Count, Sum

from gonghui.benefits.models import BenefitTransaction, TransactionStatus
from gonghui.cards.models import CardSpending
from gonghui.core.scoping import subtrees_q, unscoped
from gonghui.core.stats import stat_provider
from gonghui.core.ui import register_money_series


@stat_provider(order=40)
def benefit_stats(paths: list[str] | None) -> dict[str, Any]:
    """普惠 in the subtrees (None: everywhere), from two sources: sales at partner merchants' tills
    (completed ones; reversed sales do not count) and service-card purchases imported from the
    bank's transaction files (`cards.CardSpending`).

    - benefit_spend_yuan: till sales plus card purchases;
    - benefit_transactions: till sales plus card purchases (one purchase, one transaction);
    - benefit_members: distinct people across both sources (a member who did both counts once);
    - benefit_discount_yuan: till discounts only (the bank's file carries no discount).

    Three aggregate queries, whatever the number of rows.
    """
    with unscoped():
        sales = BenefitTransaction.objects.filter(status=TransactionStatus.COMPLETED)
        spending = CardSpending.objects.all()
        if paths is not None:
            sales = sales.filter(subtrees_q("org_path", paths))
            spending = spending.filter(subtrees_q("org_path", paths))
        till = sales.aggregate(spend=Sum("amount_fen"), discount=Sum("discount_fen"), n=Count("pk"))
        card = spending.aggregate(spend=Sum("amount_fen"), n=Count("pk"))
        # UNION (not UNION ALL) drops the people found in both: one COUNT over the distinct ids.
        members = sales.order_by().values_list("person_id").union(spending.order_by().values_list("person_id")).count()
    return {
        "benefit_spend_yuan": float(Decimal((till["spend"] or 0) + (card["spend"] or 0)) / 100),
        "benefit_discount_yuan": float(Decimal(till["discount"] or 0) / 100),
        "benefit_members": members,
        "benefit_transactions": (till["n"] or 0) + (card["n"] or 0),
    }


register_money_series(key="benefit_spend_yuan", label="普惠消费", order=20)
