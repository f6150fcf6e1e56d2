"""Writing tables out: XLSX (openpyxl write-only, streamed) or CSV (UTF-8 with a BOM,
so Excel and WPS open the Chinese correctly), chosen by the file's extension.
Every text cell passes `safe_cell`, so nothing we export runs as a formula.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from gonghui.core.bulk.report import safe_cell


def write_table(path: str | Path, headers: list[str], rows: Iterable[list[Any]], *, sheet: str = "Sheet1") -> int:
    """Write `rows` under `headers`; returns the number of data rows."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    if path.suffix.lower() == ".csv":
        with path.open("w", encoding="utf-8-sig", newline="") as f:
            out = csv.writer(f)
            out.writerow(headers)
            for row in rows:
                out.writerow(["" if c is None else safe_cell(c) for c in row])
                count += 1
        return count
    workbook = Workbook(write_only=True)
    ws = workbook.create_sheet(sheet)
    header_cells = [WriteOnlyCell(ws, value=h) for h in headers]
    for cell in header_cells:
        cell.font = Font(bold=True)
    ws.append(header_cells)
    for row in rows:
        ws.append([safe_cell(c) for c in row])
        count += 1
    workbook.save(path)
    return count


def xlsx_bytes(headers: list[str], rows: Iterable[list[Any]], *, sheet: str = "Sheet1") -> bytes:
    """A small workbook in memory (a page's own export, one screen of rows): the same cells as `write_table`."""
    import io

    workbook = Workbook(write_only=True)
    ws = workbook.create_sheet(sheet)
    header_cells = [WriteOnlyCell(ws, value=h) for h in headers]
    for cell in header_cells:
        cell.font = Font(bold=True)
    ws.append(header_cells)
    for row in rows:
        ws.append([safe_cell(c) for c in row])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
