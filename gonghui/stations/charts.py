"""The dashboard's chart of stations by city (registered from the app's `ready`)."""

from __future__ import annotations

from typing import Any

from gonghui.stations.selectors import stations_by_city


def stations_by_city_chart(paths: list[str] | None) -> dict[str, Any]:
    """Stations not closed under `paths`, by prefecture (地级市), most first; a count, not money."""
    rows = stations_by_city(paths)
    return {
        "labels": [name for _code, name, _n in rows],
        "unit": "座",
        "series": [{"name": "驿站", "values": [n for _code, _name, n in rows]}],
    }
