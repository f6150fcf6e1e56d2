"""The quota arithmetic: a list just under a share is refused, exactly at or just over it passes."""

from __future__ import annotations

import math
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from gonghui.honors.quotas import Rule, quota_figures, quotas_met, rule_figure

shares = st.integers(min_value=1, max_value=1000).map(lambda n: Decimal(n) / 1000)
sizes = st.integers(min_value=1, max_value=400)


def nominees(with_attr: int, total: int, attribute: str = "front_line") -> list[set[str]]:
    return [{attribute} if i < with_attr else set() for i in range(total)]


@given(share=shares, total=sizes)
def test_a_minimum_share_just_under_and_just_over(share: Decimal, total: int) -> None:
    rule = Rule("front_line", "min_share", share=share)
    need = math.ceil(share * total)  # the fewest that make the share
    assert rule_figure(rule, nominees(need, total)).ok
    if need > 0:
        assert not rule_figure(rule, nominees(need - 1, total)).ok
    if need < total:
        assert rule_figure(rule, nominees(need + 1, total)).ok


@given(share=shares, total=sizes)
def test_a_maximum_share_just_under_and_just_over(share: Decimal, total: int) -> None:
    rule = Rule("enterprise_head", "max_share", share=share)
    most = math.floor(share * total)  # the most allowed
    assert rule_figure(rule, nominees(most, total, "enterprise_head")).ok
    if most > 0:
        assert rule_figure(rule, nominees(most - 1, total, "enterprise_head")).ok
    if most < total:
        assert not rule_figure(rule, nominees(most + 1, total, "enterprise_head")).ok


@given(count=st.integers(min_value=0, max_value=50), extra=st.integers(min_value=0, max_value=50))
def test_a_minimum_count(count: int, extra: int) -> None:
    rule = Rule("new_employment", "min_count", count=count)
    assert rule_figure(rule, nominees(count, count + extra, "new_employment")).ok
    if count:
        assert not rule_figure(rule, nominees(count - 1, count + extra, "new_employment")).ok


@given(places=st.integers(min_value=1, max_value=100))
def test_places_just_under_and_just_over(places: int) -> None:
    assert quotas_met(quota_figures([], nominees(0, places), places))
    assert not quotas_met(quota_figures([], nominees(0, places + 1), places))
    assert not quotas_met(quota_figures([], [], places))  # an empty list is not sent up


def test_the_figures_read_as_a_refusal_shows_them() -> None:
    rules = [Rule("front_line", "min_share", share=Decimal("0.85")), Rule("migrant", "min_share", share=Decimal("0.1"))]
    figures = quota_figures(rules, nominees(16, 20), 20)
    assert [f.ok for f in figures] == [True, False, False]
    assert figures[1].text == "一线职工：16/20（80.0%），要求不低于 85%，不符合"
    assert figures[2].text == "农民工：0/20（0.0%），要求不低于 10%，不符合"
    assert quotas_met(quota_figures(rules, [{"front_line", "migrant"}] * 2 + [{"front_line"}] * 15 + [set()] * 3, 20))


@given(share=shares, total=sizes, collectives=st.integers(min_value=1, max_value=30))
def test_collective_nominees_take_places_but_are_not_counted_in_a_share(
    share: Decimal, total: int, collectives: int
) -> None:
    rule = Rule("front_line", "min_share", share=share)
    need = math.ceil(share * total)
    # The same individuals meet (or miss) the share whatever the collectives beside them.
    assert quota_figures([rule], nominees(need, total), None, collectives=collectives)[0].ok
    if need > 0:
        figure = quota_figures([rule], nominees(need - 1, total), None, collectives=collectives)[0]
        assert not figure.ok and figure.total == total
    places = quota_figures([], nominees(0, total), total + collectives - 1, collectives=collectives)[0]
    assert (places.have, places.ok) == (total + collectives, False)
    assert quota_figures([], nominees(0, total), total + collectives, collectives=collectives)[0].ok
