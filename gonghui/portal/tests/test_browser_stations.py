"""Browser test on a phone (iPhone 13: 390 px wide, the position shared): a rider finds the nearest open
station, opens it, checks in on duty, writes the duty log, takes a day of the group's week and asks for a
swap, which the other rider accepts on their own phone. No page scrolls sideways. With a tile server the
nearest stations are also markers on a Leaflet map, the phone's position among them."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, expect

from gonghui.conftest import PASSWORD, build_tree
from gonghui.core.tests.browser import SHOTS
from gonghui.portal.models import MemberAccount
from gonghui.portal.tests.stations_world import HERE, StationWorld, build_station_world
from gonghui.stations.coords import haversine_m, wgs84_to_gcj02
from gonghui.stations.models import DutyCheckIn, DutyLog, DutySupply, SwapRequest, SwapStatus

pytestmark = pytest.mark.browser


@pytest.fixture
def sw(transactional_db: None) -> StationWorld:
    return build_station_world(build_tree())


class Phones:
    """One phone per rider (its own cookies), sharing its position; what their scripts threw."""

    def __init__(self, pw: Playwright, browser: Browser, base_url: str) -> None:
        self.options = {k: v for k, v in pw.devices["iPhone 13"].items() if k != "default_browser_type"}
        self.browser, self.base_url = browser, base_url
        self.contexts: list[BrowserContext] = []
        self.js_errors: list[str] = []

    def phone(self, account: MemberAccount) -> Page:
        context = self.browser.new_context(
            base_url=self.base_url,
            locale="zh-CN",
            geolocation={"latitude": HERE[0], "longitude": HERE[1]},
            permissions=["geolocation"],
            **self.options,
        )
        context.set_default_timeout(15_000)
        self.contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda exc: self.js_errors.append(str(exc)))
        page.goto("/m/login/")
        page.get_by_label("手机号码").fill(account.user.username)
        page.get_by_label("密码").fill(PASSWORD)
        page.get_by_test_id("login-submit").click()
        expect(page.get_by_test_id("member-name")).to_have_text(account.person.name)
        return page


@pytest.fixture
def phones(pw: Playwright, browser: Browser, live_server: Any) -> Iterator[Phones]:
    p = Phones(pw, browser, live_server.url)
    yield p
    for context in p.contexts:
        context.close()
    assert not p.js_errors, p.js_errors


def fits(page: Page) -> None:
    """Nothing is wider than the phone's screen."""
    width = page.evaluate("window.innerWidth")
    assert width == 390
    assert page.evaluate("document.documentElement.scrollWidth") <= width, page.url


