"""The roster pages: groups and volunteers, the calendar with its gaps, and swaps to approve."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse

from gonghui.core.models import AuditEvent
from gonghui.core.scoping import unscoped
from gonghui.members.tests.factories import id_number, register
from gonghui.stations.models import DutyAssignment, DutyGroup, DutyShift, GroupMember, SwapStatus, VolunteerStatus
from gonghui.stations.rotation import RotationKind, RotationRule
from gonghui.stations.services import (
    calendar_generate,
    group_create,
    group_join,
    shift_take,
    swap_answer,
    swap_request,
    volunteer_decide,
)
from gonghui.stations.tests.factories import make_station

pytestmark = pytest.mark.django_db
TODAY = date.today()
NEXT_MONDAY = TODAY + timedelta(days=7 - TODAY.weekday())


@pytest.fixture
def station(tree):  # type: ignore[no-untyped-def]
    return make_station(tree.zhongshan, "YX-001", name="夷新驿站")


@pytest.fixture
def riders(tree):  # type: ignore[no-untyped-def]
    names = ["张一", "李二", "王三"]
    return [register(tree.courier_union, id_number(700 + i), name=names[i]).person for i in range(3)]


@pytest.fixture
def officer(make_user, login):  # type: ignore[no-untyped-def]
    return login(make_user("officer", ("officer", "520200")))


@pytest.fixture
def viewer(make_user, login):  # type: ignore[no-untyped-def]
    return login(make_user("viewer", ("viewer", "520200")))


@pytest.fixture
def foreign(make_user, login):  # type: ignore[no-untyped-def]
    return login(make_user("foreign", ("admin", "621100")))


def test_groups_are_made_and_volunteers_approved_rejected_or_made_leader(tree, station, riders, officer) -> None:
    assert officer.post(reverse("stations:group_new", args=["YX-001"]), {"name": "第一组"}).status_code == 302
    group = DutyGroup.all_objects.get(station=station)
    again = officer.post(reverse("stations:group_new", args=["YX-001"]), {"name": "第一组"})
    assert again.status_code == 200 and 'data-testid="error-name"' in again.content.decode()
    asks = [group_join(actor=None, person=p, group=group) for p in riders]
    page = officer.get(reverse("stations:roster", args=["YX-001"])).content.decode()
    assert all(f'data-testid="pending-{a.pk}"' in page for a in asks)
    assert "钟山区快递员联合工会" in page  # the union each rider joined from
    base = "stations:volunteer_decide"
    officer.post(reverse(base, args=["YX-001", asks[0].pk, "leader"]))
    officer.post(reverse(base, args=["YX-001", asks[1].pk, "approve"]))
    officer.post(reverse(base, args=["YX-001", asks[2].pk, "reject"]))
    statuses = dict(GroupMember.all_objects.values_list("pk", "status"))
    assert statuses == {
        asks[0].pk: VolunteerStatus.APPROVED,
        asks[1].pk: VolunteerStatus.APPROVED,
        asks[2].pk: VolunteerStatus.REJECTED,
    }
    group.refresh_from_db()
    assert group.leader_id == riders[0].pk
    # An approved volunteer can be made the leader later.
    officer.post(reverse(base, args=["YX-001", asks[1].pk, "leader"]))
    group.refresh_from_db()
    assert group.leader_id == riders[1].pk
    # Deciding twice says why, and changes nothing.
    response = officer.post(reverse(base, args=["YX-001", asks[2].pk, "approve"]), follow=True)
    assert "未通过" in response.content.decode()
    assert GroupMember.all_objects.get(pk=asks[2].pk).status == VolunteerStatus.REJECTED
    assert officer.post(reverse(base, args=["YX-001", asks[0].pk, "promote"])).status_code == 404


def test_roster_changes_need_the_roster_right_in_scope(tree, station, riders, viewer, foreign) -> None:
    group = group_create(actor=None, scope=None, station=station, name="第一组")
    ask = group_join(actor=None, person=riders[0], group=group)
    assert viewer.get(reverse("stations:roster", args=["YX-001"])).status_code == 200
    assert foreign.get(reverse("stations:roster", args=["YX-001"])).status_code == 404
    for client, status in ((viewer, 403), (foreign, 404)):
        assert client.post(reverse("stations:group_new", args=["YX-001"]), {"name": "第二组"}).status_code == status
        url = reverse("stations:volunteer_decide", args=["YX-001", ask.pk, "approve"])
        assert client.post(url).status_code == status
        data = {"kind": "weekly", "first": NEXT_MONDAY, "last": NEXT_MONDAY + timedelta(days=6), "groups": [group.pk]}
        assert (
            client.post(reverse("stations:calendar", args=["YX-001"]), data | {"people_per_shift": 1}).status_code
            == status
        )
    assert DutyGroup.all_objects.count() == 1
    assert GroupMember.all_objects.get().status == VolunteerStatus.PENDING
    assert not DutyShift.all_objects.exists()
    page = viewer.get(reverse("stations:roster", args=["YX-001"])).content.decode()
    assert 'data-testid="calendar-form"' not in page and f'data-testid="approve-{ask.pk}"' not in page


def test_a_weekly_calendar_is_generated_and_a_group_without_volunteers_shows_as_a_gap(
    tree, station, riders, officer
) -> None:
    first, second = (group_create(actor=None, scope=None, station=station, name=n) for n in ("第一组", "第二组"))
    volunteer_decide(
        actor=None, scope=None, volunteer=group_join(actor=None, person=riders[0], group=first), approve=True
    )
    data = {
        "kind": "weekly",
        "first": NEXT_MONDAY.isoformat(),
        "last": (NEXT_MONDAY + timedelta(days=13)).isoformat(),
        "groups": [first.pk, second.pk],
        "people_per_shift": "1",
    }
    response = officer.post(reverse("stations:calendar", args=["YX-001"]), data)
    assert response.status_code == 302
    shifts = list(DutyShift.all_objects.filter(station=station).order_by("starts_at"))
    assert len(shifts) == 14
    assert {s.group_id for s in shifts[:7]} == {first.pk} and {s.group_id for s in shifts[7:]} == {second.pk}
    page = officer.get(response["Location"]).content.decode()
    assert "缺人 7 班" in page and "小组无人" in page
    assert AuditEvent.all_objects.filter(action="stations.calendar_generate").count() == 1


def test_a_daily_calendar_shows_the_places_still_open(tree, station, riders, officer) -> None:
    group = group_create(actor=None, scope=None, station=station, name="第一组")
    volunteer_decide(
        actor=None, scope=None, volunteer=group_join(actor=None, person=riders[0], group=group), approve=True
    )
    data = {"kind": "daily", "first": NEXT_MONDAY.isoformat(), "last": NEXT_MONDAY.isoformat(), "people_per_shift": "2"}
    assert officer.post(reverse("stations:calendar", args=["YX-001"]), data).status_code == 302
    shift = DutyShift.all_objects.get(station=station)
    assert shift.capacity == 2 and not shift.held_by_group
    shift_take(actor=None, person=riders[0], shift=shift)
    page = officer.get(reverse("stations:roster", args=["YX-001"]), {"first": NEXT_MONDAY.isoformat()}).content.decode()
    assert "1/2" in page and "缺 1 人" in page and "缺人 1 班" in page


def test_calendar_form_errors_show_all_at_once(tree, station, officer) -> None:
    data = {"kind": "weekly", "first": (NEXT_MONDAY + timedelta(days=1)).isoformat(), "last": NEXT_MONDAY.isoformat()}
    response = officer.post(reverse("stations:calendar", args=["YX-001"]), data | {"people_per_shift": "1"})
    html = response.content.decode()
    assert response.status_code == 200
    for field in ("first", "last", "groups"):
        assert f'data-testid="error-{field}"' in html, field
    assert not DutyShift.all_objects.exists()


def _accepted_swap(station, riders):  # type: ignore[no-untyped-def]
    group = group_create(actor=None, scope=None, station=station, name="第一组")
    for rider in riders[:2]:
        volunteer_decide(
            actor=None, scope=None, volunteer=group_join(actor=None, person=rider, group=group), approve=True
        )
    rule = RotationRule(RotationKind.DAILY, NEXT_MONDAY, (group.pk,))
    monday, tuesday = calendar_generate(
        actor=None, scope=None, station=station, rule=rule, first=NEXT_MONDAY, last=NEXT_MONDAY + timedelta(days=1)
    )
    mine = shift_take(actor=None, person=riders[0], shift=monday)
    theirs = shift_take(actor=None, person=riders[1], shift=tuesday)
    swap = swap_request(
        actor=None, person=riders[0], assignment=mine, counterpart=riders[1], counter_assignment=theirs, note="家里有事"
    )
    return swap_answer(actor=None, person=riders[1], swap=swap, accept=True), monday, tuesday


def test_staff_approve_an_accepted_swap_from_the_swaps_page(tree, station, riders, officer, viewer) -> None:
    swap, monday, tuesday = _accepted_swap(station, riders)
    page = officer.get(reverse("stations:swaps")).content.decode()
    assert "家里有事" in page and "夷新驿站" in page and f'data-testid="swap-approve-{swap.pk}"' in page
    url = reverse("stations:swap_decide", args=["YX-001", swap.pk, "approve"])
    assert viewer.post(url).status_code == 403
    response = officer.post(url, {"next": "swaps"})
    assert response.status_code == 302 and response["Location"] == reverse("stations:swaps")
    swap.refresh_from_db()
    assert swap.status == SwapStatus.APPROVED
    with unscoped():
        holders = dict(DutyAssignment.objects.values_list("shift_id", "person_id"))
    assert holders == {monday.pk: riders[1].pk, tuesday.pk: riders[0].pk}
    assert "没有待审批的换班申请" in officer.get(reverse("stations:swaps")).content.decode()


def test_staff_refuse_a_swap_from_the_roster_and_a_foreign_one_is_not_found(
    tree, station, riders, officer, foreign
) -> None:
    swap, _monday, _tuesday = _accepted_swap(station, riders)
    assert "家里有事" in officer.get(reverse("stations:roster", args=["YX-001"])).content.decode()
    assert foreign.post(reverse("stations:swap_decide", args=["YX-001", swap.pk, "approve"])).status_code == 404
    assert foreign.get(reverse("stations:swaps")).content.decode().count("家里有事") == 0
    url = reverse("stations:swap_decide", args=["YX-001", swap.pk, "refuse"])
    assert officer.post(url).status_code == 302
    swap.refresh_from_db()
    assert swap.status == SwapStatus.REFUSED
    again = officer.post(url, follow=True).content.decode()
    assert "不能审批" in again
