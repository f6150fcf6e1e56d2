"""Finding the header row and mapping it to a kind's columns.

Rosters arrive with a title row or two (often one merged cell, "XX工会会员花名册"),
notes, blank lines; the header is the row among the first ones that names the
most known columns. Headers match their Chinese names or English aliases after
normalization (full-width, spaces, a trailing "*" or "（必填）"); extra columns
are reported and ignored.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from operator import itemgetter
from pathlib import Path
from typing import Any

from gonghui.core.bulk.readers import UnreadableFile, read_rows
from gonghui.core.bulk.values import CellError, cell_text

SEARCH_ROWS = 20
# Nearly every roster numbers its rows: such a column is ignored without a warning.
ROW_NUMBER_HEADERS = {"序号", "序", "行号", "no", "no.", "#"}


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    aliases: tuple[str, ...] = ()
    required: bool = False

    def names(self) -> set[str]:
        return {normalize_header(n) for n in (self.header, self.key, *self.aliases)}


def normalize_header(value: Any) -> str:
    try:
        text = cell_text(value)
    except CellError:
        return ""
    text = unicodedata.normalize("NFKC", text).lower()
    text = re.sub(r"[（(]\s*(必填|选填|可选|required|optional)\s*[)）]", "", text)
    return re.sub(r"[\s*:：_\-]", "", text)


@dataclass
class Table:
    header_row: int  # 1-based row number in the file
    headers: list[str]
    mapping: dict[int, str]  # column index → column key
    unknown: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # required columns' Chinese headers
    rows: Iterator[tuple[int, list[Any]]] = field(default_factory=lambda: iter(()))
    _pick: Any = field(default=None, repr=False)
    _keys: tuple[str, ...] = field(default=(), repr=False)
    _width: int = field(default=0, repr=False)

    def values(self, cells: list[Any]) -> dict[str, Any]:
        """A data row's cells by column key (missing trailing cells are blank)."""
        if self._pick is None:
            self._keys = tuple(self.mapping.values())
            self._width = max(self.mapping, default=-1) + 1
            indexes = tuple(self.mapping)
            self._pick = (lambda row: (row[indexes[0]],)) if len(indexes) == 1 else itemgetter(*indexes)
        if len(cells) < self._width:
            cells = [*cells, *([None] * (self._width - len(cells)))]
        return dict(zip(self._keys, self._pick(cells), strict=True))


def open_table(path: str | Path, columns: list[Column], *, search_rows: int = SEARCH_ROWS) -> Table:
    """Read up to `search_rows` rows to find the header; the rest stream through `Table.rows`."""
    by_name: dict[str, str] = {}
    for column in columns:
        for name in column.names():
            by_name[name] = column.key
    rows = read_rows(path)
    seen: list[list[Any]] = []
    best, best_hits = -1, 0
    for i, cells in enumerate(rows):
        seen.append(cells)
        hits = len({by_name[h] for h in (normalize_header(c) for c in cells) if h in by_name})
        if hits > best_hits:
            best, best_hits = i, hits
        if i + 1 >= search_rows or (best_hits and best_hits == len(columns)):
            break
    if best < 0:
        raise UnreadableFile(f"没有找到表头行：前 {search_rows} 行中没有可识别的列名（如“姓名”“工会代码”）")
    header_cells = seen[best]
    mapping: dict[int, str] = {}
    unknown: list[str] = []
    headers = [cell_text(c) if not isinstance(c, float) else str(c) for c in header_cells]
    for i, cell in enumerate(header_cells):
        key = by_name.get(normalize_header(cell))
        if key is None:
            if headers[i] and normalize_header(cell) not in ROW_NUMBER_HEADERS:
                unknown.append(headers[i])
        elif key not in mapping.values():
            mapping[i] = key
    missing = [c.header for c in columns if c.required and c.key not in mapping.values()]

    imported = sorted(mapping)

    def empty(cells: list[Any]) -> bool:
        # Blank in every imported column: a blank line, or a template's pre-numbered
        # row with only 序号 filled in. Skipped, not refused.
        width = len(cells)
        for i in imported:
            if i < width:
                cell = cells[i]
                if cell is not None and (not isinstance(cell, str) or cell.strip()):
                    return False
        return True

    def data() -> Iterator[tuple[int, list[Any]]]:
        for offset, cells in enumerate(seen[best + 1 :], start=best + 2):
            if not empty(cells):
                yield offset, cells
        for number, cells in enumerate(rows, start=len(seen) + 1):
            if not empty(cells):
                yield number, cells

    return Table(best + 1, headers, mapping, unknown, missing, data())
