"""The bulk engine's reading side: encodings, workbooks, header rows, cells, the error workbook."""

from __future__ import annotations

import codecs
from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from gonghui.core.bulk import (
    CellError,
    Column,
    ErrorWorkbook,
    UnreadableFile,
    cell_text,
    open_table,
    parse_bool,
    parse_date,
    parse_int,
    safe_cell,
)

COLUMNS = [
    Column("name", "姓名", ("name",), required=True),
    Column("org_code", "所属工会代码", ("org_code",), required=True),
    Column("joined_on", "入会日期", ("joined_on",)),
    Column("mobile", "手机号码", ("mobile",)),
]
CSV_TEXT = (
    "姓名,所属工会代码,入会日期,手机号码\n王小明,520201G001,2023/7/20,13800138000\n\n李四,520201G001,2023年7月21日,\n"
)


def _rows(path: Path) -> list[tuple[int, dict[str, object]]]:
    table = open_table(path, COLUMNS)
    return [(n, table.values(cells)) for n, cells in table.rows]


@pytest.mark.parametrize(
    ("encoding", "bom"),
    [("utf-8", b""), ("utf-8", codecs.BOM_UTF8), ("gb18030", b""), ("gbk", b""), ("utf-16", b"")],
    ids=["utf8", "utf8-bom", "gb18030", "gbk", "utf16"],
)
def test_csv_in_every_encoding_chinese_excel_writes(tmp_path: Path, encoding: str, bom: bytes) -> None:
    path = tmp_path / "roster.csv"
    path.write_bytes(bom + CSV_TEXT.encode(encoding))
    assert _rows(path) == [
        (2, {"name": "王小明", "org_code": "520201G001", "joined_on": "2023/7/20", "mobile": "13800138000"}),
        (4, {"name": "李四", "org_code": "520201G001", "joined_on": "2023年7月21日", "mobile": ""}),
    ]


def test_tab_separated_and_semicolon_files(tmp_path: Path) -> None:
    for sep in ("\t", ";"):
        path = tmp_path / "roster.csv"
        path.write_text(CSV_TEXT.replace(",", sep), encoding="utf-8")
        assert [n for n, _ in _rows(path)] == [2, 4]


def _xlsx(path: Path, rows: list[list[object]], merge: str | None = None) -> Path:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    for row in rows:
        ws.append(row)
    if merge:
        ws.merge_cells(merge)
    wb.save(path)
    return path


def test_header_found_under_a_merged_title_and_notes(tmp_path: Path) -> None:
    path = _xlsx(
        tmp_path / "roster.xlsx",
        [
            ["钟山区快递员联合工会会员花名册"],
            ["填报单位：钟山区总工会", None, "填报日期：2023年8月"],
            ["序号", "姓名*", "所属工会代码（必填）", "入会日期", "备注"],
            [1, "王小明", "520201G001", datetime(2023, 7, 20), "骑手"],
            [None, None, None, None, None],
            [2, "李四", "520201G001", 45128, None],
        ],
        merge="A1:E1",
    )
    table = open_table(path, COLUMNS)
    assert table.header_row == 3
    assert table.unknown == ["备注"]  # 序号 numbers the rows: ignored without a word
    assert table.missing == []
    rows = [(n, table.values(cells)) for n, cells in table.rows]
    assert [n for n, _ in rows] == [4, 6]
    assert parse_date(rows[0][1]["joined_on"]) == date(2023, 7, 20)
    assert parse_date(rows[1][1]["joined_on"]) == date(2023, 7, 21)


def test_rows_keep_the_files_own_numbers_when_the_sheet_starts_lower(tmp_path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws["B3"], ws["C3"] = "姓名", "所属工会代码"
    ws["B4"], ws["C4"] = "王小明", "520201G001"
    wb.save(tmp_path / "low.xlsx")
    table = open_table(tmp_path / "low.xlsx", COLUMNS)
    assert table.header_row == 3
    assert [n for n, _ in table.rows] == [4]


def test_english_aliases_and_missing_required_columns(tmp_path: Path) -> None:
    path = tmp_path / "en.csv"
    path.write_text("NAME,Mobile,extra\n王小明,13800138000,x\n", encoding="utf-8")
    table = open_table(path, COLUMNS)
    assert table.mapping == {0: "name", 1: "mobile"}
    assert table.unknown == ["extra"]
    assert table.missing == ["所属工会代码"]


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "文件是空的"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "不是表格文件"),
        (b"PK\x03\x04 not really a zip", "无法读取该工作簿"),
        ("这是一段文字，不是表格。\n没有任何列名。\n".encode(), "没有找到表头行"),
    ],
    ids=["empty", "png", "broken-zip", "prose"],
)
def test_files_that_are_not_tables_are_refused_in_chinese(tmp_path: Path, content: bytes, reason: str) -> None:
    path = tmp_path / "upload.xlsx"
    path.write_bytes(content)
    with pytest.raises(UnreadableFile, match=reason):
        open_table(path, COLUMNS)


