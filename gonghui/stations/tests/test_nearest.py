"""The nearest-station search against a brute-force scan: random stations, hours, closed days and times.

The search reads a square that grows, filters the hours in SQL and the stations' own closed
days in Python; whatever it does, its answer must be what sorting every station gives.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from gonghui.core.scoping import unscoped
from gonghui.stations.coords import haversine_m
from gonghui.stations.models import Holiday, Station, StationClosedDay
from gonghui.stations.selectors import stations_nearest
from gonghui.stations.tests.factories import make_station

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
CENTRE = (30.70, 111.30)
WINDOWS = [
    None,
    (time(8), time(22)),
    (time(9), time(17, 30)),
    (time(18), time(2)),  # past midnight
    (time(0), time(0)),  # round the clock
    (time(22, 30), time(6)),
    (time(12), time(12)),  # 24 hours from noon: closes at noon the next day
]
# A Saturday after a holiday Friday, a Monday after a Sunday, at edges and mid-window.
MOMENTS = [
    datetime(2026, 10, 2, 23, 59, tzinfo=SHANGHAI),
    datetime(2026, 10, 3, 1, 30, tzinfo=SHANGHAI),
    datetime(2026, 10, 3, 12, 0, tzinfo=SHANGHAI),
    datetime(2026, 10, 5, 0, 0, tzinfo=SHANGHAI),
    datetime(2026, 10, 5, 2, 0, tzinfo=SHANGHAI),
    datetime(2026, 10, 5, 5, 59, tzinfo=SHANGHAI),
    datetime(2026, 10, 5, 9, 0, tzinfo=SHANGHAI),
    datetime(2026, 10, 5, 17, 30, tzinfo=SHANGHAI),
    datetime(2026, 10, 5, 22, 45, tzinfo=SHANGHAI),
]


@pytest.fixture
def scattered(tree):  # type: ignore[no-untyped-def]
    rng = random.Random(16)
    Holiday.objects.create(day=date(2026, 10, 2), name="国庆节")
    made = []
    for i in range(60):
        hours = {}
        for kind in ("weekday", "weekend", "holiday"):
            window = rng.choice(WINDOWS)
            hours[f"{kind}_opens"], hours[f"{kind}_closes"] = window if window else (None, None)
        # Most within a few km, some tens of km away: the square has to grow.
        spread = 0.02 if i % 4 else 0.4
        station = make_station(
            tree.zhongshan,
            f"R-{i:03d}",
            lat=CENTRE[0] + rng.uniform(-spread, spread),
            lng=CENTRE[1] + rng.uniform(-spread, spread),
            facilities=rng.sample(["饮水", "空调", "WiFi", "卫生间", "母婴室"], k=rng.randint(1, 3)),
            **hours,
        )
        made.append(station)
    with unscoped():
        for station in rng.sample(made, 12):
            for day in rng.sample([date(2026, 10, d) for d in range(1, 6)], 2):
                StationClosedDay.objects.create(station=station, org_path=station.org_path, day=day)
    return made


def brute_force(lat: float, lng: float, at: datetime, *, limit: int, open_now: bool, facility: str) -> list[str]:
    holidays = set(Holiday.objects.values_list("day", flat=True))
    with unscoped():
        stations = list(Station.objects.filter(is_closed=False))
        closed: dict[int, set[date]] = {}
        for station_id, day in StationClosedDay.objects.values_list("station_id", "day"):
            closed.setdefault(station_id, set()).add(day)
    found = []
    for station in sorted(stations, key=lambda s: (haversine_m(lat, lng, s.lat, s.lng), s.pk)):
        if facility and facility not in station.facility_codes:
            continue
        if open_now and not station.is_open_at(at, holidays=holidays, closed_days=closed.get(station.pk, set())):
            continue
        found.append(station.code)
    return found[:limit]


@pytest.mark.parametrize("at", MOMENTS, ids=lambda at: at.strftime("%a-%H%M"))
def test_open_now_is_what_a_scan_of_every_station_says(scattered, at: datetime) -> None:
    rng = random.Random(at.hour * 60 + at.minute)
    for _ in range(4):
        lat, lng = CENTRE[0] + rng.uniform(-0.05, 0.05), CENTRE[1] + rng.uniform(-0.05, 0.05)
        for limit in (1, 5, 12):
            got = stations_nearest(lat=lat, lng=lng, limit=limit, open_now=True, at=at)
            assert [n.station.code for n in got] == brute_force(lat, lng, at, limit=limit, open_now=True, facility="")
            assert all(n.is_open for n in got)


def test_plain_and_facility_answers_are_what_a_scan_says(scattered) -> None:
    rng = random.Random(7)
    at = MOMENTS[2]
    for _ in range(10):
        lat, lng = CENTRE[0] + rng.uniform(-0.3, 0.3), CENTRE[1] + rng.uniform(-0.3, 0.3)
        for facility in ("", "nursing", "wifi"):
            got = stations_nearest(lat=lat, lng=lng, limit=7, facility=facility, at=at)
            expected = brute_force(lat, lng, at, limit=7, open_now=False, facility=facility)
            assert [n.station.code for n in got] == expected
            # Open or not as the station itself says, its closed days included.
            holidays = {date(2026, 10, 2)}
            with unscoped():
                closed = {
                    n.station.pk: set(StationClosedDay.objects.filter(station=n.station).values_list("day", flat=True))
                    for n in got
                }
            assert [n.is_open for n in got] == [
                n.station.is_open_at(at, holidays=holidays, closed_days=closed[n.station.pk]) for n in got
            ]


def test_a_station_shut_today_by_its_own_closed_day_is_skipped_for_the_next_open_one(tree) -> None:
    monday = datetime(2026, 10, 12, 10, tzinfo=SHANGHAI)
    near = make_station(tree.zhongshan, "C-1", lat=CENTRE[0], lng=CENTRE[1])
    make_station(tree.zhongshan, "C-2", lat=CENTRE[0] + 0.01, lng=CENTRE[1])
    with unscoped():
        StationClosedDay.objects.create(station=near, org_path=near.org_path, day=monday.date())
    (hit,) = stations_nearest(lat=CENTRE[0], lng=CENTRE[1], limit=1, open_now=True, at=monday)
    assert hit.station.code == "C-2"
    first, second = stations_nearest(lat=CENTRE[0], lng=CENTRE[1], limit=2, at=monday)
    assert (first.station.code, first.is_open, second.is_open) == ("C-1", False, True)
    # The night before a closed day still runs into it; a closed day has no night of its own.
    late = make_station(
        tree.zhongshan, "C-3", lat=CENTRE[0] - 0.01, lng=CENTRE[1], weekday_opens=time(18), weekday_closes=time(2)
    )
    late_monday = monday + timedelta(hours=15)  # Tuesday 01:00
    with unscoped():
        StationClosedDay.objects.create(station=late, org_path=late.org_path, day=late_monday.date())
    found = {n.station.code for n in stations_nearest(lat=CENTRE[0], lng=CENTRE[1], open_now=True, at=late_monday)}
    assert "C-3" in found  # Monday 18:00 – Tuesday 02:00 holds
    wednesday_one = late_monday + timedelta(days=1)
    found = {n.station.code for n in stations_nearest(lat=CENTRE[0], lng=CENTRE[1], open_now=True, at=wednesday_one)}
    assert "C-3" not in found  # Tuesday was closed: no window that night


def test_the_nearest_answer_is_a_few_queries_even_when_the_square_grows(scattered, django_assert_max_num_queries):
    far = (CENTRE[0] + 1.0, CENTRE[1] + 1.0)  # ~140 km from the cluster
    with django_assert_max_num_queries(10):
        got = stations_nearest(lat=far[0], lng=far[1], limit=5, open_now=True, at=MOMENTS[6])
    assert len(got) == 5
