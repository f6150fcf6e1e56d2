"""No page asks another host for anything: deployments sit on intranets (DESIGN, issue "Day one").

The browser may reach the live server only; every other request is aborted and
recorded. The platform admin then opens every page of the navigation (each app's
registered entries, so a module that arrives later is visited too), the API's
Swagger page, and a member's phone pages. Any request to another host fails the test,
and so does anything the Content-Security-Policy refused (Chromium reports each refusal
on the console), so no page may depend on inline script or eval.
"""

from __future__ import annotations

import io
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django.urls import reverse
from playwright.sync_api import Browser, Route, expect

from gonghui.accounts.demo import DEMO_PASSWORD
from gonghui.core.ui import nav_entries

pytestmark = pytest.mark.browser

MEMBER_MOBILE = "15000000000"  # the demo's member on the phone (accounts/demo.py)


@pytest.fixture
def demo(transactional_db: None) -> None:
    call_command("demo", "--no-serve", stdout=io.StringIO(), stderr=io.StringIO())


def test_every_page_loads_with_the_outside_world_cut_off(demo, browser: Browser, live_server) -> None:
    server = urlsplit(live_server.url).netloc
    outside: list[str] = []
    statuses: dict[str, int] = {}

    def only_the_server(route: Route) -> None:
        if urlsplit(route.request.url).netloc == server:
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    context = browser.new_context(base_url=live_server.url, locale="zh-CN")
    context.set_default_timeout(15_000)
    context.route("**/*", only_the_server)
    page = context.new_page()
    page.on("response", lambda r: statuses.__setitem__(r.url, r.status) if urlsplit(r.url).netloc == server else None)
    refused: list[str] = []
    page.on("console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None)

    page.goto("/accounts/login/")
    page.get_by_label("用户名").fill("admin")  # the platform admin: every entry, 词语对照 included
    page.get_by_label("密码").fill(DEMO_PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="登录").click()

    urls = ["/", *(reverse(entry.url_name) for entry in nav_entries()), "/api/v1/docs"]
    assert len(urls) >= 12
    for url in urls:
        response = page.goto(url)
        assert response is not None and response.status == 200, url
        page.wait_for_load_state("networkidle")
    # Swagger UI drew itself from the bundled assets.
    expect(page.locator(".swagger-ui .info")).to_be_visible()

    # A member on the phone.
    context.clear_cookies()
    page.goto("/m/login/")
    page.get_by_label("手机号码").fill(MEMBER_MOBILE)
    page.get_by_label("密码").fill(DEMO_PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="登录").click()
    for name in ("portal:home", "portal:aid_list", "portal:join_find"):
        response = page.goto(reverse(name))
        assert response is not None and response.status == 200, name
        page.wait_for_load_state("networkidle")

    context.close()
    assert not outside, f"requests to other hosts: {outside}"
    assert not refused, refused
    failed = {url: status for url, status in statuses.items() if status >= 400}
    assert not failed, failed