def test_a_rider_finds_the_nearest_open_station_checks_in_logs_and_swaps(sw: StationWorld, phones: Phones) -> None:
    phone = phones.phone(sw.rider)
    phone.get_by_test_id("link-stations").click()
    # The position is shared: the nearest open station first (the nearer one never opens).
    results = phone.get_by_test_id("near-results")
    expect(results.locator("a").first).to_have_attribute("data-testid", "near-YX-001")
    expect(phone.get_by_test_id("near-status")).to_contain_text("离您最近")
    expect(phone.get_by_test_id("near-YX-CLOSED")).to_have_count(0)
    expect(phone.get_by_test_id("near-YX-001")).to_contain_text("营业中")
    expect(phone.get_by_test_id("near-YX-001")).to_contain_text("公里")
    fits(phone)
    # Without the filter the closed one is listed too, nearer, as closed.
    phone.get_by_label("只看营业中").first.uncheck()
    expect(results.locator("a").first).to_have_attribute("data-testid", "near-YX-CLOSED")
    expect(phone.get_by_test_id("near-YX-CLOSED")).to_contain_text("未营业")
    phone.get_by_label("只看营业中").first.check()
    expect(results.locator("a").first).to_have_attribute("data-testid", "near-YX-001")
    SHOTS.mkdir(parents=True, exist_ok=True)
    phone.screenshot(path=str(SHOTS / "portal-stations-nearby.png"), full_page=True)

    phone.get_by_test_id("near-YX-001").click()
    expect(phone.get_by_test_id("station-name")).to_have_text("夷新驿站")
    expect(phone.get_by_test_id("station-phone")).to_have_text("139****5678")
    fits(phone)
    phone.get_by_test_id("checkin").click()
    expect(phone.get_by_test_id("checked-in")).to_contain_text("已签到")
    assert DutyCheckIn.all_objects.filter(person=sw.rider.person).count() == 1
    phone.screenshot(path=str(SHOTS / "portal-station-checked-in.png"), full_page=True)

    phone.get_by_test_id("log-link").click()
    phone.get_by_label("接待人次", exact=False).fill("15")
    phone.get_by_label("交接事项").fill("空调遥控器放在抽屉里")
    phone.get_by_label("物资1").fill("矿泉水")
    phone.get_by_label("消耗1").fill("abc")
    phone.get_by_label("补充1").fill("24")
    fits(phone)
    phone.get_by_test_id("log-save").click()
    # Refused, with the reason under the field and the rest kept; nothing saved.
    expect(phone.get_by_test_id("error-supply_0_used")).to_be_visible()
    expect(phone.get_by_label("交接事项")).to_have_value("空调遥控器放在抽屉里")
    assert not DutyLog.all_objects.exists()
    phone.get_by_label("消耗1").fill("12")
    phone.get_by_label("事件类型").fill("中暑")
    phone.get_by_label("经过").fill("一名骑手中暑，在站内休息后好转")
    phone.get_by_test_id("log-save").click()
    expect(phone.get_by_text("值班日志已保存")).to_be_visible()
    expect(phone.get_by_test_id("incident")).to_contain_text("一名骑手中暑")
    log = DutyLog.all_objects.get()
    assert log.visitors == 15 and DutySupply.all_objects.get(log=log).used == 12
    fits(phone)

    # 我的值班: take the next day of the group's week, and ask 陈骑 to take it.
    phone.get_by_role("link", name="我的值班").click()
    day = sw.next_own_day(sw.groups[0])
    phone.get_by_test_id(f"take-{day.pk}").click()
    expect(phone.get_by_text("已认领")).to_be_visible()
    fits(phone)
    phone.get_by_test_id(f"swap-open-{day.pk}").click()
    phone.get_by_test_id(f"duty-{day.pk}").get_by_label("换给谁").select_option(label="陈骑（第二组）")
    phone.get_by_test_id(f"duty-{day.pk}").get_by_label("说明（选填）").fill("孩子开家长会")
    phone.get_by_test_id(f"swap-ask-{day.pk}").click()
    expect(phone.get_by_text("换班申请已发给陈骑")).to_be_visible()
    expect(phone.get_by_test_id(f"open-swap-{day.pk}")).to_contain_text("待对方同意")
    fits(phone)

    other = phones.phone(sw.other)
    other.get_by_test_id("link-duty").click()
    swap = SwapRequest.all_objects.get()
    expect(other.get_by_test_id(f"incoming-{swap.pk}")).to_contain_text("刘骑 请您代班")
    expect(other.get_by_test_id(f"incoming-{swap.pk}")).to_contain_text("孩子开家长会")
    fits(other)
    other.get_by_test_id(f"swap-accept-{swap.pk}").click()
    expect(other.get_by_text("已同意换班，等待组长审批")).to_be_visible()
    expect(other.get_by_test_id(f"incoming-status-{swap.pk}")).to_contain_text("待组长审批")
    swap.refresh_from_db()
    assert swap.status == SwapStatus.ACCEPTED
    phone.reload()
    expect(phone.get_by_test_id(f"open-swap-{day.pk}")).to_contain_text("待组长审批")
    other.screenshot(path=str(SHOTS / "portal-duty-swap-accepted.png"), full_page=True)


