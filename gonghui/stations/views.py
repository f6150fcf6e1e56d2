"""Staff pages for rest stations (驿站): the list and its export, a station's page, QR code and
poster, the form, close and reopen, closed days, the yearly inspection, photos, the map, and the
roster (groups, volunteers, the calendar with its gaps, swaps to approve).

Thin views over the services and selectors. A station outside the caller's part of the tree
is not found (404); a page or button the caller holds no permission for is a 403; the services
check again whatever a hand-made POST tries. The manager's phone is shown masked unless the
caller holds `stations.station.view_phone` at the station.
"""

from __future__ import annotations

import io
from collections import defaultdict
from datetime import date, timedelta
from typing import Any

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_POST

from gonghui.core.errors import DomainError
from gonghui.core.masking import mask_mobile
from gonghui.core.pickers import RegionCodeField
from gonghui.core.regions import region_name
from gonghui.core.scoping import Scope
from gonghui.core.viewutils import (
    actor_of,
    apply_domain_error,
    found_or_404,
    list_page,
    require_perm,
    run_action,
    scope_of,
)
from gonghui.orgs.selectors import org_get
from gonghui.stations import forms as sf
from gonghui.stations import photos, selectors, services
from gonghui.stations.exports import MAP_LABELS, hours_text, station_workbook
from gonghui.stations.models import BuildMode, DutyGroup, DutyShift, Station, SwapStatus, VolunteerStatus
from gonghui.stations.permissions import StationPerm
from gonghui.stations.rotation import RotationKind, RotationRule
from gonghui.stations.words import BASE_FACILITIES, FACILITIES

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FACILITY_LABELS = dict(FACILITIES)
MAP_MAX = 5000  # markers a map page carries; a wider scope narrows by region first
CALENDAR_DAYS = 28
WEEKDAYS = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")


def _station(request: HttpRequest, code: str, perm: str = StationPerm.VIEW) -> Station:
    return found_or_404(selectors.station_get, scope=scope_of(request), code=code, perm=perm)


def checkin_url(request: HttpRequest, station: Station) -> str:
    """The address the station's QR code opens: the phone's page for the station (check-in, visits, joining).

    Named, not imported: the phone's pages sit above this app (`portal`).
    """
    return request.build_absolute_uri(reverse("portal:station", args=[station.code]))


# --- the list --------------------------------------------------------------------------------------


def _region(typed: str) -> tuple[str, str]:
    """The region filter's code (a code, the picker's label or a unique place name) and why one was not taken."""
    try:
        code = RegionCodeField(required=False).clean(typed)
    except ValidationError as exc:
        return "", "；".join(exc.messages)
    if code and not (code.isdigit() and len(code) == 6):
        return "", "行政区划代码应为 6 位数字，或填写地区名称"
    return code, ""


def _list_filters(request: HttpRequest) -> dict[str, Any]:
    get = request.GET
    region, _error = _region(get.get("region", "")[:100])
    return {
        "q": get.get("q", "").strip()[:100],
        "region": region,
        "build_mode": get.get("build_mode", "") if get.get("build_mode", "") in BuildMode.values else "",
        "open_now": get.get("open_now") == "1",
        "closed": {"1": True, "0": False}.get(get.get("closed", "")),
    }


@login_required
def station_list(request: HttpRequest) -> HttpResponse:
    scope = require_perm(request, StationPerm.VIEW)
    filters = _list_filters(request)
    qs = selectors.station_list(scope=scope, **filters)
    if request.GET.get("export") == "xlsx":
        shown = {k: v for k, v in filters.items() if v not in ("", None, False)}
        content = station_workbook(actor=actor_of(request), scope=scope, stations=qs, filters=shown)
        response = HttpResponse(content, content_type=XLSX)
        response["Content-Disposition"] = "attachment; filename*=UTF-8''%E9%A9%BF%E7%AB%99.xlsx"
        return response
    listing = list_page(request, selectors.with_open_now(qs))
    query = urlencode(
        {
            k: ("1" if v is True else "0" if v is False else v)
            for k, v in filters.items()
            if v not in ("", None) and not (k == "open_now" and not v)
        }
    )
    return render(
        request,
        "stations/list.html",
        {
            "section": "stations",
            **listing.context(),
            "filters": filters,
            "closed": request.GET.get("closed", ""),
            "region_label": region_name(filters["region"]) if filters["region"] else "",
            "region_error": _region(request.GET.get("region", "")[:100])[1],
            "query": query,
            "build_modes": BuildMode.choices,
            "can_manage": scope.has_perm_anywhere(StationPerm.MANAGE),
        },
    )


