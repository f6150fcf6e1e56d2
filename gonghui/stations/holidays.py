"""The State Council's public holidays as a file: read a CSV or Excel list of 日期 and 节日.

The list is published each year (国务院办公厅关于某年部分节假日安排的通知) and typed by
someone into a sheet, so a row takes the date the way people write it: 2026-10-01,
2026/10/1, 2026年10月1日, 20261001, an Excel date cell, or a span as the notice writes it
(2026年10月1日至7日, 2月15日至23日 after a row that named the year, 2026-05-01~2026-05-05).
Each row gives one or more days off and the festival's name. A year's rows are that year's
whole list: loading them replaces what was there for that year (`services.holidays_load`).

`SHIPPED` is the list this project ships for the demo and a fresh install (no migration
loads it; `gonghui stations holidays load` or the demo does). Working weekends (调休) are
not read: opening hours do not model them yet.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from gonghui.core.bulk import CellError, Column, UnreadableFile, cell_text, open_table, parse_date
from gonghui.core.bulk.values import MonthOnly

SHIPPED = Path(__file__).resolve().parent / "data" / "holidays.csv"
COLUMNS = [
    Column("day", "日期", aliases=("放假日期", "假日日期", "放假时间", "date", "day"), required=True),
    Column("name", "节日", aliases=("节日名称", "节假日", "名称", "假日", "name", "holiday"), required=True),
]
MAX_SPAN_DAYS = 15  # the longest block ever given (春节 2026: nine days) with room to spare
# 至, 到, ~ and the dashes people put between two dates (not "-", which is inside 2026-10-01).
_SPAN = re.compile(r"\s*(?:至|到|~|～|—|–|－－|--)\s*")
_MONTH_DAY = re.compile(r"(\d{1,2})月(\d{1,2})日?")
_DAY = re.compile(r"(\d{1,2})日?")
_YEAR_FREE = re.compile(r"(\d{1,2})[月/.-](\d{1,2})日?")
BAD_DATE = "无法识别的日期，请写成 2026-10-01、2026/10/1、2026年10月1日，或一段日期：2026年10月1日至7日"


@dataclass
class HolidayList:
    days: dict[date, str] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    rows: int = 0

    @property
    def years(self) -> list[int]:
        return sorted({day.year for day in self.days})


def _one_day(text: str, year: int | None) -> date:
    """A full date, or a month and day once the list has named its year (春节：2月15日)."""
    try:
        day = parse_date(text)
    except CellError as exc:
        short = _YEAR_FREE.fullmatch(text)
        if short is None:
            raise
        if year is None:
            raise CellError(BAD_DATE) from exc
        try:
            return date(year, int(short.group(1)), int(short.group(2)))
        except ValueError as bad:
            raise CellError("日期不存在（请检查月份和日）") from bad
    if day is None:
        raise CellError("请填写日期")
    if isinstance(day, MonthOnly):
        raise CellError("只有年月，请写到日：2026-10-01 或 2026年10月1日")
    return day


def _end_of_span(text: str, first: date) -> date:
    """The second date of a span, which may leave out what it shares with the first (至7日, 至2月3日)."""
    short = _MONTH_DAY.fullmatch(text)
    if short:
        return date(first.year, int(short.group(1)), int(short.group(2)))
    short = _DAY.fullmatch(text)
    if short:
        return date(first.year, first.month, int(short.group(1)))
    return _one_day(text, first.year)


def parse_days(value: object, year: int | None = None) -> list[date]:
    """The days a cell names: one date, or every day of a span; `year` fills in a date without one."""
    if value is None or value == "":
        raise CellError("请填写日期")
    if not isinstance(value, str):
        return [_cell_day(value)]
    text = cell_text(value)
    parts = _SPAN.split(text)
    if len(parts) == 1:
        return [_one_day(text, year)]
    if len(parts) != 2 or not all(parts):
        raise CellError(BAD_DATE)
    first = _one_day(parts[0], year)
    try:
        last = _end_of_span(parts[1], first)
    except ValueError as exc:
        raise CellError("日期不存在（请检查月份和日）") from exc
    if last < first:
        # 12月31日至1月2日: the span runs into the next year.
        try:
            last = last.replace(year=last.year + 1)
        except ValueError as exc:
            raise CellError("日期不存在（请检查月份和日）") from exc
    if (last - first).days >= MAX_SPAN_DAYS:
        raise CellError(f"一段假期不超过 {MAX_SPAN_DAYS} 天，请检查起止日期")
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def _cell_day(value: object) -> date:
    """An Excel date cell or serial number."""
    day = parse_date(value)
    if day is None or isinstance(day, MonthOnly):
        raise CellError(BAD_DATE)
    return day


def read_holidays(path: str | Path) -> HolidayList:
    """Every day off the file names, with its festival; each refused row as "第 N 行：reason"."""
    try:
        table = open_table(path, COLUMNS)
    except UnreadableFile as exc:
        if str(exc).startswith("没有找到表头行"):  # the engine's example columns are a roster's
            raise UnreadableFile("没有找到表头行：文件开头几行中应有“日期”和“节日”两列") from exc
        raise
    if table.missing:
        raise UnreadableFile(f"缺少必填的列：{'、'.join(table.missing)}（表头应有“日期”和“节日”）")
    out = HolidayList()
    year: int | None = None
    for number, cells in table.rows:
        out.rows += 1
        values = table.values(cells)
        try:
            name = cell_text(values.get("name"))
        except CellError as exc:
            out.errors.append(f"第 {number} 行：节日：{exc}")
            continue
        if not name:
            out.errors.append(f"第 {number} 行：请填写节日名称")
            continue
        if len(name) > 40:
            out.errors.append(f"第 {number} 行：节日名称不超过 40 个字")
            continue
        try:
            days = parse_days(values.get("day"), year)
        except CellError as exc:
            out.errors.append(f"第 {number} 行：日期：{exc}")
            continue
        year = days[0].year
        for day in days:
            other = out.days.get(day)
            if other is not None and other != name:
                when = f"{day.year}年{day.month}月{day.day}日"
                out.errors.append(f"第 {number} 行：{when}已是“{other}”，不能又是“{name}”")
                break
            out.days[day] = name
    return out
