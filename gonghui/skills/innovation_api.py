"""`/api/v1/skills` (continued): innovation studios (list, detail, register, apply for a level), 五小 entries
(list, submit with the exclusions, review) and worker activities (list, publish, participations).

A studio applying for a level gets 201 with `granted` and, when refused, `unmet`: every criterion of
DOMAIN §6 it does not meet, in words. Another union's record is a 404; choices accept everyday words.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema, Status

from gonghui.core import words
from gonghui.core.api_common import paginate, request_scope
from gonghui.core.errors import DomainError, NotFoundError
from gonghui.core.money import fen_to_yuan
from gonghui.core.viewutils import actor_of
from gonghui.orgs.selectors import org_get
from gonghui.skills import innovation, selectors
from gonghui.skills.permissions import SkillsPerm

router = Router(tags=["skills"])


def _choice(table: str, value: str, field: str) -> str:
    """A code, its label or an everyday word of the registered table; an unknown word is refused by field,
    under the refusal code of the record it belongs to."""
    try:
        return words.match(table, value)
    except words.ChoiceError as exc:
        if table == "activity_kind":
            raise DomainError("skills.activity_invalid", field=field, reasons=str(exc)) from exc
        if table == "innovation_kind":
            raise DomainError("skills.innovation_invalid", field=field, reasons=str(exc)) from exc
        raise DomainError("skills.studio_invalid", field=field, reasons=str(exc)) from exc


class StudioIn(Schema):
    org: str
    name: str
    leader_name: str
    leader_honor: str  # code, label or everyday word (全国劳模, 工匠…)
    founded_on: date
    premises: str = ""
    equipment: str = ""
    members: int = 0
    members_promoted: int = 0
    has_rules: bool = False


class StudioOut(Schema):
    id: int
    org_code: str
    name: str
    leader_name: str
    leader_honor: str
    level: str
    founded_on: date
    members: int
    members_promoted: int


class ApplyIn(Schema):
    level: str  # 市级 / 省级 / 全国示范性, or city / province / national


class ApplicationOut(Schema):
    level: str
    applied_on: date
    granted: bool
    unmet: list[str]


class InnovationIn(Schema):
    org: str
    kind: str  # 小发明 / 小创造 / 小革新 / 小设计 / 小建议
    title: str
    authors: str
    year: int
    problem: str
    solution: str
    money_saved_fen: int = 0
    hours_saved: int = 0
    is_team: bool = False
    exclusions: dict[str, bool] = {}  # government_funded, already_awarded, secret_or_disputed


class InnovationOut(Schema):
    id: int
    org_code: str
    kind: str
    title: str
    authors: str
    year: int
    money_saved_yuan: str
    hours_saved: int
    status: str
    award: str


class ReviewIn(Schema):
    accept: bool
    note: str = ""
    award: str = ""


class ActivityIn(Schema):
    org: str
    name: str
    kind: str  # 文体 / 文化 / 志愿服务 / 劳模工匠宣讲
    held_on: date
    venue: str = ""
    capacity: int | None = None


class ActivityOut(Schema):
    id: int
    org_code: str
    name: str
    kind: str
    held_on: date
    venue: str
    signed_up: int
    participations: int


class Page(Schema):
    count: int
    page: int


class InnovationPage(Page):
    items: list[InnovationOut]


class ActivityPage(Page):
    items: list[ActivityOut]


def studio_out(s: Any) -> dict[str, Any]:
    return {
        "id": s.pk, "org_code": s.org.code, "name": s.name, "leader_name": s.leader_name,
        "leader_honor": s.leader_honor, "level": s.level, "founded_on": s.founded_on, "members": s.members,
        "members_promoted": s.members_promoted,
    }  # fmt: skip


def innovation_out(i: Any) -> dict[str, Any]:
    return {
        "id": i.pk, "org_code": i.org.code, "kind": i.kind, "title": i.title, "authors": i.authors, "year": i.year,
        "money_saved_yuan": fen_to_yuan(i.money_saved_fen), "hours_saved": i.hours_saved, "status": i.status,
        "award": i.award,
    }  # fmt: skip


@router.get("/studios", response=list[StudioOut], summary="劳模工匠创新工作室")
def list_studios(request: HttpRequest) -> list[dict[str, Any]]:
    return [studio_out(s) for s in selectors.studio_list(scope=request_scope(request))[:500]]


@router.post("/studios", response={201: StudioOut}, summary="登记创新工作室")
def create_studio(request: HttpRequest, body: StudioIn) -> Status[dict[str, Any]]:
    scope = request_scope(request)
    org = org_get(scope=scope, code=body.org, perm=SkillsPerm.MANAGE)
    data = body.dict(exclude={"org"})
    data["leader_honor"] = _choice("leader_honor", body.leader_honor, "leader_honor")
    s = innovation.studio_create(actor=actor_of(request), scope=scope, org=org, **data)
    return Status(201, studio_out(selectors.studio_get(scope=scope, pk=s.pk)))


@router.get("/studios/{studio_id}", response=StudioOut, summary="创新工作室详情")
def get_studio(request: HttpRequest, studio_id: int) -> dict[str, Any]:
    return studio_out(selectors.studio_get(scope=request_scope(request), pk=studio_id))


@router.post("/studios/{studio_id}/apply", response={201: ApplicationOut}, summary="申报级别（逐条核对条件）")
def apply_level(request: HttpRequest, studio_id: int, body: ApplyIn) -> Status[dict[str, Any]]:
    scope = request_scope(request)
    studio = selectors.studio_get(scope=scope, pk=studio_id)
    level = _choice("studio_level", body.level, "level")
    a = innovation.studio_apply(actor=actor_of(request), scope=scope, studio=studio, level=level)
    return Status(
        201, {"level": a.level, "applied_on": a.applied_on, "granted": bool(a.granted), "unmet": list(a.unmet)}
    )


@router.get("/innovations", response=InnovationPage, summary="五小成果（分页）")
def list_innovations(request: HttpRequest, year: int | None = None, page: int = 1) -> dict[str, Any]:
    items, count, number = paginate(selectors.innovation_list(scope=request_scope(request), year=year), page)
    return {"items": [innovation_out(i) for i in items], "count": count, "page": number}


@router.post("/innovations", response={201: InnovationOut}, summary="申报五小成果（核对不参评情形）")
def submit_innovation(request: HttpRequest, body: InnovationIn) -> Status[dict[str, Any]]:
    scope = request_scope(request)
    org = org_get(scope=scope, code=body.org, perm=SkillsPerm.MANAGE)
    data = body.dict(exclude={"org"})
    data["kind"] = _choice("innovation_kind", body.kind, "kind")
    entry = innovation.innovation_submit(actor=actor_of(request), scope=scope, org=org, **data)
    return Status(201, innovation_out(selectors.innovation_get(scope=scope, pk=entry.pk)))


@router.post("/innovations/{entry_id}/review", response=InnovationOut, summary="评审五小成果（通过、获奖或不通过）")
def review_innovation(request: HttpRequest, entry_id: int, body: ReviewIn) -> dict[str, Any]:
    scope = request_scope(request)
    entry = selectors.innovation_get(scope=scope, pk=entry_id)
    innovation.innovation_review(
        actor=actor_of(request), scope=scope, entry=entry, accept=body.accept, note=body.note, award=body.award
    )
    return innovation_out(selectors.innovation_get(scope=scope, pk=entry_id))


def activity_out(a: Any) -> dict[str, Any]:
    return {
        "id": a.pk, "org_code": a.org.code, "name": a.name, "kind": a.kind, "held_on": a.held_on, "venue": a.venue,
        "signed_up": a.signed_up, "participations": a.participations,
    }  # fmt: skip


@router.get("/activities", response=ActivityPage, summary="职工活动与参与人次（按签到）")
def list_activities(request: HttpRequest, page: int = 1) -> dict[str, Any]:
    items, count, number = paginate(selectors.activity_list(scope=request_scope(request)), page)
    return {"items": [activity_out(a) for a in items], "count": count, "page": number}


@router.post("/activities", response={201: ActivityOut}, summary="发布职工活动（生成签到二维码）")
def create_activity(request: HttpRequest, body: ActivityIn) -> Status[dict[str, Any]]:
    scope = request_scope(request)
    org = org_get(scope=scope, code=body.org, perm=SkillsPerm.MANAGE)
    data = body.dict(exclude={"org"})
    data["kind"] = _choice("activity_kind", body.kind, "kind")
    a = innovation.activity_create(actor=actor_of(request), scope=scope, org=org, **data)
    found = selectors.activity_list(scope=scope).filter(pk=a.pk).first()
    if found is None:
        raise NotFoundError()
    return Status(201, activity_out(found))
