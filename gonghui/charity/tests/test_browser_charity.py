"""Browser test: an officer records an enterprise's donation, a project pays a student's parent, the donation
page shows where the money went and the disclosure shows the year."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from playwright.sync_api import Browser, Playwright, expect

from gonghui.accounts.models import User
from gonghui.accounts.services import grant_role
from gonghui.charity.tests.factories import enterprise_uscc, give, make_fund, make_project
from gonghui.conftest import PASSWORD, build_tree
from gonghui.core.tests.browser import open_nav
from gonghui.members.tests.factories import id_number, register
from gonghui.members.tests.test_browser_members import Pages
from gonghui.student_aid.tests.factories import apply, approve, build_world

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
    pay = page.get_by_test_id("disburse-form")  # a 助学 project's page also has the student grant's form
    pay.get_by_label("会员", exact=True).check()
    pay.get_by_label("受助会员").fill(id_number(71))
    pay.get_by_label("金额（元）").fill("4000")
    pay.get_by_label("支付日期").fill("2025-09-01")
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
    # Where the money went: the member masked, never in full.
    expect(page.get_by_test_id("disclosure-payments")).to_contain_text("赵*国")
    expect(page.get_by_test_id("disclosure")).not_to_contain_text("赵建国")


def _user(username: str, *grants: tuple[str, str]) -> User:
    user = User.objects.create_user(username=username, password=PASSWORD)
    for role, code in grants:
        grant_role(actor=None, actor_scope=None, user=user, role_name=role, org_code=code)
    return user


@pytest.fixture
def students(transactional_db: None) -> dict[str, object]:
    """A county's 金秋助学 application approved, and its enterprise fund for students (钟山区, 520201)."""
    tree = build_tree()
    jinqiu = build_world(tree, _user)
    application = approve(jinqiu, apply(jinqiu))
    fund = make_fund(
        tree.zhongshan, name="钟山区企业爱心助学基金", opening_fen=0, restricted=True, purpose="student_aid"
    )
    give(fund, 50_000_00, on=date(2026, 3, 1), name="钟山区某某建材有限公司")
    project = make_project(fund, name="2026 年企业爱心助学", starts_on=date(2026, 1, 1), ends_on=date(2026, 12, 31))
    _user("zs_charity", ("officer", "520201"))
    return {"fund": fund, "project": project, "application": application}


def test_a_project_pays_a_student_and_the_public_disclosure_shows_where_the_money_went(students, pages: Pages) -> None:
    page = pages.desktop("zs_charity")
    page.goto(f"/charity/projects/{students['project'].pk}/")
    grant = page.get_by_test_id("grant-form")
    grant.get_by_label("金秋助学申请编号").fill(str(students["application"].pk))
    grant.get_by_label("资助金额（元）").fill("1,500")
    grant.get_by_label("支付日期").fill("2026-09-01")
    page.get_by_test_id("grant").click()
    expect(page.get_by_test_id("project-spent")).to_have_text("1,500.00")
    expect(page.get_by_test_id("disbursements")).to_contain_text("金秋助学")

    # The student's whole course: 金秋助学 and the enterprise grant side by side.
    page.goto(f"/student-aid/{students['application'].pk}/")
    expect(page.get_by_test_id("course-other")).to_contain_text("钟山区企业爱心助学基金 · 2026 年企业爱心助学")
    expect(page.get_by_test_id("course-other-total")).to_have_text("1,500.00")

    # The disclosure, then its public page (no sign-in) from the link the notice's QR code carries.
    page.goto(f"/charity/funds/{students['fund'].pk}/disclosure/?year=2026")
    expect(page.get_by_test_id("disclosure-payments")).to_contain_text("2026 年企业爱心助学")
    expect(page.get_by_test_id("disclosure-payments")).to_contain_text("李*傅")
    public_url = page.get_by_test_id("public-link").get_attribute("href")
    assert public_url
    anonymous = pages.browser.new_page()
    try:
        anonymous.goto(public_url)
        expect(anonymous.get_by_test_id("disclosure-payments")).to_contain_text("李*傅")
        expect(anonymous.get_by_test_id("disclosure-payments")).to_contain_text("1,500.00")
        expect(anonymous.get_by_test_id("disclosure-enterprises")).to_contain_text("钟山区某某建材有限公司")
        expect(anonymous.get_by_test_id("disclosure")).not_to_contain_text("李师傅")
    finally:
        anonymous.close()
