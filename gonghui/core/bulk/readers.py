"""Rows out of a file: XLSX streamed (`xlsx`), XLS/ODS through python-calamine once
measured (`extents`), CSV in UTF-8 (with or without BOM), UTF-16 or GB18030 (a
superset of GBK, as Chinese Excel saves CSV).

Rows are yielded one at a time as lists of cell values (calamine gives numbers,
dates and text; CSV gives text). Anything that is not a readable table raises
`UnreadableFile` with a Chinese reason (the CLI's exit 2); a file past one of the
limits in `limits` raises `TooLarge` (an `UnreadableFile`) naming it, before the
reader allocates for it. Every reader keeps only the columns that can lie under the
header: until the first `HEADER_BAND_ROWS` rows are read, all of them up to XFD;
after that, up to the widest of those rows (a cell further right is dropped, and no
row is padded out to it).
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import os
import re
import tempfile
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO

from python_calamine import CalamineWorkbook

from gonghui.core.bulk.extents import check_ods, check_xls, ods_head
from gonghui.core.bulk.limits import (
    HEADER_BAND_ROWS,
    MAX_CELL_CHARS,
    MAX_CELLS,
    MAX_COLUMNS,
    MAX_ROW_BYTES,
    MAX_ROWS,
    MAX_SHEET_XML_BYTES,
    MAX_SNIFF_CHARS,
    PREVIEW_ODS_ROWS,
    PREVIEW_SCAN_BYTES,
    Band,
    TooLarge,
    UnreadableFile,
    check_deadline,
    in_preview,
    mb,
)
from gonghui.core.bulk.xlsx import NotXlsx, xlsx_rows

__all__ = ["TooLarge", "UnreadableFile", "detect_encoding", "is_workbook", "read_rows", "text_lines"]

SNIFF_BYTES = 1 << 20
_ZIP = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# The csv module's own limit stays above a record's (MAX_ROW_BYTES): the reader's checks speak first.
csv.field_size_limit(max(csv.field_size_limit(), 1 << 24))
DAMAGED = "无法读取该工作簿：文件已损坏，或不是 Excel 文件"
CALAMINE_FAILED = "无法读取该工作簿（文件可能已损坏、加密或不是 Excel 文件）"
CELL_TOO_LONG = f"超过 {MAX_CELL_CHARS} 个字符（Excel 的上限）"


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
        return _workbook_rows(path, head)
    return _csv_rows(path, head)


def is_workbook(path: str | Path) -> bool:
    """An XLSX/ODS (zip) or XLS (OLE) file, as opposed to CSV text."""
    with Path(path).open("rb") as f:
        head = f.read(8)
    return head.startswith(_ZIP) or head.startswith(_OLE)


def _workbook_rows(path: Path, head: bytes) -> Iterator[list[Any]]:
    band = Band()
    if head.startswith(_OLE):
        check_xls(path)
        return _calamine_rows(path, ".xls", band)
    if not zipfile.is_zipfile(path):
        raise UnreadableFile(DAMAGED)
    try:
        rows, merged = xlsx_rows(
            path, band, merged_scan_bytes=PREVIEW_SCAN_BYTES if in_preview() else MAX_SHEET_XML_BYTES
        )
    except NotXlsx:
        pass  # an ODS, or a zip that is no workbook: measured below
    except UnreadableFile:
        raise
    except (zipfile.BadZipFile, zlib.error, EOFError, KeyError, ValueError, UnicodeDecodeError) as exc:
        raise UnreadableFile(DAMAGED) from exc
    else:
        return _bounded(_guarded(rows), merged, 0, band)
    if not in_preview():
        check_ods(path)
        return _calamine_rows(path, ".ods", band)
    # The preview shows the first rows: calamine loads those only, from a cut-down copy.
    with tempfile.TemporaryDirectory(prefix="gonghui-") as folder:
        copy = Path(folder) / "preview.ods"
        ods_head(path, copy, PREVIEW_ODS_ROWS)
        check_ods(copy)
        return _calamine_rows(copy, ".ods", band)


def _calamine_rows(path: Path, suffix: str, band: Band) -> Iterator[list[Any]]:
    """The first sheet through python-calamine, once `extents` has measured the file."""
    try:
        with tempfile.TemporaryDirectory(prefix="gonghui-") as folder:
            # calamine picks its reader by the name's suffix (an unknown one makes it try
            # each format in turn): it is shown the format that was measured, no other.
            target = str(path)
            if path.suffix.lower() != suffix:
                target = os.path.join(folder, "workbook" + suffix)
                os.symlink(path.resolve(), target)
            workbook = CalamineWorkbook.from_path(target)
            sheet = workbook.get_sheet_by_index(0)
    except (KeyboardInterrupt, SystemExit, MemoryError):
        raise
    except BaseException as exc:  # calamine raises its own types per format, and a panic as a BaseException
        raise UnreadableFile(CALAMINE_FAILED) from exc
    # iter_rows yields from the sheet's first row, so row numbers are the file's own
    # (columns, though, start at the first used one: merged ranges are shifted by it).
    first_column = sheet.start[1] if sheet.start else 0
    return _bounded(_guarded(sheet.iter_rows()), sheet.merged_cell_ranges or [], first_column, band, text=True)


def _last_value(cells: list[Any]) -> int:
    """The row's width up to its last non-blank cell."""
    n = len(cells)
    while n and (cells[n - 1] is None or cells[n - 1] == ""):
        n -= 1
    return n


