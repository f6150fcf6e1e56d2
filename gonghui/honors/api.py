"""`/api/v1/honors`: campaigns, nominations (with their review), the register. Scoped: a foreign id is a 404."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from gonghui.core.api_common import paginate, request_scope
from gonghui.core.errors import PermissionDeniedError
from gonghui.core.viewutils import actor_of
from gonghui.honors import selectors, services
from gonghui.honors.models import Campaign, HonorHeld, Nomination
from gonghui.honors.permissions import HonorPerm

router = Router(tags=["honors"])


class CampaignOut(Schema):
    id: int
    org_code: str
    org_name: str
    kind: str
    title: str
    level: str
    awarding_body: str
    year: int
    status: str
    places_default: int
    collective: bool
    quotas: list[str]
    fields: list[str]


class CampaignPage(Schema):
    items: list[CampaignOut]
    count: int
    page: int


class AnswerOut(Schema):
    label: str
    value: str


class NominationOut(Schema):
    id: int
    campaign_id: int
    nominee_type: str
    nominee_name: str
    collective_org_code: str | None
    team_name: str
    org_code: str
    at_org_code: str
    status: str
    status_label: str
    front_line: bool
    new_employment: bool
    migrant: bool
    answers: list[AnswerOut]


class NominationPage(Schema):
    items: list[NominationOut]
    count: int
    page: int


class ReviewIn(Schema):
    decision: str
    reason: str = ""


class HonorOut(Schema):
    id: int
    holder_name: str
    kind: str
    title: str
    level: str
    awarding_body: str
    year: int
    org_code: str


class HonorPage(Schema):
    items: list[HonorOut]
    count: int
    page: int


def campaign_out(c: Campaign) -> dict[str, Any]:
    from gonghui.honors.formfields import spec_line
    from gonghui.honors.quotas import rule_text

    return {
        "id": c.pk,
        "org_code": c.org.code,
        "org_name": c.org.name,
        "kind": c.kind,
        "title": c.title,
        "level": c.level,
        "awarding_body": c.awarding_body,
        "year": c.year,
        "status": c.status,
        "places_default": c.places_default,
        "collective": c.collective,
        "quotas": [rule_text(r) for r in services.campaign_rules(c)],
        "fields": [spec_line(spec) for _, spec in services.campaign_fields(c)],
    }


def nomination_out(n: Nomination) -> dict[str, Any]:
    return {
        "id": n.pk,
        "campaign_id": n.campaign_id,
        "nominee_type": n.nominee_type,
        "nominee_name": n.nominee_name,
        "collective_org_code": n.collective_org.code if n.collective_org is not None else None,
        "team_name": n.team_name,
        "org_code": n.org.code,
        "at_org_code": n.at_org.code,
        "status": n.status,
        "status_label": n.get_status_display(),
        "front_line": n.front_line,
        "new_employment": n.new_employment,
        "migrant": n.migrant,
        "answers": [{"label": label, "value": value} for label, value in services.answers_shown(n)],
    }


def honor_out(h: HonorHeld) -> dict[str, Any]:
    return {
        "id": h.pk,
        "holder_name": h.holder_name,
        "kind": h.kind,
        "title": h.title,
        "level": h.level,
        "awarding_body": h.awarding_body,
        "year": h.year,
        "org_code": h.org.code,
    }


def _viewer(request: HttpRequest) -> Any:
    scope = request_scope(request)
    if not scope.has_perm_anywhere(HonorPerm.VIEW):
        raise PermissionDeniedError(HonorPerm.VIEW)
    return scope


@router.get("/campaigns", response=CampaignPage, summary="评选活动")
def list_campaigns(request: HttpRequest, page: int = 1) -> dict[str, Any]:
    rows, count, number = paginate(selectors.campaign_list(scope=_viewer(request)), page)
    return {"items": [campaign_out(c) for c in rows], "count": count, "page": number}


@router.get("/campaigns/{campaign_id}", response=CampaignOut, summary="一个评选活动")
def get_campaign(request: HttpRequest, campaign_id: int) -> dict[str, Any]:
    return campaign_out(selectors.campaign_get(scope=_viewer(request), pk=campaign_id))


@router.get("/nominations", response=NominationPage, summary="推荐对象")
def list_nominations(request: HttpRequest, campaign_id: int | None = None, page: int = 1) -> dict[str, Any]:
    scope = _viewer(request)
    campaign = selectors.campaign_get(scope=scope, pk=campaign_id) if campaign_id else None
    rows, count, number = paginate(selectors.nomination_list(scope=scope, campaign=campaign), page)
    return {"items": [nomination_out(n) for n in rows], "count": count, "page": number}


@router.get("/nominations/{nomination_id}", response=NominationOut, summary="一个推荐对象")
def get_nomination(request: HttpRequest, nomination_id: int) -> dict[str, Any]:
    return nomination_out(selectors.nomination_get(scope=_viewer(request), pk=nomination_id))


@router.post(
    "/nominations/{nomination_id}/review", response=NominationOut, summary="审核推荐对象（通过、退回、不予通过）"
)
def review_nomination(request: HttpRequest, nomination_id: int, body: ReviewIn) -> dict[str, Any]:
    scope = request_scope(request)
    nomination = selectors.nomination_get(scope=scope, pk=nomination_id)
    reviewed = services.nomination_review(
        actor=actor_of(request), scope=scope, nomination=nomination, decision=body.decision, reason=body.reason
    )
    return nomination_out(selectors.nomination_get(scope=scope, pk=reviewed.pk))


@router.get("/register", response=HonorPage, summary="荣誉登记（会员所获荣誉）")
def list_register(request: HttpRequest, year: int | None = None, kind: str = "", page: int = 1) -> dict[str, Any]:
    rows, count, number = paginate(selectors.register_list(scope=_viewer(request), year=year, kind=kind), page)
    return {"items": [honor_out(h) for h in rows], "count": count, "page": number}
