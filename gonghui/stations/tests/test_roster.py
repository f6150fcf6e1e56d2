"""Duty groups, the generated calendar, places on shifts and swaps, through the services on a real database."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import IntegrityError, transaction

from gonghui.accounts.scope import scope_for_user
from gonghui.core.errors import DomainError, PermissionDeniedError
from gonghui.core.models import AuditEvent
from gonghui.core.scoping import unscoped
from gonghui.core.stats import stats_collect
from gonghui.members.tests.factories import id_number, register
from gonghui.stations.models import (
    DutyAssignment,
    DutyCheckIn,
    DutyShift,
    GroupMember,
    Holiday,
    StationClosedDay,
    SwapStatus,
    VolunteerStatus,
)
from gonghui.stations.rotation import RotationKind, RotationRule
from gonghui.stations.selectors import duties_of, station_counts
from gonghui.stations.services import (
    calendar_generate,
    group_create,
    group_join,
    shift_take,
    station_closed_day_add,
    swap_answer,
    swap_cancel,
    swap_decide,
    swap_request,
    volunteer_decide,
)
from gonghui.stations.tests.factories import make_station

pytestmark = pytest.mark.django_db
NAMES = ["张一", "李二", "王三", "赵四"]

NEXT_MONDAY = date.today() + timedelta(days=7 - date.today().weekday())


@pytest.fixture
def station(tree):  # type: ignore[no-untyped-def]
    return make_station(tree.zhongshan, "YX-001")


@pytest.fixture
def riders(tree):  # type: ignore[no-untyped-def]
    # Riders of two unions, one of them not the station's: volunteers come from anywhere.
    return [
        register(tree.courier_union if i % 2 else tree.nanming, id_number(400 + i), name=NAMES[i]).person
        for i in range(4)
    ]


def volunteer(group, person, *, leader: bool = False):  # type: ignore[no-untyped-def]
    joined = group_join(actor=None, person=person, group=group)
    return volunteer_decide(actor=None, scope=None, volunteer=joined, approve=True, make_leader=leader)


def test_four_groups_rotate_weekly_and_skip_holidays_and_closed_days(station) -> None:
    groups = [group_create(actor=None, scope=None, station=station, name=f"第{i}组") for i in range(1, 5)]
    Holiday.objects.create(day=NEXT_MONDAY + timedelta(days=1), name="测试节日")
    with unscoped():
        StationClosedDay.objects.create(station=station, org_path=station.org_path, day=NEXT_MONDAY + timedelta(days=2))
    rule = RotationRule(RotationKind.WEEKLY, NEXT_MONDAY, tuple(g.pk for g in groups))
    shifts = calendar_generate(
        actor=None,
        scope=None,
        station=station,
        rule=rule,
        first=NEXT_MONDAY,
        last=NEXT_MONDAY + timedelta(weeks=8, days=-1),
    )
    # 8 weeks × 7 days, less one holiday without holiday hours and one closed day.
    assert len(shifts) == 54
    with unscoped():
        rows = list(DutyShift.objects.filter(station=station))
    assert len(rows) == 54
    for s in rows:
        assert s.group_id == groups[((s.day - NEXT_MONDAY).days // 7) % 4].pk
    assert {NEXT_MONDAY + timedelta(days=1), NEXT_MONDAY + timedelta(days=2)}.isdisjoint({s.day for s in rows})
    # Generating the same period again adds nothing.
    again = calendar_generate(
        actor=None,
        scope=None,
        station=station,
        rule=rule,
        first=NEXT_MONDAY,
        last=NEXT_MONDAY + timedelta(weeks=8, days=-1),
    )
    assert again == []
    assert AuditEvent.all_objects.filter(action="stations.calendar_generate").count() == 2
    stats = stats_collect([station.org_path])
    assert (stats["duty_groups"], stats["duty_shifts"], stats["stations"]) == (4, 54, 1)


def test_generating_needs_the_roster_right_in_scope(tree, station, make_user) -> None:
    group = group_create(actor=None, scope=None, station=station, name="第1组")
    rule = RotationRule(RotationKind.WEEKLY, NEXT_MONDAY, (group.pk,))
    for user in (make_user("v", ("viewer", "520200")), make_user("f", ("admin", "520100"))):
        with pytest.raises(PermissionDeniedError):
            calendar_generate(
                actor=user, scope=scope_for_user(user), station=station, rule=rule, first=NEXT_MONDAY, last=NEXT_MONDAY
            )
    with unscoped():
        assert not DutyShift.objects.exists()


def test_a_group_of_another_station_is_refused(tree, station) -> None:
    other = make_station(tree.nanming, "GY-001", lat=26.5, lng=106.7)
    foreign = group_create(actor=None, scope=None, station=other, name="第1组")
    rule = RotationRule(RotationKind.WEEKLY, NEXT_MONDAY, (foreign.pk,))
    with pytest.raises(DomainError) as refused:
        calendar_generate(actor=None, scope=None, station=station, rule=rule, first=NEXT_MONDAY, last=NEXT_MONDAY)
    assert refused.value.code == "station.rotation_group_foreign"


def test_joining_needs_approval_and_one_group_per_station(station, riders) -> None:
    first = group_create(actor=None, scope=None, station=station, name="第1组")
    second = group_create(actor=None, scope=None, station=station, name="第2组")
    joined = group_join(actor=None, person=riders[0], group=first)
    assert joined.status == VolunteerStatus.PENDING
    with pytest.raises(DomainError) as twice:
        group_join(actor=None, person=riders[0], group=second)
    assert twice.value.code == "station.already_in_group"
    volunteer_decide(actor=None, scope=None, volunteer=joined, approve=True, make_leader=True)
    first.refresh_from_db()
    assert first.leader_id == riders[0].pk
    assert stats_collect(None)["station_volunteers"] == 1


def test_the_database_refuses_two_people_on_a_single_person_shift(station, riders) -> None:
    group = group_create(actor=None, scope=None, station=station, name="第1组")
    for rider in riders[:2]:
        volunteer(group, rider)
    rule = RotationRule(RotationKind.DAILY, NEXT_MONDAY, (group.pk,), people_per_shift=1)
    (shift,) = calendar_generate(
        actor=None, scope=None, station=station, rule=rule, first=NEXT_MONDAY, last=NEXT_MONDAY
    )
    shift_take(actor=None, person=riders[0], shift=shift)
    with pytest.raises(DomainError) as refused:
        shift_take(actor=None, person=riders[1], shift=shift)
    assert refused.value.code == "station.shift_taken"
    # The rule holds in the database itself, whatever a service checks first.
    with pytest.raises(IntegrityError), transaction.atomic():
        DutyAssignment.all_objects.create(shift=shift, org_path=shift.org_path, person=riders[1], single=True)
    with unscoped():
        assert DutyAssignment.objects.filter(shift=shift).count() == 1


def test_a_daily_shift_takes_several_up_to_its_capacity(station, riders) -> None:
    group = group_create(actor=None, scope=None, station=station, name="第1组")
    for rider in riders[:3]:
        volunteer(group, rider)
    rule = RotationRule(RotationKind.DAILY, NEXT_MONDAY, people_per_shift=2)
    (shift,) = calendar_generate(
        actor=None, scope=None, station=station, rule=rule, first=NEXT_MONDAY, last=NEXT_MONDAY
    )
    shift_take(actor=None, person=riders[0], shift=shift)
    shift_take(actor=None, person=riders[1], shift=shift)
    with pytest.raises(DomainError) as full:
        shift_take(actor=None, person=riders[2], shift=shift)
    assert full.value.code == "station.shift_full"


def test_a_non_volunteer_cannot_take_a_shift(station, riders) -> None:
    group = group_create(actor=None, scope=None, station=station, name="第1组")
    group_join(actor=None, person=riders[0], group=group)  # pending, not approved
    rule = RotationRule(RotationKind.DAILY, NEXT_MONDAY)
    (shift,) = calendar_generate(
        actor=None, scope=None, station=station, rule=rule, first=NEXT_MONDAY, last=NEXT_MONDAY
    )
    with pytest.raises(DomainError) as refused:
        shift_take(actor=None, person=riders[0], shift=shift)
    assert refused.value.code == "station.not_volunteer"


def test_a_swap_goes_to_the_other_rider_then_the_leader(station, riders) -> None:
    group = group_create(actor=None, scope=None, station=station, name="第1组")
    volunteer(group, riders[0], leader=True)
    volunteer(group, riders[1])
    volunteer(group, riders[2])
    rule = RotationRule(RotationKind.DAILY, NEXT_MONDAY, (group.pk,))
    monday, tuesday = calendar_generate(
        actor=None, scope=None, station=station, rule=rule, first=NEXT_MONDAY, last=NEXT_MONDAY + timedelta(days=1)
    )
    mine = shift_take(actor=None, person=riders[1], shift=monday)
    theirs = shift_take(actor=None, person=riders[2], shift=tuesday)
    swap = swap_request(actor=None, person=riders[1], assignment=mine, counterpart=riders[2], counter_assignment=theirs)
    # Nobody but the counterpart answers; nobody but the leader (or staff) approves, and only once accepted.
    with pytest.raises(DomainError) as not_theirs:
        swap_answer(actor=None, person=riders[0], swap=swap, accept=True)
    assert not_theirs.value.code == "station.swap_not_counterpart"
    with pytest.raises(DomainError) as too_early:
        swap_decide(actor=None, scope=None, person=riders[0], swap=swap, approve=True)
    assert too_early.value.code == "station.swap_wrong_status"
    swap_answer(actor=None, person=riders[2], swap=swap, accept=True)
    with pytest.raises(DomainError) as not_leader:
        swap_decide(actor=None, scope=None, person=riders[1], swap=swap, approve=True)
    assert not_leader.value.code == "station.swap_not_leader"
    done = swap_decide(actor=None, scope=None, person=riders[0], swap=swap, approve=True)
    assert done.status == SwapStatus.APPROVED
    with unscoped():
        holders = dict(DutyAssignment.objects.values_list("shift_id", "person_id"))
    assert holders == {monday.pk: riders[2].pk, tuesday.pk: riders[1].pk}
    actions = list(AuditEvent.all_objects.filter(action__startswith="stations.swap").values_list("action", flat=True))
    assert sorted(actions) == ["stations.swap_accept", "stations.swap_approve", "stations.swap_request"]


def test_a_swap_that_would_put_someone_on_a_shift_twice_is_refused(station, riders) -> None:
    group = group_create(actor=None, scope=None, station=station, name="第1组")
    for rider in riders[:2]:
        volunteer(group, rider)
    rule = RotationRule(RotationKind.DAILY, NEXT_MONDAY, people_per_shift=2)
    (shift,) = calendar_generate(
        actor=None, scope=None, station=station, rule=rule, first=NEXT_MONDAY, last=NEXT_MONDAY
    )
    mine = shift_take(actor=None, person=riders[0], shift=shift)
    shift_take(actor=None, person=riders[1], shift=shift)
    with pytest.raises(DomainError) as refused:
        swap_request(actor=None, person=riders[0], assignment=mine, counterpart=riders[1])
    assert refused.value.code == "station.swap_already_on_shift"


def test_staff_out_of_scope_cannot_decide_a_swap(tree, station, riders, make_user) -> None:
    group = group_create(actor=None, scope=None, station=station, name="第1组")
    for rider in riders[:2]:
        volunteer(group, rider)
    rule = RotationRule(RotationKind.DAILY, NEXT_MONDAY)
    (shift,) = calendar_generate(
        actor=None, scope=None, station=station, rule=rule, first=NEXT_MONDAY, last=NEXT_MONDAY
    )
    mine = shift_take(actor=None, person=riders[0], shift=shift)
    swap = swap_request(actor=None, person=riders[0], assignment=mine, counterpart=riders[1])
    swap_answer(actor=None, person=riders[1], swap=swap, accept=True)
    sibling = make_user("sibling", ("admin", "520100"))
    with pytest.raises(DomainError) as refused:
        swap_decide(actor=sibling, scope=scope_for_user(sibling), person=None, swap=swap, approve=True)
    assert refused.value.code == "station.swap_not_leader"
    officer = make_user("officer", ("officer", "520200"))
    swap_decide(actor=officer, scope=scope_for_user(officer), person=None, swap=swap, approve=True)
    with unscoped():
        assert DutyAssignment.objects.get().person_id == riders[1].pk
        assert GroupMember.objects.filter(status=VolunteerStatus.APPROVED).count() == 2


def test_a_shift_that_passed_with_nobody_checked_in_counts_as_missed(
    station, riders, django_assert_num_queries
) -> None:
    group = group_create(actor=None, scope=None, station=station, name="第1组")
    volunteer(group, riders[0])
    last_week = NEXT_MONDAY - timedelta(weeks=2)
    rule = RotationRule(RotationKind.DAILY, last_week, people_per_shift=2)
    shifts = calendar_generate(
        actor=None, scope=None, station=station, rule=rule, first=last_week, last=last_week + timedelta(days=1)
    )
    with unscoped():  # both held; only the first one's holder checked in (written directly: it is past)
        for shift in shifts:
            DutyAssignment.objects.create(shift=shift, org_path=station.org_path, person=riders[0], single=False)
        DutyCheckIn.objects.create(
            shift=shifts[0], org_path=station.org_path, person=riders[0], checked_in_at=shifts[0].starts_at
        )
    with django_assert_num_queries(5):
        stats = station_counts([station.org_path])
    assert (stats["duty_shifts"], stats["duty_shifts_missed"], stats["station_volunteers"]) == (2, 1, 1)


def test_the_requester_may_withdraw_an_open_swap_only(station, riders) -> None:
    group = group_create(actor=None, scope=None, station=station, name="第1组")
    for rider in riders[:2]:
        volunteer(group, rider)
    rule = RotationRule(RotationKind.DAILY, NEXT_MONDAY)
    (shift,) = calendar_generate(
        actor=None, scope=None, station=station, rule=rule, first=NEXT_MONDAY, last=NEXT_MONDAY
    )
    mine = shift_take(actor=None, person=riders[0], shift=shift)
    swap = swap_request(actor=None, person=riders[0], assignment=mine, counterpart=riders[1])
    with pytest.raises(DomainError) as not_yours:
        swap_cancel(actor=None, person=riders[1], swap=swap)
    assert not_yours.value.code == "station.swap_not_yours"
    assert swap_cancel(actor=None, person=riders[0], swap=swap).status == SwapStatus.CANCELLED
    with pytest.raises(DomainError) as late:
        swap_answer(actor=None, person=riders[1], swap=swap, accept=True)
    assert late.value.code == "station.swap_wrong_status"
    # Once withdrawn, the place may be offered again.
    again = swap_request(actor=None, person=riders[0], assignment=mine, counterpart=riders[1])
    assert again.status == SwapStatus.REQUESTED


def test_a_closed_day_is_skipped_by_the_next_calendar(station, make_user) -> None:
    viewer = make_user("viewer", ("viewer", "520200"))
    with pytest.raises(PermissionDeniedError):
        station_closed_day_add(actor=viewer, scope=scope_for_user(viewer), station=station, day=NEXT_MONDAY)
    station_closed_day_add(actor=None, scope=None, station=station, day=NEXT_MONDAY, reason="停电检修")
    station_closed_day_add(actor=None, scope=None, station=station, day=NEXT_MONDAY)  # twice: one row, one event
    assert AuditEvent.all_objects.filter(action="stations.closed_day_add").count() == 1
    rule = RotationRule(RotationKind.DAILY, NEXT_MONDAY)
    shifts = calendar_generate(
        actor=None, scope=None, station=station, rule=rule, first=NEXT_MONDAY, last=NEXT_MONDAY + timedelta(days=1)
    )
    assert [s.day for s in shifts] == [NEXT_MONDAY + timedelta(days=1)]


def test_a_rider_sees_only_their_own_duties(station, riders) -> None:
    group = group_create(actor=None, scope=None, station=station, name="第1组")
    for rider in riders[:2]:
        volunteer(group, rider)
    rule = RotationRule(RotationKind.DAILY, NEXT_MONDAY, people_per_shift=2)
    monday, tuesday = calendar_generate(
        actor=None, scope=None, station=station, rule=rule, first=NEXT_MONDAY, last=NEXT_MONDAY + timedelta(days=1)
    )
    shift_take(actor=None, person=riders[0], shift=monday)
    shift_take(actor=None, person=riders[1], shift=monday)
    shift_take(actor=None, person=riders[1], shift=tuesday)
    mine = duties_of(person_id=riders[0].pk, first=NEXT_MONDAY, last=NEXT_MONDAY + timedelta(days=6))
    assert [(d.shift_id, d.person_id) for d in mine] == [(monday.pk, riders[0].pk)]
