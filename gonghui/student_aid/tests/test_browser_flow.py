"""Browser test, end to end: a worker applies for 金秋助学 from a phone; the grassroots union reviews it;
the county federation's approval stops on a match in 共青团's list until a reviewer clears it; the
application is published (公示), paid through a payout batch checked by a second person, and the
bank's answer, imported on the import page, shows as 已发放 on the worker's phone."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from openpyxl import Workbook
from playwright.sync_api import Browser, Page, Playwright, expect

from gonghui.conftest import PASSWORD, build_tree
from gonghui.core.scoping import unscoped
from gonghui.core.tests.browser import SHOTS, open_nav
from gonghui.crosscheck.models import Agency, CrossCheckReview, Decision
from gonghui.crosscheck.tests.test_matching import make_list
from gonghui.members.tests.test_browser_members import Pages
from gonghui.payouts.models import BatchStatus, PayoutBatch, PayoutItem
from gonghui.portal.tests.factories import WORKER_MOBILE, PortalWorld, build_portal_world
from gonghui.student_aid.models import ApplicationStatus, StudentAidApplication
from gonghui.student_aid.tests.factories import SON

pytestmark = pytest.mark.browser


@pytest.fixture
def world(transactional_db: None, make_user: Any) -> PortalWorld:
    w = build_portal_world(build_tree(), make_user)
    # 共青团's list of this year's aid, uploaded at the county federation: the worker's son is on it.
    make_list(w.aid.tree.zhongshan, Agency.YOUTH_LEAGUE, timezone.localdate().year, [SON], program="希望工程圆梦行动")
    return w


@pytest.fixture
def pages(pw: Playwright, browser: Browser, live_server: Any) -> Iterator[Pages]:
    phone = {k: v for k, v in pw.devices["iPhone 13"].items() if k != "default_browser_type"}
    p = Pages(browser, live_server.url, phone)
    yield p
    p.close()
    assert not p.js_errors, p.js_errors


def member_signs_in(pages: Pages) -> Page:
    phone = pages.phone()
    phone.goto("/m/login/")
    phone.get_by_label("手机号码").fill(WORKER_MOBILE)
    phone.get_by_label("密码").fill(PASSWORD)
    phone.get_by_test_id("login-submit").click()
    expect(phone.get_by_test_id("member-name")).to_have_text("李师傅")
    return phone


def bank_answer(tmp: Path, batch: PayoutBatch) -> Path:
    """What the bank sends back: every item paid."""
    book = Workbook()
    sheet = book.active
    sheet.append(["明细编号", "金额（元）", "结果", "失败原因"])
    with unscoped():
        for item in PayoutItem.objects.filter(batch=batch).order_by("pk"):
            sheet.append([str(item.pk), f"{item.amount_fen / 100:.2f}", "成功", ""])
    path = tmp / "代发结果.xlsx"
    book.save(path)
    return path


def test_an_application_from_a_phone_to_the_bank(world: PortalWorld, pages: Pages, tmp_path: Path) -> None:
    # The worker applies for their son from the phone.
    phone = member_signs_in(pages)
    phone.get_by_test_id("link-aid").click()
    phone.get_by_test_id("aid-new").click()
    phone.get_by_label("学生姓名").fill("李小龙")
    phone.get_by_label("学生身份证号码").fill(SON)
    phone.get_by_label("与您的关系").select_option(label="儿子")
    phone.get_by_label("就读院校").fill("贵州大学")
    phone.get_by_label("学段").select_option(label="本科")
    phone.get_by_label("专业").fill("计算机科学与技术")
    year = int(phone.get_by_label("申请学年").input_value())
    phone.get_by_label("入学年份").fill(str(year))
    phone.get_by_label("预计毕业年份").fill(str(year + 4))
    phone.get_by_label("每年学杂费（元）").fill("5200")
    phone.get_by_label("本人承诺", exact=False).check()
    phone.get_by_test_id("aid-submit").click()
    expect(phone.get_by_test_id("aid-status")).to_have_text("待基层工会审核")
    status_url = phone.url
    application = StudentAidApplication.all_objects.get()

    # The grassroots union reviews it.
    unit = pages.desktop("unit_reviewer")
    open_nav(unit, "金秋助学")
    unit.get_by_role("link", name="李小龙").click()
    unit.get_by_test_id("review").click()
    expect(unit.get_by_test_id("application-status")).to_have_text("待县级总工会审批")

    # The county's approval matches 共青团's list: it waits for the reviewer's decision.
    county = pages.desktop("county_reviewer")
    county.goto(f"/student-aid/{application.pk}/")
    county.get_by_test_id("approve").click()
    expect(county.get_by_text("请先在名单比对中复核后再审批")).to_be_visible()
    expect(county.get_by_test_id("application-status")).to_have_text("待县级总工会审批")
    county.get_by_test_id("crosscheck-link").click()
    expect(county.get_by_test_id("evidence")).to_contain_text("希望工程圆梦行动")
    expect(county.get_by_test_id("evidence")).not_to_contain_text(SON)
    county.get_by_label("排除（不是重复受助）").check()
    county.get_by_label("复核理由").fill("希望工程为一次性入学资助，不属同类助学金")
    county.get_by_role("button", name="保存复核结果").click()
    expect(county.get_by_test_id("review-status")).to_contain_text("已排除")
    county.get_by_role("link", name="李小龙", exact=False).click()
    county.get_by_test_id("approve").click()
    expect(county.get_by_test_id("application-status")).to_have_text("已审批，待公示")
    assert CrossCheckReview.all_objects.get().status == Decision.CLEARED

    phone.goto(status_url)
    expect(phone.get_by_test_id("aid-status")).to_have_text("已审批，待公示")

    # 公示 (posted on the noticeboard ten days ago for seven days), then the payout batch.
    officer = pages.desktop("county_officer")
    open_nav(officer, "金秋助学")
    officer.goto("/student-aid/publications/new/")
    narrow = officer.get_by_test_id("narrow")
    narrow.get_by_label("公示工会代码").fill("520201")
    narrow.get_by_label("学年").fill(str(year))
    narrow.get_by_role("button", name="筛选").click()
    form = officer.locator("form[method=post]").filter(has=officer.get_by_test_id("submit"))
    form.get_by_label("公示天数").fill("7")
    form.get_by_label("公示开始日期").fill((timezone.localdate() - timedelta(days=10)).isoformat())
    form.get_by_label("李小龙", exact=False).check()
    officer.get_by_test_id("submit").click()
    public = officer.get_by_test_id("public-list")
    expect(public).to_contain_text("李小龙")
    expect(public).to_contain_text("贵州大学")
    expect(public).to_contain_text("4,000.00")
    expect(public).not_to_contain_text(SON[-4:])
    SHOTS.mkdir(parents=True, exist_ok=True)
    officer.screenshot(path=str(SHOTS / "student-aid-publication.png"), full_page=True)
    expect(officer.get_by_test_id("period-over")).to_have_text("公示期已满，可结束公示")
    officer.get_by_test_id("close").click()
    expect(officer.get_by_test_id("publication-status")).to_have_text("公示结束")
    officer.get_by_test_id("disburse").click()
    expect(officer.get_by_test_id("batch-status")).to_have_text("草稿")
    expect(officer.get_by_test_id("total-yuan")).to_have_text("4,000.00")
    officer.get_by_test_id("submit-batch").click()
    expect(officer.get_by_test_id("batch-status")).to_have_text("待复核")
    batch_url = officer.url

    checker = pages.desktop("county_checker")
    checker.goto(batch_url)
    checker.get_by_label("复核意见（退回时必填）").fill("与公示名单一致")
    checker.get_by_test_id("approve").click()
    expect(checker.get_by_test_id("batch-status")).to_have_text("已复核")

    officer.goto(batch_url)
    with officer.expect_download():
        officer.get_by_test_id("bank-file").click()
    officer.reload()
    expect(officer.get_by_test_id("batch-status")).to_have_text("已生成银行文件")

    # The bank's answer, imported on the import page.
    batch = PayoutBatch.all_objects.get()
    officer.get_by_test_id("results").click()
    officer.get_by_test_id("file").set_input_files(str(bank_answer(tmp_path, batch)))
    officer.get_by_test_id("upload").click()
    officer.get_by_test_id("start").click()
    expect(officer.get_by_test_id("job-status")).to_have_attribute("data-status", "done")
    expect(officer.get_by_test_id("sum-rows")).to_have_text("1")
    batch.refresh_from_db()
    assert batch.status == BatchStatus.RECONCILED

    phone.goto(status_url)
    expect(phone.get_by_test_id("aid-status")).to_have_text("已发放")
    expect(phone.locator('[data-step="paid"]')).to_have_attribute("data-state", "done")
    phone.screenshot(path=str(SHOTS / "student-aid-paid-phone.png"), full_page=True)
    assert StudentAidApplication.all_objects.get().status == ApplicationStatus.PAID
