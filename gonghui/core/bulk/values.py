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


LOST_DIGITS = "该单元格是超过 15 位的数字，Excel 已丢失末尾几位；请把该列设为“文本”格式后重新录入"
# What a long number looks like once Excel has saved it to CSV: 5.20201E+17.
_SCIENTIFIC = re.compile(r"\d(\.\d+)?[eE]\+?\d{1,3}")


def lost_digits(text: str) -> bool:
    """True for a long number Excel has rewritten as 5.20201E+17 (its digits are gone)."""
    return bool(_SCIENTIFIC.fullmatch(text))


class CellError(ValueError):
    """A Chinese reason why one cell cannot be used."""


def cell_text(value: Any) -> str:
    """A cell as normalized text: NFKC (full-width to half-width), trimmed; integral numbers without ".0"."""
    if type(value) is str:  # the usual cell, first: NFKC leaves ASCII as it is
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


def parse_date(value: Any) -> date | None:
    """Excel serials, date cells, 2023-07-20, 2023/7/20, 2023.07.20, 2023年7月20日, 20230720; blank is None."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if 1 <= value < 2958466:  # up to 9999-12-31
            return EXCEL_EPOCH + timedelta(days=int(value))
        if value == int(value) and 10000101 <= value <= 99991231:
            return parse_date(str(int(value)))  # 20230720 typed into a number cell
        raise CellError("日期数值超出范围")
    text = cell_text(value)
    if not text:
        return None
    if re.fullmatch(r"\d{1,5}(\.0+)?", text) and len(text.split(".")[0]) <= 5:
        return parse_date(int(text.split(".")[0]))
    for form in _DATE_FORMS:
        match = form.fullmatch(text.split(" ")[0])
        if match:
            year, month, day = (int(g) for g in match.groups())
            try:
                return date(year, month, day)
            except ValueError as exc:
                raise CellError("日期不存在（请检查月份和日）") from exc
    raise CellError("无法识别的日期，请写成 2023-07-20、2023/7/20 或 2023年7月20日")


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
