"""The duty calendar as a pure function of a rotation rule, and what a swap does to it.

Two rules (issue 16):

- `weekly`: N groups take the station in turn, one calendar week each (Monday to
  Sunday), from the rule's first Monday. The turn advances with the calendar, not with
  the open days, so group k always has weeks k, k+N, … and a holiday week does not push
  every later turn back. Each day the station opens in that week is one shift of the
  week's group.
- `daily`: every open day is one shift for `people_per_shift` volunteers; with groups,
  the day's group rotates by calendar day the same way.

A day with no opening window (a holiday or weekend the station keeps closed, one of its
own closed days) has no shift. The shift's times are that day's window, so a station
that closes at 02:00 has shifts that end the next morning.
"""

from __future__ import annotations

from collections.abc import Container, Hashable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import TypeVar

from gonghui.stations.hours import OpeningHours

K = TypeVar("K", bound=Hashable)
P = TypeVar("P", bound=Hashable)


class RotationKind(StrEnum):
    WEEKLY = "weekly"
    DAILY = "daily"


class RuleError(ValueError):
    """A rule that cannot make a calendar; `code` is the domain error's."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class RotationRule:
    kind: RotationKind
    start: date
    groups: tuple[int, ...] = ()
    people_per_shift: int = 1

    def check(self) -> None:
        if self.kind == RotationKind.WEEKLY and not self.groups:
            raise RuleError("station.rotation_needs_groups")
        if self.kind == RotationKind.WEEKLY and self.start.weekday() != 0:
            raise RuleError("station.rotation_start_monday")
        if len(set(self.groups)) != len(self.groups):
            raise RuleError("station.rotation_group_twice")
        if self.people_per_shift < 1 or (self.kind == RotationKind.WEEKLY and self.people_per_shift != 1):
            raise RuleError("station.rotation_people")

    def group_on(self, day: date) -> int | None:
        if not self.groups:
            return None
        step = (day - self.start).days // (7 if self.kind == RotationKind.WEEKLY else 1)
        return self.groups[step % len(self.groups)]


@dataclass(frozen=True)
class PlannedShift:
    day: date
    starts_at: datetime  # naive local wall time
    ends_at: datetime
    group: int | None
    capacity: int


MAX_DAYS = 366 * 2  # a calendar is planned ahead for a period, not for ever


def plan_shifts(
    rule: RotationRule,
    *,
    hours: OpeningHours,
    first: date,
    last: date,
    holidays: Container[date] = (),
    closed_days: Container[date] = (),
) -> list[PlannedShift]:
    """The shifts `rule` gives from `first` to `last` (inclusive; days before the rule's start have none)."""
    rule.check()
    if last < first:
        raise RuleError("station.rotation_range")
    if (last - first).days >= MAX_DAYS:
        raise RuleError("station.rotation_too_long")
    out = []
    day = max(first, rule.start)
    while day <= last:
        span = hours.span_on(day, holidays=holidays, closed_days=closed_days)
        if span is not None:
            out.append(PlannedShift(day, span[0], span[1], rule.group_on(day), rule.people_per_shift))
        day += timedelta(days=1)
    return out


def exchange(holders: Mapping[K, frozenset[P]], *, give: tuple[K, P], take: tuple[K, P]) -> dict[K, frozenset[P]]:
    """The holders of the two shifts a swap touches, after it.

    `give` is the (shift, person) the requester hands over, `take` the other person's
    (shift, person) they take in return. Refuses (RuleError) a swap that would put
    someone on a shift twice or that no longer matches who holds what.
    """
    (shift_a, person_a), (shift_b, person_b) = give, take
    if shift_a == shift_b or person_a == person_b:
        raise RuleError("station.swap_invalid")
    a, b = holders[shift_a], holders[shift_b]
    if person_a not in a or person_b not in b:
        raise RuleError("station.swap_stale")
    if person_b in a or person_a in b:
        raise RuleError("station.swap_already_on_shift")
    return {shift_a: (a - {person_a}) | {person_b}, shift_b: (b - {person_b}) | {person_a}}


def hand_over(holders: Mapping[K, frozenset[P]], *, shift: K, giver: P, taker: P) -> dict[K, frozenset[P]]:
    """The holders of `shift` after `giver` hands it to `taker` (who takes no shift back)."""
    current = holders[shift]
    if giver == taker:
        raise RuleError("station.swap_invalid")
    if giver not in current:
        raise RuleError("station.swap_stale")
    if taker in current:
        raise RuleError("station.swap_already_on_shift")
    return {shift: (current - {giver}) | {taker}}
