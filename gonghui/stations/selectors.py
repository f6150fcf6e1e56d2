"""Reads on stations: scoped lists for staff, and the public nearest-station search."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from gonghui.core.errors import NotFoundError
from gonghui.core.scoping import Scope, subtrees_q, unscoped
from gonghui.stations.coords import haversine_m
from gonghui.stations.models import (
    BuildMode,
    DutyAssignment,
    DutyGroup,
    DutyShift,
    GroupMember,
    Holiday,
    Station,
    StationClosedDay,
    VolunteerStatus,
)
from gonghui.stations.permissions import StationPerm

METRES_PER_DEGREE = 111_320.0  # along a meridian; along a parallel times cos(latitude)
FIRST_RADIUS_M = 2_000.0
MAX_RADIUS_M = 200_000.0
MAX_NEAREST = 50


def station_list(*, scope: Scope, q: str = "", closed: bool | None = None) -> QuerySet[Station]:
    qs = Station.objects.within(scope, StationPerm.VIEW).select_related("org").order_by("code")
    if q:
        qs = qs.filter(Q(name__contains=q) | Q(code__startswith=q.upper()) | Q(address__contains=q))
    if closed is not None:
        qs = qs.filter(is_closed=closed)
    return qs


def station_get(*, scope: Scope, code: str, perm: str = StationPerm.VIEW) -> Station:
    """The station with `code` if the scope may see it; a foreign one is not found."""
    station = Station.objects.within(scope, perm).select_related("org").filter(code=(code or "").upper()).first()
    if station is None:
        raise NotFoundError()
    return station


def holidays_between(first: date, last: date) -> set[date]:
    return set(Holiday.objects.filter(day__gte=first, day__lte=last).values_list("day", flat=True))


def closed_days(station: Station, first: date, last: date) -> set[date]:
    with unscoped():
        rows = StationClosedDay.objects.filter(station=station, day__gte=first, day__lte=last)
        return set(rows.values_list("day", flat=True))


def group_list(*, scope: Scope, station: Station) -> list[DutyGroup]:
    qs = DutyGroup.objects.within(scope, StationPerm.VIEW).filter(station=station).select_related("leader")
    return list(qs.annotate(volunteers=Count("members", filter=Q(members__status=VolunteerStatus.APPROVED))))


def shift_list(*, scope: Scope, station: Station, first: date, last: date) -> QuerySet[DutyShift]:
    qs = DutyShift.objects.within(scope, StationPerm.VIEW).filter(station=station, day__gte=first, day__lte=last)
    return qs.select_related("group").annotate(holders=Count("assignments")).order_by("starts_at")


def duties_of(*, person_id: int, first: date, last: date) -> QuerySet[DutyAssignment]:
    """A volunteer's own places on shifts (the phone's "my duty"): their own rows, no staff scope."""
    with unscoped():
        qs = DutyAssignment.objects.filter(person_id=person_id, shift__day__gte=first, shift__day__lte=last)
        return qs.select_related("shift", "shift__station").order_by("shift__starts_at")


# --- the nearest stations -------------------------------------------------------------------------


@dataclass(frozen=True)
class Nearby:
    station: Station
    distance_m: float
    is_open: bool


def _box(lat: float, lng: float, radius_m: float) -> Q:
    d_lat = radius_m / METRES_PER_DEGREE
    d_lng = radius_m / (METRES_PER_DEGREE * max(math.cos(math.radians(lat)), 0.01))
    return Q(lat__gte=lat - d_lat, lat__lte=lat + d_lat, lng__gte=lng - d_lng, lng__lte=lng + d_lng)


def stations_nearest(
    *,
    lat: float,
    lng: float,
    limit: int = 5,
    open_now: bool = False,
    facility: str = "",
    at: datetime | None = None,
) -> list[Nearby]:
    """The `limit` open-for-business stations nearest to (lat, lng) in GCJ-02, nearest first.

    Public data (the map shows every station): no scope. The index on (lat, lng) answers a
    square around the point; it grows until the circle inside it holds `limit` matches, so
    every station outside is farther than the last one kept, and the answer is exact.
    """
    at = at or timezone.now()
    local_day = timezone.localtime(at).date()
    # Yesterday too: a late window that opened then may still be running.
    yesterday = date.fromordinal(local_day.toordinal() - 1)
    holidays = holidays_between(yesterday, local_day)
    radius = FIRST_RADIUS_M
    seen: dict[int, Nearby] = {}
    examined: set[int] = set()  # read in a smaller square already (kept or filtered out)
    with unscoped():
        base = Station.objects.filter(is_closed=False)
        if facility:
            base = base.filter(facilities__contains=f",{facility},")
        while True:
            candidates = list(base.filter(_box(lat, lng, radius)).exclude(pk__in=examined))
            examined.update(station.pk for station in candidates)
            closed = _closed_today(candidates, yesterday, local_day) if candidates else {}
            for station in candidates:
                is_open = station.is_open_at(at, holidays=holidays, closed_days=closed.get(station.pk, set()))
                if open_now and not is_open:
                    continue
                seen[station.pk] = Nearby(station, haversine_m(lat, lng, station.lat, station.lng), is_open)
            inside = sum(1 for n in seen.values() if n.distance_m <= radius)
            if inside >= limit or radius >= MAX_RADIUS_M:
                break
            radius *= 2
    return sorted(seen.values(), key=lambda n: (n.distance_m, n.station.pk))[:limit]


def _closed_today(stations: list[Station], first: date, last: date) -> dict[int, set[date]]:
    out: dict[int, set[date]] = {}
    rows = StationClosedDay.objects.filter(station__in=stations, day__gte=first, day__lte=last)
    for station_id, day in rows.values_list("station_id", "day"):
        out.setdefault(station_id, set()).add(day)
    return out


# --- statistics -----------------------------------------------------------------------------------


def station_counts(paths: list[str] | None) -> dict[str, Any]:
    """The statistics keys, in four queries (one per table)."""
    with unscoped():

        def within(qs: QuerySet[Any]) -> QuerySet[Any]:
            return qs.filter(subtrees_q("org_path", paths)) if paths is not None else qs

        stations = within(Station.objects.filter(is_closed=False)).aggregate(
            stations=Count("pk"), cobuilt=Count("pk", filter=Q(build_mode=BuildMode.COBUILT))
        )
        volunteers = within(GroupMember.objects.filter(status=VolunteerStatus.APPROVED))
        # Until check-in exists (issue 16's next slice), a missed shift is one that ended with
        # nobody on it: not a group's week, and no volunteer took a place.
        nobody = Q(ends_at__lte=timezone.now(), held_by_group=False, assignments__isnull=True)
        shifts = within(DutyShift.objects.all()).aggregate(
            shifts=Count("pk", distinct=True), missed=Count("pk", filter=nobody, distinct=True)
        )
        return {
            "stations": stations["stations"],
            "stations_cobuilt": stations["cobuilt"],
            "station_volunteers": volunteers.values("person_id").distinct().count(),
            "duty_groups": within(DutyGroup.objects.all()).count(),
            "duty_shifts": shifts["shifts"],
            "duty_shifts_missed": shifts["missed"],
        }
