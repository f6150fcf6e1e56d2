"""A contest's arithmetic, as pure functions (DOMAIN §6): judges combined, papers weighted, ranks, awards.

Scores are `Decimal` points out of 100, kept to two decimals (half up) at each
step a person reads: an item's combined judges' score, the practical paper, the
weighted total. Nothing here touches the database; the services feed it rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal
from statistics import median

CENT = Decimal("0.01")
HUNDRED = Decimal(100)


class JudgeRule:
    """How the several judges' scores of one practical item become one score."""

    MEAN = "mean"
    TRIMMED_MEAN = "trimmed_mean"  # drop the highest and the lowest, then the mean
    MEDIAN = "median"

    CHOICES = [
        (MEAN, "平均分"),
        (TRIMMED_MEAN, "去掉一个最高分和一个最低分后的平均分"),
        (MEDIAN, "中位数"),
    ]


# The tie-breakers a contest may choose, after the total: the practical paper first by default (DOMAIN §6).
TIE_BREAKS = {
    "practical,theory": ("practical", "theory"),
    "practical": ("practical",),
    "theory,practical": ("theory", "practical"),
}
TIE_BREAK_CHOICES = [
    ("practical,theory", "总分相同比实操成绩，再比理论成绩"),
    ("practical", "总分相同比实操成绩（仍相同则并列）"),
    ("theory,practical", "总分相同比理论成绩，再比实操成绩"),
]
TRIMMED_MIN_JUDGES = 3


class ScoringError(ValueError):
    """The figures cannot be combined as asked (too few judges for the rule)."""


def cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def combine_judges(values: Sequence[Decimal], rule: str) -> Decimal:
    """One item's score from its judges' scores under `rule`, to the cent."""
    if not values:
        raise ScoringError("no judge scored this item")
    ordered = sorted(values)
    if rule == JudgeRule.MEAN:
        kept = ordered
    elif rule == JudgeRule.TRIMMED_MEAN:
        if len(ordered) < TRIMMED_MIN_JUDGES:
            raise ScoringError("dropping the highest and the lowest needs at least three judges")
        kept = ordered[1:-1]
    elif rule == JudgeRule.MEDIAN:
        return cents(Decimal(median(ordered)))
    else:
        raise ScoringError(f"unknown rule {rule!r}")
    return cents(sum(kept, Decimal(0)) / len(kept))


def weighted_total(*, theory: Decimal, practical: Decimal, theory_weight: int, practical_weight: int) -> Decimal:
    """The total out of 100: theory × its weight + practical × its weight (weights in percent, summing to 100)."""
    if theory_weight < 0 or practical_weight < 0 or theory_weight + practical_weight != 100:
        raise ScoringError("the weights must be non-negative and sum to 100")
    return cents((theory * theory_weight + practical * practical_weight) / HUNDRED)


@dataclass(frozen=True)
class Result:
    """A contestant's papers and total, as the ranking reads them; `key` names the row (an entry's id)."""

    key: int
    theory: Decimal
    practical: Decimal
    total: Decimal
    rank: int = 0
    award: str = ""


def rank(results: Sequence[Result], tie_break: str = "practical,theory") -> list[Result]:
    """Results best first, each with its rank: 1 + the number of rows strictly ahead of it.

    Rows equal on the total are ordered by the tie-breakers in turn; rows equal on all of
    them share a rank (1, 1, 3). The order within a shared rank follows `key`, so it is stable.
    """
    keys = TIE_BREAKS.get(tie_break)
    if keys is None:
        raise ScoringError(f"unknown tie-break {tie_break!r}")

    def merit(r: Result) -> tuple[Decimal, ...]:
        return (r.total, *(getattr(r, k) for k in keys))

    ordered = sorted(results, key=lambda r: (tuple(-v for v in merit(r)), r.key))
    out: list[Result] = []
    for i, r in enumerate(ordered):
        shared = i > 0 and merit(ordered[i - 1]) == merit(r)
        out.append(replace(r, rank=out[-1].rank if shared else i + 1))
    return out


FIRST, SECOND, THIRD = "first", "second", "third"
AWARD_LABELS = {FIRST: "一等奖", SECOND: "二等奖", THIRD: "三等奖"}


def awards(ranked: Sequence[Result], counts: tuple[int, int, int] = (1, 2, 3)) -> list[Result]:
    """Awards by rank: ranks 1..n1 一等, the next n2 二等, the next n3 三等 (1, 2, 3 per event by default).

    A rank shared by rows that still tie after the tie-breakers gives them all the award
    of that rank, so a full tie at a boundary can give more awards than the counts.
    """
    bands = []
    upper = 0
    for award, count in zip((FIRST, SECOND, THIRD), counts, strict=True):
        if count < 0:
            raise ScoringError("award counts cannot be negative")
        upper += count
        bands.append((upper, award))
    out = []
    for r in ranked:
        award = next((a for limit, a in bands if r.rank <= limit), "")
        out.append(replace(r, award=award))
    return out


def average_rise(pairs: Sequence[tuple[int, int]]) -> Decimal | None:
    """The average of (after − before) over the pairs, in the pairs' unit, to the cent; None without any pair.

    A training class's trainees' yearly incomes before and a year after (fen): the rise is computed
    from the incomes, never typed.
    """
    if not pairs:
        return None
    return cents(Decimal(sum(after - before for before, after in pairs)) / len(pairs))
