from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from gonghui.accounts.services import is_member_account
from gonghui.core.errors import DomainError, NotFoundError
from gonghui.core.permissions import CorePerm
from gonghui.core.selectors import audit_list
from gonghui.core.stats import months_back, series_collect, stats_collect
from gonghui.core.ui import dashboard_cards, dashboard_charts, landing_for, money_series
from gonghui.core.viewutils import list_page, require_perm, scope_of
from gonghui.orgs.selectors import org_children, org_counts_by_kind, org_counts_by_region, org_get, org_roots
from gonghui.reports.forms import AuditFilterForm
from gonghui.reports.permissions import ReportPerm
from gonghui.reports.selectors import audit_filter_action, audit_in_words, stats_paths

DRILL_LIMIT = 40
MONTHS = 12
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
        home = landing_for(request.user)  # a cashier lands on the till, not on a 403
        if home is not None:
            return redirect(home)
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
    money = money_series()
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
                    for key, label in money
                    if key in series
                ],
            },
            "chart_city": {
                "labels": [child.name for child, _f in city_rows],
                # Clicking a union's bar opens its own dashboard (?org=CODE, as the drill rows do).
                "codes": [child.code for child, _f in city_rows],
                "series": [
                    {"name": label, "values": [round(f.get(key, 0) / 10_000, 2) for _c, f in city_rows]}
                    for key, label in money
                    if key in figures
                ],
            },
            # Charts registered by the domain apps (金秋助学 by school year…), in 万元.
            "charts": dashboard_charts(paths),
            "figure_cards": dashboard_cards(figures),
            "chart_status": {
                "labels": [label for key, label in MEMBER_STATUS_KEYS if key in figures],
                "values": [figures[key] for key, _ in MEMBER_STATUS_KEYS if key in figures],
            },
        },
    )


@login_required
def audit(request: HttpRequest) -> HttpResponse:
    scope = require_perm(request, CorePerm.AUDIT_VIEW)
    form = AuditFilterForm(request.GET or None)
    events = audit_list(scope=scope).none()
    error = ""
    if form.is_valid() or not request.GET:
        data = form.cleaned_data if request.GET else {}
        within = ""
        if data.get("org"):
            try:
                within = org_get(scope=scope_of(request), code=data["org"].strip()).path
            except DomainError as exc:
                error = exc.message
        if not error:
            events = audit_list(
                scope=scope,
                actor=data.get("actor", ""),
                within_path=within,
                since=data.get("since"),
                until=data.get("until"),
            ).select_related("org", "actor")
            events = audit_filter_action(events, kind=data.get("kind", ""), text=data.get("action", ""))
    listing = list_page(request, events)
    audit_in_words(listing.rows)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "reports/audit.html",
        {"section": "audit", "form": form, **listing.context(), "error": error, "query": query.urlencode()},
    )
