"""Pages of innovation studios, 五小 entries and worker activities: a scoped list with its form on each page.

Thin views over `innovation` and the selectors; another union's record is not found (404).
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import segno
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from gonghui.core.errors import DomainError
from gonghui.core.money import fen_to_yuan
from gonghui.core.scoping import Scope
from gonghui.core.viewutils import actor_of, apply_domain_error, found_or_404, refusal_text, require_perm, scope_of
from gonghui.orgs.models import Org
from gonghui.orgs.selectors import org_get
from gonghui.skills import forms as sf
from gonghui.skills import innovation, selectors
from gonghui.skills.models import StudioLevel
from gonghui.skills.permissions import SkillsPerm


def _with_org(
    request: HttpRequest, scope: Scope, form: forms.Form, perm: str, create: Callable[[Org, dict[str, Any]], str]
) -> HttpResponse | None:
    """Run `create` for a valid POSTed form whose `org` the caller holds `perm` at; None to render the form again."""
    if request.method != "POST" or not form.is_valid():
        return None
    data = dict(form.cleaned_data)
    try:
        org = org_get(scope=scope, code=data.pop("org"), perm=perm)
    except DomainError:
        form.add_error("org", "没有这个工会，或不在您的管理范围内")
        return None
    try:
        message = create(org, data)
    except DomainError as exc:
        apply_domain_error(form, exc)
        return None
    messages.success(request, message)
    return redirect(request.path)


@login_required
def studio_list(request: HttpRequest) -> HttpResponse:
    scope = require_perm(request, SkillsPerm.VIEW)
    form = sf.StudioForm(request.POST or None)
    if request.method == "POST":
        require_perm(request, SkillsPerm.MANAGE)

    def create(org: Org, data: dict[str, Any]) -> str:
        funds = data.pop("funds") or 0
        data["members"] = data["members"] or 0
        data["members_promoted"] = data["members_promoted"] or 0
        studio = innovation.studio_create(actor=actor_of(request), scope=scope, org=org, funds_fen=funds, **data)
        return f"已登记创新工作室“{studio.name}”。"

    done = _with_org(request, scope, form, SkillsPerm.MANAGE, create)
    if done is not None:
        return done
    rows = list(selectors.studio_list(scope=scope)[:500])
    latest = selectors.last_applications(studios=rows)
    for s in rows:
        s.benefit_yuan = fen_to_yuan(s.benefit_fen or 0)  # type: ignore[attr-defined]
        s.last_application = latest.get(s.pk)  # type: ignore[attr-defined]
    return render(
        request,
        "skills/studios.html",
        {
            "section": "studios",
            "rows": rows,
            "form": form,
            "levels": StudioLevel.choices,
            "can_manage": scope.has_perm_anywhere(SkillsPerm.MANAGE),
        },
    )


@login_required
@require_POST
def studio_apply(request: HttpRequest, pk: int) -> HttpResponse:
    require_perm(request, SkillsPerm.VIEW)
    scope = scope_of(request)
    studio = found_or_404(selectors.studio_get, scope=scope, pk=pk)
    require_perm(request, SkillsPerm.MANAGE, studio.org_path)
    try:
        application = innovation.studio_apply(
            actor=actor_of(request), scope=scope, studio=studio, level=request.POST.get("level", "")
        )
    except DomainError as exc:
        messages.error(request, refusal_text(exc))
    else:
        if application.granted:
            messages.success(request, f"“{studio.name}”达到{application.get_level_display()}创新工作室的条件，已认定。")
        else:
            messages.error(request, f"“{studio.name}”尚未达到条件：{'；'.join(application.unmet)}。")
    return redirect("skills:studios")


@login_required
def innovation_list(request: HttpRequest) -> HttpResponse:
    scope = require_perm(request, SkillsPerm.VIEW)
    form = sf.InnovationForm(request.POST or None)
    if request.method == "POST":
        require_perm(request, SkillsPerm.REGISTER)

    def create(org: Org, data: dict[str, Any]) -> str:
        exclusions = {k: data.pop(k) for k in innovation.EXCLUSIONS}
        entry = innovation.innovation_submit(
            actor=actor_of(request),
            scope=scope,
            org=org,
            exclusions=exclusions,
            money_saved_fen=data.pop("money_saved") or 0,
            hours_saved=data.pop("hours_saved") or 0,
            **data,
        )
        return f"已申报五小成果“{entry.title}”。"

    done = _with_org(request, scope, form, SkillsPerm.REGISTER, create)
    if done is not None:
        return done
    rows = list(selectors.innovation_list(scope=scope)[:500])
    for r in rows:
        r.money_saved_yuan = fen_to_yuan(r.money_saved_fen)  # type: ignore[attr-defined]
        r.can_review = scope.has_perm(SkillsPerm.RESOLVE, r.org_path)  # type: ignore[attr-defined]
    return render(
        request,
        "skills/innovations.html",
        {
            "section": "innovations",
            "rows": rows,
            "form": form,
            "can_submit": scope.has_perm_anywhere(SkillsPerm.REGISTER),
        },
    )


@login_required
@require_POST
def innovation_review(request: HttpRequest, pk: int) -> HttpResponse:
    require_perm(request, SkillsPerm.VIEW)
    scope = scope_of(request)
    entry = found_or_404(selectors.innovation_get, scope=scope, pk=pk)
    require_perm(request, SkillsPerm.RESOLVE, entry.org_path)
    decision = request.POST.get("decision", "")
    try:
        innovation.innovation_review(
            actor=actor_of(request),
            scope=scope,
            entry=entry,
            accept=decision != "reject",
            note=request.POST.get("note", ""),
            award=request.POST.get("award", "") if decision == "award" else "",
        )
    except DomainError as exc:
        messages.error(request, refusal_text(exc))
    else:
        messages.success(request, f"已评审“{entry.title}”。")
    return redirect("skills:innovations")


@login_required
def activity_list(request: HttpRequest) -> HttpResponse:
    scope = require_perm(request, SkillsPerm.VIEW)
    form = sf.ActivityForm(request.POST or None)
    if request.method == "POST":
        require_perm(request, SkillsPerm.MANAGE)

    def create(org: Org, data: dict[str, Any]) -> str:
        activity = innovation.activity_create(actor=actor_of(request), scope=scope, org=org, **data)
        return f"已发布活动“{activity.name}”。"

    done = _with_org(request, scope, form, SkillsPerm.MANAGE, create)
    if done is not None:
        return done
    return render(
        request,
        "skills/activities.html",
        {
            "section": "activities",
            "rows": list(selectors.activity_list(scope=scope)[:500]),
            "form": form,
            "can_manage": scope.has_perm_anywhere(SkillsPerm.MANAGE),
        },
    )


@login_required
def activity_qr(request: HttpRequest, pk: int) -> HttpResponse:
    """The activity's QR code for the venue: members scan it on the day to check in (participations)."""
    scope = require_perm(request, SkillsPerm.VIEW)
    activity = selectors.activity_list(scope=scope).filter(pk=pk).first()
    if activity is None:
        raise Http404
    require_perm(request, SkillsPerm.MANAGE, activity.org_path)
    # The portal's page, by its name only: portal sits above skills and is not imported.
    url = request.build_absolute_uri(reverse("portal:activity_checkin", args=[activity.checkin_code]))
    out = io.BytesIO()
    segno.make(url, error="m").save(out, kind="svg", scale=8, border=2, xmldecl=False, svgns=True)
    return render(
        request,
        "skills/activity_qr.html",
        {
            "section": "activities",
            "a": activity,
            "url": url,
            "qr": mark_safe(out.getvalue().decode()),  # noqa: S308 - segno's own SVG
        },
    )


