"""The phone's rest-station pages (驿站, DOMAIN §7): the nearest stations, a station's QR page, and the
volunteer's duties, check-in, duty log and swaps.

The nearest list and a station's page are public (a rider scans the code without an account). What
belongs to a volunteer is reached through the signed-in member's own person: another member's shift
or swap is a 404, and the stations' services judge every act (`person` is the member, vouched for here).
"""

from __future__ import annotations

import re
import secrets
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST
from django_ratelimit.decorators import ratelimit

from gonghui.core.errors import DomainError
from gonghui.core.ratelimits import rate
from gonghui.core.viewutils import actor_of, refusal_text
from gonghui.members.models import Person
from gonghui.portal import station_selectors as sel
from gonghui.portal.auth import member_of, member_required
from gonghui.portal.selectors import member_account_of
from gonghui.portal.station_forms import DutyLogForm, GroupJoinForm, SwapAskForm
from gonghui.stations import selectors as station_selectors
from gonghui.stations import services as station_services
from gonghui.stations.models import DutyShift, Station, VolunteerStatus
from gonghui.stations.words import FACILITIES, SUPPLIES

# A phone's visit cookie: random, kept two years, never readable by scripts; the server stores
# only a keyed hash of it (`stations.services.device_key`).
DEVICE_COOKIE = "gonghui_station_device"
DEVICE_COOKIE_AGE = 2 * 365 * 24 * 3600
DEVICE_TOKEN = re.compile(r"[A-Za-z0-9_-]{32,64}")
SUPPLY_LABELS = dict(SUPPLIES)


def _station(code: str) -> Station:
    station = sel.station_public(code=code)
    if station is None:
        raise Http404
    return station


def _person(request: HttpRequest) -> Person | None:
    account = member_account_of(request.user)
    return account.person if account is not None else None


# --- 附近驿站 ----------------------------------------------------------------------------------------


def nearby(request: HttpRequest) -> HttpResponse:
    """Nearest stations by the phone's position (static/portal/stations.js asks the public API), also on a
    map when GONGHUI_MAP_TILE_URL is set; without a position, the stations of a chosen city or found by
    name, searched here on the server."""
    city, q = request.GET.get("city", "").strip(), request.GET.get("q", "").strip()
    open_now = request.GET.get("open_now") == "1"
    searched = bool(city or q)
    return render(
        request,
        "portal/stations/nearby.html",
        {
            "member_nav": _person(request) is not None,
            "cities": sel.station_cities(),
            "city": city,
            "q": q,
            "open_now": open_now,
            "searched": searched,
            "found": sel.stations_search(city=city, q=q, open_now=open_now) if searched else [],
            "facilities": FACILITIES,
            "facility_labels": dict(FACILITIES),
            "station_url": reverse("portal:station", args=["CODE"]),
            "api_url": reverse("api:nearest"),
            # With a tile server the nearest stations are also drawn on Leaflet (GCJ-02 tiles, as the staff map).
            "tiles": {"url": settings.GONGHUI_MAP_TILE_URL, "attribution": settings.GONGHUI_MAP_ATTRIBUTION},
        },
    )


# --- a station's page (its QR code) ----------------------------------------------------------------


def station(request: HttpRequest, code: str) -> HttpResponse:
    """What the station's QR code opens: its facts, 记录到访 for anyone, and the volunteer's duty buttons."""
    s = _station(code)
    person = _person(request)
    context: dict[str, Any] = {
        "facts": sel.station_facts(s),
        "s": s,
        "member_nav": person is not None,
        "visit_minutes": settings.GONGHUI_STATION_VISIT_MINUTES,
    }
    if person is not None:
        now = timezone.now()
        open_checkin = sel.open_checkin(station=s, person=person, at=now)
        duty = station_selectors.duty_now(station=s, person_id=person.pk, at=now)
        checked = sel.checkin_of(shift=duty, person=person) if duty is not None else None
        volunteer = sel.volunteer_at(station=s, person=person)
        groups = sel.station_groups(station=s) if volunteer is None and not s.is_closed else []
        context.update(
            {
                "person": person,
                "duty": duty,
                "open_checkin": open_checkin,
                "may_check_in": duty is not None and checked is None,
                "done_checkin": checked if checked is not None and checked.checked_out_at is not None else None,
                "volunteer": volunteer,
                "pending": volunteer is not None and volunteer.status == VolunteerStatus.PENDING,
                "join_form": GroupJoinForm(groups=[(g.pk, g.name) for g in groups]) if groups else None,
            }
        )
    return render(request, "portal/stations/station.html", context)


@ratelimit(group="portal.station_visit", key="ip", rate=rate("station_visit_address"), method="POST")
@require_POST
def station_visit(request: HttpRequest, code: str) -> HttpResponse:
    """记录到访 without logging in: one count per phone per half hour (the device cookie), limited per address."""
    s = _station(code)
    token = request.COOKIES.get(DEVICE_COOKIE, "")
    if not DEVICE_TOKEN.fullmatch(token):
        token = secrets.token_urlsafe(32)
    try:
        _visit, counted = station_services.visit_record(station=s, device_token=token)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        if counted:
            messages.success(request, "已记录到访，欢迎您！")
        else:
            minutes = settings.GONGHUI_STATION_VISIT_MINUTES
            messages.info(request, f"已记录过：同一部手机 {minutes} 分钟内只计一次。")
    response = redirect("portal:station", s.code)
    response.set_cookie(
        DEVICE_COOKIE, token, max_age=DEVICE_COOKIE_AGE, httponly=True, samesite="Lax", secure=settings.HTTPS
    )
    return response


