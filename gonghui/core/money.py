"""Money is kept in fen (integers); this is how it reads as yuan."""

from __future__ import annotations

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


# Signs a bank's file or a typist puts around an amount.
_DECORATION = str.maketrans("", "", ",¥元 ")


def parse_yuan(value: Any, *, allow_zero: bool = False, max_fen: int | None = None) -> int:
    """Yuan as typed or written in a file (12.5, "12.50", "1,200", "¥30") to fen, exactly.

    Never through a float's rounding: a float arrives as its shortest form, the
    number that was typed. Each caller words the refusal for its own page or file.
    """
    text = str(value).translate(_DECORATION).strip()
    try:
        amount = Decimal(text)
    except InvalidOperation as exc:
        raise AmountError("format") from exc
    if not amount.is_finite():
        raise AmountError("format")
    fen = amount * 100
    if fen != fen.to_integral_value():
        raise AmountError("decimals")
    if fen < 0 or (fen == 0 and not allow_zero):
        raise AmountError("sign")
    if max_fen is not None and fen > max_fen:
        raise AmountError("range")
    return int(fen)
