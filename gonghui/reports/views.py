from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from gonghui.core.errors import DomainError, NotFoundError
from gonghui.core.stats import stats_collect
from gonghui.core.viewutils import scope_of
from gonghui.orgs.selectors import org_children, org_counts_by_kind, org_counts_by_region, org_roots
from gonghui.reports.permissions import ReportPerm
from gonghui.reports.selectors import stats_paths

DRILL_LIMIT = 40
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
        return render(request, "reports/no_access.html", {"section": "dashboard"}, status=403)
    figures = stats_collect(paths)
    if org is not None:
        drill = org_children(scope=scope, org=org, limit=DRILL_LIMIT)
    else:
        drill = list(org_roots(scope=scope)[:DRILL_LIMIT])
    drill_rows = [
        (child, stats_collect([child.path])) for child in drill if scope.has_perm(ReportPerm.STATS_VIEW, child.path)
    ]
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
            "chart_status": {
                "labels": [label for key, label in MEMBER_STATUS_KEYS if key in figures],
                "values": [figures[key] for key, _ in MEMBER_STATUS_KEYS if key in figures],
            },
        },
    )