# --- a station's page ------------------------------------------------------------------------------


def _detail_context(request: HttpRequest, station: Station) -> dict[str, Any]:
    scope = scope_of(request)
    today = timezone.localdate()
    holidays = selectors.holidays_between(today - timedelta(days=1), today)
    closed = selectors.closed_days(station, today - timedelta(days=1), today)
    full_phone = scope.has_perm(StationPerm.VIEW_PHONE, station.org_path)
    facilities = [(code, FACILITY_LABELS.get(code, code), code in BASE_FACILITIES) for code in station.facility_codes]
    missing_base = [FACILITY_LABELS[c] for c in BASE_FACILITIES if c not in station.facility_codes]
    return {
        "section": "stations",
        "station": station,
        "region": region_name(station.region_code) if station.region_code else "",
        "open_now": station.is_open_at(timezone.now(), holidays=holidays, closed_days=closed),
        "hours": [
            ("工作日", hours_text(station.weekday_opens, station.weekday_closes)),
            ("周末", hours_text(station.weekend_opens, station.weekend_closes)),
            ("节假日", hours_text(station.holiday_opens, station.holiday_closes)),
        ],
        "facilities": facilities,
        "missing_base": missing_base,
        "maps": [MAP_LABELS.get(c, c) for c in station.map_codes],
        "phone": station.manager_phone if full_phone else mask_mobile(station.manager_phone),
        "groups": selectors.group_list(scope=scope, station=station),
        "inspections": selectors.inspection_list(scope=scope, station=station),
        "photos": selectors.photo_list(scope=scope, station=station),
        "closed_days": selectors.closed_day_list(scope=scope, station=station, since=today),
        "checkin_url": checkin_url(request, station),
        "can_manage": scope.has_perm(StationPerm.MANAGE, station.org_path),
        "can_roster": scope.has_perm(StationPerm.ROSTER, station.org_path),
        "close_form": sf.ReasonForm(prefix="close"),
        "reopen_form": sf.ReasonForm(prefix="reopen"),
        "closed_day_form": sf.ClosedDayForm(),
        "photo_form": sf.PhotoForm(),
    }


@login_required
def station_detail(request: HttpRequest, code: str, refused: dict[str, Any] | None = None) -> HttpResponse:
    """The station; `refused` holds a form just refused, shown again as typed with its errors."""
    require_perm(request, StationPerm.VIEW)
    station = _station(request, code)
    return render(request, "stations/detail.html", _detail_context(request, station) | (refused or {}))


@login_required
@cache_control(private=True, max_age=3600)
def station_qr(request: HttpRequest, code: str) -> HttpResponse:
    """The station's QR code (SVG), made here: it opens the station's phone page."""
    station = _station(request, code)
    out = io.BytesIO()
    segno.make(checkin_url(request, station), error="m").save(
        out, kind="svg", scale=8, border=2, title=f"{station.name} 二维码"
    )
    return HttpResponse(out.getvalue(), content_type="image/svg+xml")


@login_required
def station_poster(request: HttpRequest, code: str) -> HttpResponse:
    """A page to print and put up at the station: name, hours, facilities and the QR code."""
    station = _station(request, code)
    context = _detail_context(request, station)
    return render(request, "stations/poster.html", context)


# --- the form --------------------------------------------------------------------------------------


def _form_page(request: HttpRequest, form: sf.StationForm, station: Station | None) -> HttpResponse:
    title = f"修改驿站：{station.name}" if station else "登记驿站"
    return render(
        request, "stations/form.html", {"section": "stations", "form": form, "station": station, "title": title}
    )


@login_required
def station_new(request: HttpRequest) -> HttpResponse:
    scope = require_perm(request, StationPerm.MANAGE)
    form = sf.StationForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            org = org_get(scope=scope, code=data["org_code"], perm=StationPerm.MANAGE)
        except DomainError:
            form.add_error("org_code", "没有这个工会，或不在您可登记驿站的范围内。")
        else:
            values = form.values()
            try:
                station = services.station_create(
                    actor=actor_of(request),
                    scope=scope,
                    org=org,
                    code=data["code"],
                    datum=data["datum"],
                    **values,
                )
            except DomainError as exc:
                apply_domain_error(form, exc)
            else:
                messages.success(request, f"已登记驿站“{station.name}”（{station.code}）。")
                return redirect("stations:detail", code=station.code)
    return _form_page(request, form, None)


