"""`/api/v1/student-aid`: 金秋助学 applications (register, review, approve, return, reject) and the 公示 list.

Amounts travel as yuan strings ("4000.00") and are kept in fen; the student's
ID number is sent once, on registration, and only its masked form comes back.
A publication's list carries name, school, level, union and amount: never an
ID number. Applications are seen where the caller holds
student_aid.application.view; another union's id is a 404.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema, Status

from gonghui.core.api_common import paginate, request_scope
from gonghui.core.errors import DomainError
from gonghui.core.money import AmountError, fen_to_yuan, parse_yuan
from gonghui.core.viewutils import actor_of
from gonghui.members.selectors import membership_get
from gonghui.student_aid import applications, selectors
from gonghui.student_aid.actions import decide
from gonghui.student_aid.models import EnrolmentKind, Publication, StudentAidApplication

router = Router(tags=["student-aid"])


class ApplicationIn(Schema):
    member_id: int
    school_year: int
    name: str
    id_number: str
    relation: str
    school: str
    major: str = ""
    level: str  # high_school / vocational / undergraduate / graduate
    enrolment_kind: str = EnrolmentKind.REGULAR.value
    enrolment_year: int
    graduation_year: int
    tuition: str = "0"
    loan: str = "0"
    family_on_subsistence: bool = False
    promise_signed: bool = False
    continued_from_id: int | None = None


class ApplicationOut(Schema):
    id: int
    org_code: str
    org_name: str
    member_name: str
    student_name: str
    student_id_masked: str
    relation: str
    school: str
    major: str
    level: str
    level_label: str
    enrolment_year: int
    graduation_year: int
    school_year: int
    tuition: str
    loan: str
    family_on_subsistence: bool
    is_on_file: bool
    amount: str
    status: str
    status_label: str
    status_note: str
    continued_from_id: int | None
    publication_id: int | None
    created_at: datetime
    reviewed_at: datetime | None
    approved_at: datetime | None
    paid_at: datetime | None


class ApplicationPage(Schema):
    items: list[ApplicationOut]
    count: int
    page: int


class NoteIn(Schema):
    note: str = ""


class EntryOut(Schema):
    name: str
    school: str
    level: str
    union: str
    amount: str


class PublicationOut(Schema):
    id: int
    org_code: str
    org_name: str
    title: str
    school_year: int
    starts_on: date
    ends_on: date
    status: str
    status_label: str
    entries: list[EntryOut]


def _fen(value: str, field: str) -> int:
    if not str(value).strip():
        return 0
    try:
        return parse_yuan(value, allow_zero=True)
    except AmountError as exc:
        raise DomainError("student_aid.amount_invalid", field=field) from exc


def application_out(a: StudentAidApplication) -> dict[str, Any]:
    return {
        "id": a.pk,
        "org_code": a.org.code,
        "org_name": a.org.name,
        "member_name": a.person.name,
        "student_name": a.student_name,
        "student_id_masked": a.student_id_masked,
        "relation": a.relation,
        "school": a.school,
        "major": a.major,
        "level": a.level,
        "level_label": a.get_level_display(),
        "enrolment_year": a.enrolment_year,
        "graduation_year": a.graduation_year,
        "school_year": a.school_year,
        "tuition": fen_to_yuan(a.tuition_fen),
        "loan": fen_to_yuan(a.loan_fen),
        "family_on_subsistence": a.family_on_subsistence,
        "is_on_file": a.is_on_file,
        "amount": fen_to_yuan(a.amount_fen),
        "status": a.status,
        "status_label": a.get_status_display(),
        "status_note": a.status_note,
        "continued_from_id": a.continued_from_id,
        "publication_id": a.publication_id,
        "created_at": a.created_at,
        "reviewed_at": a.reviewed_at,
        "approved_at": a.approved_at,
        "paid_at": a.paid_at,
    }


@router.get("/applications", response=ApplicationPage, summary="金秋助学申请（学生证件号码脱敏）")
def list_applications(
    request: HttpRequest, status: str = "", school_year: int | None = None, page: int = 1
) -> dict[str, Any]:
    qs = selectors.application_list(scope=request_scope(request), school_year=school_year, status=status)
    rows, count, number = paginate(qs.select_related("person"), page)
    return {"items": [application_out(a) for a in rows], "count": count, "page": number}


@router.post(
    "/applications", response={201: ApplicationOut}, summary="登记金秋助学申请（按资助标准定额，排除情形即时校验）"
)
def apply_application(request: HttpRequest, body: ApplicationIn) -> Status[dict[str, Any]]:
    scope = request_scope(request)
    membership = membership_get(scope=scope, pk=body.member_id)
    previous = selectors.application_get(scope=scope, pk=body.continued_from_id) if body.continued_from_id else None
    application = applications.application_apply(
        actor=actor_of(request),
        scope=scope,
        membership=membership,
        student=applications.StudentIn(
            name=body.name,
            id_number=body.id_number,
            relation=body.relation,
            school=body.school,
            level=body.level,
            enrolment_year=body.enrolment_year,
            graduation_year=body.graduation_year,
            major=body.major,
            enrolment_kind=body.enrolment_kind,
            tuition_fen=_fen(body.tuition, "tuition"),
            loan_fen=_fen(body.loan, "loan"),
            family_on_subsistence=body.family_on_subsistence,
        ),
        school_year=body.school_year,
        promise_signed=body.promise_signed,
        continued_from=previous,
    )
    return Status(201, application_out(selectors.application_get(scope=scope, pk=application.pk)))


@router.get("/applications/{application_id}", response=ApplicationOut, summary="金秋助学申请详情")
def get_application(request: HttpRequest, application_id: int) -> dict[str, Any]:
    return application_out(selectors.application_get(scope=request_scope(request), pk=application_id))


def _decide(request: HttpRequest, application_id: int, action: str, note: str) -> dict[str, Any]:
    scope = request_scope(request)
    application = selectors.application_get(scope=scope, pk=application_id)
    decide(actor=actor_of(request), scope=scope, application=application, action=action, note=note.strip())
    return application_out(selectors.application_get(scope=scope, pk=application_id))


@router.post("/applications/{application_id}/review", response=ApplicationOut, summary="基层工会审核通过")
def review_application(request: HttpRequest, application_id: int, body: NoteIn) -> dict[str, Any]:
    return _decide(request, application_id, "review", body.note)


@router.post(
    "/applications/{application_id}/approve",
    response=ApplicationOut,
    summary="县级总工会审批通过（先与部门名单比对：待复核 409，确认重复不予审批）",
)
def approve_application(request: HttpRequest, application_id: int, body: NoteIn) -> dict[str, Any]:
    return _decide(request, application_id, "approve", body.note)


@router.post(
    "/applications/{application_id}/return",
    response=ApplicationOut,
    summary="县级总工会退回基层工会补正（需填意见；回到待基层工会审核）",
)
def return_application(request: HttpRequest, application_id: int, body: NoteIn) -> dict[str, Any]:
    return _decide(request, application_id, "return", body.note)


@router.post("/applications/{application_id}/reject", response=ApplicationOut, summary="不予通过（需填意见）")
def reject_application(request: HttpRequest, application_id: int, body: NoteIn) -> dict[str, Any]:
    return _decide(request, application_id, "reject", body.note)


def publication_out(p: Publication) -> dict[str, Any]:
    return {
        "id": p.pk,
        "org_code": p.org.code,
        "org_name": p.org.name,
        "title": p.title,
        "school_year": p.school_year,
        "starts_on": p.starts_on,
        "ends_on": p.ends_on,
        "status": p.status,
        "status_label": p.get_status_display(),
        "entries": [
            {
                "name": e["name"],
                "school": e["school"],
                "level": e["level"],
                "union": e["union"],
                "amount": e["amount_yuan"],
            }
            for e in selectors.publication_entries(p)
        ],
    }


@router.get("/publications/{publication_id}", response=PublicationOut, summary="金秋助学公示名单（不含证件号码）")
def get_publication(request: HttpRequest, publication_id: int) -> dict[str, Any]:
    return publication_out(selectors.publication_get(scope=request_scope(request), pk=publication_id))
