"""Browser test on a phone (iPhone 13): a villager who is not a member finds an open class, enrols (the
refused form keeps what was typed), sees it under 我的培训班, then opens the URL that the session's QR
code encodes (read from the officer's QR page) and checks in once. No page scrolls sideways."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, expect

from gonghui.conftest import build_tree
from gonghui.core.scoping import unscoped
from gonghui.core.tests.browser import SHOTS
from gonghui.members.tests.factories import id_number
from gonghui.skills import training
from gonghui.skills.models import Attendance, ClassSession, Enrolment, TrainingClass

pytestmark = pytest.mark.browser

VILLAGER_ID = id_number(51, area="222426", birth="19760303")


@pytest.fixture
def running(transactional_db: None) -> TrainingClass:
    tree = build_tree()
    today = timezone.localdate()
    return training.class_create(
        actor=None, scope=None, org=tree.dingxi, name="马铃薯种植技术培训班", teacher="马铁军",
        teacher_title="全国劳动模范", capacity=30, starts_on=today, ends_on=today + timedelta(days=2),
        venue="安定区职工培训中心",
    )  # fmt: skip


@pytest.fixture
def phone(pw: Playwright, browser: Browser, live_server: Any) -> Iterator[Page]:
    options = {k: v for k, v in pw.devices["iPhone 13"].items() if k != "default_browser_type"}
    context: BrowserContext = browser.new_context(base_url=live_server.url, locale="zh-CN", **options)
    context.set_default_timeout(15_000)
    errors: list[str] = []
    page = context.new_page()
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    context.close()
    assert not errors, errors


def fits(page: Page) -> None:
    width = page.evaluate("window.innerWidth")
    assert page.evaluate("document.documentElement.scrollWidth") <= width, page.url


def test_a_villager_enrols_from_a_phone_and_checks_in_by_qr_code(
    running: TrainingClass, phone: Page, make_user: Any, live_server: Any, client: Any
) -> None:
    phone.goto("/m/training/")
    classes = phone.get_by_test_id("open-classes")
    expect(classes).to_contain_text("马铃薯种植技术培训班")
    fits(phone)
    classes.get_by_text("马铃薯种植技术培训班").click()
    expect(phone.get_by_test_id("class-places")).to_contain_text("剩余 30 / 30")
    # A wrong mobile is refused; the name and ID stay as typed.
    phone.get_by_label("姓名").fill("李秀兰")
    phone.get_by_label("手机号码").fill("1390000")
    phone.get_by_label("身份证号码").fill(VILLAGER_ID)
    phone.get_by_label("去年全年收入（元）").fill("16000")
    phone.get_by_test_id("enrol").click()
    expect(phone.get_by_test_id("error-mobile")).to_be_visible()
    expect(phone.get_by_label("姓名")).to_have_value("李秀兰")
    expect(phone.get_by_label("身份证号码")).to_have_value(VILLAGER_ID)
    phone.get_by_label("手机号码").fill("13909320051")
    phone.get_by_test_id("enrol").click()
    expect(phone.get_by_role("alert")).to_contain_text("报名成功")
    mine = phone.get_by_test_id("my-class")
    expect(mine).to_contain_text("马铃薯种植技术培训班")
    expect(mine.get_by_test_id("my-status")).to_have_text("在读")
    expect(mine.get_by_test_id("my-attendance")).to_have_text("已签到 0 / 3 次课")
    fits(phone)
    SHOTS.mkdir(parents=True, exist_ok=True)
    phone.screenshot(path=str(SHOTS / "training-enrolled.png"), full_page=True)

    # The officer's QR page: the URL the code encodes is printed under it; the phone opens it.
    officer = make_user("dx_officer", ("officer", "621100"))
    client.force_login(officer)
    today = ClassSession.objects.get(training_class=running, held_on=timezone.localdate())
    html = client.get(f"/skills/classes/{running.pk}/sessions/{today.pk}/qr/").content.decode()
    assert "<svg" in html
    found = re.search(r'data-testid="checkin-url">([^<]+)<', html)
    assert found is not None
    url = found.group(1).replace("http://testserver", "")
    phone.goto(url)
    expect(phone.get_by_test_id("checkin-class")).to_have_text("马铃薯种植技术培训班")
    fits(phone)
    phone.get_by_test_id("checkin").click()
    expect(phone.get_by_role("alert")).to_contain_text("签到成功")
    expect(phone.get_by_test_id("my-attendance")).to_have_text("已签到 1 / 3 次课")
    phone.screenshot(path=str(SHOTS / "training-checked-in.png"), full_page=True)
    # Once: scanning again says so, and the attendance stays one.
    phone.goto(url)
    phone.get_by_test_id("checkin").click()
    expect(phone.get_by_role("alert")).to_contain_text("已经签到过了")
    with unscoped():
        e = Enrolment.objects.get(name="李秀兰")
    assert e.income_before_fen == 1_600_000 and e.membership_id is None
    assert Attendance.objects.filter(enrolment=e, session=today).count() == 1
