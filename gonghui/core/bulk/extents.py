"""Measuring an XLS or ODS workbook before python-calamine loads it.

calamine reads every sheet of these formats at once, laid out as a full rectangle
from the first used cell to the last (and, for XLS, reserves whatever rectangle the
sheet's DIMENSIONS record claims). An 891-byte ODS whose one cell is repeated
4,000 × 4,000 times, or an XLS with two cells at A1 and IV65536, would be gigabytes
there. So the file is measured first, in bounded memory, the way calamine will
lay it out: the ODS's content.xml is scanned as a stream (every table, rows and
cells with their `table:number-rows-repeated` / `number-columns-repeated`), the
XLS's compound file and BIFF records are walked (every chain checked, since
calamine follows them without bounds). Anything past `limits` is refused with
`TooLarge` before calamine sees the file; damage calamine could not survive
(a sector chain that loops, an index past the file) is `UnreadableFile`.
"""

from __future__ import annotations

import html
import os
import re
import struct
import sys
import zipfile
from array import array
from dataclasses import dataclass
from pathlib import Path

from gonghui.core.bulk.limits import (
    MAX_CELL_CHARS,
    MAX_COLUMNS,
    MAX_ODS_CONTENT_BYTES,
    MAX_PART_BYTES,
    MAX_ROW_BYTES,
    MAX_ROWS,
    MAX_WORKBOOK_CELLS,
    MAX_WORKBOOK_TEXT_BYTES,
    MAX_XLS_BYTES,
    TooLarge,
    UnreadableFile,
    check_deadline,
    mb,
)
from gonghui.core.bulk.zips import Member, find, open_zip

ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"
DAMAGED = "无法读取该工作簿（文件已损坏，或不是 Excel 文件）"
SAVE_AS = "请在 Excel 或 WPS 中另存为 .xlsx 后再导入"


@dataclass
class Extent:
    rows: int  # the first sheet's rows, up to its last used one (the progress bar's end)
    cells: int  # all sheets' cells as calamine lays them out


def _too_many_cells(cells: int) -> TooLarge:
    return TooLarge(
        f"工作簿的单元格区域（{cells} 个）超过 {MAX_WORKBOOK_CELLS} 个单元格的上限"
        f"（.xls/.ods 会被整体读入内存），{SAVE_AS}"
    )


# --- ODS --------------------------------------------------------------------------------------------

# calamine matches these names with their usual prefixes, literally; so does this scan.
_ROW_INSIDE = rb"[^<]*+(?:<(?!/?table:table(?:-row)?[\s/>])[^<]*+)*+"
_ODS_TOKEN = re.compile(
    rb"<table:table(?=[\s/>])[^>]*?(/?)>|(</table:table>)"
    rb"|<table:table-row\b([^>]*?)(?:/>|>(" + _ROW_INSIDE + rb")</table:table-row>)"
)
_ODS_CELL_WHOLE = re.compile(
    rb"<table:(?:covered-)?table-cell\b([^>]*?)(?:/>|>((?:[^<]++|<(?!/?table:(?:covered-)?table-cell[\s/>])[^>]*+>)*+)"
    rb"</table:(?:covered-)?table-cell>)"
)
_ROWS_REPEATED = re.compile(rb'table:number-rows-repeated="([^"]*)"')
_COLUMNS_REPEATED = re.compile(rb'table:number-columns-repeated="([^"]*)"')
_SPACES = re.compile(rb'<text:s\b[^>]*?text:c="([^"]*)"')
_TAG = re.compile(rb"<[^>]*>")
_TOKEN_STARTS = (b"<table:table-row", b"<table:table ", b"<table:table>", b"<table:table/", b"</table:table>")


def _count(raw: bytes) -> int:
    if not raw.isdigit() or len(raw) > 12:
        raise UnreadableFile(DAMAGED)
    return int(raw)


def _cell_start(body: bytes, before: int) -> int:
    """Where the cell whose tag or content holds offset `before` starts (0: before every cell)."""
    found = max(body.rfind(b"<table:table-cell", 0, before), body.rfind(b"<table:covered-table-cell", 0, before))
    return max(found, 0)


