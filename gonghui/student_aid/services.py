"""Writes on 金秋助学: apply, review, approve, publish (公示), objections, disbursement.

    applied → unit_reviewed (基层工会审核) → approved (县级总工会审批) → published (公示)
    → paid (through a payout batch to the applicant's service card)
    applied / unit_reviewed / approved → rejected (with a note) or withdrawn;
    published → rejected when an objection is upheld

The amount comes from the standard table (level × on-file × year × region, the
county's else its city's else its province's). Exclusions (military academies,
公费师范, 定向生, already aided this school year) refuse with the reason; the
last one is also the database's rule. Every write is audited, never with the
student's ID number.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from gonghui.accounts.models import User
from gonghui.aid.models import OPEN_STATUSES, FamilyMember, HardshipFile
from gonghui.cards.models import BankPartner
from gonghui.core.audit import audit_record
from gonghui.core.errors import DomainError, joined
from gonghui.core.money import fen_to_yuan
from gonghui.core.regions import region_and_above, region_name
from gonghui.core.scoping import Scope, require_perm_at, subtree_q, subtrees_q, unscoped
from gonghui.members.models import Membership, MembershipStatus, Person
from gonghui.members.validation import FieldError, parse_identity
from gonghui.orgs.models import Org, OrgKind
from gonghui.payouts.models import ItemStatus, PayoutBatch, PayoutItem, PayoutPurpose
from gonghui.payouts.services import payout_batch_create, payout_items_add
from gonghui.student_aid import errors as _errors  # noqa: F401  (registers messages)
from gonghui.student_aid.models import (
    CLOSED_STATUSES,
    AidStandard,
    ApplicationStatus,
    EnrolmentKind,
    Objection,
    ObjectionStatus,
    Publication,
    PublicationStatus,
    StudentAidApplication,
    StudentLevel,
)
from gonghui.student_aid.permissions import StudentAidPerm

if TYPE_CHECKING:
    from gonghui.crosscheck.services import Subject
    from gonghui.crosscheck.subjects import SubjectView

STATES = dict(ApplicationStatus.choices)
LEVELS = dict(StudentLevel.choices)
ENROLMENT_KINDS = dict(EnrolmentKind.choices)
FEDERATIONS = (OrgKind.COUNTY_FEDERATION, OrgKind.CITY_FEDERATION, OrgKind.PROVINCE_FEDERATION)


def _audit(obj: Any, org_id: int, actor: User | None, action: str, **data: Any) -> None:
    with unscoped():
        org = Org.all_objects.get(pk=org_id)
    audit_record(actor=actor, action=f"student_aid.{action}", org=org, target=obj, data=data)


# --- the standard table -----------------------------------------------------------------------------


def aid_standard(region_code: str, year: int, level: str, on_file: bool) -> AidStandard | None:
    """The standard that applies in a region: its own, else its prefecture's, else its province's."""
    codes = region_and_above(region_code)
    found = {
        s.region_code: s
        for s in AidStandard.objects.filter(region_code__in=codes, year=year, level=level, on_file=on_file)
    }
    return next((found[c] for c in codes if c in found), None)


def aid_standard_set(
    *, actor: User | None, scope: Scope | None, org: Org, year: int, level: str, on_file: bool, amount_fen: int
) -> AidStandard:
    """Set (or change) the amount of a level for a year in the region of `org`."""
    require_perm_at(scope, StudentAidPerm.STANDARD, org.path)
    errors = {}
    if level not in LEVELS:
        errors["level"] = "学段应为高中/中职、高职高专、本科或研究生"
    if amount_fen <= 0:
        errors["amount_fen"] = "资助标准须为正数"
    if len(org.region_code) != 6:
        errors["org"] = "该工会没有行政区划代码，不能设置资助标准"
    if errors:
        raise DomainError("student_aid.standard_invalid", details=errors, reasons=joined(errors))
    with transaction.atomic():
        standard, _created = AidStandard.objects.update_or_create(
            region_code=org.region_code,
            year=year,
            level=level,
            on_file=on_file,
            defaults={"amount_fen": amount_fen},
        )
        audit_record(
            actor=actor,
            action="student_aid.standard_set",
            org=org,
            target=standard,
            data={"year": year, "level": level, "on_file": on_file, "amount_fen": amount_fen},
        )
    return standard


def _region_of(org: Org) -> str:
    """The org's region code, else the nearest ancestor's."""
    if org.region_code:
        return org.region_code
    with unscoped():
        for ancestor in _ancestors(org):
            if ancestor.region_code:
                return ancestor.region_code
    return ""


def _ancestors(org: Org) -> list[Org]:
    """The orgs above `org`, nearest first."""
    return sorted(Org.all_objects.filter(pk__in=org.ancestor_ids), key=lambda o: -len(o.path))


def approving_org(org: Org) -> Org:
    """The federation that approves an application of `org`: the nearest county (else city, province) above it."""
    with unscoped():
        above = _ancestors(org)
    for kind in FEDERATIONS:
        found = next((o for o in above if o.kind == kind), None)
        if found is not None:
            return found
    return above[0] if above else org


def is_on_file(person: Person) -> bool:
    """Whether the worker's household is in an open hardship file, as its main worker or as family."""
    with unscoped():
        files = HardshipFile.objects.filter(status__in=OPEN_STATUSES)
        if files.filter(person_id=person.pk).exists():
            return True
        return FamilyMember.objects.filter(file__status__in=OPEN_STATUSES, id_index=person.id_index).exists()


