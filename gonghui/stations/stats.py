from __future__ import annotations

from typing import Any

from gonghui.core.stats import stat_provider
from gonghui.core.ui import register_dashboard_chart
from gonghui.stations.selectors import station_counts, visits_by_month


@stat_provider(order=35)
def station_stats(paths: list[str] | None) -> dict[str, Any]:
    """stations (open), stations_cobuilt, station_volunteers, duty_groups, duty_shifts, duty_shifts_missed,
    duty_shifts_late, station_visits (scanned plus counted by hand in the duty logs)."""
    return station_counts(paths)


def visits_chart(paths: list[str] | None) -> dict[str, Any]:
    """The dashboard's chart of station visits (人次) by month, the last twelve months."""
    by_month = visits_by_month(paths)
    return {
        "labels": [f"{key[:4]}年{int(key[5:])}月" for key in by_month],
        "series": [{"name": "到访人次", "values": list(by_month.values())}],
        "unit": "人次",
    }


register_dashboard_chart(chart_id="station-visits", title="驿站 · 到访人次（按月）", data=visits_chart, order=70)