class StudioResultForm(sf.Styled):
    title = forms.CharField(label="成果名称", max_length=200)
    year = forms.IntegerField(label="年度", min_value=1990, max_value=2100)
    benefit = sf.YuanField(label="经济效益（元）", required=False, max_fen=sf.MAX_INCOME_FEN)


class StudioSessionForm(sf.Styled):
    held_on = forms.DateField(label="日期", widget=sf.DATE)
    title = forms.CharField(label="交流培训内容", max_length=200)


@login_required
def studio_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A studio: its facts, results with their benefit, exchange and training sessions, applications and
    yearly reviews (each with what was unmet); the forms to add results and sessions and to review."""
    scope = require_perm(request, SkillsPerm.VIEW)
    studio = found_or_404(selectors.studio_get, scope=scope, pk=pk)
    manage = scope.has_perm(SkillsPerm.MANAGE, studio.org_path)
    action = request.POST.get("action", "") if request.method == "POST" else ""
    result_form = StudioResultForm(request.POST if action == "result" else None)
    session_form = StudioSessionForm(request.POST if action == "session" else None)
    if action:
        require_perm(request, SkillsPerm.MANAGE, studio.org_path)
        try:
            if action == "result" and result_form.is_valid():
                d = result_form.cleaned_data
                innovation.studio_result_add(
                    actor=actor_of(request), scope=scope, studio=studio, title=d["title"], year=d["year"],
                    benefit_fen=d["benefit"] or 0,
                )  # fmt: skip
                messages.success(request, f"已登记成果“{d['title']}”。")
                return redirect("skills:studio", pk=studio.pk)
            if action == "session" and session_form.is_valid():
                d = session_form.cleaned_data
                innovation.studio_session_add(
                    actor=actor_of(request), scope=scope, studio=studio, held_on=d["held_on"], title=d["title"]
                )
                messages.success(request, "已登记交流培训。")
                return redirect("skills:studio", pk=studio.pk)
            if action == "review":
                review = innovation.studio_review(actor=actor_of(request), scope=scope, studio=studio)
                if review.granted:
                    messages.success(request, "年度考核：仍达到本级别的全部条件。")
                else:
                    messages.error(request, "年度考核未达到：" + "；".join(review.unmet))
                return redirect("skills:studio", pk=studio.pk)
        except DomainError as exc:
            apply_domain_error(result_form if action == "result" else session_form, exc)
            if action == "review":
                messages.error(request, refusal_text(exc))
                return redirect("skills:studio", pk=studio.pk)
    results = list(studio.results.order_by("-year", "pk"))
    for r in results:
        r.benefit_yuan = fen_to_yuan(r.benefit_fen)  # type: ignore[attr-defined]
    return render(
        request,
        "skills/studio_detail.html",
        {
            "section": "studios",
            "s": studio,
            "benefit_yuan": fen_to_yuan(studio.benefit_fen or 0),  # type: ignore[attr-defined]
            "results": results,
            "sessions": list(studio.sessions.order_by("-held_on")),
            "applications": list(studio.applications.order_by("-applied_on", "-pk")),
            "can_manage": manage,
            "result_form": result_form,
            "session_form": session_form,
        },
    )
