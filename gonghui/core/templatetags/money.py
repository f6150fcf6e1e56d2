"""Money as Chinese reports print it: ¥9.04亿, ¥4,287.43万, ¥5,300.00."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django import template

register = template.Library()

YI = Decimal(100_000_000)
WAN = Decimal(10_000)
CENT = Decimal("0.01")


@register.filter
def cny(value: float | int | str | None) -> str:
    """Yuan in 亿 from one 亿 up, in 万 from one 万 up, else in yuan; two decimals."""
    if value in (None, ""):
        return "—"
    amount = Decimal(str(value))
    for unit, suffix in ((YI, "亿"), (WAN, "万")):
        if abs(amount) >= unit:
            return f"¥{(amount / unit).quantize(CENT, ROUND_HALF_UP):,}{suffix}"
    return f"¥{amount.quantize(CENT, ROUND_HALF_UP):,}"


@register.filter
def thousands(value: float | int | str | None) -> str:
    """A count with thousands separators, 1234567 → 1,234,567, whatever the locale.

    Django's `intcomma` groups too now (the project's zh_Hans format module, core/formats/), and
    is what yuan strings take ("1234.00" → "1,234.00"); this one also prints "—" for none and
    drops a zero fraction of a count. Decimals keep their fraction: 1234.5 → 1,234.5.
    """
    if value in (None, ""):
        return "—"
    try:
        number = Decimal(str(value))
    except ArithmeticError:
        return str(value)
    if not number.is_finite():
        return str(value)
    if number == number.to_integral_value():
        return f"{int(number):,}"
    return f"{number:,}"
