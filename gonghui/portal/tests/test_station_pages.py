"""The phone's station pages through real HTTP: the nearest list and its fallback, a station's QR page
(visits, check-in), the duty log, 我的值班 with taking a day and swaps; each member sees only their own."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import override_settings
from django.utils import timezone

from gonghui.core.tests.clients import client as new_client
from gonghui.portal.station_views import DEVICE_COOKIE
from gonghui.portal.tests.stations_world import StationWorld, build_station_world
from gonghui.stations.models import (
    DutyAssignment,
    DutyCheckIn,
    DutyIncident,
    DutyLog,
    DutyShift,
    DutySupply,
    GroupMember,
    StationVisit,
    SwapRequest,
    SwapStatus,
    VolunteerStatus,
)
from gonghui.stations.services import checkin, shift_take

TOO_MANY = "操作过于频繁，请稍后再试"


@pytest.fixture
def sw(tree: Any) -> StationWorld:
    return build_station_world(tree)


def html(resp: Any) -> str:
    assert resp.status_code == 200, resp.status_code
    return resp.content.decode()


# --- 附近驿站 -------------------------------------------------------------------------------------


def test_the_nearby_page_is_public_and_searches_by_city_and_name_without_a_position(sw: StationWorld) -> None:
    c = new_client()
    page = html(c.get("/m/stations/"))
    assert 'data-station-nearby data-api="/api/v1/stations/nearest"' in page
    assert "portal/stations.js" in page and 'id="facility-labels" type="application/json"' in page
    assert '<option value="420500">' in page  # 宜昌, the city of its stations
    by_city = html(c.get("/m/stations/", {"city": "420500"}))
    assert 'data-testid="station-YX-001"' in by_city and 'data-testid="station-YX-CLOSED"' in by_city
    open_only = html(c.get("/m/stations/", {"city": "420500", "open_now": "1"}))
    assert 'data-testid="station-YX-001"' in open_only and "YX-CLOSED" not in open_only
    assert 'data-testid="station-YX-001"' in html(c.get("/m/stations/", {"q": "夷新"}))
    assert "没有找到符合条件的驿站" in html(c.get("/m/stations/", {"q": "不存在的站"}))
    assert "没有找到" in html(c.get("/m/stations/", {"city": "520100"}))


def test_the_nearby_page_has_a_map_and_leaflet_only_with_a_tile_server(sw: StationWorld) -> None:
    c = new_client()
    with override_settings(GONGHUI_MAP_TILE_URL=""):
        plain = html(c.get("/m/stations/"))
    assert "data-near-map" not in plain and "leaflet" not in plain and "gcj02.js" not in plain
    assert 'id="near-tiles"' not in plain
    tiles = "https://tiles.example.org/{z}/{x}/{y}.png"
    with override_settings(GONGHUI_MAP_TILE_URL=tiles, GONGHUI_MAP_ATTRIBUTION="示例地图"):
        page = html(c.get("/m/stations/"))
    assert 'data-near-map="near-tiles"' in page and 'data-testid="near-map"' in page
    assert "vendor/leaflet/leaflet.js" in page and "vendor/leaflet/leaflet.css" in page and "gonghui/gcj02.js" in page
    # The map sits above the list; the tiles' settings go in a json_script, not inline code.
    assert page.index('data-testid="near-map"') < page.index('data-testid="near-results"')
    assert 'id="near-tiles" type="application/json">{"url": "https://tiles.example.org/{z}/{x}/{y}.png"' in page


def test_the_api_the_page_calls_answers_the_nearest_open_station_for_a_phone_position(sw: StationWorld) -> None:
    c = new_client()
    nearest = c.get("/api/v1/stations/nearest", {"lat": 30.77, "lng": 111.32, "datum": "wgs84"}).json()
    assert [s["code"] for s in nearest] == ["YX-CLOSED", "YX-001"]
    # The stations' positions come back in GCJ-02 (as stored), whatever datum the question was in.
    assert (nearest[1]["lat"], nearest[1]["lng"]) == (sw.station.lat, sw.station.lng)
    assert nearest[1]["lng"] != 111.32  # the WGS-84 longitude it was registered with, shifted
    only_open = c.get("/api/v1/stations/nearest", {"lat": 30.77, "lng": 111.32, "open_now": "true"}).json()
    assert [s["code"] for s in only_open] == ["YX-001"]


def test_members_find_the_stations_from_their_home_page(sw: StationWorld) -> None:
    page = html(sw.client_for(sw.rider).get("/m/"))
    assert 'href="/m/stations/"' in page and 'href="/m/duty/"' in page


# --- a station's page -----------------------------------------------------------------------------


def test_the_station_page_shows_anyone_its_facts_with_the_managers_phone_masked(sw: StationWorld) -> None:
    page = html(new_client().get("/m/s/yx-001/"))  # the code as a phone may type it
    assert "夷新驿站" in page and "营业中" in page and "全天开放" in page
    assert "139****5678" in page and "13912345678" not in page
    assert "饮水" in page and "风扇/空调" in page
    assert 'data-testid="visit"' in page and 'data-testid="volunteer-login"' in page
    assert 'data-testid="checkin"' not in page
    assert "未营业" in html(new_client().get("/m/s/YX-CLOSED/"))
    assert new_client().get("/m/s/NOPE/").status_code == 404


def test_an_anonymous_visit_counts_once_per_phone_then_the_address_is_limited(sw: StationWorld, settings: Any) -> None:
    settings.GONGHUI_RATE_LIMITS = {**settings.GONGHUI_RATE_LIMITS, "station_visit_address": "3/h"}
    phone = new_client()
    addr = {"REMOTE_ADDR": "203.0.113.30"}
    first = phone.post("/m/s/YX-001/visit/", **addr)
    assert first.status_code == 302 and first["Location"] == "/m/s/YX-001/"
    cookie = first.cookies[DEVICE_COOKIE]
    assert cookie["httponly"] and cookie["max-age"] >= 365 * 24 * 3600 and len(cookie.value) >= 32
    assert StationVisit.all_objects.count() == 1
    # The same phone again (its cookie): counted once, and told so.
    again = phone.post("/m/s/YX-001/visit/", follow=True, **addr)
    assert "已记录过" in html(again)
    assert StationVisit.all_objects.count() == 1
    assert StationVisit.all_objects.get().device != cookie.value  # only a keyed hash is stored
    # Another phone on the same network counts.
    assert "已记录到访" in html(new_client().post("/m/s/YX-001/visit/", follow=True, **addr))
    assert StationVisit.all_objects.count() == 2
    # The fourth post from the address is refused and counts nothing; another address still counts.
    refused = new_client().post("/m/s/YX-001/visit/", **addr)
    assert refused.status_code == 429 and TOO_MANY in refused.content.decode()
    assert StationVisit.all_objects.count() == 2
    assert new_client().post("/m/s/YX-001/visit/", REMOTE_ADDR="203.0.113.31").status_code == 302
    assert StationVisit.all_objects.count() == 3
    # A GET records nothing.
    assert new_client().get("/m/s/YX-001/visit/", REMOTE_ADDR="203.0.113.32").status_code == 405


def test_the_volunteer_on_duty_checks_in_writes_the_log_link_and_checks_out(sw: StationWorld) -> None:
    c = sw.client_for(sw.rider)
    page = html(c.get("/m/s/YX-001/"))
    assert 'data-testid="checkin"' in page and "第一组" in page
    assert 'data-testid="join-group"' not in page  # already a volunteer here
    resp = c.post("/m/s/YX-001/checkin/", follow=True)
    assert "签到成功" in html(resp)
    shift = sw.today_shift()
    assert DutyCheckIn.all_objects.filter(shift=shift, person=sw.rider.person).count() == 1
    page = html(c.get("/m/s/YX-001/"))
    assert f'href="/m/duty/{shift.pk}/log/"' in page and 'data-testid="checkout"' in page
    assert "签退成功" in html(c.post("/m/s/YX-001/checkout/", follow=True))
    assert DutyCheckIn.all_objects.get(shift=shift, person=sw.rider.person).checked_out_at is not None


def test_check_in_is_refused_to_a_member_not_on_duty(sw: StationWorld, settings: Any) -> None:
    # No early check-in: late on a Sunday, next week's group is not yet "on duty now".
    settings.GONGHUI_STATION_EARLY_MINUTES = 0
    c = sw.client_for(sw.other)  # 第二组: not this week
    assert 'data-testid="checkin"' not in html(c.get("/m/s/YX-001/"))
    assert "没有值班" in html(c.post("/m/s/YX-001/checkin/", follow=True))
    assert not DutyCheckIn.all_objects.exists()
    anonymous = new_client().post("/m/s/YX-001/checkin/")
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/m/login/")


def test_a_member_not_in_a_group_asks_to_join_one(sw: StationWorld) -> None:
    c = sw.client_for(sw.outsider)
    page = html(c.get("/m/s/YX-001/"))
    assert 'data-testid="join-group"' in page and "第二组" in page
    page = html(c.post("/m/s/YX-001/join/", {"group": sw.groups[1].pk}, follow=True))
    assert "等待驿站负责人审核" in page and 'data-testid="join-pending"' in page
    row = GroupMember.all_objects.get(person=sw.outsider.person)
    assert row.group == sw.groups[1] and row.status == VolunteerStatus.PENDING
    # A group of another station (or none) is refused and joins nothing.
    assert "请选择值班小组" in html(c.post("/m/s/YX-CLOSED/join/", {"group": sw.groups[0].pk}, follow=True))
    assert GroupMember.all_objects.filter(person=sw.outsider.person).count() == 1


# --- the duty log ---------------------------------------------------------------------------------


def _log_body(**overrides: str) -> dict[str, str]:
    body = {
        "opened_at": "08:05",
        "closed_at": "22:10",
        "visitors": "12",
        "handover": "饮水机滤芯下周更换",
        "supply_0_item": "矿泉水",
        "supply_0_used": "24",
        "supply_0_restocked": "48",
        "supply_1_item": "创可贴",
        "supply_1_used": "2",
        "supply_1_restocked": "",
        "supply_2_item": "",
        "supply_2_used": "",
        "supply_2_restocked": "",
        "incident_kind": "中暑",
        "incident_description": "一名骑手中暑，在站内休息",
        "incident_action": "给予藿香正气水，半小时后好转",
    }
    return {**body, **overrides}


def test_the_duty_log_shows_every_error_at_once_keeps_what_was_typed_and_saves_nothing(sw: StationWorld) -> None:
    checkin(actor=None, person=sw.rider.person, station=sw.station)
    shift = sw.today_shift()
    c = sw.client_for(sw.rider)
    url = f"/m/duty/{shift.pk}/log/"
    assert 'list="supply-words"' in html(c.get(url))
    bad = _log_body(
        visitors="很多", supply_0_item="咖啡机", supply_1_used="-3", incident_kind="外星人", incident_description=""
    )
    page = html(c.post(url, bad))
    for field in ("visitors", "supply_0_item", "supply_1_used", "incident_kind", "incident_description"):
        assert f'data-testid="error-{field}"' in page, field
    assert 'value="咖啡机"' in page and "饮水机滤芯下周更换" in page and 'value="08:05"' in page
    assert not DutyLog.all_objects.exists() and not DutySupply.all_objects.exists()
    assert not DutyIncident.all_objects.exists()

    done = c.post(url, _log_body(), follow=True)
    assert "值班日志已保存" in html(done)
    log = DutyLog.all_objects.get(shift=shift)
    assert log.visitors == 12 and log.handover == "饮水机滤芯下周更换" and log.written_by == sw.rider.person
    assert timezone.localtime(log.opened_at).strftime("%H:%M") == "08:05"  # type: ignore[arg-type]
    supplies = {s.item: (s.used, s.restocked) for s in DutySupply.all_objects.filter(log=log)}
    assert supplies == {"water": (24, 48), "medicine": (2, 0)}
    incident = DutyIncident.all_objects.get(log=log)
    assert incident.kind == "illness" and incident.reported_by == sw.rider.person
    # Reopened: what was saved is in the form, the incident listed (not offered again as a new one).
    page = html(c.get(url))
    assert 'value="饮用水（瓶）"' in page and 'value="24"' in page and "一名骑手中暑" in page
    assert 'name="incident_description"' in page


def test_another_members_shift_log_is_not_found_and_nothing_changes(sw: StationWorld) -> None:
    checkin(actor=None, person=sw.rider.person, station=sw.station)
    shift = sw.today_shift()
    url = f"/m/duty/{shift.pk}/log/"
    for account in (sw.leader, sw.other, sw.outsider):  # the leader of the same group did not check in
        c = sw.client_for(account)
        assert c.get(url).status_code == 404
        assert c.post(url, _log_body()).status_code == 404
    assert sw.client_for(sw.rider).get("/m/duty/999999/log/").status_code == 404
    assert not DutyLog.all_objects.exists()
    anonymous = new_client().get(url)
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/m/login/")


# --- 我的值班 ---------------------------------------------------------------------------------------


def test_my_duty_lists_only_the_members_own_duties(sw: StationWorld) -> None:
    own = list(
        DutyShift.all_objects.filter(group=sw.groups[0], day__gte=timezone.localdate()).values_list("pk", flat=True)
    )
    theirs = list(DutyShift.all_objects.filter(group=sw.groups[1]).values_list("pk", flat=True))
    page = html(sw.client_for(sw.rider).get("/m/duty/"))
    assert own and theirs
    assert all(f'data-testid="duty-{pk}"' in page for pk in own)
    assert not any(f'data-testid="duty-{pk}"' in page for pk in theirs)
    other = html(sw.client_for(sw.other).get("/m/duty/"))
    assert not any(f'data-testid="duty-{pk}"' in other for pk in own)
    assert "近期没有您的值班" in html(sw.client_for(sw.outsider).get("/m/duty/"))


def test_a_member_takes_their_groups_day_and_only_theirs(sw: StationWorld) -> None:
    mine, theirs = sw.next_own_day(sw.groups[0]), sw.next_own_day(sw.groups[1])
    c = sw.client_for(sw.rider)
    assert f'data-testid="take-{mine.pk}"' in html(c.get("/m/duty/"))
    assert "已认领" in html(c.post(f"/m/duty/{mine.pk}/take/", follow=True))
    assert DutyAssignment.all_objects.get(shift=mine).person == sw.rider.person
    # Another group's day is not theirs to see or take.
    assert c.post(f"/m/duty/{theirs.pk}/take/").status_code == 404
    assert not DutyAssignment.all_objects.filter(shift=theirs).exists()
    # Taken once: the leader of the same group is told, and nothing changes.
    assert "已有人值班" in html(sw.client_for(sw.leader).post(f"/m/duty/{mine.pk}/take/", follow=True))
    assert DutyAssignment.all_objects.filter(shift=mine).count() == 1


def test_a_swap_goes_to_the_other_volunteer_then_to_the_groups_leader(sw: StationWorld) -> None:
    day = sw.next_own_day(sw.groups[0])
    place = shift_take(actor=None, person=sw.rider.person, shift=day)
    rider, other, leader = (sw.client_for(a) for a in (sw.rider, sw.other, sw.leader))
    page = html(rider.get("/m/duty/"))
    assert f'data-testid="swap-ask-{day.pk}"' in page and "陈骑（第二组）" in page
    # Only the station's approved volunteers: an outsider's id is refused and nothing is asked.
    assert "请选择本驿站的一位志愿者" in html(
        rider.post(f"/m/duty/swap/{place.pk}/", {"counterpart": sw.outsider.person.pk}, follow=True)
    )
    assert not SwapRequest.all_objects.exists()
    # Someone else's place is not found.
    assert other.post(f"/m/duty/swap/{place.pk}/", {"counterpart": sw.rider.person.pk}).status_code == 404
    page = html(
        rider.post(f"/m/duty/swap/{place.pk}/", {"counterpart": sw.other.person.pk, "note": "家里有事"}, follow=True)
    )
    assert "换班申请已发给陈骑" in page
    swap = SwapRequest.all_objects.get()
    assert swap.status == SwapStatus.REQUESTED and swap.note == "家里有事"

    # Only the counterpart answers; only the leader of the shift's group decides.
    assert leader.post(f"/m/duty/swaps/{swap.pk}/accept/").status_code == 404
    assert sw.client_for(sw.outsider).post(f"/m/duty/swaps/{swap.pk}/accept/").status_code == 404
    assert other.post(f"/m/duty/swaps/{swap.pk}/approve/").status_code == 404
    assert rider.post(f"/m/duty/swaps/{swap.pk}/bogus/").status_code == 404
    assert f'data-testid="swap-accept-{swap.pk}"' in html(other.get("/m/duty/"))
    assert "已同意换班" in html(other.post(f"/m/duty/swaps/{swap.pk}/accept/", follow=True))
    swap.refresh_from_db()
    assert swap.status == SwapStatus.ACCEPTED
    assert rider.post(f"/m/duty/swaps/{swap.pk}/approve/").status_code == 404  # the requester leads nothing
    assert f'data-testid="swap-approve-{swap.pk}"' in html(leader.get("/m/duty/"))
    assert "已批准换班" in html(leader.post(f"/m/duty/swaps/{swap.pk}/approve/", follow=True))
    swap.refresh_from_db()
    place.refresh_from_db()
    assert swap.status == SwapStatus.APPROVED and place.person == sw.other.person
    assert f'data-testid="duty-{day.pk}"' in html(other.get("/m/duty/"))


def test_the_requester_cancels_an_open_swap_and_the_other_may_decline(sw: StationWorld) -> None:
    day = sw.next_own_day(sw.groups[0])
    place = shift_take(actor=None, person=sw.rider.person, shift=day)
    rider, other = sw.client_for(sw.rider), sw.client_for(sw.other)
    rider.post(f"/m/duty/swap/{place.pk}/", {"counterpart": sw.other.person.pk})
    swap = SwapRequest.all_objects.get()
    assert other.post(f"/m/duty/swaps/{swap.pk}/cancel/").status_code == 404
    assert "换班申请已撤回" in html(rider.post(f"/m/duty/swaps/{swap.pk}/cancel/", follow=True))
    swap.refresh_from_db()
    assert swap.status == SwapStatus.CANCELLED
    rider.post(f"/m/duty/swap/{place.pk}/", {"counterpart": sw.other.person.pk})
    second = SwapRequest.all_objects.exclude(pk=swap.pk).get()
    assert "已拒绝换班" in html(other.post(f"/m/duty/swaps/{second.pk}/decline/", follow=True))
    second.refresh_from_db()
    assert second.status == SwapStatus.DECLINED
    place.refresh_from_db()
    assert place.person == sw.rider.person


def test_the_pages_ask_the_database_a_fixed_number_of_times(
    sw: StationWorld, django_assert_max_num_queries: Any
) -> None:
    """Whatever the number of duties (three days taken here), as many queries as with one."""
    rider = sw.client_for(sw.rider)
    checkin(actor=None, person=sw.rider.person, station=sw.station)
    for shift in DutyShift.all_objects.filter(group=sw.groups[0], starts_at__gt=timezone.now())[:3]:
        shift_take(actor=None, person=sw.rider.person, shift=shift)
    anonymous = new_client()
    anonymous.get("/m/s/YX-001/")  # the session and the handler warmed up
    with django_assert_max_num_queries(3):
        html(anonymous.get("/m/s/YX-001/"))
    with django_assert_max_num_queries(4):
        html(anonymous.get("/m/stations/", {"city": "420500"}))
    with django_assert_max_num_queries(11):
        html(rider.get("/m/s/YX-001/"))
    with django_assert_max_num_queries(12):
        html(rider.get("/m/duty/"))
