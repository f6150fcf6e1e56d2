"""Browser test: an officer sets up a quarterly 普惠周 at two of a merchant's stores and starts it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Playwright, expect

from gonghui.accounts.models import User
from gonghui.accounts.services import grant_role
from gonghui.benefits import partners
from gonghui.benefits.models import Campaign, CampaignStatus, Recurrence, Store
from gonghui.benefits.tests.helpers import audit_actions
from gonghui.conftest import PASSWORD, build_tree
from gonghui.core.tests.browser import SHOTS, open_nav
from gonghui.members.tests.test_browser_members import Pages

pytestmark = pytest.mark.browser


@pytest.fixture
def world(transactional_db: None) -> dict[str, object]:
    tree = build_tree()
    merchant = partners.merchant_create(
        actor=None, scope=None, org=tree.lps, name="华联超市", category="supermarket", region_code="520201"
    )
    stores = [
        partners.store_create(actor=None, scope=None, merchant=merchant, name=name, region_code="520201")
        for name in ("碧江店", "万山店", "水城店")
    ]
    user = User.objects.create_user(username="lps_officer", password=PASSWORD)
    grant_role(actor=None, actor_scope=None, user=user, role_name="officer", org_code="520200")
    return {"merchant": merchant, "stores": stores}


@pytest.fixture
def pages(pw: Playwright, browser: Browser, live_server) -> Iterator[Pages]:
    p = Pages(browser, live_server.url, {})
    yield p
    p.close()
    assert not p.js_errors, p.js_errors


def test_an_officer_starts_a_quarterly_week_at_two_stores(world, pages: Pages) -> None:
    today = timezone.localdate()
    officer = pages.desktop("lps_officer")
    open_nav(officer, "普惠服务")
    officer.get_by_test_id("new-campaign").click()
    expect(officer.get_by_label("主办工会代码")).to_have_value("520200")
    officer.get_by_label("活动名称").fill("六盘水职工普惠周")
    officer.get_by_label("开始日期").fill(today.isoformat())
    officer.get_by_label("结束日期").fill((today + timedelta(days=365)).isoformat())
    expect(officer.get_by_label("普惠周开始日")).to_be_hidden()  # not until the campaign recurs
    officer.get_by_label("重复方式").select_option(label="每季度普惠周")
    officer.get_by_label("普惠周所在月份").select_option(label="第 1 个月（1、4、7、10 月）")
    officer.get_by_label("普惠周开始日").fill("1")
    officer.get_by_label("每期天数").fill("7")
    officer.get_by_label("优惠方式").select_option(label="满减")
    expect(officer.get_by_label("折扣（%）")).to_be_hidden()
    officer.get_by_label("“满”金额（元）").fill("158")
    officer.get_by_label("“减”金额（元）").fill("20")
    officer.get_by_label("总预算（元）").fill("50000")
    officer.get_by_label("每人次数上限").fill("3")
    officer.get_by_test_id("submit").click()
    expect(officer.get_by_test_id("campaign-status")).to_have_text("筹备中")
    expect(officer.get_by_test_id("rule")).to_contain_text("满 158.00 元减 20.00 元")
    expect(officer.get_by_test_id("recurrence")).to_contain_text("每季度第1个月1日起，连续7天")

    # Two of the merchant's three stores take part.
    officer.get_by_label("碧江店").check()
    officer.get_by_label("万山店").check()
    officer.get_by_test_id("save-participants").click()
    expect(officer.get_by_test_id("participants")).to_contain_text("华联超市：碧江店、万山店")

    officer.get_by_test_id("activate").click()
    expect(officer.get_by_test_id("campaign-status")).to_have_text("进行中")
    expect(officer.get_by_test_id("occurrence-mark").first).to_be_visible()

    officer.get_by_test_id("benefits-tabs").get_by_role("link", name="普惠活动").click()
    campaign = Campaign.all_objects.get()
    row = officer.get_by_test_id(f"campaign-{campaign.pk}")
    expect(row).to_contain_text("六盘水职工普惠周")
    expect(row.get_by_test_id("status")).to_have_text("进行中")
    expect(row).to_contain_text("1 家商户，2 个门店")
    SHOTS.mkdir(parents=True, exist_ok=True)
    officer.screenshot(path=str(SHOTS / "benefits-campaign.png"), full_page=True)

    assert (campaign.status, campaign.recurrence, campaign.budget_fen) == (
        CampaignStatus.ACTIVE,
        Recurrence.QUARTERLY,
        5_000_000,
    )
    a, b, _c = world["stores"]  # type: ignore[misc]
    assert sorted(s.pk for s in Store.objects.filter(campaigns=campaign)) == [a.pk, b.pk]
    assert [x for x in audit_actions() if x.startswith("benefits.campaign")] == [
        "benefits.campaign.create",
        "benefits.campaign.participants",
        "benefits.campaign.activate",
    ]
