from __future__ import annotations

from typing import Any

from gonghui.core.stats import stat_provider
from gonghui.stations.selectors import station_counts


@stat_provider(order=35)
def station_stats(paths: list[str] | None) -> dict[str, Any]:
    """stations (open), stations_cobuilt, station_volunteers, duty_groups, duty_shifts, duty_shifts_missed."""
    return station_counts(paths)