# --- applying ---------------------------------------------------------------------------------------


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


def application_apply(
    *,
    actor: User | None,
    scope: Scope | None,
    membership: Membership,
    student: StudentIn,
    school_year: int,
    promise_signed: bool,
    continued_from: StudentAidApplication | None = None,
) -> StudentAidApplication:
    """A member's application for a student for a school year; exclusions, the amount and duplicates checked now."""
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
        clash = (
            StudentAidApplication.all_objects.filter(student_id_index=identity.index, school_year=school_year)
            .exclude(status__in=CLOSED_STATUSES)
            .select_related("org")
            .first()
        )
        if clash is not None:
            raise DomainError(
                "student_aid.already_applied",
                status=409,
                year=school_year,
                org=clash.org.name,
                state=STATES[clash.status],
            )
        on_file = is_on_file(ms.person)
        region = _region_of(ms.org)
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
            raise DomainError(
                "student_aid.already_applied", status=409, year=school_year, org=ms.org.name, state="已申请"
            ) from exc
        _audit(
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
) -> StudentAidApplication:
    """Next school year's application from this one (the same student, ID from the sealed record).

    `changes` updates the prefilled student fields (fees, loans, major, 低保).
    """
    from gonghui.core import crypto
    from gonghui.members.validation import ID_PURPOSE

    data = prefill_next_year(application)
    student_data = {**data["student"], **(changes or {})}
    student_data.pop("id_masked", None)
    number = crypto.decrypt(bytes(application.student_id_cipher), purpose=ID_PURPOSE)
    with unscoped():
        # Through the union the worker belongs to now: a worker who moved since last year applies there.
        membership = Membership.all_objects.filter(
            person_id=application.person_id, status=MembershipStatus.ACTIVE
        ).first() or Membership.all_objects.get(pk=application.membership_id)
    return application_apply(
        actor=actor,
        scope=scope,
        membership=membership,
        student=StudentIn(id_number=number, **student_data),
        school_year=data["school_year"],
        promise_signed=promise_signed,
        continued_from=application,
    )


# --- review and approval ----------------------------------------------------------------------------


def _locked(application: StudentAidApplication) -> StudentAidApplication:
    return (
        StudentAidApplication.all_objects.select_for_update(of=("self",)).select_related("org").get(pk=application.pk)
    )


CROSSCHECK_SUBJECT = "student_aid.application"


