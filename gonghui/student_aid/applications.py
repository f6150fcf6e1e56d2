"""The application workflow of 金秋助学: apply, continue next school year, review, approve, return, withdraw.

    applied → unit_reviewed (基层工会审核) → approved (县级总工会审批) → published (公示, `publication`)
    → paid (through a payout batch to the applicant's service card, `disbursement`)
    unit_reviewed → applied (退回补正, with a note)
    applied / unit_reviewed / approved → rejected (with a note) or withdrawn

The amount comes from the standard table (level × on-file × year × region, the
county's else its city's else its province's: `selectors.aid_standard`).
Exclusions (military academies, 公费师范, 定向生, already aided this school
year) refuse with the reason; the last one is also the database's rule. Every
write is audited, never with the student's ID number.

A student already applied for is refused with the other application's union
and status only where the caller sees it (`student_aid.application.view`, or
the console); otherwise, and always from the member's phone unless it is the
member's own application, with the neutral `member.handled_elsewhere`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from gonghui.accounts.models import User
from gonghui.core.audit import audit_record
from gonghui.core.errors import DomainError, joined
from gonghui.core.regions import region_name
from gonghui.core.scoping import Scope, require_perm_at, unscoped
from gonghui.members.models import Membership, MembershipStatus, Person
from gonghui.members.validation import FieldError, parse_identity
from gonghui.orgs.models import Org
from gonghui.student_aid import errors as _errors  # noqa: F401  (registers messages)
from gonghui.student_aid.models import (
    CLOSED_STATUSES,
    ApplicationStatus,
    EnrolmentKind,
    StudentAidApplication,
    StudentLevel,
)
from gonghui.student_aid.permissions import StudentAidPerm
from gonghui.student_aid.selectors import CROSSCHECK_SUBJECT, aid_standard, approving_org, is_on_file, region_of

STATES = dict(ApplicationStatus.choices)
LEVELS = dict(StudentLevel.choices)
ENROLMENT_KINDS = dict(EnrolmentKind.choices)


def audit_write(obj: Any, org_id: int, actor: User | None, action: str, **data: Any) -> None:
    """Audit a 金秋助学 write as `student_aid.<action>`, under the union `org_id` (read unscoped)."""
    with unscoped():
        org = Org.all_objects.get(pk=org_id)
    audit_record(actor=actor, action=f"student_aid.{action}", org=org, target=obj, data=data)


def locked_application(application: StudentAidApplication) -> StudentAidApplication:
    """The application, locked for this transaction (its own row only), with its union."""
    return (
        StudentAidApplication.all_objects.select_for_update(of=("self",)).select_related("org").get(pk=application.pk)
    )


@dataclass
class StudentIn:
    """What an application says about the student."""

    name: str
    id_number: str
    relation: str
    school: str
    level: str
    enrolment_year: int
    graduation_year: int
    major: str = ""
    enrolment_kind: str = EnrolmentKind.REGULAR
    tuition_fen: int = 0
    loan_fen: int = 0
    family_on_subsistence: bool = False

    @classmethod
    def from_form(cls, data: Mapping[str, Any]) -> StudentIn:
        """From a form's cleaned data (the staff page and the phone share the field names; fees in fen)."""
        return cls(
            name=data["name"],
            id_number=data["id_number"],
            relation=data["relation"],
            school=data["school"],
            level=data["level"],
            enrolment_year=data["enrolment_year"],
            graduation_year=data["graduation_year"],
            major=data["major"],
            enrolment_kind=data["enrolment_kind"],
            tuition_fen=data["tuition"],
            loan_fen=data["loan"],
            family_on_subsistence=data["family_on_subsistence"],
        )


def _check_student(student: StudentIn) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not student.name.strip():
        errors["name"] = "请填写学生姓名"
    if not student.relation.strip():
        errors["relation"] = "请填写学生与职工的关系"
    if not student.school.strip():
        errors["school"] = "请填写就读院校"
    if student.level not in LEVELS:
        errors["level"] = "学段应为高中/中职、高职高专、本科或研究生"
    if student.enrolment_kind not in ENROLMENT_KINDS:
        errors["enrolment_kind"] = "录取类型不在代码表中"
    if student.graduation_year <= student.enrolment_year:
        errors["graduation_year"] = "预计毕业年份应晚于入学年份"
    if student.tuition_fen < 0 or student.loan_fen < 0:
        errors["tuition_fen"] = "学杂费和助学贷款不能为负数"
    return errors


