"""The quarterly 普惠周: windows at quarter and year boundaries, sales in and out of them, caps per occurrence."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from gonghui.benefits.models import BenefitTransaction, Campaign, MemberUsage, Recurrence
from gonghui.benefits.recurrence import describe, next_occurrence, occurrence_at, occurrences
from gonghui.benefits.services import transaction_reverse
from gonghui.benefits.tests.helpers import Clock, local, sell
from gonghui.benefits.tests.test_transactions import make_world


def quarterly(start: str, end: str, *, month: int = 1, day: int = 1, days: int = 7) -> Campaign:
    return Campaign(
        starts_at=local(start),
        ends_at=local(end),
        recurrence=Recurrence.QUARTERLY,
        occurrence_month=month,
        occurrence_start_day=day,
        occurrence_days=days,
    )


class TestWindows:
    def test_one_window_a_quarter(self) -> None:
        c = quarterly("2026-01-01 00:00", "2027-01-01 00:00")
        found = occurrences(c)
        assert [o.key for o in found] == [date(2026, 1, 1), date(2026, 4, 1), date(2026, 7, 1), date(2026, 10, 1)]
        assert (found[1].starts_at, found[1].ends_at) == (local("2026-04-01 00:00"), local("2026-04-08 00:00"))
        assert (found[1].first_day, found[1].last_day) == (date(2026, 4, 1), date(2026, 4, 7))

    def test_a_configured_week_in_the_second_month(self) -> None:
        c = quarterly("2026-01-01 00:00", "2026-12-31 00:00", month=2, day=10, days=7)
        assert [o.key for o in occurrences(c)] == [
            date(2026, 2, 10),
            date(2026, 5, 10),
            date(2026, 8, 10),
            date(2026, 11, 10),
        ]

    def test_windows_are_clipped_to_the_period_but_keep_their_key(self) -> None:
        c = quarterly("2026-01-03 12:00", "2026-04-05 00:00")
        first, second = occurrences(c)
        assert (first.key, first.starts_at, first.ends_at) == (
            date(2026, 1, 1),
            local("2026-01-03 12:00"),
            local("2026-01-08 00:00"),
        )
        assert (second.key, second.ends_at) == (date(2026, 4, 1), local("2026-04-05 00:00"))

    def test_a_window_that_runs_over_the_year_end(self) -> None:
        # The fourth quarter's window (28 December, 7 days) runs into the next year and its first quarter.
        c = quarterly("2026-01-01 00:00", "2026-12-31 00:00", month=3, day=28, days=7)
        found = occurrences(c)
        assert found[0].key == date(2025, 12, 28)  # last year's window, clipped to the period
        assert (found[0].starts_at, found[0].ends_at) == (local("2026-01-01 00:00"), local("2026-01-04 00:00"))
        assert occurrence_at(c, local("2026-01-03 23:59")) == found[0]
        assert occurrence_at(c, local("2026-01-04 00:00")) is None
        assert occurrence_at(c, local("2026-03-31 23:59")) == found[1]  # 28 March – 3 April
        assert occurrence_at(c, local("2026-04-02 12:00")) == found[1]  # in the next quarter already
        assert found[-1].key == date(2026, 12, 28) and found[-1].ends_at == local("2026-12-31 00:00")

    @pytest.mark.parametrize(
        ("moment", "key"),
        [
            ("2026-03-31 23:59:59", None),
            ("2026-04-01 00:00:00", date(2026, 4, 1)),  # opens on the quarter's first second
            ("2026-04-07 23:59:59", date(2026, 4, 1)),
            ("2026-04-08 00:00:00", None),
            ("2026-09-30 23:59:59", None),
            ("2026-10-01 00:00:00", date(2026, 10, 1)),
        ],
    )
    def test_quarter_boundaries(self, moment: str, key: date | None) -> None:
        c = quarterly("2026-01-01 00:00", "2027-01-01 00:00")
        found = occurrence_at(c, local(moment))
        assert (found.key if found else None) == key

    def test_local_midnight_is_the_boundary_not_utc(self) -> None:
        c = quarterly("2026-01-01 00:00", "2027-01-01 00:00")
        just_before = datetime(2026, 3, 31, 15, 59, 59, tzinfo=UTC)  # 23:59:59 in Beijing
        at_midnight = datetime(2026, 3, 31, 16, 0, 0, tzinfo=UTC)
        assert occurrence_at(c, just_before) is None
        assert occurrence_at(c, at_midnight) is not None

    def test_a_campaign_without_recurrence_is_one_occurrence(self) -> None:
        c = Campaign(starts_at=local("2026-05-01 08:00"), ends_at=local("2026-05-06 00:00"))
        (only,) = occurrences(c)
        assert (only.key, only.starts_at, only.ends_at) == (date(2026, 5, 1), c.starts_at, c.ends_at)
        assert occurrence_at(c, local("2026-05-03 12:00")) == only
        assert occurrence_at(c, local("2026-05-06 00:00")) is None
        assert describe(c) == "活动期内每天"

    def test_next_occurrence_and_words(self) -> None:
        c = quarterly("2026-01-01 00:00", "2026-12-31 00:00", month=2, day=10, days=7)
        upcoming = next_occurrence(c, local("2026-06-30 12:00"))
        assert upcoming is not None and upcoming.key == date(2026, 8, 10)
        assert next_occurrence(c, local("2026-11-20 00:00")) is None
        assert describe(c) == "每季度第2个月10日起，连续7天"


@pytest.mark.django_db
class TestSalesInAndOutOfTheWeek:
    @pytest.fixture
    def world(self, tree, make_user):  # type: ignore[no-untyped-def]
        return make_world(
            tree,
            make_user,
            starts_at=local("2026-01-01 00:00"),
            ends_at=local("2027-01-01 00:00"),
            recurrence=Recurrence.QUARTERLY,
            per_member_count=1,
        )

    def test_outside_the_week_full_price_with_the_next_week_named(self, world, monkeypatch) -> None:
        clock = Clock(monkeypatch)
        clock.set("2026-02-15 10:00")
        sale = sell(world, "feb").transaction
        assert (sale.discount_fen, sale.campaign_id, sale.occurrence) == (0, None, None)
        assert sale.no_discount_reason == "不在普惠周活动时段内（下一期 2026-04-01 起）"
        clock.set("2026-12-20 10:00")
        late = sell(world, "dec", card=1).transaction
        assert late.no_discount_reason == "不在普惠周活动时段内（本活动已无后续时段）"
        world["campaign"].refresh_from_db()
        assert world["campaign"].spent_fen == 0

    def test_caps_count_per_week_and_start_afresh_the_next_quarter(self, world, monkeypatch) -> None:
        clock = Clock(monkeypatch)
        clock.set("2026-04-01 09:00")
        april = sell(world, "apr-1").transaction
        assert (april.discount_fen, april.occurrence, april.day) == (2000, date(2026, 4, 1), date(2026, 4, 1))
        clock.set("2026-04-02 09:00")
        again = sell(world, "apr-2").transaction
        assert (again.discount_fen, again.no_discount_reason) == (0, "已达每人本期普惠周优惠上限")
        assert again.campaign_id == world["campaign"].pk  # still the campaign's sale, for its figures
        clock.set("2026-07-03 18:30")
        july = sell(world, "jul-1").transaction
        assert (july.discount_fen, july.occurrence) == (2000, date(2026, 7, 1))
        rows = MemberUsage.objects.filter(day__isnull=True).order_by("occurrence")
        assert [(u.occurrence, u.count, u.discount_fen) for u in rows] == [
            (date(2026, 4, 1), 1, 2000),
            (date(2026, 7, 1), 1, 2000),
        ]
        world["campaign"].refresh_from_db()
        assert world["campaign"].spent_fen == 4000  # the budget is for the whole campaign

    def test_a_reversal_frees_the_cap_of_the_sales_own_week(self, world, monkeypatch) -> None:
        clock = Clock(monkeypatch)
        clock.set("2026-04-03 09:00")
        april = sell(world, "apr").transaction
        clock.set("2026-07-02 09:00")
        assert sell(world, "jul").transaction.discount_fen == 2000
        transaction_reverse(operator=world["cashier"], merchant=world["merchant"], sale=april)  # refunded in July
        counts = dict(MemberUsage.objects.filter(day__isnull=True).values_list("occurrence", "count"))
        assert counts == {date(2026, 4, 1): 0, date(2026, 7, 1): 1}
        day_rows = dict(MemberUsage.objects.filter(day__isnull=False).values_list("day", "count"))
        assert day_rows == {date(2026, 4, 3): 0, date(2026, 7, 2): 1}
        assert sell(world, "jul-2").transaction.no_discount_reason == "已达每人本期普惠周优惠上限"
        april.refresh_from_db()
        assert (april.reversed_day, april.day) == (date(2026, 7, 2), date(2026, 4, 3))
        world["campaign"].refresh_from_db()
        assert world["campaign"].spent_fen == 2000

    def test_a_plain_campaign_keys_its_caps_by_its_start(self, tree, make_user, monkeypatch) -> None:
        world = make_world(
            tree, make_user, starts_at=local("2026-05-01 08:00"), ends_at=local("2026-05-06 00:00"), per_member_count=1
        )
        clock = Clock(monkeypatch)
        clock.set("2026-05-02 12:00")
        first = sell(world, "a").transaction
        clock.set("2026-05-04 12:00")
        second = sell(world, "b").transaction
        assert (first.discount_fen, first.occurrence) == (2000, date(2026, 5, 1))
        assert (second.discount_fen, second.no_discount_reason) == (0, "已达每人活动优惠上限")
        assert BenefitTransaction.all_objects.filter(occurrence=date(2026, 5, 1)).count() == 2
