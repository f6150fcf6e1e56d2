"""Reads on stations: scoped lists for staff, and the public nearest-station search."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import BooleanField, Count, Exists, ExpressionWrapper, F, OuterRef, Q, QuerySet, Sum
from django.utils import timezone

from gonghui.core.errors import NotFoundError
from gonghui.core.regions import prefecture_code, region_get
from gonghui.core.scoping import Scope, subtrees_q, unscoped
from gonghui.core.stats import sums_by_month
from gonghui.stations.coords import haversine_m
from gonghui.stations.hours import OpeningHours, Window
from gonghui.stations.models import (
    OPEN_SWAP_STATUSES,
    BuildMode,
    DutyAssignment,
    DutyCheckIn,
    DutyGroup,
    DutyIncident,
    DutyLog,
    DutyShift,
    GroupMember,
    Holiday,
    Station,
    StationClosedDay,
    StationInspection,
    StationPhoto,
    StationVisit,
    SwapRequest,
    SwapStatus,
    VolunteerStatus,
)
from gonghui.stations.permissions import StationPerm

METRES_PER_DEGREE = 111_320.0  # along a meridian; along a parallel times cos(latitude)
FIRST_RADIUS_M = 1_000.0
MAX_RADIUS_M = 200_000.0
MAX_NEAREST = 50


def station_list(
    *,
    scope: Scope,
    q: str = "",
    closed: bool | None = None,
    region: str = "",
    build_mode: str = "",
    open_now: bool = False,
    at: datetime | None = None,
) -> QuerySet[Station]:
    """The stations the scope may see, filtered: text, region (a province, city or county), build mode, open now."""
    qs = Station.objects.within(scope, StationPerm.VIEW).select_related("org").order_by("code")
    if q:
        qs = qs.filter(Q(name__contains=q) | Q(code__startswith=q.upper()) | Q(address__contains=q))
    if closed is not None:
        qs = qs.filter(is_closed=closed)
    if region:
        qs = qs.filter(region_code__startswith=region_prefix(region))
    if build_mode:
        qs = qs.filter(build_mode=build_mode)
    if open_now:
        qs = qs.filter(open_now_q(at or timezone.now()))
    return qs


def region_prefix(code: str) -> str:
    """The digits a GB/T 2260 code's subtree shares: 520000 → 52, 520200 → 5202, 520201 → 520201."""
    while len(code) > 2 and code.endswith("00"):
        code = code[:-2]
    return code


def open_now_q(at: datetime) -> Q:
    """Stations open at `at`, as `Station.is_open_at` decides it, in one condition the database answers.

    The kind of today and of yesterday is the same for every station (holidays are national);
    a window opened today runs from its opening (to its closing, or on past midnight), one opened
    yesterday that runs past midnight is still open before its closing; a closed day of the
    station takes away the window that opens on it.
    """
    local = timezone.localtime(at)
    today, now = local.date(), local.time().replace(tzinfo=None)
    yesterday = date.fromordinal(today.toordinal() - 1)
    holidays = holidays_between(yesterday, today)

    def kind(day: date) -> str:
        if day in holidays:
            return "holiday"
        return "weekend" if day.weekday() >= 5 else "weekday"

    t, y = kind(today), kind(yesterday)
    opens = F(f"{t}_opens")
    # Opened today and not yet closed: closing after opening and still ahead, or past midnight.
    today_window = Q(**{f"{t}_opens__lte": now}) & (
        (Q(**{f"{t}_closes__gt": opens}) & Q(**{f"{t}_closes__gt": now})) | Q(**{f"{t}_closes__lte": opens})
    )
    yesterday_tail = Q(**{f"{y}_closes__lte": F(f"{y}_opens"), f"{y}_closes__gt": now})
    closed_today = StationClosedDay.all_objects.filter(station=OuterRef("pk"), day=today)
    closed_yesterday = StationClosedDay.all_objects.filter(station=OuterRef("pk"), day=yesterday)
    return Q(is_closed=False) & ((today_window & ~Exists(closed_today)) | (yesterday_tail & ~Exists(closed_yesterday)))


