"""Rows out of a file: XLSX streamed (`xlsx`), XLS/ODS through python-calamine, CSV
in UTF-8 (with or without BOM), UTF-16 or GB18030 (a superset of GBK, as Chinese
Excel saves CSV).

Rows are yielded one at a time as lists of cell values (calamine gives numbers,
dates and text; CSV gives text). Anything that is not a readable table raises
`UnreadableFile` with a Chinese reason (the CLI's exit 2).
"""

from __future__ import annotations

import codecs
import csv
import io
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from python_calamine import CalamineWorkbook

from gonghui.core.bulk.xlsx import NotXlsx, xlsx_rows

SNIFF_BYTES = 1 << 20
_ZIP = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# A cell longer than Excel's own limit (32,767) is still read: the row reports it.
csv.field_size_limit(1 << 24)


class UnreadableFile(ValueError):
    """The file is not a table this engine can read; a Chinese reason."""


def read_rows(path: str | Path) -> Iterator[list[Any]]:
    """The rows of the file's first sheet (a workbook) or of the CSV text."""
    path = Path(path)
    try:
        with path.open("rb") as f:
            head = f.read(SNIFF_BYTES)
    except OSError as exc:
        raise UnreadableFile(f"无法打开文件：{exc.strerror or exc}") from exc
    if not head:
        raise UnreadableFile("文件是空的")
    if head.startswith(_ZIP) or head.startswith(_OLE):
        return _workbook_rows(path)
    return _csv_rows(path, head)


def is_workbook(path: str | Path) -> bool:
    """An XLSX/ODS (zip) or XLS (OLE) file, as opposed to CSV text."""
    with Path(path).open("rb") as f:
        head = f.read(8)
    return head.startswith(_ZIP) or head.startswith(_OLE)


def _workbook_rows(path: Path) -> Iterator[list[Any]]:
    if zipfile.is_zipfile(path):
        try:
            rows, merged = xlsx_rows(str(path))
        except NotXlsx:
            pass  # an ODS or another zip: calamine knows it, or says it cannot
        except (zipfile.BadZipFile, zlib.error, EOFError, KeyError, ValueError, UnicodeDecodeError) as exc:
            raise UnreadableFile("无法读取该工作簿：文件已损坏，或不是 Excel 文件") from exc
        else:
            return _fill_merged(_guarded(rows), merged, 0)
    try:
        workbook = CalamineWorkbook.from_path(str(path))
        sheet = workbook.get_sheet_by_index(0)
    except Exception as exc:  # calamine raises its own error types per format
        raise UnreadableFile("无法读取该工作簿（文件可能已损坏、加密或不是 Excel 文件）") from exc
    # iter_rows yields from the sheet's first row, so row numbers are the file's own
    # (columns, though, start at the first used one: merged ranges are shifted by it).
    first_column = sheet.start[1] if sheet.start else 0
    return _fill_merged(sheet.iter_rows(), sheet.merged_cell_ranges or [], first_column)


def _fill_merged(
    rows: Iterator[list[Any]], ranges: list[tuple[tuple[int, int], tuple[int, int]]], first_column: int
) -> Iterator[list[Any]]:
    """Every cell a merged range covers gets the range's value, as the eye reads it.

    A roster often merges 所属工会代码 down the rows of one union; Excel stores the
    value in the first cell only, and the rows below would arrive without it.
    """
    starting: dict[int, list[tuple[int, int, int]]] = {}
    for (r0, c0), (r1, c1) in ranges:
        if (r1, c1) != (r0, c0):
            starting.setdefault(r0, []).append((r1, c0 - first_column, c1 - first_column))
    open_ranges: list[tuple[int, int, int, Any]] = []
    for number, cells in enumerate(rows):
        if open_ranges:
            open_ranges = [span for span in open_ranges if span[0] >= number]
        for r1, c0, c1 in starting.get(number, ()):
            open_ranges.append((r1, c0, c1, cells[c0] if 0 <= c0 < len(cells) else ""))
        if open_ranges:
            cells = list(cells)
            for _r1, c0, c1, value in open_ranges:
                if c1 >= len(cells):
                    cells.extend([""] * (c1 + 1 - len(cells)))
                for c in range(max(c0, 0), c1 + 1):
                    if cells[c] == "" or cells[c] is None:
                        cells[c] = value
        yield cells


def _guarded(rows: Iterator[list[Any]]) -> Iterator[list[Any]]:
    """A workbook that breaks off part-way is unreadable from there (the rows before are kept)."""
    number = 0
    try:
        for number, cells in enumerate(rows, start=1):  # noqa: B007 - the count is the point
            yield cells
    except (zipfile.BadZipFile, zlib.error, EOFError, UnicodeDecodeError, ValueError, IndexError) as exc:
        raise UnreadableFile(f"工作簿在第 {number} 行之后已损坏，无法继续读取") from exc


def detect_encoding(head: bytes) -> str:
    """utf-8-sig, utf-16, utf-8 or gb18030, judged from the file's first megabyte."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if b"\x00" in head:
        raise UnreadableFile("这不是表格文件（含有二进制内容）；请上传 Excel（.xlsx）或 CSV 文件")
    try:
        # final=False: a multi-byte character cut at the sample's end is not an error.
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        try:
            codecs.getincrementaldecoder("gb18030")().decode(head, final=False)
        except UnicodeDecodeError as exc:
            raise UnreadableFile("无法识别文件的文字编码（支持 UTF-8 和 GB18030/GBK）") from exc
        return "gb18030"
    return "utf-8"


def _delimiter(sample: str) -> str:
    try:
        return csv.Sniffer().sniff(sample, delimiters=",\t;|").delimiter
    except csv.Error:
        return ","


def _csv_rows(path: Path, head: bytes) -> Iterator[list[Any]]:
    encoding = detect_encoding(head)
    sample = head.decode(encoding, errors="ignore")[:65536]
    delimiter = _delimiter(sample)

    def rows() -> Iterator[list[Any]]:
        with path.open("rb") as raw:
            text = io.TextIOWrapper(raw, encoding=encoding, newline="")
            try:
                yield from csv.reader(text, delimiter=delimiter)
            except UnicodeDecodeError as exc:
                raise UnreadableFile(f"文件中部有无法按 {encoding} 解码的内容") from exc

    return rows()
