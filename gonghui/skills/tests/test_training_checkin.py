"""Training on the phone, at the service level: self-enrolment (members and villagers, the waiting list),
the QR check-in (only enrolled, only on the session's day, once), certificates of completion, the
college's plan against delivery and the chart by month."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from gonghui.core.errors import DomainError
from gonghui.core.models import AuditEvent
from gonghui.core.scoping import unscoped
from gonghui.members.tests.factories import id_number
from gonghui.notices.models import Certificate
from gonghui.skills import training, training_selectors, training_stats
from gonghui.skills.models import Attendance, ClassSession, EnrolmentStatus, TrainingClass
from gonghui.skills.tests.factories import member

pytestmark = pytest.mark.django_db


def running_class(org, capacity: int = 2) -> TrainingClass:  # type: ignore[no-untyped-def]
    today = timezone.localdate()
    return training.class_create(
        actor=None, scope=None, org=org, name="电商直播培训班", teacher="金工匠", capacity=capacity,
        starts_on=today - timedelta(days=1), ends_on=today + timedelta(days=1),
    )  # fmt: skip


def session_on(c: TrainingClass, day) -> ClassSession:  # type: ignore[no-untyped-def]
    return ClassSession.objects.get(training_class=c, held_on=day)


def self_enrol(c: TrainingClass, seq: int, **kw):  # type: ignore[no-untyped-def]
    values = {"id_number": id_number(seq, area="222426"), "name": f"村民{seq}", "mobile": f"1390000{seq:04d}", **kw}
    return training.enrolment_self(actor=None, training_class=c, **values)


def test_a_villager_enrols_from_the_phone_and_the_full_class_puts_the_next_on_the_waiting_list(tree) -> None:  # type: ignore[no-untyped-def]
    c = running_class(tree.dingxi, capacity=1)
    with pytest.raises(DomainError) as refused:
        self_enrol(c, 1, mobile="")
    assert refused.value.details == {"mobile": "请填写手机号码"}
    first = self_enrol(c, 1, income_before_fen=2_000_000)
    second = self_enrol(c, 2)
    assert (first.status, second.status) == (EnrolmentStatus.ENROLLED, EnrolmentStatus.WAITING)
    # Sealed as at the desk: the ID number is nowhere in clear.
    assert id_number(1, area="222426") not in (first.id_masked, first.id_index)
    assert bytes(first.id_cipher) and "*" in first.id_masked
    with pytest.raises(DomainError) as again:
        self_enrol(c, 1)
    assert again.value.code == "skills.already_enrolled"
    event = AuditEvent.all_objects.filter(action="skills.enrolment.add").order_by("pk").first()
    assert event is not None and event.data["channel"] == "phone"
    # A member enrols with their registry record.
    ms = member(tree.dingxi, 9)
    mine = training.enrolment_self(actor=None, training_class=c, membership=ms)
    assert mine.membership_id == ms.pk and mine.status == EnrolmentStatus.WAITING


def test_a_class_that_has_ended_takes_no_phone_enrolment(tree) -> None:  # type: ignore[no-untyped-def]
    today = timezone.localdate()
    c = training.class_create(
        actor=None, scope=None, org=tree.dingxi, name="往期班", teacher="金工匠", capacity=5,
        starts_on=today - timedelta(days=9), ends_on=today - timedelta(days=8),
    )  # fmt: skip
    with pytest.raises(DomainError) as refused:
        self_enrol(c, 3)
    assert refused.value.code == "skills.class_closed"


def test_the_qr_check_in_is_for_enrolled_trainees_on_the_session_day_once(tree) -> None:  # type: ignore[no-untyped-def]
    c = running_class(tree.dingxi, capacity=1)
    today = timezone.localdate()
    enrolled, waiting = self_enrol(c, 1), self_enrol(c, 2)
    code = training.session_code(session_on(c, today))
    assert training.session_by_code(code) == session_on(c, today)

    def check(seq: int, code: str = code) -> str:
        try:
            training.session_checkin(actor=None, code=code, id_number=id_number(seq, area="222426"))
        except DomainError as exc:
            return exc.code
        return "ok"

    assert check(3) == "skills.checkin_not_enrolled"
    assert check(2) == "skills.enrolment_wrong_status"  # still waiting
    assert check(1, code=training.session_code(session_on(c, today + timedelta(days=1)))) == (
        "skills.checkin_outside_window"
    )
    assert check(1) == "ok"
    assert check(1) == "skills.already_checked_in"
    # A code whose number was changed is not a code.
    pk, signature = code.split(":", 1)
    assert check(1, code=f"{int(pk) + 1}:{signature}") == "skills.checkin_code_invalid"
    assert Attendance.objects.filter(enrolment=enrolled).count() == 1
    assert not Attendance.objects.filter(enrolment=waiting).exists()
    # The phone that enrolled is vouched for by the ID's blind index.
    training.enrolment_withdraw(actor=None, scope=None, enrolment=enrolled)  # the waiting one moves up
    training.session_checkin(actor=None, code=code, id_index=waiting.id_index)
    assert Attendance.objects.filter(enrolment=waiting).count() == 1
    assert AuditEvent.all_objects.filter(action="skills.attendance.checkin").count() == 2


def test_certificates_only_for_completed_trainees_and_never_twice(tree) -> None:  # type: ignore[no-untyped-def]
    c = running_class(tree.dingxi, capacity=3)
    done, absent = self_enrol(c, 1), self_enrol(c, 2)
    training.attendance_record(
        actor=None, scope=None, session=ClassSession.objects.filter(training_class=c).first(), enrolments=[done]
    )
    for s in ClassSession.objects.filter(training_class=c):
        training.attendance_record(actor=None, scope=None, session=s, enrolments=[done])
    with pytest.raises(DomainError) as refused:
        training.certificates_for_class(actor=None, scope=None, training_class=c, enrolments=[done])
    assert refused.value.code == "skills.certificate_not_completed" and "村民1" in refused.value.message
    assert training.class_complete(actor=None, scope=None, training_class=c) == 1
    done.refresh_from_db()
    absent.refresh_from_db()
    with pytest.raises(DomainError) as refused:
        training.certificates_for_class(actor=None, scope=None, training_class=c, enrolments=[done, absent])
    assert "村民2" in refused.value.message and "村民1" not in refused.value.message
    first = training.certificates_for_class(actor=None, scope=None, training_class=c, enrolments=[done])
    again = training.certificates_for_class(actor=None, scope=None, training_class=c, enrolments=[done])
    assert [x.serial for x in first] == [x.serial for x in again]
    with unscoped():
        cert = Certificate.all_objects.get()
    assert (cert.kind, cert.holder_name, cert.title) == ("skills_training", "村民1", "电商直播培训班结业")
    assert cert.serial.startswith(f"{tree.dingxi.code}-{c.ends_on.year}-")


def test_the_plan_against_delivery_and_the_chart_by_month(tree) -> None:  # type: ignore[no-untyped-def]
    c = running_class(tree.dingxi, capacity=5)
    for seq in (1, 2, 3):
        self_enrol(c, seq)
    training.enrolment_withdraw(
        actor=None, scope=None, enrolment=training_selectors.completed_enrolments(training_class=c)[2]
    )
    training.plan_set(
        actor=None, scope=None, org=tree.dingxi, year=c.starts_on.year, trainee_times=4, contests_planned=3
    )
    rows = training_selectors.college_plan(org_path=tree.dingxi.path, org_id=tree.dingxi.pk)
    assert rows == [{"year": c.starts_on.year, "planned": 4, "contests_planned": 3, "delivered": 2, "share": 50}]
    chart = training_stats.training_by_month([tree.dingxi.path])
    month = f"{c.starts_on.year}年{c.starts_on.month}月"
    at = chart["labels"].index(month)
    values = {s["name"]: s["values"][at] for s in chart["series"]}
    assert values["开班（个）"] == 1 and values["培训人次"] == 2
    assert training_stats.training_by_month([tree.province.path]) == {}