def _clash_refusal(
    clash: StudentAidApplication | None, *, scope: Scope | None, member: Person | None, year: int
) -> DomainError:
    """The refusal for a student already applied for in the school year, naming only what the caller may see.

    The member on the phone (`member`) hears of their own application; an
    officer (or the console, `scope` None) of an application in their scope
    gets its union and status; anyone else the neutral refusal.
    """
    if member is not None:
        if clash is not None and clash.person_id == member.pk:
            return DomainError("student_aid.already_applied_own", status=409, year=year)
        return DomainError("member.handled_elsewhere", status=409)
    if clash is not None and (scope is None or scope.has_perm(StudentAidPerm.VIEW, clash.org_path)):
        return DomainError(
            "student_aid.already_applied", status=409, year=year, org=clash.org.name, state=STATES[clash.status]
        )
    return DomainError("member.handled_elsewhere", status=409)


def _standing_clash(index: str, school_year: int) -> StudentAidApplication | None:
    return (
        StudentAidApplication.all_objects.filter(student_id_index=index, school_year=school_year)
        .exclude(status__in=CLOSED_STATUSES)
        .select_related("org")
        .first()
    )


def application_apply(
    *,
    actor: User | None,
    scope: Scope | None,
    membership: Membership,
    student: StudentIn,
    school_year: int,
    promise_signed: bool,
    continued_from: StudentAidApplication | None = None,
    member: Person | None = None,
) -> StudentAidApplication:
    """A member's application for a student for a school year; exclusions, the amount and duplicates checked now.

    `member`: the member applying from their phone (`member_side`), so a duplicate names nothing but their own.
    """
    require_perm_at(scope, StudentAidPerm.APPLY, membership.org_path)
    errors = _check_student(student)
    identity = None
    try:
        identity = parse_identity(student.id_number)
    except FieldError as exc:
        errors["id_number"] = str(exc)
    if errors:
        raise DomainError("student_aid.application_fields_invalid", details=errors, reasons=joined(errors))
    assert identity is not None
    if student.enrolment_kind != EnrolmentKind.REGULAR:
        raise DomainError("student_aid.excluded", kind=ENROLMENT_KINDS[student.enrolment_kind])
    if not student.enrolment_year <= school_year < student.graduation_year:
        raise DomainError(
            "student_aid.out_of_course",
            year=school_year,
            enrolment=student.enrolment_year,
            graduation=student.graduation_year,
        )
    if not promise_signed:
        raise DomainError("student_aid.promise_required")
    with transaction.atomic(), unscoped():
        ms = Membership.all_objects.select_related("org", "person").get(pk=membership.pk)
        if ms.status != MembershipStatus.ACTIVE:
            raise DomainError("student_aid.not_member")
        if continued_from is not None:
            previous = StudentAidApplication.all_objects.get(pk=continued_from.pk)
            if previous.student_id_index != identity.index or previous.school_year >= school_year:
                raise DomainError("student_aid.continuation_mismatch")
        clash = _standing_clash(identity.index, school_year)
        if clash is not None:
            raise _clash_refusal(clash, scope=scope, member=member, year=school_year)
        on_file = is_on_file(ms.person)
        region = region_of(ms.org)
        standard = aid_standard(region, school_year, student.level, on_file) if region else None
        if standard is None:
            raise DomainError(
                "student_aid.no_standard",
                region=region_name(region) or region or ms.org.name,
                year=school_year,
                level=LEVELS[student.level],
            )
        try:
            with transaction.atomic():
                application = StudentAidApplication.all_objects.create(
                    membership=ms,
                    person_id=ms.person_id,
                    org=ms.org,
                    org_path=ms.org_path,
                    student_name=student.name.strip()[:60],
                    student_id_cipher=identity.cipher(),
                    student_id_index=identity.index,
                    student_id_masked=identity.masked,
                    relation=student.relation.strip()[:20],
                    school=student.school.strip()[:200],
                    major=student.major.strip()[:200],
                    level=student.level,
                    enrolment_year=student.enrolment_year,
                    graduation_year=student.graduation_year,
                    school_year=school_year,
                    tuition_fen=student.tuition_fen,
                    loan_fen=student.loan_fen,
                    family_on_subsistence=student.family_on_subsistence,
                    is_on_file=on_file,
                    promise_signed=True,
                    promised_at=timezone.now(),
                    region_code=standard.region_code,
                    amount_fen=standard.amount_fen,
                    continued_from=continued_from,
                    created_by=actor if actor is not None and actor.pk else None,
                )
        except IntegrityError as exc:  # a concurrent application for the same student and year won
            clash = _standing_clash(identity.index, school_year)
            raise _clash_refusal(clash, scope=scope, member=member, year=school_year) from exc
        audit_write(
            application,
            ms.org_id,
            actor,
            "apply",
            school_year=school_year,
            level=student.level,
            on_file=on_file,
            amount_fen=application.amount_fen,
            continued_from=continued_from.pk if continued_from else None,
        )
    return application


