"""Browser test: an enterprise's payroll deduction file (一日捐, GB18030 CSV as payroll software writes it) goes
in through the bulk upload page, the job runs on the real queue, and the fund shows the donations."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from gonghui.accounts.models import User
from gonghui.accounts.services import grant_role
from gonghui.charity.models import Donation, Fund
from gonghui.charity.tests.factories import enterprise_uscc, make_fund
from gonghui.conftest import PASSWORD, build_tree
from gonghui.core.scoping import unscoped
from gonghui.core.tests.browser import open_nav, run_worker
from gonghui.members.tests.factories import id_number, register

pytestmark = pytest.mark.browser

FUND = "六盘水市职工爱心基金"
ENTERPRISE = "六盘水某某煤业有限公司"


@pytest.fixture
def world(transactional_db: None, settings, tmp_path: Path) -> dict[str, object]:
    settings.DATA_DIR = tmp_path
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    tree = build_tree()
    fund = make_fund(tree.lps, name=FUND)
    member = register(tree.courier_union, id_number(1, area="520201"), name="张师傅")
    user = User.objects.create_user(username="lps_officer", password=PASSWORD)
    grant_role(actor=None, actor_scope=None, user=user, role_name="officer", org_code="520200")
    return {"fund": fund, "member": member}


@pytest.fixture
def page(browser: Browser, live_server) -> Iterator[Page]:
    context = browser.new_context(base_url=live_server.url, locale="zh-CN", viewport={"width": 1366, "height": 900})
    context.set_default_timeout(15_000)
    p = context.new_page()
    errors: list[str] = []
    p.on("pageerror", lambda exc: errors.append(str(exc)))
    yield p
    context.close()
    assert not errors, errors


def payroll_file(path: Path) -> Path:
    """The enterprise's deduction list: three workers (one a member, one anonymous), one bad amount."""
    with path.open("w", encoding="gb18030", newline="") as f:
        out = csv.writer(f)
        out.writerow(
            ["基金", "统一社会信用代码", "代扣单位", "职工姓名", "身份证号", "扣款金额", "扣款日期", "是否匿名"]
        )
        out.writerow(
            [FUND, enterprise_uscc(), ENTERPRISE, "张师傅", id_number(1, area="520201"), "200", "2025-05-06", ""]
        )
        out.writerow(
            [FUND, enterprise_uscc(), ENTERPRISE, "李师傅", id_number(2, area="520201"), "¥150.50", "2025/5/6", ""]
        )
        out.writerow(
            [FUND, enterprise_uscc(), ENTERPRISE, "王师傅", id_number(3, area="520201"), "1,000", "2025-05-06", "是"]
        )
        out.writerow(
            [FUND, enterprise_uscc(), ENTERPRISE, "赵师傅", id_number(4, area="520201"), "一百", "2025-05-06", ""]
        )
    return path


def test_an_enterprises_payroll_file_goes_in_and_the_fund_shows_the_donations(
    world: dict[str, object], page: Page, tmp_path: Path
) -> None:
    upload = payroll_file(tmp_path / "一日捐代扣明细.csv")
    page.goto("/accounts/login/")
    page.get_by_label("用户名").fill("lps_officer")
    page.get_by_label("密码").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="登录").click()
    open_nav(page, "批量导入导出")
    page.get_by_test_id("new-import").click()
    page.get_by_label("导入内容").select_option(label="慈善捐赠（工资代扣一日捐）")
    page.get_by_label("导入到工会（代码）").fill("520200")
    page.get_by_test_id("file").set_input_files(str(upload))
    page.get_by_test_id("upload").click()

    # The preview reads the payroll software's headers as the kind's columns, the numbers masked.
    expect(page.get_by_role("heading", name="导入预览：慈善捐赠（工资代扣一日捐）")).to_be_visible()
    mapping = page.get_by_test_id("mapping")
    expect(mapping.locator("tbody tr").filter(has_text="代扣单位")).to_contain_text("单位名称")
    expect(mapping.locator("tbody tr").filter(has_text="扣款金额")).to_contain_text("捐款金额（元）")
    assert id_number(2, area="520201") not in page.content()
    page.get_by_test_id("start").click()
    page.wait_for_url(re.compile(r"/imports/\d+/$"))

    run_worker()  # while the page polls

    status = page.get_by_test_id("job-status")
    expect(status).to_have_attribute("data-status", "done")
    expect(page.get_by_test_id("sum-created")).to_have_text("3")
    expect(page.get_by_test_id("sum-rejected")).to_have_text("1")

    # The fund: its balance moved by the three deductions, each on the ledger; the anonymous one as 爱心人士.
    open_nav(page, "慈善基金")
    page.get_by_role("link", name=FUND).click()
    expect(page.get_by_test_id("fund-balance")).to_have_text("1,350.50")
    ledger = page.get_by_test_id("ledger")
    expect(ledger).to_contain_text("张师傅")
    expect(ledger).to_contain_text("150.50")
    expect(ledger).to_contain_text("爱心人士")
    expect(ledger).not_to_contain_text("王师傅")
    expect(ledger).not_to_contain_text("赵师傅")
    with unscoped():
        fund = Fund.all_objects.get(name=FUND)
        assert fund.balance_fen == 1350_50
        assert Donation.all_objects.filter(fund=fund, channel="payroll").count() == 3
        assert Donation.all_objects.get(donor_name="张师傅").person_id == world["member"].person_id  # type: ignore[attr-defined]
