"""Reads for the phone's station pages: public station facts, and a member's own duties and swaps.

Stations are public (the map shows every one); everything about duties is read through the
signed-in member's own person, so another member's shift or swap is simply not found.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone

from gonghui.core.masking import mask_mobile
from gonghui.core.regions import prefecture_code, region_name
from gonghui.core.scoping import unscoped
from gonghui.members.models import Person
from gonghui.stations import selectors as station_selectors
from gonghui.stations.models import (
    LIVE_VOLUNTEER_STATUSES,
    OPEN_SWAP_STATUSES,
    DutyAssignment,
    DutyCheckIn,
    DutyGroup,
    DutyShift,
    GroupMember,
    Station,
    StationClosedDay,
    SwapRequest,
    SwapStatus,
    VolunteerStatus,
)
from gonghui.stations.words import FACILITIES, INCIDENTS, SUPPLIES

FACILITY_LABELS = dict(FACILITIES)
SEARCH_LIMIT = 50
DUTY_DAYS_BACK = 14
DUTY_DAYS_AHEAD = 35


def facility_labels(codes: list[str]) -> list[str]:
    return [FACILITY_LABELS.get(code, code) for code in codes]


def supply_words() -> list[str]:
    """What the duty log's item field suggests (the `station_supply` table's labels)."""
    return [label for _code, label in SUPPLIES]


def incident_words() -> list[str]:
    return [label for _code, label in INCIDENTS]


def station_public(*, code: str) -> Station | None:
    """Any station by its code (what its QR code carries), closed ones too: the page says so."""
    with unscoped():
        return Station.objects.select_related("org").filter(code=(code or "").strip().upper()).first()


def _open_flags(stations: list[Station], at: datetime) -> dict[int, bool]:
    """Whether each station is open at `at`, in two queries whatever the number of stations."""
    today = timezone.localtime(at).date()
    yesterday = today - timedelta(days=1)
    holidays = station_selectors.holidays_between(yesterday, today)
    closed: dict[int, set[date]] = {}
    with unscoped():
        rows = StationClosedDay.objects.filter(station__in=stations, day__gte=yesterday, day__lte=today)
        for station_id, day in rows.values_list("station_id", "day"):
            closed.setdefault(station_id, set()).add(day)
    return {s.pk: s.is_open_at(at, holidays=holidays, closed_days=closed.get(s.pk, set())) for s in stations}


def _window_text(opens: object, closes: object) -> str:
    if opens is None or closes is None:
        return "不开放"
    if opens == closes:
        return "全天开放"
    text = f"{opens:%H:%M}–{closes:%H:%M}"
    return text + "（次日）" if closes < opens else text  # type: ignore[operator]


@dataclass(frozen=True)
class StationFacts:
    """What the station's page shows anyone."""

    station: Station
    is_open: bool
    hours: list[tuple[str, str]]
    facilities: list[str]
    manager_phone: str
    city: str


def station_facts(station: Station, *, at: datetime | None = None) -> StationFacts:
    at = at or timezone.now()
    s = station
    return StationFacts(
        station=s,
        is_open=_open_flags([s], at)[s.pk],
        hours=[
            ("工作日", _window_text(s.weekday_opens, s.weekday_closes)),
            ("周末", _window_text(s.weekend_opens, s.weekend_closes)),
            ("节假日", _window_text(s.holiday_opens, s.holiday_closes)),
        ],
        facilities=facility_labels(s.facility_codes),
        manager_phone=mask_mobile(s.manager_phone) if s.manager_phone else "",
        city=region_name(prefecture_code(s.region_code)) if s.region_code else "",
    )


def station_cities() -> list[tuple[str, str]]:
    """(prefecture code, name) of every city with an open station, for the fallback's choice."""
    with unscoped():
        codes = Station.objects.filter(is_closed=False).exclude(region_code="").values_list("region_code", flat=True)
        cities = {prefecture_code(code) for code in codes.order_by().distinct()}
    return sorted(((c, region_name(c) or c) for c in cities), key=lambda pair: pair[0])


