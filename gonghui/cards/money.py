"""Yuan as banks' files and spreadsheets write them, to fen, through the one parser (`core.money.parse_yuan`)."""

from __future__ import annotations

from typing import Any

from gonghui.core.bulk import CellError, cell_text
from gonghui.core.money import AmountError, amount_refusal, parse_yuan


def yuan_cell_to_fen(value: Any, *, zero: bool = False) -> int:
    """A yuan cell ("1,200.50", 158.3, "¥30") in fen; raises `CellError` with a Chinese reason.

    Positive, at most two decimals; `zero=True` also takes 0. A number cell from
    Excel arrives as a float whose shortest form is the number typed.
    """
    text = cell_text(value)
    if not text:
        raise CellError("不能为空")
    try:
        return parse_yuan(text, allow_zero=zero)
    except AmountError as exc:
        raise CellError(amount_refusal(exc, allow_zero=zero)) from exc
