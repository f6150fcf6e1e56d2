"""`/api/v1/rights` (legal aid): the lawyers' roster, legal-aid matters and 百名律师进千企 visits,
read-only for staff (list and one record), within the caller's scope (`rights.legal.view`);
another union's id is a 404. Phones travel masked; amounts as fen and as yuan text."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from gonghui.core.api_common import paginate, request_scope
from gonghui.core.masking import mask_mobile
from gonghui.core.money import fen_to_yuan
from gonghui.rights import legal_selectors as sel
from gonghui.rights.models import Lawyer, LawyerVisit, LegalAidMatter

router = Router(tags=["rights"])


class LawyerOut(Schema):
    id: int
    org_code: str
    org_name: str
    name: str
    firm: str
    licence_no: str
    areas: list[str]
    area_labels: list[str]
    phone_masked: str
    active: bool


class LawyerPage(Schema):
    items: list[LawyerOut]
    count: int
    page: int


class HearingOut(Schema):
    held_on: date
    body: str
    result: str


class MatterOut(Schema):
    id: int
    case_id: int
    case_number: str
    org_code: str
    form: str
    form_label: str
    lawyer_id: int
    lawyer_name: str
    opened_on: date
    status: str
    closed_on: date | None
    recovered_fen: int | None
    recovered_yuan: str | None
    outcome: str
    hearings: list[HearingOut]


class MatterPage(Schema):
    items: list[MatterOut]
    count: int
    page: int


class IssueOut(Schema):
    id: int
    text: str
    status: str
    status_label: str
    note: str


class VisitOut(Schema):
    id: int
    org_code: str
    lawyer_id: int
    lawyer_name: str
    enterprise_name: str
    enterprise_uscc: str
    visited_on: date
    note: str
    issues: list[IssueOut]


class VisitPage(Schema):
    items: list[VisitOut]
    count: int
    page: int


def lawyer_out(lw: Lawyer) -> dict[str, Any]:
    from gonghui.rights.legal_words import LawArea

    labels = dict(LawArea.choices)
    return {
        "id": lw.pk,
        "org_code": lw.org.code,
        "org_name": lw.org.name,
        "name": lw.name,
        "firm": lw.firm,
        "licence_no": lw.licence_no,
        "areas": lw.areas,
        "area_labels": [str(labels.get(a, a)) for a in lw.areas],
        "phone_masked": mask_mobile(lw.phone) if lw.phone else "",
        "active": lw.active,
    }


def matter_out(m: LegalAidMatter, *, hearings: bool = False) -> dict[str, Any]:
    return {
        "id": m.pk,
        "case_id": m.case_id,
        "case_number": m.case.number,
        "org_code": m.org.code,
        "form": m.form,
        "form_label": m.get_form_display(),
        "lawyer_id": m.lawyer_id,
        "lawyer_name": m.lawyer.name,
        "opened_on": m.opened_on,
        "status": m.status,
        "closed_on": m.closed_on,
        "recovered_fen": m.recovered_fen,
        "recovered_yuan": fen_to_yuan(m.recovered_fen) if m.recovered_fen is not None else None,
        "outcome": m.outcome,
        "hearings": [
            {"held_on": h.held_on, "body": h.body, "result": h.result}
            for h in (sel.hearings(matter=m) if hearings else [])
        ],
    }


def visit_out(v: LawyerVisit, *, issues: bool = False) -> dict[str, Any]:
    return {
        "id": v.pk,
        "org_code": v.org.code,
        "lawyer_id": v.lawyer_id,
        "lawyer_name": v.lawyer.name,
        "enterprise_name": v.enterprise_name,
        "enterprise_uscc": v.enterprise_uscc,
        "visited_on": v.visited_on,
        "note": v.note,
        "issues": [
            {"id": i.pk, "text": i.text, "status": i.status, "status_label": i.get_status_display(), "note": i.note}
            for i in (sel.visit_issues(visit=v) if issues else [])
        ],
    }


@router.get("/lawyers", response=LawyerPage, summary="工会律师库（本会及下级工会）")
def list_lawyers(
    request: HttpRequest, q: str = "", active: bool | None = None, area: str = "", page: int = 1
) -> dict[str, Any]:
    qs = sel.lawyer_list(scope=request_scope(request), q=q, active=active, area=area)
    rows, count, number = paginate(qs, page)
    return {"items": [lawyer_out(lw) for lw in rows], "count": count, "page": number}


@router.get("/lawyers/{lawyer_id}", response=LawyerOut, summary="律师详情")
def get_lawyer(request: HttpRequest, lawyer_id: int) -> dict[str, Any]:
    return lawyer_out(sel.lawyer_get(scope=request_scope(request), pk=lawyer_id))


@router.get("/legal-aid", response=MatterPage, summary="法律援助事项")
def list_matters(
    request: HttpRequest, status: str = "", form: str = "", lawyer: int | None = None, q: str = "", page: int = 1
) -> dict[str, Any]:
    filters = sel.MatterFilters(status=status, form=form, lawyer=lawyer, q=q)
    rows, count, number = paginate(sel.matter_list(scope=request_scope(request), filters=filters), page)
    return {"items": [matter_out(m) for m in rows], "count": count, "page": number}


@router.get("/legal-aid/{matter_id}", response=MatterOut, summary="法律援助事项详情（含庭审与调解）")
def get_matter(request: HttpRequest, matter_id: int) -> dict[str, Any]:
    return matter_out(sel.matter_get(scope=request_scope(request), pk=matter_id), hearings=True)


@router.get("/lawyer-visits", response=VisitPage, summary="律师进企业法律体检")
def list_visits(request: HttpRequest, open_only: bool = False, q: str = "", page: int = 1) -> dict[str, Any]:
    rows, count, number = paginate(sel.visit_list(scope=request_scope(request), open_only=open_only, q=q), page)
    return {"items": [visit_out(v) for v in rows], "count": count, "page": number}


@router.get("/lawyer-visits/{visit_id}", response=VisitOut, summary="法律体检详情（含问题与整改）")
def get_visit(request: HttpRequest, visit_id: int) -> dict[str, Any]:
    return visit_out(sel.visit_get(scope=request_scope(request), pk=visit_id), issues=True)
