"""`/api/v1/honors`: campaigns, nominations (with their review), the register, lecture tours.

Scoped: a foreign id is a 404."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema, Status

from gonghui.core.api_common import paginate, request_scope
from gonghui.core.errors import DomainError, PermissionDeniedError
from gonghui.core.viewutils import actor_of
from gonghui.honors import lectures, selectors, services
from gonghui.honors.models import Campaign, HonorHeld, Lecture, Nomination
from gonghui.honors.permissions import HonorPerm
from gonghui.members.selectors import active_member_by_key
from gonghui.orgs.selectors import org_get

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


# --- lecture tours (劳模工匠宣讲) ---------------------------------------------------------------------


class LectureOut(Schema):
    id: int
    speaker_id: int
    speaker_name: str
    org_code: str
    org_name: str
    host: str
    held_on: date
    place: str
    topic: str
    audience: int


class LecturePage(Schema):
    items: list[LectureOut]
    count: int
    page: int
    lectures: int
    audience: int


class LectureIn(Schema):
    speaker: str = ""  # 会员编号 or ID number; not read when correcting a lecture
    org_code: str
    held_on: date
    place: str
    audience: int
    topic: str = ""
    host: str = ""


class SpeakerOut(Schema):
    person_id: int
    name: str
    honors: list[HonorOut]
    lectures: list[LectureOut]
    total_lectures: int
    total_audience: int


def lecture_out(lecture: Lecture) -> dict[str, Any]:
    return {
        "id": lecture.pk,
        "speaker_id": lecture.speaker_id,
        "speaker_name": lecture.speaker_name,
        "org_code": lecture.org.code,
        "org_name": lecture.org.name,
        "host": lecture.host,
        "held_on": lecture.held_on,
        "place": lecture.place,
        "topic": lecture.topic,
        "audience": lecture.audience,
    }


def _host(scope: Any, code: str) -> Any:
    try:
        return org_get(scope=scope, code=code.strip().upper())
    except DomainError as exc:
        raise DomainError("org.not_in_scope", field="org_code") from exc


def _facts(body: LectureIn) -> lectures.LectureIn:
    return lectures.LectureIn(
        held_on=body.held_on, place=body.place, audience=body.audience, topic=body.topic, host=body.host
    )


@router.get("/lectures", response=LecturePage, summary="劳模工匠宣讲（可按年度、工会、宣讲人、日期筛选）")
def list_lectures(
    request: HttpRequest,
    year: int | None = None,
    org_code: str = "",
    speaker: str = "",
    since: date | None = None,
    until: date | None = None,
    page: int = 1,
) -> dict[str, Any]:
    scope = _viewer(request)
    org_path = _host(scope, org_code).path if org_code else ""
    filters = selectors.LectureFilter(year=year, org_path=org_path, speaker=speaker, since=since, until=until)
    qs = selectors.lecture_list(scope=scope, filters=filters)
    rows, count, number = paginate(qs, page)
    totals = selectors.lecture_totals(qs)
    return {"items": [lecture_out(x) for x in rows], "count": count, "page": number, **totals}


@router.post("/lectures", response={201: LectureOut}, summary="登记劳模工匠宣讲")
def create_lecture(request: HttpRequest, body: LectureIn) -> Status[dict[str, Any]]:
    scope = request_scope(request)
    membership = active_member_by_key(scope=scope, key=body.speaker, perm=HonorPerm.VIEW)
    if membership is None:
        raise DomainError("honors.speaker_not_found", field="speaker")
    lecture = lectures.lecture_record(
        actor=actor_of(request),
        scope=scope,
        org=_host(scope, body.org_code),
        speaker_id=membership.person_id,
        facts=_facts(body),
    )
    return Status(201, lecture_out(selectors.lecture_get(scope=scope, pk=lecture.pk)))


@router.get("/lectures/{lecture_id}", response=LectureOut, summary="一次宣讲")
def get_lecture(request: HttpRequest, lecture_id: int) -> dict[str, Any]:
    return lecture_out(selectors.lecture_get(scope=_viewer(request), pk=lecture_id))


@router.put("/lectures/{lecture_id}", response=LectureOut, summary="修改宣讲记录（宣讲人不变）")
def update_lecture(request: HttpRequest, lecture_id: int, body: LectureIn) -> dict[str, Any]:
    scope = request_scope(request)
    lecture = selectors.lecture_get(scope=scope, pk=lecture_id)
    lectures.lecture_update(
        actor=actor_of(request), scope=scope, lecture=lecture, org=_host(scope, body.org_code), facts=_facts(body)
    )
    return lecture_out(selectors.lecture_get(scope=scope, pk=lecture_id))


@router.get("/speakers/{person_id}", response=SpeakerOut, summary="宣讲人的荣誉和宣讲记录")
def get_speaker(request: HttpRequest, person_id: int) -> dict[str, Any]:
    history = selectors.speaker_history(scope=_viewer(request), person_id=person_id)
    return {
        "person_id": person_id,
        "name": history["name"],
        "honors": [honor_out(h) for h in history["honors"]],
        "lectures": [lecture_out(x) for x in history["lectures"]],
        "total_lectures": history["totals"]["lectures"],
        "total_audience": history["totals"]["audience"],
    }