def _initial(station: Station) -> dict[str, Any]:
    fields: tuple[str, ...] = (
        "name",
        "address",
        "region_code",
        "lat",
        "lng",
        "build_mode",
        "partner_kind",
        "partner_name",
    )
    fields += ("area_m2", "manager_name", "manager_phone")
    fields += tuple(f"{kind}_{end}" for kind in services.HOUR_KINDS for end in ("opens", "closes"))
    initial = {f: getattr(station, f) for f in fields}
    return initial | {"datum": "gcj02", "facilities": station.facility_codes, "map_published": station.map_codes}


@login_required
def station_edit(request: HttpRequest, code: str) -> HttpResponse:
    station = _station(request, code)
    scope = require_perm(request, StationPerm.MANAGE, station.org_path)
    form = sf.StationForm(request.POST if request.method == "POST" else None, initial=_initial(station), editing=True)
    if request.method == "POST" and form.is_valid():
        try:
            services.station_update(
                actor=actor_of(request), scope=scope, station=station, datum=form.cleaned_data["datum"], **form.values()
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, f"已保存驿站“{form.cleaned_data['name']}”。")
            return redirect("stations:detail", code=station.code)
    return _form_page(request, form, station)


# --- close, reopen, closed days --------------------------------------------------------------------


@login_required
@require_POST
def station_close(request: HttpRequest, code: str) -> HttpResponse:
    station = _station(request, code)
    scope = require_perm(request, StationPerm.MANAGE, station.org_path)
    form = sf.ReasonForm(request.POST, prefix="close")
    if not form.is_valid() or not form.cleaned_data["reason"].strip():
        if form.is_valid():
            form.add_error("reason", "请填写关闭原因。")
        return station_detail(request, code, refused={"close_form": form})
    run_action(
        request,
        f"已关闭驿站“{station.name}”。",
        lambda: services.station_close(
            actor=actor_of(request), scope=scope, station=station, reason=form.cleaned_data["reason"]
        ),
    )
    return redirect("stations:detail", code=station.code)


@login_required
@require_POST
def station_reopen(request: HttpRequest, code: str) -> HttpResponse:
    station = _station(request, code)
    scope = require_perm(request, StationPerm.MANAGE, station.org_path)
    form = sf.ReasonForm(request.POST, prefix="reopen")
    if not form.is_valid():
        return station_detail(request, code, refused={"reopen_form": form})
    run_action(
        request,
        f"驿站“{station.name}”已重新开放。",
        lambda: services.station_reopen(
            actor=actor_of(request), scope=scope, station=station, reason=form.cleaned_data["reason"]
        ),
    )
    return redirect("stations:detail", code=station.code)


@login_required
@require_POST
def closed_day_add(request: HttpRequest, code: str) -> HttpResponse:
    station = _station(request, code)
    scope = require_perm(request, StationPerm.MANAGE, station.org_path)
    form = sf.ClosedDayForm(request.POST)
    if not form.is_valid():
        return station_detail(request, code, refused={"closed_day_form": form})
    day: date = form.cleaned_data["day"]
    run_action(
        request,
        f"已登记 {day:%Y-%m-%d} 闭站。",
        lambda: services.station_closed_day_add(
            actor=actor_of(request), scope=scope, station=station, day=day, reason=form.cleaned_data["reason"]
        ),
    )
    return redirect("stations:detail", code=station.code)


# --- inspection and photos -------------------------------------------------------------------------


@login_required
def inspection_record(request: HttpRequest, code: str) -> HttpResponse:
    station = _station(request, code)
    scope = require_perm(request, StationPerm.MANAGE, station.org_path)
    # What the station's record already shows is ticked to start with; the inspector confirms it on site.
    known = {
        "year": timezone.localdate().year,
        "has_map": bool(station.map_codes),
        "has_facilities": all(code in station.facility_codes for code in BASE_FACILITIES),
    }
    form = sf.InspectionForm(request.POST if request.method == "POST" else None, initial=known)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.inspection_record(
                actor=actor_of(request),
                scope=scope,
                station=station,
                year=data["year"],
                checks=form.checks(),
                stars=data["stars"],
                is_best=data["is_best"],
                notes=data["notes"],
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, f"已登记驿站“{station.name}” {data['year']} 年度检查。")
            return redirect("stations:detail", code=station.code)
    return render(
        request,
        "stations/inspection.html",
        {
            "section": "stations",
            "station": station,
            "form": form,
            "inspections": selectors.inspection_list(scope=scope, station=station),
        },
    )


@login_required
@require_POST
def photo_add(request: HttpRequest, code: str) -> HttpResponse:
    station = _station(request, code)
    scope = require_perm(request, StationPerm.MANAGE, station.org_path)
    form = sf.PhotoForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            photos.photo_store(
                actor=actor_of(request),
                scope=scope,
                station=station,
                image=form.cleaned_data["photo"],
                caption=form.cleaned_data["caption"],
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, "已上传照片。")
            return redirect("stations:detail", code=station.code)
    return station_detail(request, code, refused={"photo_form": form})


