"""The dashboard's charts of skills contests: contests and contestants by month (the last twelve, by the
day a contest is held) and by city (the prefecture of the organising union's region). Counts, not money."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q
from django.db.models.functions import TruncMonth
from django.utils import timezone

from gonghui.core.regions import prefecture_code, region_get
from gonghui.core.scoping import subtrees_q, unscoped
from gonghui.core.stats import months_back
from gonghui.core.ui import register_dashboard_chart
from gonghui.skills.models import Contest, EntryStatus

REGISTERED = Q(entries__status=EntryStatus.REGISTERED)


def _contests(paths: list[str] | None) -> Any:
    qs = Contest.objects.all()
    return qs if paths is None else qs.filter(subtrees_q("org_path", paths))


def contests_by_month_chart(paths: list[str] | None) -> dict[str, Any]:
    """Contests held and their contestants, by month over the last twelve months."""
    months = months_back(timezone.localdate(), 12)
    with unscoped():
        rows = (
            _contests(paths)
            .filter(held_on__gte=f"{months[0]}-01")
            .annotate(month=TruncMonth("held_on"))
            .values_list("month")
            .annotate(n=Count("pk", distinct=True), people=Count("entries", filter=REGISTERED, distinct=True))
            .order_by()
        )
        counts = {f"{month:%Y-%m}": (n, people) for month, n, people in rows if month is not None}
    if not counts:
        return {"labels": [], "series": []}
    return {
        "labels": months,
        "unit": "个",
        "series": [
            {"name": "竞赛（场）", "values": [counts.get(m, (0, 0))[0] for m in months]},
            {"name": "参赛选手（人）", "values": [counts.get(m, (0, 0))[1] for m in months]},
        ],
    }


def contestants_by_city_chart(paths: list[str] | None) -> dict[str, Any]:
    """Contests and contestants by the city (地级) of the organising union, most contestants first."""
    with unscoped():
        rows = (
            _contests(paths)
            .exclude(org__region_code="")
            .values_list("org__region_code")
            .annotate(n=Count("pk", distinct=True), people=Count("entries", filter=REGISTERED, distinct=True))
            .order_by()
        )
        totals: dict[str, list[int]] = {}
        for code, n, people in rows:
            key = prefecture_code(code)
            total = totals.setdefault(key, [0, 0])
            total[0] += n
            total[1] += people

    def name(code: str) -> str:
        region = region_get(code)
        return region.name if region is not None else code

    shown = sorted(totals.items(), key=lambda kv: (-kv[1][1], kv[0]))[:20]
    return {
        "labels": [name(code) for code, _t in shown],
        "unit": "个",
        "series": [
            {"name": "竞赛（场）", "values": [t[0] for _c, t in shown]},
            {"name": "参赛选手（人）", "values": [t[1] for _c, t in shown]},
        ],
    }


register_dashboard_chart(
    chart_id="skills-contests-month", title="技能竞赛 · 按月（场次、参赛人数）", data=contests_by_month_chart, order=90
)
register_dashboard_chart(
    chart_id="skills-contests-city", title="技能竞赛 · 按市（场次、参赛人数）", data=contestants_by_city_chart, order=91
)
