"""Writes on contests: create, events and judges, registration, double entry of scores, settling, ranking.

    open (报名中) → scoring (评分中, from the first score typed: registration closes) → ranked (已排名)

Every score is typed twice, by two clerks who do not see each other's figure: the
first entry waits; the second either agrees (counted) or not (flagged until a
reviewer settles it). A clerk may correct their own first entry until the second
one is typed. A judge never scores a contestant of their own enterprise. Ranking
is refused while any score is missing, waiting for its second entry, or in
dispute; it writes each contestant's papers, total, rank and award. Every write
is audited in its transaction.

What is published (公示) and certified is `selectors.contest_winners`: the shared
公示 mechanism and the certificates of the honors module take it from there.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from gonghui.accounts.models import User
from gonghui.core.audit import audit_record
from gonghui.core.errors import DomainError, joined
from gonghui.core.scoping import Scope, require_perm_at, unscoped
from gonghui.members.models import Membership, MembershipStatus, Person
from gonghui.orgs.models import Org
from gonghui.skills import errors as _errors  # noqa: F401  (registers messages)
from gonghui.skills import scoring
from gonghui.skills.models import (
    COUNTED_STATES,
    Contest,
    ContestEvent,
    ContestLevel,
    ContestStatus,
    Entry,
    EntryStatus,
    Judge,
    PracticalItem,
    Score,
    ScoreKind,
    ScoreState,
)
from gonghui.skills.permissions import SkillsPerm

STATES = dict(ContestStatus.choices)
MAX_REASONS = 8  # a refusal lists at most this many reasons, then "…"


def enterprise_key(name: str) -> str:
    """An enterprise's name as compared for conflicts: no spaces, half-width brackets, case folded."""
    name = name.replace("（", "(").replace("）", ")")
    return re.sub(r"\s+", "", name).casefold()


def _audit(actor: User | None, action: str, contest: Contest, target: Any = None, **data: Any) -> None:
    with unscoped():
        org = Org.all_objects.get(pk=contest.org_id)
    audit_record(actor=actor, action=f"skills.{action}", org=org, target=target or contest, data=data)


def _open_org(org: Org) -> Org:
    if org.closed_on is not None:
        raise DomainError("skills.org_closed", org=org.name)
    return org


def _locked(contest: Contest) -> Contest:
    return Contest.all_objects.select_for_update().get(pk=contest.pk)


def _limited(reasons: list[str]) -> str:
    shown = reasons[:MAX_REASONS]
    return "；".join(shown) + ("；……" if len(reasons) > MAX_REASONS else "")


# --- contests, events, judges ----------------------------------------------------------------------


