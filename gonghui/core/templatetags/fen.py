"""`{{ amount_fen|yuan }}`: fen as the yuan a person reads ("158.00"), "—" for none."""

from __future__ import annotations

from django import template

from gonghui.core.money import fen_to_yuan

register = template.Library()


@register.filter
def yuan(fen: int | None) -> str:
    return "—" if fen is None else fen_to_yuan(int(fen))
