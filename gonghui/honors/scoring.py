"""Weighted scoring, pure (no database): criteria weights summing to 100, a reviewer's marks 0–100 per
criterion, their weighted total, the combined score of several reviewers (the mean of their totals)
and the ranking of a level's nominations by it.

Exact arithmetic (fractions) until the end: a total is rounded once, to two decimals, for display.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import TypeVar

K = TypeVar("K")
T = TypeVar("T")

MARK_MAX = 100
WEIGHTS_SUM = 100


def weights_problems(weights: Sequence[tuple[str, int]]) -> list[str]:
    """Every reason a level's criteria (name, weight) are not usable; empty when they are."""
    problems = []
    names = [name.strip() for name, _ in weights]
    if any(not name for name in names):
        problems.append("评分项名称不能为空")
    if len(set(names)) != len(names):
        problems.append("评分项名称不能重复")
    if any(w < 1 or w > WEIGHTS_SUM for _, w in weights):
        problems.append("每项权重应在 1 到 100 之间")
    total = sum(w for _, w in weights)
    if weights and total != WEIGHTS_SUM:
        problems.append(f"权重合计应为 100，现为 {total}")
    return problems


def marks_problems(criteria: Sequence[K], marks: Mapping[K, int]) -> list[K]:
    """The criteria left without a mark or with a mark outside 0–100."""
    return [c for c in criteria if c not in marks or not 0 <= marks[c] <= MARK_MAX]


def weighted_total(weights: Mapping[K, int], marks: Mapping[K, int]) -> Fraction:
    """Σ weight × mark / 100: 0–100, exact. Every weighted criterion must be marked."""
    return Fraction(sum(weights[k] * marks[k] for k in weights), WEIGHTS_SUM)


def combined(totals: Sequence[Fraction]) -> Fraction | None:
    """The mean of the reviewers' weighted totals (None while nobody has scored)."""
    return sum(totals, Fraction(0)) / len(totals) if totals else None


def rounded(value: Fraction | None) -> Decimal | None:
    """Two decimals, half up, for display and storage."""
    if value is None:
        return None
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(Decimal("0.01"), ROUND_HALF_UP)


def ranking(items: Sequence[tuple[T, Fraction | None]]) -> list[tuple[int | None, T, Fraction | None]]:
    """Highest combined score first; equal scores share a rank (1, 1, 3); the unscored last, unranked."""
    scored = sorted((i for i in items if i[1] is not None), key=lambda i: i[1], reverse=True)  # type: ignore[arg-type, return-value]
    out: list[tuple[int | None, T, Fraction | None]] = []
    for position, (item, score) in enumerate(scored, start=1):
        rank = out[-1][0] if out and out[-1][2] == score else position
        out.append((rank, item, score))
    out.extend((None, item, None) for item, score in items if score is None)
    return out