def _continuing_membership(application: StudentAidApplication) -> Membership:
    """The membership a continuation goes through: the worker's active one now (a worker who moved since
    last year applies there), else the one of the application."""
    with unscoped():
        return (
            Membership.all_objects.select_related("org", "person")
            .filter(person_id=application.person_id, status=MembershipStatus.ACTIVE)
            .first()
        ) or Membership.all_objects.select_related("org", "person").get(pk=application.membership_id)


def continuation_refusal(
    application: StudentAidApplication, *, scope: Scope | None, member: Person | None = None, level: str = ""
) -> DomainError | None:
    """Why the next school year cannot be applied for from `application` now; None when it can.

    The one home of the rule: `application_continue` raises it, and the pages offer 续报下一学年
    (the staff page's button, the member's 继续申请) only when it is None. A rejected or withdrawn
    application is not continued from (a new application is made instead); the course ends in its
    graduation year; the worker must still be a member; the student's next year must not be applied
    for already; and the region must have a standard for it. `scope`/`member` as in `application_apply`,
    for how much a clash may name; `level` the next year's, when the member changes it.
    """
    year = application.school_year + 1
    level = level if level in LEVELS else application.level
    if application.status in CLOSED_STATUSES:
        return DomainError("student_aid.wrong_status", state=STATES[application.status], action="续报下一学年")
    if not application.next_year_in_course:
        return DomainError("student_aid.graduated", graduation=application.graduation_year, year=year)
    ms = _continuing_membership(application)
    if ms.status != MembershipStatus.ACTIVE:
        return DomainError("student_aid.not_member")
    with unscoped():
        clash = _standing_clash(application.student_id_index, year)
        if clash is not None:
            return _clash_refusal(clash, scope=scope, member=member, year=year)
        region = region_of(ms.org)
        if not region or aid_standard(region, year, level, is_on_file(ms.person)) is None:
            return DomainError(
                "student_aid.no_standard",
                region=region_name(region) or region or ms.org.name,
                year=year,
                level=LEVELS[level],
            )
    return None


def prefill_next_year(application: StudentAidApplication) -> dict[str, Any]:
    """The next school year's application, prefilled from this one; refused once the course is over.

    The ID number is not in it (the caller asks the member to confirm it, or
    passes `continued_from` so the service checks it is the same student).
    """
    year = application.school_year + 1
    if not application.next_year_in_course:
        raise DomainError("student_aid.graduated", graduation=application.graduation_year, year=year)
    return {
        "membership_id": application.membership_id,
        "school_year": year,
        "continued_from_id": application.pk,
        "student": {
            "name": application.student_name,
            "id_masked": application.student_id_masked,
            "relation": application.relation,
            "school": application.school,
            "major": application.major,
            "level": application.level,
            "enrolment_year": application.enrolment_year,
            "graduation_year": application.graduation_year,
            "tuition_fen": application.tuition_fen,
            "loan_fen": application.loan_fen,
            "family_on_subsistence": application.family_on_subsistence,
        },
    }


def application_continue(
    *,
    actor: User | None,
    scope: Scope | None,
    application: StudentAidApplication,
    promise_signed: bool,
    changes: dict[str, Any] | None = None,
    member: Person | None = None,
) -> StudentAidApplication:
    """Next school year's application from this one (the same student, ID from the sealed record).

    `changes` updates the prefilled student fields (fees, loans, major, 低保); `member` as in `application_apply`.
    """
    from gonghui.core import crypto
    from gonghui.members.validation import ID_PURPOSE

    # Through the union the worker belongs to now: a worker who moved since last year applies there.
    membership = _continuing_membership(application)
    require_perm_at(scope, StudentAidPerm.APPLY, membership.org_path)
    refusal = continuation_refusal(application, scope=scope, member=member, level=(changes or {}).get("level", ""))
    if refusal is not None:
        raise refusal
    data = prefill_next_year(application)
    student_data = {**data["student"], **(changes or {})}
    student_data.pop("id_masked", None)
    number = crypto.decrypt(bytes(application.student_id_cipher), purpose=ID_PURPOSE)
    return application_apply(
        actor=actor,
        scope=scope,
        membership=membership,
        student=StudentIn(id_number=number, **student_data),
        school_year=data["school_year"],
        promise_signed=promise_signed,
        continued_from=application,
        member=member,
    )


def _crosscheck(actor: User | None, application: StudentAidApplication) -> None:
    """The student against the lists of 民政, 共青团, 妇联… on the application's path; evidence kept."""
    from gonghui.crosscheck.services import Subject, crosscheck_subjects

    with unscoped():
        org = application.org
    subject = Subject(CROSSCHECK_SUBJECT, application.pk, application.student_id_index, org)
    crosscheck_subjects(actor=actor, subjects=[subject], year=application.school_year, org=org)


