from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Count, Sum

from gonghui.core.scoping import subtrees_q, unscoped
from gonghui.core.stats import stat_provider
from gonghui.student_aid.models import ApplicationStatus, StudentAidApplication


@stat_provider(order=51)
def student_aid_stats(paths: list[str] | None) -> dict[str, Any]:
    """金秋助学 paid in the subtrees (None: everywhere), cumulative over all school years.

    - student_aid_students: distinct students paid (by the blind index of their ID: one student
      aided for five years counts once);
    - student_aid_yuan: the sum paid.
    """
    with unscoped():
        qs = StudentAidApplication.all_objects.filter(status=ApplicationStatus.PAID)
        if paths is not None:
            qs = qs.filter(subtrees_q("org_path", paths))
        agg = qs.aggregate(students=Count("student_id_index", distinct=True), fen=Sum("amount_fen"))
    return {
        "student_aid_students": agg["students"] or 0,
        "student_aid_yuan": float(Decimal(agg["fen"] or 0) / 100),
    }
