"""`/api/v1/skills`: contests (create, list, detail), contestants (register), scores (a clerk's double entry),
the ranking and its winners.

Scores travel as strings ("87.5") and are kept to the cent. A contest outside the caller's
part of the tree, and a member the caller may not register, are a 404. Choices accept the
code, the label or an everyday word (level "市" is city).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from ninja import Router, Schema, Status

from gonghui.core import words
from gonghui.core.api_common import paginate, request_scope
from gonghui.core.errors import DomainError, NotFoundError
from gonghui.core.money import AmountError, fen_to_yuan, parse_yuan
from gonghui.core.scoping import require_perm_at, unscoped
from gonghui.core.viewutils import actor_of
from gonghui.honors.selectors import campaign_get
from gonghui.members.selectors import membership_get
from gonghui.notices.certificates import verification_url
from gonghui.notices.models import DayBasis
from gonghui.orgs.selectors import org_get
from gonghui.skills import results, selectors, services, training
from gonghui.skills.models import Contest, Entry
from gonghui.skills.permissions import SkillsPerm
from gonghui.skills.scoring import AWARD_LABELS

router = Router(tags=["skills"])


class ContestIn(Schema):
    org: str  # the holding union's code
    name: str
    trade: str
    level: str  # county / city / province, or 县级 / 市 / 省…
    held_on: date
    venue: str = ""
    theory_weight: int = 30
    practical_weight: int = 70
    judge_rule: str = "trimmed_mean"  # mean / trimmed_mean / median
    tie_break: str = "practical,theory"
    prizes: list[int] = [1, 2, 3]
    min_age: int | None = None
    max_age: int | None = None
    min_trade_years: int | None = None


class ItemOut(Schema):
    id: int
    name: str
    max_points: str


class EventOut(Schema):
    id: int
    name: str
    items: list[ItemOut]


class JudgeOut(Schema):
    id: int
    name: str
    enterprise: str


class ContestOut(Schema):
    id: int
    org_code: str
    org_name: str
    name: str
    trade: str
    level: str
    level_label: str
    held_on: date
    venue: str
    theory_weight: int
    practical_weight: int
    judge_rule: str
    tie_break: str
    prizes: list[int]
    min_age: int | None
    max_age: int | None
    min_trade_years: int | None
    status: str
    status_label: str


class ContestDetailOut(ContestOut):
    events: list[EventOut]
    judges: list[JudgeOut]


class ContestPage(Schema):
    items: list[ContestOut]
    count: int
    page: int


class EntryIn(Schema):
    event_id: int
    member_id: int  # the membership's id (/api/v1/members)
    trade_years: int
    enterprise: str = ""


class EntryOut(Schema):
    id: int
    number: int
    event_id: int
    event: str
    name: str
    org_code: str
    org_name: str
    enterprise: str
    trade_years: int
    age: int | None
    theory: str | None
    practical: str | None
    total: str | None
    rank: int | None
    award: str
    award_label: str
    award_note: str = ""
    certificate_id: int | None = None


class ScoreIn(Schema):
    entry_id: int
    value: str
    item_id: int | None = None  # with judge_id: one judge's score of one practical item; without: theory
    judge_id: int | None = None


class ScoresIn(Schema):
    event_id: int
    scores: list[ScoreIn]


class ScoresOut(Schema):
    changed: int


class RankOut(Schema):
    contestants: int


def _choice(table: str, value: str, field: str) -> str:
    try:
        return words.match(table, value)
    except words.ChoiceError as exc:
        raise DomainError("skills.contest_invalid", field=field, reasons=str(exc)) from exc


def contest_out(c: Contest, *, detail: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": c.pk,
        "org_code": c.org.code,
        "org_name": c.org.name,
        "name": c.name,
        "trade": c.trade,
        "level": c.level,
        "level_label": c.get_level_display(),
        "held_on": c.held_on,
        "venue": c.venue,
        "theory_weight": c.theory_weight,
        "practical_weight": c.practical_weight,
        "judge_rule": c.judge_rule,
        "tie_break": c.tie_break,
        "prizes": [c.first_prizes, c.second_prizes, c.third_prizes],
        "min_age": c.min_age,
        "max_age": c.max_age,
        "min_trade_years": c.min_trade_years,
        "status": c.status,
        "status_label": c.get_status_display(),
    }
    if detail:
        out["events"] = [
            {
                "id": e.pk,
                "name": e.name,
                "items": [{"id": i.pk, "name": i.name, "max_points": str(i.max_points)} for i in e.items.all()],
            }
            for e in selectors.event_list(contest=c)
        ]
        out["judges"] = [
            {"id": j.pk, "name": j.name, "enterprise": j.enterprise} for j in selectors.judge_list(contest=c)
        ]
    return out


def _points(value: Decimal | None) -> str | None:
    return str(value) if value is not None else None


def entry_out(e: Entry) -> dict[str, Any]:
    return {
        "id": e.pk,
        "number": e.number,
        "event_id": e.event_id,
        "event": e.event.name,
        "name": e.person.name,
        "org_code": e.org.code,
        "org_name": e.org.name,
        "enterprise": e.enterprise,
        "trade_years": e.trade_years,
        "age": e.age,
        "theory": _points(e.theory),
        "practical": _points(e.practical),
        "total": _points(e.total),
        "rank": e.rank,
        "award": e.award,
        "award_label": AWARD_LABELS.get(e.award, ""),
        "award_note": e.award_note,
        "certificate_id": e.certificate_id,
    }


@router.get("/contests", response=ContestPage, summary="技能竞赛（本级及下级举办的，以及上级举办、本工会可报名的）")
def list_contests(request: HttpRequest, status: str = "", page: int = 1) -> dict[str, Any]:
    rows, count, number = paginate(selectors.contest_list(scope=request_scope(request), status=status), page)
    return {"items": [contest_out(c) for c in rows], "count": count, "page": number}


@router.post(
    "/contests",
    response={201: ContestDetailOut},
    summary="举办技能竞赛（权重、裁判评分合成方式、同分规则、名额、报名条件）",
)
def create_contest(request: HttpRequest, body: ContestIn) -> Status[dict[str, Any]]:
    scope = request_scope(request)
    org = org_get(scope=scope, code=body.org)  # the service refuses (403) where the caller may not hold contests
    prizes = [*body.prizes, 0, 0, 0][:3]
    contest = services.contest_create(
        actor=actor_of(request),
        scope=scope,
        org=org,
        name=body.name,
        trade=body.trade,
        level=_choice("contest_level", body.level, "level"),
        held_on=body.held_on,
        venue=body.venue,
        theory_weight=body.theory_weight,
        practical_weight=body.practical_weight,
        judge_rule=_choice("contest_judge_rule", body.judge_rule, "judge_rule"),
        tie_break=_choice("contest_tie_break", body.tie_break, "tie_break"),
        prizes=(prizes[0], prizes[1], prizes[2]),
        min_age=body.min_age,
        max_age=body.max_age,
        min_trade_years=body.min_trade_years,
    )
    return Status(201, contest_out(selectors.contest_get(scope=scope, pk=contest.pk), detail=True))


@router.get("/contests/{contest_id}", response=ContestDetailOut, summary="竞赛详情（项目、实操考核内容、裁判）")
def get_contest(request: HttpRequest, contest_id: int) -> dict[str, Any]:
    return contest_out(selectors.contest_get(scope=request_scope(request), pk=contest_id), detail=True)


@router.get(
    "/contests/{contest_id}/entries", response=list[EntryOut], summary="参赛选手（主办工会看全部，报名工会看本工会的）"
)
def list_entries(request: HttpRequest, contest_id: int) -> list[dict[str, Any]]:
    scope = request_scope(request)
    contest = selectors.contest_get(scope=scope, pk=contest_id)
    return [entry_out(e) for e in selectors.entry_list(scope=scope, contest=contest)[:2000]]


@router.post("/contests/{contest_id}/entries", response={201: EntryOut}, summary="报名参赛（按竞赛的报名条件核对）")
def register_entry(request: HttpRequest, contest_id: int, body: EntryIn) -> Status[dict[str, Any]]:
    scope = request_scope(request)
    contest = selectors.contest_get(scope=scope, pk=contest_id)
    membership = membership_get(scope=scope, pk=body.member_id, perm=SkillsPerm.REGISTER)
    entry = services.entry_register(
        actor=actor_of(request),
        scope=scope,
        contest=contest,
        event=selectors.event_get(contest=contest, pk=body.event_id),
        membership=membership,
        trade_years=body.trade_years,
        enterprise=body.enterprise,
    )
    return Status(201, entry_out(selectors.entry_list(scope=scope, contest=contest).get(pk=entry.pk)))


@router.post(
    "/contests/{contest_id}/scores", response=ScoresOut, summary="录入成绩（双人录入：一致才计入，不一致待裁定）"
)
def enter_scores(request: HttpRequest, contest_id: int, body: ScoresIn) -> dict[str, Any]:
    scope = request_scope(request)
    contest = selectors.contest_get(scope=scope, pk=contest_id)
    event = selectors.event_get(contest=contest, pk=body.event_id)
    cells = [
        services.ScoreCell(
            field=f"scores.{i}", entry_id=s.entry_id, raw=s.value, item_id=s.item_id, judge_id=s.judge_id
        )
        for i, s in enumerate(body.scores)
    ]
    changed = services.scores_enter(actor=actor_of(request), scope=scope, event=event, cells=cells)
    return {"changed": changed}


@router.post(
    "/contests/{contest_id}/rank", response=RankOut, summary="排名定奖（有缺失或不一致的成绩时拒绝并列出原因）"
)
def rank_contest(request: HttpRequest, contest_id: int) -> dict[str, Any]:
    scope = request_scope(request)
    contest = selectors.contest_get(scope=scope, pk=contest_id)
    return {"contestants": services.contest_rank(actor=actor_of(request), scope=scope, contest=contest)}


@router.get("/contests/{contest_id}/ranking", response=list[EntryOut], summary="成绩排名与奖项（按项目、名次）")
def get_ranking(request: HttpRequest, contest_id: int) -> list[dict[str, Any]]:
    scope = request_scope(request)
    contest = selectors.contest_get(scope=scope, pk=contest_id)
    return [entry_out(e) for e in selectors.ranking(scope=scope, contest=contest)]


@router.get("/contests/{contest_id}/winners", response=list[EntryOut], summary="获奖选手（供公示和获奖证书使用）")
def get_winners(request: HttpRequest, contest_id: int) -> list[dict[str, Any]]:
    scope = request_scope(request)
    contest = selectors.contest_get(scope=scope, pk=contest_id)
    return [entry_out(e) for e in selectors.contest_winners(scope=scope, contest=contest)]


class ItemIn(Schema):
    name: str
    max_points: str


class EventIn(Schema):
    name: str
    items: list[ItemIn] = []  # empty: one practical item of 100


class JudgeIn(Schema):
    name: str
    enterprise: str


class ResolveIn(Schema):
    value: str
    note: str


class ScoreOut(Schema):
    id: int
    entry_id: int
    slot: str
    state: str
    value: str | None


def _items(items: list[ItemIn]) -> list[tuple[str, Decimal]]:
    out = []
    for i, item in enumerate(items):
        try:
            out.append((item.name, Decimal(item.max_points)))
        except ArithmeticError as exc:
            raise DomainError("skills.event_invalid", field=f"items.{i}", reasons="满分应为数字") from exc
    return out


@router.post(
    "/contests/{contest_id}/events",
    response={201: ContestDetailOut},
    summary="添加比赛项目（实操考核内容满分合计 100）",
)
def add_event(request: HttpRequest, contest_id: int, body: EventIn) -> Status[dict[str, Any]]:
    scope = request_scope(request)
    contest = selectors.contest_get(scope=scope, pk=contest_id)
    services.event_add(
        actor=actor_of(request), scope=scope, contest=contest, name=body.name, items=_items(body.items) or None
    )
    return Status(201, contest_out(selectors.contest_get(scope=scope, pk=contest_id), detail=True))


@router.post("/contests/{contest_id}/judges", response={201: ContestDetailOut}, summary="添加裁判（回避本单位选手）")
def add_judge(request: HttpRequest, contest_id: int, body: JudgeIn) -> Status[dict[str, Any]]:
    scope = request_scope(request)
    contest = selectors.contest_get(scope=scope, pk=contest_id)
    services.judge_add(
        actor=actor_of(request), scope=scope, contest=contest, name=body.name, enterprise=body.enterprise
    )
    return Status(201, contest_out(selectors.contest_get(scope=scope, pk=contest_id), detail=True))


@router.get("/contests/{contest_id}/mismatches", response=list[ScoreOut], summary="两次录入不一致的成绩（审核人）")
def list_mismatches(request: HttpRequest, contest_id: int) -> list[dict[str, Any]]:
    scope = request_scope(request)
    contest = selectors.contest_get(scope=scope, pk=contest_id)
    return [
        {"id": s.pk, "entry_id": s.entry_id, "slot": s.slot, "state": s.state, "value": _points(s.value)}
        for s in selectors.mismatches(scope=scope, contest=contest)
    ]


@router.post(
    "/contests/{contest_id}/scores/{score_id}/resolve", response=ScoreOut, summary="裁定不一致的成绩（写明依据）"
)
def resolve_score(request: HttpRequest, contest_id: int, score_id: int, body: ResolveIn) -> dict[str, Any]:
    scope = request_scope(request)
    contest = selectors.contest_get(scope=scope, pk=contest_id)
    require_perm_at(scope, SkillsPerm.RESOLVE, contest.org_path)  # the contest is seen: a 403, as elsewhere
    score = selectors.score_get(scope=scope, contest=contest, pk=score_id)
    s = services.score_resolve(actor=actor_of(request), scope=scope, score=score, value=body.value, note=body.note)
    return {"id": s.pk, "entry_id": s.entry_id, "slot": s.slot, "state": s.state, "value": _points(s.value)}


# --- after the ranking: the results' 公示, certificates, recommendation; withdrawal ------------------


class PublishIn(Schema):
    days: int = 5
    day_basis: str = "working"  # working or calendar (工作日, 自然日)


class CertificatesIn(Schema):
    entry_ids: list[int] | None = None  # none: every final winner without a certificate


class CertificateOut(Schema):
    serial: str
    holder_name: str
    title: str
    pdf_url: str
    verify_url: str


class WithdrawIn(Schema):
    reason: str = ""


class RecommendIn(Schema):
    campaign_id: int  # an open honors campaign (/api/v1/honors/campaigns)
    deeds: str = ""  # blank: the contest result


class RecommendOut(Schema):
    nomination_id: int
    campaign_id: int
    status: str


def _entry(scope: Any, contest: Contest, entry_id: int) -> Entry:
    entry = selectors.entry_list(scope=scope, contest=contest).filter(pk=entry_id).first()
    if entry is None:
        raise NotFoundError()
    return entry


@router.post("/contests/{contest_id}/publish", response=ContestOut, summary="公示获奖名单（共享公示，默认 5 个工作日）")
def publish_results(request: HttpRequest, contest_id: int, body: PublishIn) -> dict[str, Any]:
    scope = request_scope(request)
    contest = selectors.contest_get(scope=scope, pk=contest_id)
    day_basis = {"工作日": "working", "自然日": "calendar"}.get(body.day_basis, body.day_basis)
    if day_basis not in DayBasis.values:
        raise DomainError("skills.contest_invalid", field="day_basis", reasons="计日方式应为工作日或自然日")
    results.results_publish(actor=actor_of(request), scope=scope, contest=contest, days=body.days, day_basis=day_basis)
    return contest_out(selectors.contest_get(scope=scope, pk=contest_id))


@router.post(
    "/contests/{contest_id}/close", response=ContestOut, summary="结束公示，确认获奖结果（公示期满、异议处理完毕）"
)
def close_results(request: HttpRequest, contest_id: int) -> dict[str, Any]:
    scope = request_scope(request)
    contest = selectors.contest_get(scope=scope, pk=contest_id)
    results.results_close(actor=actor_of(request), scope=scope, contest=contest)
    return contest_out(selectors.contest_get(scope=scope, pk=contest_id))


@router.post(
    "/contests/{contest_id}/certificates",
    response={201: list[CertificateOut]},
    summary="为获奖选手颁发证书（PDF，附核验二维码）",
)
def issue_certificates(request: HttpRequest, contest_id: int, body: CertificatesIn) -> Status[list[dict[str, Any]]]:
    scope = request_scope(request)
    contest = selectors.contest_get(scope=scope, pk=contest_id)
    only = [_entry(scope, contest, pk) for pk in body.entry_ids] if body.entry_ids is not None else None
    issued = results.certificates_for(actor=actor_of(request), scope=scope, contest=contest, entries=only)
    base = request.build_absolute_uri("/")
    return Status(
        201,
        [
            {
                "serial": c.serial,
                "holder_name": c.holder_name,
                "title": c.title,
                "pdf_url": request.build_absolute_uri(reverse("notices:certificates_pdf")) + f"?id={c.pk}",
                "verify_url": verification_url(c, base),
            }
            for c in issued
        ],
    )


@router.post(
    "/contests/{contest_id}/entries/{entry_id}/withdraw", response=EntryOut, summary="选手退赛（录入成绩之前）"
)
def withdraw_entry(request: HttpRequest, contest_id: int, entry_id: int, body: WithdrawIn) -> dict[str, Any]:
    scope = request_scope(request)
    contest = selectors.contest_get(scope=scope, pk=contest_id)
    entry = results.entry_withdraw(
        actor=actor_of(request), scope=scope, entry=_entry(scope, contest, entry_id), reason=body.reason
    )
    with unscoped():
        return entry_out(Entry.all_objects.select_related("person", "org", "event").get(pk=entry.pk))


@router.post(
    "/contests/{contest_id}/entries/{entry_id}/recommend",
    response={201: RecommendOut},
    summary="推荐获奖选手参加荣誉评选（如五一劳动奖章），以竞赛成绩为事迹",
)
def recommend_entry(request: HttpRequest, contest_id: int, entry_id: int, body: RecommendIn) -> Status[dict[str, Any]]:
    scope = request_scope(request)
    contest = selectors.contest_get(scope=scope, pk=contest_id)
    entry = _entry(scope, contest, entry_id)
    campaign = campaign_get(scope=scope, pk=body.campaign_id)
    done = results.winner_recommend(
        actor=actor_of(request), scope=scope, entry=entry, campaign=campaign, deeds=body.deeds
    )
    nomination = done.nomination
    if nomination is None:  # the service sets it or refuses
        raise NotFoundError()
    return Status(201, {"nomination_id": nomination.pk, "campaign_id": campaign.pk, "status": nomination.status})


# --- training ---------------------------------------------------------------------------------------


class ClassOut(Schema):
    id: int
    org_code: str
    org_name: str
    name: str
    teacher: str
    teacher_title: str
    starts_on: date
    ends_on: date
    capacity: int
    enrolled: int
    waiting: int
    status: str


class EnrolmentOut(Schema):
    id: int
    name: str
    id_masked: str
    member: bool
    status: str
    status_label: str
    income_before: str | None
    income_after: str | None


class ClassDetailOut(ClassOut):
    enrolments: list[EnrolmentOut]


class EnrolIn(Schema):
    member_id: int | None = None  # a member (the membership's id); or, for anyone else, the ID number and name
    id_number: str = ""
    name: str = ""
    mobile: str = ""
    income_before: str = ""  # yuan a year


def class_out(c: Any) -> dict[str, Any]:
    return {
        "id": c.pk,
        "org_code": c.org.code,
        "org_name": c.org.name,
        "name": c.name,
        "teacher": c.teacher,
        "teacher_title": c.teacher_title,
        "starts_on": c.starts_on,
        "ends_on": c.ends_on,
        "capacity": c.capacity,
        "enrolled": c.enrolled,
        "waiting": c.waiting,
        "status": c.status,
    }


def enrolment_out(e: Any) -> dict[str, Any]:
    return {
        "id": e.pk,
        "name": e.name,
        "id_masked": e.id_masked,
        "member": e.membership_id is not None,
        "status": e.status,
        "status_label": e.get_status_display(),
        "income_before": fen_to_yuan(e.income_before_fen) if e.income_before_fen is not None else None,
        "income_after": fen_to_yuan(e.income_after_fen) if e.income_after_fen is not None else None,
    }


@router.get("/classes", response=list[ClassOut], summary="技能培训班（最近 500 个）")
def list_classes(request: HttpRequest) -> list[dict[str, Any]]:
    return [class_out(c) for c in selectors.class_list(scope=request_scope(request))[:500]]


@router.get("/classes/{class_id}", response=ClassDetailOut, summary="培训班详情与学员（证件号码脱敏）")
def get_class(request: HttpRequest, class_id: int) -> dict[str, Any]:
    scope = request_scope(request)
    c = selectors.class_get(scope=scope, pk=class_id)
    return {
        **class_out(c),
        "enrolments": [enrolment_out(e) for e in selectors.enrolment_list(scope=scope, training_class=c)],
    }


@router.post("/classes/{class_id}/enrolments", response={201: EnrolmentOut}, summary="培训报名（满员进入候补）")
def enrol(request: HttpRequest, class_id: int, body: EnrolIn) -> Status[dict[str, Any]]:
    scope = request_scope(request)
    c = selectors.class_get(scope=scope, pk=class_id)
    membership = (
        membership_get(scope=scope, pk=body.member_id, perm=SkillsPerm.TRAINING_MANAGE) if body.member_id else None
    )
    income = None
    if body.income_before.strip():
        try:
            income = parse_yuan(body.income_before, allow_zero=True)
        except AmountError as exc:
            raise DomainError(
                "skills.enrolment_invalid", field="income_before", reasons="年收入应为金额（元）"
            ) from exc
    e = training.enrolment_add(
        actor=actor_of(request),
        scope=scope,
        training_class=c,
        membership=membership,
        id_number=body.id_number,
        name=body.name,
        mobile=body.mobile,
        income_before_fen=income,
    )
    return Status(201, enrolment_out(selectors.enrolment_get(scope=scope, training_class=c, pk=e.pk)))
