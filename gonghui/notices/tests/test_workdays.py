"""Periods in calendar and working days; a working-day period runs across weekends and public holidays."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gonghui.core.models import Holiday
from gonghui.core.workdays import DayBasis, is_working_day, period_end, period_end_on_record

MONDAY = date(2026, 9, 28)  # the week before the National Day holiday
NATIONAL_DAY = {date(2026, 10, 1) + timedelta(days=i) for i in range(7)}


def test_calendar_days_count_every_day() -> None:
    assert period_end(MONDAY, 7, DayBasis.CALENDAR) == date(2026, 10, 4)
    assert period_end(MONDAY, 1, DayBasis.CALENDAR) == MONDAY


def test_working_days_skip_the_weekend_and_the_holiday() -> None:
    # Mon 28, Tue 29, Wed 30 Sep; 1–7 Oct is the holiday (and 3–4 a weekend); Thu 8, Fri 9 Oct.
    assert period_end(MONDAY, 5, DayBasis.WORKING, NATIONAL_DAY) == date(2026, 10, 9)
    # Without the holiday on record only the weekend is skipped.
    assert period_end(MONDAY, 5, DayBasis.WORKING) == date(2026, 10, 2)


def test_a_start_on_a_day_off_counts_from_the_next_working_day() -> None:
    saturday = date(2026, 9, 26)
    assert period_end(saturday, 1, DayBasis.WORKING) == MONDAY


def test_a_period_is_at_least_one_day() -> None:
    with pytest.raises(ValueError):
        period_end(MONDAY, 0, DayBasis.CALENDAR)


@given(
    start=st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31)),
    days=st.integers(min_value=1, max_value=30),
)
def test_a_working_period_holds_exactly_its_days(start: date, days: int) -> None:
    end = period_end(start, days, DayBasis.WORKING, NATIONAL_DAY)
    counted = sum(is_working_day(start + timedelta(d), NATIONAL_DAY) for d in range((end - start).days + 1))
    assert counted == days and is_working_day(end, NATIONAL_DAY)
    assert end >= period_end(start, days, DayBasis.CALENDAR)


@pytest.mark.django_db
def test_the_holidays_on_record_are_read() -> None:
    Holiday.objects.bulk_create([Holiday(day=d, name="国庆节") for d in sorted(NATIONAL_DAY)])
    assert period_end_on_record(MONDAY, 5, DayBasis.WORKING) == date(2026, 10, 9)
    assert period_end_on_record(MONDAY, 5, DayBasis.CALENDAR) == date(2026, 10, 2)
