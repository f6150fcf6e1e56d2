"""Writes on training classes: open a class, enrol (members, or villagers not yet members), the waiting list,
attendance, completion, the trainees' incomes, and the yearly plan of trainee-times.

A class is run by a union or by a college (an org of its own, e.g. 新电商工匠学院). It
takes `capacity` trainees; whoever enrols when it is full waits, and the first waiting
moves up when a place frees (a trainee withdraws, or the capacity grows). A trainee who
is not a member gives an ID number, kept as the registry keeps it: sealed, blind-indexed
and masked, never in clear. A trainee's yearly income is asked at enrolment and again a
year on (after the class has ended); the average rise is computed from both, never typed.
Every write is audited in its transaction.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core import signing
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from gonghui.accounts.models import User
from gonghui.core.audit import audit_record
from gonghui.core.errors import DomainError, joined
from gonghui.core.scoping import Scope, require_perm_at, unscoped
from gonghui.members.models import Membership, MembershipStatus, Person
from gonghui.members.validation import FieldError, clean_mobile, parse_identity
from gonghui.notices.certificates import CertificateIn, certificates_issue
from gonghui.notices.kinds import NoticeKind
from gonghui.notices.models import Certificate
from gonghui.orgs.models import Org
from gonghui.skills import errors as _errors  # noqa: F401  (registers messages)
from gonghui.skills import training_words as _words  # noqa: F401  (registers messages and audit words)
from gonghui.skills.models import (
    Attendance,
    ClassSession,
    ClassStatus,
    Enrolment,
    EnrolmentStatus,
    TrainingClass,
    TrainingPlan,
)
from gonghui.skills.permissions import SkillsPerm

ENROLMENT_STATES = dict(EnrolmentStatus.choices)
MAX_SESSIONS = 60  # a class opened without its days gets one session a day of its window, at most this many


def _audit(actor: User | None, action: str, org: Org | None, target: Any = None, **data: Any) -> None:
    audit_record(actor=actor, action=f"skills.{action}", org=org, target=target, data=data)


def _org(pk: int) -> Org:
    with unscoped():
        return Org.all_objects.get(pk=pk)


def _locked(training_class: TrainingClass) -> TrainingClass:
    return TrainingClass.all_objects.select_for_update().get(pk=training_class.pk)


def class_create(
    *,
    actor: User | None,
    scope: Scope | None,
    org: Org,
    name: str,
    teacher: str,
    starts_on: date,
    ends_on: date,
    capacity: int,
    trade: str = "",
    teacher_title: str = "",
    schedule: str = "",
    venue: str = "",
    sessions: list[date] | None = None,
) -> TrainingClass:
    """A union or college opens a class; its sessions are the given days, or each day of its window."""
    require_perm_at(scope, SkillsPerm.TRAINING_MANAGE, org.path)
    errors: dict[str, str] = {}
    if not name.strip():
        errors["name"] = "请填写培训班名称"
    if not teacher.strip():
        errors["teacher"] = "请填写授课老师"
    if ends_on < starts_on:
        errors["ends_on"] = "结业日期不能早于开班日期"
    if capacity < 1:
        errors["capacity"] = "名额至少为 1"
    days = sorted(set(sessions or []))
    if any(d < starts_on or d > ends_on for d in days):
        errors["sessions"] = "上课日期须在开班和结业日期之间"
    if errors:
        raise DomainError("skills.class_invalid", details=errors, reasons=joined(errors))
    if not days:
        span = min((ends_on - starts_on).days + 1, MAX_SESSIONS)
        days = [starts_on + timedelta(days=i) for i in range(span)]
    with transaction.atomic(), unscoped():
        org = Org.all_objects.get(pk=org.pk)
        if org.closed_on is not None:
            raise DomainError("skills.org_closed", org=org.name)
        training_class = TrainingClass(
            org=org,
            org_path=org.path,
            name=name.strip(),
            trade=trade.strip(),
            teacher=teacher.strip(),
            teacher_title=teacher_title.strip(),
            starts_on=starts_on,
            ends_on=ends_on,
            schedule=schedule.strip(),
            venue=venue.strip(),
            capacity=capacity,
        )
        training_class.save(force_insert=True)
        ClassSession.objects.bulk_create([ClassSession(training_class=training_class, held_on=d) for d in days])
        _audit(actor, "class.create", org, training_class, name=training_class.name, capacity=capacity)
    return training_class


def _promote(training_class: TrainingClass, actor: User | None, org: Org) -> list[Enrolment]:
    """Move the first waiting trainees into the free places (the class row is locked)."""
    taken = Enrolment.objects.filter(training_class=training_class, status=EnrolmentStatus.ENROLLED).count()
    free = training_class.capacity - taken
    if free <= 0:
        return []
    moved = list(
        Enrolment.objects.filter(training_class=training_class, status=EnrolmentStatus.WAITING).order_by("pk")[:free]
    )
    for enrolment in moved:
        enrolment.status = EnrolmentStatus.ENROLLED
        enrolment.save(update_fields=["status"])
        _audit(actor, "enrolment.promote", org, enrolment, **{"class": training_class.name})
    return moved


def enrolment_add(
    *,
    actor: User | None,
    scope: Scope | None,
    training_class: TrainingClass,
    membership: Membership | None = None,
    id_number: str = "",
    name: str = "",
    mobile: str = "",
    income_before_fen: int | None = None,
) -> Enrolment:
    """Enrol a member, or a worker not yet a member by their ID number (sealed); waits when the class is full."""
    require_perm_at(scope, SkillsPerm.TRAINING_MANAGE, training_class.org_path)
    return _enrol(
        actor=actor,
        training_class=training_class,
        membership=membership,
        id_number=id_number,
        name=name,
        mobile=mobile,
        income_before_fen=income_before_fen,
        channel="staff",
    )


def enrolment_self(
    *,
    actor: User | None,
    training_class: TrainingClass,
    membership: Membership | None = None,
    id_number: str = "",
    name: str = "",
    mobile: str = "",
    income_before_fen: int | None = None,
) -> Enrolment:
    """A trainee enrols themself from a phone: a signed-in member (the portal vouches for `membership`),
    or a villager not yet a member by name, mobile and ID number. The same rules as at the desk (capacity
    and waiting list, once per class); a villager must leave a mobile so the class can reach them."""
    if membership is None and not mobile.strip():
        raise DomainError("skills.enrolment_invalid", details={"mobile": "请填写手机号码"}, reasons="请填写手机号码")
    with unscoped():
        training_class = TrainingClass.all_objects.get(pk=training_class.pk)
    if training_class.ends_on < timezone.localdate():
        raise DomainError("skills.class_closed", name=training_class.name)
    return _enrol(
        actor=actor,
        training_class=training_class,
        membership=membership,
        id_number=id_number,
        name=name,
        mobile=mobile,
        income_before_fen=income_before_fen,
        channel="phone",
    )


def _enrol(
    *,
    actor: User | None,
    training_class: TrainingClass,
    membership: Membership | None,
    id_number: str,
    name: str,
    mobile: str,
    income_before_fen: int | None,
    channel: str,
) -> Enrolment:
    errors: dict[str, str] = {}
    identity = None
    if membership is None:
        try:
            identity = parse_identity(id_number)
        except FieldError as exc:
            errors["member"] = str(exc)
        if not name.strip():
            errors["name"] = "尚未入会的学员请填写姓名"
    if mobile.strip():
        try:
            mobile = clean_mobile(mobile)
        except FieldError as exc:
            errors["mobile"] = str(exc)
    if income_before_fen is not None and income_before_fen < 0:
        errors["income_before"] = "年收入不能为负数"
    if errors:
        raise DomainError("skills.enrolment_invalid", details=errors, reasons=joined(errors))
    with transaction.atomic(), unscoped():
        training_class = _locked(training_class)
        if training_class.status != ClassStatus.OPEN:
            raise DomainError("skills.class_closed", name=training_class.name)
        if membership is not None:
            membership = Membership.all_objects.get(pk=membership.pk)
            if membership.status != MembershipStatus.ACTIVE:
                raise DomainError("skills.not_active_member")
            person = Person.objects.get(pk=membership.person_id)
            cipher, index, masked = bytes(person.id_cipher), person.id_index, person.id_masked
            name, mobile = person.name, mobile or person.mobile
        else:
            assert identity is not None
            cipher, index, masked = identity.cipher(), identity.index, identity.masked
        clash = (
            Enrolment.objects.filter(training_class=training_class, id_index=index)
            .exclude(status=EnrolmentStatus.WITHDRAWN)
            .first()
        )
        if clash is not None:
            raise DomainError(
                "skills.already_enrolled", status=409, name=clash.name, state=ENROLMENT_STATES[clash.status]
            )
        taken = Enrolment.objects.filter(training_class=training_class, status=EnrolmentStatus.ENROLLED).count()
        enrolment = Enrolment(
            training_class=training_class,
            org_path=training_class.org_path,
            membership=membership,
            name=name.strip(),
            mobile=mobile,
            id_cipher=cipher,
            id_index=index,
            id_masked=masked,
            status=EnrolmentStatus.ENROLLED if taken < training_class.capacity else EnrolmentStatus.WAITING,
            income_before_fen=income_before_fen,
        )
        enrolment.save(force_insert=True)
        _audit(
            actor,
            "enrolment.add",
            _org(training_class.org_id),
            enrolment,
            **{
                "class": training_class.name,
                "status": enrolment.status,
                "member": membership is not None,
                "channel": channel,
            },
        )
    return enrolment


def enrolment_withdraw(*, actor: User | None, scope: Scope | None, enrolment: Enrolment) -> list[Enrolment]:
    """A trainee leaves the class; the first waiting ones take the freed place. Returns who moved up."""
    require_perm_at(scope, SkillsPerm.TRAINING_MANAGE, enrolment.org_path)
    with transaction.atomic(), unscoped():
        training_class = _locked(enrolment.training_class)
        enrolment = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
        if enrolment.status not in (EnrolmentStatus.ENROLLED, EnrolmentStatus.WAITING):
            raise DomainError(
                "skills.enrolment_wrong_status", state=ENROLMENT_STATES[enrolment.status], action="退出培训班"
            )
        enrolment.status = EnrolmentStatus.WITHDRAWN
        enrolment.save(update_fields=["status"])
        org = _org(training_class.org_id)
        _audit(actor, "enrolment.withdraw", org, enrolment, **{"class": training_class.name})
        return _promote(training_class, actor, org) if training_class.status == ClassStatus.OPEN else []


def class_set_capacity(
    *, actor: User | None, scope: Scope | None, training_class: TrainingClass, capacity: int
) -> list[Enrolment]:
    """Change the number of places; new places go to the waiting list in order. Fewer places move no one out."""
    require_perm_at(scope, SkillsPerm.TRAINING_MANAGE, training_class.org_path)
    if capacity < 1:
        raise DomainError("skills.class_invalid", field="capacity", reasons="名额至少为 1")
    with transaction.atomic(), unscoped():
        training_class = _locked(training_class)
        training_class.capacity = capacity
        training_class.save(update_fields=["capacity"])
        org = _org(training_class.org_id)
        _audit(actor, "class.capacity", org, training_class, capacity=capacity)
        return _promote(training_class, actor, org) if training_class.status == ClassStatus.OPEN else []


def attendance_record(
    *, actor: User | None, scope: Scope | None, session: ClassSession, enrolments: list[Enrolment]
) -> int:
    """Mark trainees present at a session (again is no change); returns how many were newly marked."""
    training_class = session.training_class
    require_perm_at(scope, SkillsPerm.TRAINING_MANAGE, training_class.org_path)
    with transaction.atomic(), unscoped():
        training_class = _locked(training_class)
        if training_class.status != ClassStatus.OPEN:
            raise DomainError("skills.class_closed", name=training_class.name)
        for enrolment in enrolments:
            if enrolment.training_class_id != training_class.pk:
                raise DomainError("skills.session_foreign")
            if enrolment.status != EnrolmentStatus.ENROLLED:
                raise DomainError(
                    "skills.enrolment_wrong_status", state=ENROLMENT_STATES[enrolment.status], action="签到"
                )
        seen = set(
            Attendance.objects.filter(session=session, enrolment__in=enrolments).values_list("enrolment_id", flat=True)
        )
        new = [Attendance(session=session, enrolment=e) for e in enrolments if e.pk not in seen]
        Attendance.objects.bulk_create(new)
        if new:
            _audit(
                actor,
                "attendance.record",
                _org(training_class.org_id),
                training_class,
                day=session.held_on.isoformat(),
                present=len(new),
            )
    return len(new)


# A session's QR code carries its id signed with the server's key: a trainee cannot check in to
# another session by changing a number, and nothing has to be stored per session.
CHECKIN_SALT = "skills.session.checkin"


def session_code(session: ClassSession) -> str:
    return signing.Signer(salt=CHECKIN_SALT).sign(str(session.pk))


def session_by_code(code: str) -> ClassSession | None:
    try:
        pk = int(signing.Signer(salt=CHECKIN_SALT).unsign(code))
    except (signing.BadSignature, ValueError):
        return None
    with unscoped():
        return ClassSession.objects.select_related("training_class").filter(pk=pk).first()


def session_checkin(*, actor: User | None, code: str, id_index: str = "", id_number: str = "") -> Attendance:
    """A trainee checks in on their phone with the session's QR code: only an enrolled trainee (not one
    waiting), only on the session's day, and once. The trainee is known by the blind index of their ID:
    `id_index` when the caller vouches for it (a signed-in member's registry record, the phone that
    enrolled), else the ID number typed now."""
    session = session_by_code(code)
    if session is None:
        raise DomainError("skills.checkin_code_invalid", status=404)
    if not id_index:
        try:
            id_index = parse_identity(id_number).index
        except FieldError as exc:
            raise DomainError("skills.enrolment_invalid", details={"id_number": str(exc)}, reasons=str(exc)) from exc
    with transaction.atomic(), unscoped():
        training_class = _locked(session.training_class)
        if training_class.status != ClassStatus.OPEN:
            raise DomainError("skills.class_closed", name=training_class.name)
        enrolment = (
            Enrolment.objects.filter(training_class=training_class, id_index=id_index)
            .exclude(status=EnrolmentStatus.WITHDRAWN)
            .first()
        )
        if enrolment is None:
            raise DomainError("skills.checkin_not_enrolled", status=403, name=training_class.name)
        if enrolment.status != EnrolmentStatus.ENROLLED:
            raise DomainError("skills.enrolment_wrong_status", state=ENROLMENT_STATES[enrolment.status], action="签到")
        today = timezone.localdate()
        if today != session.held_on:
            raise DomainError("skills.checkin_outside_window", day=f"{session.held_on:%Y年%m月%d日}")
        done = Attendance.objects.filter(session=session, enrolment=enrolment).first()
        if done is not None:
            raise DomainError(
                "skills.already_checked_in", status=409, time=f"{timezone.localtime(done.checked_at):%H:%M}"
            )
        attendance = Attendance.objects.create(session=session, enrolment=enrolment)
        _audit(
            actor,
            "attendance.checkin",
            _org(training_class.org_id),
            enrolment,
            **{"class": training_class.name, "day": session.held_on.isoformat()},
        )
    return attendance


def class_complete(*, actor: User | None, scope: Scope | None, training_class: TrainingClass) -> int:
    """Close the class: trainees who attended at least its completion share of the sessions complete it.

    The waiting list is closed too (withdrawn). Returns how many completed.
    """
    require_perm_at(scope, SkillsPerm.TRAINING_MANAGE, training_class.org_path)
    with transaction.atomic(), unscoped():
        training_class = _locked(training_class)
        if training_class.status != ClassStatus.OPEN:
            raise DomainError("skills.class_closed", name=training_class.name)
        sessions = ClassSession.objects.filter(training_class=training_class).count()
        enrolled = Enrolment.objects.filter(training_class=training_class, status=EnrolmentStatus.ENROLLED)
        attended = dict(enrolled.annotate(n=Count("attendances")).values_list("pk", "n"))
        done = [pk for pk, n in attended.items() if sessions and n >= training_class.completion_share * sessions]
        Enrolment.objects.filter(pk__in=done).update(status=EnrolmentStatus.COMPLETED)
        Enrolment.objects.filter(training_class=training_class, status=EnrolmentStatus.WAITING).update(
            status=EnrolmentStatus.WITHDRAWN
        )
        training_class.status = ClassStatus.COMPLETED
        training_class.save(update_fields=["status"])
        _audit(actor, "class.complete", _org(training_class.org_id), training_class, graduates=len(done))
    return len(done)


# Certificates of completion are the shared certificates (`notices`), of their own kind: numbered per
# union and year, a PDF page each with a QR code to the public verification page.
CERTIFICATE_KIND = "skills_training"
CERTIFICATE_NOTICE_KIND = NoticeKind(
    key=CERTIFICATE_KIND,
    label="培训结业证书",
    view_perm=SkillsPerm.TRAINING_VIEW,
    publish_perm=SkillsPerm.TRAINING_MANAGE,
    resolve_perm=SkillsPerm.TRAINING_MANAGE,
)


def certificates_for_class(
    *, actor: User | None, scope: Scope | None, training_class: TrainingClass, enrolments: list[Enrolment]
) -> list[Certificate]:
    """Certificates of completion for one trainee or a batch, in the class's union's or college's name.

    Only completed trainees: any other is refused by name, the batch with it. A trainee who already
    has one keeps it (the same certificate comes back), so printing a class twice numbers nobody twice.
    """
    require_perm_at(scope, SkillsPerm.TRAINING_MANAGE, training_class.org_path)
    foreign = [e for e in enrolments if e.training_class_id != training_class.pk]
    if foreign or not enrolments:
        raise DomainError("skills.session_foreign")
    undone = [e.name for e in enrolments if e.status != EnrolmentStatus.COMPLETED]
    if undone:
        raise DomainError("skills.certificate_not_completed", names="、".join(undone))
    with unscoped():
        org = Org.all_objects.get(pk=training_class.org_id)
        kind_type = ContentType.objects.get_for_model(Enrolment)
        held = {
            c.subject_id: c
            for c in Certificate.all_objects.filter(
                kind=CERTIFICATE_KIND, subject_type=kind_type, subject_id__in=[e.pk for e in enrolments]
            )
        }
    new = [e for e in enrolments if e.pk not in held]
    issued = (
        certificates_issue(
            actor=actor,
            scope=scope,
            kind=CERTIFICATE_KIND,
            org=org,
            items=[
                CertificateIn(
                    holder_name=e.name,
                    title=f"{training_class.name}结业",
                    awarding_body=org.name,
                    year=training_class.ends_on.year,
                    subject=e,
                )
                for e in new
            ],
        )
        if new
        else []
    )
    by_subject = {c.subject_id: c for c in issued} | held
    return [by_subject[e.pk] for e in enrolments]


def enrolment_income_record(
    *,
    actor: User | None,
    scope: Scope | None,
    enrolment: Enrolment,
    income_before_fen: int | None = None,
    income_after_fen: int | None = None,
) -> Enrolment:
    """A trainee's yearly income before the class, or a year on (only once the class has ended)."""
    require_perm_at(scope, SkillsPerm.TRAINING_MANAGE, enrolment.org_path)
    errors: dict[str, str] = {}
    for field, value in (("income_before", income_before_fen), ("income_after", income_after_fen)):
        if value is not None and value < 0:
            errors[field] = "年收入不能为负数"
    if income_before_fen is None and income_after_fen is None:
        errors["income_after"] = "请填写年收入"
    with transaction.atomic(), unscoped():
        enrolment = (
            Enrolment.objects.select_for_update(of=("self",)).select_related("training_class").get(pk=enrolment.pk)
        )
        if income_after_fen is not None and enrolment.status != EnrolmentStatus.COMPLETED:
            errors["income_after"] = "培训一年后的收入只能为已结业的学员登记"
        if errors:
            raise DomainError("skills.income_invalid", details=errors, reasons=joined(errors))
        fields = []
        if income_before_fen is not None:
            enrolment.income_before_fen = income_before_fen
            fields.append("income_before_fen")
        if income_after_fen is not None:
            enrolment.income_after_fen = income_after_fen
            fields.append("income_after_fen")
        enrolment.save(update_fields=fields)
        _audit(actor, "income.record", _org(enrolment.training_class.org_id), enrolment, fields=fields)
    return enrolment


def plan_set(
    *,
    actor: User | None,
    scope: Scope | None,
    org: Org,
    year: int,
    trainee_times: int,
    contests_planned: int = 0,
) -> TrainingPlan:
    """A union's or college's plan of trainee-times (and contests) for a year; setting it again replaces it."""
    require_perm_at(scope, SkillsPerm.TRAINING_MANAGE, org.path)
    errors: dict[str, str] = {}
    if not 2000 <= year <= 2100:
        errors["year"] = "年度应为 2000 至 2100"
    if trainee_times < 0:
        errors["trainee_times"] = "计划培训人次不能为负数"
    if contests_planned < 0:
        errors["contests_planned"] = "计划竞赛场次不能为负数"
    if errors:
        raise DomainError("skills.plan_invalid", details=errors, reasons=joined(errors))
    with transaction.atomic(), unscoped():
        plan, _created = TrainingPlan.all_objects.select_for_update().update_or_create(
            org=org,
            year=year,
            defaults={"org_path": org.path, "trainee_times": trainee_times, "contests_planned": contests_planned},
        )
        _audit(actor, "plan.set", org, plan, year=year, trainee_times=trainee_times)
    return plan