def station_get(*, scope: Scope, code: str, perm: str = StationPerm.VIEW) -> Station:
    """The station with `code` if the scope may see it; a foreign one is not found."""
    station = Station.objects.within(scope, perm).select_related("org").filter(code=(code or "").upper()).first()
    if station is None:
        raise NotFoundError()
    return station


def with_open_now(qs: QuerySet[Station], at: datetime | None = None) -> QuerySet[Station]:
    """`qs` with `open_now` on each row, as the filter decides it (one query, no row-by-row reads)."""
    return qs.annotate(open_now=ExpressionWrapper(open_now_q(at or timezone.now()), output_field=BooleanField()))


def station_points(qs: QuerySet[Station], *, limit: int, at: datetime | None = None) -> list[dict[str, Any]]:
    """The map's rows of `qs` (code, name, address, lat, lng, is_closed, open_now), in one query."""
    open_now = ExpressionWrapper(open_now_q(at or timezone.now()), output_field=BooleanField())
    rows = qs.select_related(None).annotate(open_now=open_now)
    return [dict(row) for row in rows.values("code", "name", "address", "lat", "lng", "is_closed", "open_now")[:limit]]


def holidays_between(first: date, last: date) -> set[date]:
    return set(Holiday.objects.filter(day__gte=first, day__lte=last).values_list("day", flat=True))


def closed_days(station: Station, first: date, last: date) -> set[date]:
    with unscoped():
        rows = StationClosedDay.objects.filter(station=station, day__gte=first, day__lte=last)
        return set(rows.values_list("day", flat=True))


def group_list(*, scope: Scope, station: Station) -> list[DutyGroup]:
    qs = DutyGroup.objects.within(scope, StationPerm.VIEW).filter(station=station).select_related("leader")
    return list(qs.annotate(volunteers=Count("members", filter=Q(members__status=VolunteerStatus.APPROVED))))


def volunteer_list(*, scope: Scope, station: Station) -> list[GroupMember]:
    """The station's live volunteers (pending and approved), by group, with their person."""
    qs = GroupMember.objects.within(scope, StationPerm.VIEW).filter(
        station=station, status__in=[VolunteerStatus.PENDING, VolunteerStatus.APPROVED]
    )
    return list(qs.select_related("person", "group", "membership__org").order_by("group_id", "status", "id"))


def volunteer_get(*, scope: Scope, station: Station, pk: int) -> GroupMember:
    found = GroupMember.objects.within(scope, StationPerm.VIEW).filter(station=station, pk=pk).first()
    if found is None:
        raise NotFoundError()
    return found


def group_get(*, scope: Scope, station: Station, pk: int) -> DutyGroup:
    found = DutyGroup.objects.within(scope, StationPerm.VIEW).filter(station=station, pk=pk).first()
    if found is None:
        raise NotFoundError()
    return found


def swaps_waiting(*, scope: Scope, station: Station) -> list[SwapRequest]:
    """The station's swaps the other volunteer accepted, waiting for the leader or staff (and those still asked)."""
    qs = SwapRequest.objects.within(scope, StationPerm.VIEW).filter(
        assignment__shift__station=station, status__in=OPEN_SWAP_STATUSES
    )
    related = ("requester", "counterpart", "assignment__shift__group", "counter_assignment__shift")
    return list(qs.select_related(*related).order_by("assignment__shift__starts_at", "id"))


def swaps_to_approve(*, scope: Scope) -> list[SwapRequest]:
    """Swaps the other volunteer accepted, at every station where the scope manages rosters, soonest first."""
    qs = SwapRequest.objects.within(scope, StationPerm.ROSTER).filter(status=SwapStatus.ACCEPTED)
    related = ("requester", "counterpart", "assignment__shift__station", "assignment__shift__group")
    return list(
        qs.select_related(*related, "counter_assignment__shift").order_by("assignment__shift__starts_at", "id")[:200]
    )


