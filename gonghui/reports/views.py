from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from gonghui.accounts.services import is_member_account
from gonghui.core.errors import DomainError, NotFoundError
from gonghui.core.stats import months_back, series_collect, stats_collect
from gonghui.core.viewutils import scope_of
from gonghui.orgs.selectors import org_children, org_counts_by_kind, org_counts_by_region, org_roots
from gonghui.reports.permissions import ReportPerm
from gonghui.reports.selectors import stats_paths
from gonghui.student_aid.selectors import paid_by_school_year

DRILL_LIMIT = 40
MONTHS = 12
# The money series on the dashboard, in 万元 (stats keys of the cards and 普惠 domains).
MONEY_SERIES = [("payout_yuan", "资金代发"), ("benefit_spend_yuan", "普惠消费")]
# Membership states on the dashboard (stats keys of the members domain).
MEMBER_STATUS_KEYS = [
    ("members_active", "正常"),
    ("members_transfer_pending", "接转中"),
    ("members_retained", "保留会籍"),
    ("members_applied", "待审核申请"),
    ("members_withdrawn", "已退会"),
    ("members_expelled", "已除名"),
]


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    scope = scope_of(request)
    code = request.GET.get("org", "").strip() or None
    try:
        org, paths = stats_paths(scope=scope, org_code=code)
    except NotFoundError as exc:
        raise Http404 from exc
    except DomainError:
        if is_member_account(request.user):  # a member who opened the staff site: their pages are on the phone
            return redirect("portal:home")
        return render(request, "reports/no_access.html", {"section": "dashboard"}, status=403)
    figures = stats_collect(paths)
    if org is not None:
        drill = org_children(scope=scope, org=org, limit=DRILL_LIMIT)
    else:
        drill = list(org_roots(scope=scope)[:DRILL_LIMIT])
    drill_rows = [
        (child, stats_collect([child.path])) for child in drill if scope.has_perm(ReportPerm.STATS_VIEW, child.path)
    ]
    months = months_back(timezone.localdate(), MONTHS)
    series = series_collect(paths, months)
    # By city: the drill rows, or one level further down when there is a single root (a province).
    city_rows = drill_rows
    if org is None and len(drill_rows) == 1:
        root = drill_rows[0][0]
        city_rows = [
            (c, stats_collect([c.path]))
            for c in org_children(scope=scope, org=root, limit=DRILL_LIMIT)
            if scope.has_perm(ReportPerm.STATS_VIEW, c.path)
        ]
    by_year = paid_by_school_year(paths)
    by_kind = org_counts_by_kind(paths=paths)
    by_region = org_counts_by_region(paths=paths)
    return render(
        request,
        "reports/dashboard.html",
        {
            "section": "dashboard",
            "org": org,
            "figures": figures,
            "drill_rows": drill_rows,
            "chart_kind": {"labels": [k for k, _ in by_kind], "values": [n for _, n in by_kind]},
            "chart_region": {"labels": [name for _, name, _ in by_region], "values": [n for _, _, n in by_region]},
            "chart_month": {
                "labels": months,
                "series": [
                    {"name": label, "values": [round(v / 10_000, 2) for v in series[key]]}
                    for key, label in MONEY_SERIES
                    if key in series
                ],
            },
            "chart_city": {
                "labels": [child.name for child, _f in city_rows],
                "series": [
                    {"name": label, "values": [round(f.get(key, 0) / 10_000, 2) for _c, f in city_rows]}
                    for key, label in MONEY_SERIES
                    if key in figures
                ],
            },
            # 金秋助学 paid by school year, in 万元.
            "chart_school_year": {
                "labels": [f"{year}学年" for year in by_year],
                "series": [
                    {"name": "助学金", "values": [round(v["yuan"] / 10_000, 2) for v in by_year.values()]},
                ],
            },
            "chart_status": {
                "labels": [label for key, label in MEMBER_STATUS_KEYS if key in figures],
                "values": [figures[key] for key, _ in MEMBER_STATUS_KEYS if key in figures],
            },
        },
    )