def test_a_32000_character_cell_is_read_whole(tmp_path: Path) -> None:
    path = tmp_path / "long.csv"
    path.write_text("姓名,所属工会代码\n" + "长" * 32_000 + ",520201G001\n", encoding="utf-8")
    ((_, values),) = _rows(path)
    assert len(str(values["name"])) == 32_000


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (datetime(2023, 7, 20, 0, 0), date(2023, 7, 20)),
        (date(2023, 7, 20), date(2023, 7, 20)),
        (45127, date(2023, 7, 20)),
        (45127.0, date(2023, 7, 20)),
        ("45127", date(2023, 7, 20)),
        ("2023-07-20", date(2023, 7, 20)),
        ("2023/7/20", date(2023, 7, 20)),
        ("2023.07.20", date(2023, 7, 20)),
        ("2023年7月20日", date(2023, 7, 20)),
        ("２０２３年７月２０日", date(2023, 7, 20)),
        ("20230720", date(2023, 7, 20)),
        ("2023-07-20 00:00:00", date(2023, 7, 20)),
        ("", None),
        (None, None),
    ],
)
def test_every_date_form(value: object, expected: date | None) -> None:
    assert parse_date(value) == expected


@pytest.mark.parametrize("value", ["2023-02-30", "七月二十日", "2023/13/1", -5])
def test_bad_dates_have_a_chinese_reason(value: object) -> None:
    with pytest.raises(CellError) as refused:
        parse_date(value)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in str(refused.value))


def test_cells_as_text() -> None:
    assert cell_text("  王　小明 ") == "王 小明"
    assert cell_text("ＡＢＣ１２３") == "ABC123"
    assert cell_text(13800138000.0) == "13800138000"
    assert cell_text(None) == ""
    with pytest.raises(CellError, match="15 位"):
        cell_text(520102199003071234.0)  # an ID number Excel stored as a number


def test_numbers_and_yes_no(db: None) -> None:  # an unknown word is looked up among the admin synonyms
    assert parse_int("1,200") == 1200
    assert parse_int(12.0) == 12
    assert parse_int("") is None
    with pytest.raises(CellError, match="不能小于 0"):
        parse_int("-3", minimum=0)
    with pytest.raises(CellError, match="整数"):
        parse_int("十二")
    assert [parse_bool(v) for v in ("是", "否", "Y", "0", "", True)] == [True, False, True, False, None, True]
    with pytest.raises(CellError):
        parse_bool("也许")


@pytest.mark.parametrize("value", ["=1+1", "+86", "-5", "@SUM(A1)", '=HYPERLINK("http://x")'])
def test_formula_like_text_is_neutralized(value: str) -> None:
    assert safe_cell(value) == "'" + value
    assert safe_cell(-5) == -5
    assert safe_cell("王小明") == "王小明"


def test_error_workbook_keeps_the_rows_as_given_with_reasons(tmp_path: Path) -> None:
    report = ErrorWorkbook(tmp_path / "errors.xlsx", ["姓名", "所属工会代码"])
    report.add(7, ["=cmd|' /C calc'!A0", "520201G001"], ["姓名不能包含公式", "重复的行"])
    saved = report.save()
    ws = load_workbook(saved).active
    assert ws is not None
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    assert rows[0] == ["原行号", "姓名", "所属工会代码", "未导入原因"]
    assert rows[1] == [7, "'=cmd|' /C calc'!A0", "520201G001", "姓名不能包含公式；重复的行"]


@pytest.mark.django_db
def test_select_in_probes_the_index_in_chunks() -> None:
    """A batch's keys are looked up through the unique index: SQLite scanned the table for 5,000 at once."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from gonghui.core.bulk.sql import select_in
    from gonghui.members.models import Person

    keys = [f"{i:064x}" for i in range(3000)]
    with CaptureQueriesContext(connection) as queries:
        assert select_in(Person, ("id", "id_index", "name", "mobile"), "id_index", keys) == []
    if connection.vendor == "sqlite":
        assert len(queries.captured_queries) == 3
        with connection.cursor() as cursor:
            for query in queries.captured_queries:
                plan = " ".join(str(r[-1]) for r in cursor.execute("EXPLAIN QUERY PLAN " + query["sql"]).fetchall())
                assert "SEARCH members_person USING" in plan, plan
    else:
        assert len(queries.captured_queries) == 1
