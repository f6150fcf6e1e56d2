"""Browser test on a phone (iPhone 13: 390 px wide): a member activates their account, applies for
金秋助学 for their son, follows it through the union's review, and withdraws it. No page scrolls sideways."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, Playwright, expect

from gonghui.conftest import build_tree
from gonghui.core.tests.browser import SHOTS
from gonghui.members.tests.test_browser_members import Pages
from gonghui.portal.tests.factories import NEW_ID, NEW_MOBILE, NEW_PASSWORD, PortalWorld, build_portal_world
from gonghui.student_aid.applications import application_decide
from gonghui.student_aid.models import ApplicationStatus, StudentAidApplication
from gonghui.student_aid.tests.factories import SON

pytestmark = pytest.mark.browser


@pytest.fixture
def world(transactional_db: None, make_user: Any) -> PortalWorld:
    return build_portal_world(build_tree(), make_user)


@pytest.fixture
def pages(pw: Playwright, browser: Browser, live_server: Any) -> Iterator[Pages]:
    phone = {k: v for k, v in pw.devices["iPhone 13"].items() if k != "default_browser_type"}
    p = Pages(browser, live_server.url, phone)
    yield p
    p.close()
    assert not p.js_errors, p.js_errors


def fits(page: Page) -> None:
    """Nothing is wider than the phone's screen."""
    width = page.evaluate("window.innerWidth")
    assert width == 390
    assert page.evaluate("document.documentElement.scrollWidth") <= width, page.url


def test_a_member_activates_applies_follows_and_withdraws_on_a_phone(world: PortalWorld, pages: Pages) -> None:
    phone = pages.phone()
    phone.goto("/m/aid/")
    assert phone.url.endswith("/m/login/?next=/m/aid/")
    fits(phone)
    phone.get_by_test_id("activate-link").click()
    phone.get_by_label("姓名").fill("张三")
    phone.get_by_label("身份证号码").fill(NEW_ID)
    phone.get_by_label("手机号码").fill(NEW_MOBILE)
    phone.get_by_label("设置密码").fill(NEW_PASSWORD)
    phone.get_by_label("再次输入密码").fill(NEW_PASSWORD)
    fits(phone)
    phone.get_by_test_id("activate-submit").click()
    expect(phone.get_by_test_id("member-name")).to_have_text("张三")
    expect(phone.get_by_test_id("member-union")).to_have_text("钟山区快递员联合工会")
    expect(phone.get_by_test_id("member-status")).to_have_text("会籍：正常")
    fits(phone)

    phone.get_by_test_id("link-aid").click()
    phone.get_by_test_id("aid-new").click()
    phone.get_by_label("学生姓名").fill("张小明")
    phone.get_by_label("学生身份证号码").fill(SON)
    phone.get_by_label("与您的关系").select_option(label="儿子")
    phone.get_by_label("就读院校").fill("贵州大学")
    phone.get_by_label("学段").select_option(label="本科")
    phone.get_by_label("专业").fill("土木工程")
    year = int(phone.get_by_label("申请学年").input_value())
    phone.get_by_label("入学年份").fill(str(year))
    phone.get_by_label("预计毕业年份").fill(str(year + 4))
    phone.get_by_label("每年学杂费（元）").fill("5200")
    fits(phone)
    # Without the promise ticked: the reason sits under the box, and nothing is saved.
    phone.get_by_test_id("aid-submit").click()
    expect(phone.get_by_test_id("error-promise")).to_have_text("请阅读并勾选承诺")
    assert StudentAidApplication.all_objects.count() == 0
    # What was typed is all still there, the student's ID number too: only the promise is missing.
    expect(phone.get_by_label("学生身份证号码")).to_have_value(SON)
    expect(phone.get_by_label("每年学杂费（元）")).to_have_value("5200")
    phone.get_by_label("本人承诺", exact=False).check()
    phone.get_by_test_id("aid-submit").click()
    expect(phone.get_by_test_id("aid-status")).to_have_text("待基层工会审核")
    expect(phone.get_by_test_id("aid-amount")).to_have_text("¥4,000.00")
    expect(phone.locator('[data-step="unit"]')).to_have_attribute("data-state", "current")
    fits(phone)

    application = StudentAidApplication.all_objects.get()
    application_decide(**world.aid.as_("unit"), application=application, approve=True)
    phone.reload()
    expect(phone.get_by_test_id("aid-status")).to_have_text("待县级总工会审批")
    expect(phone.locator('[data-step="unit"]')).to_have_attribute("data-state", "done")
    SHOTS.mkdir(parents=True, exist_ok=True)
    phone.screenshot(path=str(SHOTS / "portal-aid-status.png"), full_page=True)

    phone.get_by_label("撤回原因（选填）").fill("已获学校奖学金")
    phone.once("dialog", lambda dialog: dialog.accept())
    phone.get_by_test_id("aid-withdraw").click()
    expect(phone.get_by_test_id("aid-status")).to_have_text("已撤回")
    expect(phone.get_by_test_id("aid-note")).to_contain_text("已获学校奖学金")
    assert StudentAidApplication.all_objects.get().status == ApplicationStatus.WITHDRAWN

    phone.get_by_test_id("logout").click()
    assert phone.url.endswith("/m/login/")
    fits(phone)
