"""Browser test: a cashier records a discounted sale on a phone-sized screen (Chromium, live server)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from gonghui.accounts.models import User
from gonghui.benefits.models import BenefitTransaction
from gonghui.benefits.tests.test_transactions import make_world
from gonghui.conftest import PASSWORD, build_tree
from gonghui.core.tests.browser import SHOTS

pytestmark = pytest.mark.browser


@pytest.fixture
def world(transactional_db: None):  # type: ignore[no-untyped-def]
    tree = build_tree()

    def make_user(username: str) -> User:
        return User.objects.create_user(username=username, password=PASSWORD)

    return make_world(tree, make_user)


@pytest.fixture
def phone(browser: Browser, live_server) -> Iterator[Page]:
    context = browser.new_context(base_url=live_server.url, locale="zh-CN", viewport={"width": 390, "height": 844})
    context.set_default_timeout(15_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    context.close()
    assert not errors, errors


def test_a_cashier_records_a_discounted_sale(world, phone: Page) -> None:
    phone.goto("/accounts/login/?next=/benefits/till/")
    phone.get_by_label("用户名").fill("cashier")
    phone.get_by_label("密码").fill(PASSWORD)
    phone.get_by_role("button", name="登录").click()
    expect(phone.get_by_role("heading", name="普惠收银")).to_be_visible()
    phone.get_by_test_id("member-code").fill(world["cards"][0])
    phone.get_by_test_id("amount").fill("200")
    phone.get_by_test_id("record").click()
    expect(phone.get_by_test_id("discount")).to_have_text("20.00")
    expect(phone.get_by_test_id("paid")).to_have_text("180.00")
    expect(phone.get_by_test_id("sale")).to_contain_text("致敬劳动者·五一促消费")
    SHOTS.mkdir(parents=True, exist_ok=True)
    phone.screenshot(path=str(SHOTS / "benefits-till.png"), full_page=True)
    # Going back shows the form again; nothing was recorded twice.
    phone.go_back()
    assert BenefitTransaction.all_objects.count() == 1
    # The next customer: below the threshold, full price and the reason.
    phone.goto("/benefits/till/")
    phone.get_by_test_id("member-code").fill(world["cards"][1])
    phone.get_by_test_id("amount").fill("100")
    phone.get_by_test_id("record").click()
    expect(phone.get_by_test_id("discount")).to_have_text("0.00")
    expect(phone.get_by_test_id("sale")).to_contain_text("未达到优惠条件")
    assert BenefitTransaction.all_objects.count() == 2
