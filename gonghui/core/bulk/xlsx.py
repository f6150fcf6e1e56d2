"""Streaming rows out of an XLSX file, in bounded memory.

python-calamine reads a whole sheet into memory before the first row comes
out: a million-row roster took 1.26 GB that way. An XLSX sheet is one zipped
XML stream, and the shapes Excel, WPS and openpyxl write are regular, so the
rows are cut out of the inflating stream with compiled expressions, one row at
a time. Shared strings (the text cells) are read first, and the merged ranges,
which Excel stores after the rows, by a first pass over the stream.

Values come out as calamine gives them: text, float for numbers, bool, and a
date or datetime for a number formatted as a date; empty cells are "".
"""

from __future__ import annotations

import html
import posixpath
import re
import zipfile
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from typing import IO, Any

CHUNK = 1 << 20
EXCEL_EPOCH = datetime(1899, 12, 30)  # noqa: DTZ001 - a cell's wall-clock time, as calamine gives it

_P = r"(?:\w+:)?"  # some writers prefix every element (<x:row>)
_ROW = re.compile(rf"<{_P}row\b([^>]*?)(/>|>(.*?)</{_P}row>)", re.S)
_ROW_END_BYTES = re.compile(rb"</(?:\w+:)?row>|<(?:\w+:)?row\b[^>]*/>")
# One cell: its column letters (when it has a reference), other attributes, <v> and <is>.
_CELL_PARTS = re.compile(
    rf'<{_P}c\b(?:\s+r="([A-Z]+)\d*")?([^>]*?)(?:/>|>(?:<{_P}f\b[^>]*?(?:/>|>.*?</{_P}f>))?'
    rf"(?:<{_P}v>(.*?)</{_P}v>)?(?:<{_P}is>(.*?)</{_P}is>)?.*?</{_P}c>)",
    re.S,
)
_ROW_NUMBER = re.compile(r'\br="(\d+)"')
_TYPE = re.compile(r'\bt="(\w+)"')
_STYLE = re.compile(r'\bs="(\d+)"')
_VALUE = re.compile(rf"<{_P}v>(.*?)</{_P}v>", re.S)
_TEXT = re.compile(rf"<{_P}t\b[^>]*>(.*?)</{_P}t>", re.S)
_SI = re.compile(rf"<{_P}si>(.*?)</{_P}si>|<{_P}si/>", re.S)
_PHONETIC = re.compile(rf"<{_P}rPh\b.*?</{_P}rPh>", re.S)
_MERGE = re.compile(rf'<{_P}mergeCell\b[^>]*\bref="([A-Z]+)(\d+):([A-Z]+)(\d+)"')
_ESCAPED = re.compile(r"_x([0-9A-Fa-f]{4})_")
# Built-in number formats that are dates or times (ECMA-376 §18.8.30).
_DATE_FORMAT_IDS = {*range(14, 23), 45, 46, 47, 27, 28, 29, 30, 31, 36, 50, 51, 52, 53, 54, 55, 56, 57, 58}


class NotXlsx(ValueError):
    """A zip that is not an XLSX workbook (an ODS, say): read it another way."""


def xlsx_rows(path: str) -> tuple[Iterator[list[Any]], list[tuple[tuple[int, int], tuple[int, int]]]]:
    """The first sheet's rows (row numbers are the list's indexes + 1) and its merged ranges (0-based)."""
    archive = zipfile.ZipFile(path)
    try:
        sheet = _first_sheet(archive)
        strings = _shared_strings(archive)
        dates = _date_styles(archive)
        merged = _merged_ranges(archive, sheet)
    except BaseException:
        archive.close()
        raise
    return _rows(archive, sheet, strings, dates), merged


def _read(archive: zipfile.ZipFile, name: str) -> str | None:
    try:
        return archive.read(name).decode("utf-8")
    except KeyError:
        return None


def _first_sheet(archive: zipfile.ZipFile) -> str:
    workbook = _read(archive, "xl/workbook.xml")
    rels = _read(archive, "xl/_rels/workbook.xml.rels")
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
            path = target.group(1)
            return path.lstrip("/") if path.startswith("/") else posixpath.normpath(posixpath.join("xl", path))
    raise NotXlsx("the first sheet has no part")


def _text(fragment: str) -> str:
    if "&" in fragment:
        fragment = html.unescape(fragment)
    if "_x" in fragment:
        fragment = _ESCAPED.sub(lambda m: chr(int(m.group(1), 16)), fragment)
    return fragment


def _shared_strings(archive: zipfile.ZipFile) -> list[str]:
    name = next((n for n in archive.namelist() if n.lower() == "xl/sharedstrings.xml"), None)
    if name is None:
        return []
    strings: list[str] = []
    with archive.open(name) as stream:
        for block in _blocks(stream, _SI, b"</si>"):
            body = block.group(1) or ""
            if "rPh" in body:
                body = _PHONETIC.sub("", body)  # furigana-style runs are not part of the text
            strings.append("".join(_text(t) for t in _TEXT.findall(body)))
    return strings