@login_required
def photo_file(request: HttpRequest, code: str, pk: int) -> FileResponse:
    station = _station(request, code)
    photo = found_or_404(selectors.photo_get, scope=scope_of(request), pk=pk)
    if photo.station_id != station.pk:
        raise Http404
    path = photos.photo_path(photo)
    if not path.exists():
        raise Http404
    response = FileResponse(path.open("rb"), content_type=photos.CONTENT_TYPES[path.suffix])
    response["Cache-Control"] = "private, max-age=3600"
    return response


@login_required
@require_POST
def photo_delete(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    station = _station(request, code)
    scope = require_perm(request, StationPerm.MANAGE, station.org_path)
    photo = found_or_404(selectors.photo_get, scope=scope, pk=pk)
    if photo.station_id != station.pk:
        raise Http404
    run_action(request, "已删除照片。", lambda: photos.photo_delete(actor=actor_of(request), scope=scope, photo=photo))
    return redirect("stations:detail", code=station.code)


# --- the map ---------------------------------------------------------------------------------------


@login_required
def station_map(request: HttpRequest) -> HttpResponse:
    """Markers of the scope's stations on tiles from GONGHUI_MAP_TILE_URL; without tiles, a list by distance."""
    scope = require_perm(request, StationPerm.VIEW)
    filters = _list_filters(request)
    qs = selectors.station_list(scope=scope, **filters)
    count = qs.count()
    points = [
        {
            "code": row["code"],
            "name": row["name"],
            "address": row["address"],
            "lat": row["lat"],
            "lng": row["lng"],
            "open": bool(row["open_now"]),
            "closed": row["is_closed"],
            "url": reverse("stations:detail", args=[row["code"]]),
        }
        for row in selectors.station_points(qs, limit=MAP_MAX)
    ]
    return render(
        request,
        "stations/map.html",
        {
            "section": "stations_map",
            "points": points,
            "count": count,
            "truncated": count > MAP_MAX,
            "filters": filters,
            "build_modes": BuildMode.choices,
            "tiles": {"url": settings.GONGHUI_MAP_TILE_URL, "attribution": settings.GONGHUI_MAP_ATTRIBUTION},
        },
    )


# --- the roster ------------------------------------------------------------------------------------


def _calendar_rows(scope: Scope, station: Station, first: date, last: date) -> list[dict[str, Any]]:
    shifts = list(selectors.shift_list(scope=scope, station=station, first=first, last=last))
    staffed = {g.pk: g.volunteers for g in selectors.group_list(scope=scope, station=station)}  # type: ignore[attr-defined]
    rows = []
    for shift in shifts:
        holders: int = shift.holders  # type: ignore[attr-defined]
        if shift.held_by_group:
            # A group's week is short when the group has nobody approved to hold it.
            short = 0 if staffed.get(shift.group_id or 0, 0) else 1
        else:
            short = max(shift.capacity - holders, 0)
        rows.append({"shift": shift, "holders": holders, "short": short, "weekday": WEEKDAYS[shift.day.weekday()]})
    return rows


def _roster_context(request: HttpRequest, station: Station, first: date) -> dict[str, Any]:
    scope = scope_of(request)
    last = first + timedelta(days=CALENDAR_DAYS - 1)
    groups = selectors.group_list(scope=scope, station=station)
    volunteers = selectors.volunteer_list(scope=scope, station=station)
    by_group: dict[int, list[Any]] = defaultdict(list)
    for v in volunteers:
        by_group[v.group_id].append(v)
    rows = _calendar_rows(scope, station, first, last)
    next_monday = timezone.localdate() + timedelta(days=7 - timezone.localdate().weekday())
    return {
        "section": "stations",
        "station": station,
        "groups": [(g, by_group.get(g.pk, [])) for g in groups],
        "pending": [v for v in volunteers if v.status == VolunteerStatus.PENDING],
        "swaps": selectors.swaps_waiting(scope=scope, station=station),
        "rows": rows,
        "gaps": sum(1 for r in rows if r["short"]),
        "first": first,
        "last": last,
        "earlier": first - timedelta(days=CALENDAR_DAYS),
        "later": first + timedelta(days=CALENDAR_DAYS),
        "can_roster": scope.has_perm(StationPerm.ROSTER, station.org_path),
        "group_form": sf.GroupForm(),
        "calendar_form": sf.CalendarForm(
            groups=[(g.pk, g.name) for g in groups],
            initial={
                "first": next_monday,
                "last": next_monday + timedelta(weeks=8, days=-1),
                "groups": [g.pk for g in groups],
            },
        ),
    }


def _first_day(request: HttpRequest) -> date:
    try:
        return date.fromisoformat(request.GET.get("first", ""))
    except ValueError:
        today = timezone.localdate()
        return today - timedelta(days=today.weekday())


@login_required
def roster(request: HttpRequest, code: str, refused: dict[str, Any] | None = None) -> HttpResponse:
    """The station's groups and volunteers, pending requests and swaps, and four weeks of the calendar with gaps."""
    require_perm(request, StationPerm.VIEW)
    station = _station(request, code)
    return render(
        request, "stations/roster.html", _roster_context(request, station, _first_day(request)) | (refused or {})
    )


@login_required
@require_POST
def group_new(request: HttpRequest, code: str) -> HttpResponse:
    station = _station(request, code)
    scope = require_perm(request, StationPerm.ROSTER, station.org_path)
    form = sf.GroupForm(request.POST)
    if form.is_valid():
        try:
            services.group_create(actor=actor_of(request), scope=scope, station=station, name=form.cleaned_data["name"])
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, f"已新建值班小组“{form.cleaned_data['name']}”。")
            return redirect("stations:roster", code=station.code)
    return roster(request, code, refused={"group_form": form})


