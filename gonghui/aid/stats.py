"""Statistics of hardship aid: files on record by category, and relief given (DOMAIN §4, §10)."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, Sum

from gonghui.aid.models import Category, FileStatus, HardshipFile, ReliefVisit
from gonghui.core.scoping import subtrees_q, unscoped
from gonghui.core.stats import stat_provider


@stat_provider(order=50)
def aid_stats(paths: list[str] | None) -> dict[str, Any]:
    with unscoped():
        files = HardshipFile.objects.filter(status=FileStatus.FILED)
        visits = ReliefVisit.objects.all()
        if paths is not None:
            files = files.filter(subtrees_q("org_path", paths))
            visits = visits.filter(subtrees_q("org_path", paths))
        by_category = dict(files.values_list("category").annotate(n=Count("pk")).order_by())
        given = visits.aggregate(
            cash=Sum("cash_fen"),
            goods=Sum("goods_fen"),
            people=Count("person", distinct=True),
            policies=Sum("insurance_policies"),
            housing=Count("person", filter=Q(housing=True), distinct=True),
        )
    return {
        "hardship_files": sum(by_category.values()),
        **{f"hardship_files_{c}": by_category.get(c, 0) for c in Category.values},
        "relief_yuan": ((given["cash"] or 0) + (given["goods"] or 0)) / 100,
        "relief_members": given["people"] or 0,
        "insurance_policies": given["policies"] or 0,
        "housing_households": given["housing"] or 0,
    }
