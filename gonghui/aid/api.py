"""`/api/v1/aid`: hardship files (apply, authorization scan, review path, close) and relief visits.

Amounts travel as yuan strings ("1200.00") and are kept in fen; ID numbers of
family members appear masked. Files are seen where the caller holds
aid.file.view; another union's id is a 404.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from ninja import File, Router, Schema, Status
from ninja.files import UploadedFile

from gonghui.aid import relief, selectors, services
from gonghui.aid.models import HardshipFile, ReliefVisit
from gonghui.aid.scans import authorization_store
from gonghui.core.api_common import paginate, request_scope
from gonghui.core.errors import DomainError
from gonghui.core.money import AmountError, fen_to_yuan, parse_yuan
from gonghui.core.viewutils import actor_of
from gonghui.members.selectors import membership_get

router = Router(tags=["aid"])


class FamilyIn(Schema):
    relation: str
    name: str
    id_number: str = ""
    health: str = ""
    monthly_income: str = "0"
    school_or_unit: str = ""


class FileIn(Schema):
    member_id: int
    level: str  # national / provincial / city / county
    region_code: str  # where the 低保 standard is read
    year: int
    household_size: int
    worker_monthly_income: str
    other_income_year: str = "0"
    necessary_expense_year: str = "0"
    hardship_cost_year: str = "0"
    accident: bool = False
    causes: list[str]
    family: list[FamilyIn] = []
    housing_type: str = ""
    health: str = ""
    zero_employment: bool = False


class FamilyOut(Schema):
    relation: str
    name: str
    id_masked: str
    health: str
    monthly_income: str
    school_or_unit: str


class FileOut(Schema):
    id: int
    org_code: str
    org_name: str
    member_name: str
    level: str
    category: str
    category_label: str
    causes: list[str]
    household_size: int
    per_capita_monthly: str
    standard_monthly: str
    status: str
    status_label: str
    status_note: str
    authorized: bool
    card_masked: str | None  # the member service card aid is paid to (masked), or none yet
    filed_on: date | None
    closed_on: date | None
    created_at: datetime
    family: list[FamilyOut]


class FilePage(Schema):
    items: list[FileOut]
    count: int
    page: int


class NoteIn(Schema):
    note: str = ""


class ReasonIn(Schema):
    reason: str


class VisitIn(Schema):
    member_id: int
    event: str
    visited_on: date
    cash: str = "0"
    goods: str = "0"
    goods_note: str = ""
    insurance_policies: int = 0
    housing: bool = False
    note: str = ""


class VisitOut(Schema):
    id: int
    org_code: str
    member_name: str
    event: str
    event_label: str
    visited_on: date
    cash: str
    goods: str
    insurance_policies: int
    housing: bool


def _fen(value: str, field: str) -> int:
    if not str(value).strip():
        return 0
    try:
        return parse_yuan(value, allow_zero=True)
    except AmountError as exc:
        raise DomainError("aid.amount_invalid", field=field) from exc


def file_out(f: HardshipFile, *, family: bool = False) -> dict[str, Any]:
    return {
        "id": f.pk,
        "org_code": f.org.code,
        "org_name": f.org.name,
        "member_name": f.person.name,
        "level": f.level,
        "category": f.category,
        "category_label": f.get_category_display(),
        "causes": f.causes,
        "household_size": f.household_size,
        "per_capita_monthly": fen_to_yuan(f.per_capita_monthly_fen),
        "standard_monthly": fen_to_yuan(f.standard_monthly_fen),
        "status": f.status,
        "status_label": f.get_status_display(),
        "status_note": f.status_note,
        "authorized": f.authorized_at is not None,
        "card_masked": f.card.card_masked if f.card_id and f.card else None,
        "filed_on": f.filed_on,
        "closed_on": f.closed_on,
        "created_at": f.created_at,
        "family": [
            {
                "relation": m.relation,
                "name": m.name,
                "id_masked": m.id_masked,
                "health": m.health,
                "monthly_income": fen_to_yuan(m.monthly_income_fen),
                "school_or_unit": m.school_or_unit,
            }
            for m in (f.family.all() if family else [])
        ],
    }


@router.get("/files", response=FilePage, summary="困难职工档案")
def list_files(request: HttpRequest, status: str = "", category: str = "", page: int = 1) -> dict[str, Any]:
    rows, count, number = paginate(
        selectors.file_list(scope=request_scope(request), status=status, category=category), page
    )
    return {"items": [file_out(f) for f in rows], "count": count, "page": number}


@router.post("/files", response={201: FileOut}, summary="登记建档申请（自动认定困难类别）")
def apply_file(request: HttpRequest, body: FileIn) -> Status[dict[str, Any]]:
    scope = request_scope(request)
    membership = membership_get(scope=scope, pk=body.member_id)
    figures = {
        "household_size": body.household_size,
        "worker_monthly_income_fen": _fen(body.worker_monthly_income, "worker_monthly_income"),
        "other_income_year_fen": _fen(body.other_income_year, "other_income_year"),
        "necessary_expense_year_fen": _fen(body.necessary_expense_year, "necessary_expense_year"),
        "hardship_cost_year_fen": _fen(body.hardship_cost_year, "hardship_cost_year"),
        "accident": body.accident,
    }
    family = [
        services.FamilyIn(
            m.relation,
            m.name,
            m.id_number,
            m.health,
            _fen(m.monthly_income, f"family.{i}.monthly_income"),
            m.school_or_unit,
        )
        for i, m in enumerate(body.family)
    ]
    file = services.file_apply(
        actor=actor_of(request),
        scope=scope,
        membership=membership,
        level=body.level,
        region_code=body.region_code,
        year=body.year,
        figures=figures,
        causes=body.causes,
        family=family,
        details={"housing_type": body.housing_type, "health": body.health, "zero_employment": body.zero_employment},
    )
    return Status(201, file_out(selectors.file_get(scope=scope, pk=file.pk), family=True))


@router.get("/files/{file_id}", response=FileOut, summary="困难职工档案详情（家庭成员证件号码脱敏）")
def get_file(request: HttpRequest, file_id: int) -> dict[str, Any]:
    return file_out(selectors.file_get(scope=request_scope(request), pk=file_id), family=True)


@router.post(
    "/files/{file_id}/authorization", response=FileOut, summary="上传家庭经济状况核对授权委托书（PDF/JPG/PNG）"
)
def upload_authorization(request: HttpRequest, file_id: int, scan: File[UploadedFile]) -> dict[str, Any]:
    scope = request_scope(request)
    file = selectors.file_get(scope=scope, pk=file_id)
    authorization_store(actor=actor_of(request), scope=scope, file=file, scan=scan)
    return file_out(selectors.file_get(scope=scope, pk=file_id), family=True)


def _decide(request: HttpRequest, file_id: int, decision: str, note: str) -> dict[str, Any]:
    scope = request_scope(request)
    file = selectors.file_get(scope=scope, pk=file_id)
    services.file_decide(actor=actor_of(request), scope=scope, file=file, decision=decision, note=note)
    return file_out(selectors.file_get(scope=scope, pk=file_id), family=True)


@router.post("/files/{file_id}/approve", response=FileOut, summary="审核通过（本单位工会 → 上级工会 → 帮扶中心）")
def approve_file(request: HttpRequest, file_id: int, body: NoteIn) -> dict[str, Any]:
    return _decide(request, file_id, "approve", body.note)


@router.post("/files/{file_id}/return", response=FileOut, summary="退回补充材料（需填意见）")
def return_file(request: HttpRequest, file_id: int, body: NoteIn) -> dict[str, Any]:
    return _decide(request, file_id, "return", body.note)


@router.post("/files/{file_id}/reject", response=FileOut, summary="不予建档（需填意见）")
def reject_file(request: HttpRequest, file_id: int, body: NoteIn) -> dict[str, Any]:
    return _decide(request, file_id, "reject", body.note)


@router.post("/files/{file_id}/close", response=FileOut, summary="撤档（脱困等，需填原因）")
def close_file(request: HttpRequest, file_id: int, body: ReasonIn) -> dict[str, Any]:
    scope = request_scope(request)
    file = selectors.file_get(scope=scope, pk=file_id)
    services.file_close(actor=actor_of(request), scope=scope, file=file, reason=body.reason)
    return file_out(selectors.file_get(scope=scope, pk=file_id), family=True)


def visit_out(v: ReliefVisit) -> dict[str, Any]:
    return {
        "id": v.pk,
        "org_code": v.org.code,
        "member_name": v.person.name,
        "event": v.event,
        "event_label": v.get_event_display(),
        "visited_on": v.visited_on,
        "cash": fen_to_yuan(v.cash_fen),
        "goods": fen_to_yuan(v.goods_fen),
        "insurance_policies": v.insurance_policies,
        "housing": v.housing,
    }


@router.get("/relief-visits", response=list[VisitOut], summary="慰问记录（最近 500 条）")
def list_visits(request: HttpRequest, event: str = "", year: int | None = None) -> list[dict[str, Any]]:
    return [visit_out(v) for v in selectors.visit_list(scope=request_scope(request), event=event, year=year)[:500]]


@router.post("/relief-visits", response={201: VisitOut}, summary="登记慰问（按省定标准控制每人每年上限）")
def record_visit(request: HttpRequest, body: VisitIn) -> Status[dict[str, Any]]:
    scope = request_scope(request)
    visit = relief.relief_visit_record(
        actor=actor_of(request),
        scope=scope,
        membership=membership_get(scope=scope, pk=body.member_id),
        event=body.event,
        visited_on=body.visited_on,
        cash_fen=_fen(body.cash, "cash"),
        goods_fen=_fen(body.goods, "goods"),
        goods_note=body.goods_note,
        insurance_policies=body.insurance_policies,
        housing=body.housing,
        note=body.note,
    )
    return Status(201, visit_out(selectors.visit_list(scope=scope).get(pk=visit.pk)))
