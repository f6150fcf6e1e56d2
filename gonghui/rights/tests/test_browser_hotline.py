"""Browser test, end to end: an operator takes a 12351 call and dispatches it; the city hands it to the
county, which handles and replies; the operator's follow-up, the quality check and the closing; the
caller, a member, follows the case by its number on a phone."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, Playwright, expect

from gonghui.conftest import PASSWORD, build_tree
from gonghui.core.tests.browser import open_nav
from gonghui.members.tests.factories import id_number, register
from gonghui.members.tests.test_browser_members import Pages
from gonghui.portal.services import member_account_create
from gonghui.rights.models import CaseStatus, HotlineCase

pytestmark = pytest.mark.browser

MOBILE = "13800000955"


@pytest.fixture
def world(transactional_db: None, make_user: Any) -> dict[str, Any]:
    tree = build_tree()
    ms = register(tree.courier_union, id_number(955), name="孙骑手", mobile=MOBILE)
    member_account_create(actor=None, person=ms.person, username=MOBILE, password=PASSWORD)
    for name, grant in (
        ("gz_op", ("officer", "520000")),
        ("gz_check", ("reviewer", "520000")),
        ("lps_off", ("officer", "520200")),
        ("zs_off", ("officer", "520201")),
    ):
        make_user(name, grant)
    return {"tree": tree}


@pytest.fixture
def pages(pw: Playwright, browser: Browser, live_server: Any) -> Iterator[Pages]:
    phone = {k: v for k, v in pw.devices["iPhone 13"].items() if k != "default_browser_type"}
    p = Pages(browser, live_server.url, phone)
    yield p
    p.close()
    assert not p.js_errors, p.js_errors


def press(page: Page, form: str, **fields: str) -> None:
    box = page.get_by_test_id(f"form-{form}")
    for name, value in fields.items():
        target = box.locator(f"[name={name}]")
        if target.evaluate("e => e.tagName") == "SELECT":
            target.select_option(value)
        else:
            target.fill(value)
    box.get_by_role("button").click()


def test_a_call_from_intake_to_closing_and_the_callers_phone(world: dict[str, Any], pages: Pages) -> None:
    op = pages.desktop("gz_op")
    open_nav(op, "12351 热线工单")
    op.get_by_test_id("new-case").click()
    op.get_by_label("来源").fill("来电")
    op.get_by_label("类型", exact=True).fill("投诉")
    op.get_by_label("事由").fill("欠薪")
    op.get_by_label("人员类型").fill("外卖骑手")
    op.get_by_label("来电人", exact=True).fill("孙骑手")
    op.get_by_label("联系电话").fill(MOBILE)
    op.get_by_label("诉求内容").fill("站点拖欠两个月工资")
    op.get_by_test_id("submit").click()
    expect(op.get_by_test_id("status")).to_have_text("待办理")
    expect(op.get_by_test_id("case-facts")).to_contain_text("138****0955")
    expect(op.get_by_test_id("case-facts")).to_contain_text("本会会员")
    case = HotlineCase.all_objects.get()
    press(op, "hand_down", to_org="520200")
    expect(op.get_by_test_id("holder")).to_have_text("六盘水市总工会")

    city = pages.desktop("lps_off")
    city.goto(f"/rights/cases/{case.pk}/")
    press(city, "hand_down", to_org="520201", note="请钟山区办理")

    county = pages.desktop("zs_off")
    county.goto("/rights/cases/")
    county.get_by_role("link", name=case.number).click()
    press(county, "take")
    expect(county.get_by_test_id("status")).to_have_text("办理中")
    press(county, "contact", note="已电话联系站点负责人")
    press(county, "reply", note="站点已补发工资")
    expect(county.get_by_test_id("status")).to_have_text("已办结待回访")

    op.reload()
    press(op, "follow_up", satisfaction="satisfied", note="已收到工资")
    expect(op.get_by_test_id("status")).to_have_text("已回访待质检")
    checker = pages.desktop("gz_check")
    checker.goto(f"/rights/cases/{case.pk}/")
    press(checker, "check", note="合格")
    op.reload()
    press(op, "close")
    expect(op.get_by_test_id("status")).to_have_text("已结案")
    expect(op.get_by_test_id("timeline")).to_contain_text("钟山区总工会")
    assert HotlineCase.all_objects.get(pk=case.pk).status == CaseStatus.CLOSED

    phone = pages.phone()
    phone.goto("/m/login/")
    phone.get_by_label("手机号码").fill(MOBILE)
    phone.get_by_label("密码").fill(PASSWORD)
    phone.get_by_test_id("login-submit").click()
    phone.get_by_test_id("link-cases").click()
    phone.get_by_label("工单编号").fill(case.number)
    phone.get_by_role("button", name="查询").click()
    expect(phone.get_by_test_id("case-status")).to_have_text("已结案")
    expect(phone.get_by_test_id("case-result")).to_contain_text("站点已补发工资")
    expect(phone.get_by_test_id("case-timeline")).to_contain_text("钟山区总工会已签收办理")