@member_required
@require_POST
def station_checkin(request: HttpRequest, code: str) -> HttpResponse:
    s = _station(code)
    try:
        row = station_services.checkin(actor=actor_of(request), person=member_of(request).person, station=s)
    except DomainError as exc:
        messages.error(request, refusal_text(exc))
    else:
        late = "（迟到）" if row.late else ""
        messages.success(request, f"签到成功{late}：{timezone.localtime(row.checked_in_at):%H:%M}。")
    return redirect("portal:station", s.code)


@member_required
@require_POST
def station_checkout(request: HttpRequest, code: str) -> HttpResponse:
    s = _station(code)
    try:
        row = station_services.checkout(actor=actor_of(request), person=member_of(request).person, station=s)
    except DomainError as exc:
        messages.error(request, refusal_text(exc))
    else:
        messages.success(request, f"签退成功：{timezone.localtime(row.checked_out_at or timezone.now()):%H:%M}。")
    return redirect("portal:station", s.code)


@member_required
@require_POST
def station_join(request: HttpRequest, code: str) -> HttpResponse:
    """申请加入值班小组: the station's manager approves."""
    s = _station(code)
    groups = sel.station_groups(station=s)
    form = GroupJoinForm(request.POST, groups=[(g.pk, g.name) for g in groups])
    if not form.is_valid():
        messages.error(request, "请选择值班小组。")
        return redirect("portal:station", s.code)
    group = next(g for g in groups if g.pk == form.cleaned_data["group"])
    try:
        station_services.group_join(actor=actor_of(request), person=member_of(request).person, group=group)
    except DomainError as exc:
        messages.error(request, refusal_text(exc))
    else:
        messages.success(request, f"已申请加入“{group.name}”，等待驿站负责人审核。")
    return redirect("portal:station", s.code)


# --- the duty log ----------------------------------------------------------------------------------


def _log_initial(shift: DutyShift) -> tuple[dict[str, Any], int]:
    log = station_selectors.log_of(shift=shift)
    if log is None:
        return {}, 0
    initial: dict[str, Any] = {
        "opened_at": timezone.localtime(log.opened_at).time() if log.opened_at else None,
        "closed_at": timezone.localtime(log.closed_at).time() if log.closed_at else None,
        "visitors": log.visitors or None,
        "handover": log.handover,
    }
    supplies = list(log.supplies.all())
    for i, row in enumerate(supplies):
        initial[f"supply_{i}_item"] = SUPPLY_LABELS.get(row.item, row.item)
        initial[f"supply_{i}_used"] = row.used or ""
        initial[f"supply_{i}_restocked"] = row.restocked or ""
    return initial, len(supplies)


def _write_log(request: HttpRequest, form: DutyLogForm, shift: DutyShift, person: Person) -> bool:
    """Every part of the form through its service, in one transaction: all refusals on the form at once,
    and nothing kept unless every part was accepted."""
    data = form.cleaned_data
    actor = actor_of(request)
    with transaction.atomic():
        if not any(f in form.errors for f in ("opened_at", "closed_at", "visitors")):
            try:
                station_services.log_write(
                    actor=actor,
                    shift=shift,
                    person=person,
                    opened_at=data.get("opened_at"),
                    closed_at=data.get("closed_at"),
                    visitors=data.get("visitors") or 0,  # the form shows the count: cleared is none
                    handover=data.get("handover", ""),
                )
            except DomainError as exc:
                form.put_error(exc)
        for i in range(form.supply_rows):
            item = data.get(f"supply_{i}_item", "")
            used, restocked = data.get(f"supply_{i}_used", ""), data.get(f"supply_{i}_restocked", "")
            if not (item or used or restocked):
                continue
            try:
                station_services.supply_record(
                    actor=actor, shift=shift, person=person, item=item, used=used, restocked=restocked
                )
            except DomainError as exc:
                form.put_error(exc, prefix=f"supply_{i}_")
        kind, description = data.get("incident_kind", ""), data.get("incident_description", "")
        action = data.get("incident_action", "")
        if kind or description or action:
            try:
                station_services.incident_report(
                    actor=actor, shift=shift, person=person, kind=kind, description=description, action=action
                )
            except DomainError as exc:
                form.put_error(exc, prefix="incident_")
        if form.errors:
            transaction.set_rollback(True)
            return False
    return True


