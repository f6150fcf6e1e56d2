"""The streaming XLSX reader gives what python-calamine gives, without holding the sheet."""

from __future__ import annotations

import zipfile
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook
from openpyxl.cell.rich_text import CellRichText, TextBlock
from openpyxl.cell.text import InlineFont
from python_calamine import CalamineWorkbook

from gonghui.core.bulk.readers import UnreadableFile, read_rows
from gonghui.core.bulk.xlsx import NotXlsx, xlsx_rows

CORPUS = Path(__file__).parent / "fixtures" / "bulk"


def _trimmed(rows: Any) -> list[list[Any]]:
    out = []
    for row in rows:
        row = list(row)
        while row and row[-1] in ("", None):
            row.pop()
        out.append(row)
    while out and not out[-1]:
        out.pop()
    return out


def _calamine(path: Path) -> tuple[list[list[Any]], list[Any]]:
    sheet = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0)
    # calamine's rows start at the sheet's first used column; ours at column A.
    offset = sheet.start[1] if sheet.start else 0
    return _trimmed([""] * offset + list(r) for r in sheet.iter_rows()), sorted(sheet.merged_cell_ranges or [])


def _readable_workbooks() -> list[Path]:
    return [p for p in sorted(CORPUS.glob("*.xlsx")) if "really" not in p.name and "empty" not in p.name]


@pytest.mark.parametrize("path", _readable_workbooks(), ids=lambda p: p.name)
def test_every_corpus_workbook_reads_as_calamine_reads_it(path: Path) -> None:
    rows, merged = xlsx_rows(str(path))
    assert (_trimmed(rows), merged) == _calamine(path)


def test_values_dates_formats_and_rich_text_as_calamine(tmp_path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    ws.append(["名称 & <标签>", 'quote "x"', "a\nb", "  spaces  "])
    ws.append([1, 2.5, True, False, date(2023, 7, 20), datetime(2023, 7, 20, 8, 30, 15), time(8, 30)])
    ws["A5"] = CellRichText([TextBlock(InlineFont(b=True), "粗"), "细"])
    ws["B5"] = "=1+2"
    ws["C7"] = 123456789012345678
    ws["D7"] = "0123"
    ws["E7"] = -3.25
    ws.cell(row=9, column=30, value="far")
    ws["A10"] = "merged"
    ws.merge_cells("A10:C11")
    ws["J2"].number_format = "0.00%"
    ws["J2"] = 0.5
    ws["K2"].number_format = 'yyyy"年"m"月"d"日"'
    ws["K2"] = date(2024, 1, 2)
    ws["L2"].number_format = "#,##0"
    ws["L2"] = 1200
    path = tmp_path / "variant.xlsx"
    wb.save(path)
    rows, merged = xlsx_rows(str(path))
    got = _trimmed(rows)
    assert (got, merged) == _calamine(path)
    assert got[1][4] == date(2023, 7, 20) and got[1][5] == datetime(2023, 7, 20, 8, 30, 15)
    assert (got[1][9], got[1][10], got[1][11]) == (0.5, date(2024, 1, 2), 1200.0)


SHEET = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><x:sheetData>
<x:row r="1"><x:c r="A1" t="s"><x:v>0</x:v></x:c><x:c r="B1" t="s"><x:v>1</x:v></x:c></x:row>
<x:row r="3" spans="1:3"><x:c t="s"><x:v>2</x:v></x:c><x:c><x:v>42</x:v></x:c><x:c t="b"><x:v>1</x:v></x:c></x:row>
<x:row r="4"/>
<x:row r="5"><x:c r="C5" t="str"><x:f>A1</x:f><x:v>公式&amp;结果</x:v></x:c>\
<x:c r="D5" t="e"><x:v>#N/A</x:v></x:c></x:row>
</x:sheetData><x:mergeCells count="1"><x:mergeCell ref="A3:A5"/></x:mergeCells></x:worksheet>"""
STRINGS = """<?xml version="1.0" encoding="UTF-8"?>
<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="3" uniqueCount="3">
<si><t>姓名</t></si>
<si><r><rPr><b/></rPr><t>公民</t></r><r><t xml:space="preserve">身份 号码</t></r>\
<rPh sb="0" eb="1"><t>ヨミ</t></rPh></si>
<si><t>王&lt;一&gt;_x000D_</t></si>
</sst>"""


def _handmade(tmp_path: Path) -> Path:
    """An Excel-style workbook: shared strings, rich runs, prefixed elements, cells without refs, gaps."""
    path = tmp_path / "handmade.xlsx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/data.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            '<Override PartName="/xl/sharedStrings.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
            "</Types>",
        )
        z.writestr(
            "_rels/.rels",
            '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
            'officeDocument" Target="xl/workbook.xml"/></Relationships>',
        )
        z.writestr(
            "xl/workbook.xml",
            '<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
            '<sheet name="花名册" sheetId="7" r:id="rId9"/></sheets></workbook>',
        )
        z.writestr(
            "xl/_rels/workbook.xml.rels",
            '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
            'sharedStrings" Target="sharedStrings.xml"/>'
            '<Relationship Id="rId9" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
            'worksheet" Target="worksheets/data.xml"/></Relationships>',
        )
        z.writestr("xl/worksheets/data.xml", SHEET)
        z.writestr("xl/sharedStrings.xml", STRINGS)
    return path


def test_shared_strings_prefixes_and_gaps_as_calamine(tmp_path: Path) -> None:
    path = _handmade(tmp_path)
    rows, merged = xlsx_rows(str(path))
    got = _trimmed(rows)
    assert got == [
        ["姓名", "公民身份 号码"],
        [],
        ["王<一>\r", 42.0, True],
        [],
        ["", "", "公式&结果", "#N/A"],
    ]
    assert merged == [((2, 0), (4, 0))]
    calamine_rows, calamine_merged = _calamine(path)
    assert calamine_merged == merged
    assert calamine_rows[:3] == got[:3] and calamine_rows[4][:3] == got[4][:3]


def test_read_rows_fills_merged_cells_from_the_stream(tmp_path: Path) -> None:
    rows = _trimmed(read_rows(_handmade(tmp_path)))
    assert [r[0] if r else None for r in rows] == ["姓名", None, "王<一>\r", "王<一>\r", "王<一>\r"]


def test_a_zip_that_is_not_a_workbook_and_a_broken_stream(tmp_path: Path) -> None:
    other = tmp_path / "other.xlsx"
    with zipfile.ZipFile(other, "w") as z:
        z.writestr("readme.txt", "hello")
    with pytest.raises(NotXlsx):
        xlsx_rows(str(other))
    with pytest.raises(UnreadableFile):
        list(read_rows(other))

    # A sheet damaged part-way: refused before the first row (the merged ranges are
    # read first, over the whole stream), so nothing of it is imported.
    wb = Workbook(write_only=True)
    ws = wb.create_sheet()
    for i in range(20_000):
        ws.append([f"第{i}行", i, "某某物流有限公司" * 3])
    whole = tmp_path / "whole.xlsx"
    wb.save(whole)
    data = bytearray(whole.read_bytes())
    with zipfile.ZipFile(whole) as z:
        info = z.getinfo("xl/worksheets/sheet1.xml")
    middle = info.header_offset + 30 + len(info.filename) + info.compress_size // 2
    data[middle : middle + 64] = b"\x00" * 64
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(bytes(data))
    with pytest.raises(UnreadableFile, match="已损坏"):
        read_rows(broken)
