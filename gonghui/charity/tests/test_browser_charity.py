"""Browser test: an officer records an enterprise's donation, a project pays a student's parent, the donation
page shows where the money went and the disclosure shows the year."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Playwright, expect

from gonghui.accounts.models import User
from gonghui.accounts.services import grant_role
from gonghui.charity.tests.factories import enterprise_uscc, make_fund, make_project
from gonghui.conftest import PASSWORD, build_tree
from gonghui.core.tests.browser import open_nav
from gonghui.members.tests.factories import id_number, register
from gonghui.members.tests.test_browser_members import Pages

pytestmark = pytest.mark.browser


@pytest.fixture
def world(transactional_db: None) -> dict[str, object]:
    tree = build_tree()
    fund = make_fund(tree.lps, name="六盘水市助学爱心基金", restricted=True, purpose="student_aid")
    project = make_project(fund, name="2025 年金秋助学")
    parent = register(tree.courier_union, id_number(71), name="赵建国")
    user = User.objects.create_user(username="lps_officer", password=PASSWORD)
    grant_role(actor=None, actor_scope=None, user=user, role_name="officer", org_code="520200")
    return {"fund": fund, "project": project, "parent": parent}


@pytest.fixture
def pages(pw: Playwright, browser: Browser, live_server) -> Iterator[Pages]:
    p = Pages(browser, live_server.url, {})
    yield p
    p.close()
    assert not p.js_errors, p.js_errors


def test_a_donation_pays_a_student_and_shows_where_it_went(world, pages: Pages) -> None:
    page = pages.desktop("lps_officer")
    open_nav(page, "慈善基金")
    page.get_by_role("link", name="六盘水市助学爱心基金").click()
    page.get_by_test_id("new-donation").click()
    page.get_by_label("企业", exact=True).check()
    page.get_by_label("捐赠人（企业名称或姓名）").fill("六盘水某某煤业有限公司")
    page.get_by_label("统一社会信用代码", exact=True).fill(enterprise_uscc())
    page.get_by_label("金额（元）").fill("12,000")
    page.get_by_label("到账日期").fill("2025-03-01")
    page.get_by_test_id("submit").click()
    expect(page.get_by_test_id("fund-balance")).to_have_text("12,000.00")

    page.goto(f"/charity/projects/{world['project'].pk}/")
    page.get_by_label("会员", exact=True).check()
    page.get_by_label("受助会员").fill(id_number(71))
    page.get_by_label("金额（元）").fill("4000")
    page.get_by_label("支付日期").fill("2025-09-01")
    page.get_by_test_id("disburse").click()
    expect(page.get_by_test_id("project-spent")).to_have_text("4,000.00")
    expect(page.get_by_test_id("disbursements")).to_contain_text("赵*国")

    page.goto("/charity/donations/")
    page.get_by_role("link", name="六盘水某某煤业有限公司").click()
    expect(page.get_by_test_id("trace")).to_contain_text("2025 年金秋助学：赵*国")
    expect(page.get_by_test_id("trace")).to_contain_text("4,000.00")

    page.goto(f"/charity/funds/{world['fund'].pk}/disclosure/?year=2025")
    expect(page.get_by_test_id("disclosure-closing")).to_have_text("8,000.00 元")
    expect(page.get_by_test_id("disclosure-enterprises")).to_contain_text("六盘水某某煤业有限公司")
    expect(page.get_by_test_id("disclosure")).not_to_contain_text("赵")