def swap_get(*, scope: Scope, station: Station, pk: int) -> SwapRequest:
    found = (
        SwapRequest.objects.within(scope, StationPerm.VIEW).filter(assignment__shift__station=station, pk=pk).first()
    )
    if found is None:
        raise NotFoundError()
    return found


def inspection_list(*, scope: Scope, station: Station) -> list[StationInspection]:
    qs = StationInspection.objects.within(scope, StationPerm.VIEW).filter(station=station)
    return list(qs.select_related("inspector").order_by("-year"))


def photo_list(*, scope: Scope, station: Station) -> list[StationPhoto]:
    return list(StationPhoto.objects.within(scope, StationPerm.VIEW).filter(station=station).order_by("id"))


def photo_get(*, scope: Scope, pk: int, perm: str = StationPerm.VIEW) -> StationPhoto:
    found = StationPhoto.objects.within(scope, perm).select_related("station").filter(pk=pk).first()
    if found is None:
        raise NotFoundError()
    return found


def closed_day_list(*, scope: Scope, station: Station, since: date) -> list[StationClosedDay]:
    qs = StationClosedDay.objects.within(scope, StationPerm.VIEW).filter(station=station, day__gte=since)
    return list(qs.order_by("day"))


def stations_by_city(paths: list[str] | None) -> list[tuple[str, str, int]]:
    """[(prefecture code, its short name, count)] of the stations not closed under `paths`, most first."""
    with unscoped():
        qs = Station.objects.filter(is_closed=False).exclude(region_code="")
        if paths is not None:
            qs = qs.filter(subtrees_q("org_path", paths))
        totals: dict[str, int] = {}
        for row in qs.values("region_code").annotate(n=Count("pk")):
            key = prefecture_code(row["region_code"])
            totals[key] = totals.get(key, 0) + row["n"]

    def name(code: str) -> str:
        region = region_get(code)
        return region.name if region is not None else code

    return sorted(((code, name(code), n) for code, n in totals.items()), key=lambda t: (-t[2], t[0]))


def shift_list(*, scope: Scope, station: Station, first: date, last: date) -> QuerySet[DutyShift]:
    qs = DutyShift.objects.within(scope, StationPerm.VIEW).filter(station=station, day__gte=first, day__lte=last)
    return qs.select_related("group").annotate(holders=Count("assignments")).order_by("starts_at")


def duties_of(*, person_id: int, first: date, last: date) -> QuerySet[DutyAssignment]:
    """A volunteer's own places on shifts (the phone's "my duty"): their own rows, no staff scope."""
    with unscoped():
        qs = DutyAssignment.objects.filter(person_id=person_id, shift__day__gte=first, shift__day__lte=last)
        return qs.select_related("shift", "shift__station").order_by("shift__starts_at")


def duty_now(*, station: Station, person_id: int, at: datetime) -> DutyShift | None:
    """The shift of `station` the person is on duty for at `at` (from the early window before it to its end).

    Theirs when they hold a place on it, or when it is their group's (a weekly rotation's day,
    which the group's volunteers share); the earliest such shift first.
    """
    early = timedelta(minutes=settings.GONGHUI_STATION_EARLY_MINUTES)
    with unscoped():
        groups = GroupMember.objects.filter(
            station=station, person_id=person_id, status=VolunteerStatus.APPROVED
        ).values("group_id")
        holds = Q(assignments__person_id=person_id) | Q(held_by_group=True, group_id__in=groups)
        qs = DutyShift.objects.filter(station=station, starts_at__lte=at + early, ends_at__gte=at).filter(holds)
        return qs.order_by("starts_at", "pk").first()


def duty_shifts_of(*, person_id: int, first: date, last: date) -> list[DutyShift]:
    """A volunteer's duties (the phone's 我的值班): shifts they hold a place on, and their groups' weeks."""
    with unscoped():
        groups = GroupMember.objects.filter(person_id=person_id, status=VolunteerStatus.APPROVED).values("group_id")
        holds = Q(assignments__person_id=person_id) | Q(held_by_group=True, group_id__in=groups)
        qs = DutyShift.objects.filter(holds, day__gte=first, day__lte=last).distinct()
        checked = DutyCheckIn.objects.filter(shift=OuterRef("pk"), person_id=person_id)
        return list(
            qs.select_related("station", "group").annotate(checked_in=Exists(checked)).order_by("starts_at", "pk")
        )