def contest_create(
    *,
    actor: User | None,
    scope: Scope | None,
    org: Org,
    name: str,
    trade: str,
    level: str,
    held_on: date,
    venue: str = "",
    theory_weight: int = 30,
    practical_weight: int = 70,
    judge_rule: str = scoring.JudgeRule.TRIMMED_MEAN,
    tie_break: str = "practical,theory",
    prizes: tuple[int, int, int] = (1, 2, 3),
    min_age: int | None = None,
    max_age: int | None = None,
    min_trade_years: int | None = None,
) -> Contest:
    """A union holds a contest; weights (percent) sum to 100 and every rule is the contest's own data."""
    require_perm_at(scope, SkillsPerm.MANAGE, org.path)
    errors: dict[str, str] = {}
    if not name.strip():
        errors["name"] = "请填写竞赛名称"
    if not trade.strip():
        errors["trade"] = "请填写工种"
    if level not in ContestLevel.values:
        errors["level"] = "级别应为县级、市级或省级"
    if theory_weight < 0 or practical_weight < 0 or theory_weight + practical_weight != 100:
        errors["theory_weight"] = "理论和实操成绩的权重之和应为 100%"
    if judge_rule not in dict(scoring.JudgeRule.CHOICES):
        errors["judge_rule"] = "裁判评分合成方式不存在"
    if tie_break not in scoring.TIE_BREAKS:
        errors["tie_break"] = "同分规则不存在"
    if any(n < 0 for n in prizes) or sum(prizes) == 0:
        errors["first_prizes"] = "奖项名额不能为负数，且至少设一个奖项"
    if min_age is not None and max_age is not None and max_age < min_age:
        errors["max_age"] = "最高年龄不能小于最低年龄"
    if errors:
        raise DomainError("skills.contest_invalid", details=errors, reasons=joined(errors))
    with transaction.atomic(), unscoped():
        org = _open_org(Org.all_objects.get(pk=org.pk))
        contest = Contest(
            org=org,
            org_path=org.path,
            name=name.strip(),
            trade=trade.strip(),
            level=level,
            held_on=held_on,
            venue=venue.strip(),
            theory_weight=theory_weight,
            practical_weight=practical_weight,
            judge_rule=judge_rule,
            tie_break=tie_break,
            first_prizes=prizes[0],
            second_prizes=prizes[1],
            third_prizes=prizes[2],
            min_age=min_age,
            max_age=max_age,
            min_trade_years=min_trade_years,
            created_by=actor if actor is not None and actor.pk else None,
        )
        contest.save(force_insert=True)
        _audit(
            actor,
            "contest.create",
            contest,
            name=contest.name,
            weights=f"{theory_weight}/{practical_weight}",
            rule=judge_rule,
        )
    return contest


def _refuse_if_ranked(contest: Contest) -> None:
    if contest.is_ranked:
        raise DomainError("skills.contest_ranked", contest=contest.name)


def event_add(
    *,
    actor: User | None,
    scope: Scope | None,
    contest: Contest,
    name: str,
    items: list[tuple[str, Decimal]] | None = None,
) -> ContestEvent:
    """An event with the items of its practical paper (points summing to 100; one item of 100 by default)."""
    require_perm_at(scope, SkillsPerm.MANAGE, contest.org_path)
    items = items or [("实操考核", Decimal(100))]
    errors: dict[str, str] = {}
    if not name.strip():
        errors["name"] = "请填写项目名称"
    names = [n.strip() for n, _p in items]
    if any(not n for n in names) or len(set(names)) != len(names):
        errors["items"] = "实操考核内容须各有不同的名称"
    elif any(p <= 0 for _n, p in items) or sum((p for _n, p in items), Decimal(0)) != 100:
        errors["items"] = "实操各考核内容的满分之和应为 100 分"
    with transaction.atomic(), unscoped():
        contest = _locked(contest)
        if contest.status != ContestStatus.OPEN:
            raise DomainError("skills.contest_not_open", contest=contest.name, state=STATES[contest.status])
        if name.strip() and ContestEvent.objects.filter(contest=contest, name=name.strip()).exists():
            errors["name"] = f"本竞赛已有项目“{name.strip()}”"
        if errors:
            raise DomainError("skills.event_invalid", details=errors, reasons=joined(errors))
        event = ContestEvent.objects.create(contest=contest, name=name.strip())
        PracticalItem.objects.bulk_create(
            [
                PracticalItem(event=event, name=n, max_points=p, position=i)
                for i, (n, p) in enumerate(zip(names, (p for _n, p in items), strict=True))
            ]
        )
        _audit(actor, "event.add", contest, name=event.name, parts=len(items))
    return event


