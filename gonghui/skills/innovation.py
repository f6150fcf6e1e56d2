"""Innovation studios (劳模工匠创新工作室), 五小 entries and worker activities: their writes and checks.

Studios: a studio applies for a level and the criteria of that level (DOMAIN §6, Shaanxi's as defaults;
`StudioCriteria` rows override them) are checked from its own records — leader's honour, years running,
premises, equipment, funds and rules, results with a benefit, exchange and training sessions in the last
year, members promoted. `studio_criteria_unmet` is a pure function of those facts.

五小: an entry states its problem, solution and benefit; the exclusions (government-funded, already awarded
elsewhere, secret or in an IP dispute, a past winner — the same title awarded before in the same subtree)
refuse it with every reason at once. Review then award.

Activities: participations are counted from check-ins (the activity's QR code names it), never typed.
Every write is audited.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from gonghui.accounts.models import User
from gonghui.core.audit import audit_record
from gonghui.core.errors import DomainError, joined
from gonghui.core.scoping import Scope, require_perm_at, subtree_q, unscoped
from gonghui.members.models import Membership, MembershipStatus
from gonghui.orgs.models import Org
from gonghui.skills import errors as _errors  # noqa: F401  (registers messages)
from gonghui.skills.models import (
    Activity,
    ActivityKind,
    ActivitySignup,
    Innovation,
    InnovationKind,
    InnovationStatus,
    LeaderHonor,
    Studio,
    StudioApplication,
    StudioCriteria,
    StudioLevel,
    StudioResult,
    StudioSession,
)
from gonghui.skills.permissions import SkillsPerm

HIGH_HONORS = [
    LeaderHonor.NATIONAL_MODEL,
    LeaderHonor.NATIONAL_MEDAL,
    LeaderHonor.PROVINCIAL_MODEL,
    LeaderHonor.PROVINCIAL_MEDAL,
    LeaderHonor.CRAFTSMAN,
]
DEFAULT_CRITERIA = {
    StudioLevel.CITY: {"leader_honors": [*HIGH_HONORS, LeaderHonor.CITY_MODEL], "award_fen": 0},
    StudioLevel.PROVINCE: {"leader_honors": HIGH_HONORS, "award_fen": 30_000_00},
    StudioLevel.NATIONAL: {"leader_honors": HIGH_HONORS, "award_fen": 0},
}
EXCLUSIONS = {
    "government_funded": "政府财政资金资助的项目不参加评选",
    "already_awarded": "已获得其他奖励的成果不参加评选",
    "secret_or_disputed": "涉密或存在知识产权争议的成果不参加评选",
}


def _audit(actor: User | None, action: str, org: Org, target: Any = None, **data: Any) -> None:
    audit_record(actor=actor, action=f"skills.{action}", org=org, target=target, data=data)


def _org(org: Org) -> Org:
    with unscoped():
        org = Org.all_objects.get(pk=org.pk)
    if org.closed_on is not None:
        raise DomainError("skills.org_closed", org=org.name)
    return org


# --- studios ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StudioFacts:
    leader_honor: str
    years_running: int
    premises: bool
    equipment: bool
    funds: bool
    rules: bool
    results_with_benefit: int
    sessions_last_year: int
    members_promoted: int


def criteria_for(level: str) -> StudioCriteria:
    """The level's criteria: its row, or DOMAIN §6's defaults."""
    found = StudioCriteria.objects.filter(level=level).first()
    return found or StudioCriteria(level=level, **DEFAULT_CRITERIA[StudioLevel(level)])


def studio_criteria_unmet(facts: StudioFacts, criteria: StudioCriteria) -> list[str]:
    """Why a studio does not meet a level's criteria (empty: it does)."""
    unmet = []
    if facts.leader_honor not in criteria.leader_honors:
        unmet.append("领办人须为省部级以上劳动模范、五一劳动奖章获得者或工匠")
    if facts.years_running < criteria.min_years:
        unmet.append(f"运行 {facts.years_running} 年，不足 {criteria.min_years} 年")
    missing = [n for n, ok in (("固定场所", facts.premises), ("设备", facts.equipment), ("经费", facts.funds),
                               ("管理制度", facts.rules)) if not ok]  # fmt: skip
    if missing:
        unmet.append("缺少" + "、".join(missing))
    if facts.results_with_benefit < criteria.min_results:
        unmet.append(f"有经济效益的成果 {facts.results_with_benefit} 项，不足 {criteria.min_results} 项")
    if facts.sessions_last_year < criteria.min_sessions_a_year:
        unmet.append(f"近一年交流培训 {facts.sessions_last_year} 次，不足 {criteria.min_sessions_a_year} 次")
    if facts.members_promoted < criteria.min_promoted:
        unmet.append(f"成员晋升 {facts.members_promoted} 人，不足 {criteria.min_promoted} 人")
    return unmet


