"""Browser tests of the stations map: without tiles the list sorts by the browser's position; with a
tile server Leaflet (from the npm lockfile) draws one marker per station, under the page's CSP."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from gonghui.accounts.models import User
from gonghui.accounts.services import grant_role
from gonghui.conftest import PASSWORD, build_tree
from gonghui.stations.coords import gcj02_to_wgs84
from gonghui.stations.tests.factories import make_station

pytestmark = pytest.mark.browser

# GCJ-02 points in 六盘水 (the nearest first from NEAR_B), far enough apart to sort clearly.
POINTS = {"MAP-A": (26.60, 104.80), "MAP-B": (26.58, 104.85), "MAP-C": (26.50, 104.95)}
NEAR_B = gcj02_to_wgs84(26.581, 104.851)  # what the phone's GPS reports next to MAP-B


@pytest.fixture
def world(transactional_db: None) -> None:
    tree = build_tree()
    for code, (lat, lng) in POINTS.items():
        make_station(tree.zhongshan, code, lat=lat, lng=lng, name=f"{code}驿站", region_code="520201")
    user = User.objects.create_user(username="officer", password=PASSWORD)
    grant_role(actor=None, actor_scope=None, user=user, role_name="officer", org_code="520200")


@pytest.fixture
def context(browser: Browser, live_server) -> Iterator[BrowserContext]:
    lat, lng = NEAR_B
    context = browser.new_context(
        base_url=live_server.url,
        locale="zh-CN",
        viewport={"width": 1366, "height": 900},
        geolocation={"latitude": lat, "longitude": lng},
        permissions=["geolocation"],
    )
    context.set_default_timeout(15_000)
    yield context
    context.close()


def signed_in(context: BrowserContext, errors: list[str], missing: list[str]) -> Page:
    page = context.new_page()
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    # A refusal by the CSP is a console error; a file not found is reported by its response below.
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" and "404" not in msg.text else None)
    page.on("response", lambda r: missing.append(r.url) if r.status == 404 else None)
    page.goto("/accounts/login/")
    page.get_by_label("用户名").fill("officer")
    page.get_by_label("密码").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="登录").click()
    return page


def test_without_tiles_the_list_is_sorted_by_distance_from_the_browser(world, context, settings) -> None:
    settings.GONGHUI_MAP_TILE_URL = ""
    errors: list[str] = []
    missing: list[str] = []
    page = signed_in(context, errors, missing)
    page.goto("/stations/map/")
    expect(page.get_by_test_id("no-tiles")).to_contain_text("已按距离排序")
    rows = page.locator("#station-list tbody tr")
    expect(rows.first).to_contain_text("MAP-B")
    codes = [text.split("驿站")[0] for text in rows.locator("td:first-child a").all_inner_texts()]
    assert codes == ["MAP-B", "MAP-A", "MAP-C"]
    first_distance = rows.first.locator("[data-distance]").inner_text()
    assert first_distance.endswith(" 米") and int(first_distance.split()[0]) < 200
    assert not errors, errors
    assert [url for url in missing if not url.endswith("/favicon.ico")] == []


def test_with_tiles_leaflet_draws_a_marker_per_station(world, context, settings, live_server) -> None:
    # Tiles from this server (a path that answers 404 is enough to draw markers over).
    settings.GONGHUI_MAP_TILE_URL = "/stations-tiles/{z}/{x}/{y}.png"
    errors: list[str] = []
    missing: list[str] = []
    page = signed_in(context, errors, missing)
    page.goto("/stations/map/")
    expect(page.locator("#station-map")).to_have_attribute("data-rendered", "true")
    expect(page.locator("#station-map path.leaflet-interactive")).to_have_count(3)
    page.locator("#station-map path.leaflet-interactive").first.click(force=True)
    expect(page.locator(".leaflet-popup-content a")).to_have_count(1)
    # Only the tiles are missing; no script error, nothing refused by the CSP.
    assert not errors, errors
    assert any("/stations-tiles/" in url for url in missing)
    assert [url for url in missing if "/stations-tiles/" not in url and not url.endswith("/favicon.ico")] == []
