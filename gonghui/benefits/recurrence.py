"""When a campaign discounts: its occurrences (DOMAIN §3, §10: 普惠月 became a quarterly 普惠周).

A campaign without recurrence has one occurrence, its whole period. A quarterly
campaign has one window a quarter: `occurrence_days` local days from day
`occurrence_start_day` of the quarter's `occurrence_month`-th month (month 1,
day 1, 7 days: 1–7 January, 1–7 April, 1–7 July, 1–7 October), each clipped to
`starts_at`..`ends_at`. Windows are at most 31 days and start by the 28th, so
they never reach the next quarter's window.

An occurrence's key is its window's first day as configured (not clipped): the
per-member caps count per key, so they start afresh every 普惠周.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from gonghui.benefits.models import Campaign, Recurrence


@dataclass(frozen=True)
class Occurrence:
    key: date  # the caps count per key
    starts_at: datetime
    ends_at: datetime  # exclusive

    @property
    def first_day(self) -> date:
        return timezone.localtime(self.starts_at).date()

    @property
    def last_day(self) -> date:
        return timezone.localtime(self.ends_at - timedelta(microseconds=1)).date()


def _midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _quarter_index(day: date) -> int:
    return day.year * 4 + (day.month - 1) // 3


def _window(campaign: Campaign, quarter: int) -> Occurrence | None:
    """The quarter's window clipped to the campaign's period, or None when they do not meet."""
    year, first_month = divmod(quarter, 4)
    start = date(year, first_month * 3 + campaign.occurrence_month, campaign.occurrence_start_day)
    opens, closes = _midnight(start), _midnight(start + timedelta(days=campaign.occurrence_days))
    opens, closes = max(opens, campaign.starts_at), min(closes, campaign.ends_at)
    return Occurrence(start, opens, closes) if opens < closes else None


def occurrences(campaign: Campaign) -> list[Occurrence]:
    """Every occurrence of the campaign, in order."""
    if campaign.recurrence != Recurrence.QUARTERLY:
        key = timezone.localtime(campaign.starts_at).date()
        return [Occurrence(key, campaign.starts_at, campaign.ends_at)]
    # From the quarter before the start: its window may run into the period.
    first = _quarter_index(timezone.localtime(campaign.starts_at).date()) - 1
    last = _quarter_index(timezone.localtime(campaign.ends_at).date())
    found = (_window(campaign, q) for q in range(first, last + 1))
    return [o for o in found if o is not None]


def occurrence_at(campaign: Campaign, when: datetime) -> Occurrence | None:
    """The occurrence running at `when`, if any (the campaign's status aside)."""
    if not campaign.starts_at <= when < campaign.ends_at:
        return None
    if campaign.recurrence != Recurrence.QUARTERLY:
        return occurrences(campaign)[0]
    quarter = _quarter_index(timezone.localtime(when).date())
    for q in (quarter - 1, quarter):
        window = _window(campaign, q)
        if window is not None and window.starts_at <= when < window.ends_at:
            return window
    return None


def next_occurrence(campaign: Campaign, when: datetime) -> Occurrence | None:
    """The first occurrence that opens after `when`."""
    return next((o for o in occurrences(campaign) if o.starts_at > when), None)


def describe(campaign: Campaign) -> str:
    """The recurrence in words, for people: "每季度第1个月1日起，连续7天"."""
    if campaign.recurrence != Recurrence.QUARTERLY:
        return "活动期内每天"
    return (
        f"每季度第{campaign.occurrence_month}个月{campaign.occurrence_start_day}日起，连续{campaign.occurrence_days}天"
    )
