"""A 会员实名制信息采集表 as unions fill it in: their own headers, their own words, their own dates.

The file is what a grassroots union sends (a title row, 序号, 文化程度, 联系电话, 入会时间
written 2023.5, 高中/大专/本科, 党员, 男/女); every good row goes in with its values, and
every impossible one is refused on its own cell with the reason.
"""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from openpyxl import Workbook, load_workbook

from gonghui.core.idnumbers import id_number_with_check
from gonghui.core.scoping import unscoped
from gonghui.members.models import Membership, Person

HEADERS = [
    "序号",
    "姓名",
    "性别",
    "民族",
    "出生年月",
    "身份证号码",
    "文化程度",
    "政治面貌",
    "工作单位",
    "职务",
    "联系电话",
    "入会时间",
    "户口性质",
    "是否农民工",
]


def idn(birth: str, seq: int, *, male: bool = True) -> str:
    """An ID number born on `birth` (YYYYMMDD); the 17th digit's parity is the gender."""
    return id_number_with_check(f"520201{birth}{seq:02d}{1 if male else 2}")


# (姓名, 性别, 民族, 出生年月, 身份证号码, 文化程度, 政治面貌, 工作单位, 职务, 联系电话, 入会时间, 户口性质, 是否农民工)
GOOD = [
    (
        "张 伟",
        "男",
        "汉",
        "1990.3",
        idn("19900307", 1),
        "高中",
        "党员",
        "顺丰速运",
        "快递员",
        13900000001,
        2023.5,
        "农村",
        "是",
    ),
    (
        "李娜",
        "女",
        "汉族",
        "1992-11",
        idn("19921102", 2, male=False),
        "大专",
        "团员",
        "美团",
        "骑手",
        "13900000002",
        "2023年5月",
        "城镇",
        "否",
    ),
    (
        "王芳",
        "F",
        "苗",
        "1988年6月",
        idn("19880615", 3, male=False),
        "本科",
        "群众",
        "饿了么",
        "站长",
        "139 0000 0003",
        "2021-03-15",
        "非农",
        "×",
    ),
    ("刘洋", "M", "土家", "", idn("19950101", 4), "中专", "预备党员", "京东物流", "", "", "2020.12", "农业户口", "√"),
    ("陈静", "女性", "布依族", "1985.01", idn("19850120", 5, male=False), "硕士", "中共党员", "", "", "", "", "", "Y"),
    ("杨帆", "", "", "", idn("19991231", 6), "初中及以下", "无", "", "", "", "2018.02", "", "N"),
]
BAD = [
    # 性别 disagrees with the ID number.
    ("赵敏", "男", "汉", "", idn("19900101", 7, male=False), "高中", "", "", "", "", "", "", ""),
    # 出生年月 disagrees with the ID number.
    ("孙立", "男", "汉", "1991.4", idn("19900401", 8), "高中", "", "", "", "", "", "", ""),
    # Joined before being born.
    ("周末", "男", "汉", "", idn("19900101", 9), "高中", "", "", "", "", "1950-01-01", "", ""),
    # Joined at 15.
    ("吴刚", "男", "汉", "", idn("20000601", 10), "高中", "", "", "", "", "2015.6", "", ""),
    # An ambiguous word (中共 is 中共党员 or 中共预备党员) and an unknown one.
    ("郑和", "男", "汉", "", idn("19800101", 11), "博士后", "中共", "", "", "", "", "", ""),
    # 2023.1 as a number: January or October?
    ("冯唐", "男", "汉", "", idn("19800202", 12), "高中", "", "", "", "", 2023.1, "", ""),
]


def write_roster(path: Path) -> Path:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["钟山区快递员联合工会会员实名制信息采集表"])
    ws.merge_cells("A1:N1")
    ws.append(
        ["填报单位：钟山区快递员联合工会", None, None, None, None, None, None, None, None, None, "填报日期：2024年1月"]
    )
    ws.append(HEADERS)
    for i, row in enumerate([*GOOD, *BAD], start=1):
        ws.append([i, *row])
    wb.save(path)
    return path


