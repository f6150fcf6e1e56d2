"""Opening hours as a rule: one window per kind of day, and whether a moment falls in one.

A day is a holiday (the `Holiday` table, the State Council's list), a weekend day
(Saturday, Sunday) or a weekday, in that order of precedence. Each kind has one
window or none (closed all that day). A window whose closing time is not after its
opening time runs past midnight into the next day (18:00–02:00); 00:00–00:00 is open
round the clock. A station's own closed days (`StationClosedDay`) have no window, but
the tail of the evening before still runs into them: the night belongs to the day it began.
"""

from __future__ import annotations

from collections.abc import Container
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum


class DayKind(StrEnum):
    WEEKDAY = "weekday"
    WEEKEND = "weekend"
    HOLIDAY = "holiday"


@dataclass(frozen=True)
class Window:
    opens: time
    closes: time

    @property
    def past_midnight(self) -> bool:
        return self.closes <= self.opens

    def span(self, day: date) -> tuple[datetime, datetime]:
        """The window on `day` as naive local datetimes [start, end)."""
        start = datetime.combine(day, self.opens)
        end = datetime.combine(day + timedelta(days=1) if self.past_midnight else day, self.closes)
        return start, end


@dataclass(frozen=True)
class OpeningHours:
    weekday: Window | None
    weekend: Window | None
    holiday: Window | None

    def kind_of(self, day: date, holidays: Container[date]) -> DayKind:
        if day in holidays:
            return DayKind.HOLIDAY
        return DayKind.WEEKEND if day.weekday() >= 5 else DayKind.WEEKDAY

    def window_on(self, day: date, *, holidays: Container[date], closed_days: Container[date]) -> Window | None:
        """The window that opens on `day`, or None when the station does not open that day."""
        if day in closed_days:
            return None
        return getattr(self, self.kind_of(day, holidays).value)

    def span_on(
        self, day: date, *, holidays: Container[date], closed_days: Container[date]
    ) -> tuple[datetime, datetime] | None:
        window = self.window_on(day, holidays=holidays, closed_days=closed_days)
        return window.span(day) if window is not None else None

    def is_open_at(self, at: datetime, *, holidays: Container[date] = (), closed_days: Container[date] = ()) -> bool:
        """Whether the station is open at the local wall time `at` (naive or aware: its own clock is read)."""
        wall = at.replace(tzinfo=None)
        for day in (wall.date(), wall.date() - timedelta(days=1)):
            span = self.span_on(day, holidays=holidays, closed_days=closed_days)
            if span is not None and span[0] <= wall < span[1]:
                return True
        return False