def _bounded(
    rows: Iterator[list[Any]],
    ranges: list[tuple[tuple[int, int], tuple[int, int]]],
    first_column: int,
    band: Band,
    *,
    text: bool = False,
) -> Iterator[list[Any]]:
    """The rows within the limits, columns right of the header band dropped, merged cells filled.

    A roster often merges 所属工会代码 down the rows of one union; Excel stores the
    value in the first cell only, and the rows below would arrive without it: every
    cell a merged range covers (within the kept columns) gets the range's value, as
    the eye reads it. `text`: check each text cell's length here (calamine's rows; the
    other readers check as they parse).
    """
    starting: dict[int, list[tuple[int, int, int]]] = {}
    for (r0, c0), (r1, c1) in ranges:
        if (r1, c1) != (r0, c0):
            starting.setdefault(r0, []).append((r1, c0 - first_column, c1 - first_column))
    open_ranges: list[tuple[int, int, int, Any]] = []
    widest = 0
    total = 0
    for number, cells in enumerate(rows):
        if number >= MAX_ROWS:
            raise TooLarge(f"文件超过 {MAX_ROWS} 行（Excel 的上限），请拆分后分批导入")
        if not number & 255:
            check_deadline()
        width = band.width
        if len(cells) > width:
            if len(cells) > MAX_COLUMNS:
                raise TooLarge(f"第 {number + 1} 行超过 {MAX_COLUMNS} 列（Excel 的上限）")
            cells = cells[:width]
        if text:
            _check_text(cells, number + 1)
        if open_ranges:
            open_ranges = [span for span in open_ranges if span[0] >= number]
        if number in starting:
            for r1, c0, c1 in starting[number]:
                value = cells[c0] if 0 <= c0 < len(cells) else ""
                if value != "" and value is not None:
                    open_ranges.append((r1, max(c0, 0), c1, value))
        if open_ranges:
            cells = list(cells)
            for _r1, c0, c1, value in open_ranges:
                c1 = min(c1, width - 1)
                if c1 >= len(cells):
                    cells.extend([""] * (c1 + 1 - len(cells)))
                for c in range(c0, c1 + 1):
                    if cells[c] == "" or cells[c] is None:
                        cells[c] = value
                total += max(c1 - c0, 0) + 1
        if number < HEADER_BAND_ROWS:
            widest = max(widest, _last_value(cells))
            if number == HEADER_BAND_ROWS - 1:
                band.width = max(widest, 1)
        total += len(cells)
        if total > MAX_CELLS:
            raise TooLarge(f"文件超过 {MAX_CELLS} 个单元格的上限，请拆分后分批导入")
        yield cells