def _date_styles(archive: zipfile.ZipFile) -> set[int]:
    styles = _read(archive, "xl/styles.xml")
    if styles is None:
        return set()
    custom = {
        int(m.group(1)): html.unescape(m.group(2))
        for m in re.finditer(r'<(?:\w+:)?numFmt\b[^>]*?numFmtId="(\d+)"[^>]*?formatCode="([^"]*)"', styles)
    }
    xfs = re.search(r"<(?:\w+:)?cellXfs\b.*?</(?:\w+:)?cellXfs>", styles, re.S)
    if xfs is None:
        return set()
    found = set()
    for index, xf in enumerate(re.finditer(r"<(?:\w+:)?xf\b([^>]*)", xfs.group(0))):
        fmt = re.search(r'\bnumFmtId="(\d+)"', xf.group(1))
        number = int(fmt.group(1)) if fmt else 0
        if number in _DATE_FORMAT_IDS or (number in custom and _is_date_format(custom[number])):
            found.add(index)
    return found


def _is_date_format(code: str) -> bool:
    # Quoted text, escapes and [colour]/[$-804] sections are not date parts.
    bare = re.sub(r'"[^"]*"|\\.|\[[^\]]*\]', "", code).lower()
    return bool(re.search(r"[ymdhs]", bare)) and "0" not in bare.split(";")[0].replace("00", "")


def _merged_ranges(archive: zipfile.ZipFile, sheet: str) -> list[tuple[tuple[int, int], tuple[int, int]]]:
    ranges = []
    with archive.open(sheet) as stream:
        tail = b""
        while chunk := stream.read(CHUNK):
            data = tail + chunk
            if b"mergeCell" in data:
                for m in _MERGE.finditer(data.decode("utf-8", "ignore")):
                    c0, r0, c1, r1 = m.groups()
                    ranges.append(((int(r0) - 1, _column(c0)), (int(r1) - 1, _column(c1))))
                tail = b""
            else:
                tail = data[-200:]
    return sorted(set(ranges))


_COLUMNS: dict[str, int] = {}


def _column(letters: str) -> int:
    index = _COLUMNS.get(letters)
    if index is None:
        index = 0
        for ch in letters:
            index = index * 26 + ord(ch) - 64
        index -= 1
        _COLUMNS[letters] = index
    return index


def _blocks(stream: IO[bytes], pattern: re.Pattern[str], end: bytes) -> Iterator[re.Match[str]]:
    """Matches of `pattern` over the inflating stream; a block never straddles two reads."""
    pending = b""
    while True:
        chunk = stream.read(CHUNK)
        data = pending + chunk
        cut = data.rfind(end) + len(end) if chunk else len(data)
        if chunk and cut < len(end):
            pending = data
            continue
        yield from pattern.finditer(data[:cut].decode("utf-8"))
        pending = data[cut:]
        if not chunk:
            return


def _rows(archive: zipfile.ZipFile, sheet: str, strings: list[str], dates: set[int]) -> Iterator[list[Any]]:
    try:
        with archive.open(sheet) as stream:
            expected = 1
            pending = b""
            while True:
                chunk = stream.read(CHUNK)
                data = pending + chunk
                if chunk:
                    cut = _last_row_end(data)
                    if cut == 0:
                        pending = data
                        continue
                else:
                    cut = len(data)
                for row in _ROW.finditer(data[:cut].decode("utf-8")):
                    number_match = _ROW_NUMBER.search(row.group(1))
                    number = int(number_match.group(1)) if number_match else expected
                    while expected < number:  # rows Excel did not write are empty rows
                        yield []
                        expected += 1
                    yield _cells(row.group(3) or "", strings, dates)
                    expected = number + 1
                pending = data[cut:]
                if not chunk:
                    return
    finally:
        archive.close()


def _last_row_end(data: bytes) -> int:
    """Where the last complete row of `data` ends (0: none yet)."""
    cut = 0
    for end in _ROW_END_BYTES.finditer(data, max(0, len(data) - CHUNK // 4)):
        cut = end.end()
    if cut == 0:
        for end in _ROW_END_BYTES.finditer(data):
            cut = end.end()
    return cut


def _cells(body: str, strings: list[str], dates: set[int]) -> list[Any]:
    cells: list[Any] = []
    position = 0
    for letters, attrs, raw, inline in _CELL_PARTS.findall(body):
        column = _COLUMNS.get(letters) if letters else position
        if column is None:
            column = _column(letters)
        if column >= len(cells):
            cells.extend([""] * (column + 1 - len(cells)))
        position = column + 1
        # The common shapes first, by plain substring tests (this loop runs for every cell).
        if 't="' not in attrs or 't="n"' in attrs:
            if raw:
                number = float(raw)
                if dates and 's="' in attrs:
                    style = _STYLE.search(attrs)
                    if style is not None and int(style.group(1)) in dates:
                        cells[column] = _as_date(number)
                        continue
                cells[column] = number
        elif 't="s"' in attrs:
            cells[column] = strings[int(raw)] if raw else ""
        elif 't="inlineStr"' in attrs:
            if inline.startswith("<t>") and inline.endswith("</t>") and "<" not in inline[3:-4]:
                cells[column] = _text(inline[3:-4])
            else:
                cells[column] = "".join(_text(t) for t in _TEXT.findall(_PHONETIC.sub("", inline)))
        elif raw:
            cells[column] = _typed(attrs, raw)
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
