"""The `contracts` bulk kind: an awkward registry (GB18030 CSV, a title row over the header, blank
lines, everyday words, full-width digits, several employers in one cell), the reasons by row and
column, a row written whole or not at all, renewal by the previous number, a re-import that
changes nothing; and the minimum wage against the local standard."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from gonghui.accounts.scope import scope_for_user
from gonghui.core.bulk.engine import run_import
from gonghui.core.bulk.kinds import get_kind
from gonghui.core.errors import DomainError
from gonghui.core.validators import uscc_with_check
from gonghui.rights import contracts
from gonghui.rights.bulk import ContractsKind, parse_percent, parse_term
from gonghui.rights.models import CollectiveContract, ContractEmployer, MinimumWage

pytestmark = pytest.mark.django_db


def uscc(n: int) -> str:
    return uscc_with_check(f"91520201MA{n:07d}")


FULL = str.maketrans("0123456789", "０１２３４５６７８９")
HEADER = (
    "序号,合同类型,合同编号,企业名称,统一社会信用代码,范围,签订日期,期限,职工方首席代表,企业方首席代表,"
    "审议方式,审议日期,赞成票,反对票,职工人数,女职工人数,工资增长幅度,最低工资,原合同编号"
)


def registry(tmp_path: Path, rows: list[str]) -> Path:
    text = "\r\n".join(["钟山区集体合同台账（2025年）,,,,", "", HEADER, *rows, ",,,,", ""])
    path = tmp_path / "台账.csv"
    path.write_bytes(text.encode("gb18030"))
    return path


def rows_of_the_registry() -> list[str]:
    a, b, c = uscc(1), uscc(2), uscc(3)
    return [
        # line 4: a wage contract in everyday words, full-width digits, a share for the increase
        f"1,工资集体协议,ZS-2024-01,钟山某煤业有限公司,{a.translate(FULL)},,２０２４年３月１日,三年,李主席,王总,"
        "职代会,2024/2/20,４５,2,３００,80,0.05,1900,",
        # line 5: a regional women's contract over two employers (、 and ；), one total split
        f'2,女职工专项,ZS-2024-02,"某商贸公司、某建材公司","{b}；{c}",区域,2024-05-10,2年,赵主席,钱会长,'
        "全体职工,2024-05-01,120,0,101,60,,,",
        # line 6: the renewal of line 4's contract, by its number
        f"3,工资专项,ZS-2027-01,钟山某煤业有限公司,{a},企业,2027-03-01,1年,李主席,王总,职代会,2027-02-20,"
        "40,1,310,85,5%,2000,ZS-2024-01",
        # line 7: refused: several mistakes at once, each with its column
        f"4,工资专项,ZS-2024-09,某公司,{uscc(4)[:-1]}X,企业,2024-13-01,5年,,王总,职代会,,1,3,10,20,五,1000,",
        # line 8: refused: below Guizhou's lowest tier (1,660 yuan from 2023-02-01)
        f"5,综合,ZS-2024-10,某食品公司,{uscc(5)},企业,2024-06-01,3,孙主席,周总,职代会,2024-05-30,30,0,50,20,3%,1500,",
        # line 9: refused: renews a number never registered
        f"6,综合,ZS-2024-11,某食品公司,{uscc(6)},企业,2024-06-01,3,孙主席,周总,职代会,2024-05-30,30,0,50,20,,,ZS-0000",
    ]


def reasons(report: str) -> dict[int, str]:
    sheet = load_workbook(report).active
    assert sheet is not None
    head = [c.value for c in next(sheet.iter_rows(min_row=1, max_row=1))]
    at_row, at_reason = head.index("原行号"), head.index("未导入原因")
    return {int(r[at_row]): str(r[at_reason]) for r in sheet.iter_rows(min_row=2, values_only=True) if r[at_row]}


def test_an_awkward_registry_imports_and_imports_again_as_a_no_op(people, tmp_path) -> None:  # type: ignore[no-untyped-def]
    user = people["users"]["county"]
    path = registry(tmp_path, rows_of_the_registry())

    def run() -> Any:
        kind = ContractsKind(actor=user, scope=scope_for_user(user), org=people["tree"].zhongshan)
        return run_import(kind, path)

    first = run()
    assert (first.rows, first.created, first.unchanged, first.rejected) == (6, 3, 0, 3)
    by_number = {c.number: c for c in CollectiveContract.all_objects.all()}
    assert set(by_number) == {"ZS-2024-01", "ZS-2024-02", "ZS-2027-01"}
    wage = by_number["ZS-2024-01"]
    assert (wage.kind, wage.scope, wage.signed_on, wage.ends_on) == (
        "wage",
        "enterprise",
        date(2024, 3, 1),
        date(2027, 2, 28),
    )
    assert (wage.workers, wage.women_workers, str(wage.wage_increase_pct), wage.minimum_wage_fen) == (
        300,
        80,
        "5.00",
        190000,
    )
    assert wage.vote_body == "congress" and wage.voted_on == date(2024, 2, 20) and wage.votes_for == 45
    women = by_number["ZS-2024-02"]
    assert (women.kind, women.scope, women.vote_body, women.ends_on) == (
        "women",
        "regional",
        "all_staff",
        date(2026, 5, 9),
    )
    employers = list(
        ContractEmployer.objects.filter(contract=women).order_by("uscc").values_list("name", "uscc", "workers")
    )
    assert employers == [("某商贸公司", uscc(2), 51), ("某建材公司", uscc(3), 50)]
    assert by_number["ZS-2027-01"].renews == wage and str(by_number["ZS-2027-01"].wage_increase_pct) == "5.00"

    refused = reasons(first.report)
    assert set(refused) == {7, 8, 9}  # the file's own line numbers: a title and a blank line above the header
    bad = refused[7]
    for part in (
        "统一社会信用代码：第 1 家企业的统一社会信用代码",
        "签订日期：日期不存在",
        "期限：集体合同期限为 1 至 3 年",
        "职工方首席代表：请填写职工方首席代表",
        "审议日期：请填写审议日期",
        "赞成票：赞成票应多于反对票",
        "工资增长幅度：应为百分数",
    ):
        assert part in bad, bad
    assert (
        "最低工资（元/月）：合同约定的最低工资 1,500.00 元/月低于当地最低工资标准 1,660.00 元/月"
        "（贵州省，2023-02-01 起执行）" in refused[8]
    )
    assert "原合同编号：本工会没有编号为“ZS-0000”的合同" in refused[9]

    again = run()
    assert (again.created, again.unchanged, again.rejected) == (0, 3, 3)
    assert CollectiveContract.all_objects.count() == 3 and ContractEmployer.objects.count() == 4


def test_a_row_outside_the_jobs_union_and_a_second_renewal_are_refused(people, tmp_path) -> None:  # type: ignore[no-untyped-def]
    user = people["users"]["county"]
    a = uscc(1)
    path = registry(
        tmp_path,
        [
            f"1,工资专项,N1,某公司,{a},企业,2024-03-01,3年,李,王,职代会,2024-02-20,45,2,300,80,5%,1900,",
            f"2,工资专项,N2,某公司,{a},企业,2027-03-01,1年,李,王,职代会,2027-02-20,45,2,300,80,5%,1900,N1",
            f"3,工资专项,N3,某公司,{a},企业,2027-04-01,1年,李,王,职代会,2027-03-20,45,2,300,80,5%,1900,N1",
        ],
    )
    text = path.read_bytes().decode("gb18030").replace(HEADER, "签约工会代码," + HEADER)
    lines = text.split("\r\n")
    lines[3] = "520201," + lines[3]
    lines[4] = "520201," + lines[4]
    lines[5] = "520102," + lines[5]  # a sibling county: not the job's union's subtree
    path.write_bytes("\r\n".join(lines).encode("gb18030"))
    summary = run_import(ContractsKind(actor=user, scope=scope_for_user(user), org=people["tree"].zhongshan), path)
    assert (summary.created, summary.rejected) == (2, 1)
    assert "签约工会代码：未找到该工会" in reasons(summary.report)[6]


def test_the_registry_is_a_bulk_kind_with_a_template(people) -> None:  # type: ignore[no-untyped-def]
    kind = get_kind("contracts")
    assert kind.importable and kind.import_perm == "rights.contract.manage"
    assert {"合同种类", "企业名称", "统一社会信用代码", "签订日期"} <= {c.header for c in kind.columns if c.required}


@pytest.mark.parametrize(
    ("typed", "years"), [("1年", 1), ("三年", 3), ("2", 2), (2.0, 2), ("两年", 2), ("３年", 3), ("", None)]
)
def test_terms_in_everyday_words(typed: Any, years: int | None) -> None:
    assert parse_term(typed) == years


@pytest.mark.parametrize(
    ("typed", "pct"),
    [("5%", "5.00"), ("0.05", "5.00"), (0.05, "5.00"), ("5", "5.00"), ("５．５％", "5.50"), (8, "8.00")],
)
def test_wage_increases_as_typed_or_as_excel_keeps_them(typed: Any, pct: str) -> None:
    assert str(parse_percent(typed)) == pct


def test_the_minimum_wage_standard_by_region_and_date(people) -> None:  # type: ignore[no-untyped-def]
    # Seeded by migration: six provinces' lowest tiers.
    assert set(MinimumWage.objects.values_list("region_prefix", flat=True)) >= {"52", "62", "33", "37", "43", "22"}
    gz = contracts.local_minimum_wage("520201", date(2024, 1, 1))
    assert gz is not None and (gz.region_name, gz.monthly_fen) == ("贵州省", 166000)
    assert contracts.local_minimum_wage("520201", date(2023, 1, 31)) is None  # before the standard took effect
    MinimumWage.objects.create(
        region_prefix="5202", region_name="六盘水市", effective_on=date(2023, 2, 1), monthly_fen=176000
    )
    lps = contracts.local_minimum_wage("520201", date(2024, 1, 1))
    assert lps is not None and lps.monthly_fen == 176000  # the city's own tier wins over the province's
    assert contracts.local_minimum_wage("110101", date(2024, 1, 1)) is None  # no standard kept: no check

    from gonghui.rights.tests.test_contracts import register

    with pytest.raises(DomainError) as refused:
        register(people, minimum_wage_fen=170000, signed_on=date(2026, 1, 10))
    assert "1,700.00 元/月低于当地最低工资标准 1,760.00 元/月（六盘水市" in refused.value.details["minimum_wage"]
    assert register(people, minimum_wage_fen=176000).minimum_wage_fen == 176000
