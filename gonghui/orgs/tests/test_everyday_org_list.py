"""A federation's own 工会组织名录 in the words it types (issue 14, items 1, 2 and 7): the corpus of org lists.

Built at test time as a federation sends it: two title rows above the header, a 序号
column, a 备注 column nobody asked for, headers in its own words (建会时间, 职工数,
工会类型…), kinds written 省总工会 / 市总工会 / 州总工会 / 县区总工会 / 行业工联 / 企业工会,
是/否 written Y, √, ×, dates written 2023.5, 2023年5月, 2019/3/15 or as Excel dates,
and a few rows that cannot go in. The counts and every refusal are asserted exactly.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from openpyxl import Workbook, load_workbook

from gonghui.core.scoping import unscoped
from gonghui.orgs.models import Org, OrgKind
from gonghui.orgs.services import org_tree_check

pytestmark = pytest.mark.django_db

HEADER = [
    "序号",
    "工会代码",
    "工会名称",
    "上级代码",
    "工会类型",
    "行政区划",
    "是否新就业形态",
    "建会时间",
    "职工数",
    "备注",
]

# (code, name, parent, kind as typed, region, new employment, founded, employees, note)
ROWS: list[tuple[Any, ...]] = [
    ("520000", "贵州省总工会", "", "省总工会", 520000, "", "", "", "顶级"),
    ("520100", "贵阳市总工会", "520000", "市总工会", 520100, "否", "1950.10", "", ""),
    ("522600", "黔东南州总工会", "520000", "州总工会", "522600", "", "1956年7月", "", ""),
    ("520102", "南明区总工会", "520100", "县区总工会", "520102", "N", "", "", ""),
    ("520113", "白云区总工会", "520100", "区总工会", "520113", "×", "", "", ""),
    ("522601", "凯里市总工会", "522600", "县总工会", "522601", "", "", "", "县级市"),
    ("520100KD01", "贵阳市快递行业工会联合会", "520100", "行业工联", "520100", "Y", "2019/3/15", 3200, ""),
    ("520102J01", "花果园街道工会", "520102", "街道工会", "520102", "", datetime(2018, 6, 1), "", ""),
    ("520102G001", "南明区外卖骑手联合工会", "520102", "联合工会", "520102", "√", "2023.5", "860", "美团、饿了么"),
    ("520102G002", "某某物业公司工会", "520102J01", "企业工会", "520102", "否", "2021-12-01", 45, ""),
    # Refused: an unknown kind.
    ("520102G003", "某某超市工会", "520102", "小卖部工会", "520102", "", "", "", ""),
    # Refused: a province federation under a county federation.
    ("520102G004", "南明区某省总工会", "520102", "省总工会", "520102", "", "", "", ""),
    # Refused: founded in the future, and a negative head count.
    ("520102G005", "某某科技公司工会", "520102", "企业工会", "520102", "", "2099.1.1", -3, ""),
    # Refused: its parent is nowhere, in the tree or the file.
    ("520199G001", "某某工会", "520199", "企业工会", "520100", "", "", "", ""),
    # Refused: a code that is not a code.
    ("南明01", "南明区某工会", "520102", "企业工会", "520102", "", "", "", ""),
    # Refused: 是否新就业形态 neither yes nor no.
    ("520113G001", "白云区某工会", "520113", "企业工会", "520113", "也许", "", "", ""),
]
CREATED = 10


def write(path: Path) -> Path:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["贵州省工会组织名录"])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(HEADER))
    ws.append(["填报单位：贵州省总工会组织部", None, None, None, None, None, None, "填报日期：2024年1月"])
    ws.append(HEADER)
    for n, row in enumerate(ROWS, start=1):
        ws.append([n, *(cell if cell != "" else None for cell in row)])
    wb.save(path)
    return path


def write_csv(path: Path) -> Path:
    """The same list saved by WPS as CSV: GB18030, Excel's dates as the text it shows."""

    def text(cell: Any) -> str:
        return cell.strftime("%Y/%m/%d") if isinstance(cell, datetime) else str(cell)

    lines = ["贵州省工会组织名录", "填报单位：贵州省总工会组织部,,,,,,,填报日期：2024年1月", ",".join(HEADER)]
    lines += [",".join([str(n), *(text(c) for c in row)]) for n, row in enumerate(ROWS, start=1)]
    path.write_text("\r\n".join(lines) + "\r\n", encoding="gb18030")
    return path