def test_with_a_tile_server_the_nearest_stations_are_markers_on_the_phones_map(
    sw: StationWorld, pw: Playwright, browser: Browser, live_server: Any, settings: Any
) -> None:
    # Tiles from this server (a path that answers 404 is enough to draw markers over).
    settings.GONGHUI_MAP_TILE_URL = "/phone-tiles/{z}/{x}/{y}.png"
    options = {k: v for k, v in pw.devices["iPhone 13"].items() if k != "default_browser_type"}
    context = browser.new_context(
        base_url=live_server.url,
        locale="zh-CN",
        geolocation={"latitude": HERE[0], "longitude": HERE[1]},
        permissions=["geolocation"],
        **options,
    )
    context.set_default_timeout(15_000)
    errors: list[str] = []
    missing: list[str] = []
    try:
        phone = context.new_page()
        phone.on("pageerror", lambda exc: errors.append(str(exc)))
        # A refusal by the CSP is a console error; a file not found is reported by its response below.
        phone.on(
            "console", lambda msg: errors.append(msg.text) if msg.type == "error" and "404" not in msg.text else None
        )
        phone.on("response", lambda r: missing.append(r.url) if r.status == 404 else None)
        phone.goto("/m/stations/")
        box = phone.get_by_test_id("near-map")
        expect(box).to_have_attribute("data-rendered", "true")
        expect(phone.get_by_test_id("near-status")).to_contain_text("离您最近")
        # 只看营业中: the open station, green, and the phone's own position (not a link).
        stations = box.locator("path.leaflet-interactive")
        expect(stations).to_have_count(1)
        expect(stations.first).to_have_attribute("stroke", "#198754")
        expect(box.locator("path.near-map-me")).to_have_count(1)
        # Unfiltered, the closed one too, grey; the markers follow the list.
        phone.get_by_label("只看营业中").first.uncheck()
        expect(phone.get_by_test_id("near-results").locator("a").first).to_have_attribute(
            "data-testid", "near-YX-CLOSED"
        )
        expect(stations).to_have_count(2)
        expect(box.locator('path.leaflet-interactive[stroke="#6c757d"]')).to_have_count(1)
        expect(box.locator("path.near-map-me")).to_have_count(1)
        SHOTS.mkdir(parents=True, exist_ok=True)
        phone.screenshot(path=str(SHOTS / "portal-stations-nearby-map.png"), full_page=True)
        # A marker's popup names the station and links its page.
        box.locator('path.leaflet-interactive[stroke="#198754"]').click(force=True)
        link = box.locator(".leaflet-popup-content a")
        expect(link).to_have_text("夷新驿站")
        expect(link).to_have_attribute("href", "/m/s/YX-001/")
        # The map is phone-sized: the screen's width, half its height; nothing scrolls sideways.
        size = box.bounding_box()
        half = phone.evaluate("window.innerHeight") / 2
        assert size is not None and size["width"] <= 390 and abs(size["height"] - half) < 2
        fits(phone)
        # The phone's WGS-84 is drawn in GCJ-02, by the browser's copy of coords.py's formula.
        # Both stations were registered with the phone's WGS-84 longitude: drawn converted, the phone's dot sits
        # straight below them (unconverted it would be some 500 m, a hundred pixels, to the west).
        me, closed = (box.locator(sel).bounding_box() for sel in ("path.near-map-me", 'path[stroke="#6c757d"]'))
        assert me is not None and closed is not None and me["y"] > closed["y"]
        assert abs((me["x"] + me["width"] / 2) - (closed["x"] + closed["width"] / 2)) < 3
        lat, lng = phone.evaluate(f"window.gonghuiGcj02.toGcj02({HERE[0]}, {HERE[1]})")
        assert haversine_m(lat, lng, *wgs84_to_gcj02(*HERE)) < 0.01
    finally:
        context.close()
    # Only the tiles are missing; no script error, nothing refused by the CSP.
    assert not errors, errors
    assert any("/phone-tiles/" in url for url in missing)
    assert [url for url in missing if "/phone-tiles/" not in url and not url.endswith("/favicon.ico")] == []