VOLUNTEER_DECISIONS = {
    "approve": (True, False, "已批准{name}加入{group}。"),
    "leader": (True, True, "已批准{name}加入{group}，并设为组长。"),
    "reject": (False, False, "已驳回{name}加入{group}的申请。"),
}


@login_required
@require_POST
def volunteer_decide(request: HttpRequest, code: str, pk: int, decision: str) -> HttpResponse:
    if decision not in VOLUNTEER_DECISIONS:
        raise Http404
    station = _station(request, code)
    scope = require_perm(request, StationPerm.ROSTER, station.org_path)
    volunteer = found_or_404(selectors.volunteer_get, scope=scope, station=station, pk=pk)
    approve, leader, done = VOLUNTEER_DECISIONS[decision]
    run_action(
        request,
        done.format(name=volunteer.person.name, group=volunteer.group.name),
        lambda: services.volunteer_decide(
            actor=actor_of(request), scope=scope, volunteer=volunteer, approve=approve, make_leader=leader
        ),
    )
    return redirect("stations:roster", code=station.code)


@login_required
@require_POST
def calendar_generate(request: HttpRequest, code: str) -> HttpResponse:
    station = _station(request, code)
    scope = require_perm(request, StationPerm.ROSTER, station.org_path)
    groups: list[DutyGroup] = selectors.group_list(scope=scope, station=station)
    form = sf.CalendarForm(request.POST, groups=[(g.pk, g.name) for g in groups])
    if form.is_valid():
        data = form.cleaned_data
        kind = RotationKind(data["kind"])
        people = 1 if kind == RotationKind.WEEKLY else data["people_per_shift"]
        rule = RotationRule(kind, data["first"], tuple(data["groups"]), people)
        try:
            made: list[DutyShift] = services.calendar_generate(
                actor=actor_of(request), scope=scope, station=station, rule=rule, first=data["first"], last=data["last"]
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, f"已生成 {len(made)} 个班次（已排的日期保持不变）。")
            return redirect(reverse("stations:roster", args=[station.code]) + f"?first={data['first'].isoformat()}")
    return roster(request, code, refused={"calendar_form": form})


@login_required
@require_POST
def swap_decide(request: HttpRequest, code: str, pk: int, decision: str) -> HttpResponse:
    if decision not in ("approve", "refuse"):
        raise Http404
    station = _station(request, code)
    scope = require_perm(request, StationPerm.ROSTER, station.org_path)
    swap = found_or_404(selectors.swap_get, scope=scope, station=station, pk=pk)
    approve = decision == "approve"
    run_action(
        request,
        "已批准换班。" if approve else "已驳回换班申请。",
        lambda: services.swap_decide(actor=actor_of(request), scope=scope, person=None, swap=swap, approve=approve),
    )
    if request.POST.get("next") == "swaps":
        return redirect("stations:swaps")
    return redirect("stations:roster", code=station.code)


@login_required
def swap_list(request: HttpRequest) -> HttpResponse:
    """The swaps waiting for approval at every station of the scope (换班审批)."""
    scope = require_perm(request, StationPerm.ROSTER)
    rows = selectors.swaps_to_approve(scope=scope)
    return render(
        request,
        "stations/swaps.html",
        {"section": "stations_swaps", "swaps": rows, "accepted": SwapStatus.ACCEPTED},
    )
