"""Counting days: calendar days or working days (no Saturday, Sunday or public holiday).

`period_end` is pure (the holidays are passed in); `holidays_between` reads the `Holiday` table.
Adjusted working weekends (调休上班) are not modelled: a Saturday is never a working day here,
which only ever lengthens a period, never shortens it.
"""

from __future__ import annotations

from collections.abc import Container
from datetime import date, timedelta
from enum import StrEnum


class DayBasis(StrEnum):
    CALENDAR = "calendar"
    WORKING = "working"


def is_working_day(day: date, holidays: Container[date] = ()) -> bool:
    return day.weekday() < 5 and day not in holidays


def period_end(start: date, days: int, basis: str, holidays: Container[date] = ()) -> date:
    """The last day of a period of `days` days from `start` (counted in), calendar or working days.

    In working days a start on a day off counts from the next working day.
    """
    if days < 1:
        raise ValueError("a period is at least one day")
    if basis == DayBasis.CALENDAR:
        return start + timedelta(days=days - 1)
    day, counted = start, 0
    while True:
        if is_working_day(day, holidays):
            counted += 1
            if counted == days:
                return day
        day += timedelta(days=1)


def holidays_between(first: date, last: date) -> set[date]:
    """The public holidays from `first` to `last` (both counted in)."""
    from gonghui.core.models import Holiday

    return set(Holiday.objects.filter(day__gte=first, day__lte=last).values_list("day", flat=True))


def period_end_on_record(start: date, days: int, basis: str) -> date:
    """`period_end` with the holidays on record (a working-day period spans at most days × 3 calendar days)."""
    holidays = holidays_between(start, start + timedelta(days=days * 3 + 30)) if basis == DayBasis.WORKING else set()
    return period_end(start, days, basis, holidays)