def _crosscheck_refusal(application: StudentAidApplication) -> None:
    """A match still waiting for its decision, or confirmed as aid received elsewhere, stops the approval."""
    from gonghui.crosscheck.models import CrossCheckReview, Decision

    review = CrossCheckReview.all_objects.filter(
        subject_type=CROSSCHECK_SUBJECT, subject_id=str(application.pk)
    ).first()
    if review is not None and review.status == Decision.PENDING:
        raise DomainError("student_aid.crosscheck_pending", status=409)
    if review is not None and review.status == Decision.CONFIRMED:
        raise DomainError("student_aid.crosscheck_duplicate", status=409, reason=review.reason)


def application_decide(
    *,
    actor: User | None,
    scope: Scope | None,
    application: StudentAidApplication,
    approve: bool,
    note: str = "",
) -> StudentAidApplication:
    """The current step's decision: the grassroots union reviews, the county federation approves.

    A refusal needs a note. The approver is never the person who reviewed.
    Before the approval the student is checked against other agencies' lists
    (its own transaction, so a match is kept); a match waits for a reviewer's
    decision, and a confirmed duplicate is not approved.
    """
    if approve and application.status == ApplicationStatus.UNIT_REVIEWED:
        require_perm_at(scope, StudentAidPerm.APPROVE, approving_org(application.org).path)
        _crosscheck(actor, application)
    with transaction.atomic(), unscoped():
        application = locked_application(application)
        if application.status == ApplicationStatus.APPLIED:
            require_perm_at(scope, StudentAidPerm.REVIEW, application.org_path)
            step = "review"
        elif application.status == ApplicationStatus.UNIT_REVIEWED:
            require_perm_at(scope, StudentAidPerm.APPROVE, approving_org(application.org).path)
            step = "approve"
        else:
            raise DomainError("student_aid.wrong_status", state=STATES[application.status], action="审核")
        if not approve and not note.strip():
            raise DomainError("student_aid.reject_note_required", field="note")
        now = timezone.now()
        fields = ["status", "status_note"]
        if not approve:
            application.status = ApplicationStatus.REJECTED
        elif step == "review":
            application.status = ApplicationStatus.UNIT_REVIEWED
            application.reviewed_by, application.reviewed_at = actor, now
            fields += ["reviewed_by", "reviewed_at"]
        else:
            if actor is not None and application.reviewed_by_id == actor.pk:
                raise DomainError("student_aid.same_person", status=403)
            _crosscheck_refusal(application)
            application.status = ApplicationStatus.APPROVED
            application.approved_by, application.approved_at = actor, now
            fields += ["approved_by", "approved_at"]
        application.status_note = note.strip()[:200]
        application.save(update_fields=fields)
        audit_write(
            application,
            application.org_id,
            actor,
            step if approve else "reject",
            to=application.status,
            note=application.status_note,
        )
    return application


def application_return(
    *, actor: User | None, scope: Scope | None, application: StudentAidApplication, note: str
) -> StudentAidApplication:
    """The county federation sends an application back to the grassroots union's review (退回补正), with a note.

    Only from the county's step: at the grassroots step a refusal is the answer
    (the school year is then free for a corrected application).
    """
    require_perm_at(scope, StudentAidPerm.APPROVE, approving_org(application.org).path)
    note = " ".join((note or "").split())
    if not note:
        raise DomainError("student_aid.return_note_required", field="note")
    with transaction.atomic(), unscoped():
        application = locked_application(application)
        if application.status != ApplicationStatus.UNIT_REVIEWED:
            raise DomainError("student_aid.wrong_status", state=STATES[application.status], action="退回")
        application.status = ApplicationStatus.APPLIED
        application.reviewed_by, application.reviewed_at = None, None
        application.status_note = f"退回补正：{note}"[:200]
        application.save(update_fields=["status", "reviewed_by", "reviewed_at", "status_note"])
        audit_write(application, application.org_id, actor, "return", to=application.status, note=note[:200])
    return application


WITHDRAWABLE = (ApplicationStatus.APPLIED, ApplicationStatus.UNIT_REVIEWED, ApplicationStatus.APPROVED)


def application_withdraw(
    *, actor: User | None, scope: Scope | None, application: StudentAidApplication, reason: str = ""
) -> StudentAidApplication:
    """Withdraw an application not yet published (by the unit's officer, or the member: `scope` None)."""
    require_perm_at(scope, StudentAidPerm.APPLY, application.org_path)
    with transaction.atomic(), unscoped():
        application = locked_application(application)
        if application.status not in WITHDRAWABLE:
            raise DomainError("student_aid.wrong_status", state=STATES[application.status], action="撤回")
        application.status, application.status_note = ApplicationStatus.WITHDRAWN, reason.strip()[:200]
        application.save(update_fields=["status", "status_note"])
        audit_write(application, application.org_id, actor, "withdraw", reason=application.status_note)
    return application
