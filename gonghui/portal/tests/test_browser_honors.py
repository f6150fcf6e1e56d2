"""Browser test on a phone (iPhone 13: 390 px wide): a member logs in, opens 我的荣誉, reads their honors
(title, level, year, awarding body) and downloads their certificate's PDF. No page scrolls sideways."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, Playwright, expect

from gonghui.conftest import PASSWORD, build_tree
from gonghui.core.tests.browser import SHOTS
from gonghui.honors.tests.awarding import award
from gonghui.honors.tests.conftest import HonorWorld, build
from gonghui.members.tests.test_browser_members import Pages
from gonghui.portal.services import member_account_create

pytestmark = pytest.mark.browser
MOBILE = "13800000941"


@pytest.fixture
def hw(transactional_db: None, make_user: Any) -> HonorWorld:
    world = build(build_tree(), make_user)
    award(world, 0)
    member_account_create(actor=None, person=world.members[0].person, username=MOBILE, password=PASSWORD)
    return world


@pytest.fixture
def pages(pw: Playwright, browser: Browser, live_server: Any) -> Iterator[Pages]:
    phone = {k: v for k, v in pw.devices["iPhone 13"].items() if k != "default_browser_type"}
    p = Pages(browser, live_server.url, phone)
    yield p
    p.close()
    assert not p.js_errors, p.js_errors


def fits(page: Page) -> None:
    width = page.evaluate("window.innerWidth")
    assert width == 390
    assert page.evaluate("document.documentElement.scrollWidth") <= width, page.url


def test_a_member_opens_their_honors_on_a_phone(hw: HonorWorld, pages: Pages, tmp_path: Path) -> None:
    phone = pages.phone()
    phone.goto("/m/honors/")
    assert phone.url.endswith("/m/login/?next=/m/honors/")
    phone.get_by_label("手机号码").fill(MOBILE)
    phone.get_by_label("密码").fill(PASSWORD)
    phone.get_by_test_id("login-submit").click()
    expect(phone.get_by_test_id("honor-title")).to_have_text("六盘水市最美劳动者")
    row = phone.get_by_test_id("honor-row")
    expect(row).to_contain_text("2026年 · 市级")
    expect(row).to_contain_text("授予单位：六盘水市总工会")
    fits(phone)
    SHOTS.mkdir(parents=True, exist_ok=True)
    phone.screenshot(path=str(SHOTS / "portal-honors.png"), full_page=True)

    with phone.expect_download() as waiting:
        phone.get_by_test_id("certificate-download").click()
    download = waiting.value
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    assert download.suggested_filename == "520200-2026-00001.pdf"
    assert saved.read_bytes().startswith(b"%PDF")

    # Back home, the honors are one tap away.
    phone.goto("/m/")
    phone.get_by_test_id("link-honors").click()
    expect(phone.get_by_test_id("honor-row")).to_have_count(1)
    fits(phone)
