"""Lecture tours' pages (劳模工匠宣讲): the list with filters and totals, its Excel export, recording and
correcting a lecture, and a speaker's history. Scoped to the hosting union: a foreign id is a 404."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header

from gonghui.core.audit import audit_record
from gonghui.core.bulk.writer import xlsx_bytes
from gonghui.core.errors import DomainError
from gonghui.core.scoping import Scope, unscoped
from gonghui.core.viewutils import actor_of, found_or_404, list_page, require_perm, run_form, scope_of
from gonghui.honors import forms as hf
from gonghui.honors import lectures, selectors
from gonghui.honors.models import Lecture
from gonghui.honors.permissions import HonorPerm
from gonghui.members.selectors import active_member_by_key
from gonghui.orgs.models import Org
from gonghui.orgs.selectors import org_get

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADERS = ["日期", "宣讲人", "组织工会", "工会代码", "承办单位", "地点", "主题", "听众人数"]


def _org(scope: Scope, code: str) -> Org:
    try:
        return org_get(scope=scope, code=code.strip().upper())
    except DomainError as exc:
        raise DomainError("org.not_in_scope", field="org_code") from exc


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text.strip()) if text.strip() else None
    except ValueError:
        return None


def _filters(request: HttpRequest, scope: Scope) -> tuple[selectors.LectureFilter, dict[str, str]]:
    """The list's filters from `?year=&org=&speaker=&since=&until=`; a value that does not read is ignored."""
    g = request.GET
    typed = {k: g.get(k, "").strip()[:40] for k in ("year", "org", "speaker", "since", "until")}
    org_path = ""
    if typed["org"]:
        try:
            org_path = _org(scope, typed["org"]).path
        except DomainError:
            typed["org"] = ""
    year = int(typed["year"]) if typed["year"].isdigit() else None
    return (
        selectors.LectureFilter(
            year=year,
            org_path=org_path,
            speaker=typed["speaker"],
            since=_day(typed["since"]),
            until=_day(typed["until"]),
        ),
        typed,
    )


@login_required
def lecture_list(request: HttpRequest) -> HttpResponse:
    scope = require_perm(request, HonorPerm.VIEW)
    filters, typed = _filters(request, scope)
    qs = selectors.lecture_list(scope=scope, filters=filters)
    listing = list_page(request, qs)
    return render(
        request,
        "honors/lecture_list.html",
        {
            "section": "honors_lectures",
            **listing.context(),
            "totals": selectors.lecture_totals(qs),
            "f": typed,
            "query": request.GET.urlencode(),
            "can_record": scope.has_perm_anywhere(HonorPerm.MANAGE),
        },
    )


@login_required
def lecture_export(request: HttpRequest) -> HttpResponse:
    """The filtered list as an Excel workbook (a row per lecture), audited."""
    scope = require_perm(request, HonorPerm.VIEW)
    filters, _typed = _filters(request, scope)
    rows = list(selectors.lecture_list(scope=scope, filters=filters))
    body = xlsx_bytes(
        HEADERS,
        ([r.held_on, r.speaker_name, r.org.name, r.org.code, r.host, r.place, r.topic, r.audience] for r in rows),
        sheet="劳模工匠宣讲",
    )
    with transaction.atomic(), unscoped():
        audit_record(
            actor=actor_of(request),
            action="honors.lectures_export",
            org=None,
            data={"rows": len(rows), "filters": {k: v for k, v in request.GET.items() if v}},
        )
    response = HttpResponse(body, content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=f"劳模工匠宣讲-{timezone.localdate().isoformat()}.xlsx"
    )
    return response


def _facts(data: dict[str, Any]) -> lectures.LectureIn:
    return lectures.LectureIn(
        held_on=data["held_on"],
        place=data["place"],
        audience=data["audience"],
        topic=data["topic"],
        host=data["host"],
    )


@login_required
def lecture_create(request: HttpRequest) -> HttpResponse:
    scope = require_perm(request, HonorPerm.MANAGE)
    form = hf.LectureForm(request.POST or None, initial={"speaker": request.GET.get("speaker", "")[:20]})

    def perform(data: dict[str, Any]) -> tuple[str, str]:
        # The speaker is a member in the caller's sight; the service checks they are a 劳模 or 工匠.
        membership = active_member_by_key(scope=scope, key=data["speaker"], perm=HonorPerm.VIEW)
        if membership is None:
            raise DomainError("honors.speaker_not_found", field="speaker")
        lecture = lectures.lecture_record(
            actor=actor_of(request),
            scope=scope,
            org=_org(scope, data["org_code"]),
            speaker_id=membership.person_id,
            facts=_facts(data),
        )
        return reverse("honors:lectures"), f"已登记{lecture.speaker_name}的宣讲。"

    return run_form(request, form, perform) or render(
        request,
        "honors/lecture_form.html",
        {"section": "honors_lectures", "form": form, "title": "登记劳模工匠宣讲", "back": reverse("honors:lectures")},
    )


@login_required
def lecture_edit(request: HttpRequest, pk: int) -> HttpResponse:
    lecture: Lecture = found_or_404(selectors.lecture_get, scope=scope_of(request), pk=pk)
    scope = require_perm(request, HonorPerm.MANAGE, lecture.org_path)
    initial = {
        "org_code": lecture.org.code,
        "host": lecture.host,
        "held_on": lecture.held_on,
        "place": lecture.place,
        "topic": lecture.topic,
        "audience": lecture.audience,
    }
    form = hf.LectureForm(request.POST or None, initial=initial, editing=True)

    def perform(data: dict[str, Any]) -> tuple[str, str]:
        lectures.lecture_update(
            actor=actor_of(request),
            scope=scope,
            lecture=lecture,
            org=_org(scope, data["org_code"]),
            facts=_facts(data),
        )
        return reverse("honors:speaker", args=[lecture.speaker_id]), "已修改宣讲记录。"

    return run_form(request, form, perform) or render(
        request,
        "honors/lecture_form.html",
        {
            "section": "honors_lectures",
            "form": form,
            "title": f"修改宣讲：{lecture.speaker_name} {lecture.held_on:%Y-%m-%d}",
            "back": reverse("honors:speaker", args=[lecture.speaker_id]),
        },
    )


@login_required
def speaker_detail(request: HttpRequest, person_id: int) -> HttpResponse:
    scope = require_perm(request, HonorPerm.VIEW)
    history = found_or_404(selectors.speaker_history, scope=scope, person_id=person_id)
    return render(
        request,
        "honors/speaker.html",
        {
            "section": "honors_lectures",
            "s": history,
            "can_edit": {
                lecture.pk for lecture in history["lectures"] if scope.has_perm(HonorPerm.MANAGE, lecture.org_path)
            },
            "can_record": scope.has_perm_anywhere(HonorPerm.MANAGE),
        },
    )
