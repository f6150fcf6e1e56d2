"""Opening hours: kinds of day, late closing past midnight, holidays, closed days."""

from __future__ import annotations

from datetime import date, datetime, time

from gonghui.stations.hours import OpeningHours, Window

# 2026-12-07 is a Monday.
LATE = OpeningHours(
    weekday=Window(time(8), time(22)),
    weekend=Window(time(18), time(2)),  # closes at 02:00 the next morning
    holiday=None,
)


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 12, day, hour, minute)


def test_weekday_window_is_half_open() -> None:
    assert not LATE.is_open_at(at(7, 7, 59))
    assert LATE.is_open_at(at(7, 8))
    assert LATE.is_open_at(at(7, 21, 59))
    assert not LATE.is_open_at(at(7, 22))


def test_late_closing_runs_past_midnight_into_the_next_day() -> None:
    assert LATE.is_open_at(at(12, 23, 30))  # Saturday night
    assert LATE.is_open_at(at(13, 1, 59))  # Sunday, before 02:00: Saturday's window
    assert not LATE.is_open_at(at(13, 2))
    assert not LATE.is_open_at(at(13, 17, 59))
    # Sunday's own window runs into Monday morning, although Monday opens at 08:00 on its own.
    assert LATE.is_open_at(at(14, 1))
    assert not LATE.is_open_at(at(14, 3))


def test_a_holiday_without_hours_is_closed_and_wins_over_weekday() -> None:
    holidays = {date(2026, 12, 8)}
    assert not LATE.is_open_at(at(8, 12), holidays=holidays)
    assert LATE.is_open_at(at(9, 12), holidays=holidays)


def test_a_closed_day_keeps_the_tail_of_the_night_before() -> None:
    closed = {date(2026, 12, 13)}
    assert LATE.is_open_at(at(13, 1), closed_days=closed)  # Saturday's night
    assert not LATE.is_open_at(at(13, 20), closed_days=closed)


def test_round_the_clock() -> None:
    always = OpeningHours(Window(time(0), time(0)), Window(time(0), time(0)), Window(time(0), time(0)))
    assert all(always.is_open_at(at(7, h)) for h in range(24))


def test_aware_datetimes_are_read_on_their_own_clock() -> None:
    from zoneinfo import ZoneInfo

    shanghai = datetime(2026, 12, 7, 21, 30, tzinfo=ZoneInfo("Asia/Shanghai"))
    assert LATE.is_open_at(shanghai)