def _check_text(cells: list[Any], row: int) -> None:
    size = 0
    for column, value in enumerate(cells):
        if type(value) is str:
            if len(value) > MAX_CELL_CHARS:
                raise TooLarge(f"第 {row} 行第 {column + 1} 列的单元格{CELL_TOO_LONG}")
            size += len(value)
    if size > MAX_ROW_BYTES:
        raise TooLarge(f"第 {row} 行超过 {mb(MAX_ROW_BYTES)} 的上限（每行的大小）")


def _guarded(rows: Iterator[list[Any]]) -> Iterator[list[Any]]:
    """A workbook that breaks off part-way is unreadable from there (the rows before are kept)."""
    number = 0
    try:
        for number, cells in enumerate(rows, start=1):  # noqa: B007 - the count is the point
            yield cells
    except UnreadableFile:
        raise
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


class BoundedLines:
    """A text stream's lines for `csv.reader`, no record longer than `MAX_ROW_BYTES` characters.

    Each line is read with a size limit, so a line (or a quoted field running over
    many lines) of 100 MB costs at most `MAX_ROW_BYTES` before it is refused; call
    `next_record` when a record is complete.
    """

    def __init__(self, text: TextIO) -> None:
        self._text = text
        self._used = 0
        self.record = 1

    def __iter__(self) -> BoundedLines:
        return self

    def __next__(self) -> str:
        line = self._text.readline(MAX_ROW_BYTES - self._used + 1)
        if not line:
            raise StopIteration
        self._used += len(line)
        if self._used > MAX_ROW_BYTES:
            raise TooLarge(
                f"第 {self.record} 行超过 {MAX_ROW_BYTES} 个字符的上限（每行的大小；"
                f"单元格最多 {MAX_CELL_CHARS} 个字符）"
            )
        return line

    def next_record(self, number: int) -> None:
        self._used = 0
        self.record = number


class _CsvLines:
    """A text stream's lines for `csv.reader`, a block at a time, no record past `MAX_ROW_BYTES` characters.

    The lines of each 64 K block are handed over as a list (`itertools.chain` takes
    them one by one at C speed); a line longer than the limit (100 MB of one field)
    is refused once its first `MAX_ROW_BYTES` are read, and so is a record whose
    lines together pass it (a quoted field running over a million short lines).
    The reader sets `record` to the number of the record it parses next: counted in
    blocks, a record is refused past `MAX_ROW_BYTES` + 2 blocks, never before it
    passes `MAX_ROW_BYTES`.
    """

    BLOCK = 1 << 16
    _LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)")
    _OTHER_BREAKS = re.compile("[\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")  # str.splitlines breaks there too

    def __init__(self, text: TextIO) -> None:
        self._text = text
        self.record = 1
        # Set once a line long enough to hold a cell or a column too many has been handed over:
        # until then a record of one line needs no check of its own.
        self.long = False

    def lines(self) -> Iterator[str]:
        return itertools.chain.from_iterable(self._blocks())

    def _blocks(self) -> Iterator[list[str]]:
        tail: list[str] = []  # a line not ended yet, in pieces (not joined again for every block)
        size = 0
        record, served = self.record, 0  # characters handed over while `record` was being read
        while True:
            check_deadline()
            block = self._text.read(self.BLOCK)
            if not block:
                if tail:
                    yield ["".join(tail)]
                return
            if "\n" not in block and "\r" not in block:
                tail.append(block)
                size += len(block)
                if size > MAX_ROW_BYTES:
                    raise self._too_long(self.record)
                continue
            data = "".join(tail) + block if tail else block
            end = len(data) - 1 if data.endswith("\r") else len(data)  # "\r" may be half of "\r\n"
            if self._OTHER_BREAKS.search(data, 0, end) is None:
                lines = data[:end].splitlines(True)  # fast, and right while only \r and \n break lines
                if lines and not lines[-1].endswith(("\n", "\r")):
                    lines.pop()
            else:
                lines = self._LINE.findall(data, 0, end)
            used = sum(map(len, lines))
            rest = data[used:]
            tail, size = ([rest], len(rest)) if rest else ([], 0)
            if not self.long and lines and max(map(len, lines)) > _SHORT_LINE:
                self.long = True
            if self.record != record:
                record, served = self.record, 0
            served += used
            if size > MAX_ROW_BYTES or served > MAX_ROW_BYTES + 2 * self.BLOCK:
                raise self._too_long(record)
            if lines:
                yield lines

    @staticmethod
    def _too_long(record: int) -> TooLarge:
        return TooLarge(
            f"第 {record} 行超过 {MAX_ROW_BYTES} 个字符的上限（每行的大小；单元格最多 {MAX_CELL_CHARS} 个字符）"
        )