@member_required
def duty_log(request: HttpRequest, shift_id: int) -> HttpResponse:
    """值班日志 of a shift the member checked in to; any other shift id is not found."""
    person = member_of(request).person
    shift = sel.checked_in_shift(person=person, shift_id=shift_id)
    if shift is None:
        raise Http404
    if request.method == "POST":
        form = DutyLogForm(request.POST, supply_rows=DutyLogForm.rows_posted(request.POST))
        form.is_valid()  # the fields that parsed go on to the services, the others show their errors
        if _write_log(request, form, shift, person):
            messages.success(request, "值班日志已保存。")
            return redirect("portal:duty_log", shift.pk)
    else:
        initial, rows = _log_initial(shift)
        form = DutyLogForm(initial=initial, supply_rows=rows + 1)
    log = station_selectors.log_of(shift=shift)
    return render(
        request,
        "portal/stations/duty_log.html",
        {
            "member_nav": True,
            "shift": shift,
            "form": form,
            "incidents": list(log.incidents.all()) if log is not None else [],
            "supply_words": sel.supply_words(),
            "incident_words": sel.incident_words(),
        },
    )


# --- 我的值班 ---------------------------------------------------------------------------------------


@member_required
def my_duty(request: HttpRequest) -> HttpResponse:
    person = member_of(request).person
    rows = sel.my_duties(person=person)
    now = timezone.now()
    for row in rows:
        if row.can_swap:
            row.swap_form = SwapAskForm(  # type: ignore[attr-defined]
                volunteers=[(v.person_id, f"{v.person.name}（{v.group.name}）") for v in row.volunteers],
                auto_id=f"id_swap_{row.shift.pk}_%s",
            )
    return render(
        request,
        "portal/stations/my_duty.html",
        {
            "member_nav": True,
            "upcoming": [r for r in rows if r.shift.ends_at > now],
            "recent": list(reversed([r for r in rows if r.shift.ends_at <= now])),
            "incoming": sel.swaps_incoming(person=person),
            "to_approve": sel.swaps_to_approve(person=person),
            "mine": sel.swaps_mine(person=person),
        },
    )


@member_required
@require_POST
def duty_take(request: HttpRequest, shift_id: int) -> HttpResponse:
    """认领 a day of the member's group's week, so that it is theirs (and theirs to swap)."""
    person = member_of(request).person
    today = timezone.localdate()
    shift = sel.duty_shift_of(
        person=person,
        shift_id=shift_id,
        first=today - timedelta(days=sel.DUTY_DAYS_BACK),
        last=today + timedelta(days=sel.DUTY_DAYS_AHEAD),
    )
    if shift is None:
        raise Http404
    try:
        station_services.shift_take(actor=actor_of(request), person=person, shift=shift)
    except DomainError as exc:
        messages.error(request, refusal_text(exc))
    else:
        messages.success(request, f"已认领 {shift.day:%m月%d日} 的值班。")
    return redirect("portal:my_duty")


@member_required
@require_POST
def swap_ask(request: HttpRequest, assignment_id: int) -> HttpResponse:
    """申请换班: the member's own place to another approved volunteer of the same station."""
    person = member_of(request).person
    assignment = sel.own_assignment(person=person, pk=assignment_id)
    if assignment is None:
        raise Http404
    raw = request.POST.get("counterpart", "")
    other = (
        sel.approved_volunteer(station_id=assignment.shift.station_id, person_id=int(raw), exclude=person)
        if raw.isdigit()
        else None
    )
    if other is None:
        messages.error(request, "请选择本驿站的一位志愿者。")
        return redirect("portal:my_duty")
    note = request.POST.get("note", "").strip()[:200]
    try:
        station_services.swap_request(
            actor=actor_of(request), person=person, assignment=assignment, counterpart=other.person, note=note
        )
    except DomainError as exc:
        messages.error(request, refusal_text(exc))
    else:
        messages.success(request, f"换班申请已发给{other.person.name}，对方同意后交组长审批。")
    return redirect("portal:my_duty")


SWAP_ACTIONS: dict[str, tuple[str, str]] = {
    # action: (the member's role on the swap, the message when done)
    "accept": ("counterpart", "已同意换班，等待组长审批。"),
    "decline": ("counterpart", "已拒绝换班。"),
    "cancel": ("requester", "换班申请已撤回。"),
    "approve": ("leader", "已批准换班。"),
    "refuse": ("leader", "已驳回换班。"),
}


@member_required
@require_POST
def swap_act(request: HttpRequest, swap_id: int, action: str) -> HttpResponse:
    """Answer, cancel or decide a swap the member is party to; any other swap is not found."""
    if action not in SWAP_ACTIONS:
        raise Http404
    role, done = SWAP_ACTIONS[action]
    person = member_of(request).person
    swap = sel.swap_for(person=person, pk=swap_id, role=role)
    if swap is None:
        raise Http404
    actor = actor_of(request)
    try:
        if role == "counterpart":
            station_services.swap_answer(actor=actor, person=person, swap=swap, accept=action == "accept")
        elif role == "requester":
            station_services.swap_cancel(actor=actor, person=person, swap=swap)
        else:
            station_services.swap_decide(actor=actor, scope=None, person=person, swap=swap, approve=action == "approve")
    except DomainError as exc:
        messages.error(request, refusal_text(exc))
    else:
        messages.success(request, done)
    return redirect("portal:my_duty")
