"""Check-in and out, the duty log, scanned visits and the figures they make, on a real database."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from gonghui.accounts.scope import scope_for_user
from gonghui.core.errors import DomainError, PermissionDeniedError
from gonghui.core.models import AuditEvent
from gonghui.core.scoping import unscoped
from gonghui.members.tests.factories import id_number, register
from gonghui.stations.models import DutyCheckIn, DutyLog, DutyShift, DutySupply, StationVisit
from gonghui.stations.rotation import RotationKind, RotationRule
from gonghui.stations.selectors import (
    duty_now,
    duty_shifts_of,
    open_incidents,
    station_counts,
    visits_by_month,
    week_at_a_glance,
)
from gonghui.stations.services import (
    calendar_generate,
    checkin,
    checkout,
    group_create,
    group_join,
    incident_report,
    incident_resolve,
    log_write,
    shift_take,
    supply_record,
    visit_record,
    volunteer_decide,
)
from gonghui.stations.stats import visits_chart
from gonghui.stations.tests.factories import make_station

pytestmark = pytest.mark.django_db
TZ = timezone.get_current_timezone()
TODAY = timezone.localdate()
# A past Monday: that week's shifts have all ended, so missed and late can be counted.
MONDAY = TODAY - timedelta(days=TODAY.weekday() + 14)
YESTERDAY = TODAY - timedelta(days=1)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)), TZ)


@pytest.fixture
def station(tree):  # type: ignore[no-untyped-def]
    return make_station(tree.zhongshan, "YX-001")


@pytest.fixture
def setup(tree, station) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """Two groups rotating weekly, a rider in each, planned from two weeks back to a week ahead."""
    people = [register(tree.courier_union, id_number(500 + i), name=n).person for i, n in enumerate(["刘骑", "陈骑"])]
    groups = [group_create(actor=None, scope=None, station=station, name=f"第{i}组") for i in (1, 2)]
    for group, person in zip(groups, people, strict=True):
        joined = group_join(actor=None, person=person, group=group)
        volunteer_decide(actor=None, scope=None, volunteer=joined, approve=True, make_leader=True)
    rule = RotationRule(RotationKind.WEEKLY, MONDAY, tuple(g.pk for g in groups))
    calendar_generate(actor=None, scope=None, station=station, rule=rule, first=MONDAY, last=TODAY + timedelta(days=7))
    return {"people": people, "groups": groups}


def opening(shift: DutyShift) -> datetime:
    return timezone.localtime(shift.starts_at)


def on_duty(setup: dict[str, Any], shift: DutyShift) -> Any:
    """The rider of the group whose week holds `shift`."""
    return setup["people"][[g.pk for g in setup["groups"]].index(shift.group_id)]


def shift_on(station, day: date) -> DutyShift:  # type: ignore[no-untyped-def]
    with unscoped():
        return DutyShift.objects.get(station=station, day=day)


def test_the_weeks_group_checks_in_and_out_and_a_late_one_is_counted(station, setup) -> None:
    first, second = setup["people"]
    # Monday 08:00–22:00 is group 1's: 07:30 is early enough, on time.
    row = checkin(actor=None, person=first, station=station, at=at(MONDAY, 7, 30))
    assert row.shift == shift_on(station, MONDAY) and not row.late
    # A second tap answers the first check-in.
    again = checkin(actor=None, person=first, station=station, at=at(MONDAY, 7, 40))
    assert again.pk == row.pk and again.checked_in_at == at(MONDAY, 7, 30)
    # Group 2 is not on duty that week.
    with pytest.raises(DomainError) as refused:
        checkin(actor=None, person=second, station=station, at=at(MONDAY, 9))
    assert refused.value.code == "station.no_duty_now"
    # Too early for Tuesday's shift (more than an hour before 08:00).
    with pytest.raises(DomainError):
        checkin(actor=None, person=first, station=station, at=at(MONDAY + timedelta(days=1), 6, 30))
    out = checkout(actor=None, person=first, station=station, at=at(MONDAY, 22, 5))
    assert out.checked_out_at == at(MONDAY, 22, 5)
    with pytest.raises(DomainError) as twice:
        checkout(actor=None, person=first, station=station, at=at(MONDAY, 22, 10))
    assert twice.value.code == "station.not_checked_in"
    # Tuesday at 08:20: late (grace 15 minutes).
    late = checkin(actor=None, person=first, station=station, at=at(MONDAY + timedelta(days=1), 8, 20))
    assert late.late
    # Saturday 18:00–02:00: checking in at 01:00 on Sunday belongs to Saturday's shift.
    saturday = MONDAY + timedelta(days=5)
    past_midnight = checkin(actor=None, person=first, station=station, at=at(saturday + timedelta(days=1), 1))
    assert past_midnight.shift.day == saturday
    with unscoped():
        assert AuditEvent.objects.filter(action="stations.checkin").count() == 3
        assert AuditEvent.objects.filter(action="stations.checkout").count() == 1


def test_a_volunteer_holding_a_place_checks_in_and_the_database_refuses_a_second_row(tree, station) -> None:
    person = register(tree.courier_union, id_number(520), name="周骑").person
    group = group_create(actor=None, scope=None, station=station, name="日班组")
    volunteer_decide(actor=None, scope=None, volunteer=group_join(actor=None, person=person, group=group), approve=True)
    rule = RotationRule(RotationKind.DAILY, MONDAY, (group.pk,), people_per_shift=2)
    calendar_generate(actor=None, scope=None, station=station, rule=rule, first=MONDAY, last=MONDAY)
    shift = shift_on(station, MONDAY)
    # A daily shift is not the group's as a whole: only a holder of a place checks in.
    assert duty_now(station=station, person_id=person.pk, at=at(MONDAY, 9)) is None
    shift_take(actor=None, person=person, shift=shift)
    row = checkin(actor=None, person=person, station=station, at=at(MONDAY, 9))
    assert row.shift == shift
    with pytest.raises(IntegrityError), transaction.atomic(), unscoped():
        DutyCheckIn.objects.create(shift=shift, org_path=shift.org_path, person=person, checked_in_at=at(MONDAY, 10))


def test_missed_and_late_duties_and_visits_in_the_figures(tree, station, setup) -> None:
    first, _second = setup["people"]
    paths = [tree.zhongshan.path]
    with unscoped():
        planned = DutyShift.objects.filter(station=station).count()
        ended = DutyShift.objects.filter(station=station, ends_at__lte=timezone.now()).count()
    before = station_counts(paths)
    # Every shift that has ended had nobody check in: each one is missed.
    assert before["duty_shifts"] == planned and before["duty_shifts_missed"] == ended >= 14
    checkin(actor=None, person=first, station=station, at=at(MONDAY, 8))
    checkin(actor=None, person=first, station=station, at=at(MONDAY + timedelta(days=1), 9))
    # Staff complete an old shift's log (a volunteer may only for a few days).
    log_write(actor=None, shift=shift_on(station, MONDAY), visitors=12)
    visit_record(station=station, device_token="phone-a", at=at(MONDAY, 12))
    visit_record(station=station, device_token="phone-b", at=at(MONDAY, 12, 5))
    after = station_counts(paths)
    assert after["duty_shifts_missed"] == ended - 2
    assert after["duty_shifts_late"] == 1
    assert after["station_visits"] == 14
    # Outside the subtree: nothing.
    assert station_counts([tree.guiyang.path])["station_visits"] == 0
    month = f"{MONDAY:%Y-%m}"
    assert visits_by_month(paths)[month] == 14
    chart = visits_chart(paths)
    assert chart["unit"] == "人次" and sum(chart["series"][0]["values"]) == 14


def test_one_phone_counts_once_per_half_hour(station) -> None:
    noon = at(MONDAY, 12)
    visit, counted = visit_record(station=station, device_token="phone-a", at=noon)
    assert counted
    again, counted_again = visit_record(station=station, device_token="phone-a", at=noon + timedelta(minutes=10))
    assert again.pk == visit.pk and not counted_again
    _later, counted_later = visit_record(station=station, device_token="phone-a", at=noon + timedelta(minutes=31))
    assert counted_later
    with unscoped():
        rows = list(StationVisit.objects.filter(station=station))
    assert len(rows) == 2
    # The cookie is not what is stored.
    assert all(r.device != "phone-a" and len(r.device) == 64 for r in rows)


def test_the_duty_log_supplies_and_incidents(tree, station, setup, make_user) -> None:  # type: ignore[no-untyped-def]
    shift = shift_on(station, YESTERDAY)
    rider = on_duty(setup, shift)
    other = next(p for p in setup["people"] if p != rider)
    # Only someone who checked in writes the log.
    with pytest.raises(DomainError) as refused:
        log_write(actor=None, shift=shift, person=rider, visitors=3)
    assert refused.value.code == "station.log_not_on_duty"
    checkin(actor=None, person=rider, station=station, at=opening(shift))
    opens = opening(shift).time()
    log = log_write(
        actor=None,
        shift=shift,
        person=rider,
        opened_at=opens,
        closed_at=time(1, 30),
        visitors=30,
        handover="饮水机滤芯需更换",
    )
    assert log.opened_at == opening(shift)
    # Closing at 01:30, earlier than the opening, is the next morning.
    assert log.closed_at == at(YESTERDAY + timedelta(days=1), 1, 30)
    # Everyday words for the items: 矿泉水 is water.
    supply_record(actor=None, shift=shift, person=rider, item="矿泉水", used=24, restocked=48)
    supply_record(actor=None, shift=shift, person=rider, item="药品", used="2")
    with pytest.raises(DomainError) as bad:
        supply_record(actor=None, shift=shift, person=rider, item="水", used=-1)
    assert bad.value.code == "station.supply_quantity"
    with pytest.raises(DomainError) as unknown:
        supply_record(actor=None, shift=shift, person=rider, item="自行车", used=1)
    assert unknown.value.code == "station.supply_invalid"
    with unscoped():
        assert {(s.item, s.used, s.restocked) for s in DutySupply.objects.filter(log=log)} == {
            ("water", 24, 48),
            ("medicine", 2, 0),
        }
    # Both zero removes the line.
    supply_record(actor=None, shift=shift, person=rider, item="药", used=0, restocked=0)
    with unscoped():
        assert DutySupply.objects.filter(log=log).count() == 1
    # An incident needs a kind and what happened; both refusals at once.
    with pytest.raises(DomainError) as both:
        incident_report(actor=None, shift=shift, person=rider, kind="", description=" ")
    assert both.value.details == {"kind": "请选择事件类型。", "description": "请写明经过。"}
    incident = incident_report(
        actor=None, shift=shift, person=rider, kind="中暑", description="一名骑手中暑", action="休息、饮水"
    )
    assert incident.kind == "illness"
    user = make_user("officer", ("officer", "520200"))
    officer = scope_for_user(user)
    assert [i.pk for i in open_incidents(scope=officer)] == [incident.pk]
    incident_resolve(actor=user, scope=officer, incident=incident, follow_up="次日电话回访，已康复")
    assert list(open_incidents(scope=officer)) == []
    # A volunteer who was not on that shift cannot write to it.
    with pytest.raises(DomainError):
        supply_record(actor=None, shift=shift, person=other, item="水", used=1)
    with unscoped():
        assert DutyLog.objects.get(shift=shift).handover == "饮水机滤芯需更换"


def test_a_volunteer_writes_the_log_only_for_a_few_days(station, setup) -> None:
    shift = shift_on(station, MONDAY)
    rider = on_duty(setup, shift)
    checkin(actor=None, person=rider, station=station, at=opening(shift))
    with pytest.raises(DomainError) as late:
        log_write(actor=None, shift=shift, person=rider, visitors=3)
    assert late.value.code == "station.log_too_late"


def test_week_at_a_glance_and_my_duties(tree, station, setup, make_user) -> None:  # type: ignore[no-untyped-def]
    first, second = setup["people"]
    checkin(actor=None, person=first, station=station, at=at(MONDAY, 8, 30))
    log_write(actor=None, shift=shift_on(station, MONDAY), visitors=5)
    visit_record(station=station, device_token="p", at=at(MONDAY, 9))
    officer = make_user("officer", ("officer", "520200"))
    week = week_at_a_glance(scope=scope_for_user(officer), station=station, monday=MONDAY)
    assert len(week) == 7
    monday = week[0]
    assert not monday.missed and monday.checkins[0].late and monday.visitors == 6
    assert all(day.missed for day in week[1:])
    mine = duty_shifts_of(person_id=first.pk, first=MONDAY, last=MONDAY + timedelta(days=13))
    assert mine[0].station == station
    assert [s.day for s in mine] == [MONDAY + timedelta(days=i) for i in range(7)]
    assert mine[0].checked_in and not mine[1].checked_in
    theirs = duty_shifts_of(person_id=second.pk, first=MONDAY, last=MONDAY + timedelta(days=13))
    assert [s.day for s in theirs] == [MONDAY + timedelta(days=7 + i) for i in range(7)]


def test_a_foreign_scope_cannot_resolve_an_incident(tree, station, setup, make_user) -> None:  # type: ignore[no-untyped-def]
    first, _ = setup["people"]
    shift = shift_on(station, MONDAY)
    checkin(actor=None, person=first, station=station, at=at(MONDAY, 8))
    incident = incident_report(actor=None, shift=shift, kind="设备损坏", description="空调不制冷")
    foreign = make_user("foreign", ("officer", "520100"))
    with pytest.raises(PermissionDeniedError):
        incident_resolve(actor=foreign, scope=scope_for_user(foreign), incident=incident, follow_up="已修")
