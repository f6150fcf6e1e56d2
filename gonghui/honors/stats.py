"""Honors' statistics keys and the dashboard's chart of honors awarded by year."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, Sum

from gonghui.core.scoping import subtrees_q, unscoped
from gonghui.core.stats import stat_provider
from gonghui.core.ui import register_dashboard_chart
from gonghui.honors.models import MODEL_WORKER_KINDS, CampaignKind, HonorHeld, Lecture


def _under(qs: Any, paths: list[str] | None) -> Any:
    return qs if paths is None else qs.filter(subtrees_q("org_path", paths))


@stat_provider(order=60)
def honors_stats(paths: list[str] | None) -> dict[str, Any]:
    """Honors held by members under the unions (None: everywhere), and lecture tours held there.

    - honors_awarded: individual honors on the register;
    - honors_front_line_share: the share (0–1) of them held by front-line workers;
    - honors_new_employment: those held by new-employment-form workers;
    - medals_new_employment: 五一劳动奖章 held by new-employment-form workers;
    - model_workers: people on the register as 劳模 or 工匠 (劳动模范, 五一劳动奖章), each once;
    - lectures, lecture_audience: lecture tours (宣讲) held and their audience.
    """
    with unscoped():
        held = _under(HonorHeld.all_objects.all(), paths).aggregate(
            total=Count("pk"),
            front=Count("pk", filter=Q(front_line=True)),
            new=Count("pk", filter=Q(new_employment=True)),
            medals_new=Count("pk", filter=Q(new_employment=True, kind=CampaignKind.MAY_DAY_MEDAL)),
            model_workers=Count("person", distinct=True, filter=Q(kind__in=MODEL_WORKER_KINDS)),
        )
        lectures = _under(Lecture.all_objects.all(), paths).aggregate(n=Count("pk"), audience=Sum("audience"))
    total = held["total"] or 0
    return {
        "honors_awarded": total,
        "honors_front_line_share": round(held["front"] / total, 4) if total else 0.0,
        "honors_new_employment": held["new"] or 0,
        "medals_new_employment": held["medals_new"] or 0,
        "model_workers": held["model_workers"] or 0,
        "lectures": lectures["n"] or 0,
        "lecture_audience": lectures["audience"] or 0,
    }


def honors_by_year(paths: list[str] | None) -> dict[str, Any]:
    """The dashboard's chart: honors awarded by year (人次)."""
    with unscoped():
        rows = list(_under(HonorHeld.all_objects.all(), paths).values("year").annotate(n=Count("pk")).order_by("year"))
    return {
        "labels": [f"{r['year']}年" for r in rows],
        "series": [{"name": "荣誉", "values": [r["n"] for r in rows]}],
        "unit": "人次",
    }


register_dashboard_chart(chart_id="honors-year", title="荣誉表彰 · 按年度（人次）", data=honors_by_year, order=70)
