"""Yuan as banks' files and spreadsheets write them, to fen; never through a float's rounding."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from gonghui.core.bulk import CellError, cell_text

# Signs a bank's file or a typist puts around an amount.
_DECORATION = str.maketrans("", "", ",¥元 ")


def yuan_cell_to_fen(value: Any, *, zero: bool = False) -> int:
    """A yuan cell ("1,200.50", 158.3, "¥30") in fen; raises `CellError` with a Chinese reason.

    Positive, at most two decimals; `zero=True` also takes 0. A number cell from
    Excel arrives as a float whose shortest form is the number typed.
    """
    text = cell_text(value).translate(_DECORATION)
    if not text:
        raise CellError("不能为空")
    try:
        amount = Decimal(text)
    except InvalidOperation as exc:
        raise CellError("应为金额（元），如 1200.00") from exc
    if not amount.is_finite():
        raise CellError("应为金额（元），如 1200.00")
    fen = amount * 100
    if fen != fen.to_integral_value():
        raise CellError("金额最多两位小数")
    if amount < 0 or (amount == 0 and not zero):
        raise CellError("金额须为正数" if not zero else "金额不能为负数")
    if fen >= 10**17:
        raise CellError("金额超出范围")
    return int(fen)
