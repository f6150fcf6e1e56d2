"""The contest's arithmetic: judges combined, weights, ranks with ties, awards; property tests and worked cases."""

from __future__ import annotations

import itertools
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gonghui.skills.scoring import (
    FIRST,
    SECOND,
    THIRD,
    JudgeRule,
    Result,
    ScoringError,
    average_rise,
    awards,
    cents,
    combine_judges,
    rank,
    weighted_total,
)

points = st.decimals(min_value=0, max_value=100, places=2, allow_nan=False, allow_infinity=False)
weights = st.integers(min_value=0, max_value=100)


# --- weights ---------------------------------------------------------------------------------------


def test_the_default_weights_are_thirty_and_seventy() -> None:
    total = weighted_total(theory=Decimal(80), practical=Decimal(90), theory_weight=30, practical_weight=70)
    assert total == Decimal("87.00")


@given(theory=points, practical=points, w=weights)
def test_a_weighted_total_lies_between_the_two_papers(theory: Decimal, practical: Decimal, w: int) -> None:
    total = weighted_total(theory=theory, practical=practical, theory_weight=w, practical_weight=100 - w)
    assert min(theory, practical) <= total <= max(theory, practical)
    assert total == cents(total)


@given(theory=points, practical=points)
def test_a_paper_weighted_100_is_the_total(theory: Decimal, practical: Decimal) -> None:
    assert weighted_total(theory=theory, practical=practical, theory_weight=100, practical_weight=0) == theory
    assert weighted_total(theory=theory, practical=practical, theory_weight=0, practical_weight=100) == practical


@given(theory=points, practical=points, better=points, w=weights)
def test_a_better_practical_never_lowers_the_total(
    theory: Decimal, practical: Decimal, better: Decimal, w: int
) -> None:
    low, high = sorted([practical, better])
    a = weighted_total(theory=theory, practical=low, theory_weight=w, practical_weight=100 - w)
    b = weighted_total(theory=theory, practical=high, theory_weight=w, practical_weight=100 - w)
    assert a <= b


@pytest.mark.parametrize("tw,pw", [(30, 60), (50, 51), (-10, 110)])
def test_weights_that_do_not_sum_to_100_are_refused(tw: int, pw: int) -> None:
    with pytest.raises(ScoringError):
        weighted_total(theory=Decimal(1), practical=Decimal(1), theory_weight=tw, practical_weight=pw)


# --- judges combined -------------------------------------------------------------------------------


def test_dropping_the_highest_and_lowest_of_five() -> None:
    scores = [Decimal(x) for x in ("90", "85", "99", "60", "88")]
    assert combine_judges(scores, JudgeRule.TRIMMED_MEAN) == Decimal("87.67")  # (85 + 88 + 90) / 3
    assert combine_judges(scores, JudgeRule.MEAN) == Decimal("84.40")
    assert combine_judges(scores, JudgeRule.MEDIAN) == Decimal("88.00")


def test_dropping_highest_and_lowest_needs_three_judges() -> None:
    with pytest.raises(ScoringError):
        combine_judges([Decimal(80), Decimal(90)], JudgeRule.TRIMMED_MEAN)
    with pytest.raises(ScoringError):
        combine_judges([], JudgeRule.MEAN)


@given(st.lists(points, min_size=3, max_size=9), st.randoms())
def test_trimmed_mean_ignores_order_and_lies_within_the_kept_scores(values: list[Decimal], rnd) -> None:  # type: ignore[no-untyped-def]
    result = combine_judges(values, JudgeRule.TRIMMED_MEAN)
    shuffled = list(values)
    rnd.shuffle(shuffled)
    assert combine_judges(shuffled, JudgeRule.TRIMMED_MEAN) == result
    ordered = sorted(values)
    assert ordered[1] <= result <= ordered[-2]


@given(st.lists(points, min_size=3, max_size=9), points)
def test_trimmed_mean_is_deaf_to_one_extreme_judge(values: list[Decimal], extreme: Decimal) -> None:
    """Raising the highest score, or lowering the lowest, does not move the result."""
    ordered = sorted(values)
    higher = [*ordered[:-1], max(ordered[-1], extreme)]
    lower = [min(ordered[0], extreme), *ordered[1:]]
    result = combine_judges(ordered, JudgeRule.TRIMMED_MEAN)
    assert combine_judges(higher, JudgeRule.TRIMMED_MEAN) == result
    assert combine_judges(lower, JudgeRule.TRIMMED_MEAN) == result


