"""The error workbook (rejected rows as given, plus a reason column) and safe cells.

A cell that begins with "=", "+", "-" or "@" is a formula to Excel and WPS; in any
file we write, such text gets a leading apostrophe so it is shown, never run
(CSV/formula injection). Numbers stay numbers.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font, PatternFill

from gonghui.core.bulk.values import FORMULA_START

# Excel's limit for one cell; a longer one makes it "repair" (truncate) the file.
EXCEL_CELL_LIMIT = 32_767
TRUNCATED = "…（已截断）"


def safe_cell(value: Any) -> Any:
    if isinstance(value, str):
        if value.startswith(FORMULA_START):
            value = "'" + value
        # XML cannot hold most control characters (openpyxl would refuse the cell and
        # the whole report with it): each is shown as U+FFFD, the rest kept as given.
        value = ILLEGAL_CHARACTERS_RE.sub("\ufffd", value)
        if len(value) > EXCEL_CELL_LIMIT:
            value = value[: EXCEL_CELL_LIMIT - len(TRUNCATED)] + TRUNCATED
    return value


class ErrorWorkbook:
    """Streams rejected rows into an XLSX: row number, the row's cells, the reasons."""

    def __init__(self, path: str | Path, headers: list[str]) -> None:
        self.path = Path(path)
        self.workbook = Workbook(write_only=True)
        self.sheet = self.workbook.create_sheet("未导入的行")
        self.rows = 0
        self.width = len(headers)
        bold = Font(bold=True)
        header = [WriteOnlyCell(self.sheet, value=safe_cell(v)) for v in ["原行号", *headers, "未导入原因"]]
        for cell in header:
            cell.font = bold
        header[-1].fill = PatternFill("solid", fgColor="FDE2E1")
        self.sheet.append(header)

    def add(self, row_number: int, cells: list[Any], reasons: list[str]) -> None:
        """The row as read (cut or padded to the header's width), its reasons in the last column."""
        kept = [safe_cell(c) for c in cells[: self.width]]
        kept += [None] * (self.width - len(kept))
        self.sheet.append([row_number, *kept, "；".join(reasons)])
        self.rows += 1

    def save(self, *, sealed: bool = False) -> Path:
        """Write the workbook to its path; `sealed`: under the field key (it holds the rows as given)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if not sealed:
            self.workbook.save(self.path)
            return self.path
        from gonghui.core.bulk.files import sealed_output

        with sealed_output(self.path) as clear:
            self.workbook.save(clear)
        return self.path