def studio_facts(studio: Studio, on: date) -> StudioFacts:
    years = on.year - studio.founded_on.year - ((on.month, on.day) < (studio.founded_on.month, studio.founded_on.day))
    return StudioFacts(
        leader_honor=studio.leader_honor,
        years_running=years,
        premises=bool(studio.premises.strip()),
        equipment=bool(studio.equipment.strip()),
        funds=studio.funds_fen > 0,
        rules=studio.has_rules,
        results_with_benefit=studio.results.filter(benefit_fen__gt=0).count(),
        sessions_last_year=studio.sessions.filter(held_on__gt=on - timedelta(days=365), held_on__lte=on).count(),
        members_promoted=studio.members_promoted,
    )


def studio_create(
    *, actor: User | None, scope: Scope | None, org: Org, name: str, leader_name: str, leader_honor: str,
    founded_on: date, **details: Any,
) -> Studio:  # fmt: skip
    """A union registers its studio (premises, equipment, funds, rules, members as `details`)."""
    require_perm_at(scope, SkillsPerm.MANAGE, org.path)
    errors: dict[str, str] = {}
    if not name.strip():
        errors["name"] = "请填写工作室名称"
    if not leader_name.strip():
        errors["leader_name"] = "请填写领办人"
    if leader_honor not in LeaderHonor.values:
        errors["leader_honor"] = "领办人荣誉不在代码表中"
    if errors:
        raise DomainError("skills.studio_invalid", details=errors, reasons=joined(errors))
    with transaction.atomic(), unscoped():
        org = _org(org)
        if Studio.objects.filter(org=org, name=name.strip()).exists():
            raise DomainError("skills.studio_invalid", field="name", reasons=f"本工会已有工作室“{name.strip()}”")
        studio = Studio(
            org=org, org_path=org.path, name=name.strip(), leader_name=leader_name.strip(), leader_honor=leader_honor,
            founded_on=founded_on, **details,
        )  # fmt: skip
        studio.save(force_insert=True)
        _audit(actor, "studio.create", org, studio, name=studio.name)
    return studio


def studio_apply(
    *, actor: User | None, scope: Scope | None, studio: Studio, level: str, on: date | None = None
) -> StudioApplication:
    """A studio applies for a level; the criteria are checked from its records and kept with the application.

    The level is granted at once when every criterion is met; otherwise the application records what
    is missing and the studio keeps its level.
    """
    require_perm_at(scope, SkillsPerm.MANAGE, studio.org_path)
    if level not in StudioLevel.values:
        raise DomainError("skills.studio_invalid", field="level", reasons="级别应为市级、省级或全国示范性")
    on = on or timezone.localdate()
    with transaction.atomic(), unscoped():
        studio = Studio.all_objects.select_for_update().get(pk=studio.pk)
        unmet = studio_criteria_unmet(studio_facts(studio, on), criteria_for(level))
        application = StudioApplication.objects.create(
            studio=studio, level=level, applied_on=on, unmet=unmet, granted=not unmet
        )
        if not unmet:
            studio.level = level
            studio.save(update_fields=["level"])
        _audit(actor, "studio.apply", Org.all_objects.get(pk=studio.org_id), studio, level=level, unmet=len(unmet))
    return application


def studio_result_add(
    *, actor: User | None, scope: Scope | None, studio: Studio, title: str, year: int, benefit_fen: int
) -> StudioResult:
    """A project's result with its benefit (counted for a level when the benefit is above zero)."""
    require_perm_at(scope, SkillsPerm.MANAGE, studio.org_path)
    errors: dict[str, str] = {}
    if not title.strip():
        errors["title"] = "请填写成果名称"
    if not 1990 <= year <= timezone.localdate().year:
        errors["year"] = "年度不对"
    if benefit_fen < 0:
        errors["benefit"] = "经济效益不能为负数"
    if errors:
        raise DomainError("skills.studio_invalid", details=errors, reasons=joined(errors))
    with transaction.atomic(), unscoped():
        result = StudioResult.objects.create(studio=studio, title=title.strip(), year=year, benefit_fen=benefit_fen)
        _audit(actor, "studio.result_add", Org.all_objects.get(pk=studio.org_id), studio, title=result.title)
    return result


