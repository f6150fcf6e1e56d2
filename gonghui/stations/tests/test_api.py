"""`/api/v1/stations`: the public nearest search (distance, open now, facility), and the scoped list and detail."""

from __future__ import annotations

import math
from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from gonghui.core.tests.clients import client as new_client
from gonghui.stations.coords import EARTH_RADIUS_M, gcj02_to_wgs84, haversine_m, wgs84_to_gcj02
from gonghui.stations.models import Holiday
from gonghui.stations.selectors import stations_nearest
from gonghui.stations.services import station_close
from gonghui.stations.tests.factories import make_station

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
# A rider's phone in 宜昌 (WGS-84), and the same spot as the map draws it.
PHONE = (30.7700, 111.3200)
HERE = wgs84_to_gcj02(*PHONE)
ALWAYS = {f"{k}_{e}": time(0) for k in ("weekday", "weekend", "holiday") for e in ("opens", "closes")}
NEVER = {f"{k}_{e}": None for k in ("weekday", "weekend", "holiday") for e in ("opens", "closes")}


def offset(metres_north: float) -> tuple[float, float]:
    # A degree of latitude on the sphere haversine_m measures on.
    return HERE[0] + math.degrees(metres_north / EARTH_RADIUS_M), HERE[1]


@pytest.fixture
def stations(tree):  # type: ignore[no-untyped-def]
    made = {
        "near": make_station(tree.zhongshan, "N-100", lat=offset(100)[0], lng=HERE[1], facilities=["饮水"], **NEVER),
        "mid": make_station(tree.zhongshan, "N-900", lat=offset(900)[0], lng=HERE[1], facilities=["WiFi"], **ALWAYS),
        "far": make_station(tree.nanming, "N-5000", lat=offset(5000)[0], lng=HERE[1], facilities=["WiFi"], **ALWAYS),
        "remote": make_station(tree.dingxi, "N-90K", lat=offset(90_000)[0], lng=HERE[1], **ALWAYS),
        "gone": make_station(tree.zhongshan, "N-050", lat=offset(50)[0], lng=HERE[1], **ALWAYS),
    }
    station_close(actor=None, scope=None, station=made["gone"])
    return made


def nearest(**params):  # type: ignore[no-untyped-def]
    query = {"lat": PHONE[0], "lng": PHONE[1], **params}
    resp = new_client(csrf=True).get("/api/v1/stations/nearest", query)
    assert resp.status_code == 200, resp.content
    return resp.json()


def test_anyone_gets_the_nearest_with_distance_and_no_phone_in_clear(stations) -> None:
    rows = nearest(limit=3)
    assert [r["code"] for r in rows] == ["N-100", "N-900", "N-5000"]  # closed N-050 left out
    assert [r["distance_m"] for r in rows] == [
        pytest.approx(100, abs=1),
        pytest.approx(900, abs=2),
        pytest.approx(5000, abs=5),
    ]
    assert all(r["manager_phone"] == "139****5678" for r in rows)
    assert "13912345678" not in str(rows)


def test_open_now_and_facility_filter(stations) -> None:
    assert [r["code"] for r in nearest(limit=2, open_now="true")] == ["N-900", "N-5000"]
    assert [r["code"] for r in nearest(limit=5, facility="无线网")] == ["N-900", "N-5000"]
    assert nearest(limit=1)[0]["is_open"] is False


def test_the_search_widens_until_the_answer_is_exact(stations) -> None:
    rows = nearest(limit=4)
    assert [r["code"] for r in rows] == ["N-100", "N-900", "N-5000", "N-90K"]
    assert rows[-1]["distance_m"] == pytest.approx(90_000, rel=1e-3)


def test_gcj02_input_is_taken_as_it_is(stations) -> None:
    rows = nearest(lat=HERE[0], lng=HERE[1], datum="gcj02", limit=1)
    assert rows[0]["distance_m"] == pytest.approx(100, abs=1)
    # A GCJ-02 position sent as if it were WGS-84 lands hundreds of metres off: the datum matters.
    misread = nearest(lat=HERE[0], lng=HERE[1], limit=1)
    assert abs(misread[0]["distance_m"] - 100) > 50


def test_bad_input_is_refused(stations) -> None:
    resp = new_client().get("/api/v1/stations/nearest", {"lat": 95, "lng": 111})
    assert (resp.status_code, resp.json()["code"]) == (400, "station.coords_invalid")
    resp = new_client().get("/api/v1/stations/nearest", {"lat": 30, "lng": 111, "facility": "游泳池"})
    assert (resp.status_code, resp.json()["code"]) == (400, "station.facility_invalid")
    resp = new_client().get("/api/v1/stations/nearest", {"lat": 30, "lng": 111, "datum": "bd09"})
    assert resp.json()["code"] == "station.datum_unknown"