def judge_add(*, actor: User | None, scope: Scope | None, contest: Contest, name: str, enterprise: str) -> Judge:
    """A judge of the contest, with the enterprise whose contestants they may not score."""
    require_perm_at(scope, SkillsPerm.MANAGE, contest.org_path)
    errors: dict[str, str] = {}
    if not name.strip():
        errors["name"] = "请填写裁判姓名"
    if not enterprise.strip():
        errors["enterprise"] = "请填写裁判所在单位（用于回避本单位选手）"
    with transaction.atomic(), unscoped():
        contest = _locked(contest)
        _refuse_if_ranked(contest)
        if name.strip() and Judge.objects.filter(contest=contest, name=name.strip()).exists():
            errors["name"] = f"本竞赛已有裁判“{name.strip()}”"
        if errors:
            raise DomainError("skills.judge_invalid", details=errors, reasons=joined(errors))
        judge = Judge.objects.create(
            contest=contest, name=name.strip(), enterprise=enterprise.strip(), enterprise_key=enterprise_key(enterprise)
        )
        _audit(actor, "judge.add", contest, name=judge.name, enterprise=judge.enterprise)
    return judge


# --- registration ----------------------------------------------------------------------------------


def age_on(birth: date, day: date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def eligibility_reasons(contest: Contest, *, birth_date: date | None, trade_years: int) -> list[str]:
    """Why a worker may not enter the contest under its rules (empty: eligible)."""
    reasons = []
    if contest.min_age is not None or contest.max_age is not None:
        if birth_date is None:
            reasons.append("选手出生日期不详，无法核对年龄条件")
        else:
            age = age_on(birth_date, contest.held_on)
            if contest.min_age is not None and age < contest.min_age:
                reasons.append(f"比赛时年龄 {age} 岁，低于最低年龄 {contest.min_age} 岁")
            if contest.max_age is not None and age > contest.max_age:
                reasons.append(f"比赛时年龄 {age} 岁，超过最高年龄 {contest.max_age} 岁")
    if contest.min_trade_years is not None and trade_years < contest.min_trade_years:
        reasons.append(f"本工种从业 {trade_years} 年，不足 {contest.min_trade_years} 年")
    return reasons


def entry_register(
    *,
    actor: User | None,
    scope: Scope | None,
    contest: Contest,
    event: ContestEvent,
    membership: Membership,
    trade_years: int,
    enterprise: str = "",
) -> Entry:
    """A union registers one of its members for an event; the contest's eligibility rules are checked."""
    require_perm_at(scope, SkillsPerm.REGISTER, membership.org_path)
    errors: dict[str, str] = {}
    if trade_years < 0 or trade_years > 60:
        errors["trade_years"] = "从业年限应为 0 至 60 年"
    with transaction.atomic(), unscoped():
        contest = _locked(contest)
        if contest.status != ContestStatus.OPEN:
            raise DomainError("skills.contest_not_open", contest=contest.name, state=STATES[contest.status])
        if event.contest_id != contest.pk:
            raise DomainError("skills.event_foreign", field="event")
        membership = Membership.all_objects.select_related("org").get(pk=membership.pk)
        person = Person.objects.get(pk=membership.person_id)
        if not membership.org_path.startswith(contest.org_path):
            raise DomainError("skills.not_under_contest", org=Org.all_objects.get(pk=contest.org_id).name)
        if membership.status != MembershipStatus.ACTIVE:
            raise DomainError("skills.not_active_member")
        enterprise = (enterprise or person.employer or membership.org.unit_name or membership.org.name).strip()
        if errors:
            raise DomainError("skills.entry_invalid", details=errors, reasons=joined(errors))
        reasons = eligibility_reasons(contest, birth_date=person.birth_date, trade_years=trade_years)
        if reasons:
            raise DomainError("skills.not_eligible", reasons="；".join(reasons), details={"member": "；".join(reasons)})
        if Entry.objects.filter(event=event, person=person).exists():
            raise DomainError("skills.already_entered", status=409, name=person.name)
        last = Entry.objects.filter(contest=contest).aggregate(n=Max("number"))["n"] or 0
        entry = Entry(
            contest=contest,
            contest_path=contest.org_path,
            event=event,
            membership=membership,
            person=person,
            org=membership.org,
            org_path=membership.org_path,
            number=last + 1,
            enterprise=enterprise,
            enterprise_key=enterprise_key(enterprise),
            trade_years=trade_years,
            age=age_on(person.birth_date, contest.held_on) if person.birth_date else None,
            registered_by=actor if actor is not None and actor.pk else None,
        )
        entry.save(force_insert=True)
        _audit(actor, "entry.register", contest, target=entry, event=event.name, number=entry.number)
    return entry


# --- double entry of scores ------------------------------------------------------------------------


@dataclass(frozen=True)
class ScoreCell:
    """One typed score of a sheet: the theory paper (no item, no judge) or one judge's score of one item.

    `field` names the sheet's input, so a refusal can be shown on it.
    """

    field: str
    entry_id: int
    raw: str
    item_id: int | None = None
    judge_id: int | None = None

    @property
    def slot(self) -> str:
        return "theory" if self.item_id is None else f"p{self.item_id}:j{self.judge_id}"


def parse_points(raw: str, most: Decimal) -> Decimal:
    """A typed score: 0 to `most`, at most two decimals (full-width digits and "分" accepted)."""
    text = raw.strip().translate({0xFF10 + i: 0x30 + i for i in range(10)} | {0xFF0E: 0x2E}).removesuffix("分")
    try:
        value = Decimal(text)
    except InvalidOperation as exc:
        raise ValueError(f"“{raw.strip()}”不是分数") from exc
    if not value.is_finite() or value < 0 or value > most:
        raise ValueError(f"应为 0 至 {most.normalize():f} 分")
    if value != value.quantize(scoring.CENT):
        raise ValueError("最多保留两位小数")
    return value.quantize(scoring.CENT)


def score_conflict(judge: Judge, entry: Entry) -> bool:
    """Whether the judge works for the contestant's enterprise (they must step aside)."""
    return bool(judge.enterprise_key) and judge.enterprise_key == entry.enterprise_key


def scores_enter(*, actor: User | None, scope: Scope | None, event: ContestEvent, cells: list[ScoreCell]) -> int:
    """A clerk's sheet of scores for one event: all of it is checked, and saved only if every cell is right.

    Returns how many scores changed. A cell is a first entry, the clerk's correction of their own
    first entry, or the second entry (by another clerk) that makes the score count or flags it.
    """
    with unscoped():
        contest = Contest.all_objects.get(pk=event.contest_id)
    require_perm_at(scope, SkillsPerm.SCORE, contest.org_path)
    clerk_id = actor.pk if actor is not None and actor.pk else None
    with transaction.atomic(), unscoped():
        contest = _locked(contest)
        _refuse_if_ranked(contest)
        entries = {e.pk: e for e in Entry.objects.filter(event=event, status=EntryStatus.REGISTERED)}
        items = {i.pk: i for i in PracticalItem.objects.filter(event=event)}
        judges = {j.pk: j for j in Judge.objects.filter(contest=contest)}
        errors: dict[str, str] = {}
        parsed: list[tuple[ScoreCell, Decimal]] = []
        for cell in cells:
            entry = entries.get(cell.entry_id)
            if entry is None:
                errors[cell.field] = "该选手不在本项目中"
                continue
            label = f"{entry.number:03d}号"
            most = Decimal(100)
            if cell.item_id is not None:
                item, judge = items.get(cell.item_id), judges.get(cell.judge_id or 0)
                if item is None or judge is None:
                    errors[cell.field] = f"{label}：考核内容或裁判不属于本项目"
                    continue
                if score_conflict(judge, entry):
                    errors[cell.field] = (
                        f"{label}：裁判{judge.name}与选手同属“{entry.enterprise}”，须回避，不能为其评分"
                    )
                    continue
                most = item.max_points
            try:
                parsed.append((cell, parse_points(cell.raw, most)))
            except ValueError as exc:
                errors[cell.field] = f"{label}：{exc}"
        existing = {
            (s.entry_id, s.slot): s
            for s in Score.objects.filter(entry_id__in=[c.entry_id for c, _v in parsed]).select_for_update()
        }
        changes: list[tuple[ScoreCell, Decimal, Score | None]] = []
        for cell, value in parsed:
            score = existing.get((cell.entry_id, cell.slot))
            if score is None or (score.state == ScoreState.FIRST and score.first_by_id == clerk_id):
                if score is None or score.first_value != value:
                    changes.append((cell, value, score))
            elif score.state == ScoreState.FIRST:
                changes.append((cell, value, score))
            elif score.value != value or score.state == ScoreState.MISMATCH:
                errors[cell.field] = (
                    f"{entries[cell.entry_id].number:03d}号：该成绩已两次录入（{ScoreState(score.state).label}），"
                    "修改须由审核人核对裁定"
                )
        if errors:
            raise DomainError("skills.scores_invalid", details=errors, reasons=_limited(list(errors.values())))
        mismatches = 0
        for cell, value, score in changes:
            if score is None:
                Score.objects.create(
                    entry_id=cell.entry_id,
                    kind=ScoreKind.THEORY if cell.item_id is None else ScoreKind.PRACTICAL,
                    item_id=cell.item_id,
                    judge_id=cell.judge_id,
                    slot=cell.slot,
                    first_value=value,
                    first_by_id=clerk_id,
                )
            elif score.state == ScoreState.FIRST and score.first_by_id == clerk_id:
                score.first_value = value
                score.save(update_fields=["first_value", "updated_at"])
            else:
                score.second_value, score.second_by_id = value, clerk_id
                if value == score.first_value:
                    score.state, score.value = ScoreState.MATCHED, value
                else:
                    score.state = ScoreState.MISMATCH
                    mismatches += 1
                score.save(update_fields=["second_value", "second_by", "state", "value", "updated_at"])
        if changes and contest.status == ContestStatus.OPEN:
            contest.status = ContestStatus.SCORING
            contest.save(update_fields=["status"])
        if changes:
            _audit(actor, "scores.enter", contest, event=event.name, scores=len(changes), mismatches=mismatches)
    return len(changes)


def score_resolve(*, actor: User | None, scope: Scope | None, score: Score, value: str, note: str) -> Score:
    """A reviewer settles a score whose two entries disagree, from the paper sheet, with a note."""
    with unscoped():
        contest = Contest.all_objects.get(pk=Entry.all_objects.get(pk=score.entry_id).contest_id)
    require_perm_at(scope, SkillsPerm.RESOLVE, contest.org_path)
    with transaction.atomic(), unscoped():
        contest = _locked(contest)
        _refuse_if_ranked(contest)
        score = Score.objects.select_for_update(of=("self",)).select_related("item").get(pk=score.pk)
        if score.state != ScoreState.MISMATCH:
            raise DomainError("skills.score_not_mismatch")
        errors: dict[str, str] = {}
        try:
            points = parse_points(value, score.item.max_points if score.item is not None else Decimal(100))
        except ValueError as exc:
            errors["value"] = str(exc)
        if not note.strip():
            errors["note"] = "请写明裁定依据（如：核对原始评分表）"
        if errors:
            raise DomainError("skills.score_resolve_invalid", details=errors, reasons=joined(errors))
        score.value, score.state = points, ScoreState.RESOLVED
        score.resolved_by = actor if actor is not None and actor.pk else None
        score.resolve_note = note.strip()
        score.save(update_fields=["value", "state", "resolved_by", "resolve_note", "updated_at"])
        _audit(
            actor,
            "score.resolve",
            contest,
            target=score,
            slot=score.slot,
            first=str(score.first_value),
            second=str(score.second_value),
            value=str(points),
            note=score.resolve_note,
        )
    return score


# --- ranking ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class EventResults:
    event: ContestEvent
    results: list[scoring.Result]
    blockers: list[str]


def event_results(contest: Contest, event: ContestEvent) -> EventResults:
    """The event's papers, totals, ranks and awards as the counted scores give them, with what blocks ranking."""
    with unscoped():
        entries = list(
            Entry.objects.filter(event=event, status=EntryStatus.REGISTERED).select_related("person").order_by("number")
        )
        items = list(PracticalItem.objects.filter(event=event))
        scores = list(Score.objects.filter(entry__in=entries))
    blockers: list[str] = []
    waiting = sum(1 for s in scores if s.state == ScoreState.FIRST)
    disputed = sum(1 for s in scores if s.state == ScoreState.MISMATCH)
    if disputed:
        blockers.append(f"{event.name}：{disputed} 个成绩两次录入不一致，须先核对裁定")
    if waiting:
        blockers.append(f"{event.name}：{waiting} 个成绩只录入了一次，须由另一位录入员再录入")
    counted: dict[int, dict[str, Decimal]] = defaultdict(dict)
    for s in scores:
        if s.state in COUNTED_STATES and s.value is not None:
            counted[s.entry_id][s.slot] = s.value
    results = []
    for entry in entries:
        mine = counted[entry.pk]
        name = f"{entry.number:03d}号{entry.person.name}"
        theory = mine.get("theory")
        if theory is None:
            blockers.append(f"{event.name}：{name}缺理论成绩")
        practical = Decimal(0)
        complete = theory is not None
        for item in items:
            prefix = f"p{item.pk}:"
            values = [v for slot, v in mine.items() if slot.startswith(prefix)]
            try:
                practical += scoring.combine_judges(values, contest.judge_rule)
            except scoring.ScoringError:
                complete = False
                need = scoring.TRIMMED_MIN_JUDGES if contest.judge_rule == scoring.JudgeRule.TRIMMED_MEAN else 1
                blockers.append(
                    f"{event.name}：{name}的“{item.name}”只有 {len(values)} 位裁判的成绩，至少需要 {need} 位"
                )
        if complete and theory is not None:
            total = scoring.weighted_total(
                theory=theory,
                practical=practical,
                theory_weight=contest.theory_weight,
                practical_weight=contest.practical_weight,
            )
            results.append(scoring.Result(key=entry.pk, theory=theory, practical=practical, total=total))
    if not entries:
        blockers.append(f"{event.name}：没有报名的选手")
    ranked = scoring.awards(
        scoring.rank(results, contest.tie_break), (contest.first_prizes, contest.second_prizes, contest.third_prizes)
    )
    return EventResults(event, ranked, blockers)


def contest_rank(*, actor: User | None, scope: Scope | None, contest: Contest) -> int:
    """Rank every event and give the awards; refused with every blocker while any score is missing or disputed."""
    require_perm_at(scope, SkillsPerm.MANAGE, contest.org_path)
    with transaction.atomic(), unscoped():
        contest = _locked(contest)
        events = list(ContestEvent.objects.filter(contest=contest).order_by("pk"))
        outcomes = [event_results(contest, event) for event in events]
        blockers = [b for o in outcomes for b in o.blockers]
        if not events:
            blockers.append("竞赛还没有比赛项目")
        if blockers:
            raise DomainError("skills.rank_blocked", reasons=_limited(blockers), details={"blockers": blockers})
        rows = {r.key: r for o in outcomes for r in o.results}
        entries = list(Entry.objects.filter(pk__in=rows))
        for entry in entries:
            r = rows[entry.pk]
            entry.theory, entry.practical, entry.total = r.theory, r.practical, r.total
            entry.rank, entry.award = r.rank, r.award
        Entry.objects.bulk_update(entries, ["theory", "practical", "total", "rank", "award"])
        contest.status, contest.ranked_at = ContestStatus.RANKED, timezone.now()
        contest.save(update_fields=["status", "ranked_at"])
        _audit(
            actor, "contest.rank", contest, contestants=len(entries), awards=sum(1 for r in rows.values() if r.award)
        )
    return len(entries)
