"""Statistics of the 12351 hotline (DOMAIN §8): cases, open, overdue, on time, satisfied.

A case counts under the union that took the call and under the one holding it, so a
county's figures include the cases handed down to it and a province's those it took.
Rates are 0–1: on time = closed cases never past a step's deadline ÷ closed cases;
satisfaction = 满意 + 基本满意 ÷ cases with a follow-up answer.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from gonghui.core.money import fen_to_decimal
from gonghui.core.scoping import subtrees_q, unscoped
from gonghui.core.stats import months_back, stat_provider
from gonghui.core.ui import register_dashboard_chart
from gonghui.orgs.models import Org
from gonghui.rights import deadlines
from gonghui.rights.models import (
    OPEN_STATUSES,
    CaseStatus,
    CollectiveContract,
    ContractEmployer,
    ContractKind,
    HotlineCase,
    LawyerVisit,
    LegalAidMatter,
)
from gonghui.rights.words import Cause, Satisfaction


def _rate(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0


def _cases(paths: list[str] | None) -> QuerySet[HotlineCase]:
    with unscoped():
        cases = HotlineCase.all_objects.all()
    if paths is not None:
        cases = cases.filter(subtrees_q("org_path", paths) | subtrees_q("intake_path", paths))
    return cases


@stat_provider(order=60)
def hotline_stats(paths: list[str] | None) -> dict[str, Any]:
    cases = _cases(paths)
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


@stat_provider(order=61)
def contract_stats(paths: list[str] | None) -> dict[str, Any]:
    """Collective contracts on record and not renewed (a renewal replaces its old contract):
    by kind, and the employers (distinct USCC) and their workers they cover."""
    with unscoped():
        contracts = CollectiveContract.all_objects.filter(renewal__isnull=True)
    if paths is not None:
        contracts = contracts.filter(subtrees_q("org_path", paths))
    by_kind = dict(contracts.values_list("kind").annotate(n=Count("pk")).order_by())
    # One employer in several contracts (a wage and a women's contract) counts once, with its largest figure.
    workers: dict[str, int] = {}
    for uscc, n in ContractEmployer.objects.filter(contract__in=contracts.values("pk")).values_list("uscc", "workers"):
        workers[uscc] = max(n, workers.get(uscc, 0))
    return {
        "contracts": sum(by_kind.values()),
        "contracts_wage": by_kind.get(ContractKind.WAGE, 0),
        "contracts_women": by_kind.get(ContractKind.WOMEN, 0),
        "contracts_safety": by_kind.get(ContractKind.SAFETY, 0),
        "contract_employers": len(workers),
        "contract_workers": sum(workers.values()),
    }


def cases_by_month_chart(paths: list[str] | None) -> dict[str, Any]:
    """The dashboard's chart of cases taken by month over the last twelve months."""
    months = months_back(deadlines.now().date(), 12)
    rows = (
        _cases(paths)
        .filter(created_at__gte=timezone.make_aware(datetime.fromisoformat(f"{months[0]}-01")))
        .annotate(month=TruncMonth("created_at"))
        .values_list("month")
        .annotate(n=Count("pk"))
        .order_by()
    )
    counts = {f"{month:%Y-%m}": n for month, n in rows if month is not None}
    if not counts:
        return {"labels": [], "series": []}
    return {"labels": months, "series": [{"name": "工单", "values": [counts.get(m, 0) for m in months]}]}


def cases_by_cause_chart(paths: list[str] | None) -> dict[str, Any]:
    """The dashboard's chart of cases by 事由 (every case ever taken in the subtrees)."""
    counts = dict(_cases(paths).values_list("cause").annotate(n=Count("pk")).order_by())
    shown = [(label, counts[value]) for value, label in Cause.choices if counts.get(value)]
    return {
        "labels": [str(label) for label, _n in shown],
        "series": [{"name": "工单", "values": [n for _label, n in shown]}],
    }


register_dashboard_chart(chart_id="hotline-month", title="12351 工单 · 按月（件）", data=cases_by_month_chart, order=70)
register_dashboard_chart(
    chart_id="hotline-cause", title="12351 工单 · 按事由（件）", data=cases_by_cause_chart, order=71
)


def overdue_by_lower_union_chart(paths: list[str] | None) -> dict[str, Any]:
    """The dashboard's overdue list per level: open cases past their deadline, by the union directly
    below the one viewed (one path) that holds them; several paths or the whole platform: by top union."""
    with unscoped():
        if paths is not None and len(paths) == 1:
            lower = list(Org.all_objects.filter(parent__path=paths[0]).values_list("path", "name"))
        else:
            lower = list(Org.all_objects.filter(parent__isnull=True).values_list("path", "name"))
        overdue = HotlineCase.all_objects.filter(status__in=OPEN_STATUSES, step_due_at__lt=deadlines.now())
        if paths is not None:
            overdue = overdue.filter(subtrees_q("org_path", paths))
        counts = dict(overdue.values_list("org_path").annotate(n=Count("pk")).order_by())
    rows = []
    for path, name in lower:
        n = sum(v for p, v in counts.items() if p.startswith(path))
        if n:
            rows.append((name, n))
    rows.sort(key=lambda r: -r[1])
    return {"labels": [r[0] for r in rows[:20]], "series": [{"name": "超期工单", "values": [r[1] for r in rows[:20]]}]}


register_dashboard_chart(
    chart_id="hotline-overdue", title="12351 超期工单 · 按下级工会（件）", data=overdue_by_lower_union_chart, order=72
)


@stat_provider(order=62)
def legal_aid_stats(paths: list[str] | None) -> dict[str, Any]:
    """Legal aid under the union that took the matter on (all matters; the amount recovered of the
    closed ones, fen summed then shown in yuan) and the lawyers' enterprise visits (法律体检)."""
    with unscoped():
        matters = LegalAidMatter.all_objects.all()
        visits = LawyerVisit.all_objects.all()
    if paths is not None:
        matters = matters.filter(subtrees_q("org_path", paths))
        visits = visits.filter(subtrees_q("org_path", paths))
    got = matters.aggregate(n=Count("pk"), fen=Sum("recovered_fen"))
    return {
        "legal_aid_cases": got["n"],
        "legal_aid_recovered_yuan": float(fen_to_decimal(got["fen"] or 0)),
        "lawyer_visits": visits.count(),
    }
