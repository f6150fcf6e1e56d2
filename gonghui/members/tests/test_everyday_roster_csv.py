"""A 会员花名册 saved from WPS as CSV (GBK), in the words of another union: the roster corpus, second file.

Where `test_everyday_roster.py` is a 采集表 in Excel, this is a county union's 花名册 as
it arrives by e-mail: a title line and a blank line above the header, 序号, headers
of its own (身份证号, 文化程度, 手机号, 入会年月, 户籍性质, 是否为农民工), words of its own
(研究生, 大本, 初中, 中专; 回, 彝族, 侗; 共青团员, 中共党员; 农业/非农业; 男性/女),
join dates written 2022.10, 2021/7, 2019年3月 or 20180601, and the rows that cannot go
in. The counts and every refusal are asserted exactly.
"""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from gonghui.core.idnumbers import id_number_with_check
from gonghui.core.scoping import unscoped
from gonghui.members.models import Person

pytestmark = pytest.mark.django_db

HEADER = "序号,姓名,性别,民族,身份证号,文化程度,政治面貌,工作单位,岗位,手机号,入会年月,户籍性质,是否为农民工"


def idn(birth: str, seq: int, *, male: bool = True) -> str:
    return id_number_with_check(f"520102{birth}{seq:02d}{1 if male else 2}")


# 姓名, 性别, 民族, 身份证号, 文化程度, 政治面貌, 工作单位, 岗位, 手机号, 入会年月, 户籍性质, 是否为农民工
GOOD = [
    ("马丽", "女", "回", idn("19870412", 1, male=False), "研究生", "中共党员", "贵阳银行", "柜员", "13985000001",
     "2019年3月", "非农业", "否"),
    ("阿鲁", "男性", "彝族", idn("19930825", 2), "大本", "共青团员", "南明区环卫所", "环卫工", "139-8500-0002",
     "2022.10", "农业", "是"),
    ("吴花", "女", "侗", idn("19960101", 3, male=False), "中专", "群众", "花果园物业", "保洁", "", "2021/7", "农业",
     "是"),
    ("罗强", "男", "汉族", idn("19751111", 4), "初中", "", "个体", "货车司机", "13985000004", "20180601", "", "是"),
]  # fmt: skip
BAD = [
    # A mobile one digit short.
    ("钱多", "男", "汉", idn("19900101", 5), "初中", "", "", "", "1398500000", "", "", ""),
    # The same person as the first row (the ID number again, with spaces).
    ("马丽", "女", "回", " ".join([GOOD[0][3][:6], GOOD[0][3][6:14], GOOD[0][3][14:]]), "研究生", "", "", "", "", "",
     "", ""),
    # Joined the month before the 16th birthday (born 2008-06): judged by the month.
    ("小周", "男", "汉", idn("20080615", 6), "初中", "", "", "", "", "2024.5", "", ""),
    # An ID number with a wrong check digit.
    ("孙错", "男", "汉", idn("19900101", 7)[:17] + ("0" if idn("19900101", 7)[17] != "0" else "1"), "", "", "", "",
     "", "", "", ""),
    # 文化程度 nobody could match (无党派 is 无党派人士, and goes in).
    ("赵某", "男", "汉", idn("19900101", 8), "幼儿园", "无党派", "", "", "", "", "", ""),
]  # fmt: skip


def write(path: Path) -> Path:
    lines = ["南明区总工会会员花名册（2024年）", "", HEADER]
    for n, row in enumerate([*GOOD, *BAD], start=1):
        lines.append(",".join([str(n), *row]))
    path.write_text("\r\n".join(lines) + "\r\n", encoding="gbk")
    return path


def cli(*args: str) -> dict[str, object]:
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO())
    return json.loads(out.getvalue().strip().splitlines()[-1])


@pytest.fixture
def summary(tree, tmp_path: Path) -> dict[str, object]:
    return cli("import", "members", str(write(tmp_path / "花名册.csv")), "--org", "520102")


def test_the_counts_are_exact(summary) -> None:
    counts = {k: summary[k] for k in ("rows", "created", "updated", "unchanged", "rejected")}
    assert counts == {"rows": 9, "created": 4, "updated": 0, "unchanged": 0, "rejected": 5}
    assert not [w for w in summary["warnings"] if "未识别的列" in str(w)]
    assert "有 3 行的入会日期只写了年月（如 2023.5），已按当月 1 日登记" in summary["warnings"]


def test_the_words_are_stored_as_codes(summary) -> None:
    with unscoped():
        people = {p.name: p for p in Person.objects.all()}
    ma, alu, wu, luo = (people[n] for n in ("马丽", "阿鲁", "吴花", "罗强"))
    assert [p.education for p in (ma, alu, wu, luo)] == ["10", "20", "40", "70"]
    assert [p.ethnicity for p in (ma, alu, wu, luo)] == ["03", "07", "12", "01"]
    assert [p.political_status for p in (ma, alu, wu, luo)] == ["01", "03", "13", ""]
    assert [p.hukou_type for p in (ma, alu, wu, luo)] == ["2", "1", "1", ""]
    assert [p.is_migrant_worker for p in (ma, alu, wu, luo)] == [False, True, True, True]
    assert [p.mobile for p in (ma, alu, wu, luo)] == ["13985000001", "13985000002", "", "13985000004"]
    assert [str(p.joined_on) for p in (ma, alu, wu, luo)] == ["2019-03-01", "2022-10-01", "2021-07-01", "2018-06-01"]
    assert (alu.position, alu.employer, luo.position) == ("环卫工", "南明区环卫所", "货车司机")


def test_each_refusal_is_on_its_own_row_in_words(summary) -> None:
    ws = load_workbook(str(summary["report"])).active
    assert ws is not None
    reasons = {row[0]: str(row[-1]) for row in ws.iter_rows(min_row=2, values_only=True)}
    # Rows 4–7 of the file are GOOD; the refused rows follow, each with its own column and reason.
    assert reasons == {
        8: "手机号码：手机号码应为 11 位数字，以 13–19 开头",
        9: "身份证号（公民身份号码）：与第 4 行是同一人（证件号码重复）",
        10: "入会年月（入会日期）：入会时未满 16 周岁（最低就业年龄），请核对入会日期或证件号码",
        11: "身份证号（公民身份号码）：公民身份号码校验位不正确，请核对是否抄错",
        12: "文化程度（学历）：学历“幼儿园”不在代码表中，"
        "可填：研究生、大学本科、大学专科、中等职业教育、普通高中、初中、小学、其他",
    }