@dataclass(frozen=True)
class Found:
    station: Station
    is_open: bool
    facilities: list[str]


def stations_search(*, city: str = "", q: str = "", open_now: bool = False, at: datetime | None = None) -> list[Found]:
    """Open-for-business stations of a city and/or with `q` in their name or address (no position needed)."""
    at = at or timezone.now()
    city, q = (city or "").strip(), (q or "").strip()[:50]
    if not city and not q:
        return []
    with unscoped():
        qs = Station.objects.filter(is_closed=False)
        if city.isdigit() and len(city) == 6:
            qs = qs.filter(region_code__startswith=city[:2] if city.endswith("0000") else city[:4])
        if q:
            qs = qs.filter(Q(name__contains=q) | Q(address__contains=q))
        stations = list(qs.order_by("name", "pk")[: SEARCH_LIMIT * (3 if open_now else 1)])
        flags = _open_flags(stations, at)
    found = [Found(s, flags[s.pk], facility_labels(s.facility_codes)) for s in stations]
    if open_now:
        found = [f for f in found if f.is_open]
    return found[:SEARCH_LIMIT]


# --- the member on duty ---------------------------------------------------------------------------


def volunteer_at(*, station: Station, person: Person) -> GroupMember | None:
    """The member's live place in one of the station's groups (pending or approved), if any."""
    with unscoped():
        return (
            GroupMember.objects.select_related("group")
            .filter(station=station, person=person, status__in=LIVE_VOLUNTEER_STATUSES)
            .first()
        )


def station_groups(*, station: Station) -> list[DutyGroup]:
    with unscoped():
        return list(DutyGroup.objects.filter(station=station).order_by("pk"))


def open_checkin(*, station: Station, person: Person, at: datetime | None = None) -> DutyCheckIn | None:
    """The member's check-in at this station they may still check out of (as `checkout` finds it)."""
    at = at or timezone.now()
    late = timedelta(hours=settings.GONGHUI_STATION_CHECKOUT_HOURS)
    with unscoped():
        return (
            DutyCheckIn.objects.select_related("shift")
            .filter(
                shift__station=station,
                person=person,
                checked_out_at__isnull=True,
                checked_in_at__lte=at,
                shift__ends_at__gte=at - late,
            )
            .order_by("-checked_in_at")
            .first()
        )


def checkin_of(*, shift: DutyShift, person: Person) -> DutyCheckIn | None:
    with unscoped():
        return DutyCheckIn.objects.filter(shift=shift, person=person).first()


def checked_in_shift(*, person: Person, shift_id: int) -> DutyShift | None:
    """A shift the member checked in to (the only ones whose log they write); another's is None."""
    with unscoped():
        return (
            DutyShift.objects.select_related("station", "group")
            .filter(pk=shift_id, checkins__person=person)
            .distinct()
            .first()
        )


@dataclass
class DutyRow:
    shift: DutyShift
    checked_in: bool
    assignment: DutyAssignment | None  # the member's own place, when they hold one
    can_take: bool  # their group's day, not yet theirs, still ahead
    can_swap: bool
    open_swap: SwapRequest | None = None
    volunteers: list[GroupMember] = field(default_factory=list)


