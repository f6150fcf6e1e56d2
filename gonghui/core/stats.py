"""Headline statistics: each domain registers the keys it answers.

A provider takes the subtree paths to count under (None: the whole platform)
and returns a dict of numbers. `gonghui stats --json`, `/api/v1/stats` and the
dashboard all call `stats_collect`, so they can never disagree.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

StatProvider = Callable[[list[str] | None], dict[str, Any]]

_providers: list[tuple[int, StatProvider]] = []


def stat_provider(order: int) -> Callable[[StatProvider], StatProvider]:
    def decorator(func: StatProvider) -> StatProvider:
        _providers.append((order, func))
        _providers.sort(key=lambda item: item[0])
        return func

    return decorator


def stats_collect(paths: list[str] | None) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for _order, provider in _providers:
        out.update(provider(paths))
    return out


# --- monthly series (the dashboard's charts by month) ---------------------------------------------

# (paths, first month) → {key: {"2026-01": value, …}}: the same keys as the headline figures.
SeriesProvider = Callable[[list[str] | None, date], dict[str, dict[str, float]]]

_series: list[tuple[int, SeriesProvider]] = []


def series_provider(order: int) -> Callable[[SeriesProvider], SeriesProvider]:
    def decorator(func: SeriesProvider) -> SeriesProvider:
        _series.append((order, func))
        _series.sort(key=lambda item: item[0])
        return func

    return decorator


def months_back(today: date, n: int) -> list[str]:
    """The last `n` months up to `today`'s, oldest first, as "YYYY-MM"."""
    y, m = today.year, today.month
    out = []
    for _ in range(n):
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y, m - 1) if m > 1 else (y - 1, 12)
    return out[::-1]


def series_collect(paths: list[str] | None, months: list[str]) -> dict[str, list[float]]:
    """Each registered key's value per month of `months` (0 where nothing happened)."""
    since = date.fromisoformat(months[0] + "-01")
    merged: dict[str, dict[str, float]] = {}
    for _order, provider in _series:
        for key, by_month in provider(paths, since).items():
            target = merged.setdefault(key, {})
            for month, value in by_month.items():
                target[month] = target.get(month, 0.0) + value
    return {key: [round(by_month.get(m, 0.0), 2) for m in months] for key, by_month in merged.items()}
