from __future__ import annotations

from typing import Any

from gonghui.core.stats import stat_provider
from gonghui.core.ui import register_money_series


@stat_provider(order=31)
def payout_stats(paths: list[str] | None) -> dict[str, Any]:
    from gonghui.payouts.selectors import payout_counts

    return payout_counts(paths)


register_money_series(key="payout_yuan", label="资金代发", order=10)