def _crosscheck(actor: User | None, application: StudentAidApplication) -> None:
    """The student against the lists of 民政, 共青团, 妇联… on the application's path; evidence kept."""
    from gonghui.crosscheck.services import Subject, crosscheck_subjects

    with unscoped():
        org = application.org
    subject = Subject(CROSSCHECK_SUBJECT, application.pk, application.student_id_index, org)
    crosscheck_subjects(actor=actor, subjects=[subject], year=application.school_year, org=org)


def describe_application_subjects(ids: Sequence[str]) -> dict[str, SubjectView]:
    """For the review pages: "张小明（2026 学年，祁阳县第一中学）", linking to the application."""
    from gonghui.crosscheck.subjects import SubjectView

    with unscoped():
        rows = StudentAidApplication.all_objects.filter(pk__in=[int(i) for i in ids]).values_list(
            "pk", "student_name", "school_year", "school"
        )
        return {
            str(pk): SubjectView(
                "金秋助学申请", f"{name}（{year} 学年，{school}）", reverse("student_aid:application", args=[pk])
            )
            for pk, name, year, school in rows
        }


def open_application_subjects(paths: list[str]) -> list[tuple[Subject, int]]:
    """Applications not yet approved in the subtrees, with their school year (what approval will check)."""
    from gonghui.crosscheck.services import Subject

    with unscoped():
        rows = StudentAidApplication.all_objects.filter(
            subtrees_q("org_path", paths), status__in=(ApplicationStatus.APPLIED, ApplicationStatus.UNIT_REVIEWED)
        ).select_related("org")
        return [(Subject(CROSSCHECK_SUBJECT, a.pk, a.student_id_index, a.org), a.school_year) for a in rows]


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
        application = _locked(application)
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
        _audit(
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
        application = _locked(application)
        if application.status != ApplicationStatus.UNIT_REVIEWED:
            raise DomainError("student_aid.wrong_status", state=STATES[application.status], action="退回")
        application.status = ApplicationStatus.APPLIED
        application.reviewed_by, application.reviewed_at = None, None
        application.status_note = f"退回补正：{note}"[:200]
        application.save(update_fields=["status", "reviewed_by", "reviewed_at", "status_note"])
        _audit(application, application.org_id, actor, "return", to=application.status, note=note[:200])
    return application


WITHDRAWABLE = (ApplicationStatus.APPLIED, ApplicationStatus.UNIT_REVIEWED, ApplicationStatus.APPROVED)


def application_withdraw(
    *, actor: User | None, scope: Scope | None, application: StudentAidApplication, reason: str = ""
) -> StudentAidApplication:
    """Withdraw an application not yet published (by the unit's officer, or the member: `scope` None)."""
    require_perm_at(scope, StudentAidPerm.APPLY, application.org_path)
    with transaction.atomic(), unscoped():
        application = _locked(application)
        if application.status not in WITHDRAWABLE:
            raise DomainError("student_aid.wrong_status", state=STATES[application.status], action="撤回")
        application.status, application.status_note = ApplicationStatus.WITHDRAWN, reason.strip()[:200]
        application.save(update_fields=["status", "status_note"])
        _audit(application, application.org_id, actor, "withdraw", reason=application.status_note)
    return application


# --- member side ------------------------------------------------------------------------------------


def member_application_apply(
    *,
    actor: User | None,
    person: Person,
    membership: Membership,
    student: StudentIn,
    school_year: int,
    promise_signed: bool,
    continued_from: StudentAidApplication | None = None,
) -> StudentAidApplication:
    """A member applies for their own child (from the phone): only through their own membership."""
    if membership.person_id != person.pk:
        raise DomainError("student_aid.not_own", status=403)
    if continued_from is not None and continued_from.person_id != person.pk:
        raise DomainError("student_aid.not_own", status=403)
    return application_apply(
        actor=actor,
        scope=None,
        membership=membership,
        student=student,
        school_year=school_year,
        promise_signed=promise_signed,
        continued_from=continued_from,
    )


def member_application_withdraw(
    *, actor: User | None, person: Person, application: StudentAidApplication, reason: str = ""
) -> StudentAidApplication:
    """A member withdraws their own application before it is published."""
    if application.person_id != person.pk:
        raise DomainError("student_aid.not_own", status=403)
    return application_withdraw(actor=actor, scope=None, application=application, reason=reason)


def member_application_continue(
    *,
    actor: User | None,
    person: Person,
    application: StudentAidApplication,
    promise_signed: bool,
    changes: dict[str, Any] | None = None,
) -> StudentAidApplication:
    """A member continues their own child's course next school year (from the phone), the ID from the sealed record."""
    if application.person_id != person.pk:
        raise DomainError("student_aid.not_own", status=403)
    return application_continue(
        actor=actor, scope=None, application=application, promise_signed=promise_signed, changes=changes
    )


# --- 公示 ------------------------------------------------------------------------------------------


def publication_create(
    *,
    actor: User | None,
    scope: Scope | None,
    org: Org,
    school_year: int,
    days: int,
    title: str = "",
    starts_on: date | None = None,
    application_ids: list[int] | None = None,
) -> Publication:
    """Publish the approved applications of a school year in `org`'s subtree (or those listed) for `days` days."""
    require_perm_at(scope, StudentAidPerm.PUBLISH, org.path)
    if days < 1:
        raise DomainError("student_aid.publication_days_invalid", field="days")
    start = starts_on or timezone.localdate()
    with transaction.atomic(), unscoped():
        qs = StudentAidApplication.all_objects.select_for_update().filter(
            subtree_q("org_path", org.path), school_year=school_year, status=ApplicationStatus.APPROVED
        )
        if application_ids is not None:
            qs = qs.filter(pk__in=application_ids)
        ids = list(qs.values_list("pk", flat=True))
        if not ids:
            raise DomainError("student_aid.nothing_to_publish")
        publication = Publication.all_objects.create(
            org=org,
            org_path=org.path,
            school_year=school_year,
            title=(title.strip() or f"{org.name}{school_year}年金秋助学拟资助名单公示")[:200],
            starts_on=start,
            ends_on=start + timedelta(days=days - 1),
            created_by=actor if actor is not None and actor.pk else None,
        )
        StudentAidApplication.all_objects.filter(pk__in=ids).update(
            status=ApplicationStatus.PUBLISHED, publication=publication
        )
        _audit(
            publication,
            org.pk,
            actor,
            "publish",
            school_year=school_year,
            applications=len(ids),
            starts_on=start.isoformat(),
            ends_on=publication.ends_on.isoformat(),
        )
    return publication


def publication_entries(publication: Publication) -> list[dict[str, Any]]:
    """The public list: student name, school, level and amount (yuan). Never an ID number, masked or not."""
    with unscoped():
        rows = (
            StudentAidApplication.all_objects.filter(publication=publication)
            .exclude(status__in=CLOSED_STATUSES)
            .select_related("org")
            .order_by("org__name", "student_name", "pk")
        )
        return [
            {
                "name": a.student_name,
                "school": a.school,
                "level": str(LEVELS[a.level]),
                "union": a.org.name,
                "amount_yuan": fen_to_yuan(a.amount_fen),
            }
            for a in rows
        ]


def _locked_publication(publication: Publication) -> Publication:
    return Publication.all_objects.select_for_update().get(pk=publication.pk)


def objection_record(
    *,
    actor: User | None,
    scope: Scope | None,
    application: StudentAidApplication,
    reason: str,
    raised_by: str = "",
    on: date | None = None,
) -> Objection:
    """Record an objection to a published application, received within its 公示 window."""
    if not reason.strip():
        raise DomainError("student_aid.objection_reason_required", field="reason")
    day = on or timezone.localdate()
    with transaction.atomic(), unscoped():
        application = _locked(application)
        if application.status != ApplicationStatus.PUBLISHED or application.publication_id is None:
            raise DomainError("student_aid.wrong_status", state=STATES[application.status], action="登记异议")
        publication = _locked_publication(application.publication)  # type: ignore[arg-type]
        require_perm_at(scope, StudentAidPerm.PUBLISH, publication.org_path)
        if publication.status != PublicationStatus.OPEN:
            raise DomainError("student_aid.publication_closed", title=publication.title, action="登记异议")
        if not publication.starts_on <= day <= publication.ends_on:
            raise DomainError(
                "student_aid.outside_window", start=publication.starts_on, end=publication.ends_on, action="异议"
            )
        objection = Objection.all_objects.create(
            application=application,
            publication=publication,
            org_path=publication.org_path,
            raised_by=raised_by.strip()[:60],
            reason=reason.strip()[:500],
            received_on=day,
            recorded_by=actor if actor is not None and actor.pk else None,
        )
        _audit(objection, publication.org_id, actor, "objection", application=application.pk)
    return objection


def objection_resolve(
    *, actor: User | None, scope: Scope | None, objection: Objection, upheld: bool, note: str
) -> Objection:
    """Resolve an objection: upheld rejects the application, dismissed keeps it on the list."""
    if not note.strip():
        raise DomainError("student_aid.resolution_note_required", field="note")
    with transaction.atomic(), unscoped():
        objection = Objection.all_objects.select_for_update().get(pk=objection.pk)
        publication = _locked_publication(objection.publication)
        require_perm_at(scope, StudentAidPerm.APPROVE, publication.org_path)
        if objection.status != ObjectionStatus.OPEN:
            raise DomainError("student_aid.objection_resolved", state=objection.get_status_display())
        objection.status = ObjectionStatus.UPHELD if upheld else ObjectionStatus.DISMISSED
        objection.resolution = note.strip()[:200]
        objection.resolved_by = actor if actor is not None and actor.pk else None
        objection.resolved_at = timezone.now()
        objection.save(update_fields=["status", "resolution", "resolved_by", "resolved_at"])
        if upheld:
            application = _locked(objection.application)
            if application.status == ApplicationStatus.PUBLISHED:
                application.status = ApplicationStatus.REJECTED
                application.status_note = f"公示异议成立：{objection.resolution}"[:200]
                application.save(update_fields=["status", "status_note"])
        _audit(
            objection,
            publication.org_id,
            actor,
            "objection_upheld" if upheld else "objection_dismissed",
            application=objection.application_id,
            note=objection.resolution,
        )
    return objection


def publication_close(
    *, actor: User | None, scope: Scope | None, publication: Publication, on: date | None = None
) -> Publication:
    """End the 公示 once its window is over and every objection is resolved: the rest are ready to pay."""
    require_perm_at(scope, StudentAidPerm.PUBLISH, publication.org_path)
    day = on or timezone.localdate()
    with transaction.atomic(), unscoped():
        publication = _locked_publication(publication)
        if publication.status != PublicationStatus.OPEN:
            raise DomainError("student_aid.publication_closed", title=publication.title, action="结束公示")
        if day <= publication.ends_on:
            raise DomainError("student_aid.window_not_over", end=publication.ends_on)
        pending = Objection.all_objects.filter(publication=publication, status=ObjectionStatus.OPEN).count()
        if pending:
            raise DomainError("student_aid.open_objections", count=pending)
        publication.status, publication.closed_at = PublicationStatus.CLOSED, timezone.now()
        publication.save(update_fields=["status", "closed_at"])
        ready = StudentAidApplication.all_objects.filter(
            publication=publication, status=ApplicationStatus.PUBLISHED
        ).count()
        _audit(publication, publication.org_id, actor, "publication_close", ready=ready)
    return publication


# --- disbursement -----------------------------------------------------------------------------------


@dataclass
class PaymentRefusal:
    application_id: int
    reason: str


def payout_reference(publication: Publication) -> str:
    """The payout reference of a publication's aid: a worker is paid once under it (the cards rule)."""
    return f"{publication.school_year}年金秋助学（公示{publication.pk}号）"


def disbursement_create(
    *, actor: User | None, scope: Scope | None, publication: Publication, bank: BankPartner
) -> tuple[PayoutBatch, list[PaymentRefusal]]:
    """A draft payout batch of the publication's unpaid, unobjected applications, to the applicants' cards.

    One item per worker (two children aided: one item with both amounts); a
    worker without an activated card of `bank` is refused with the reason, and
    the application stays ready to pay for a later batch.
    """
    with unscoped():
        publication = Publication.all_objects.select_related("org").get(pk=publication.pk)
    if publication.status != PublicationStatus.CLOSED:
        raise DomainError("student_aid.not_ready_to_pay", title=publication.title)
    reference = payout_reference(publication)
    with transaction.atomic():
        batch = payout_batch_create(
            actor=actor,
            scope=scope,
            org=publication.org,
            bank=bank,
            purpose=PayoutPurpose.STUDENT_AID,
            reference=reference,
            title=f"{publication.title} 助学金发放",
        )
        with unscoped():
            applications = list(
                StudentAidApplication.all_objects.select_for_update()
                .filter(publication=publication, status=ApplicationStatus.PUBLISHED)
                .order_by("pk")
            )
        by_membership: dict[int, list[StudentAidApplication]] = {}
        for a in applications:
            by_membership.setdefault(a.membership_id, []).append(a)
        refused = payout_items_add(
            actor=actor,
            scope=scope,
            batch=batch,
            items=[(m, sum(a.amount_fen for a in apps)) for m, apps in by_membership.items()],
        )
        refusals = [PaymentRefusal(a.pk, r.reason) for r in refused for a in by_membership.get(r.membership_id, [])]
        refused_ids = {r.application_id for r in refusals}
        with unscoped():
            items = {i.person_id: i for i in PayoutItem.all_objects.filter(batch=batch)}
        linked = []
        for a in applications:
            if a.pk not in refused_ids and a.person_id in items:
                a.payout_reference, a.payout_item = reference, items[a.person_id]
                linked.append(a)
        StudentAidApplication.all_objects.bulk_update(linked, ["payout_reference", "payout_item"])
        _audit(
            publication,
            publication.org_id,
            actor,
            "disburse",
            batch=batch.pk,
            applications=len(linked),
            refused=len(refusals),
        )
    return batch, refusals


def applications_mark_paid(*, actor: User | None, publication: Publication) -> int:
    """Mark paid the publication's applications whose worker's item under its reference the bank has paid.

    Idempotent; reads the item status, so a retry batch's payment counts too.
    Call it after `payout_results_apply`. Returns how many were marked now.
    """
    reference = payout_reference(publication)
    with transaction.atomic(), unscoped():
        paid = {
            i.person_id: i
            for i in PayoutItem.all_objects.filter(
                purpose=PayoutPurpose.STUDENT_AID, reference=reference, status=ItemStatus.PAID
            )
        }
        applications = list(
            StudentAidApplication.all_objects.select_for_update().filter(
                publication=publication, status=ApplicationStatus.PUBLISHED, person_id__in=list(paid)
            )
        )
        for a in applications:
            item = paid[a.person_id]
            a.status, a.payout_item, a.payout_reference = ApplicationStatus.PAID, item, reference
            a.paid_at = item.settled_at or timezone.now()
        StudentAidApplication.all_objects.bulk_update(
            applications, ["status", "payout_item", "payout_reference", "paid_at"]
        )
        if applications:
            _audit(publication, publication.org_id, actor, "paid", applications=len(applications))
    return len(applications)


def batch_paid_sync(*, actor: User | None, batch: PayoutBatch) -> int:
    """After a 金秋助学 batch's bank results: mark paid the applications its paid items settle (idempotent)."""
    if batch.purpose != PayoutPurpose.STUDENT_AID:
        return 0
    with unscoped():
        publication_ids = set(
            StudentAidApplication.all_objects.filter(payout_reference=batch.reference).values_list(
                "publication_id", flat=True
            )
        )
        publications = list(Publication.all_objects.filter(pk__in=publication_ids))
    return sum(applications_mark_paid(actor=actor, publication=p) for p in publications)
