"""`{{ amount_fen|yuan }}`: fen as the yuan a person reads ("1,580.00"), "—" for none."""

from __future__ import annotations

from decimal import Decimal

from django import template

register = template.Library()


@register.filter
def yuan(fen: int | None) -> str:
    # Grouped by thousands for the eye; files and workbooks take core.money.fen_to_yuan ("1580.00").
    return "—" if fen is None else f"{Decimal(int(fen)) / 100:,.2f}"
