from __future__ import annotations

from typing import Any

from gonghui.core.stats import stat_provider
from gonghui.members.selectors import member_counts


@stat_provider(order=20)
def members_stats(paths: list[str] | None) -> dict[str, Any]:
    return member_counts(paths)