def _row_extent(body: bytes, row: int) -> tuple[int, int]:
    """(the column of the row's last cell with a value, -1 if none; the most times such a cell repeats).

    A cell with a value is one whose tag has an office: attribute or a formula (calamine's
    "not empty", give or take: text that happens to read "office:" counts too, which only
    overstates). Counted with C-speed searches: a cell's column is the number of cells
    before it, plus what the repeated ones among them add.
    """
    last_value = max(body.rfind(b"office:"), body.rfind(b"table:formula"))
    if last_value < 0:
        return -1, 1
    repeats: list[tuple[int, int]] = []
    if b"columns-repeated" in body:
        repeats = [(m.start(), _count(m.group(1))) for m in _COLUMNS_REPEATED.finditer(body)]

    def column(start: int) -> int:
        n = body.count(b"<table:table-cell", 0, start) + body.count(b"<table:covered-table-cell", 0, start)
        return n + sum(times - 1 for at, times in repeats if at < start)

    last = column(_cell_start(body, last_value))
    widest = 1
    for at, times in repeats:
        start = _cell_start(body, at)
        tag = body[start : body.find(b">", at) + 1]
        if times > 1 and (b"office:" in tag or b"table:formula" in tag):
            widest = max(widest, times)
            last = max(last, column(start) + times - 1)
    if last >= MAX_COLUMNS:
        raise TooLarge(f"第 {row + 1} 行有单元格超出第 {MAX_COLUMNS} 列（Excel 的上限）")
    return last, widest


class _OdsTables:
    """Running totals of calamine's layout of every table seen so far."""

    def __init__(self) -> None:
        self.cells = 0  # finished tables' rectangles
        self.text = 0
        self.first_rows: int | None = None
        self._table()

    def _table(self) -> None:
        self.row = 0  # rows so far, repeats expanded
        self.top: int | None = None
        self.bottom = 0
        self.right = -1

    def open(self) -> None:
        self._table()

    def close(self) -> None:
        if self.top is not None:
            self.cells += (self.bottom - self.top) * (self.right + 1)
        if self.first_rows is None:
            self.first_rows = self.bottom
        self._table()

    def area(self) -> int:
        current = (self.bottom - self.top) * (self.right + 1) if self.top is not None else 0
        return self.cells + current

    def add_row(self, attrs: bytes, body: bytes | None) -> None:
        repeated = _ROWS_REPEATED.search(attrs)
        rows = _count(repeated.group(1)) if repeated else 1
        last, widest = _row_extent(body, self.row) if body else (-1, 1)
        if last >= 0:
            assert body is not None
            if self.top is None:
                self.top = self.row
            self.bottom = self.row + rows
            self.right = max(self.right, last)
            if self.bottom > MAX_ROWS:
                raise TooLarge(f"工作表超过 {MAX_ROWS} 行（Excel 的上限）")
            if self.area() > MAX_WORKBOOK_CELLS:
                raise _too_many_cells(self.area())
            if len(body) > MAX_CELL_CHARS or b"text:c=" in body:
                self._check_cells(body)
            spaces = sum(_count(c) for c in _SPACES.findall(body)) if b"text:c=" in body else 0
            # Each copy of a repeated cell or row holds its own text in calamine (the row's XML bounds it).
            self.text += (len(body) + spaces) * widest * rows
            if self.text > MAX_WORKBOOK_TEXT_BYTES:
                limit = mb(MAX_WORKBOOK_TEXT_BYTES)
                raise TooLarge(f"工作簿的文字（重复的单元格逐个计算）超过 {limit} 的上限，{SAVE_AS}")
        self.row += rows

    def _check_cells(self, body: bytes) -> None:
        for attrs, inner in _ODS_CELL_WHOLE.findall(body):
            size = len(attrs) + len(inner)
            if b"text:c=" in inner:
                size += sum(_count(c) for c in _SPACES.findall(inner))
            if size > MAX_CELL_CHARS:
                text = html.unescape(_TAG.sub(b"", inner).decode("utf-8", "replace"))
                spaces = sum(_count(c) for c in _SPACES.findall(inner)) if b"text:c=" in inner else 0
                if len(text) + spaces > MAX_CELL_CHARS or len(attrs) > MAX_CELL_CHARS:
                    raise TooLarge(f"第 {self.row + 1} 行有单元格超过 {MAX_CELL_CHARS} 个字符（Excel 的上限）")


