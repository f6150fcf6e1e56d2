"""Statistics of the 12351 hotline (DOMAIN §8): cases, open, overdue, on time, satisfied.

A case counts under the union that took the call and under the one holding it, so a
county's figures include the cases handed down to it and a province's those it took.
Rates are 0–1: on time = closed cases never past a step's deadline ÷ closed cases;
satisfaction = 满意 + 基本满意 ÷ cases with a follow-up answer.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q

from gonghui.core.scoping import subtrees_q, unscoped
from gonghui.core.stats import stat_provider
from gonghui.rights import deadlines
from gonghui.rights.models import OPEN_STATUSES, CaseStatus, HotlineCase
from gonghui.rights.words import Satisfaction


def _rate(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0


@stat_provider(order=60)
def hotline_stats(paths: list[str] | None) -> dict[str, Any]:
    with unscoped():
        cases = HotlineCase.all_objects.all()
        if paths is not None:
            cases = cases.filter(subtrees_q("org_path", paths) | subtrees_q("intake_path", paths))
        open_q = Q(status__in=OPEN_STATUSES)
        got = cases.aggregate(
            total=Count("pk"),
            open=Count("pk", filter=open_q),
            overdue=Count("pk", filter=open_q & Q(step_due_at__lt=deadlines.now())),
            closed=Count("pk", filter=Q(status=CaseStatus.CLOSED)),
            on_time=Count("pk", filter=Q(status=CaseStatus.CLOSED, late=False)),
            answered=Count("pk", filter=~Q(satisfaction="")),
            satisfied=Count("pk", filter=Q(satisfaction__in=[Satisfaction.SATISFIED, Satisfaction.BASIC])),
        )
    return {
        "hotline_cases": got["total"],
        "hotline_cases_open": got["open"],
        "hotline_cases_overdue": got["overdue"],
        "hotline_on_time_rate": _rate(got["on_time"], got["closed"]),
        "hotline_satisfaction_rate": _rate(got["satisfied"], got["answered"]),
    }
