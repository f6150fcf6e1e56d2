"""Monthly series of 金秋助学: the aid paid, by the month the bank settled it."""

from __future__ import annotations

from datetime import date

from gonghui.core.scoping import subtrees_q, unscoped
from gonghui.core.stats import series_provider, sums_by_month
from gonghui.student_aid.models import ApplicationStatus, StudentAidApplication


@series_provider(order=51)
def student_aid_by_month(paths: list[str] | None, since: date) -> dict[str, dict[str, float]]:
    with unscoped():
        qs = StudentAidApplication.all_objects.filter(status=ApplicationStatus.PAID)
        if paths is not None:
            qs = qs.filter(subtrees_q("org_path", paths))
        fen = sums_by_month(qs, field="paid_at", sums={"fen": "amount_fen"}, since=since)["fen"]
        return {"student_aid_yuan": {month: value / 100 for month, value in fen.items()}}
