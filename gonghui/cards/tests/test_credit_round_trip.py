"""The 信用卡推荐 export goes back in (issue 14, item 5): `credit_referrals` has both an import and an export.

The export is in the import's columns (申请编号, 银行代码, 姓名, 证件号码, 推荐工会代码, 申请日期,
审批结果, 授信额度（元）, 审批日期) plus 是否会员 and 推荐工会, read-only. Its ID numbers are
masked: a masked number is taken as the applicant of the application its 申请编号 names
(at the same bank), never as a new one. Read back unchanged it changes nothing and refuses
nothing; an edited decision changes exactly that application.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook

from gonghui.accounts.scope import scope_for_user
from gonghui.cards.models import CreditCardReferral, ReferralStatus
from gonghui.cards.tests.test_credit_referrals import GOOD, bank_file, import_as, reasons, state, world  # noqa: F401
from gonghui.core.bulk.kinds import get_kind

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def files_in_tmp(settings, tmp_path: Path) -> None:
    settings.DATA_DIR = tmp_path / "data"


@pytest.fixture
def exported(world, tmp_path: Path) -> Path:  # noqa: F811
    import_as(world["officer"], world["tree"].lps, bank_file(tmp_path / "银行.csv", GOOD))
    path = tmp_path / "信用卡推荐.xlsx"
    officer = world["officer"]
    get_kind("credit_referrals").export(
        str(path), actor=officer, org=world["tree"].lps, unmasked=False, scope=scope_for_user(officer)
    )
    return path


def edit(path: Path, reference: str, changes: dict[str, object]) -> None:
    wb = load_workbook(path)
    ws = wb.active
    assert ws is not None
    headers = [c.value for c in ws[1]]
    row = next(r for r in ws.iter_rows(min_row=2) if r[0].value == reference)
    for header, value in changes.items():
        row[headers.index(header)].value = value
    wb.save(path)


def test_the_masked_export_goes_back_in_unchanged(world, exported: Path) -> None:  # noqa: F811
    before = state()
    summary = import_as(world["officer"], world["tree"].lps, exported)
    assert (summary.rows, summary.created, summary.updated, summary.unchanged, summary.rejected) == (3, 0, 0, 3, 0)
    assert not [w for w in summary.warnings if "未识别的列" in w]
    assert state() == before


def test_an_edited_decision_changes_that_application_only(world, exported: Path) -> None:  # noqa: F811
    edit(exported, "QY2025002", {"审批结果": "已核准", "授信额度（元）": "20000.00", "审批日期": "2025-05-10"})
    before = {r["bank_reference"]: r for r in state()}
    summary = import_as(world["officer"], world["tree"].lps, exported)
    assert (summary.updated, summary.unchanged, summary.rejected) == (1, 2, 0)
    after = {r["bank_reference"]: r for r in state()}
    assert {k: v for k, v in after.items() if k != "QY2025002"} == {k: v for k, v in before.items() if k != "QY2025002"}
    old, new = before["QY2025002"], after["QY2025002"]
    assert {k for k in old if old[k] != new[k]} == {"status", "credit_line_fen", "decided_on", "updated_at"}
    assert (new["status"], new["credit_line_fen"], new["decided_on"]) == (
        ReferralStatus.APPROVED,
        20000_00,
        date(2025, 5, 10),
    )


def test_a_masked_number_never_makes_a_new_application(world, exported: Path) -> None:  # noqa: F811
    edit(exported, "QY2025002", {"申请编号": "QY2025099"})
    summary = import_as(world["officer"], world["tree"].lps, exported)
    assert (summary.created, summary.unchanged, summary.rejected) == (0, 2, 1)
    assert reasons(summary) == [
        "证件号码：证件号码为脱敏显示，且未找到该申请编号下证件号码相符的申请，请填写完整的证件号码"
    ]
    assert not CreditCardReferral.all_objects.filter(bank_reference="QY2025099").exists()
