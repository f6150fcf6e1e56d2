"""Browser test of the bulk import pages: Debian's Chromium, driven by Playwright, against the live server.

An officer downloads nothing, types nothing but a union code: they upload the
roster their county sent (a title row, a column the system does not know, one
bad row), check the detected columns on the preview, start the import, and
watch the job page. Jobs go through the real database queue here, and the test
plays the worker (`gonghui db_worker --batch`) once the page is polling, so the
progress bar is seen going from queued to the summary; the error workbook is
then downloaded from the page. `make test-browser` runs it (`pytest -m browser`).
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from playwright.sync_api import Browser, Page, expect

from gonghui.accounts.models import User
from gonghui.accounts.services import grant_role
from gonghui.conftest import PASSWORD, build_tree
from gonghui.core.idnumbers import id_number_with_check
from gonghui.core.models import BulkJob
from gonghui.core.scoping import unscoped
from gonghui.core.tests.browser import SHOTS, open_nav, run_worker
from gonghui.members.models import Membership

pytestmark = pytest.mark.browser


def number(i: int) -> str:
    return id_number_with_check(f"52020119900307{i:03d}")


def masked(value: str) -> str:
    return value[:6] + "*" * 8 + value[-4:]


@pytest.fixture
def officer(transactional_db: None, settings, tmp_path: Path) -> User:
    """The suite's tree and an officer of 六盘水, committed for the live server; jobs on the DB queue."""
    settings.DATA_DIR = tmp_path
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    build_tree()
    user = User.objects.create_user(username="lps_officer", password=PASSWORD)
    grant_role(actor=None, actor_scope=None, user=user, role_name="officer", org_code="520200")
    return user


@pytest.fixture
def page(browser: Browser, live_server) -> Iterator[Page]:
    context = browser.new_context(
        base_url=live_server.url, locale="zh-CN", viewport={"width": 1366, "height": 900}, accept_downloads=True
    )
    context.set_default_timeout(15_000)
    p = context.new_page()
    errors: list[str] = []
    p.on("pageerror", lambda exc: errors.append(str(exc)))
    yield p
    context.close()
    assert not errors, errors


def roster_workbook(path: Path) -> Path:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["钟山区快递员联合工会会员花名册（2024 年 6 月）"])
    ws.merge_cells("A1:G1")
    ws.append(["姓名", "身份证号", "手机号码", "民族", "新就业形态类别", "入会日期", "备注"])
    for i, name in enumerate(["张快递", "李快递", "王快递"]):
        ws.append([name, number(i), f"1390000000{i}", "汉族", "快递员", "2024-05-01", "新入会"])
    ws.append(["赵错误", "520201199003070001", "12345", "火星族", "快递员", "2024-05-01", ""])
    wb.save(path)
    return path


def test_officer_uploads_a_roster_checks_the_preview_and_follows_the_job_to_its_report(
    officer: User, page: Page, tmp_path: Path
) -> None:
    upload = roster_workbook(tmp_path / "钟山快递员花名册.xlsx")

    page.goto("/accounts/login/")
    page.get_by_label("用户名").fill("lps_officer")
    page.get_by_label("密码").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="登录").click()
    open_nav(page, "批量导入导出")
    expect(page.get_by_role("heading", name="批量导入导出")).to_be_visible()
    page.get_by_test_id("new-import").click()

    page.get_by_label("导入内容").select_option(label="会员花名册")
    page.get_by_label("导入到工会（代码）").fill("520201G001")
    page.get_by_test_id("file").set_input_files(str(upload))
    page.get_by_test_id("upload").click()

    # The preview: the header found under the title row, each column's reading, the first rows masked.
    expect(page.get_by_role("heading", name="导入预览：会员花名册")).to_be_visible()
    expect(page.get_by_test_id("header-row")).to_contain_text("表头在第 2 行")
    mapping = page.get_by_test_id("mapping")
    expect(mapping.locator("tbody tr").filter(has_text="身份证号")).to_contain_text("公民身份号码")
    expect(mapping.locator("tbody tr").filter(has_text="新就业形态类别").locator("td").nth(1)).to_have_text(
        "新就业形态类别"
    )
    expect(mapping.locator("tbody tr").filter(has_text="备注")).to_contain_text("将忽略")
    rows = page.get_by_test_id("preview-rows").locator("tbody tr")
    expect(rows).to_have_count(4)
    expect(rows.first).to_contain_text("张快递")
    expect(rows.first).to_contain_text(masked(number(0)))
    assert number(0) not in page.content()
    assert not BulkJob.all_objects.exists()
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "bulk-import-preview.png"), full_page=True)

    page.get_by_test_id("start").click()
    page.wait_for_url(re.compile(r"/imports/\d+/$"))
    status = page.get_by_test_id("job-status")
    expect(status).to_have_attribute("data-status", "queued")
    expect(page.get_by_test_id("progress-bar")).to_have_text("0%")
    expect(status).to_have_attribute("hx-trigger", "every 1s")

    run_worker()  # while the page polls

    expect(status).to_have_attribute("data-status", "done")
    expect(page.get_by_test_id("progress-bar")).to_have_text("100%")
    expect(status).not_to_have_attribute("hx-trigger", "every 1s")
    expect(page.get_by_test_id("sum-rows")).to_have_text("4")
    expect(page.get_by_test_id("sum-created")).to_have_text("3")
    expect(page.get_by_test_id("sum-rejected")).to_have_text("1")
    expect(page.get_by_test_id("sum-warning")).to_contain_text("未识别的列“备注”已忽略")
    page.screenshot(path=str(SHOTS / "bulk-import-job.png"), full_page=True)

    with page.expect_download() as download:
        page.get_by_test_id("report").click()
    assert download.value.suggested_filename == "未导入的行-钟山快递员花名册.xlsx"
    ws = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes())).active
    assert ws is not None
    rows_out = list(ws.iter_rows(values_only=True))
    assert rows_out[0][-1] == "未导入原因"
    assert [r[1] for r in rows_out[1:]] == ["赵错误"]
    assert "手机号码" in str(rows_out[1][-1]) and "民族" in str(rows_out[1][-1])

    with unscoped():
        assert sorted(Membership.objects.filter(org__code="520201G001").values_list("person__name", flat=True)) == [
            "张快递",
            "李快递",
            "王快递",
        ]