def check_ods(path: str | Path) -> Extent:
    """Measure an ODS as calamine will lay it out; refuse it past the limits."""
    with open_zip(path) as archive:
        members = archive.infolist()
        content = find(archive, "content.xml")
        mimetype = find(archive, "mimetype")
        manifest = find(archive, "META-INF/manifest.xml")
    if content is None or mimetype is None:
        raise UnreadableFile(DAMAGED)
    for info in members:  # whatever calamine may open: none claims more than the largest limit
        if info.file_size > MAX_ODS_CONTENT_BYTES:
            raise TooLarge(f"{info.filename} 解压后超过 {mb(MAX_ODS_CONTENT_BYTES)} 的上限")
    with Member(path, mimetype, limit=1024, label="mimetype") as stream:
        if not stream.read_all().startswith(ODS_MIMETYPE):
            raise UnreadableFile(DAMAGED)
    if manifest is not None:
        with Member(path, manifest, limit=MAX_PART_BYTES, label="META-INF/manifest.xml") as stream:
            while stream.read():
                pass
    tables = _OdsTables()
    with Member(path, content, limit=MAX_ODS_CONTENT_BYTES, label="content.xml") as stream:
        pending = b""
        while True:
            chunk = stream.read()
            data = pending + chunk
            last = 0
            for token in _ODS_TOKEN.finditer(data):
                table_start, table_end, row_attrs, row_body = token.groups()
                if row_attrs is not None:
                    tables.add_row(row_attrs, row_body)
                elif table_end is not None:
                    tables.close()
                elif table_start != b"/":
                    tables.open()
                last = token.end()
            if not chunk:
                break
            pending = _ods_pending(data[last:])
            if len(pending) > MAX_ROW_BYTES:
                raise TooLarge(f"第 {tables.row + 1} 行超过 {mb(MAX_ROW_BYTES)} 的上限（每行的大小）")
    tables.close()
    return Extent(rows=tables.first_rows or 0, cells=tables.cells)


_ODS_CLOSE = b"</office:spreadsheet></office:body></office:document-content>"
# The elements rows may sit in, within a table (a cut after a row closes those still open).
_ODS_HEAD_TOKEN = re.compile(
    _ODS_TOKEN.pattern + rb"|<(table:table-(?:header-rows|rows|row-group))\b[^>]*?(/?)>"
    rb"|</table:table-(?:header-rows|rows|row-group)>"
)
_ODS_MANIFEST = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
    b'<manifest:file-entry manifest:full-path="/" '
    b'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
    b'<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>'
)


def ods_head(path: str | Path, target: str | Path, rows: int) -> None:
    """Write to `target` an ODS of the first `rows` rows of `path`'s first table (what a preview shows).

    content.xml is copied as it streams (within the same limits) and cut after that many
    rows, or at the end of the first table, with the end tags of the elements still open.
    """
    with open_zip(path) as archive:
        content = find(archive, "content.xml")
    if content is None:
        raise UnreadableFile(DAMAGED)
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        out.writestr(zipfile.ZipInfo("mimetype"), ODS_MIMETYPE, compress_type=zipfile.ZIP_STORED)
        out.writestr("META-INF/manifest.xml", _ODS_MANIFEST)
        with (
            out.open("content.xml", "w") as copy,
            Member(path, content, limit=MAX_ODS_CONTENT_BYTES, label="content.xml") as stream,
        ):
            pending = b""
            in_table = False
            seen = 0
            groups: list[bytes] = []  # row groups open in the first table
            while chunk := stream.read():
                data = pending + chunk
                last = 0
                for token in _ODS_HEAD_TOKEN.finditer(data):
                    table_start, table_end, row_attrs, _body, group, group_closed = token.groups()
                    last = token.end()
                    if not in_table:
                        in_table = table_start is not None and table_start != b"/"
                    elif row_attrs is not None:
                        seen += 1
                        if seen >= rows:
                            closing = b"".join(b"</" + name + b">" for name in reversed(groups))
                            copy.write(data[:last] + closing + b"</table:table>" + _ODS_CLOSE)
                            return
                    elif group is not None:
                        if group_closed != b"/":
                            groups.append(group)
                    elif table_end is not None:
                        copy.write(data[:last] + _ODS_CLOSE)
                        return
                    elif token.group(0).startswith(b"</") and groups:
                        groups.pop()
                pending = _ods_pending(data[last:])
                if len(pending) > MAX_ROW_BYTES:
                    raise TooLarge(f"第 {seen + 1} 行超过 {mb(MAX_ROW_BYTES)} 的上限（每行的大小）")
                copy.write(data[: len(data) - len(pending)])
            copy.write(pending)


def _ods_pending(rest: bytes) -> bytes:
    """What to keep of the bytes after the last complete token: an element not complete yet."""
    start = max(rest.rfind(token) for token in _TOKEN_STARTS)
    if start >= 0:
        return rest[start:]
    lt = rest.rfind(b"<")
    return rest[lt:] if lt >= 0 and len(rest) - lt < 64 else b""


# --- XLS ----------------------------------------------------------------------------------------------

