"""`/api/v1/rights`: 12351 hotline cases: intake, the list and one case, each move of the workflow, 督办.

Choices take codes, labels or everyday words (来电, 欠薪, 骑手). The caller's phone is always
masked. Cases are seen where the caller holds rights.case.view (at the holding or the intake
union); another union's id is a 404.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema, Status

from gonghui.core.api_common import paginate, request_scope
from gonghui.core.errors import DomainError
from gonghui.core.masking import mask_mobile
from gonghui.core.scoping import unscoped
from gonghui.core.viewutils import actor_of
from gonghui.orgs.models import Org
from gonghui.orgs.selectors import org_get
from gonghui.rights import deadlines, selectors, services
from gonghui.rights.models import HotlineCase
from gonghui.rights.permissions import RightsPerm
from gonghui.rights.workflow import EVENT_LABELS

router = Router(tags=["rights"])


class CaseIn(Schema):
    org_code: str  # the union taking the call
    source: str
    kind: str
    cause: str
    caller_name: str
    summary: str
    caller_phone: str = ""
    person_type: str = ""
    tier: str = ""
    employer_name: str = ""
    employer_uscc: str = ""
    answered: bool = False  # a consultation answered on the call: closed at once
    answer: str = ""


class EventOut(Schema):
    at: datetime
    action: str
    label: str
    who: str
    org_name: str
    to_org_name: str
    note: str


class CaseOut(Schema):
    id: int
    number: str
    status: str
    status_label: str
    intake_org_code: str
    org_code: str
    org_name: str
    source: str
    kind: str
    cause: str
    cause_label: str
    person_type: str
    tier: str
    caller_name: str
    caller_phone_masked: str
    member_linked: bool
    employer_name: str
    employer_uscc: str
    summary: str
    answer: str
    result: str
    satisfaction: str
    reopened: int
    step_due_at: datetime | None
    overdue: bool
    late: bool
    reminders: int
    created_at: datetime
    closed_at: datetime | None
    events: list[EventOut]


class CasePage(Schema):
    items: list[CaseOut]
    count: int
    page: int


class NoteIn(Schema):
    note: str = ""


class HandDownIn(Schema):
    to_org: str  # the code of a union directly below the holder
    note: str = ""


class ReasonIn(Schema):
    reason: str


class ResultIn(Schema):
    result: str


class FollowUpIn(Schema):
    satisfaction: str
    note: str = ""


def case_out(c: HotlineCase, *, events: bool = False) -> dict[str, Any]:
    return {
        "id": c.pk,
        "number": c.number,
        "status": c.status,
        "status_label": c.get_status_display(),
        "intake_org_code": c.intake_org.code,
        "org_code": c.org.code,
        "org_name": c.org.name,
        "source": c.source,
        "kind": c.kind,
        "cause": c.cause,
        "cause_label": c.get_cause_display(),
        "person_type": c.person_type,
        "tier": c.tier,
        "caller_name": c.caller_name,
        "caller_phone_masked": mask_mobile(c.caller_phone) if c.caller_phone else "",
        "member_linked": c.person_id is not None,
        "employer_name": c.employer_name,
        "employer_uscc": c.employer_uscc,
        "summary": c.summary,
        "answer": c.answer,
        "result": c.result,
        "satisfaction": c.satisfaction,
        "reopened": c.reopened,
        "step_due_at": c.step_due_at,
        "overdue": deadlines.is_overdue(status=c.status, due=c.step_due_at),
        "late": c.late,
        "reminders": c.reminders,
        "created_at": c.created_at,
        "closed_at": c.closed_at,
        "events": [
            {
                "at": e.at,
                "action": e.action,
                "label": EVENT_LABELS.get(e.action, e.action),
                "who": e.actor_label,
                "org_name": e.org.name if e.org else "",
                "to_org_name": e.to_org.name if e.to_org else "",
                "note": e.note,
            }
            for e in (selectors.case_events(case=c) if events else [])
        ],
    }


@router.get("/cases", response=CasePage, summary="12351 热线工单")
def list_cases(
    request: HttpRequest,
    status: str = "",
    kind: str = "",
    cause: str = "",
    tier: str = "",
    overdue: bool = False,
    q: str = "",
    page: int = 1,
) -> dict[str, Any]:
    filters = selectors.CaseFilters(status=status, kind=kind, cause=cause, tier=tier, overdue=overdue, q=q)
    rows, count, number = paginate(selectors.case_list(scope=request_scope(request), filters=filters), page)
    return {"items": [case_out(c) for c in rows], "count": count, "page": number}


@router.post("/cases", response={201: CaseOut}, summary="受理来电（咨询当场答复可直接结案）")
def intake_case(request: HttpRequest, body: CaseIn) -> Status[dict[str, Any]]:
    scope = request_scope(request)
    org = org_get(scope=scope, code=body.org_code, perm=RightsPerm.INTAKE)
    case = services.case_intake(actor=actor_of(request), scope=scope, org=org, **body.dict(exclude={"org_code"}))
    return Status(201, case_out(selectors.case_get(scope=scope, pk=case.pk), events=True))


@router.get("/cases/{case_id}", response=CaseOut, summary="工单详情与办理记录")
def get_case(request: HttpRequest, case_id: int) -> dict[str, Any]:
    return case_out(selectors.case_get(scope=request_scope(request), pk=case_id), events=True)


@router.get("/supervision", response=list[CaseOut], summary="超期督办：下级工会承办的超期工单（最多 500 条）")
def list_supervision(request: HttpRequest) -> list[dict[str, Any]]:
    return [case_out(c) for c in selectors.supervision_list(scope=request_scope(request))[:500]]


def _act(request: HttpRequest, case_id: int, service: Any, **kwargs: Any) -> dict[str, Any]:
    scope = request_scope(request)
    case = selectors.case_get(scope=scope, pk=case_id)
    service(actor=actor_of(request), scope=scope, case=case, **kwargs)
    return case_out(selectors.case_get(scope=scope, pk=case_id), events=True)


def _child(code: str) -> Org:
    with unscoped():
        org = Org.all_objects.filter(code=code.strip()).first()
    if org is None:
        raise DomainError("rights.not_below", org="承办工会", field="to_org")
    return org


@router.post("/cases/{case_id}/hand-down", response=CaseOut, summary="转办给直属下级工会")
def hand_down(request: HttpRequest, case_id: int, body: HandDownIn) -> dict[str, Any]:
    return _act(request, case_id, services.case_hand_down, to_org=_child(body.to_org), note=body.note)


@router.post("/cases/{case_id}/send-up", response=CaseOut, summary="退回上级工会（需填原因）")
def send_up(request: HttpRequest, case_id: int, body: ReasonIn) -> dict[str, Any]:
    return _act(request, case_id, services.case_send_up, reason=body.reason)


@router.post("/cases/{case_id}/take", response=CaseOut, summary="签收办理")
def take(request: HttpRequest, case_id: int, body: NoteIn) -> dict[str, Any]:
    return _act(request, case_id, services.case_take, note=body.note)


@router.post("/cases/{case_id}/contacts", response=CaseOut, summary="登记联系情况")
def contact(request: HttpRequest, case_id: int, body: NoteIn) -> dict[str, Any]:
    return _act(request, case_id, services.case_contact, note=body.note)


@router.post("/cases/{case_id}/reply", response=CaseOut, summary="办结答复（办理结果）")
def reply(request: HttpRequest, case_id: int, body: ResultIn) -> dict[str, Any]:
    return _act(request, case_id, services.case_reply, result=body.result)


@router.post("/cases/{case_id}/follow-up", response=CaseOut, summary="回访（满意/基本满意/不满意；首次不满意重办）")
def follow_up(request: HttpRequest, case_id: int, body: FollowUpIn) -> dict[str, Any]:
    return _act(request, case_id, services.case_follow_up, satisfaction=body.satisfaction, note=body.note)


@router.post("/cases/{case_id}/check", response=CaseOut, summary="质检")
def check(request: HttpRequest, case_id: int, body: NoteIn) -> dict[str, Any]:
    return _act(request, case_id, services.case_check, note=body.note)


@router.post("/cases/{case_id}/close", response=CaseOut, summary="结案")
def close(request: HttpRequest, case_id: int, body: NoteIn) -> dict[str, Any]:
    return _act(request, case_id, services.case_close, note=body.note)


@router.post("/cases/{case_id}/remind", response=CaseOut, summary="督办（上级工会）")
def remind(request: HttpRequest, case_id: int, body: NoteIn) -> dict[str, Any]:
    return _act(request, case_id, services.case_remind, note=body.note)