_SHORT_LINE = min(MAX_CELL_CHARS, MAX_COLUMNS)


def _check_record(record: list[str], number: int) -> None:
    if len(record) > MAX_COLUMNS:
        raise TooLarge(f"第 {number} 行超过 {MAX_COLUMNS} 列（Excel 的上限）")
    if record and max(map(len, record)) > MAX_CELL_CHARS:
        column = next(i for i, cell in enumerate(record) if len(cell) > MAX_CELL_CHARS)
        raise TooLarge(f"第 {number} 行第 {column + 1} 列的单元格{CELL_TOO_LONG}")


def _csv_rows(path: Path, head: bytes) -> Iterator[list[Any]]:
    encoding = detect_encoding(head)
    sample = head.decode(encoding, errors="ignore")[:MAX_SNIFF_CHARS]
    if "\n" in sample[:-1]:
        sample = sample[: sample.rindex("\n", 0, len(sample) - 1) + 1]  # whole lines only
    delimiter = _delimiter(sample)

    def rows() -> Iterator[list[Any]]:
        """The records within the limits (the checks of `_bounded`, for CSV in one loop: no merged cells)."""
        band = Band()
        widest = total = 0
        with path.open("rb") as raw:
            text = io.TextIOWrapper(raw, encoding=encoding, newline="")
            lines = _CsvLines(text)
            reader = csv.reader(lines.lines(), delimiter=delimiter)
            number = 1
            line = 0
            try:
                for record in reader:
                    # One short line holds neither a cell nor columns too many: other records are looked at
                    # (a record is at most MAX_ROW_BYTES characters, so at most that many fields).
                    if lines.long or reader.line_num - line > 1:
                        _check_record(record, number)
                    line = reader.line_num
                    if number > MAX_ROWS:
                        raise TooLarge(f"文件超过 {MAX_ROWS} 行（Excel 的上限），请拆分后分批导入")
                    if number <= HEADER_BAND_ROWS:
                        widest = max(widest, _last_value(record))
                        if number == HEADER_BAND_ROWS:
                            band.width = max(widest, 1)
                    elif len(record) > band.width:
                        record = record[: band.width]
                    total += len(record)
                    if total > MAX_CELLS:
                        raise TooLarge(f"文件超过 {MAX_CELLS} 个单元格的上限，请拆分后分批导入")
                    number += 1
                    lines.record = number
                    yield record
            except UnicodeDecodeError as exc:
                raise UnreadableFile(f"文件中部有无法按 {encoding} 解码的内容") from exc
            except csv.Error as exc:
                raise UnreadableFile(f"第 {number} 行无法按 CSV 读取（引号不配对或含有空字符）") from exc

    return rows()


def text_lines(path: str | Path, encoding: str) -> Iterator[tuple[int, str]]:
    """A text file's lines (numbered from 1, line ends removed) within the limits, for fixed text formats."""
    with Path(path).open("rb") as raw:
        text = io.TextIOWrapper(raw, encoding=encoding, newline="")
        lines = BoundedLines(text)
        try:
            for number, line in enumerate(lines, start=1):
                if number > MAX_ROWS:
                    raise TooLarge(f"文件超过 {MAX_ROWS} 行的上限，请拆分后分批导入")
                lines.next_record(number + 1)
                yield number, line.rstrip("\r\n")
        except UnicodeDecodeError as exc:
            raise UnreadableFile(f"文件中部有无法按 {encoding} 解码的内容") from exc