_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENDOFCHAIN = 0xFFFFFFFE
_RESERVED = 0xFFFFFFFA
_DIFSECT = 0xFFFFFFFC
_CELL_RECORDS = {0x0203, 0x0204, 0x0205, 0x027E, 0x00FD, 0x0006}  # NUMBER LABEL BOOLERR RK LABELSST FORMULA
_MULRK = 0x00BD
_STRING = 0x0207
_DIMENSIONS = 0x0200
_BOUNDSHEET = 0x0085
_SST = 0x00FC
_EOF = 0x000A
_RECORD = struct.Struct("<HH")
_RECORD_CELL = struct.Struct("<HHHH")


def _u32s(data: bytes) -> array[int]:
    values = array("I")
    values.frombytes(data[: len(data) // 4 * 4])
    if sys.byteorder == "big":
        values.byteswap()
    return values


class _Cfb:
    """The compound file's sectors, FAT and directory, checked as calamine will use them."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        if len(data) < 512 or not data.startswith(_OLE):
            raise UnreadableFile(DAMAGED)
        shift, mini_shift = struct.unpack_from("<HH", data, 30)
        if shift not in (9, 12) or mini_shift != 6:
            raise UnreadableFile(DAMAGED)
        self.size = size = 1 << shift
        self.version = struct.unpack_from("<H", data, 26)[0]
        dir_len, fat_len, dir_start = struct.unpack_from("<LLL", data, 40)
        mini_fat_start, mini_fat_len, difat_start, difat_len = struct.unpack_from("<LLLL", data, 60)
        self.sectors = max(0, -(-(len(data) - size) // size))
        quirk = struct.unpack_from("<L", data, 62)[0]  # calamine reserves this many DIFAT entries
        if max(dir_len, fat_len, mini_fat_len, difat_len) > self.sectors or quirk > 1 << 24:
            raise UnreadableFile(DAMAGED)
        difat = list(_u32s(data[76:512]))
        sector, seen = difat_start, 0
        while sector < _RESERVED:  # the DIFAT chain: each sector's last entry is the next one
            entries = list(_u32s(self._sector(sector)))
            if not entries or seen > self.sectors:
                raise UnreadableFile(DAMAGED)
            seen += 1
            difat.extend(entries[:-1])
            sector = entries[-1]
        fats = array("I")
        for sector in difat:
            if sector < _DIFSECT:
                fats.extend(_u32s(self._sector(sector)))
        self.fats = fats
        directory = self._chain(dir_start, fats, self.sectors, dir_len * size)
        self.entries = []
        for at in range(0, len(directory) - 127, 128):
            name = directory[at : at + 64].decode("utf-16-le", "ignore").split("\x00", 1)[0]
            start = struct.unpack_from("<L", directory, at + 116)[0]
            length = struct.unpack_from("<L" if size == 512 else "<Q", directory, at + 120)[0]
            self.entries.append((name, start, length))
        if not self.entries or (self.version != 3 and self.entries[0][1] == _ENDOFCHAIN):
            raise UnreadableFile(DAMAGED)
        self.mini_fats = array("I")
        self.mini_stream = b""
        if mini_fat_len > 0:
            root = self.entries[0]
            if root[2] > len(data):
                raise UnreadableFile(DAMAGED)
            self.mini_stream = self._chain(root[1], fats, self.sectors, root[2])
            self.mini_fats = _u32s(self._chain(mini_fat_start, fats, self.sectors, mini_fat_len * size))

    def _sector(self, sector: int) -> bytes:
        if sector >= self.sectors:
            raise UnreadableFile(DAMAGED)  # calamine would grow its buffer to reach it
        at = (sector + 1) * self.size
        return self.data[at : at + self.size]

    def _chain(self, sector: int, fats: array[int], limit: int, length: int, *, mini: bool = False) -> bytes:
        """The sectors from `sector` to ENDOFCHAIN; every one inside the file, no loop (calamine's get_chain)."""
        parts = []
        seen = 0
        while sector != _ENDOFCHAIN:
            if sector >= limit or sector >= len(fats) or seen >= limit:
                raise UnreadableFile(DAMAGED)
            if mini:
                parts.append(self.mini_stream[sector * 64 : sector * 64 + 64])
            else:
                parts.append(self._sector(sector))
            seen += 1
            sector = fats[sector]
        data = b"".join(parts)
        return data[:length] if length > 0 else data

    def has(self, name: str) -> bool:
        return any(entry[0] == name for entry in self.entries)

    def stream(self, name: str) -> bytes | None:
        entry = next((e for e in self.entries if e[0] == name), None)
        if entry is None:
            return None
        _, start, length = entry
        if length > len(self.data):
            raise UnreadableFile(DAMAGED)
        if length < 4096:
            return self._chain(start, self.mini_fats, -(-len(self.mini_stream) // 64), length, mini=True)
        return self._chain(start, self.fats, self.sectors, length)


def check_xls(path: str | Path) -> Extent:
    """Measure an XLS (every sheet) as calamine will lay it out; refuse it past the limits."""
    if os.path.getsize(path) > MAX_XLS_BYTES:
        raise TooLarge(f".xls 文件超过 {mb(MAX_XLS_BYTES)} 的上限，{SAVE_AS}")
    cfb = _Cfb(Path(path).read_bytes())
    if cfb.has("_VBA_PROJECT_CUR"):
        raise UnreadableFile(f"含有宏（VBA）的 .xls 文件不予读取，{SAVE_AS}")
    stream = cfb.stream("Workbook")
    if stream is None:
        stream = cfb.stream("Book")
    if stream is None:
        raise UnreadableFile(DAMAGED)
    return _biff_extent(stream)


def _biff_extent(stream: bytes) -> Extent:
    sheets: list[int] = []
    end = len(stream)
    at = 0
    while at + 4 <= end:  # the workbook globals, up to their EOF
        kind, length = _RECORD.unpack_from(stream, at)
        body = at + 4
        at = body + length
        if kind == _BOUNDSHEET and length >= 4:
            sheets.append(struct.unpack_from("<L", stream, body)[0])
        elif kind == _SST and length >= 8:
            unique = struct.unpack_from("<l", stream, body + 4)[0]
            if unique < 0 or unique > (end - body) // 3:  # calamine reserves this many strings
                raise UnreadableFile(DAMAGED)
        elif kind == _EOF:
            break
    total = 0
    first_rows = 0
    for number, start in enumerate(sheets):
        if start >= end:
            raise UnreadableFile(DAMAGED)
        rows, cells = _sheet_extent(stream, start)
        total += cells
        if total > MAX_WORKBOOK_CELLS:
            raise _too_many_cells(total)
        if number == 0:
            first_rows = rows
    return Extent(rows=first_rows, cells=total)


def _sheet_extent(stream: bytes, at: int) -> tuple[int, int]:
    """(rows up to the last used one, the cells calamine reserves or lays out) for the sheet at `at`."""
    end = len(stream)
    limit = end - 8  # records with their first four bytes (a cell's row and column) inside the stream
    top = left = 1 << 32
    bottom = right = -1
    formula = (0, 0)
    reserved = 0
    check_at = at
    unpack = _RECORD_CELL.unpack_from
    cells = _CELL_RECORDS
    while at <= limit:
        kind, length, row, column = unpack(stream, at)
        body = at + 4
        at = body + length
        if kind in cells:  # the common case first, in few steps: this runs for every cell
            if kind == 0x0006:
                formula = (row, column)
            last = column
        elif kind == _EOF:
            break
        elif kind == _MULRK and length >= 6 and at <= end:
            last = struct.unpack_from("<H", stream, at - 2)[0]
            if last < column:
                raise UnreadableFile(DAMAGED)
        elif kind == _STRING:
            row, column = formula
            last = column
        elif kind == _DIMENSIONS:
            reserved = max(reserved, _dimensions(stream, body, length))
            continue
        else:
            continue
        if row > bottom:
            bottom = row
        if row < top:
            top = row
        if last > right:
            right = last
        if column < left:
            left = column
        if at > check_at:
            check_deadline()
            check_at = at + (1 << 20)
    if bottom < 0:
        return 0, reserved
    if right >= MAX_COLUMNS:
        raise TooLarge(f"工作表有单元格超出第 {MAX_COLUMNS} 列（Excel 的上限）")
    cells_laid_out = (bottom - top + 1) * (right - left + 1)
    if cells_laid_out > MAX_WORKBOOK_CELLS:
        raise _too_many_cells(cells_laid_out)
    return bottom + 1, max(cells_laid_out, reserved)


def _dimensions(stream: bytes, body: int, length: int) -> int:
    """The cells calamine reserves for a DIMENSIONS record (refused past the limit, or if its arithmetic would wrap)."""
    if length == 10:
        r0, r1, c0, c1 = struct.unpack_from("<HHHH", stream, body)
    elif length == 14 and body + 14 <= len(stream):
        r0, r1, c0, c1 = struct.unpack_from("<LLHH", stream, body)
    else:
        return 0
    if r1 < 1 or c1 < 1:
        return 1
    if r1 - 1 < r0 or c1 - 1 < c0:
        raise UnreadableFile(DAMAGED)
    reserved = (r1 - r0) * (c1 - c0)
    if reserved > MAX_WORKBOOK_CELLS:
        raise _too_many_cells(reserved)
    return reserved