def studio_session_add(
    *, actor: User | None, scope: Scope | None, studio: Studio, held_on: date, title: str
) -> StudioSession:
    """An exchange or training session the studio held (criteria count those of the last year)."""
    require_perm_at(scope, SkillsPerm.MANAGE, studio.org_path)
    errors: dict[str, str] = {}
    if not title.strip():
        errors["title"] = "请填写交流培训的内容"
    if held_on > timezone.localdate():
        errors["held_on"] = "只能登记已经举办的交流培训"
    if errors:
        raise DomainError("skills.studio_invalid", details=errors, reasons=joined(errors))
    with transaction.atomic(), unscoped():
        row = StudioSession.objects.create(studio=studio, held_on=held_on, title=title.strip())
        _audit(actor, "studio.session_add", Org.all_objects.get(pk=studio.org_id), studio, title=row.title)
    return row


def studio_review(
    *, actor: User | None, scope: Scope | None, studio: Studio, on: date | None = None
) -> StudioApplication:
    """The yearly review: the criteria of the level the studio holds, checked again from its records and kept
    (as an application for its own level). A studio that no longer meets them keeps its level until the
    union decides; the review lists what is missing."""
    require_perm_at(scope, SkillsPerm.MANAGE, studio.org_path)
    if not studio.level:
        raise DomainError("skills.studio_invalid", field="level", reasons="工作室尚未认定级别，无需年度考核")
    on = on or timezone.localdate()
    with transaction.atomic(), unscoped():
        studio = Studio.all_objects.select_for_update().get(pk=studio.pk)
        unmet = studio_criteria_unmet(studio_facts(studio, on), criteria_for(studio.level))
        review = StudioApplication.objects.create(
            studio=studio, level=studio.level, applied_on=on, unmet=unmet, granted=not unmet
        )
        _audit(actor, "studio.review", Org.all_objects.get(pk=studio.org_id), studio, level=studio.level,
               unmet=len(unmet))  # fmt: skip
    return review


# --- 五小 ------------------------------------------------------------------------------------------


def title_key(title: str) -> str:
    return re.sub(r"[\s\W_]+", "", title).casefold()


def innovation_submit(
    *, actor: User | None, scope: Scope | None, org: Org, kind: str, title: str, authors: str, year: int,
    problem: str, solution: str, money_saved_fen: int = 0, hours_saved: int = 0, is_team: bool = False,
    exclusions: dict[str, bool] | None = None,
) -> Innovation:  # fmt: skip
    """A worker's or team's 五小 entry; refused with every exclusion and missing field at once."""
    require_perm_at(scope, SkillsPerm.REGISTER, org.path)
    errors: dict[str, str] = {}
    if kind not in InnovationKind.values:
        errors["kind"] = "类别应为小发明、小创造、小革新、小设计或小建议"
    given = {"title": (title, "名称"), "authors": (authors, "完成人"), "problem": (problem, "解决的问题")}
    given["solution"] = (solution, "方法")
    for field, (value, label) in given.items():
        if not value.strip():
            errors[field] = f"请填写{label}"
    for flag, reason in EXCLUSIONS.items():
        if (exclusions or {}).get(flag):
            errors[flag] = reason
    with transaction.atomic(), unscoped():
        org = _org(org)
        key = title_key(title)
        if (
            key
            and Innovation.objects.filter(
                subtree_q("org_path", org.path), title_key=key, status=InnovationStatus.AWARDED
            ).exists()
        ):
            errors["title"] = "该成果往届已获奖，不能再次参评"
        if errors:
            raise DomainError("skills.innovation_invalid", details=errors, reasons=joined(errors))
        entry = Innovation(
            org=org, org_path=org.path, kind=kind, title=title.strip(), title_key=key, authors=authors.strip(),
            is_team=is_team, year=year, problem=problem.strip(), solution=solution.strip(),
            money_saved_fen=money_saved_fen, hours_saved=hours_saved,
        )  # fmt: skip
        entry.save(force_insert=True)
        _audit(actor, "innovation.submit", org, entry, title=entry.title, kind=kind)
    return entry