def test_open_now_follows_the_clock_and_holidays(tree) -> None:
    late = make_station(
        tree.zhongshan,
        "L-1",
        lat=HERE[0],
        lng=HERE[1],
        weekday_opens=time(8),
        weekday_closes=time(22),
        weekend_opens=time(18),
        weekend_closes=time(2),
    )
    saturday_night = datetime(2026, 12, 12, 23, 30, tzinfo=SHANGHAI)
    sunday_small_hours = datetime(2026, 12, 13, 1, 30, tzinfo=SHANGHAI)
    monday_noon = datetime(2026, 12, 14, 12, tzinfo=SHANGHAI)
    for at, expected in ((saturday_night, True), (sunday_small_hours, True), (monday_noon, True)):
        (hit,) = stations_nearest(lat=HERE[0], lng=HERE[1], limit=1, at=at)
        assert (hit.station.pk, hit.is_open) == (late.pk, expected)
    Holiday.objects.create(day=monday_noon.date(), name="测试节日")
    (hit,) = stations_nearest(lat=HERE[0], lng=HERE[1], limit=1, at=monday_noon)
    assert hit.is_open is False
    assert stations_nearest(lat=HERE[0], lng=HERE[1], limit=1, at=monday_noon, open_now=True) == []


def test_the_nearest_answer_is_a_few_queries(stations, django_assert_max_num_queries) -> None:
    with django_assert_max_num_queries(12):
        stations_nearest(lat=HERE[0], lng=HERE[1], limit=2, at=timezone.now())


# --- the scoped list and detail ------------------------------------------------------------------


def test_list_and_detail_are_scoped(stations, make_user, login, bearer) -> None:
    county = make_user("county", ("viewer", "520201"))
    resp = login(county).get("/api/v1/stations")
    assert resp.status_code == 200
    assert {s["code"] for s in resp.json()["items"]} == {"N-100", "N-900", "N-050"}
    assert all(s["manager_phone"] == "139****5678" for s in resp.json()["items"])
    # Another province's and another city's stations are not found, not forbidden.
    assert login(county).get("/api/v1/stations/N-90K").status_code == 404
    assert login(county).get("/api/v1/stations/N-5000").status_code == 404
    detail = login(county).get("/api/v1/stations/n-100")
    assert detail.status_code == 200 and detail.json()["org_code"] == "520201"


def test_list_needs_a_caller_and_the_view_right(stations, make_user, login) -> None:
    assert new_client(csrf=True).get("/api/v1/stations").status_code == 401
    assert new_client(csrf=True).get("/api/v1/stations/N-100").status_code == 401
    nobody = make_user("nobody")
    assert login(nobody).get("/api/v1/stations").json()["count"] == 0
    assert login(nobody).get("/api/v1/stations/N-100").status_code == 404


def test_the_full_phone_needs_its_own_right(stations, make_user, bearer) -> None:
    admin = make_user("admin", ("admin", "520200"))
    resp = new_client(csrf=True).get("/api/v1/stations/N-100", **bearer(admin))
    assert resp.json()["manager_phone"] == "13912345678"


def test_stats_count_stations_within_the_subtree(stations, make_user, login) -> None:
    from gonghui.core.stats import stats_collect

    assert stats_collect([stations["near"].org_path])["stations"] == 2  # N-050 is closed
    assert stats_collect(None)["stations"] == 4
    assert haversine_m(*gcj02_to_wgs84(*HERE), *PHONE) < 0.01


# --- the roster, read by staff ---------------------------------------------------------------------


@pytest.fixture
def roster(tree):  # type: ignore[no-untyped-def]
    from datetime import date, timedelta

    from gonghui.stations.rotation import RotationKind, RotationRule
    from gonghui.stations.services import calendar_generate, group_create

    station = make_station(tree.zhongshan, "YX-001", lat=HERE[0], lng=HERE[1])
    groups = [group_create(actor=None, scope=None, station=station, name=f"第{i}组") for i in range(1, 3)]
    monday = date(2030, 1, 7)
    calendar_generate(
        actor=None,
        scope=None,
        station=station,
        rule=RotationRule(RotationKind.WEEKLY, monday, tuple(g.pk for g in groups)),
        first=monday,
        last=monday + timedelta(days=13),
    )
    return monday


@pytest.mark.parametrize("path", ["/api/v1/stations/YX-001/groups", "/api/v1/stations/YX-001/shifts?first=2030-01-07"])
def test_roster_reads_are_scoped(roster, make_user, login, bearer, path) -> None:
    assert new_client(csrf=True).get(path).status_code == 401
    for grant in (("admin", "621100"), ("admin", "520100")):
        user = make_user(f"{grant[1]}", grant)
        assert new_client(csrf=True).get(path, **bearer(user)).status_code == 404
    assert login(make_user("nobody")).get(path).status_code == 404
    assert login(make_user("viewer", ("viewer", "520201"))).get(path).status_code == 200


def test_shifts_show_the_week_and_its_group(roster, make_user, login) -> None:
    viewer = login(make_user("viewer", ("viewer", "520200")))
    rows = viewer.get("/api/v1/stations/YX-001/shifts", {"first": "2030-01-12", "last": "2030-01-14"}).json()
    # Saturday and Sunday of week one (group 1; late closing: ends the next morning), Monday of week two.
    assert [(r["day"], r["group"], r["held_by_group"], r["short"]) for r in rows] == [
        ("2030-01-12", "第1组", True, 0),
        ("2030-01-13", "第1组", True, 0),
        ("2030-01-14", "第2组", True, 0),
    ]
    ends = datetime.fromisoformat(rows[0]["ends_at"].replace("Z", "+00:00"))
    assert ends == datetime(2030, 1, 13, 2, tzinfo=SHANGHAI)
    groups = viewer.get("/api/v1/stations/YX-001/groups").json()
    assert [(g["name"], g["leader"], g["volunteers"]) for g in groups] == [("第1组", None, 0), ("第2组", None, 0)]
