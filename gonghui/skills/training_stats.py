"""The dashboard's chart of training and worker activities by month: classes opened, trainee-times
(people in the classes started that month) and activities' check-ins, the last twelve months."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import Count, QuerySet
from django.utils import timezone

from gonghui.core.scoping import subtrees_q, unscoped
from gonghui.core.stats import months_back, sums_by_month
from gonghui.core.ui import register_dashboard_chart
from gonghui.skills.models import COUNTED_ENROLMENTS, ActivitySignup, TrainingClass

MONTHS = 12


def training_by_month(paths: list[str] | None) -> dict[str, Any]:
    months = months_back(timezone.localdate(), MONTHS)
    since = date.fromisoformat(months[0] + "-01")

    def within(qs: QuerySet[Any], column: str = "org_path") -> QuerySet[Any]:
        return qs.filter(subtrees_q(column, paths)) if paths is not None else qs

    with unscoped():
        # A class counts in the month it opens, and its trainee-times (enrolled or completed) with it.
        opened = sums_by_month(
            within(TrainingClass.objects.all()), field="starts_on", sums={"n": "pk"}, since=since, aggregate=Count
        )["n"]
        times = sums_by_month(
            within(TrainingClass.objects.filter(enrolments__status__in=COUNTED_ENROLMENTS)),
            field="starts_on",
            sums={"n": "enrolments"},
            since=since,
            aggregate=Count,
        )["n"]
        checkins = sums_by_month(
            within(ActivitySignup.objects.filter(checked_in_at__isnull=False)),
            field="checked_in_at",
            sums={"n": "pk"},
            since=since,
            aggregate=Count,
        )["n"]
    if not opened and not checkins:
        return {}
    return {
        "labels": [f"{m[:4]}年{int(m[5:])}月" for m in months],
        "series": [
            {"name": "开班（个）", "values": [opened.get(m, 0) for m in months]},
            {"name": "培训人次", "values": [times.get(m, 0) for m in months]},
            {"name": "活动参与人次", "values": [checkins.get(m, 0) for m in months]},
        ],
        "unit": "人次",
    }


register_dashboard_chart(chart_id="skills-month", title="技能培训与职工活动 · 按月", data=training_by_month, order=75)
