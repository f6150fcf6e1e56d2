"""The stations' staff pages through the Django test client: list and export, a station's page, the
form, close and reopen, closed days, QR code and poster, the map, navigation and the dashboard."""

from __future__ import annotations

import io
from datetime import date, time, timedelta

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from gonghui.core.models import AuditEvent
from gonghui.core.scoping import unscoped
from gonghui.stations.coords import wgs84_to_gcj02
from gonghui.stations.models import BuildMode, PartnerKind, Station, StationClosedDay
from gonghui.stations.services import station_close
from gonghui.stations.tests.factories import make_station

pytestmark = pytest.mark.django_db

ROUND_THE_CLOCK = {
    f"{kind}_{end}": time(0) for kind in ("weekday", "weekend", "holiday") for end in ("opens", "closes")
}
NEVER = {f"{kind}_{end}": None for kind in ("weekday", "weekend", "holiday") for end in ("opens", "closes")}


@pytest.fixture
def stations(tree):  # type: ignore[no-untyped-def]
    """Three in 六盘水 (钟山区: always open, never open, and a 社会共建 one in 贵阳) and one in 定西."""
    return {
        "open": make_station(tree.zhongshan, "ZS-001", name="钟山夜猫驿站", region_code="520201", **ROUND_THE_CLOCK),
        "shut": make_station(tree.zhongshan, "ZS-002", name="钟山休息驿站", region_code="520201", **NEVER),
        "gy": make_station(
            tree.nanming,
            "GY-001",
            name="南明银行驿站",
            region_code="520102",
            build_mode=BuildMode.COBUILT,
            partner_kind=PartnerKind.BANK,
            partner_name="贵州银行南明支行",
            **ROUND_THE_CLOCK,
        ),
        "dx": make_station(tree.dingxi, "DX-001", name="定西驿站", region_code="621102", lat=35.58, lng=104.62),
    }


@pytest.fixture
def officer(make_user, login):  # type: ignore[no-untyped-def]
    return login(make_user("officer", ("officer", "520000")))


@pytest.fixture
def viewer(make_user, login):  # type: ignore[no-untyped-def]
    return login(make_user("viewer", ("viewer", "520000")))


@pytest.fixture
def admin(make_user, login):  # type: ignore[no-untyped-def]
    return login(make_user("admin", ("admin", "520000")))


@pytest.fixture
def foreign(make_user, login):  # type: ignore[no-untyped-def]
    return login(make_user("foreign", ("admin", "621100")))


def codes_in(html: str, station_codes: list[str]) -> set[str]:
    return {code for code in station_codes if code in html}


# --- navigation and the list ----------------------------------------------------------------------


def test_navigation_lists_the_station_pages_by_permission(tree, officer, viewer) -> None:
    page = officer.get(reverse("stations:list")).content.decode()
    for label in ("驿站列表", "驿站地图", "换班审批"):
        assert label in page
    assert 'data-testid="nav-area-stations"' in page
    seen = viewer.get(reverse("stations:list")).content.decode()
    assert "驿站地图" in seen and "换班审批" not in seen
    assert viewer.get(reverse("stations:swaps")).status_code == 403


def test_the_list_is_scoped_and_anonymous_callers_sign_in(
    tree, stations, client, officer, foreign, make_user, login
) -> None:
    assert client.get(reverse("stations:list")).status_code == 302
    codes = ["ZS-001", "ZS-002", "GY-001", "DX-001"]
    assert codes_in(officer.get(reverse("stations:list")).content.decode(), codes) == {"ZS-001", "ZS-002", "GY-001"}
    assert codes_in(foreign.get(reverse("stations:list")).content.decode(), codes) == {"DX-001"}
    county = login(make_user("county", ("viewer", "520201")))
    assert codes_in(county.get(reverse("stations:list")).content.decode(), codes) == {"ZS-001", "ZS-002"}
    nobody = login(make_user("nobody"))
    assert nobody.get(reverse("stations:list")).status_code == 403


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"q": "银行"}, {"GY-001"}),
        ({"q": "zs-002"}, {"ZS-002"}),
        ({"region": "520200"}, {"ZS-001", "ZS-002"}),
        ({"region": "520102"}, {"GY-001"}),
        ({"region": "南明区"}, {"GY-001"}),
        ({"region": "贵州省六盘水市（520200）"}, {"ZS-001", "ZS-002"}),
        ({"build_mode": "cobuilt"}, {"GY-001"}),
        ({"open_now": "1"}, {"ZS-001", "GY-001"}),
        ({"closed": "1"}, {"ZS-002"}),
        ({"closed": "0"}, {"ZS-001", "GY-001"}),
        ({"region": "abc", "build_mode": "nonsense"}, {"ZS-001", "ZS-002", "GY-001"}),
    ],
)
def test_the_list_filters(tree, stations, officer, query, expected) -> None:
    station_close(actor=None, scope=None, station=stations["shut"], reason="装修")
    html = officer.get(reverse("stations:list"), query).content.decode()
    rows = html.split('data-testid="stations"', 1)[1]
    assert codes_in(rows, ["ZS-001", "ZS-002", "GY-001", "DX-001"]) == expected