def innovation_review(
    *, actor: User | None, scope: Scope | None, entry: Innovation, accept: bool, note: str = "", award: str = ""
) -> Innovation:
    """Review a submitted entry (accept or not, with a note); an accepted one may be awarded at once or later."""
    require_perm_at(scope, SkillsPerm.RESOLVE, entry.org_path)
    with transaction.atomic(), unscoped():
        entry = Innovation.all_objects.select_for_update().get(pk=entry.pk)
        allowed = {InnovationStatus.SUBMITTED} if not award else {InnovationStatus.SUBMITTED, InnovationStatus.ACCEPTED}
        if entry.status not in allowed or (award and not accept):
            raise DomainError("skills.innovation_wrong_status", state=entry.get_status_display())
        if not accept and not note.strip():
            raise DomainError("skills.innovation_invalid", field="note", reasons="未通过的须写明评审意见")
        entry.status = (
            InnovationStatus.AWARDED if award else InnovationStatus.ACCEPTED if accept else InnovationStatus.REJECTED
        )
        entry.award, entry.review_note = award.strip(), note.strip()
        entry.save(update_fields=["status", "award", "review_note"])
        _audit(actor, "innovation.review", Org.all_objects.get(pk=entry.org_id), entry, status=entry.status)
    return entry


# --- activities ------------------------------------------------------------------------------------


def activity_create(
    *, actor: User | None, scope: Scope | None, org: Org, name: str, kind: str, held_on: date, venue: str = "",
    capacity: int | None = None,
) -> Activity:  # fmt: skip
    """A union's activity, with a check-in code of its own (its QR code)."""
    require_perm_at(scope, SkillsPerm.MANAGE, org.path)
    errors: dict[str, str] = {}
    if not name.strip():
        errors["name"] = "请填写活动名称"
    if kind not in ActivityKind.values:
        errors["kind"] = "类别应为文体、文化、志愿服务或劳模工匠宣讲"
    if capacity is not None and capacity < 1:
        errors["capacity"] = "人数上限至少为 1"
    if errors:
        raise DomainError("skills.activity_invalid", details=errors, reasons=joined(errors))
    with transaction.atomic(), unscoped():
        org = _org(org)
        activity = Activity(
            org=org, org_path=org.path, name=name.strip(), kind=kind, held_on=held_on, venue=venue.strip(),
            capacity=capacity, checkin_code=secrets.token_urlsafe(16),
        )  # fmt: skip
        activity.save(force_insert=True)
        _audit(actor, "activity.create", org, activity, name=activity.name)
    return activity


def activity_signup(*, actor: User | None, activity: Activity, membership: Membership) -> ActivitySignup:
    """A member signs up (from their phone: `actor` is their account); full or twice is refused."""
    with transaction.atomic(), unscoped():
        activity = Activity.all_objects.select_for_update().get(pk=activity.pk)
        if membership.status != MembershipStatus.ACTIVE:
            raise DomainError("skills.not_active_member")
        if not membership.org_path.startswith(activity.org_path):
            raise DomainError("skills.activity_not_under", org=Org.all_objects.get(pk=activity.org_id).name)
        taken = ActivitySignup.objects.filter(activity=activity).count()
        if activity.capacity is not None and taken >= activity.capacity:
            raise DomainError("skills.activity_full", name=activity.name)
        try:
            with transaction.atomic():
                signup = ActivitySignup.objects.create(
                    activity=activity, org_path=activity.org_path, membership=membership
                )
        except IntegrityError as exc:
            raise DomainError("skills.activity_signed_up", status=409) from exc
        _audit(actor, "activity.signup", Org.all_objects.get(pk=activity.org_id), activity)
    return signup


def activity_checkin(*, actor: User | None, code: str, membership: Membership) -> ActivitySignup:
    """Check in by the activity's code (the QR code scanned on the day); one participation per member."""
    with transaction.atomic(), unscoped():
        activity = Activity.all_objects.filter(checkin_code=code).first()
        if activity is None or activity.held_on != timezone.localdate():
            raise DomainError("skills.activity_code_invalid", status=404)
        signup = ActivitySignup.objects.select_for_update().filter(activity=activity, membership=membership).first()
        if signup is None:
            signup = activity_signup(actor=actor, activity=activity, membership=membership)
        if signup.checked_in_at is None:
            signup.checked_in_at = timezone.now()
            signup.save(update_fields=["checked_in_at"])
            _audit(actor, "activity.checkin", Org.all_objects.get(pk=activity.org_id), activity)
    return signup