def cli(*args: str) -> dict[str, Any]:
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO())
    return json.loads(out.getvalue().strip().splitlines()[-1])


@pytest.fixture(params=["xlsx", "csv"])
def summary(tmp_path: Path, request) -> dict[str, Any]:
    # An empty database: the federation's first day, from the console.
    path = write(tmp_path / "名录.xlsx") if request.param == "xlsx" else write_csv(tmp_path / "名录.csv")
    return cli("import", "orgs", str(path))


def test_the_counts_are_exact(summary) -> None:
    assert {k: summary[k] for k in ("rows", "created", "updated", "unchanged", "rejected")} == {
        "rows": 16,
        "created": CREATED,
        "updated": 0,
        "unchanged": 0,
        "rejected": 6,
    }
    # Every column of the list but 备注 was read: no field was dropped for its header.
    assert [w for w in summary["warnings"] if "未识别的列" in w] == ["未识别的列“备注”已忽略"]
    assert org_tree_check() == []


def test_the_everyday_words_are_stored_as_codes(summary) -> None:
    with unscoped():
        orgs = {o.code: o for o in Org.objects.select_related("parent")}
    assert {code: o.kind for code, o in orgs.items()} == {
        "520000": OrgKind.PROVINCE_FEDERATION,
        "520100": OrgKind.CITY_FEDERATION,
        "522600": OrgKind.CITY_FEDERATION,
        "520102": OrgKind.COUNTY_FEDERATION,
        "520113": OrgKind.COUNTY_FEDERATION,
        "522601": OrgKind.COUNTY_FEDERATION,
        "520100KD01": OrgKind.SECTOR_FEDERATION,
        "520102J01": OrgKind.TOWNSHIP,
        "520102G001": OrgKind.JOINT_GRASSROOTS,
        "520102G002": OrgKind.GRASSROOTS,
    }
    assert orgs["520000"].parent is None
    assert orgs["520102G002"].parent == orgs["520102J01"]
    assert [code for code, o in sorted(orgs.items()) if o.is_new_employment] == ["520100KD01", "520102G001"]
    assert {code: o.founded_on for code, o in orgs.items() if o.founded_on} == {
        "520100": date(1950, 10, 1),
        "522600": date(1956, 7, 1),
        "520100KD01": date(2019, 3, 15),
        "520102J01": date(2018, 6, 1),
        "520102G001": date(2023, 5, 1),
        "520102G002": date(2021, 12, 1),
    }
    assert {code: o.employee_count for code, o in orgs.items() if o.employee_count is not None} == {
        "520100KD01": 3200,
        "520102G001": 860,
        "520102G002": 45,
    }
    assert orgs["522601"].region_code == "522601"


def test_each_refusal_is_on_its_own_row_in_words(summary) -> None:
    ws = load_workbook(str(summary["report"])).active
    assert ws is not None
    reasons = {row[0]: str([c for c in row if c is not None][-1]) for row in ws.iter_rows(min_row=2, values_only=True)}
    # Each reason names the registry's column (组织类型 for the file's 工会类型), as the template does.
    assert reasons == {
        14: "工会类型（组织类型）：组织类型“小卖部工会”不存在。",
        15: "工会类型（组织类型）：县（市、区）总工会“南明区总工会”之下不能设省级总工会；"
        "可设：基层工会、乡镇（街道）工会、联合基层工会、行业性工会联合会、区域性工会联合会、"
        "开发区（园区）工会、产业工会、村（社区）工会。",
        16: "建会时间（成立日期）：成立日期不能晚于今天。；职工数（职工人数）：不能小于 0",
        17: "上级代码（上级工会代码）：未找到上级工会“520199”（系统中不存在，且文件中也没有）",
        18: "工会代码：工会代码“南明01”格式不正确：应为 4–32 位数字、大写字母或连字符。",
        19: "新就业形态：应为“是”或“否”",
    }
