from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from gonghui.core.errors import DomainError
from gonghui.core.permissions import CorePerm
from gonghui.core.selectors import audit_list
from gonghui.core.viewutils import require_perm, scope_of
from gonghui.orgs.selectors import org_get


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness for load balancers: the database answers and the job queue is readable."""
    status = {"status": "ok", "database": "ok", "jobs": "ok"}
    code = 200
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:
        status.update(status="error", database="error")
        code = 503
    try:
        from django_tasks_db.models import DBTaskResult

        status["jobs_pending"] = DBTaskResult.objects.filter(status="READY").count()  # type: ignore[assignment]
    except Exception:
        status.update(status="error", jobs="error")
        code = 503
    return JsonResponse(status, status=code)


class AuditFilterForm(forms.Form):
    action = forms.CharField(label="操作", required=False)
    actor = forms.CharField(label="操作人", required=False)
    org = forms.CharField(label="工会代码（含下级）", required=False)
    since = forms.DateField(label="起始日期", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label="截止日期", required=False, widget=forms.DateInput(attrs={"type": "date"}))


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
                action=data.get("action", ""),
                actor=data.get("actor", ""),
                within_path=within,
                since=data.get("since"),
                until=data.get("until"),
            ).select_related("org")
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "core/audit.html",
        {"section": "audit", "form": form, "page": page, "error": error, "query": query.urlencode()},
    )
