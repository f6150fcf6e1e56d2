"""A kind's template workbook: the columns to fill, drop-downs from the code tables.

The first sheet is the one the engine reads: an instruction row (the engine finds
the header under it), the header with required columns marked "*", and one
example row. The code tables' labels sit in a hidden sheet 代码表, one column
each, and every coded column's cells carry a list validation referencing that
range (an inline list is limited to 255 characters, which 民族 alone exceeds).
Columns holding codes and long numbers are formatted as text, so Excel keeps an
ID number's 18 digits and a code's leading zeros.
"""

from __future__ import annotations

from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation

from gonghui.core.bulk.kinds import BulkKind

CODE_SHEET = "代码表"
FIRST_DATA_ROW = 3  # instruction row, header row, then data (the example first)
LAST_VALIDATED_ROW = 100_000
REQUIRED_FILL = PatternFill("solid", fgColor="FDE2E1")
HEADER_FILL = PatternFill("solid", fgColor="EEEEEE")


def template_columns(kind: BulkKind) -> list[tuple[str, str, bool]]:
    """(key, header as written in the template, required) for the template's columns."""
    return [
        (c.key, f"{c.header}*" if c.required else c.header, c.required) for c in kind.columns if c.key in kind.example
    ]


def template_workbook(kind: BulkKind) -> bytes:
    columns = template_columns(kind)
    choices = kind.choices()
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = kind.label
    codes = workbook.create_sheet(CODE_SHEET)
    codes.sheet_state = "hidden"

    sheet.append(
        [
            f"{kind.label}导入模板：带 * 的列必须填写；有下拉箭头的列请从列表中选择（取自代码表）；"
            f"第 {FIRST_DATA_ROW} 行是示例，导入前请删除。表头所在行可以移动，列的顺序可以调整。"
        ]
    )
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(columns))
    sheet.row_dimensions[1].height = 32
    sheet["A1"].alignment = Alignment(wrap_text=True, vertical="center")
    sheet["A1"].font = Font(bold=True)
    sheet.append([header for _key, header, _required in columns])
    sheet.append([kind.example.get(key) for key, _header, _required in columns])
    sheet.freeze_panes = sheet.cell(row=FIRST_DATA_ROW, column=1)

    code_column = 0
    for index, (key, header, required) in enumerate(columns, start=1):
        letter = get_column_letter(index)
        cell = sheet.cell(row=2, column=index)
        cell.font = Font(bold=True, color="C00000" if required else None)
        cell.fill = REQUIRED_FILL if required else HEADER_FILL
        example = sheet.cell(row=FIRST_DATA_ROW, column=index)
        example.font = Font(italic=True, color="808080")
        sheet.column_dimensions[letter].width = max(12, len(header) * 2 + 4)
        if key in kind.text_columns:
            sheet.column_dimensions[letter].number_format = "@"
            example.number_format = "@"
        labels = choices.get(key)
        if not labels:
            continue
        code_column += 1
        code_letter = get_column_letter(code_column)
        codes.cell(row=1, column=code_column, value=header.rstrip("*"))
        for row, label in enumerate(labels, start=2):
            codes.cell(row=row, column=code_column, value=label)
        source = f"{quote_sheetname(CODE_SHEET)}!${code_letter}$2:${code_letter}${len(labels) + 1}"
        validation = DataValidation(
            type="list",
            formula1=source,
            allow_blank=not required,
            showErrorMessage=True,
            errorTitle="请从列表中选择",
            error=f"“{header.rstrip('*')}”请从下拉列表中选择。",
        )
        validation.add(f"{letter}{FIRST_DATA_ROW}:{letter}{LAST_VALIDATED_ROW}")
        sheet.add_data_validation(validation)
    out = BytesIO()
    workbook.save(out)
    return out.getvalue()