def test_a_region_the_filter_cannot_read_is_said_so(tree, stations, officer) -> None:
    html = officer.get(reverse("stations:list"), {"region": "火星"}).content.decode()
    assert 'data-testid="error-region"' in html and "未找到地区“火星”" in html
    assert "共 3 个驿站" in html


def test_the_list_shows_open_now_and_pages(tree, stations, officer) -> None:
    html = officer.get(reverse("stations:list"), {"page_size": 2}).content.decode()
    assert "营业中" in html
    assert "共 3 个驿站" in html
    assert codes_in(html, ["ZS-001", "ZS-002", "GY-001"]) == {"GY-001", "ZS-001"}  # by code, first page of two
    second = officer.get(reverse("stations:list"), {"page_size": 2, "page": 2}).content.decode()
    assert "ZS-002" in second and "休息" in second


def test_export_writes_the_filtered_list_with_masked_phones_and_is_audited(tree, stations, officer, admin) -> None:
    response = officer.get(reverse("stations:list"), {"region": "520200", "export": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "驿站编号" and "负责人电话" in rows[0]
    assert sorted(r[0] for r in rows[1:]) == ["ZS-001", "ZS-002"]
    phone = rows[0].index("负责人电话")
    assert {r[phone] for r in rows[1:]} == {"139****5678"}
    assert rows[1][rows[0].index("工作日")] == "00:00–00:00"
    event = AuditEvent.all_objects.get(action="stations.export")
    assert event.data["rows"] == 2 and event.data["region"] == "520200"
    full = admin.get(reverse("stations:list"), {"q": "GY", "export": "xlsx"})
    rows = list(load_workbook(io.BytesIO(full.content)).active.iter_rows(values_only=True))
    assert rows[1][phone] == "13912345678"


# --- a station's page -----------------------------------------------------------------------------


def test_detail_shows_facilities_hours_groups_and_a_masked_phone(tree, stations, officer, admin, foreign) -> None:
    response = officer.get(reverse("stations:detail", args=["zs-001"]))  # a code typed in lower case
    html = response.content.decode()
    assert response.status_code == 200
    assert "钟山夜猫驿站" in html and "营业中" in html
    for label in ("饮水", "风扇/空调", "医药箱"):
        assert label in html
    assert "基本设施尚缺：桌椅、微波炉" in html
    assert "00:00–00:00" in html
    assert "139****5678" in html and "13912345678" not in html
    assert "13912345678" in admin.get(reverse("stations:detail", args=["ZS-001"])).content.decode()
    assert foreign.get(reverse("stations:detail", args=["ZS-001"])).status_code == 404
    shut = officer.get(reverse("stations:detail", args=["ZS-002"])).content.decode()
    assert "不开放" in shut and 'data-testid="status">休息' in shut


def test_qr_code_is_an_svg_of_the_station_address_and_the_poster_prints_it(tree, stations, officer, foreign) -> None:
    import segno

    response = officer.get(reverse("stations:qr", args=["ZS-001"]))
    assert response.status_code == 200 and response["Content-Type"] == "image/svg+xml"
    svg = response.content.decode()
    assert svg.startswith("<?xml") and "<svg" in svg and "钟山夜猫驿站" in svg
    expected = segno.make("http://testserver/m/s/ZS-001/", error="m")  # the phone's page for the station
    out = io.BytesIO()
    expected.save(out, kind="svg", scale=8, border=2, title="钟山夜猫驿站 二维码")
    assert svg == out.getvalue().decode()
    assert foreign.get(reverse("stations:qr", args=["ZS-001"])).status_code == 404
    poster = officer.get(reverse("stations:poster", args=["ZS-001"])).content.decode()
    assert reverse("stations:qr", args=["ZS-001"]) in poster and "data-print" in poster and "钟山夜猫驿站" in poster


# --- the form -------------------------------------------------------------------------------------


FORM = {
    "code": "zs-010",
    "org_code": "钟山区总工会",
    "name": "万达驿站",
    "address": "钟山区万达广场 1 号",
    "region_code": "520201",
    "datum": "wgs84",
    "lat": "26.5800",
    "lng": "104.8300",
    "build_mode": "union",
    "facilities": ["seats", "water", "wifi"],
    "map_published": ["amap"],
    "manager_name": "刘站长",
    "manager_phone": "13600001111",
    "weekday_opens": "08:00",
    "weekday_closes": "22:00",
    "weekend_opens": "18:00",
    "weekend_closes": "02:00",
}


def test_creating_a_station_converts_wgs84_and_takes_the_union_by_name(tree, officer) -> None:
    response = officer.post(reverse("stations:new"), FORM)
    assert response.status_code == 302 and response["Location"] == reverse("stations:detail", args=["ZS-010"])
    with unscoped():
        station = Station.objects.get(code="ZS-010")
    assert station.org == tree.zhongshan
    lat, lng = wgs84_to_gcj02(26.58, 104.83)
    assert (station.lat, station.lng) == pytest.approx((lat, lng))
    assert station.facility_codes == ["seats", "water", "wifi"]
    assert station.map_codes == ["amap"]
    assert station.weekend_closes == time(2)
    assert AuditEvent.all_objects.filter(action="stations.create").count() == 1


def test_the_form_shows_every_mistake_at_once_and_keeps_what_was_typed(tree, officer) -> None:
    data = FORM | {
        "name": "",
        "weekday_closes": "",
        "build_mode": "cobuilt",
        "lat": "95",
        "datum": "gcj02",
    }
    response = officer.post(reverse("stations:new"), data)
    html = response.content.decode()
    assert response.status_code == 200
    for field in ("name", "weekday_closes", "partner_kind", "partner_name", "lat"):
        assert f'data-testid="error-{field}"' in html, field
    assert "工作日的开门和关门时间须同时填写" in html
    assert 'value="钟山区万达广场 1 号"' in html and 'value="13600001111"' in html
    with unscoped():
        assert not Station.objects.filter(code="ZS-010").exists()


def test_a_union_outside_the_scope_and_a_code_taken_are_refused_on_their_fields(tree, stations, officer) -> None:
    html = officer.post(reverse("stations:new"), FORM | {"org_code": "621100"}).content.decode()
    assert 'data-testid="error-org_code"' in html and "定西" not in html
    html = officer.post(reverse("stations:new"), FORM | {"code": "ZS-001"}).content.decode()
    assert 'data-testid="error-code"' in html and "已被使用" in html


def test_only_managers_create_and_edit(tree, stations, viewer) -> None:
    assert viewer.get(reverse("stations:new")).status_code == 403
    assert viewer.post(reverse("stations:new"), FORM).status_code == 403
    assert viewer.get(reverse("stations:edit", args=["ZS-001"])).status_code == 403
    with unscoped():
        assert not Station.objects.filter(code="ZS-010").exists()


def test_editing_keeps_the_code_and_changes_facilities_maps_and_hours(tree, stations, officer, foreign) -> None:
    url = reverse("stations:edit", args=["ZS-001"])
    form = officer.get(url).content.decode()
    assert 'value="钟山夜猫驿站"' in form and 'name="code"' not in form
    data = {k: v for k, v in FORM.items() if k not in ("code", "org_code")} | {
        "datum": "gcj02",
        "lat": "26.6",
        "lng": "104.8",
    }
    data |= {"facilities": ["toilet", "charging"], "map_published": ["baidu", "amap"]}
    assert officer.post(url, data).status_code == 302
    station = Station.all_objects.get(code="ZS-001")
    assert station.facility_codes == ["toilet", "charging"] and station.map_codes == ["baidu", "amap"]
    assert (station.lat, station.lng) == (26.6, 104.8)
    assert station.name == "万达驿站" and station.org == tree.zhongshan
    assert foreign.post(url, data).status_code == 404


# --- close, reopen, closed days -------------------------------------------------------------------


def test_close_needs_a_reason_then_reopen(tree, stations, officer, viewer) -> None:
    close = reverse("stations:close", args=["ZS-001"])
    assert viewer.post(close, {"close-reason": "装修"}).status_code == 403
    refused = officer.post(close, {"close-reason": " "})
    assert refused.status_code == 200 and "请填写关闭原因" in refused.content.decode()
    assert not Station.all_objects.get(code="ZS-001").is_closed
    assert officer.post(close, {"close-reason": "门面装修"}).status_code == 302
    station = Station.all_objects.get(code="ZS-001")
    assert station.is_closed and station.closed_reason == "门面装修"
    page = officer.get(reverse("stations:detail", args=["ZS-001"])).content.decode()
    assert "驿站已关闭：门面装修" in page and 'data-testid="reopen-form"' in page
    assert officer.post(reverse("stations:reopen", args=["ZS-001"]), {"reopen-reason": "装修完毕"}).status_code == 302
    assert not Station.all_objects.get(code="ZS-001").is_closed
    event = AuditEvent.all_objects.get(action="stations.reopen")
    assert event.data["reason"] == "装修完毕"


def test_closed_days_are_added_and_listed(tree, stations, officer) -> None:
    day = date.today() + timedelta(days=3)
    url = reverse("stations:closed_day", args=["ZS-001"])
    bad = officer.post(url, {"day": "not a day"})
    assert bad.status_code == 200 and 'data-testid="error-day"' in bad.content.decode()
    assert officer.post(url, {"day": day.isoformat(), "reason": "停电检修"}).status_code == 302
    with unscoped():
        assert StationClosedDay.objects.filter(station=stations["open"], day=day, reason="停电检修").exists()
    page = officer.get(reverse("stations:detail", args=["ZS-001"])).content.decode()
    assert day.isoformat() in page and "停电检修" in page


# --- the map --------------------------------------------------------------------------------------


def test_without_tiles_the_map_is_a_list_for_the_browser_to_sort(tree, stations, officer, settings) -> None:
    settings.GONGHUI_MAP_TILE_URL = ""
    html = officer.get(reverse("stations:map")).content.decode()
    assert 'data-testid="no-tiles"' in html and "data-locate" in html
    assert 'id="station-map"' not in html and "leaflet.js" not in html
    assert 'id="station-points"' in html and "ZS-001" in html and "DX-001" not in html
    assert "stations/map.js" in html


def test_with_tiles_the_map_draws_markers_with_leaflet_from_the_lockfile(tree, stations, officer, settings) -> None:
    settings.GONGHUI_MAP_TILE_URL = "/tiles/{z}/{x}/{y}.png"
    response = officer.get(reverse("stations:map"), {"open_now": "1"})
    html = response.content.decode()
    assert 'id="station-map"' in html and "vendor/leaflet/leaflet.js" in html and "vendor/leaflet/leaflet.css" in html
    assert "/tiles/{z}/{x}/{y}.png" in html
    points = response.context["points"]
    assert sorted(p["code"] for p in points) == ["GY-001", "ZS-001"]
    assert all(p["open"] for p in points)


def test_leaflet_is_served_from_node_modules() -> None:
    from django.contrib.staticfiles import finders

    assert finders.find("vendor/leaflet/leaflet.js") is not None
    assert finders.find("vendor/leaflet/leaflet.css") is not None


# --- the dashboard --------------------------------------------------------------------------------


def test_dashboard_draws_stations_by_city_and_shows_the_cards(tree, stations, officer) -> None:
    response = officer.get(reverse("reports:dashboard"))
    html = response.content.decode()
    assert "驿站数量（按市）" in html and 'data-testid="chart-stations-city"' in html
    chart = next(c for c in response.context["charts"] if c["id"] == "stations-city")
    assert chart["data"]["unit"] == "座"
    assert dict(zip(chart["data"]["labels"], chart["data"]["series"][0]["values"], strict=True)) == {
        "六盘水市": 2,
        "贵阳市": 1,
    }
    assert 'data-testid="stat-stations"' in html


def test_a_closed_day_today_takes_the_station_out_of_open_now(tree, stations, officer) -> None:
    with unscoped():
        StationClosedDay.objects.create(station=stations["open"], org_path=stations["open"].org_path, day=date.today())
    html = officer.get(reverse("stations:list"), {"open_now": "1"}).content.decode()
    assert codes_in(html.split('data-testid="stations"', 1)[1], ["ZS-001", "GY-001"]) == {"GY-001"}
    page = officer.get(reverse("stations:detail", args=["ZS-001"])).content.decode()
    assert 'data-testid="status">休息' in page


@pytest.mark.parametrize("url", ["stations:list", "stations:map"])
def test_the_list_and_the_map_read_no_row_by_row(tree, stations, officer, url) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    officer.get(reverse(url))  # the session warm
    with CaptureQueriesContext(connection) as few:
        assert officer.get(reverse(url)).status_code == 200
    for i in range(10):
        make_station(tree.zhongshan, f"ZS-1{i:02d}", region_code="520201")
    with CaptureQueriesContext(connection) as many:
        assert officer.get(reverse(url)).status_code == 200
    assert len(many) == len(few)


def test_a_tile_server_on_another_host_is_allowed_for_images_only() -> None:
    import json
    import os
    import subprocess
    import sys

    code = (
        "import django, json; django.setup(); from django.conf import settings; "
        "print(json.dumps(settings.CONTENT_SECURITY_POLICY['DIRECTIVES'], default=str))"
    )
    env = os.environ | {"GONGHUI_MAP_TILE_URL": "https://{s}.tiles.example.org/{z}/{x}/{y}.png"}
    env["DJANGO_SETTINGS_MODULE"] = "gonghui.settings.test"
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)  # noqa: S603
    directives = json.loads(out.stdout.strip().splitlines()[-1])
    assert "https://*.tiles.example.org" in directives["img-src"]
    for other in ("script-src", "connect-src", "default-src", "style-src"):
        assert not any("tiles.example.org" in source for source in directives[other]), other
