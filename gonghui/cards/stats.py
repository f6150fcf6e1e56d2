from __future__ import annotations

from typing import Any

from gonghui.cards.selectors import card_counts, credit_counts
from gonghui.core.stats import stat_provider


@stat_provider(order=30)
def cards_stats(paths: list[str] | None) -> dict[str, Any]:
    return card_counts(paths)


@stat_provider(order=32)
def credit_stats(paths: list[str] | None) -> dict[str, Any]:
    """credit_cards: approved 黔优信用卡 referrals; credit_line_yuan: their granted credit lines."""
    return credit_counts(paths)
