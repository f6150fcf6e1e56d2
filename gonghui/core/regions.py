"""GB/T 2260 region names, read from python-stdnum's table (`stdnum/cn/loc.dat`).

That table lists every county-level code with the years it was valid, e.g.
`  0201 county="[-1986]水城特区,[1987-]钟山区"`. The current name is the one whose
range is open-ended. An unknown code is a warning for callers, never a crash.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from django.db.models import Model, QuerySet

M = TypeVar("M", bound="Model")

_ENTRY = re.compile(r"\[(\d*)-(\d*)\](.*)")


@dataclass(frozen=True)
class Region:
    code: str
    name: str
    province: str
    prefecture: str

    @property
    def full_name(self) -> str:
        parts = [self.province]
        if self.prefecture and self.prefecture != self.province:
            parts.append(self.prefecture)
        if self.name not in parts:
            parts.append(self.name)
        return "".join(p for p in parts if p != "市辖区")

    @property
    def level(self) -> str:
        return region_level(self.code)


def _current_name(raw: str) -> str | None:
    """The currently valid name of a loc.dat value, or None when abolished."""
    current = None
    for part in raw.split(","):
        m = _ENTRY.fullmatch(part.strip())
        if m is None:
            current = part.strip()
        elif m.group(2) == "":
            current = m.group(3)
    return current


@cache
def _table() -> dict[str, Region]:
    text = resources.files("stdnum.cn").joinpath("loc.dat").read_text(encoding="utf-8")
    names: dict[str, str] = {}
    province_names: dict[str, str] = {}
    prefix = ""
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        if not line.startswith(" "):
            prefix, _, rest = line.partition(" ")
            province_names[prefix] = rest.split('"')[1]
            continue
        sub, _, rest = line.strip().partition(" ")
        name = _current_name(rest.split('"')[1])
        if name:
            names[prefix + sub] = name
    table: dict[str, Region] = {}
    for code, name in names.items():
        province = names.get(code[:2] + "0000", province_names.get(code[:2], ""))
        prefecture = names.get(code[:4] + "00", "")
        table[code] = Region(code=code, name=name, province=province, prefecture=prefecture)
    return table


def region_get(code: str) -> Region | None:
    return _table().get(code)


def region_name(code: str) -> str:
    """Full name of a region code, or "" when the code is not in GB/T 2260."""
    region = region_get(code)
    return region.full_name if region else ""


def region_children(code: str) -> list[Region]:
    """The current regions directly under a province or prefecture code."""
    table = _table()
    if code.endswith("0000"):
        return [
            r for c, r in sorted(table.items()) if c[:2] == code[:2] and c.endswith("00") and not c.endswith("0000")
        ]
    if code.endswith("00"):
        return [
            r for c, r in sorted(table.items()) if c[:4] == code[:4] and not c.endswith("00") and r.name != "市辖区"
        ]
    return []


def region_level(code: str) -> str:
    """Which level a code is by its shape: "province" (xx0000), "prefecture" (xxxx00) or "county"."""
    if code.endswith("0000"):
        return "province"
    if code.endswith("00"):
        return "prefecture"
    return "county"


def region_and_above(code: str) -> list[str]:
    """A region's code, its prefecture's and its province's, nearest first (for rules set at any level)."""
    if not code:
        return []
    return list(dict.fromkeys([code, code[:4] + "00", code[:2] + "0000"]))


def first_by_region(rows: QuerySet[M], region_code: str, *, field: str = "region_code") -> M | None:
    """The row set for the region itself, else its prefecture's, else its province's; None when none is.

    The one county → city → province fallback of every rule set by region (低保 standards, 慰问
    caps, 金秋助学 amounts): `rows` is already narrowed to the rule (year, event, level…); one query.
    """
    codes = region_and_above(region_code)
    if not codes:
        return None
    found = {getattr(row, field): row for row in rows.filter(**{f"{field}__in": codes})}
    return next((found[c] for c in codes if c in found), None)


def prefecture_code(code: str) -> str:
    """The prefecture (地级) code a region rolls up to, for charts by city."""
    if code.endswith("0000"):
        return code
    return code[:4] + "00"


@cache
def _search_rows() -> list[tuple[Region, str, str, str]]:
    """(region, full name, full pinyin, initials) of every current region, built once (~3,500 rows).

    The keys are of the full name (贵州省六盘水市钟山区), so "lpssz" and "zhongshan" both find 钟山区.
    The 市辖区 placeholders of GB/T 2260 are no place anyone picks.
    """
    from gonghui.core.pinyin import pinyin_keys

    rows = []
    for _code, region in sorted(_table().items()):
        if region.name == "市辖区":
            continue
        full = region.full_name
        pinyin, initials = pinyin_keys(region.name)
        full_pinyin, full_initials = pinyin_keys(full)
        rows.append((region, full, f"{pinyin} {full_pinyin}", f"{initials} {full_initials}"))
    return rows


def region_search(text: str, *, limit: int = 20) -> list[Region]:
    """Regions whose name holds `text`, whose code starts with it, or whose pinyin (full or initials) holds it.

    Names, codes and pinyin that start with it come first, then provinces before cities before counties.
    """
    from gonghui.core.pinyin import pinyin_query

    text = text.strip()
    if not text:
        return []
    key = pinyin_query(text)
    found: list[tuple[int, int, str, Region]] = []
    for region, full, pinyin, initials in _search_rows():
        if region.code.startswith(text):
            rank = 0
        elif region.name.startswith(text) or (key and (pinyin.startswith(key) or initials.startswith(key))):
            rank = 1
        elif text in full or (key and (key in pinyin or key in initials)):
            rank = 2
        else:
            continue
        found.append((rank, _LEVELS[region_level(region.code)], region.code, region))
    found.sort(key=lambda t: t[:3])
    return [t[3] for t in found[:limit]]


_LEVELS = {"province": 0, "prefecture": 1, "county": 2}
