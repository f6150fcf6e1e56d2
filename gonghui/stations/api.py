"""`/api/v1/stations`: the public nearest-station search, and the scoped list and detail for staff.

The nearest search answers anyone (a rider's phone, signed in or not): stations are public
on the map. It shows the manager's phone masked; the detail shows it in full only with
`stations.station.view_phone`.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from gonghui.core.api_common import paginate, request_scope
from gonghui.core.errors import DomainError
from gonghui.core.masking import mask_mobile
from gonghui.core.words import ChoiceError, match
from gonghui.stations import selectors
from gonghui.stations.models import Station
from gonghui.stations.permissions import StationPerm
from gonghui.stations.services import to_gcj02

router = Router(tags=["stations"])


class NearbyOut(Schema):
    code: str
    name: str
    address: str
    lat: float  # the station's position in GCJ-02 (as stored, as 高德/腾讯 tiles draw), whatever `datum` was asked in
    lng: float
    distance_m: int
    is_open: bool
    build_mode: str
    facilities: list[str]
    manager_name: str
    manager_phone: str


class StationOut(Schema):
    code: str
    name: str
    address: str
    region_code: str
    org_code: str
    org_name: str
    lat: float
    lng: float
    build_mode: str
    build_mode_label: str
    partner_kind: str
    partner_name: str
    area_m2: float | None
    facilities: list[str]
    manager_name: str
    manager_phone: str
    is_closed: bool


class GroupOut(Schema):
    id: int
    name: str
    leader: str | None
    volunteers: int


class ShiftOut(Schema):
    id: int
    day: date
    starts_at: datetime
    ends_at: datetime
    group: str | None
    capacity: int
    held_by_group: bool
    holders: int
    short: int


class StationPage(Schema):
    items: list[StationOut]
    count: int
    page: int


def station_out(station: Station, *, full_phone: bool) -> dict[str, Any]:
    return {
        "code": station.code,
        "name": station.name,
        "address": station.address,
        "region_code": station.region_code,
        "org_code": station.org.code,
        "org_name": station.org.name,
        "lat": station.lat,
        "lng": station.lng,
        "build_mode": station.build_mode,
        "build_mode_label": station.get_build_mode_display(),
        "partner_kind": station.partner_kind,
        "partner_name": station.partner_name,
        "area_m2": float(station.area_m2) if station.area_m2 is not None else None,
        "facilities": station.facility_codes,
        "manager_name": station.manager_name,
        "manager_phone": station.manager_phone if full_phone else mask_mobile(station.manager_phone),
        "is_closed": station.is_closed,
    }


@router.get("/nearest", response=list[NearbyOut], auth=None, summary="附近的驿站（公开）")
def nearest(
    request: HttpRequest,
    lat: float,
    lng: float,
    datum: str = "wgs84",
    open_now: bool = False,
    facility: str = "",
    limit: int = 5,
) -> list[dict[str, Any]]:
    """The nearest stations to a position (a phone's WGS-84 by default), with distance and whether open now."""
    g_lat, g_lng = to_gcj02(lat, lng, datum)
    code = ""
    if facility:
        try:
            code = match("station_facility", facility)
        except ChoiceError as exc:
            raise DomainError("station.facility_invalid", field="facility", reason=str(exc)) from exc
    found = selectors.stations_nearest(
        lat=g_lat, lng=g_lng, limit=min(max(limit, 1), selectors.MAX_NEAREST), open_now=open_now, facility=code
    )
    return [
        {
            "code": n.station.code,
            "name": n.station.name,
            "address": n.station.address,
            "lat": n.station.lat,
            "lng": n.station.lng,
            "distance_m": round(n.distance_m),
            "is_open": n.is_open,
            "build_mode": n.station.build_mode,
            "facilities": n.station.facility_codes,
            "manager_name": n.station.manager_name,
            "manager_phone": mask_mobile(n.station.manager_phone),
        }
        for n in found
    ]


@router.get("", response=StationPage, summary="驿站（本单位及下级）")
def list_stations(request: HttpRequest, q: str = "", page: int = 1) -> dict[str, Any]:
    scope = request_scope(request)
    rows, count, number = paginate(selectors.station_list(scope=scope, q=q), page)
    return {
        "items": [station_out(s, full_phone=scope.has_perm(StationPerm.VIEW_PHONE, s.org_path)) for s in rows],
        "count": count,
        "page": number,
    }


@router.get("/{code}", response=StationOut, summary="驿站详情")
def station_detail(request: HttpRequest, code: str) -> dict[str, Any]:
    scope = request_scope(request)
    station = selectors.station_get(scope=scope, code=code)
    return station_out(station, full_phone=scope.has_perm(StationPerm.VIEW_PHONE, station.org_path))


@router.get("/{code}/groups", response=list[GroupOut], summary="驿站的值班小组")
def station_groups(request: HttpRequest, code: str) -> list[dict[str, Any]]:
    scope = request_scope(request)
    station = selectors.station_get(scope=scope, code=code)
    return [
        {
            "id": g.pk,
            "name": g.name,
            "leader": g.leader.name if g.leader is not None else None,
            "volunteers": g.volunteers,  # type: ignore[attr-defined]
        }
        for g in selectors.group_list(scope=scope, station=station)
    ]


MAX_SHIFT_DAYS = 93


@router.get("/{code}/shifts", response=list[ShiftOut], summary="驿站的值班表（最多三个月）")
def station_shifts(request: HttpRequest, code: str, first: date, last: date | None = None) -> list[dict[str, Any]]:
    """The shifts from `first` to `last` (default: a week), with how many places are still open (`short`)."""
    scope = request_scope(request)
    station = selectors.station_get(scope=scope, code=code)
    last = min(last or first + timedelta(days=6), first + timedelta(days=MAX_SHIFT_DAYS))
    rows = selectors.shift_list(scope=scope, station=station, first=first, last=last)
    return [
        {
            "id": s.pk,
            "day": s.day,
            "starts_at": s.starts_at,
            "ends_at": s.ends_at,
            "group": s.group.name if s.group is not None else None,
            "capacity": s.capacity,
            "holders": s.holders,  # type: ignore[attr-defined]
            "held_by_group": s.held_by_group,
            # A week's shift is the group's; one for volunteers is short of its empty places.
            "short": 0 if s.held_by_group else max(s.capacity - s.holders, 0),  # type: ignore[attr-defined]
        }
        for s in rows
    ]
