"""How the dashboard prints money and which months its charts cover."""

from __future__ import annotations

from datetime import date

import pytest

from gonghui.core.stats import months_back
from gonghui.core.templatetags.money import cny


@pytest.mark.parametrize(
    ("yuan", "printed"),
    [
        (904_000_000, "¥9.04亿"),
        (10_530_000_000, "¥105.30亿"),
        (42_874_300, "¥4,287.43万"),
        (18_080_000.0, "¥1,808.00万"),
        (9_999.995, "¥10,000.00"),  # rounds half up; still below one 万 before rounding
        (5_300, "¥5,300.00"),
        (0, "¥0.00"),
        (None, "—"),
    ],
)
def test_cny_prints_yi_wan_or_yuan(yuan, printed) -> None:
    assert cny(yuan) == printed


def test_months_back_crosses_the_year() -> None:
    assert months_back(date(2026, 2, 28), 4) == ["2025-11", "2025-12", "2026-01", "2026-02"]
    assert months_back(date(2026, 11, 29), 12)[0] == "2025-12"
