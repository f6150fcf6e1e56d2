"""The list's "open now" filter asks the database what `Station.is_open_at` answers in Python."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from django.utils import timezone

from gonghui.accounts.scope import scope_for_user
from gonghui.core.scoping import unscoped
from gonghui.stations.models import Holiday, Station, StationClosedDay
from gonghui.stations.selectors import closed_days, holidays_between, station_list
from gonghui.stations.services import station_close
from gonghui.stations.tests.factories import make_station

pytestmark = pytest.mark.django_db

# A Thursday; Friday is a holiday, then the weekend.
THURSDAY = date(2026, 4, 30)
HOURS = {
    "day": {"weekday_opens": time(8), "weekday_closes": time(20)},
    "late": {
        "weekday_opens": time(18),
        "weekday_closes": time(2),
        "weekend_opens": time(10),
        "weekend_closes": time(1),
    },
    "always": {f"{kind}_{end}": time(0) for kind in ("weekday", "weekend", "holiday") for end in ("opens", "closes")},
    "holiday": {"holiday_opens": time(9), "holiday_closes": time(23, 30)},
    "none": {},
    "closed_day": {"weekday_opens": time(20), "weekday_closes": time(4)},
    "closed": {"weekday_opens": time(0), "weekday_closes": time(0)},
}


def test_open_now_matches_is_open_at_every_half_hour_over_four_days(tree, make_user) -> None:
    stations = {}
    for i, (name, hours) in enumerate(HOURS.items()):
        blank = {f"{k}_{e}": None for k in ("weekday", "weekend", "holiday") for e in ("opens", "closes")}
        stations[name] = make_station(tree.zhongshan, f"ON-{i:03d}", **(blank | hours))
    station_close(actor=None, scope=None, station=stations["closed"], reason="停用")
    Holiday.objects.create(day=THURSDAY + timedelta(days=1), name="劳动节")
    with unscoped():
        StationClosedDay.objects.create(
            station=stations["closed_day"], org_path=stations["closed_day"].org_path, day=THURSDAY
        )
    scope = scope_for_user(make_user("viewer", ("viewer", "520200")))
    tz = timezone.get_current_timezone()
    first = datetime.combine(THURSDAY - timedelta(days=1), time(0, 15), tzinfo=tz)
    with unscoped():
        fresh = list(Station.objects.all())
    span = (THURSDAY - timedelta(days=2), THURSDAY + timedelta(days=4))
    holidays = holidays_between(*span)
    closed = {s.pk: closed_days(s, *span) for s in fresh}
    checked = 0
    for step in range(4 * 48):
        at = first + timedelta(minutes=30 * step)
        expected = {s.code for s in fresh if s.is_open_at(at, holidays=holidays, closed_days=closed[s.pk])}
        found = set(station_list(scope=scope, open_now=True, at=at).values_list("code", flat=True))
        assert found == expected, at
        checked += len(expected)
    assert checked > 100  # the grid does catch stations open, not only closed ones
