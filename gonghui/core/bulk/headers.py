"""Finding the header row and mapping it to a kind's columns.

Rosters arrive with a title row or two (often one merged cell, "XX工会会员花名册"),
notes, blank lines; the header is the row among the first ones that names the
most known columns. Headers match their Chinese names or English aliases after
normalization (full-width, spaces, a trailing "*" or "（必填）"). A column that
matches none is reported, and when it looks like a known one (one name inside the
other, a close spelling, the same pinyin: 联络手机, 手机号吗) the report names that
column as a likely match; the user confirms it (`renames`, from the preview page
or `gonghui import --column 联络手机=手机号码`) and the column is read.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from operator import itemgetter
from pathlib import Path
from typing import Any

from pypinyin import lazy_pinyin

from gonghui.core.bulk.limits import HEADER_BAND_ROWS
from gonghui.core.bulk.readers import UnreadableFile, read_rows
from gonghui.core.bulk.values import CellError, cell_text

# The header is looked for where the readers keep every column (core.bulk.limits).
SEARCH_ROWS = HEADER_BAND_ROWS
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
    likely: dict[str, str] = field(default_factory=dict)  # unknown header → the Chinese header it looks like
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


# A close spelling: difflib's ratio on the normalized names (one character off in five).
LIKELY_RATIO = 0.8


def likely_column(header: str, columns: list[Column], taken: set[str]) -> Column | None:
    """The one column not yet `taken` that `header` looks like, or None when none does (or several do)."""
    name = normalize_header(header)
    if len(name) < 2:
        return None
    sound = "".join(lazy_pinyin(name))
    found: list[Column] = []
    for column in columns:
        if column.key in taken:
            continue
        names = column.names()
        if any(
            (len(n) >= 2 and (n in name or name in n))
            or difflib.SequenceMatcher(None, n, name).ratio() >= LIKELY_RATIO
            or "".join(lazy_pinyin(n)) == sound
            for n in names
        ):
            found.append(column)
    return found[0] if len(found) == 1 else None


def renames_to_keys(renames: dict[str, str], columns: list[Column]) -> dict[str, str]:
    """{header as in the file: column (its key or any of its names)} → {normalized header: column key}.

    Raises `UnreadableFile` naming a target that is no column of the kind.
    """
    by_name = {name: c.key for c in columns for name in c.names()}
    keys: dict[str, str] = {}
    for header, target in renames.items():
        key = by_name.get(normalize_header(target))
        if key is None:
            raise UnreadableFile(f"没有名为“{target}”的列，无法把“{header}”对应过去")
        keys[normalize_header(header)] = key
    return keys


def open_table(
    path: str | Path,
    columns: list[Column],
    *,
    search_rows: int = SEARCH_ROWS,
    renames: dict[str, str] | None = None,
) -> Table:
    """Read up to `search_rows` rows to find the header; the rest stream through `Table.rows`.

    `renames` ({header as in the file: column}) reads a column the user confirmed.
    """
    by_name: dict[str, str] = {}
    for column in columns:
        for name in column.names():
            by_name[name] = column.key
    by_name.update(renames_to_keys(renames or {}, columns))
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
    taken = set(mapping.values())
    likely: dict[str, str] = {}
    for header in unknown:
        guess = likely_column(header, columns, taken)
        if guess is not None:
            likely[header] = guess.header

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

    return Table(best + 1, headers, mapping, unknown, missing, data(), likely=likely)
