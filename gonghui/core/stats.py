"""Headline statistics: each domain registers the keys it answers.

A provider takes the subtree paths to count under (None: the whole platform)
and returns a dict of numbers. `gonghui stats --json`, `/api/v1/stats` and the
dashboard all call `stats_collect`, so they can never disagree.
"""

from __future__ import annotations

from collections.abc import Callable
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