def my_duties(*, person: Person, today: date | None = None, at: datetime | None = None) -> list[DutyRow]:
    """The member's duties from two weeks back to five weeks ahead, with what they may do on each."""
    at = at or timezone.now()
    today = today or timezone.localdate()
    shifts = station_selectors.duty_shifts_of(
        person_id=person.pk, first=today - timedelta(days=DUTY_DAYS_BACK), last=today + timedelta(days=DUTY_DAYS_AHEAD)
    )
    ids = [s.pk for s in shifts]
    with unscoped():
        mine = {a.shift_id: a for a in DutyAssignment.objects.filter(person=person, shift_id__in=ids)}
        holders: dict[int, int] = {}
        for shift_id in DutyAssignment.objects.filter(shift_id__in=ids).values_list("shift_id", flat=True):
            holders[shift_id] = holders.get(shift_id, 0) + 1
        open_swaps = {
            swap.assignment_id: swap
            for swap in SwapRequest.objects.filter(
                assignment__in=list(mine.values()), status__in=OPEN_SWAP_STATUSES
            ).select_related("counterpart")
        }
        stations = {s.station_id for s in shifts if s.pk in mine and s.starts_at > at}
        volunteers: dict[int, list[GroupMember]] = {pk: [] for pk in stations}
        for gm in (
            GroupMember.objects.filter(station_id__in=stations, status=VolunteerStatus.APPROVED)
            .exclude(person=person)
            .select_related("person", "group")
            .order_by("person__name", "pk")
        ):
            volunteers[gm.station_id].append(gm)
    rows = []
    for s in shifts:
        own = mine.get(s.pk)
        ahead = s.starts_at > at
        rows.append(
            DutyRow(
                shift=s,
                checked_in=bool(getattr(s, "checked_in", False)),
                assignment=own,
                can_take=own is None and s.held_by_group and ahead and holders.get(s.pk, 0) < s.capacity,
                can_swap=own is not None and ahead and own.pk not in open_swaps,
                open_swap=open_swaps.get(own.pk) if own is not None else None,
                volunteers=volunteers.get(s.station_id, []) if own is not None and ahead else [],
            )
        )
    return rows


def _swaps() -> QuerySet[SwapRequest]:
    return SwapRequest.all_objects.select_related(
        "assignment__shift__station", "assignment__shift__group", "requester", "counterpart", "counter_assignment"
    )


def swaps_incoming(*, person: Person) -> list[SwapRequest]:
    """Requests asking the member to take someone's place: waiting for their answer, or accepted and
    waiting for the leader (so they know the day may become theirs)."""
    with unscoped():
        return list(_swaps().filter(counterpart=person, status__in=OPEN_SWAP_STATUSES))


def swaps_to_approve(*, person: Person) -> list[SwapRequest]:
    """Accepted swaps on shifts of the groups the member leads, waiting for their approval."""
    with unscoped():
        return list(_swaps().filter(assignment__shift__group__leader=person, status=SwapStatus.ACCEPTED))


def swaps_mine(*, person: Person, at: datetime | None = None) -> list[SwapRequest]:
    """The member's own requests: open ones, and those decided in the last two weeks."""
    at = at or timezone.now()
    with unscoped():
        qs = _swaps().filter(requester=person)
        qs = qs.filter(Q(status__in=OPEN_SWAP_STATUSES) | Q(decided_at__gte=at - timedelta(days=14)))
        return list(qs[:20])


def swap_for(*, person: Person, pk: int, role: str) -> SwapRequest | None:
    """A swap the member is party to in `role` (requester, counterpart, leader); any other is None."""
    roles = {
        "requester": Q(requester=person),
        "counterpart": Q(counterpart=person),
        "leader": Q(assignment__shift__group__leader=person),
    }
    with unscoped():
        return _swaps().filter(roles[role], pk=pk).first()


def own_assignment(*, person: Person, pk: int) -> DutyAssignment | None:
    with unscoped():
        return DutyAssignment.objects.select_related("shift__station").filter(pk=pk, person=person).first()


def duty_shift_of(*, person: Person, shift_id: int, first: date, last: date) -> DutyShift | None:
    """One of the member's duties (a group's day they may take): another shift is None."""
    for shift in station_selectors.duty_shifts_of(person_id=person.pk, first=first, last=last):
        if shift.pk == shift_id:
            return shift
    return None


def approved_volunteer(*, station_id: int, person_id: int, exclude: Person) -> GroupMember | None:
    """One of the station's approved volunteers other than the member (the swap's other side)."""
    with unscoped():
        return (
            GroupMember.objects.select_related("person")
            .filter(station_id=station_id, person_id=person_id, status=VolunteerStatus.APPROVED)
            .exclude(person=exclude)
            .first()
        )
