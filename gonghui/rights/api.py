"""`/api/v1/rights`: 12351 hotline cases (intake, the list and one case, each move of the workflow,
督办) and the collective-contract registry (register, filing, review, renewal, expiry).

Choices take codes, labels or everyday words (来电, 欠薪, 骑手). The caller's phone is always
masked. Cases are seen where the caller holds rights.case.view (at the holding or the intake
union); another union's id is a 404.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema, Status

from gonghui.core.api_common import request_scope
from gonghui.core.errors import DomainError, NotFoundError
from gonghui.core.masking import mask_mobile
from gonghui.core.money import AmountError, fen_to_yuan, parse_yuan
from gonghui.core.scoping import unscoped
from gonghui.core.viewutils import actor_of
from gonghui.orgs.models import Org
from gonghui.orgs.selectors import org_get
from gonghui.rights import contracts, deadlines, selectors, services
from gonghui.rights.models import CollectiveContract, HotlineCase, NegotiationRequest
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
    caller_id_number: str = ""  # only to find the member; never stored
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
    count: int  # exact up to 1000; past it 1000 and `count_capped`
    count_capped: bool
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
    return _page(selectors.case_page(scope=request_scope(request), filters=filters, page=page))


def _page(p: selectors.Page) -> dict[str, Any]:
    return {"items": [case_out(c) for c in p.rows], "count": p.count, "count_capped": p.capped, "page": p.page}


@router.post("/cases", response={201: CaseOut}, summary="受理来电（咨询当场答复可直接结案）")
def intake_case(request: HttpRequest, body: CaseIn) -> Status[dict[str, Any]]:
    scope = request_scope(request)
    org = org_get(scope=scope, code=body.org_code, perm=RightsPerm.INTAKE)
    case = services.case_intake(actor=actor_of(request), scope=scope, org=org, **body.dict(exclude={"org_code"}))
    return Status(201, case_out(selectors.case_get(scope=scope, pk=case.pk), events=True))


@router.get("/cases/{case_id}", response=CaseOut, summary="工单详情与办理记录")
def get_case(request: HttpRequest, case_id: int) -> dict[str, Any]:
    return case_out(selectors.case_get(scope=request_scope(request), pk=case_id), events=True)


@router.get("/supervision", response=CasePage, summary="超期督办：下级工会承办的超期工单，超期最久的在前")
def list_supervision(request: HttpRequest, page: int = 1) -> dict[str, Any]:
    return _page(selectors.supervision_page(scope=request_scope(request), page=page))


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


# --- collective contracts ----------------------------------------------------------------------------


class EmployerSchema(Schema):
    name: str
    uscc: str
    workers: int = 0


class ContractIn(Schema):
    org_code: str
    title: str
    kind: str  # 综合 / 工资专项 / 女职工专项 / 劳动安全卫生 (words accepted)
    scope: str  # 企业 / 行业性 / 区域性
    signed_on: date
    starts_on: date
    ends_on: date
    union_chief: str
    employer_chief: str
    vote_body: str  # 职代会 / 全体职工
    voted_on: date
    votes_for: int
    votes_against: int = 0
    filed_on: date | None = None
    women_workers: int = 0
    wage_increase_pct: str = ""
    minimum_wage: str = ""  # yuan a month
    employers: list[EmployerSchema]
    renews_id: int | None = None
    number: str = ""  # the registry's number
    negotiation_id: int | None = None  # the 要约 it came from (same union, not linked yet)


class ContractOut(Schema):
    id: int
    org_code: str
    title: str
    kind: str
    kind_label: str
    scope: str
    signed_on: date
    starts_on: date
    ends_on: date
    union_chief: str
    employer_chief: str
    vote_body: str
    voted_on: date
    votes_for: int
    votes_against: int
    filed_on: date | None
    filing_due: date
    filed_late: bool
    review: str
    effective: bool
    expiring: bool
    workers: int
    women_workers: int
    wage_increase_pct: str | None
    minimum_wage: str | None
    renews_id: int | None
    employers: list[EmployerSchema]


class FilingIn(Schema):
    filed_on: date


class ReviewIn(Schema):
    objection: bool
    note: str = ""


def contract_out(c: CollectiveContract, *, today: date | None = None) -> dict[str, Any]:
    day = today or timezone.localdate()
    state = contracts.contract_state(c, day)
    return {
        "id": c.pk,
        "org_code": c.org.code,
        "title": c.title,
        "kind": c.kind,
        "kind_label": c.get_kind_display(),
        "scope": c.scope,
        "signed_on": c.signed_on,
        "starts_on": c.starts_on,
        "ends_on": c.ends_on,
        "union_chief": c.union_chief,
        "employer_chief": c.employer_chief,
        "vote_body": c.vote_body,
        "voted_on": c.voted_on,
        "votes_for": c.votes_for,
        "votes_against": c.votes_against,
        "filed_on": c.filed_on,
        "filing_due": contracts.filing_due(c.signed_on),
        "filed_late": state.filed_late,
        "review": c.review,
        "effective": state.effective,
        "expiring": state.expiring,
        "workers": c.workers,
        "women_workers": c.women_workers,
        "wage_increase_pct": str(c.wage_increase_pct) if c.wage_increase_pct is not None else None,
        "minimum_wage": fen_to_yuan(c.minimum_wage_fen) if c.minimum_wage_fen else None,
        "renews_id": c.renews_id,
        "employers": [{"name": e.name, "uscc": e.uscc, "workers": e.workers} for e in c.employers.all()],
    }


@router.get("/contracts", response=list[ContractOut], summary="集体合同（最多 500 条；expiring=true 为即将到期待续订）")
def list_contracts(request: HttpRequest, kind: str = "", expiring: bool = False) -> list[dict[str, Any]]:
    scope = request_scope(request)
    today = timezone.localdate()
    qs = selectors.contract_list(scope=scope, kind=kind, expiring_by=today if expiring else None)
    return [contract_out(c, today=today) for c in qs.prefetch_related("employers")[:500]]


@router.post("/contracts", response={201: ContractOut}, summary="登记集体合同（含覆盖企业；续订时给出 renews_id）")
def register_contract(request: HttpRequest, body: ContractIn) -> Status[dict[str, Any]]:
    scope = request_scope(request)
    org = org_get(scope=scope, code=body.org_code, perm=RightsPerm.CONTRACT_MANAGE)
    renews = selectors.contract_get(scope=scope, pk=body.renews_id) if body.renews_id else None
    negotiation = None
    if body.negotiation_id:
        negotiation = selectors.linkable_requests(scope=scope).filter(pk=body.negotiation_id).first()
        if negotiation is None:
            raise NotFoundError()
    raw = body.dict(exclude={"org_code", "employers", "renews_id", "minimum_wage", "negotiation_id"})
    if body.minimum_wage.strip():
        try:
            raw["minimum_wage_fen"] = parse_yuan(body.minimum_wage)
        except AmountError as exc:
            raise DomainError(
                "rights.contract_invalid",
                details={"minimum_wage": "请填写金额（元）"},
                reasons="最低工资标准请填写金额（元）",
            ) from exc
    c = contracts.contract_register(
        actor=actor_of(request),
        scope=scope,
        org=org,
        raw=raw,
        employers=[contracts.EmployerIn(e.name, e.uscc, e.workers) for e in body.employers],
        renews=renews,
        negotiation=negotiation,
    )
    return Status(201, contract_out(selectors.contract_get(scope=scope, pk=c.pk)))


@router.get("/contracts/{contract_id}", response=ContractOut, summary="集体合同详情")
def get_contract(request: HttpRequest, contract_id: int) -> dict[str, Any]:
    return contract_out(selectors.contract_get(scope=request_scope(request), pk=contract_id))


@router.post("/contracts/{contract_id}/filing", response=ContractOut, summary="登记报送备案（签订后 10 日内）")
def file_contract(request: HttpRequest, contract_id: int, body: FilingIn) -> dict[str, Any]:
    scope = request_scope(request)
    c = selectors.contract_get(scope=scope, pk=contract_id)
    contracts.contract_file(actor=actor_of(request), scope=scope, contract=c, filed_on=body.filed_on)
    return contract_out(selectors.contract_get(scope=scope, pk=contract_id))


@router.post("/contracts/{contract_id}/review", response=ContractOut, summary="登记审查结果（有异议须说明）")
def review_contract(request: HttpRequest, contract_id: int, body: ReviewIn) -> dict[str, Any]:
    scope = request_scope(request)
    c = selectors.contract_get(scope=scope, pk=contract_id)
    contracts.contract_review(
        actor=actor_of(request), scope=scope, contract=c, objection=body.objection, note=body.note
    )
    return contract_out(selectors.contract_get(scope=scope, pk=contract_id))


class RequestIn(Schema):
    org_code: str
    side: str  # union / employer
    employer_name: str
    employer_uscc: str
    subject: str
    requested_on: date


class RequestOut(Schema):
    id: int
    org_code: str
    side: str
    employer_name: str
    employer_uscc: str
    subject: str
    requested_on: date
    reply_due: date
    replied_on: date | None
    overdue: bool
    contract_id: int | None  # the contract it led to


class ReplyIn(Schema):
    replied_on: date
    note: str = ""


def request_out(r: NegotiationRequest) -> dict[str, Any]:
    return {
        "id": r.pk,
        "org_code": r.org.code,
        "side": r.side,
        "employer_name": r.employer_name,
        "employer_uscc": r.employer_uscc,
        "subject": r.subject,
        "requested_on": r.requested_on,
        "reply_due": contracts.reply_due(r.requested_on),
        "replied_on": r.replied_on,
        "overdue": contracts.request_overdue(r, timezone.localdate()),
        "contract_id": r.contract_id,
    }


@router.get("/negotiation-requests", response=list[RequestOut], summary="集体协商要约（未答复在前，最多 500 条）")
def list_requests(request: HttpRequest, open_only: bool = False) -> list[dict[str, Any]]:
    return [request_out(r) for r in selectors.request_list(scope=request_scope(request), open_only=open_only)[:500]]


@router.post("/negotiation-requests", response={201: RequestOut}, summary="登记要约（20 日内书面答复）")
def record_request(request: HttpRequest, body: RequestIn) -> Status[dict[str, Any]]:
    scope = request_scope(request)
    org = org_get(scope=scope, code=body.org_code, perm=RightsPerm.CONTRACT_MANAGE)
    r = contracts.request_record(actor=actor_of(request), scope=scope, org=org, **body.dict(exclude={"org_code"}))
    return Status(201, request_out(selectors.request_get(scope=scope, pk=r.pk)))


@router.post("/negotiation-requests/{request_id}/reply", response=RequestOut, summary="登记书面答复")
def reply_request(request: HttpRequest, request_id: int, body: ReplyIn) -> dict[str, Any]:
    scope = request_scope(request)
    r = selectors.request_get(scope=scope, pk=request_id)
    contracts.request_reply(
        actor=actor_of(request), scope=scope, negotiation=r, replied_on=body.replied_on, note=body.note
    )
    return request_out(selectors.request_get(scope=scope, pk=request_id))