@given(st.lists(points, min_size=1, max_size=9))
def test_every_rule_lies_between_the_lowest_and_highest(values: list[Decimal]) -> None:
    for rule in (JudgeRule.MEAN, JudgeRule.MEDIAN):
        assert min(values) <= combine_judges(values, rule) <= max(values)


# --- ranks and ties --------------------------------------------------------------------------------


def r(key: int, theory: str, practical: str, total: str) -> Result:
    return Result(key=key, theory=Decimal(theory), practical=Decimal(practical), total=Decimal(total))


def test_a_tie_on_the_total_goes_to_the_better_practical_then_theory() -> None:
    rows = [r(1, "90", "80", "83"), r(2, "76", "86", "83"), r(3, "90", "86", "87.2"), r(4, "80", "86", "83")]
    ranked = rank(rows)
    assert [(x.key, x.rank) for x in ranked] == [(3, 1), (4, 2), (2, 3), (1, 4)]


def test_the_tie_break_is_the_contests_choice() -> None:
    rows = [r(1, "90", "80", "83"), r(2, "76", "86", "83")]
    assert [x.key for x in rank(rows, "theory,practical")] == [1, 2]
    assert [x.key for x in rank(rows, "practical,theory")] == [2, 1]
    with pytest.raises(ScoringError):
        rank(rows, "coin")


def test_rows_equal_on_everything_share_a_rank_and_the_next_rank_skips() -> None:
    rows = [r(1, "80", "80", "80"), r(2, "80", "80", "80"), r(3, "70", "70", "70")]
    assert [(x.key, x.rank) for x in rank(rows)] == [(1, 1), (2, 1), (3, 3)]


results = st.builds(
    lambda key, t, p, w: Result(
        key=key,
        theory=t,
        practical=p,
        total=weighted_total(theory=t, practical=p, theory_weight=w, practical_weight=100 - w),
    ),
    st.integers(min_value=1, max_value=10**6),
    st.sampled_from([Decimal(x) for x in ("60", "70", "80", "90")]),  # few values: many ties
    st.sampled_from([Decimal(x) for x in ("60", "70", "80", "90")]),
    st.just(30),
)


@given(st.lists(results, max_size=30, unique_by=lambda x: x.key))
def test_ranking_properties(rows: list[Result]) -> None:
    ranked = rank(rows)
    assert sorted(x.key for x in ranked) == sorted(x.key for x in rows)
    for i, x in enumerate(ranked):
        ahead = [y for y in rows if (y.total, y.practical, y.theory) > (x.total, x.practical, x.theory)]
        assert x.rank == 1 + len(ahead)  # competition ranking: 1 + those strictly better
        if i:
            prev = ranked[i - 1]
            assert (prev.total, prev.practical, prev.theory) >= (x.total, x.practical, x.theory)
            if prev.total == x.total:
                assert prev.practical >= x.practical  # a tie on the total goes to the practical


# --- awards ----------------------------------------------------------------------------------------


def test_awards_one_two_three_by_default() -> None:
    rows = [r(i, "80", str(90 - i), str(90 - i)) for i in range(1, 9)]
    given_awards = [x.award for x in awards(rank(rows))]
    assert given_awards == [FIRST, SECOND, SECOND, THIRD, THIRD, THIRD, "", ""]


def test_a_full_tie_at_a_boundary_shares_the_award() -> None:
    rows = [r(1, "90", "90", "90"), r(2, "90", "90", "90"), r(3, "50", "50", "50")]
    assert [x.award for x in awards(rank(rows), (1, 1, 0))] == [FIRST, FIRST, ""]


@given(st.lists(results, max_size=30, unique_by=lambda x: x.key), st.tuples(*[st.integers(0, 4)] * 3))
def test_awards_follow_rank(rows: list[Result], counts: tuple[int, int, int]) -> None:
    out = awards(rank(rows), counts)
    order = {FIRST: 0, SECOND: 1, THIRD: 2, "": 3}
    for a, b in itertools.pairwise(out):
        assert order[a.award] <= order[b.award]
    if len({x.rank for x in out}) == len(out):  # no shared rank: the counts hold exactly
        for award, count in zip((FIRST, SECOND, THIRD), counts, strict=True):
            assert sum(1 for x in out if x.award == award) == min(count, max(0, len(out) - sum(counts[: order[award]])))


# --- income rise -----------------------------------------------------------------------------------


def test_the_average_rise_is_computed_from_both_incomes() -> None:
    assert average_rise([(3_000_000, 4_200_000), (2_000_000, 3_200_000), (1_000_000, 2_200_000)]) == Decimal(1_200_000)
    assert average_rise([(100, 150), (100, 101)]) == Decimal("25.50")
    assert average_rise([]) is None