@dataclass(frozen=True)
class DayAtGlance:
    """One shift of the week as the manager sees it."""

    shift: DutyShift
    holders: list[str]
    checkins: list[DutyCheckIn]
    log: DutyLog | None
    scanned: int  # visits recorded by scanning during the shift

    @property
    def missed(self) -> bool:
        return self.shift.ends_at <= timezone.now() and not self.checkins

    @property
    def short(self) -> bool:
        """Fewer people hold it than it needs (a group's day counts as held by the group)."""
        return not self.shift.held_by_group and len(self.holders) < self.shift.capacity

    @property
    def visitors(self) -> int:
        return self.scanned + (self.log.visitors if self.log else 0)


def week_at_a_glance(*, scope: Scope, station: Station, monday: date) -> list[DayAtGlance]:
    """Every shift of the week from `monday`, with who holds it, check-ins, the log and the visits."""
    last = monday + timedelta(days=6)
    shifts = list(
        DutyShift.objects.within(scope, StationPerm.VIEW)
        .filter(station=station, day__gte=monday, day__lte=last)
        .select_related("group")
        .order_by("starts_at", "pk")
    )
    ids = [s.pk for s in shifts]
    with unscoped():
        holders: dict[int, list[str]] = {pk: [] for pk in ids}
        for shift_id, name in DutyAssignment.objects.filter(shift_id__in=ids).values_list("shift_id", "person__name"):
            holders[shift_id].append(name)
        checkins: dict[int, list[DutyCheckIn]] = {pk: [] for pk in ids}
        for row in DutyCheckIn.objects.filter(shift_id__in=ids).select_related("person"):
            checkins[row.shift_id].append(row)
        logs = {
            log.shift_id: log
            for log in DutyLog.objects.filter(shift_id__in=ids).prefetch_related("supplies", "incidents")
        }
        scanned = _visits_in(station, shifts)
    return [DayAtGlance(s, holders[s.pk], checkins[s.pk], logs.get(s.pk), scanned.get(s.pk, 0)) for s in shifts]


def _visits_in(station: Station, shifts: list[DutyShift]) -> dict[int, int]:
    """Scanned visits during each shift's window, in one query."""
    if not shifts:
        return {}
    aggregates = {
        str(s.pk): Count("pk", filter=Q(visited_at__gte=s.starts_at, visited_at__lt=s.ends_at)) for s in shifts
    }
    row = StationVisit.objects.filter(
        station=station, visited_at__gte=shifts[0].starts_at, visited_at__lt=max(s.ends_at for s in shifts)
    ).aggregate(**aggregates)
    return {int(k): v for k, v in row.items() if v}


def log_of(*, shift: DutyShift) -> DutyLog | None:
    with unscoped():
        return DutyLog.objects.filter(shift=shift).prefetch_related("supplies", "incidents").first()


def open_incidents(*, scope: Scope, station: Station | None = None) -> QuerySet[DutyIncident]:
    qs = DutyIncident.objects.within(scope, StationPerm.VIEW).filter(resolved_at__isnull=True)
    if station is not None:
        qs = qs.filter(station=station)
    return qs.select_related("station", "log__shift", "reported_by")


# --- the nearest stations -------------------------------------------------------------------------


@dataclass(frozen=True)
class Nearby:
    station: Station
    distance_m: float
    is_open: bool


HOUR_FIELDS = tuple(f"{kind}_{end}" for kind in ("weekday", "weekend", "holiday") for end in ("opens", "closes"))


