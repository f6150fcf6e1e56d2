"""The demo loader: each domain app contributes a step in its own `demo.py`.

A step is a function `(ctx: DemoContext) -> None` registered with
`@demo_step(order)`; steps run in order inside one transaction, so a failed load
leaves the database as it was. Later domains add their people, cards,
campaigns and cases by adding a step, never by editing this file.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

SCALES = ("small", "seed")


@dataclass
class DemoAccount:
    username: str
    password: str
    role: str
    org_label: str


@dataclass
class DemoContext:
    scale: str
    rng: random.Random
    accounts: list[DemoAccount] = field(default_factory=list)
    shared: dict[str, Any] = field(default_factory=dict)
    log: Callable[[str], None] = print

    @property
    def is_seed(self) -> bool:
        return self.scale == "seed"

    def scaled(self, seed_count: int, small_ratio: float = 0.2) -> int:
        """The page's figure at `seed`, a proportionate share at `small`."""
        return seed_count if self.is_seed else max(1, round(seed_count * small_ratio))


DemoStep = Callable[[DemoContext], None]
_steps: list[tuple[int, str, DemoStep]] = []


def demo_step(order: int) -> Callable[[DemoStep], DemoStep]:
    def decorator(func: DemoStep) -> DemoStep:
        _steps.append((order, f"{func.__module__}.{func.__name__}", func))
        _steps.sort(key=lambda item: item[0])
        return func

    return decorator


def demo_steps() -> list[tuple[int, str, DemoStep]]:
    return list(_steps)


def split_exactly(total: int, weights: list[float]) -> list[int]:
    """Positive whole units (yuan, fen…) in proportion to `weights` that add up to `total` exactly.

    The demo's money figures are the page's to the last fen: amounts are drawn
    as weights and scaled, and the rounding left over goes one unit at a time.
    """
    if total < len(weights):
        raise ValueError("fewer units than shares")
    scale = total / sum(weights)
    amounts = [max(1, int(w * scale)) for w in weights]
    short = total - sum(amounts)
    step = 1 if short > 0 else -1
    i = 0
    while short:
        if amounts[i % len(amounts)] + step >= 1:
            amounts[i % len(amounts)] += step
            short -= step
        i += 1
    return amounts
