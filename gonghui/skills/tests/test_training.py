"""Training classes: capacity and the waiting list, members and sealed non-members, attendance, completion,
incomes and their average rise, plans against delivery, statistics and scope."""

from __future__ import annotations

from datetime import date

import pytest

from gonghui.core import crypto
from gonghui.core.errors import DomainError, PermissionDeniedError
from gonghui.core.models import AuditEvent
from gonghui.core.scoping import unscoped
from gonghui.core.stats import stats_collect
from gonghui.members.tests.factories import id_number
from gonghui.members.validation import ID_PURPOSE
from gonghui.skills import selectors, training
from gonghui.skills.models import ClassStatus, Enrolment, EnrolmentStatus, TrainingClass
from gonghui.skills.tests.factories import member, scope_of

pytestmark = pytest.mark.django_db


def open_class(org, *, capacity: int = 2, **fields) -> TrainingClass:  # type: ignore[no-untyped-def]
    values = {
        "name": "农村电商直播培训班",
        "teacher": "李劳模",
        "teacher_title": "全国劳动模范",
        "starts_on": date(2025, 3, 1),
        "ends_on": date(2025, 3, 4),
        **fields,
    }
    return training.class_create(actor=None, scope=None, org=org, capacity=capacity, **values)


def villager(c: TrainingClass, seq: int, *, income: int | None = None) -> Enrolment:
    return training.enrolment_add(
        actor=None,
        scope=None,
        training_class=c,
        id_number=id_number(seq, area="621102"),
        name="村民" + "甲乙丙丁戊己庚辛壬癸"[seq % 10],
        income_before_fen=income,
    )


def statuses(c: TrainingClass) -> list[tuple[str, str]]:
    with unscoped():
        return list(Enrolment.objects.filter(training_class=c).order_by("pk").values_list("name", "status"))


def test_a_class_gets_a_session_for_each_day_of_its_window(tree) -> None:  # type: ignore[no-untyped-def]
    c = open_class(tree.dingxi)
    assert [s.held_on.day for s in selectors.session_list(training_class=c)] == [1, 2, 3, 4]
    with pytest.raises(DomainError) as refused:
        training.class_create(
            actor=None, scope=None, org=tree.dingxi, name="", teacher="", capacity=0,
            starts_on=date(2025, 3, 2), ends_on=date(2025, 3, 1),
        )  # fmt: skip
    assert set(refused.value.details) == {"name", "teacher", "ends_on", "capacity"}


def test_a_full_class_puts_trainees_on_the_waiting_list_and_promotes_in_order(tree) -> None:  # type: ignore[no-untyped-def]
    c = open_class(tree.dingxi, capacity=2)
    first, _second, third, fourth = (villager(c, n) for n in (1, 2, 3, 4))
    assert [s for _n, s in statuses(c)] == ["enrolled", "enrolled", "waiting", "waiting"]
    moved = training.enrolment_withdraw(actor=None, scope=None, enrolment=first)
    assert [e.pk for e in moved] == [third.pk]
    assert [s for _n, s in statuses(c)] == ["withdrawn", "enrolled", "enrolled", "waiting"]
    moved = training.class_set_capacity(actor=None, scope=None, training_class=c, capacity=5)
    assert [e.pk for e in moved] == [fourth.pk]
    assert AuditEvent.all_objects.filter(action="skills.enrolment.promote").count() == 2


def test_a_person_enrols_once_per_class_and_a_withdrawn_one_may_come_back(tree) -> None:  # type: ignore[no-untyped-def]
    c = open_class(tree.dingxi)
    one = villager(c, 5)
    with pytest.raises(DomainError) as refused:
        villager(c, 5)
    assert refused.value.code == "skills.already_enrolled"
    training.enrolment_withdraw(actor=None, scope=None, enrolment=one)
    assert villager(c, 5).status == EnrolmentStatus.ENROLLED


def test_a_non_members_id_number_is_sealed_and_masked_never_in_clear(tree) -> None:  # type: ignore[no-untyped-def]
    c = open_class(tree.dingxi)
    number = id_number(6, area="621102")
    e = villager(c, 6)
    with unscoped():
        row = Enrolment.objects.filter(pk=e.pk).values().get()
    assert number not in str(row)
    assert row["id_masked"] == number[:6] + "********" + number[-4:]
    assert crypto.decrypt(bytes(row["id_cipher"]), purpose=ID_PURPOSE) == number
    with pytest.raises(DomainError) as refused:
        training.enrolment_add(actor=None, scope=None, training_class=c, id_number="123", name="")
    assert set(refused.value.details) == {"member", "name"}