def _box(lat: float, lng: float, radius_m: float) -> Q:
    d_lat = radius_m / METRES_PER_DEGREE
    d_lng = radius_m / (METRES_PER_DEGREE * max(math.cos(math.radians(lat)), 0.01))
    return Q(lat__gte=lat - d_lat, lat__lte=lat + d_lat, lng__gte=lng - d_lng, lng__lte=lng + d_lng)


def _hours(times: tuple[Any, ...], cache: dict[tuple[Any, ...], OpeningHours]) -> OpeningHours:
    """The opening hours of six stored times; stations share a few plans, so each is built once."""
    hours = cache.get(times)
    if hours is None:
        windows = [Window(times[i], times[i + 1]) if times[i] is not None else None for i in (0, 2, 4)]
        hours = cache[times] = OpeningHours(weekday=windows[0], weekend=windows[1], holiday=windows[2])
    return hours


def _open_by_hours(wall: datetime, holidays: set[date]) -> Q:
    """Stations whose hours hold `wall` (naive local time): today's window, or last night's running past midnight.

    The same rule as `OpeningHours.is_open_at` without the stations' own closed days, which can
    only close a station: a superset of the open ones, narrowed in Python.
    """
    now = wall.time()

    def kind(day: date) -> str:
        return "holiday" if day in holidays else "weekend" if day.weekday() >= 5 else "weekday"

    today, yesterday = kind(wall.date()), kind(wall.date() - timedelta(days=1))
    opens, closes = f"{today}_opens", f"{today}_closes"
    since_today = Q(**{f"{opens}__lte": now}) & (Q(**{f"{closes}__gt": now}) | Q(**{f"{closes}__lte": F(opens)}))
    y_opens, y_closes = f"{yesterday}_opens", f"{yesterday}_closes"
    from_last_night = Q(**{f"{y_closes}__lte": F(y_opens), f"{y_closes}__gt": now})
    return since_today | from_last_night


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
    every station outside is farther than the last one kept, and the answer is exact. The
    square is read as positions only (with `open_now`, only the stations whose hours hold the
    time, and their hours): whole rows are read for the stations kept, and the stations' own
    closed days only for those in the circle.
    """
    at = at or timezone.now()
    wall = timezone.localtime(at).replace(tzinfo=None)
    # Yesterday too: a late window that opened then may still be running.
    yesterday = date.fromordinal(wall.date().toordinal() - 1)
    holidays = holidays_between(yesterday, wall.date())
    columns = ("pk", "lat", "lng", *(HOUR_FIELDS if open_now else ()))
    plans: dict[tuple[Any, ...], OpeningHours] = {}
    closed: dict[int, set[date]] = {}  # closed days of the stations looked at so far

    def is_open(pk: int, times: tuple[Any, ...]) -> bool:
        return _hours(times, plans).is_open_at(wall, holidays=holidays, closed_days=closed.get(pk, ()))

    radius = FIRST_RADIUS_M
    with unscoped():
        base = Station.objects.filter(is_closed=False)
        if facility:
            base = base.filter(facilities__contains=f",{facility},")
        if open_now:
            base = base.filter(_open_by_hours(wall, holidays))
        while True:
            rows = base.filter(_box(lat, lng, radius)).values_list(*columns)
            ranked = sorted((haversine_m(lat, lng, row[1], row[2]), row[0], row[3:]) for row in rows)
            last = radius >= MAX_RADIUS_M
            # At the widest square, the corners count too (nothing farther will be read).
            inside = ranked if last else [r for r in ranked if r[0] <= radius]
            if open_now and (len(inside) >= limit or last):
                # Their own closed days can only close some: read them once there are enough.
                _add_closed_days(closed, [pk for _d, pk, _t in inside if pk not in closed], yesterday, wall.date())
                inside = [r for r in inside if is_open(r[1], r[2])]
            if len(inside) >= limit or last:
                break
            radius = min(radius * _growth(len(inside), limit), MAX_RADIUS_M)
        kept = inside[:limit]
        stations = Station.objects.in_bulk([pk for _d, pk, _t in kept])
        if open_now:
            return [Nearby(stations[pk], distance, True) for distance, pk, _t in kept]
        _add_closed_days(closed, list(stations), yesterday, wall.date())
        return [
            Nearby(station, distance, station.is_open_at(at, holidays=holidays, closed_days=closed[pk]))
            for distance, pk, _t in kept
            for station in [stations[pk]]
        ]


def _growth(found: int, wanted: int) -> float:
    """How much wider the next square is: as far as the density seen so far says `wanted` lie, and then some.

    Any growth keeps the answer exact; a good guess saves a round trip (most answers take two).
    """
    if not found:
        return 4.0
    return min(max(1.3 * math.sqrt(wanted / found), 1.5), 4.0)


def _add_closed_days(into: dict[int, set[date]], station_ids: list[int], first: date, last: date) -> None:
    """The closed days from `first` to `last` of these stations, added to `into` (an empty set for none)."""
    if not station_ids:
        return
    for pk in station_ids:
        into.setdefault(pk, set())
    rows = StationClosedDay.objects.filter(station_id__in=station_ids, day__gte=first, day__lte=last)
    for station_id, day in rows.values_list("station_id", "day"):
        into[station_id].add(day)


# --- statistics -----------------------------------------------------------------------------------


def station_counts(paths: list[str] | None) -> dict[str, Any]:
    """The statistics keys, in five queries (one per table; the shifts' with their logs and check-ins)."""
    with unscoped():

        def within(qs: QuerySet[Any]) -> QuerySet[Any]:
            return qs.filter(subtrees_q("org_path", paths)) if paths is not None else qs

        stations = within(Station.objects.filter(is_closed=False)).aggregate(
            stations=Count("pk"), cobuilt=Count("pk", filter=Q(build_mode=BuildMode.COBUILT))
        )
        volunteers = within(GroupMember.objects.filter(status=VolunteerStatus.APPROVED))
        # A missed duty: a shift that has ended with nobody checked in (the station opened unattended).
        checked = DutyCheckIn.objects.filter(shift=OuterRef("pk"))
        nobody = Q(Q(ends_at__lte=timezone.now()), ~Exists(checked))
        # The shift-to-log join is one-to-one: counting shifts over it counts each once.
        shifts = within(DutyShift.objects.all()).aggregate(
            shifts=Count("pk"),
            missed=Count("pk", filter=nobody),
            late=Count("pk", filter=Q(Exists(checked.filter(late=True)))),
            logged=Sum("log__visitors"),
        )
        visits = within(StationVisit.objects.all()).count()
        return {
            "stations": stations["stations"],
            "stations_cobuilt": stations["cobuilt"],
            "station_volunteers": volunteers.values("person_id").distinct().count(),
            "duty_groups": within(DutyGroup.objects.all()).count(),
            "duty_shifts": shifts["shifts"],
            "duty_shifts_missed": shifts["missed"],
            "duty_shifts_late": shifts["late"],
            "station_visits": visits + (shifts["logged"] or 0),
        }


def visits_by_month(paths: list[str] | None, *, months: int = 12) -> dict[str, int]:
    """Visits (scanned, plus those the logs counted by hand) per month for the last `months`: {"YYYY-MM": n}."""
    first = _months_back(timezone.localdate(), months - 1)
    with unscoped():

        def within(qs: QuerySet[Any]) -> QuerySet[Any]:
            return qs.filter(subtrees_q("org_path", paths)) if paths is not None else qs

        scanned = sums_by_month(
            within(StationVisit.objects.all()), field="visited_at", sums={"n": "pk"}, since=first, aggregate=Count
        )["n"]
        logged = sums_by_month(
            within(DutyShift.objects.filter(log__visitors__gt=0)), field="day", sums={"n": "log__visitors"}, since=first
        )["n"]
    out: dict[str, int] = {}
    for key in sorted(set(scanned) | set(logged)):
        out[key] = scanned.get(key, 0) + logged.get(key, 0)
    return out


def _months_back(today: date, n: int) -> date:
    index = today.year * 12 + today.month - 1 - n
    return date(index // 12, index % 12 + 1, 1)
