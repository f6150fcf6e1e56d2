"""How much of an uploaded file the readers will read, in one place (issue 15, item 1).

Every reader checks these before it allocates: a zip's directory and each member's
inflated size and compression ratio (counted while inflating, since a zip's headers
can lie), a row's size, a cell's length, the number of rows, columns and cells, and
for the formats python-calamine holds whole (XLS, ODS) the sheet's extent before it
is loaded. A breach raises `TooLarge` (an `UnreadableFile`) naming the limit in
Chinese; the preview reads under a time budget as well (`read_deadline`).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TypeVar

_T = TypeVar("_T")

MB = 1024 * 1024

# --- Excel's own limits (a file beyond them was made by hand, not by Excel, WPS or LibreOffice) ---
MAX_CELL_CHARS = 32_767  # characters in one cell
MAX_COLUMNS = 16_384  # columns A…XFD
MAX_ROWS = 1_048_576  # rows in a sheet; also the most rows a CSV or bank text file may have

# --- rows and cells ---
MAX_ROW_BYTES = 4 * MB  # one row's XML in a workbook (and one shared string's), one CSV record's characters
MAX_CELLS = 50_000_000  # cells handed on in all (each row counted up to its last kept cell)
# The CSV delimiter is guessed (csv.Sniffer) from this many characters at most: the sniffer's
# expressions take seconds on 16 K of hostile quotes and commas, half a second on 8 K.
MAX_SNIFF_CHARS = 8192
# Rows among the first this many decide how wide a row can be: the header is one of them
# (`headers.SEARCH_ROWS`), and a later cell right of all of them lies under no header.
HEADER_BAND_ROWS = 20

# --- zip containers (XLSX, ODS) ---
MAX_ZIP_MEMBERS = 10_000
MAX_ZIP_DIRECTORY_BYTES = 16 * MB
MAX_ZIP_RATIO = 250  # inflated / compressed bytes; a real sheet stays under 100, a zip bomb is near 1,000
ZIP_RATIO_GRACE_BYTES = 8 * MB  # small members may be as repetitive as they like
MAX_SHEET_XML_BYTES = 2048 * MB  # one XLSX worksheet, inflated (a 1,048,576-row roster is about 600 MB)
MAX_SHARED_STRINGS_XML_BYTES = 1024 * MB  # xl/sharedStrings.xml, inflated
MAX_SHARED_STRINGS_BYTES = 256 * MB  # the shared strings kept in memory (UTF-8)
MAX_SHARED_STRINGS = 16_000_000
MAX_PART_BYTES = 32 * MB  # any other member read (workbook.xml, its rels, styles.xml, an ODS's manifest)
MAX_MERGED_RANGES = 100_000
MAX_CELL_FORMATS = 65_536  # styles.xml: number formats and cell formats kept (Excel allows 64,000); the rest ignored

# --- XLS and ODS: python-calamine loads every sheet whole before the first row ---
MAX_WORKBOOK_CELLS = 2_000_000  # cells of all sheets, as calamine lays them out (about 300 MB)
MAX_WORKBOOK_TEXT_BYTES = 256 * MB  # text of all cells, repeated cells counted each time
MAX_ODS_CONTENT_BYTES = 256 * MB  # content.xml, inflated
MAX_XLS_BYTES = 32 * MB  # an .xls file (it is read into memory whole; 65,536 rows of a roster are about 20 MB)

# --- the import preview (a web request) ---
PREVIEW_SECONDS = 5.0
PREVIEW_SCAN_BYTES = 128 * MB  # the preview looks for merged cells only this far into an XLSX worksheet
PREVIEW_ODS_ROWS = 200  # an ODS preview loads a copy of the first this many rows


class UnreadableFile(ValueError):
    """The file is not a table this engine can read; a Chinese reason."""


class TooLarge(UnreadableFile):
    """The file breaches one of the limits above (the message names it)."""


class ReadTimeout(UnreadableFile):
    """Reading took longer than the time budget it was given (the preview's)."""


def mb(size: int) -> str:
    return f"{size // MB} MB" if size >= MB else f"{size // 1024} KB"


class Band:
    """The columns a reader keeps: every one (up to XFD) until the header band is read, then the band's width."""

    __slots__ = ("width",)

    def __init__(self) -> None:
        self.width = MAX_COLUMNS


@dataclass(frozen=True)
class Budget:
    until: float  # time.monotonic() when reading must stop
    seconds: float


_deadline: ContextVar[Budget | None] = ContextVar("gonghui_read_deadline", default=None)


@contextmanager
def read_deadline(seconds: float | Budget) -> Iterator[Budget]:
    """Readers used inside the block stop with `ReadTimeout` once `seconds` have passed (or the budget's end)."""
    budget = seconds if isinstance(seconds, Budget) else Budget(time.monotonic() + seconds, seconds)
    token = _deadline.set(budget)
    try:
        yield budget
    finally:
        _deadline.reset(token)


def rows_within(rows: Iterator[_T], budget: Budget) -> Iterator[_T]:
    """`rows` as far as they can be read within `budget`: those read when it runs out are all there is."""
    while True:
        with read_deadline(budget):
            try:
                item = next(rows)
            except (StopIteration, ReadTimeout):
                return
        yield item


def in_preview() -> bool:
    """Reading under a time budget (the preview): read only what is needed to show the first rows."""
    return _deadline.get() is not None


def check_deadline() -> None:
    budget = _deadline.get()
    if budget is not None and time.monotonic() > budget.until:
        raise ReadTimeout(f"读取超时：{budget.seconds:g} 秒内未能读完表头和前几行（文件过大，或含大量空行）")
