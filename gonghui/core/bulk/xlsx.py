"""Streaming rows out of an XLSX file, in bounded memory and within `limits`.

python-calamine reads a whole sheet into memory before the first row comes
out: a million-row roster took 1.26 GB that way. An XLSX sheet is one zipped
XML stream, and the shapes Excel, WPS and openpyxl write are regular, so the
rows are cut out of the inflating stream with compiled expressions, one row at
a time. The merged ranges, which Excel stores after the rows, are found by a
first pass over the stream; shared strings (the text cells) are read as far as
the cells need them, and kept as UTF-8 in one buffer.

Nothing is read whole: every member is inflated in chunks through `zips.Member`
(its size and compression ratio counted as it inflates), a row or a shared
string longer than `MAX_ROW_BYTES` stops the reading instead of being gathered,
a cell is at most `MAX_CELL_CHARS`, a column past XFD or a row past 1,048,576 is
refused, and cells right of `band.width` are dropped without padding the row to
them. The expressions never search past the end tag of the element they are in
(a missing end tag costs one scan to the next row or cell, never a quadratic
search). Of styles.xml only the number formats that make a number a date are
kept, read as a stream.

Values come out as calamine gives them: text, float for numbers, bool, and a
date or datetime for a number formatted as a date; empty cells are "".
"""

from __future__ import annotations

import html
import posixpath
import re
from array import array
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from gonghui.core.bulk.limits import (
    MAX_CELL_CHARS,
    MAX_CELL_FORMATS,
    MAX_COLUMNS,
    MAX_MERGED_RANGES,
    MAX_PART_BYTES,
    MAX_ROW_BYTES,
    MAX_ROWS,
    MAX_SHARED_STRINGS,
    MAX_SHARED_STRINGS_BYTES,
    MAX_SHARED_STRINGS_XML_BYTES,
    MAX_SHEET_XML_BYTES,
    Band,
    TooLarge,
    UnreadableFile,
    mb,
)
from gonghui.core.bulk.zips import Member, find, open_zip, read_member

CHUNK = 1 << 20
EXCEL_EPOCH = datetime(1899, 12, 30)  # noqa: DTZ001 - a cell's wall-clock time, as calamine gives it

_P = r"(?:\w+:)?"  # some writers prefix every element (<x:row>)


def _inside(*stop: str) -> str:
    """An element's content up to its end tag, never past a tag named in `stop` (possessive: no backtracking)."""
    names = "|".join(stop)
    return rf"[^<]*+(?:<(?!/?{_P}(?:{names})[\s/>])[^<]*+)*+"


_ROW_END_BYTES = re.compile(rb"</(?:\w+:)?row>|<(?:\w+:)?row\b[^>]*/>")
_SHEET_DATA = re.compile(rb"<(\w+:)?sheetData\b[^>]*?(/?)>")
_SHEET_DATA_END = re.compile(rb"</(?:\w+:)?sheetData>")


class _Sheet:
    """The expressions for a worksheet's rows and cells, for the namespace prefix its <sheetData> uses."""

    def __init__(self, prefix: str) -> None:
        p = re.escape(prefix)

        def inside(*stop: str) -> str:  # content up to the end tag, never past a `stop` tag, no backtracking
            names = "|".join(stop)
            return rf"[^<]*+(?:<(?!/?{p}(?:{names})[\s/>])[^<]*+)*+"

        self.row = re.compile(rf"<{p}row\b([^>]*?)(/>|>({inside('row')})</{p}row>)")
        # One cell: its column letters (when it has a reference), other attributes, <v> and <is>.
        self.cell = re.compile(
            rf'<{p}c\b(?:\s+r="([A-Z]+)\d*")?([^>]*?)(?:/>|>(?:<{p}f\b[^>]*?(?:/>|>[^<]*+</{p}f>))?'
            rf"(?:<{p}v>([^<]*+)</{p}v>)?(?:<{p}is>({inside('c', 'is')})</{p}is>)?{inside('c')}</{p}c>)"
        )
        self.cell_start = re.compile(rf"<{p}c[\s/>]")


_SHEETS: dict[str, _Sheet] = {}


def _sheet_patterns(prefix: str) -> _Sheet:
    found = _SHEETS.get(prefix)
    if found is None:
        found = _SHEETS[prefix] = _Sheet(prefix)
    return found


