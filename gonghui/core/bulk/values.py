"""Cells as Chinese spreadsheets write them: text, dates, numbers, yes/no.

Every parser raises `CellError` with a Chinese reason for the user; none of
them echoes the value, which may be an ID number.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, timedelta
from typing import Any

from gonghui.core.words import ChoiceError, match_bool

# Excel's day zero in the 1900 date system (its 1900-02-29 bug is why it is the 30th).
EXCEL_EPOCH = date(1899, 12, 30)
# Above this, a float has lost digits: Excel keeps 15 significant digits.
EXACT_FLOAT_LIMIT = 10**15

_DATE_FORMS = [
    re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})"),
    re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日?"),
    re.compile(r"(\d{4})(\d{2})(\d{2})"),
]
# A year and a month, as rosters give 入会时间 and 出生年月: 2023.5, 2023-05, 2023/5, 2023年5月, 202305.
_MONTH_FORMS = [
    re.compile(r"(\d{4})[-/.](\d{1,2})"),
    re.compile(r"(\d{4})年(\d{1,2})月?"),
    re.compile(r"(\d{4})(\d{2})"),
]
# Years a month-only date may name (a bare number outside them is an Excel serial or a mistake).
_MONTH_YEARS = range(1900, 2101)


class MonthOnly(date):
    """A date written as a year and a month, taken as the first of that month (callers may say so)."""


LOST_DIGITS = "该单元格是超过 15 位的数字，Excel 已丢失末尾几位；请把该列设为“文本”格式后重新录入"
# What a long number looks like once Excel has saved it to CSV: 5.20201E+17.
_SCIENTIFIC = re.compile(r"\d(\.\d+)?[eE]\+?\d{1,3}")


def lost_digits(text: str) -> bool:
    """True for a long number Excel has rewritten as 5.20201E+17 (its digits are gone)."""
    return bool(_SCIENTIFIC.fullmatch(text))


# A cell that starts with one of these would be a formula in Excel: exports put a "'" before it
# (`report.safe_cell`), and reading such a file back takes the "'" off (`cell_text`).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class CellError(ValueError):
    """A Chinese reason why one cell cannot be used."""


def cell_text(value: Any) -> str:
    """A cell as normalized text: NFKC (full-width to half-width), trimmed; integral numbers without ".0"."""
    if type(value) is str:  # the usual cell, first: NFKC leaves ASCII as it is
        if value[:1] == "'" and value[1:2] in FORMULA_START and len(value) > 1:
            value = value[1:]  # our own exports' neutralized formula text, read back as it was
        text = value if value.isascii() else unicodedata.normalize("NFKC", value)
        return " ".join(text.split())
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        if value.is_integer():
            if abs(value) >= EXACT_FLOAT_LIMIT:
                raise CellError(LOST_DIGITS)
            return str(int(value))
        return repr(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return " ".join(unicodedata.normalize("NFKC", str(value)).split())


def _month(year: int, month: int) -> MonthOnly:
    if year not in _MONTH_YEARS or not 1 <= month <= 12:
        raise CellError("日期不存在（请检查年份和月份）")
    return MonthOnly(year, month, 1)


def _number_date(value: float) -> date:
    """A number cell: an Excel serial, 20230720 typed as a number, or 2023.5 (a year and a month)."""
    whole = int(value)
    if whole in _MONTH_YEARS:
        # Excel keeps 2023.10 as 2023.1: a one-digit 1 after the point could be January or October.
        fraction = repr(float(value)).split(".")[1]
        if fraction == "0":
            raise CellError("只有年份，请写成 2023-05 或 2023-05-01")
        if fraction == "1":
            raise CellError(
                f"“{whole}.1”可能是 1 月也可能是 10 月（Excel 会去掉末尾的 0），请写成 {whole}-10 或 {whole}年10月"
            )
        return _month(whole, int(fraction))
    if 1 <= value < 2958466:  # up to 9999-12-31
        return EXCEL_EPOCH + timedelta(days=whole)
    if value == whole and 10000101 <= value <= 99991231:
        return _text_date(str(whole))
    raise CellError("日期数值超出范围")


def _text_date(text: str) -> date:
    head = text.split(" ")[0]
    for form in _DATE_FORMS:
        match = form.fullmatch(head)
        if match:
            year, month, day = (int(g) for g in match.groups())
            try:
                return date(year, month, day)
            except ValueError as exc:
                raise CellError("日期不存在（请检查月份和日）") from exc
    for form in _MONTH_FORMS:
        match = form.fullmatch(head)
        if match:
            return _month(int(match.group(1)), int(match.group(2)))
    raise CellError("无法识别的日期，请写成 2023-07-20、2023/7/20、2023年7月20日，或只写年月：2023-07、2023年7月")


def parse_date(value: Any) -> date | None:
    """Excel serials, date cells, 2023-07-20, 2023/7/20, 2023.07.20, 2023年7月20日, 20230720; blank is None.

    A year and a month (2023.5, 2023-05, 2023年5月, 202305, or the number 2023.5) is the first
    of that month, as a `MonthOnly`; a year alone, or 2023.1 as a number (January or October?),
    is refused.
    """
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _number_date(value)
    text = cell_text(value)
    if not text:
        return None
    if re.fullmatch(r"\d{1,5}(\.0+)?", text) and len(text.split(".")[0]) <= 5:
        return _number_date(int(text.split(".")[0]))
    return _text_date(text)


def parse_int(value: Any, *, minimum: int | None = None) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, float) and value.is_integer():
        number = int(value)
    elif isinstance(value, int) and not isinstance(value, bool):
        number = value
    else:
        text = cell_text(value).replace(",", "")
        if not text:
            return None
        if not re.fullmatch(r"-?\d+(\.0+)?", text):
            raise CellError("应为整数")
        number = int(text.split(".")[0])
    if minimum is not None and number < minimum:
        raise CellError(f"不能小于 {minimum}")
    return number


def parse_bool(value: Any) -> bool | None:
    """是/否 in everyday words (`core.words.match_bool`: Y/N, √/×, 1/0, 有/无…); None for a blank."""
    try:
        return match_bool(value)
    except ChoiceError as exc:
        raise CellError("应为“是”或“否”") from exc
