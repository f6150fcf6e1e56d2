from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, Sum
from django.utils import timezone

from gonghui.core.scoping import subtrees_q, unscoped
from gonghui.core.stats import stat_provider
from gonghui.core.ui import register_dashboard_chart
from gonghui.student_aid.models import ApplicationStatus, StudentAidApplication
from gonghui.student_aid.selectors import paid_by_school_year


def current_school_year(today: date | None = None) -> int:
    """The school year under way: 2026 from August 2026 (金秋 is enrolment time) to July 2027."""
    today = today or timezone.localdate()
    return today.year if today.month >= 8 else today.year - 1


@stat_provider(order=51)
def student_aid_stats(paths: list[str] | None) -> dict[str, Any]:
    """金秋助学 paid in the subtrees (None: everywhere), cumulative over all school years and this one.

    - student_aid_students: distinct students paid (by the blind index of their ID: one student
      aided for five years counts once);
    - student_aid_yuan: the sum paid;
    - student_aid_students_year, student_aid_yuan_year: the same for the current school year
      (`current_school_year`); earlier years by year are `selectors.paid_by_school_year`.
    """
    this_year = Q(school_year=current_school_year())
    with unscoped():
        qs = StudentAidApplication.all_objects.filter(status=ApplicationStatus.PAID)
        if paths is not None:
            qs = qs.filter(subtrees_q("org_path", paths))
        agg = qs.aggregate(
            students=Count("student_id_index", distinct=True),
            fen=Sum("amount_fen"),
            students_year=Count("student_id_index", distinct=True, filter=this_year),
            fen_year=Sum("amount_fen", filter=this_year),
        )
    return {
        "student_aid_students": agg["students"] or 0,
        "student_aid_yuan": float(Decimal(agg["fen"] or 0) / 100),
        "student_aid_students_year": agg["students_year"] or 0,
        "student_aid_yuan_year": float(Decimal(agg["fen_year"] or 0) / 100),
    }


def school_year_chart(paths: list[str] | None) -> dict[str, Any]:
    """The dashboard's chart of 金秋助学 paid by school year, in 万元."""
    by_year = paid_by_school_year(paths)
    return {
        "labels": [f"{year}学年" for year in by_year],
        "series": [{"name": "助学金", "values": [round(v["yuan"] / 10_000, 2) for v in by_year.values()]}],
    }


register_dashboard_chart(chart_id="school-year", title="金秋助学 · 按学年（万元）", data=school_year_chart, order=60)
