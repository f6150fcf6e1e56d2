"""`/api/v1/members` and `/api/v1/transfers`: the registry for integrations and scripts.

IDs and mobiles are masked in every response, and birth dates are given as a
year and an age: the full date is eight of the digits the masked number hides.
The full ID number and the birth date are one audited call (`reveal-id`) for
holders of `members.person.view_id`. A transfer asked for by ID number (转入)
shows the person masked and the releasing union withheld until that union
agrees, unless the caller's scope covers it.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema, Status
from pydantic import BaseModel

from gonghui.core.api_common import request_scope
from gonghui.core.masking import mask_mobile
from gonghui.core.scoping import Scope
from gonghui.core.viewutils import actor_of
from gonghui.members import selectors, services
from gonghui.members.models import Membership, MembershipStatus, Transfer
from gonghui.members.selectors import RosterRow
from gonghui.members.validation import code_label, code_labels
from gonghui.orgs.selectors import org_get

router = Router(tags=["members"])
transfers_router = Router(tags=["members"])
codes_router = Router(tags=["members"])

STATUS_LABELS = dict(MembershipStatus.choices)


class MemberOut(BaseModel):
    # A plain pydantic model: ninja's Schema wraps every item in a Django-aware
    # getter, which cost about 0.1 ms per row — half a 50-row page (bench/search.py).

    id: int
    member_no: str | None
    name: str
    id_type: str
    id_number_masked: str
    gender: str
    birth_year: int | None
    age: int | None
    # Always null here: the full date is exactly the eight digits the masked number
    # hides, so it comes only with the audited reveal (POST …/reveal-id). Kept for
    # the clients that read the field.
    birth_date: date | None
    mobile_masked: str
    org_code: str
    org_name: str
    status: str
    status_label: str
    status_reason: str
    started_on: date | None
    ended_on: date | None
    joined_on: date | None
    new_employment_type: str
    new_employment_type_label: str
    is_migrant_worker: bool
    employer: str


class MemberDetailOut(MemberOut):
    ethnicity: str
    education: str
    degree: str
    political_status: str
    hukou_type: str
    hukou_region: str
    residence_region: str
    residence_address: str
    employment_status: str
    skill_level: str
    employer_uscc: str
    position: str
    is_model_worker: bool
    emergency_contact: str
    warnings: list[str] = []


class MemberPage(BaseModel):
    items: list[MemberOut]
    count: int
    count_exact: bool
    page: int


class PersonFieldsIn(Schema):
    name: str
    mobile: str = ""
    ethnicity: str = ""
    education: str = ""
    degree: str = ""
    political_status: str = ""
    hukou_type: str = ""
    is_migrant_worker: bool = False
    hukou_region: str = ""
    residence_region: str = ""
    residence_address: str = ""
    employment_status: str = ""
    skill_level: str = ""
    new_employment_type: str = ""
    employer: str = ""
    employer_uscc: str = ""
    position: str = ""
    is_model_worker: bool = False
    emergency_contact: str = ""
    emergency_phone: str = ""
    joined_on: date | None = None


class MemberCreateIn(PersonFieldsIn):
    org_code: str
    id_number: str
    id_type: str = "1"


class MemberUpdateIn(Schema):
    name: str | None = None
    mobile: str | None = None
    ethnicity: str | None = None
    education: str | None = None
    degree: str | None = None
    political_status: str | None = None
    hukou_type: str | None = None
    is_migrant_worker: bool | None = None
    hukou_region: str | None = None
    residence_region: str | None = None
    residence_address: str | None = None
    employment_status: str | None = None
    skill_level: str | None = None
    new_employment_type: str | None = None
    employer: str | None = None
    employer_uscc: str | None = None
    position: str | None = None
    is_model_worker: bool | None = None
    emergency_contact: str | None = None
    emergency_phone: str | None = None
    # A mistyped 入会日期 corrected (as a re-imported roster may); the same rules as at registration.
    joined_on: date | None = None


class ReasonIn(Schema):
    reason: str = ""
    note: str = ""


class NoteIn(Schema):
    note: str = ""


class TransferOutIn(Schema):
    to_code: str
    reason: str
    note: str = ""


class TransferInIn(Schema):
    to_code: str
    id_number: str
    id_type: str = "1"
    reason: str
    note: str = ""


class TransferOut(Schema):
    id: int
    member_id: int
    # 王*明 and no releasing union (from_code, from_name empty) while person_withheld:
    # a 转入 the releasing union has not agreed to, outside the caller's scope.
    name: str
    person_withheld: bool
    id_number_masked: str
    from_code: str
    from_name: str
    to_code: str
    to_name: str
    initiated_by: str
    reason: str
    reason_label: str
    note: str
    out_state: str
    in_state: str
    status: str
    decision_note: str
    new_member_id: int | None
    created_at: datetime
    decided_at: datetime | None


class EventOut(Schema):
    event_type: str
    event_label: str
    org_code: str
    other_org_code: str | None
    reason: str
    on: date
    actor: str | None


class RevealOut(Schema):
    id_number: str
    birth_date: date | None


class CodeOut(Schema):
    code: str
    label: str


def member_out(ms: Membership | RosterRow, scope: Scope, *, detail: bool = False) -> dict[str, Any]:
    # A roster row of an application carries what was typed already; a model goes through the selector.
    p = selectors.shown_person(ms) if isinstance(ms, Membership) else ms.person
    out: dict[str, Any] = {
        "id": ms.pk,
        "member_no": p.member_no,
        "name": p.name,
        "id_type": p.id_type,
        "id_number_masked": p.id_masked,
        "gender": p.gender,
        "birth_year": p.birth_date.year if p.birth_date else None,
        "age": selectors.age_on(p.birth_date, timezone.localdate()),
        "birth_date": None,
        "mobile_masked": mask_mobile(p.mobile) if p.mobile else "",
        "org_code": ms.org.code,
        "org_name": ms.org.name,
        "status": ms.status,
        "status_label": str(STATUS_LABELS[ms.status]),
        "status_reason": ms.status_reason,
        "started_on": ms.started_on,
        "ended_on": ms.ended_on,
        "joined_on": p.joined_on,
        "new_employment_type": p.new_employment_type,
        "new_employment_type_label": code_label("new_employment_type", p.new_employment_type),
        "is_migrant_worker": p.is_migrant_worker,
        "employer": p.employer,
    }
    if detail:
        for key in MemberDetailOut.model_fields:
            if key not in out and key != "warnings":
                out[key] = getattr(p, key)
        out["warnings"] = list(ms.warnings)
    return out


def transfer_out_dict(tr: Transfer, scope: Scope) -> dict[str, Any]:
    shown = selectors.transfer_shown(scope, tr)
    return {
        "id": tr.pk,
        "member_id": tr.membership_id,
        "name": shown.name,
        "person_withheld": shown.withheld,
        "id_number_masked": tr.person.id_masked,
        "from_code": shown.from_code,
        "from_name": shown.from_name,
        "to_code": tr.to_org.code,
        "to_name": tr.to_org.name,
        "initiated_by": tr.initiated_by,
        "reason": tr.reason,
        "reason_label": code_label("transfer_reason", tr.reason),
        "note": tr.note,
        "out_state": tr.out_state,
        "in_state": tr.in_state,
        "status": tr.status,
        "decision_note": tr.decision_note,
        "new_member_id": tr.new_membership_id,
        "created_at": tr.created_at,
        "decided_at": tr.decided_at,
    }


def _ip(request: HttpRequest) -> str | None:
    return request.META.get("REMOTE_ADDR")


class SearchIn(Schema):
    q: str = ""
    org: str = ""
    status: str = ""
    new_employment: bool | None = None
    new_employment_type: str = ""
    migrant: bool | None = None
    page: int = 1


def _member_page(request: HttpRequest, body: SearchIn) -> dict[str, Any]:
    filters = selectors.RosterFilters(
        q=body.q,
        org_code=body.org,
        status=body.status,
        new_employment=body.new_employment,
        new_employment_type=body.new_employment_type,
        migrant=body.migrant,
    )
    scope = request_scope(request)
    result = selectors.membership_page(scope=scope, filters=filters, page=body.page)
    return {
        "items": [member_out(ms, scope) for ms in result.items],
        "count": result.count,
        "count_exact": result.count_exact,
        "page": result.page,
    }


@router.get("", response=MemberPage, summary="会员名册与检索（身份证号、手机号、会员编号、姓名、拼音）")
def list_members(
    request: HttpRequest,
    q: str = "",
    org: str = "",
    status: str = "",
    new_employment: bool | None = None,
    new_employment_type: str = "",
    migrant: bool | None = None,
    page: int = 1,
) -> dict[str, Any]:
    body = SearchIn(
        q=q,
        org=org,
        status=status,
        new_employment=new_employment,
        new_employment_type=new_employment_type,
        migrant=migrant,
        page=page,
    )
    return _member_page(request, body)


@router.post("/search", response=MemberPage, summary="会员检索（POST：证件号码、手机号码不进入 URL 和访问日志）")
def search_members(request: HttpRequest, body: SearchIn) -> dict[str, Any]:
    return _member_page(request, body)


@router.post("", response={201: MemberDetailOut}, summary="登记会员（入会）")
def create_member(request: HttpRequest, body: MemberCreateIn) -> Status[dict[str, Any]]:
    scope = request_scope(request)
    org = org_get(scope=scope, code=body.org_code.strip().upper())
    fields = body.dict(exclude={"org_code", "id_number", "id_type"})
    ms = services.member_register(
        actor=actor_of(request), scope=scope, org=org, id_number=body.id_number, id_type=body.id_type, fields=fields
    )
    return Status(201, member_out(ms, scope, detail=True))


@router.get("/{member_id}", response=MemberDetailOut, summary="会员详情（证件号码脱敏）")
def get_member(request: HttpRequest, member_id: int) -> dict[str, Any]:
    scope = request_scope(request)
    return member_out(selectors.membership_get(scope=scope, pk=member_id), scope, detail=True)


@router.patch("/{member_id}", response=MemberDetailOut, summary="修改会员信息")
def update_member(request: HttpRequest, member_id: int, body: MemberUpdateIn) -> dict[str, Any]:
    scope = request_scope(request)
    ms = selectors.membership_get(scope=scope, pk=member_id)
    services.person_update(actor=actor_of(request), scope=scope, membership=ms, changes=body.dict(exclude_unset=True))
    return member_out(selectors.membership_get(scope=scope, pk=member_id), scope, detail=True)


@router.get("/{member_id}/history", response=list[EventOut], summary="会籍变化记录")
def member_history(request: HttpRequest, member_id: int) -> list[dict[str, Any]]:
    scope = request_scope(request)
    ms = selectors.membership_get(scope=scope, pk=member_id)
    return [
        {
            "event_type": e.event_type,
            "event_label": e.get_event_type_display(),
            "org_code": e.membership.org.code,
            "other_org_code": e.other_org.code if e.other_org else None,
            "reason": e.reason,
            "on": e.on,
            "actor": e.actor.get_username() if e.actor else None,
        }
        for e in selectors.membership_history(scope=scope, membership=ms)
    ]


@router.post("/{member_id}/reveal-id", response=RevealOut, summary="查看完整证件号码和出生日期（需权限，记入审计）")
def reveal_id(request: HttpRequest, member_id: int) -> dict[str, Any]:
    """The full number and the birth date: one reveal, one audit event (the date is digits 7–14 of the number)."""
    scope = request_scope(request)
    ms = selectors.membership_get(scope=scope, pk=member_id)
    value = services.person_reveal_id(actor=actor_of(request), scope=scope, membership=ms, ip_address=_ip(request))
    return {"id_number": value, "birth_date": ms.person.birth_date}


def _transition(request: HttpRequest, member_id: int, action: str, body: Any = None) -> dict[str, Any]:
    scope = request_scope(request)
    ms = selectors.membership_get(scope=scope, pk=member_id)
    result = services.membership_transition(
        actor=actor_of(request),
        scope=scope,
        membership=ms,
        action=action,
        reason=getattr(body, "reason", ""),
        note=getattr(body, "note", ""),
    )
    # The result may be a new membership (retained at the higher union): answer with it.
    with_scope = selectors.membership_queryset(scope=scope).filter(pk=result.pk).exists()
    shown = selectors.membership_get(scope=scope, pk=result.pk) if with_scope else result
    return member_out(shown, scope, detail=True)


@router.post("/{member_id}/approve", response=MemberDetailOut, summary="入会申请：通过")
def approve_member(request: HttpRequest, member_id: int) -> dict[str, Any]:
    return _transition(request, member_id, "approve")


@router.post("/{member_id}/reject", response=MemberDetailOut, summary="入会申请：不予通过（需填理由）")
def reject_member(request: HttpRequest, member_id: int, body: ReasonIn) -> dict[str, Any]:
    return _transition(request, member_id, "reject", body)


@router.post("/{member_id}/retain", response=MemberDetailOut, summary="保留会籍（reason: retained 代码表）")
def retain_member(request: HttpRequest, member_id: int, body: ReasonIn) -> dict[str, Any]:
    return _transition(request, member_id, "retain", body)


@router.post("/{member_id}/resume", response=MemberDetailOut, summary="恢复正常会籍（保留 → 正常）")
def resume_member(request: HttpRequest, member_id: int, body: NoteIn) -> dict[str, Any]:
    return _transition(request, member_id, "resume", body)


@router.post("/{member_id}/withdraw", response=MemberDetailOut, summary="退会")
def withdraw_member(request: HttpRequest, member_id: int, body: ReasonIn) -> dict[str, Any]:
    return _transition(request, member_id, "withdraw", body)


@router.post("/{member_id}/expel", response=MemberDetailOut, summary="除名（需填理由）")
def expel_member(request: HttpRequest, member_id: int, body: ReasonIn) -> dict[str, Any]:
    return _transition(request, member_id, "expel", body)


@router.post("/{member_id}/reinstate", response=MemberDetailOut, summary="恢复会籍（退会或除名后）")
def reinstate_member(request: HttpRequest, member_id: int, body: ReasonIn) -> dict[str, Any]:
    return _transition(request, member_id, "reinstate", body)


@router.post("/{member_id}/transfer", response={201: TransferOut}, summary="转出：发起会籍接转")
def transfer_member_out(request: HttpRequest, member_id: int, body: TransferOutIn) -> Status[dict[str, Any]]:
    scope = request_scope(request)
    ms = selectors.membership_get(scope=scope, pk=member_id)
    tr = services.transfer_out(
        actor=actor_of(request), scope=scope, membership=ms, to_code=body.to_code, reason=body.reason, note=body.note
    )
    return Status(201, transfer_out_dict(tr, scope))


@transfers_router.get("", response=list[TransferOut], summary="会籍接转列表（转出或转入本辖区）")
def list_transfers(request: HttpRequest, status: str = "pending") -> list[dict[str, Any]]:
    scope = request_scope(request)
    qs = selectors.transfer_list(scope=scope, status=status)[:500]
    return [transfer_out_dict(tr, scope) for tr in qs]


@transfers_router.post("", response={201: TransferOut}, summary="转入：按证件号码申请接收会员")
def transfer_member_in(request: HttpRequest, body: TransferInIn) -> Status[dict[str, Any]]:
    scope = request_scope(request)
    to_org = org_get(scope=scope, code=body.to_code.strip().upper())
    tr = services.transfer_in(
        actor=actor_of(request),
        scope=scope,
        to_org=to_org,
        id_number=body.id_number,
        id_type=body.id_type,
        reason=body.reason,
        note=body.note,
    )
    return Status(201, transfer_out_dict(tr, scope))


@transfers_router.get("/{transfer_id}", response=TransferOut, summary="会籍接转详情")
def get_transfer(request: HttpRequest, transfer_id: int) -> dict[str, Any]:
    scope = request_scope(request)
    return transfer_out_dict(selectors.transfer_get(scope=scope, pk=transfer_id), scope)


@transfers_router.post("/{transfer_id}/approve", response=TransferOut, summary="同意接转（本方）")
def approve_transfer(request: HttpRequest, transfer_id: int, body: NoteIn) -> dict[str, Any]:
    scope = request_scope(request)
    tr = selectors.transfer_get(scope=scope, pk=transfer_id)
    tr = services.transfer_decide(actor=actor_of(request), scope=scope, transfer=tr, approve=True, note=body.note)
    return transfer_out_dict(selectors.transfer_get(scope=scope, pk=tr.pk), scope)


@transfers_router.post("/{transfer_id}/reject", response=TransferOut, summary="不同意接转（需填理由）")
def reject_transfer(request: HttpRequest, transfer_id: int, body: NoteIn) -> dict[str, Any]:
    scope = request_scope(request)
    tr = selectors.transfer_get(scope=scope, pk=transfer_id)
    tr = services.transfer_decide(actor=actor_of(request), scope=scope, transfer=tr, approve=False, note=body.note)
    return transfer_out_dict(selectors.transfer_get(scope=scope, pk=tr.pk), scope)


@transfers_router.post("/{transfer_id}/cancel", response=TransferOut, summary="撤回接转（发起方）")
def cancel_transfer(request: HttpRequest, transfer_id: int) -> dict[str, Any]:
    scope = request_scope(request)
    tr = selectors.transfer_get(scope=scope, pk=transfer_id)
    tr = services.transfer_cancel(actor=actor_of(request), scope=scope, transfer=tr)
    return transfer_out_dict(selectors.transfer_get(scope=scope, pk=tr.pk), scope)


@codes_router.get("/{table}", response=list[CodeOut], summary="代码表（民族、学历、新就业形态类别等）")
def get_codes(request: HttpRequest, table: str) -> list[dict[str, str]]:
    from gonghui.core.errors import NotFoundError

    labels = code_labels(table)
    if not labels:
        raise NotFoundError()
    return [{"code": c, "label": label} for c, label in labels.items()]
