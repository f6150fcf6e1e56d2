"""Browser tests: Debian's Chromium, driven by Playwright, against pytest-django's live server.

Every test loads the real demo data (`gonghui demo --no-serve`, about 600 orgs) and
goes through the pages as a user does: the login form, the htmx tree, the ECharts
dashboard, the user menu. `make test-browser` runs them (`pytest -m browser`);
`make test` leaves them out. Screenshots go to /tmp/gonghui-shots/ (never the repo).
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from django.core.management import call_command
from playwright.sync_api import Browser, Page, Request, Response, expect

from gonghui.accounts.demo import DEMO_PASSWORD
from gonghui.core.scoping import unscoped
from gonghui.core.templatetags.money import cny
from gonghui.core.tests.browser import SHOTS
from gonghui.orgs.models import Org

pytestmark = pytest.mark.browser

VENDOR_ASSETS = (
    "/static/vendor/bootstrap/css/bootstrap.min.css",
    "/static/vendor/bootstrap/js/bootstrap.bundle.min.js",
    "/static/vendor/htmx/htmx.min.js",
)
NOT_FOUND_TEXT = "未找到该页面或记录，或它不在您的管辖范围内。"
LOGIN_ERROR_TEXT = "用户名或密码不正确，请重试。连续多次失败后账户将被暂时锁定。"
BARS_SETTLED = """(id) => {
    const data = echarts.getInstanceByDom(document.getElementById(id)).getModel().getSeriesByIndex(0).getData();
    for (let i = 0; i < data.count(); i++) {
        const bar = data.getItemGraphicEl(i);
        if (!bar || Math.abs(bar.shape.width - data.getItemLayout(i).width) > 0.5) return false;
    }
    return data.count() > 0;
}"""


@pytest.fixture
def demo(transactional_db: None) -> None:
    """The demo data users see (small scale), loaded into the test database."""
    call_command("demo", "--no-serve", stdout=io.StringIO(), stderr=io.StringIO())


@dataclass
class Session:
    """One browser context on the live server, recording what went wrong on the wire."""

    page: Page
    statics: dict[str, int] = field(default_factory=dict)
    failed_requests: list[str] = field(default_factory=list)
    js_errors: list[str] = field(default_factory=list)

    def on_response(self, response: Response) -> None:
        if "/static/" in response.url:
            self.statics[response.url.split("?", 1)[0]] = response.status

    def on_request_failed(self, request: Request) -> None:
        self.failed_requests.append(f"{request.url} {request.failure}")

    def login(self, username: str, password: str = DEMO_PASSWORD) -> Page:
        page = self.page
        page.goto("/accounts/login/")
        page.get_by_label("用户名").fill(username)
        page.get_by_label("密码").fill(password)
        with page.expect_navigation():  # the POST, then the redirect on success
            page.get_by_role("button", name="登录").click()
        return page

    def assert_assets_ok(self) -> None:
        """Every static file was served (200, or 304 from a revalidation), no request failed, no script threw."""
        bad = {url: status for url, status in self.statics.items() if status not in (200, 304)}
        assert not bad, f"static files not served: {bad}"
        assert not self.failed_requests, self.failed_requests
        assert not self.js_errors, self.js_errors
        served = {re.sub(r"^https?://[^/]+", "", url) for url in self.statics}
        missing = [asset for asset in VENDOR_ASSETS if asset not in served]
        assert not missing, f"vendor assets never requested: {missing}"


@pytest.fixture
def session(browser: Browser, live_server) -> Iterator[Session]:
    context = browser.new_context(base_url=live_server.url, locale="zh-CN", viewport={"width": 1366, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    s = Session(page)
    page.on("response", s.on_response)
    page.on("requestfailed", s.on_request_failed)
    page.on("pageerror", lambda exc: s.js_errors.append(str(exc)))
    yield s
    context.close()


def _path(page: Page) -> str:
    return re.sub(r"^https?://[^/]+", "", page.url)


def _number(text: str) -> int:
    return int(re.sub(r"\D", "", text))


def _open_children(code: str) -> list[tuple[str, str]]:
    with unscoped():
        return list(
            Org.objects.filter(parent__code=code, closed_on__isnull=True).order_by("code").values_list("code", "name")
        )


def test_province_admin_logs_in_and_opens_the_tree_two_levels_down(demo, session):
    page = session.login("gz_admin")
    assert _path(page) == "/", "the login form should land on the dashboard"
    expect(page.get_by_test_id("user-menu")).to_be_visible()

    page.goto("/orgs/")
    expect(page.get_by_role("heading", name="工会组织树")).to_be_visible()
    root = page.locator('#org-tree > li[data-code="520000"]')
    expect(root.locator("> a")).to_have_text("贵州省总工会")
    expect(root.locator("> ul > li")).to_have_count(0)

    # Level one: the cities, fetched by htmx into the root's empty list.
    page.get_by_test_id("expand-520000").click()
    cities = _open_children("520000")
    assert ("520200", "六盘水市总工会") in cities
    expect(root.locator("> ul > li[data-code]")).to_have_count(len(cities))
    expect(page.get_by_test_id("expand-520000")).to_be_disabled()

    # Level two: the grandchildren under 六盘水.
    city = root.locator('> ul > li[data-code="520200"]')
    city.get_by_test_id("expand-520200").click()
    grandchildren = _open_children("520200")
    assert len(grandchildren) >= 3
    items = city.locator("> ul > li[data-code]")
    expect(items).to_have_count(len(grandchildren))
    for code, name in grandchildren:
        expect(city.locator(f'> ul > li[data-code="{code}"] > a')).to_have_text(name)
    expect(city.locator('> ul > li[data-code="520201"]')).to_contain_text("钟山区总工会")
    expect(city.get_by_test_id("expand-520201")).to_be_visible()  # a third level is there to open

    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "tree.png"), full_page=True)
    session.assert_assets_ok()


def test_dashboard_draws_the_chart_and_shows_the_computed_figures(demo, session):
    page = session.login("gz_admin")
    assert _path(page) == "/"
    expect(page.get_by_role("heading", name=re.compile("统计概览"))).to_be_visible()

    chart = page.locator("#chart-kind")
    expect(chart).to_have_attribute("data-rendered", "true")
    expect(chart.locator("canvas")).not_to_have_count(0)
    expect(page.locator("#chart-region")).to_have_attribute("data-rendered", "true")
    # ECharts holds the server's series (not an empty chart) and the canvas has a size.
    kinds = json.loads(page.locator("#data-kind").text_content() or "{}")
    assert kinds["labels"]
    drawn = page.evaluate(
        """() => {
            const chart = echarts.getInstanceByDom(document.getElementById("chart-kind"));
            const canvas = document.querySelector("#chart-kind canvas");
            return {points: chart.getOption().series[0].data.length, width: canvas.width, height: canvas.height};
        }"""
    )
    assert drawn["points"] == len(kinds["labels"])
    assert drawn["width"] > 100
    assert drawn["height"] > 100

    # The figures are the ones `gonghui stats --org 520000 --json` computes (gz_admin's scope is 520000).
    out = io.StringIO()
    call_command("stats", "--org", "520000", "--json", stdout=out)
    expected = json.loads(out.getvalue())
    assert expected["orgs_new_employment"] > 0
    assert _number(page.get_by_test_id("stat-orgs-ne").inner_text()) == expected["orgs_new_employment"]
    assert _number(page.get_by_test_id("stat-orgs").inner_text()) == expected["orgs"]
    # Money: the card payouts and 普惠 spending as the report prints them, charted by month and by city.
    assert expected["payout_yuan"] > 0
    expect(page.get_by_test_id("stat-payout")).to_have_text(cny(expected["payout_yuan"]))
    expect(page.get_by_test_id("stat-benefit")).to_have_text(cny(expected["benefit_spend_yuan"]))
    for chart_id in ("chart-month", "chart-city"):
        expect(page.locator(f"#{chart_id}")).to_have_attribute("data-rendered", "true")
    month = json.loads(page.locator("#data-month").text_content() or "{}")
    payouts = next(s for s in month["series"] if s["name"] == "资金代发")
    assert len(month["labels"]) == 12
    # The year's payouts all fall in the last twelve months: the chart adds up to the figure (in 万元).
    assert abs(sum(payouts["values"]) - expected["payout_yuan"] / 10_000) < 0.1
    city = json.loads(page.locator("#data-city").text_content() or "{}")
    assert "六盘水市总工会" in city["labels"] and len(city["labels"]) >= 9

    # ECharts animates the bars in; shoot once every bar has reached its laid-out width.
    page.wait_for_function(BARS_SETTLED, arg="chart-kind")
    page.wait_for_function(BARS_SETTLED, arg="chart-region")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "dashboard.png"), full_page=True)
    session.assert_assets_ok()
    served = {re.sub(r"^https?://[^/]+", "", url) for url in session.statics}
    assert "/static/vendor/echarts/echarts.min.js" in served
    assert "/static/reports/dashboard.js" in served

    # Figures are grouped by thousands (zh-hans's own separator is empty).
    if expected["orgs"] >= 1000:
        expect(page.get_by_test_id("stat-orgs")).to_have_text(f"{expected['orgs']:,}")

    # Drill-down from the chart: clicking a union's bar opens that union's dashboard (?org=CODE).
    page.locator("#chart-city").scroll_into_view_if_needed()
    page.wait_for_function(BARS_SETTLED, arg="chart-city")
    index = max(range(len(city["labels"])), key=lambda i: city["series"][0]["values"][i])
    code, name = city["codes"][index], city["labels"][index]
    centre = page.evaluate(
        """([id, i]) => {
            const el = document.getElementById(id);
            const layout = echarts.getInstanceByDom(el).getModel().getSeriesByIndex(0).getData().getItemLayout(i);
            const box = el.getBoundingClientRect();
            return {x: box.x + layout.x + layout.width / 2, y: box.y + layout.y + layout.height / 2};
        }""",
        ["chart-city", index],
    )
    with page.expect_navigation():
        page.mouse.click(centre["x"], centre["y"])
    assert _path(page) == f"/?org={code}"
    expect(page.get_by_role("heading", name=f"统计概览 · {name}")).to_be_visible()
    expect(page.locator("#chart-kind")).to_have_attribute("data-rendered", "true")

    # An empty chart says 暂无数据 instead of drawing a 0–1 axis: a union with no lower union.
    with unscoped():
        leaf = (
            Org.objects.filter(path__startswith=Org.objects.get(code=code).path, closed_on__isnull=True)
            .filter(children__isnull=True)
            .order_by("code")
            .first()
        )
    assert leaf is not None
    page.goto(f"/?org={leaf.code}")
    empty = page.locator("#chart-city")
    expect(empty).to_have_attribute("data-empty", "true")
    expect(empty).to_have_text("暂无数据")
    expect(empty.locator("canvas")).to_have_count(0)
    page.screenshot(path=str(SHOTS / "dashboard-empty.png"), full_page=True)
    assert not session.js_errors, session.js_errors


def test_logout_from_the_user_menu_then_protected_pages_redirect_to_login(demo, session):
    page = session.login("gz_admin")
    assert _path(page) == "/"

    page.get_by_test_id("user-menu").click()  # a Bootstrap dropdown: needs bootstrap.bundle.js
    logout = page.get_by_test_id("logout")
    expect(logout).to_be_visible()
    logout.click()
    page.wait_for_url("**/accounts/login/")
    expect(page.get_by_role("heading", name="登录工会服务平台")).to_be_visible()
    expect(page.get_by_test_id("user-menu")).to_have_count(0)

    page.goto("/orgs/")
    assert _path(page) == "/accounts/login/?next=/orgs/"
    expect(page.get_by_role("heading", name="登录工会服务平台")).to_be_visible()
    page.goto("/")
    assert _path(page).startswith("/accounts/login/")
    session.assert_assets_ok()


def test_scoped_officer_gets_404_for_foreign_orgs_and_sees_only_their_subtree(demo, session):
    page = session.login("lps_officer")  # officer on 520200 六盘水市总工会
    assert _path(page) == "/"

    for code, foreign_name in (("621100", "定西"), ("520100", "贵阳"), ("520000", "贵州省总工会")):
        response = page.goto(f"/orgs/{code}/")
        assert response is not None
        assert response.status == 404, code
        expect(page.get_by_role("heading", name="未找到")).to_be_visible()
        expect(page.locator("main")).to_contain_text(NOT_FOUND_TEXT)
        expect(page.locator("body")).not_to_contain_text(foreign_name)
        expect(page.locator("body")).not_to_contain_text(code)
    # The htmx fragment and the dashboard drill-down are closed too.
    for url in ("/orgs/520100/children/", "/?org=621100"):
        response = page.goto(url)
        assert response is not None
        assert response.status == 404, url

    page.goto("/orgs/")
    roots = page.locator("#org-tree > li[data-code]")
    expect(roots).to_have_count(1)
    expect(roots.first).to_have_attribute("data-code", "520200")
    expect(page.get_by_test_id("expand-520000")).to_have_count(0)
    page.get_by_test_id("expand-520200").click()
    children = _open_children("520200")
    expect(page.locator('li[data-code="520200"] > ul > li[data-code]')).to_have_count(len(children))
    shown = page.locator("#org-tree li[data-code]").evaluate_all("els => els.map(e => e.dataset.code)")
    assert set(shown) == {"520200", *(code for code, _ in children)}
    tree_text = page.locator("#org-tree").inner_text()
    for other in ("贵州省总工会", "贵阳市总工会", "定西市总工会", "遵义市总工会"):
        assert other not in tree_text
    session.assert_assets_ok()


def test_wrong_password_shows_the_chinese_error(demo, session):
    page = session.login("gz_admin", "not-the-password")
    assert _path(page) == "/accounts/login/"
    expect(page.get_by_role("alert")).to_have_text(LOGIN_ERROR_TEXT)
    expect(page.get_by_label("用户名")).to_have_value("gz_admin")
    expect(page.get_by_test_id("user-menu")).to_have_count(0)
    page.goto("/")
    assert _path(page) == "/accounts/login/?next=/"
    session.assert_assets_ok()
