"""The demo's stations (order 38) and the rider's phone account (portal, order 58), loaded once at `small`.

The whole demo loads (`gonghui demo --no-serve`) into one transaction that the module
rolls back at its end; each test runs inside it and rolls its own changes back. The step
alone at `seed` is tested in `test_demo_seed.py`.
"""

from __future__ import annotations

import io
import json
import re
from collections import Counter
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from gonghui.accounts.demo import DEMO_PASSWORD
from gonghui.core.regions import region_get
from gonghui.core.scoping import unscoped
from gonghui.core.tests.clients import client as new_client
from gonghui.stations.demo import (
    GROUPS,
    GUIZHOU_STATIONS,
    RIDERS_PER_GROUP,
    WEEKS_AHEAD,
    WEEKS_BACK,
    YIXIN_CODE,
    YIXIN_UNION,
    demo_rider,
    missed_duty_day,
)
from gonghui.stations.models import (
    BuildMode,
    DutyAssignment,
    DutyCheckIn,
    DutyGroup,
    DutyIncident,
    DutyLog,
    DutyShift,
    DutySupply,
    GroupMember,
    Holiday,
    PartnerKind,
    Station,
    StationClosedDay,
    StationVisit,
    SwapRequest,
    SwapStatus,
    VolunteerStatus,
)
from gonghui.stations.stats import visits_chart
from gonghui.stations.words import BASE_FACILITIES

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture(scope="module")
def demo(django_db_setup: None, django_db_blocker: Any) -> Iterator[str]:
    """The small demo, loaded once for the module; what `gonghui demo` printed."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            out = io.StringIO()
            call_command("demo", "--no-serve", stdout=out, stderr=io.StringIO())
            yield out.getvalue()
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


def stats(org: str) -> dict[str, Any]:
    out = io.StringIO()
    call_command("stats", "--org", org, "--json", stdout=out)
    return dict(json.loads(out.getvalue().strip().splitlines()[-1]))


def yixin() -> Station:
    with unscoped():
        return Station.objects.select_related("org").get(code=YIXIN_CODE)


def test_yilings_figures_are_the_pages(demo: str) -> None:
    figures = stats("420506")
    assert figures["stations"] == 1
    assert figures["duty_groups"] == 4
    assert figures["duty_shifts"] >= 26
    assert figures["station_volunteers"] == len(GROUPS) * RIDERS_PER_GROUP
    # 贵州's stations are 贵州's: none of 夷陵's groups or shifts there.
    guizhou = stats("520000")
    assert guizhou["stations"] >= 250 and guizhou["stations_cobuilt"] > 0
    assert (guizhou["duty_groups"], guizhou["duty_shifts"]) == (0, 0)


def test_yixin_at_wanda_run_by_its_riders_in_four_groups_with_leaders(demo: str) -> None:
    station = yixin()
    assert station.name == "夷新驿站" and "万达" in station.address
    assert station.org.code == YIXIN_UNION and station.region_code == "420506"
    assert {"water", "cooling", "first_aid"} <= set(station.facility_codes)
    # Closes late and opens at weekends.
    assert station.weekday_closes is not None and station.weekday_closes >= time(22)
    assert station.weekend_opens is not None
    with unscoped():
        groups = list(DutyGroup.objects.filter(station=station).order_by("pk"))
        volunteers = list(GroupMember.objects.filter(station=station).select_related("membership__org"))
    assert [g.name for g in groups] == list(GROUPS)
    assert all(v.status == VolunteerStatus.APPROVED for v in volunteers)
    assert Counter(v.group_id for v in volunteers) == {g.pk: RIDERS_PER_GROUP for g in groups}
    # Each leader is one of their own group's riders; the riders are members of 夷陵's rider union.
    for group in groups:
        assert group.leader_id in {v.person_id for v in volunteers if v.group_id == group.pk}
    assert {v.membership.org.code for v in volunteers} == {YIXIN_UNION}
    assert all(v.membership.person.new_employment_type in {"06", "10"} for v in volunteers)


def test_the_weekly_rotation_runs_six_months_back_and_ahead(demo: str) -> None:
    station = yixin()
    today = timezone.localdate()
    this_monday = today - timedelta(days=today.weekday())
    with unscoped():
        shifts = list(DutyShift.objects.filter(station=station).order_by("starts_at"))
        order = list(DutyGroup.objects.filter(station=station).order_by("pk").values_list("pk", flat=True))
    assert shifts[0].day == this_monday - timedelta(weeks=WEEKS_BACK)
    assert shifts[-1].day == this_monday + timedelta(weeks=WEEKS_AHEAD, days=-1)
    # Every week has exactly one group, and the four take their turns in order.
    weeks: dict[date, set[int | None]] = {}
    for shift in shifts:
        weeks.setdefault(shift.day - timedelta(days=shift.day.weekday()), set()).add(shift.group_id)
        assert shift.held_by_group
    assert len(weeks) == WEEKS_BACK + WEEKS_AHEAD
    assert all(len(groups) == 1 for groups in weeks.values())
    turns = [next(iter(weeks[monday])) for monday in sorted(weeks)]
    assert turns == [order[i % 4] for i in range(len(turns))]
    # Holidays have the station's holiday hours (09:00), an ordinary Thursday its weekday hours (10:00).
    by_day = {s.day: s for s in shifts}
    national_day, a_thursday = date(2026, 10, 1), date(2026, 10, 15)
    if national_day in by_day and a_thursday in by_day:
        assert timezone.localtime(by_day[national_day].starts_at).time() == time(9)
        assert timezone.localtime(by_day[a_thursday].starts_at).time() == time(10)


def test_each_day_of_a_groups_week_is_held_by_one_of_its_riders(demo: str) -> None:
    station = yixin()
    with unscoped():
        holders = list(DutyAssignment.objects.filter(shift__station=station).select_related("shift"))
        group_of = dict(GroupMember.objects.filter(station=station).values_list("person_id", "group_id"))
        past = DutyShift.objects.filter(station=station, ends_at__lte=timezone.now()).count()
    assert all(group_of[a.person_id] == a.shift.group_id for a in holders)
    assert len({a.shift_id for a in holders}) == len(holders)  # one rider a day
    held_past = [a for a in holders if a.shift.ends_at <= timezone.now()]
    assert len(held_past) == past  # every past day was held


def test_every_past_duty_but_one_was_checked_in_and_logged(demo: str) -> None:
    station = yixin()
    now = timezone.now()
    with unscoped():
        ended = list(DutyShift.objects.filter(station=station, ends_at__lte=now).order_by("starts_at"))
        checkins = {c.shift_id: c for c in DutyCheckIn.objects.filter(shift__station=station)}
        logs = {log.shift_id: log for log in DutyLog.objects.filter(shift__station=station)}
        supplies = DutySupply.objects.filter(log__shift__station=station)
        incidents = list(DutyIncident.objects.filter(station=station).order_by("reported_at"))
    missed = [s for s in ended if s.pk not in checkins]
    assert [s.day for s in missed] == [missed_duty_day(timezone.localdate())]
    assert missed[0].pk not in logs
    kept = [s for s in ended if s.pk in checkins]
    assert all(checkins[s.pk].checked_out_at is not None for s in kept)
    assert all(s.pk in logs and logs[s.pk].written_by_id == checkins[s.pk].person_id for s in kept)
    late = [c for c in checkins.values() if c.late]
    assert 0 < len(late) < len(checkins) // 5
    assert all(logs[s.pk].visitors > 0 and logs[s.pk].closed_at > logs[s.pk].opened_at for s in kept)
    assert {row.item for row in supplies} >= {"water"}
    # A summer incident followed up, the air conditioner still open.
    assert [i.resolved_at is not None for i in incidents][-1] is False
    assert any(i.kind == "illness" and i.resolved_at is not None for i in incidents) or not any(
        s.day.month in (7, 8) for s in kept
    )
    figures = stats("420506")
    assert figures["duty_shifts_missed"] == 1
    assert figures["duty_shifts_late"] == len(late)
    assert figures["station_visits"] > len(kept) * 10


def test_visits_by_month_for_yiling_and_guizhou(demo: str) -> None:
    today = timezone.localdate()
    this_month = today.year * 12 + today.month - 1
    with unscoped():
        for code in ("YL", "GZ"):
            months = {
                v.year * 12 + v.month - 1
                for v in StationVisit.objects.filter(station__code__startswith=code).values_list(
                    "visited_at", flat=True
                )
            }
            # Six months back (the visits of local days; a month's first hours may fall in the UTC month before).
            assert {this_month - n for n in range(1, 6)} <= months, code
    chart = visits_chart(None)
    assert len(chart["labels"]) >= 6 and all(v > 0 for v in chart["series"][0]["values"])


def test_one_swap_waits_for_the_demo_riders_answer(demo: str) -> None:
    with unscoped():
        swaps = list(
            SwapRequest.objects.filter(assignment__shift__station__code=YIXIN_CODE).select_related("assignment__shift")
        )
    assert [s.status for s in swaps] == [SwapStatus.REQUESTED]
    (swap,) = swaps
    assert swap.assignment.shift.starts_at > timezone.now()
    assert swap.assignment.person_id == swap.requester_id != swap.counterpart_id
    found = demo_rider()
    assert found is not None and found[0].pk == swap.counterpart_id and found[1].name == GROUPS[0]


def test_the_rider_account_is_printed_and_signs_in_on_the_phone(demo: str) -> None:
    found = demo_rider()
    assert found is not None
    rider, _group = found
    line = next(line for line in demo.splitlines() if "骑手（手机端 /m/）" in line)
    assert re.search(rf"^\s+{rider.mobile}\s+密码 {DEMO_PASSWORD}", line)
    assert f"夷陵区万达商圈工会联合会：{rider.name}（夷新驿站第一组）" in line
    client = new_client(csrf=True)
    token = client.get("/m/login/").cookies[settings.CSRF_COOKIE_NAME].value
    resp = client.post("/m/login/", {"username": rider.mobile, "password": DEMO_PASSWORD, "csrfmiddlewaretoken": token})
    assert resp.status_code == 302 and resp["Location"] == "/m/"
    assert SESSION_KEY in client.session


def test_guizhous_stations_across_its_cities_some_with_guizhou_bank(demo: str) -> None:
    with unscoped():
        stations = list(Station.objects.filter(code__startswith="GZ").select_related("org"))
    assert len(stations) == round(GUIZHOU_STATIONS * 0.1)
    # Run by the county federations, in the county they are registered in, across all nine cities.
    assert all(s.org.code == s.region_code for s in stations)
    cities = {region_get(s.region_code).prefecture for s in stations}  # type: ignore[union-attr]
    assert len(cities) == 9
    assert all(24.5 < s.lat < 29.5 and 103 < s.lng < 110 for s in stations)
    cobuilt = [s for s in stations if s.build_mode == BuildMode.COBUILT]
    banks = [s for s in cobuilt if s.partner_kind == PartnerKind.BANK]
    assert 0.2 < len(cobuilt) / len(stations) < 0.5
    assert banks and all(s.partner_name.startswith("贵州银行") and s.partner_name.endswith("支行") for s in banks)
    assert {s.partner_kind for s in cobuilt} >= {PartnerKind.BANK, PartnerKind.FUEL, PartnerKind.STORE}
    # The base set nearly everywhere, the optional ones less often.
    for code in BASE_FACILITIES:
        assert sum(code in s.facility_codes for s in stations) > 0.85 * len(stations)
    assert 0 < sum("nursing" in s.facility_codes for s in stations) < 0.25 * len(stations)
    assert any(s.is_closed for s in stations)


def test_whatever_the_time_some_stations_are_open_and_some_closed(demo: str) -> None:
    with unscoped():
        stations = list(Station.objects.filter(code__startswith="GZ", is_closed=False))
        repairs = dict(StationClosedDay.objects.filter(station__code__startswith="GZ").values_list("station_id", "day"))
    holidays = set(Holiday.objects.values_list("day", flat=True))
    assert repairs and set(repairs.values()) == {timezone.localdate()}
    moments = (
        [timezone.now()]
        + [datetime(2026, 12, 8, hour, 30, tzinfo=SHANGHAI) for hour in (3, 9, 13, 19, 23)]
        + [datetime(2026, 12, 12, 20, tzinfo=SHANGHAI), datetime(2026, 10, 1, 12, tzinfo=SHANGHAI)]
    )
    for at in moments:
        open_now = sum(
            s.is_open_at(at, holidays=holidays, closed_days={repairs[s.pk]} if s.pk in repairs else ())
            for s in stations
        )
        assert 0 < open_now < len(stations), at


def test_the_shipped_holidays_are_loaded(demo: str) -> None:
    assert Holiday.objects.filter(day__year=2026).count() == 33
    assert Holiday.objects.filter(day__year=2027).count() == 13


def test_a_phone_in_guiyang_finds_five_guizhou_stations(demo: str) -> None:
    resp = new_client().get("/api/v1/stations/nearest", {"lat": 26.58, "lng": 106.71, "limit": 5})
    assert resp.status_code == 200
    rows = resp.json()
    assert len(rows) == 5 and all(r["code"].startswith("GZ52") for r in rows)
    assert all(r["distance_m"] < 60_000 for r in rows)