_ROW_NUMBER = re.compile(r'\br="(\d+)"')
_TYPE = re.compile(r'\bt="(\w+)"')
_STYLE = re.compile(r'\bs="(\d+)"')
_TEXT = re.compile(rf"<{_P}t\b[^>]*>([^<]*+)</{_P}t>")
_SI = re.compile(rf"<{_P}si>({_inside('si')})</{_P}si>|<{_P}si/>")
_SI_END_BYTES = re.compile(rb"</(?:\w+:)?si>|<(?:\w+:)?si/>")
_SI_START_BYTES = re.compile(rb"<(?:\w+:)?si[\s/>]")
_PHONETIC = re.compile(rf"<{_P}rPh\b{_inside('rPh')}</{_P}rPh>")
_MERGE = re.compile(rf'<{_P}mergeCell\b[^>]*\bref="([A-Z]{{1,3}})(\d{{1,7}}):([A-Z]{{1,3}})(\d{{1,7}})"')
_STYLE_TAG = re.compile(r"<(/?)(?:\w+:)?(numFmt|cellXfs|xf)\b([^>]*)>")
_ESCAPED = re.compile(r"_x([0-9A-Fa-f]{4})_")
# Built-in number formats that are dates or times (ECMA-376 §18.8.30).
_DATE_FORMAT_IDS = {*range(14, 23), 45, 46, 47, 27, 28, 29, 30, 31, 36, 50, 51, 52, 53, 54, 55, 56, 57, 58}
# A row body longer than this has its cells counted before they are parsed.
_COUNT_CELLS_ABOVE = 256 * 1024

SHEET = "工作表"
STRINGS = "共享字符串表（xl/sharedStrings.xml）"
CELL_TOO_LONG = f"超过 {MAX_CELL_CHARS} 个字符（Excel 的上限）"


class NotXlsx(ValueError):
    """A zip that is not an XLSX workbook (an ODS, say): read it another way."""


Ranges = list[tuple[tuple[int, int], tuple[int, int]]]


def xlsx_rows(
    path: str | Path, band: Band | None = None, *, merged_scan_bytes: int = MAX_SHEET_XML_BYTES
) -> tuple[Iterator[list[Any]], Ranges]:
    """The first sheet's rows (row numbers are the list's indexes + 1) and its merged ranges (0-based).

    Cells right of `band.width` (read before each row) are dropped; merged ranges are looked
    for in the first `merged_scan_bytes` of the sheet only (the preview's shortcut).
    """
    path = str(path)
    band = band if band is not None else Band()
    with open_zip(path) as archive:
        sheet = find(archive, _first_sheet(path, archive))
        if sheet is None:
            raise NotXlsx("the first sheet has no part")
        strings = SharedStrings(path, find(archive, "xl/sharedStrings.xml"))
        styles = find(archive, "xl/styles.xml")
    try:
        dates = _date_styles(path, styles) if styles is not None else set()
        merged = _merged_ranges(path, sheet, merged_scan_bytes)
    except BaseException:
        strings.close()
        raise
    return _rows(path, sheet, strings, dates, band), merged


def _read(path: str, archive: Any, name: str) -> str | None:
    info = find(archive, name)
    if info is None:
        return None
    return read_member(path, info, limit=MAX_PART_BYTES, label=name).decode("utf-8")


def _first_sheet(path: str, archive: Any) -> str:
    workbook = _read(path, archive, "xl/workbook.xml")
    rels = _read(path, archive, "xl/_rels/workbook.xml.rels")
    if workbook is None or rels is None:
        raise NotXlsx("no xl/workbook.xml")
    first = re.search(rf'<{_P}sheet\b[^>]*?\br:id="([^"]+)"', workbook) or re.search(
        rf'<{_P}sheet\b[^>]*?\b\w+:id="([^"]+)"', workbook
    )
    if first is None:
        raise NotXlsx("no sheet")
    for rel in re.finditer(r"<(?:\w+:)?Relationship\b([^>]*)>", rels):
        attrs = rel.group(1)
        rel_id = re.search(r'\bId="([^"]+)"', attrs)
        target = re.search(r'\bTarget="([^"]+)"', attrs)
        if rel_id and target and rel_id.group(1) == first.group(1):
            part = target.group(1)
            return part.lstrip("/") if part.startswith("/") else posixpath.normpath(posixpath.join("xl", part))
    raise NotXlsx("the first sheet has no part")


def _text(fragment: str) -> str:
    if "&" in fragment:
        fragment = html.unescape(fragment)
    if "_x" in fragment:
        fragment = _ESCAPED.sub(lambda m: chr(int(m.group(1), 16)), fragment)
    return fragment


