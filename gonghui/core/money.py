"""Money is kept in fen (integers); this is how it reads as yuan."""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation
from typing import Any


def fen_to_yuan(fen: int) -> str:
    """Fen as the yuan a person reads and a bank file carries: 50000 → "500.00"."""
    return f"{Decimal(fen) / 100:.2f}"


def fen_to_decimal(fen: int) -> Decimal:
    """Fen as yuan with two decimals, exact: a number cell in a workbook ("158.00")."""
    return (Decimal(fen) / 100).quantize(Decimal("0.01"))


class AmountError(ValueError):
    """Why a value is not an amount of yuan: `kind` is "format", "decimals", "sign" or "range"."""

    def __init__(self, kind: str) -> None:
        super().__init__(kind)
        self.kind = kind


# Signs a bank's file or a typist puts around an amount (after NFKC: "，" is ",", "￥" is "¥").
_DECORATION = str.maketrans("", "", "¥元 ")
# Thousands grouped by commas, as typed: "3,000", "1,200,000.50" (never "3,00": that is a typo).
_GROUPED = re.compile(r"[+-]?\d{1,3}(,\d{3})+(\.\d*)?")
# From here on (10 trillion yuan) no amount is real, whatever the caller allows.
LIMIT_FEN = 10**15


def amount_refusal(exc: AmountError, *, allow_zero: bool) -> str:
    """The Chinese reason an amount was refused, for a form field or a file's cell (one wording everywhere)."""
    return {
        "format": "应为金额（元），如 1200.00",
        "decimals": "金额最多两位小数",
        "sign": "金额不能为负数" if allow_zero else "金额须为正数",
        "range": "金额超出范围",
    }[exc.kind]


def parse_yuan(value: Any, *, allow_zero: bool = False, max_fen: int | None = None) -> int:
    """Yuan as typed or written in a file to fen, exactly; `AmountError` with its kind otherwise.

    Reads what cadres type: "3000", "3,000", "3，000", "￥300", "¥300", "300元", "300.5",
    full-width digits (NFKC), and numbers from a workbook (12.5). Refuses "format" (not a
    number, blank, badly grouped commas), "decimals" (more than two), "sign" (negative, or
    zero unless `allow_zero`) and "range" (over `max_fen`, or over `LIMIT_FEN` whatever the
    caller allows). Never through a float's rounding: a float arrives as its shortest form,
    the number that was typed. Each caller words the refusal for its own page or file.
    """
    if isinstance(value, bool) or value is None:
        raise AmountError("format")
    text = unicodedata.normalize("NFKC", str(value)).translate(_DECORATION).strip()
    if "," in text:
        if not _GROUPED.fullmatch(text):
            raise AmountError("format")
        text = text.replace(",", "")
    try:
        amount = Decimal(text)
    except InvalidOperation as exc:
        raise AmountError("format") from exc
    if not amount.is_finite():
        raise AmountError("format")
    if amount < 0:
        raise AmountError("sign")
    if amount and amount.adjusted() >= 13:  # 10**13 yuan and up: past LIMIT_FEN
        raise AmountError("range")
    fen = amount * 100
    if fen != fen.to_integral_value():
        raise AmountError("decimals")
    if fen == 0 and not allow_zero:
        raise AmountError("sign")
    if fen >= LIMIT_FEN or (max_fen is not None and fen > max_fen):
        raise AmountError("range")
    return int(fen)