def run(*args: str) -> dict[str, object]:
    out = StringIO()
    call_command("import", *args, stdout=out, stderr=StringIO())  # refused rows are counted, not an exit code
    return json.loads(out.getvalue().strip().splitlines()[-1])


@pytest.fixture
def summary(tree, tmp_path: Path) -> dict[str, object]:
    return run("members", str(write_roster(tmp_path / "采集表.xlsx")), "--org", "520201G001")


def test_every_everyday_row_goes_in_and_every_impossible_one_is_refused(summary) -> None:
    assert {k: summary[k] for k in ("rows", "created", "updated", "unchanged", "rejected")} == {
        "rows": 12,
        "created": 6,
        "updated": 0,
        "unchanged": 0,
        "rejected": 6,
    }
    # No column of the form was dropped: 序号 is a row number, everything else is read.
    assert not [w for w in summary["warnings"] if "未识别的列" in str(w)]
    assert "有 4 行的入会日期只写了年月（如 2023.5），已按当月 1 日登记" in summary["warnings"]


def test_the_everyday_words_are_stored_as_codes(summary) -> None:
    with unscoped():
        people = {p.name: p for p in Person.objects.all()}
    zhang, li, wang, liu, chen, yang = (people[n] for n in ("张 伟", "李娜", "王芳", "刘洋", "陈静", "杨帆"))
    assert [p.education for p in (zhang, li, wang, liu, chen, yang)] == ["60", "30", "20", "40", "10", "70"]
    assert [p.political_status for p in (zhang, li, wang, liu, chen, yang)] == ["01", "03", "13", "02", "01", "13"]
    assert [p.ethnicity for p in (zhang, li, wang, liu, chen)] == ["01", "01", "06", "15", "09"]
    assert [p.hukou_type for p in (zhang, li, wang, liu)] == ["1", "2", "2", "1"]
    assert [p.is_migrant_worker for p in (zhang, li, wang, liu, chen, yang)] == [True, False, False, True, True, False]
    assert (zhang.mobile, li.mobile, wang.mobile) == ("13900000001", "13900000002", "13900000003")
    assert (zhang.position, zhang.employer) == ("快递员", "顺丰速运")
    assert [str(p.joined_on) for p in (zhang, li, wang, liu)] == [
        "2023-05-01",
        "2023-05-01",
        "2021-03-15",
        "2020-12-01",
    ]
    with unscoped():
        assert Membership.objects.filter(person__in=people.values(), org__code="520201G001").count() == 6


def test_each_impossible_row_is_refused_on_its_own_cell(summary) -> None:
    ws = load_workbook(str(summary["report"])).active
    assert ws is not None
    reasons = {row[0]: str(row[-1]) for row in ws.iter_rows(min_row=2, values_only=True)}
    # Rows 4–9 of the file are GOOD; the refused rows follow.
    assert reasons.keys() == {10, 11, 12, 13, 14, 15}
    assert reasons[10] == "性别：与证件号码不符（证件号码为女性），请核对性别或证件号码"
    assert reasons[11] == "出生年月：与证件号码中的出生日期不符，请核对出生年月或证件号码"
    assert reasons[12] == "入会时间（入会日期）：入会日期早于出生日期，请核对入会日期或证件号码"
    assert reasons[13] == "入会时间（入会日期）：入会时未满 16 周岁（最低就业年龄），请核对入会日期或证件号码"
    assert "文化程度（学历）：学历“博士后”不在代码表中" in reasons[14]
    assert "政治面貌：政治面貌“中共”不明确，可能是：中共党员、中共预备党员" in reasons[14]
    assert reasons[15].startswith("入会时间（入会日期）：“2023.1”可能是 1 月也可能是 10 月")