def _last_end(data: bytes, pattern: re.Pattern[bytes]) -> int:
    """Where the last match of `pattern` in `data` ends (0: none)."""
    cut = 0
    for end in pattern.finditer(data, max(0, len(data) - CHUNK // 4)):
        cut = end.end()
    if cut == 0:
        for end in pattern.finditer(data):
            cut = end.end()
    return cut


class SharedStrings:
    """xl/sharedStrings.xml, read only as far as the cells ask, kept as UTF-8 in one buffer.

    A string longer than a cell may be, or one whose XML runs past `MAX_ROW_BYTES`
    (an unterminated <si>), stops the reading at once; so does a table past
    `MAX_SHARED_STRINGS_BYTES` or `MAX_SHARED_STRINGS` entries.
    """

    def __init__(self, path: str, info: Any) -> None:
        self._info = info
        self._path = path
        self._member: Member | None = None
        self._buffer = bytearray()
        self._ends = array("I")  # where each string ends in the buffer (which stays under 4 GB)
        self._pending = b""
        self._done = info is None

    def __len__(self) -> int:
        return len(self._ends)

    def get(self, index: int) -> str:
        ends = self._ends
        if index >= len(ends):
            self._load(index)
        if index < 0:
            raise UnreadableFile("工作簿已损坏：单元格引用的共享字符串序号无效")
        return self._buffer[ends[index - 1] if index else 0 : ends[index]].decode("utf-8")

    def close(self) -> None:
        if self._member is not None:
            self._member.close()
            self._member = None
        self._done = True

    def _load(self, index: int) -> None:
        while len(self._ends) <= index and not self._done:
            if self._member is None:
                self._member = Member(self._path, self._info, limit=MAX_SHARED_STRINGS_XML_BYTES, label=STRINGS)
            chunk = self._member.read(CHUNK)
            data = self._pending + chunk
            cut = _last_end(data, _SI_END_BYTES) if chunk else len(data)
            for block in _SI.finditer(data[:cut].decode("utf-8")):
                self._add(block.group(1) or "")
            self._pending = data[cut:]
            if chunk and len(self._pending) > MAX_ROW_BYTES:
                raise TooLarge(f"{STRINGS}第 {len(self._ends) + 1} 项超过 {mb(MAX_ROW_BYTES)} 的上限（或没有结束标记）")
            if not chunk:
                if _SI_START_BYTES.search(self._pending):
                    raise UnreadableFile(f"工作簿已损坏：{STRINGS}第 {len(self._ends) + 1} 项没有结束标记")
                self.close()
        if index >= len(self._ends):
            raise UnreadableFile(f"工作簿已损坏：单元格引用的共享字符串（第 {index + 1} 项）不存在")

    def _add(self, body: str) -> None:
        if "rPh" in body:
            body = _PHONETIC.sub("", body)  # furigana-style runs are not part of the text
        text = "".join(_text(t) for t in _TEXT.findall(body))
        if len(text) > MAX_CELL_CHARS:
            raise TooLarge(f"{STRINGS}第 {len(self._ends) + 1} 项{CELL_TOO_LONG}")
        self._buffer += text.encode("utf-8")
        if len(self._buffer) > MAX_SHARED_STRINGS_BYTES:
            raise TooLarge(f"{STRINGS}的文字超过 {mb(MAX_SHARED_STRINGS_BYTES)} 的上限")
        if len(self._ends) >= MAX_SHARED_STRINGS:
            raise TooLarge(f"{STRINGS}超过 {MAX_SHARED_STRINGS} 项的上限")
        self._ends.append(len(self._buffer))


def _date_styles(path: str, info: Any) -> set[int]:
    """The cell formats (indexes into cellXfs) that show a number as a date or time, read as a stream."""
    custom: dict[int, str] = {}
    found: set[int] = set()
    in_xfs = False
    index = 0
    with Member(path, info, limit=MAX_PART_BYTES, label="样式表（xl/styles.xml）") as stream:
        pending = b""
        while True:
            chunk = stream.read(CHUNK)
            data = pending + chunk
            cut = data.rfind(b">") + 1 if chunk else len(data)
            for close, name, attrs in _STYLE_TAG.findall(data[:cut].decode("utf-8", "replace")):
                if name == "numFmt":
                    fmt_id = re.search(r'\bnumFmtId="(\d{1,9})"', attrs)
                    code = re.search(r'\bformatCode="([^"]*)"', attrs)
                    if fmt_id and code and len(custom) < MAX_CELL_FORMATS:
                        custom[int(fmt_id.group(1))] = html.unescape(code.group(1))
                elif name == "cellXfs":
                    in_xfs = not close and not attrs.endswith("/")
                elif in_xfs and not close and index < MAX_CELL_FORMATS:
                    fmt = re.search(r'\bnumFmtId="(\d{1,9})"', attrs)
                    number = int(fmt.group(1)) if fmt else 0
                    if number in _DATE_FORMAT_IDS or (number in custom and _is_date_format(custom[number])):
                        found.add(index)
                    index += 1
            pending = data[cut:]
            if len(pending) > MAX_ROW_BYTES:
                raise TooLarge(f"样式表（xl/styles.xml）中有一项超过 {mb(MAX_ROW_BYTES)} 的上限")
            if not chunk:
                return found


def _is_date_format(code: str) -> bool:
    # Quoted text, escapes and [colour]/[$-804] sections are not date parts.
    bare = re.sub(r'"[^"]*"|\\.|\[[^\]]*\]', "", code).lower()
    return bool(re.search(r"[ymdhs]", bare)) and "0" not in bare.split(";")[0].replace("00", "")


def _merged_ranges(path: str, sheet: Any, scan_bytes: int) -> Ranges:
    """Every merged range of the sheet (a pass over its stream); those past Excel's grid are ignored."""
    found: set[tuple[tuple[int, int], tuple[int, int]]] = set()
    with Member(path, sheet, limit=MAX_SHEET_XML_BYTES, label=SHEET) as stream:
        tail = b""
        while chunk := stream.read(CHUNK):
            data = tail + chunk
            if b"mergeCell" in data:
                for m in _MERGE.finditer(data.decode("utf-8", "ignore")):
                    c0, r0, c1, r1 = _column(m.group(1)), int(m.group(2)), _column(m.group(3)), int(m.group(4))
                    if min(r0, r1) >= 1 and max(r0, r1) <= MAX_ROWS and max(c0, c1) < MAX_COLUMNS:
                        found.add(((min(r0, r1) - 1, min(c0, c1)), (max(r0, r1) - 1, max(c0, c1))))
                if len(found) > MAX_MERGED_RANGES:
                    raise TooLarge(f"工作表的合并单元格超过 {MAX_MERGED_RANGES} 处的上限")
            tail = data[-256:]  # a tag cut in two by the chunk's end is read whole with the next
            if stream.size >= scan_bytes:
                break  # the preview's shortcut: a big sheet's merged cells are left unfilled there
    return sorted(found)


_COLUMNS: dict[str, int] = {}


def _column(letters: str) -> int:
    index = _COLUMNS.get(letters)
    if index is None:
        if len(letters) > 3:
            return MAX_COLUMNS + 1  # past XFD, whatever its length (no arithmetic on a long reference)
        index = 0
        for ch in letters:
            index = index * 26 + ord(ch) - 64
        index -= 1
        _COLUMNS[letters] = index
    return index


def _rows(path: str, part: Any, strings: SharedStrings, dates: set[int], band: Band) -> Iterator[list[Any]]:
    try:
        with Member(path, part, limit=MAX_SHEET_XML_BYTES, label=SHEET) as stream:
            expected = 1
            pending = b""
            sheet: _Sheet | None = None
            while True:
                chunk = stream.read(CHUNK)
                data = pending + chunk
                if sheet is None:
                    start = _SHEET_DATA.search(data)
                    if start is None:
                        pending = data[-256:] if chunk else b""
                        if not chunk:
                            return
                        continue
                    if start.group(2):  # <sheetData/>: no rows
                        return
                    sheet = _sheet_patterns((start.group(1) or b"").decode("ascii"))
                    data = data[start.end() :]
                end = _SHEET_DATA_END.search(data)
                last = end is not None or not chunk
                if end is not None:
                    cut = end.start()
                elif chunk:
                    cut = _last_end(data, _ROW_END_BYTES)
                else:
                    cut = len(data)
                if cut == 0 and not last:
                    if len(data) > MAX_ROW_BYTES:
                        raise TooLarge(f"第 {expected} 行超过 {mb(MAX_ROW_BYTES)} 的上限（每行的大小）")
                    pending = data
                    continue
                for row in sheet.row.finditer(data[:cut].decode("utf-8")):
                    if row.end() - row.start() > MAX_ROW_BYTES:
                        raise TooLarge(f"第 {expected} 行超过 {mb(MAX_ROW_BYTES)} 的上限（每行的大小）")
                    number_match = _ROW_NUMBER.search(row.group(1))
                    if number_match is None:
                        number = expected
                    elif len(number_match.group(1)) > 7 or int(number_match.group(1)) > MAX_ROWS:
                        raise TooLarge(f"工作表的行号超过 {MAX_ROWS} 行（Excel 的上限）")
                    else:
                        number = int(number_match.group(1))
                    if number > MAX_ROWS:
                        raise TooLarge(f"工作表超过 {MAX_ROWS} 行（Excel 的上限）")
                    while expected < number:  # rows Excel did not write are empty rows
                        yield []
                        expected += 1
                    body = row.group(3)
                    yield _cells(sheet, body, number, strings, dates, band.width) if body else []
                    expected = number + 1
                if last:
                    return
                pending = data[cut:]
                if len(pending) > MAX_ROW_BYTES:
                    raise TooLarge(f"第 {expected} 行超过 {mb(MAX_ROW_BYTES)} 的上限（每行的大小）")
    finally:
        strings.close()


def _cell_name(row: int, column: int) -> str:
    letters = ""
    n = column + 1
    while n:
        n, r = divmod(n - 1, 26)
        letters = chr(65 + r) + letters
    return f"{letters}{row}"


def _too_wide(row: int) -> TooLarge:
    return TooLarge(f"第 {row} 行有单元格超出第 {MAX_COLUMNS} 列（XFD，Excel 的上限）")


def _cells(sheet: _Sheet, body: str, row: int, strings: SharedStrings, dates: set[int], width: int) -> list[Any]:
    if len(body) > _COUNT_CELLS_ABOVE:
        for count, _ in enumerate(sheet.cell_start.finditer(body), start=1):
            if count > MAX_COLUMNS:
                raise _too_wide(row)
    cells: list[Any] = []
    position = 0
    for letters, attrs, raw, inline in sheet.cell.findall(body):
        if letters:
            column = _COLUMNS.get(letters)
            if column is None:
                column = _column(letters)
        else:
            column = position
        if column >= MAX_COLUMNS:
            raise _too_wide(row)
        position = column + 1
        if column >= width:
            continue  # right of every header: not kept, and the row is not padded to it
        value: Any
        # The common shapes first, by plain substring tests (this loop runs for every cell).
        if 't="' not in attrs or 't="n"' in attrs:
            if not raw:
                continue
            value = float(raw)
            if dates and 's="' in attrs:
                style = _STYLE.search(attrs)
                if style is not None and int(style.group(1)) in dates:
                    value = _as_date(value)
        elif 't="s"' in attrs:
            if not raw:
                continue
            value = strings.get(int(raw))
        elif 't="inlineStr"' in attrs:
            if inline.startswith("<t>") and inline.endswith("</t>") and "<" not in inline[3:-4]:
                value = _text(inline[3:-4])
            else:
                value = "".join(_text(t) for t in _TEXT.findall(_PHONETIC.sub("", inline)))
        elif raw:
            value = _typed(attrs, raw)
        else:
            continue
        if type(value) is str:
            if not value:
                continue
            if len(value) > MAX_CELL_CHARS:
                raise TooLarge(f"单元格 {_cell_name(row, column)} {CELL_TOO_LONG}")
        if column >= len(cells):
            cells.extend([""] * (column + 1 - len(cells)))
        cells[column] = value
    return cells


def _typed(attrs: str, raw: str) -> Any:
    kind_match = _TYPE.search(attrs)
    kind = kind_match.group(1) if kind_match else "n"
    if kind == "b":
        return raw.strip() == "1"
    if kind == "n":
        return float(raw)
    if kind == "d":
        try:
            return datetime.fromisoformat(raw)
        except ValueError:
            return raw
    return _text(raw)  # "str" (a formula's text), "e" (#N/A…)


def _as_date(serial: float) -> date | datetime | time | float:
    if not 0 <= serial < 2958466:
        return serial
    moment = EXCEL_EPOCH + timedelta(days=serial)
    moment = moment.replace(microsecond=round(moment.microsecond / 1000) * 1000 % 1_000_000)
    if serial == int(serial):
        return moment.date()
    return moment.time() if serial < 1 else moment  # a time of day alone, as calamine gives it
