"""The manager's week at a glance for one station: who held each shift, check-ins, the log, visits; and its Excel.

Thin views over `selectors.week_at_a_glance`. A station outside the caller's subtree is
not found; the export names volunteers (no ID numbers, no phones) and is audited.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_POST

from gonghui.core.audit import audit_record
from gonghui.core.bulk.writer import xlsx_bytes
from gonghui.core.scoping import unscoped
from gonghui.core.viewutils import actor_of, found_or_404, require_perm, run_action
from gonghui.stations import selectors, services
from gonghui.stations.models import DutyIncident, Station
from gonghui.stations.permissions import StationPerm
from gonghui.stations.selectors import DayAtGlance

WEEKDAYS = "一二三四五六日"
HEADERS = [
    "日期",
    "星期",
    "开始",
    "结束",
    "值班小组",
    "值班人",
    "签到",
    "签退",
    "迟到",
    "状态",
    "扫码到访（人次）",
    "手工登记（人次）",
    "物资消耗",
    "物资补充",
    "值班事件",
    "交接事项",
]


def monday_of(raw: str | None) -> date:
    """The Monday of the week `raw` (YYYY-MM-DD) falls in; this week's for a blank or a bad value."""
    try:
        day = date.fromisoformat(raw or "")
    except ValueError:
        day = timezone.localdate()
    return day - timedelta(days=day.weekday())


def state_of(row: DayAtGlance) -> str:
    now = timezone.now()
    if row.checkins:
        return "已签到"
    if row.shift.starts_at > now:
        return "缺人" if row.short else "未开始"
    if row.shift.ends_at > now:
        return "进行中（未签到）"
    return "漏岗"


def _clock(value: Any) -> str:
    return timezone.localtime(value).strftime("%H:%M") if value else ""


def _supplies(row: DayAtGlance, field: str) -> str:
    if row.log is None:
        return ""
    return "、".join(f"{s.item_label} {getattr(s, field)}" for s in row.log.supplies.all() if getattr(s, field))


def _incidents(row: DayAtGlance) -> str:
    if row.log is None:
        return ""
    return "；".join(
        f"{i.kind_label}：{i.description}" + ("（已办结）" if i.resolved_at else "") for i in row.log.incidents.all()
    )


def _lines(rows: list[DayAtGlance]) -> list[list[Any]]:
    out = []
    for row in rows:
        shift = row.shift
        people = row.holders or ([shift.group.name] if shift.held_by_group and shift.group else [])
        out.append(
            [
                shift.day.isoformat(),
                f"星期{WEEKDAYS[shift.day.weekday()]}",
                _clock(shift.starts_at),
                _clock(shift.ends_at),
                shift.group.name if shift.group else "",
                "、".join(people),
                "、".join(f"{c.person.name} {_clock(c.checked_in_at)}" for c in row.checkins),
                "、".join(f"{c.person.name} {_clock(c.checked_out_at)}" for c in row.checkins if c.checked_out_at),
                "是" if any(c.late for c in row.checkins) else "",
                state_of(row),
                row.scanned,
                row.log.visitors if row.log else 0,
                _supplies(row, "used"),
                _supplies(row, "restocked"),
                _incidents(row),
                row.log.handover if row.log else "",
            ]
        )
    return out


def _station(request: HttpRequest, code: str) -> Station:
    scope = require_perm(request, StationPerm.VIEW)
    return found_or_404(selectors.station_get, scope=scope, code=code)


@login_required
def week(request: HttpRequest, code: str) -> HttpResponse:
    station = _station(request, code)
    scope = require_perm(request, StationPerm.VIEW)
    monday = monday_of(request.GET.get("monday"))
    rows = selectors.week_at_a_glance(scope=scope, station=station, monday=monday)
    return render(
        request,
        "stations/week.html",
        {
            "section": "stations",
            "station": station,
            "monday": monday,
            "sunday": monday + timedelta(days=6),
            "previous": monday - timedelta(days=7),
            "next": monday + timedelta(days=7),
            "this_monday": monday_of(None),
            "rows": [(row, line, state_of(row)) for row, line in zip(rows, _lines(rows), strict=True)],
            "totals": {
                "shifts": len(rows),
                "missed": sum(1 for r in rows if r.missed),
                "late": sum(1 for r in rows if any(c.late for c in r.checkins)),
                "visitors": sum(r.visitors for r in rows),
            },
            "incidents": list(selectors.open_incidents(scope=scope, station=station)),
            "can_roster": scope.has_perm(StationPerm.ROSTER, station.org_path),
        },
    )


@login_required
def week_export(request: HttpRequest, code: str) -> HttpResponse:
    """The week as an Excel workbook (one row per shift), audited."""
    station = _station(request, code)
    scope = require_perm(request, StationPerm.VIEW)
    monday = monday_of(request.GET.get("monday"))
    rows = selectors.week_at_a_glance(scope=scope, station=station, monday=monday)
    body = xlsx_bytes(HEADERS, _lines(rows), sheet="值班周报")
    name = f"{station.code}-值班周报-{monday.isoformat()}.xlsx"
    with transaction.atomic(), unscoped():
        audit_record(
            actor=actor_of(request),
            action="stations.week_export",
            org=station.org,
            target=station,
            data={"station": station.code, "first": monday.isoformat(), "shifts": len(rows)},
        )
    response = HttpResponse(body, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=name)
    return response


@login_required
@require_POST
def incident_resolve(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    station = _station(request, code)
    scope = require_perm(request, StationPerm.ROSTER, station.org_path)
    incident = found_or_404(_incident, scope=scope, station=station, pk=pk)
    run_action(
        request,
        "事件已办结。",
        lambda: services.incident_resolve(
            actor=actor_of(request), scope=scope, incident=incident, follow_up=request.POST.get("follow_up", "")
        ),
    )
    monday = monday_of(request.POST.get("monday"))
    return redirect(f"{reverse('stations:week', args=[station.code])}?monday={monday.isoformat()}")


def _incident(*, scope: Any, station: Station, pk: int) -> DutyIncident:
    from gonghui.core.errors import NotFoundError

    incident = selectors.open_incidents(scope=scope, station=station).filter(pk=pk).first()
    if incident is None:
        raise NotFoundError()
    return incident
