"""The payroll deduction file (一日捐) through the bulk engine as kind `donations`."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest

from gonghui.accounts.scope import scope_for_user
from gonghui.charity.models import Donation, Fund, FundEntry
from gonghui.charity.selectors import ledger_balance_fen
from gonghui.charity.tests.factories import enterprise_uscc, make_fund
from gonghui.core.bulk.engine import run_import
from gonghui.core.bulk.kinds import get_kind
from gonghui.core.models import AuditEvent
from gonghui.core.stats import stats_collect
from gonghui.members.tests.factories import id_number, register

pytestmark = pytest.mark.django_db

HEADER = ["基金", "单位统一社会信用代码", "单位名称", "姓名", "身份证号", "扣款金额", "扣款日期", "匿名"]


def write(path: Path, rows: list[list[Any]]) -> Path:
    with path.open("w", encoding="gb18030", newline="") as f:
        out = csv.writer(f)
        out.writerow(HEADER)
        out.writerows(rows)
    return path


def row(
    seq: int, amount: str = "100", *, fund: str = "六盘水市职工爱心基金", day: str = "2025-05-01", **kw: Any
) -> list[Any]:
    values = {
        "fund": fund,
        "uscc": enterprise_uscc(),
        "enterprise": "六盘水某某煤业有限公司",
        "name": f"职工{seq}",
        "id": id_number(seq, area="520201"),
        "amount": amount,
        "day": day,
        "anonymous": "",
    } | kw
    return list(values.values())


def load(path: Path, *, scope: Any = None, org: Any = None, dry_run: bool = False) -> Any:
    kind = get_kind("donations").build(actor=None, scope=scope, org=org)
    summary = run_import(kind, path, dry_run=dry_run)
    if not dry_run:  # as the CLI and the jobs do: one audit event for the whole file
        kind.audit(summary.as_json(), str(path))
    return summary


def test_a_payroll_file_in_gb18030_goes_in_once(tree, tmp_path) -> None:
    fund = make_fund(tree.lps, opening_fen=10_00)
    member = register(tree.courier_union, id_number(1, area="520201"), name="张师傅")
    path = write(
        tmp_path / "一日捐.csv",
        [row(1), row(2, "¥200.50", anonymous="是"), row(3, "1,000"), row(4, "abc"), row(5, day="2099-01-01"), row(1)],
    )
    dry = load(path, dry_run=True)
    assert (dry.created, dry.rejected) == (3, 3) and not Donation.all_objects.exists()
    summary = load(path)
    assert (summary.rows, summary.created, summary.unchanged, summary.rejected) == (6, 3, 0, 3)
    assert summary.report  # the refused rows, with their reasons, in a workbook
    fund = Fund.all_objects.get(pk=fund.pk)
    assert fund.balance_fen == 10_00 + 100_00 + 200_50 + 1000_00 == ledger_balance_fen(fund=fund)
    assert FundEntry.all_objects.filter(fund=fund, kind="donation").count() == 3
    by_member = Donation.all_objects.get(person=member.person)
    assert (by_member.channel, by_member.uscc, by_member.id_cipher) == ("payroll", enterprise_uscc(), None)
    sealed = Donation.all_objects.get(donor_name="职工2")
    assert sealed.person_id is None and sealed.id_cipher and sealed.anonymous and sealed.shown_donor == "爱心人士"
    assert id_number(2, area="520201") not in str(sealed.id_masked)
    again = load(path)  # the same file twice changes nothing
    assert (again.created, again.unchanged) == (0, 3)
    assert Fund.all_objects.get(pk=fund.pk).balance_fen == fund.balance_fen
    changed = load(write(tmp_path / "改.csv", [row(1, "150")]))
    assert (changed.created, changed.rejected) == (0, 1)
    assert AuditEvent.all_objects.filter(action="charity.donation.import").count() == 3
    figures = stats_collect([tree.lps.path])
    assert (figures["charity_donor_workers"], figures["charity_donations_yuan"]) == (3, 1300.5)


def test_funds_outside_the_importers_reach_are_not_found(tree, make_user, tmp_path) -> None:
    make_fund(tree.lps)
    make_fund(tree.nanming, name="南明区爱心基金")
    scope = scope_for_user(make_user("lps_officer", ("officer", "520200")))
    path = write(tmp_path / "a.csv", [row(1), row(2, fund="南明区爱心基金"), row(3, fund="没有这个基金")])
    summary = load(path, scope=scope, org=tree.lps)
    assert (summary.created, summary.rejected) == (1, 2)
    viewer = scope_for_user(make_user("lps_viewer", ("viewer", "520200")))
    assert load(write(tmp_path / "b.csv", [row(9)]), scope=viewer, org=tree.lps).created == 0
    assert Donation.all_objects.count() == 1


def test_a_fund_by_its_number_and_a_day_before_it_opened(tree, tmp_path) -> None:
    fund = make_fund(tree.lps)
    summary = load(write(tmp_path / "a.csv", [row(1, fund=str(fund.pk)), row(2, day="2024-12-31")]))
    assert (summary.created, summary.rejected) == (1, 1)


def test_the_export_masks_and_hides_anonymous_donors(tree, tmp_path) -> None:
    make_fund(tree.lps)
    load(write(tmp_path / "a.csv", [row(1, anonymous="是"), row(2)]))
    out = tmp_path / "out.csv"
    count = get_kind("donations").export(str(out), actor=None, org=tree.lps, unmasked=True, scope=None)
    text = out.read_bytes().decode("utf-8-sig", errors="replace")
    assert count == 2 and "爱心人士" in text and "职工1" not in text and "职工2" in text
    assert id_number(2, area="520201") not in text


def test_the_template_reads_back_through_the_engine(tree, make_user, login, tmp_path) -> None:
    import io

    from openpyxl import load_workbook

    from gonghui.core.bulk import open_table

    client = login(make_user("lps_officer", ("officer", "520200")))
    resp = client.get("/imports/templates/donations/")
    assert resp.status_code == 200
    content = b"".join(resp.streaming_content)
    sheet = load_workbook(io.BytesIO(content)).worksheets[0]
    assert [c.value for c in sheet[2]][:2] == ["基金*", "单位统一社会信用代码*"]
    path = tmp_path / "template.xlsx"
    path.write_bytes(content)
    table = open_table(path, get_kind("donations").columns)
    assert (table.unknown, table.missing) == ([], [])
    assert [cells[0] for _n, cells in table.rows] == ["职工爱心基金"]


def test_a_wrong_uscc_is_refused_on_every_row_that_carries_it(tree, tmp_path) -> None:
    make_fund(tree.lps)
    bad = "91520200MA0000001Y"
    summary = load(write(tmp_path / "a.csv", [row(1, uscc=bad), row(2, uscc=bad), row(3)]))
    assert (summary.created, summary.rejected) == (1, 2)
    assert Donation.all_objects.get().donor_name == "职工3"
