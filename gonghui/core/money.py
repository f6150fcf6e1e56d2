"""Money is kept in fen (integers); this is how it reads as yuan."""

from __future__ import annotations

from decimal import Decimal


def fen_to_yuan(fen: int) -> str:
    """Fen as the yuan a person reads and a bank file carries: 50000 → "500.00"."""
    return f"{Decimal(fen) / 100:.2f}"