def test_a_member_enrols_with_the_registrys_sealed_number(tree) -> None:  # type: ignore[no-untyped-def]
    c = open_class(tree.lps)
    ms = member(tree.courier_union, 7)
    e = training.enrolment_add(actor=None, scope=None, training_class=c, membership=ms)
    assert (e.name, e.id_index, e.membership_id) == ("选手七", ms.person.id_index, ms.pk)


def test_attendance_completion_and_the_income_rise(tree) -> None:  # type: ignore[no-untyped-def]
    c = open_class(tree.dingxi, capacity=3)  # four sessions; 80% to complete: 4 of 4 (3.2 rounds up)
    a, b, d = villager(c, 1, income=30_000_00), villager(c, 2, income=20_000_00), villager(c, 3)
    waiting = villager(c, 4)
    sessions = selectors.session_list(training_class=c)
    for s in sessions:
        assert training.attendance_record(actor=None, scope=None, session=s, enrolments=[a, b]) == 2
    assert training.attendance_record(actor=None, scope=None, session=sessions[0], enrolments=[a, d]) == 1
    with pytest.raises(DomainError):
        training.attendance_record(actor=None, scope=None, session=sessions[0], enrolments=[waiting])
    with pytest.raises(DomainError) as refused:
        training.enrolment_income_record(actor=None, scope=None, enrolment=a, income_after_fen=42_000_00)
    assert "已结业" in refused.value.message
    assert training.class_complete(actor=None, scope=None, training_class=c) == 2
    assert statuses(c) == [
        ("村民乙", "completed"),
        ("村民丙", "completed"),
        ("村民丁", "enrolled"),
        ("村民戊", "withdrawn"),
    ]
    training.enrolment_income_record(actor=None, scope=None, enrolment=a, income_after_fen=42_000_00)
    training.enrolment_income_record(actor=None, scope=None, enrolment=b, income_after_fen=32_000_50)
    figures = stats_collect([tree.dingxi.path])
    assert figures["training_classes"] == 1
    assert (figures["trainees"], figures["trainee_times"]) == (3, 3)  # completed and enrolled; not the withdrawn
    assert figures["trainee_income_rise_yuan"] == 12000.25  # (12000 + 12000.50) / 2
    with pytest.raises(DomainError):
        villager(c, 8)  # a completed class takes no one


def test_trainees_are_people_and_trainee_times_are_places(tree) -> None:  # type: ignore[no-untyped-def]
    one, two = open_class(tree.dingxi), open_class(tree.dingxi, name="第二期")
    villager(one, 1)
    villager(two, 1)
    villager(two, 2)
    figures = stats_collect([tree.dingxi.path])
    assert (figures["training_classes"], figures["trainees"], figures["trainee_times"]) == (2, 2, 3)


def test_a_plan_against_what_was_delivered(tree) -> None:  # type: ignore[no-untyped-def]
    college = tree.dingxi
    training.plan_set(actor=None, scope=None, org=college, year=2025, trainee_times=1200, contests_planned=3)
    training.plan_set(actor=None, scope=None, org=college, year=2025, trainee_times=1200, contests_planned=3)
    c = open_class(college, capacity=10)
    for n in range(3):
        villager(c, n)
    [row] = selectors.plan_rows(scope=scope_of_superuser())
    assert (row.plan.trainee_times, row.delivered, row.plan.contests_planned) == (1200, 3, 3)
    assert stats_collect([college.path])["trainee_times_planned"] == 1200


def scope_of_superuser():  # type: ignore[no-untyped-def]
    from gonghui.core.scoping import Scope

    return Scope(user_id=1, is_superuser=True)


def test_scope_of_classes(tree, make_user) -> None:  # type: ignore[no-untyped-def]
    c = open_class(tree.dingxi)
    gz = make_user("gz", ("officer", "520000"))
    viewer = make_user("dxv", ("viewer", "621100"))
    assert not selectors.class_list(scope=scope_of(gz)).exists()
    with pytest.raises(DomainError):
        selectors.class_get(scope=scope_of(gz), pk=c.pk)
    with pytest.raises(PermissionDeniedError):
        training.enrolment_add(
            actor=gz, scope=scope_of(gz), training_class=c, id_number=id_number(9, area="621102"), name="村民"
        )
    with pytest.raises(PermissionDeniedError):
        villager_as(viewer, c)
    assert selectors.class_get(scope=scope_of(viewer), pk=c.pk).status == ClassStatus.OPEN


def villager_as(user, c):  # type: ignore[no-untyped-def]
    return training.enrolment_add(
        actor=user, scope=scope_of(user), training_class=c, id_number=id_number(9, area="621102"), name="村民"
    )
