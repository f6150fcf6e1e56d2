"""The rotation generator and the swap rule, as pure functions (property tests)."""

from __future__ import annotations

from collections import Counter
from datetime import date, time, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gonghui.stations.hours import OpeningHours, Window
from gonghui.stations.rotation import RotationKind, RotationRule, RuleError, exchange, hand_over, plan_shifts

EVERY_DAY = OpeningHours(Window(time(8), time(22)), Window(time(9), time(1)), Window(time(10), time(16)))
NO_WEEKENDS = OpeningHours(Window(time(8), time(22)), None, None)
MONDAY = date(2026, 1, 5)

mondays = st.integers(min_value=0, max_value=200).map(lambda n: MONDAY + timedelta(weeks=n))
days = st.integers(min_value=0, max_value=1500).map(lambda n: MONDAY + timedelta(days=n))


@given(
    start=mondays,
    groups=st.lists(st.integers(min_value=1, max_value=99), min_size=1, max_size=6, unique=True),
    weeks=st.integers(min_value=1, max_value=20),
    holidays=st.sets(days, max_size=30),
)
def test_every_week_has_exactly_one_group_in_turn(start, groups, weeks, holidays) -> None:  # type: ignore[no-untyped-def]
    rule = RotationRule(RotationKind.WEEKLY, start, tuple(groups))
    shifts = plan_shifts(rule, hours=EVERY_DAY, first=start, last=start + timedelta(weeks=weeks) - timedelta(days=1))
    by_week: dict[int, set[int | None]] = {}
    for s in shifts:
        by_week.setdefault((s.day - start).days // 7, set()).add(s.group)
    assert sorted(by_week) == list(range(weeks))
    for week, holders in by_week.items():
        assert holders == {groups[week % len(groups)]}
    # A station closed on holidays and weekends: no shift falls on one, and the turns keep to the calendar.
    skipped = plan_shifts(
        rule, hours=NO_WEEKENDS, first=start, last=start + timedelta(weeks=weeks) - timedelta(days=1), holidays=holidays
    )
    assert all(s.day not in holidays and s.day.weekday() < 5 for s in skipped)
    assert len(skipped) == sum(1 for s in shifts if s.day not in holidays and s.day.weekday() < 5)
    assert all(s.group == groups[((s.day - start).days // 7) % len(groups)] for s in skipped)


@given(first=days, length=st.integers(min_value=0, max_value=120), holidays=st.sets(days, max_size=40))
def test_days_without_hours_have_no_shift(first, length, holidays) -> None:  # type: ignore[no-untyped-def]
    last = first + timedelta(days=length)
    rule = RotationRule(RotationKind.DAILY, first, people_per_shift=3)
    shifts = plan_shifts(rule, hours=NO_WEEKENDS, first=first, last=last, holidays=holidays, closed_days={first})
    expected = [
        first + timedelta(days=i)
        for i in range(length + 1)
        if (first + timedelta(days=i)).weekday() < 5 and first + timedelta(days=i) not in holidays | {first}
    ]
    assert [s.day for s in shifts] == expected
    assert all(s.capacity == 3 and s.group is None for s in shifts)


def test_a_late_closing_shift_ends_the_next_morning() -> None:
    rule = RotationRule(RotationKind.WEEKLY, MONDAY, (1, 2))
    saturday = MONDAY + timedelta(days=5)
    (shift,) = plan_shifts(rule, hours=EVERY_DAY, first=saturday, last=saturday)
    assert (shift.starts_at.hour, shift.ends_at.date(), shift.ends_at.hour) == (9, saturday + timedelta(days=1), 1)


@pytest.mark.parametrize(
    ("rule", "code"),
    [
        (RotationRule(RotationKind.WEEKLY, MONDAY + timedelta(days=1), (1,)), "station.rotation_start_monday"),
        (RotationRule(RotationKind.WEEKLY, MONDAY, ()), "station.rotation_needs_groups"),
        (RotationRule(RotationKind.WEEKLY, MONDAY, (1, 1)), "station.rotation_group_twice"),
        (RotationRule(RotationKind.DAILY, MONDAY, (), people_per_shift=0), "station.rotation_people"),
    ],
)
def test_rules_that_make_no_calendar(rule: RotationRule, code: str) -> None:
    with pytest.raises(RuleError) as refused:
        plan_shifts(rule, hours=EVERY_DAY, first=MONDAY, last=MONDAY + timedelta(days=6))
    assert refused.value.code == code


calendars = st.dictionaries(
    st.integers(min_value=1, max_value=8),
    st.frozensets(st.integers(min_value=1, max_value=6), min_size=1, max_size=3),
    min_size=2,
    max_size=8,
)


@given(holders=calendars, data=st.data())
def test_a_swap_keeps_the_calendar_consistent(holders, data) -> None:  # type: ignore[no-untyped-def]
    shift_a, shift_b = data.draw(st.lists(st.sampled_from(sorted(holders)), min_size=2, max_size=2, unique=True))
    person_a = data.draw(st.sampled_from(sorted(holders[shift_a])))
    person_b = data.draw(st.sampled_from(sorted(holders[shift_b])))
    try:
        after = exchange(holders, give=(shift_a, person_a), take=(shift_b, person_b))
    except RuleError as refused:
        assert person_a == person_b or person_b in holders[shift_a] or person_a in holders[shift_b]
        assert refused.code in {"station.swap_invalid", "station.swap_already_on_shift"}
        return
    merged = {**holders, **after}
    # Every shift keeps its head count; everyone keeps their number of duties; nobody is on a shift twice.
    assert {k: len(v) for k, v in merged.items()} == {k: len(v) for k, v in holders.items()}
    before_counts = Counter(p for v in holders.values() for p in v)
    after_counts = Counter(p for v in merged.values() for p in v)
    assert before_counts == after_counts
    assert person_b in merged[shift_a] and person_a in merged[shift_b]


@given(holders=calendars, taker=st.integers(min_value=1, max_value=9), data=st.data())
def test_a_hand_over_moves_one_duty(holders, taker, data) -> None:  # type: ignore[no-untyped-def]
    shift = data.draw(st.sampled_from(sorted(holders)))
    giver = data.draw(st.sampled_from(sorted(holders[shift])))
    if taker in holders[shift]:
        with pytest.raises(RuleError):
            hand_over(holders, shift=shift, giver=giver, taker=taker)
        return
    after = hand_over(holders, shift=shift, giver=giver, taker=taker)
    assert len(after[shift]) == len(holders[shift]) and taker in after[shift] and giver not in after[shift]


def test_a_swap_that_no_longer_matches_is_stale() -> None:
    with pytest.raises(RuleError) as refused:
        exchange({1: frozenset({7}), 2: frozenset({8})}, give=(1, 9), take=(2, 8))
    assert refused.value.code == "station.swap_stale"
