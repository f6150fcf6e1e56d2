"""Pages of skills contests: the list, a contest with its events and judges, registration by a union,
the score sheet (for a tablet), the check of disputed scores, and the ranking with awards.

Thin views over the services and selectors. A contest outside the caller's part of the tree
is not found (404); a page the caller holds no permission for is a 403. The score sheet is
blind: a clerk sees their own first entries, never another clerk's figure.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from gonghui.core.errors import DomainError
from gonghui.core.scoping import unscoped
from gonghui.core.viewutils import (
    actor_of,
    apply_domain_error,
    found_or_404,
    refusal_text,
    require_perm,
    scope_of,
)
from gonghui.honors.permissions import HonorPerm
from gonghui.members.selectors import active_member_by_key
from gonghui.notices.models import PublicationEntry
from gonghui.notices.selectors import objection_list
from gonghui.notices.services import publication_close_refusal
from gonghui.orgs.selectors import org_get
from gonghui.skills import forms as sf
from gonghui.skills import selectors, services
from gonghui.skills.models import Contest, ContestEvent, ContestStatus, ScoreState
from gonghui.skills.permissions import SkillsPerm
from gonghui.skills.scoring import AWARD_LABELS

SECTION = "contests"


def _contest(request: HttpRequest, pk: int) -> Contest:
    require_perm(request, SkillsPerm.VIEW)
    return found_or_404(selectors.contest_get, scope=scope_of(request), pk=pk)


def _can(request: HttpRequest, contest: Contest, perm: str) -> bool:
    return scope_of(request).has_perm(perm, contest.org_path)


@login_required
def contest_list(request: HttpRequest) -> HttpResponse:
    scope = require_perm(request, SkillsPerm.VIEW)
    status = request.GET.get("status", "")
    status = status if status in ContestStatus.values else ""
    rows = list(selectors.contest_list(scope=scope, status=status)[:200])
    return render(
        request,
        "skills/contest_list.html",
        {
            "section": SECTION,
            "rows": rows,
            "status": status,
            "statuses": ContestStatus.choices,
            "can_create": scope.has_perm_anywhere(SkillsPerm.MANAGE),
        },
    )


@login_required
def contest_new(request: HttpRequest) -> HttpResponse:
    scope = require_perm(request, SkillsPerm.MANAGE)
    form = sf.ContestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            org = org_get(scope=scope, code=data["org"], perm=SkillsPerm.MANAGE)
        except DomainError:
            form.add_error("org", "没有这个工会，或不在您的管理范围内")
        else:
            try:
                contest = services.contest_create(
                    actor=actor_of(request),
                    scope=scope,
                    org=org,
                    name=data["name"],
                    trade=data["trade"],
                    level=data["level"],
                    held_on=data["held_on"],
                    venue=data["venue"],
                    theory_weight=data["theory_weight"],
                    practical_weight=data["practical_weight"],
                    judge_rule=data["judge_rule"],
                    tie_break=data["tie_break"],
                    prizes=(data["first_prizes"], data["second_prizes"], data["third_prizes"]),
                    min_age=data["min_age"],
                    max_age=data["max_age"],
                    min_trade_years=data["min_trade_years"],
                )
            except DomainError as exc:
                apply_domain_error(form, exc)
            else:
                messages.success(request, f"已创建竞赛“{contest.name}”，请添加比赛项目和裁判。")
                return redirect("skills:contest", pk=contest.pk)
    return render(request, "skills/contest_new.html", {"section": SECTION, "form": form, "title": "举办技能竞赛"})


def _detail(
    request: HttpRequest,
    contest: Contest,
    event_form: sf.EventForm | None = None,
    judge_form: sf.JudgeForm | None = None,
    status: int = 200,
) -> HttpResponse:
    scope = scope_of(request)
    manage = _can(request, contest, SkillsPerm.MANAGE)
    events = selectors.event_list(contest=contest)
    return render(
        request,
        "skills/contest_detail.html",
        {
            "section": SECTION,
            "contest": contest,
            "events": events,
            "judges": selectors.judge_list(contest=contest),
            "entries": list(selectors.entry_list(scope=scope, contest=contest)[:1000]),
            "runs": _can(request, contest, SkillsPerm.VIEW),
            "can_manage": manage and contest.status == ContestStatus.OPEN,
            "can_add_judge": manage and not contest.is_ranked,
            "can_register": contest.status == ContestStatus.OPEN
            and (
                scope.is_superuser
                or any(
                    p.startswith(contest.org_path) or contest.org_path.startswith(p)
                    for p in scope.paths_with(SkillsPerm.REGISTER)
                )
            ),
            "can_score": _can(request, contest, SkillsPerm.SCORE) and not contest.is_ranked,
            "can_resolve": _can(request, contest, SkillsPerm.RESOLVE),
            # Before any score: a union withdraws its own contestant (the service refuses a scored one).
            "can_withdraw": not contest.is_ranked and scope.has_perm_anywhere(SkillsPerm.REGISTER),
            "event_form": event_form or sf.EventForm(),
            "judge_form": judge_form or sf.JudgeForm(),
        },
        status=status,
    )


@login_required
def contest_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, _contest(request, pk))


@login_required
@require_POST
def event_new(request: HttpRequest, pk: int) -> HttpResponse:
    contest = _contest(request, pk)
    scope = require_perm(request, SkillsPerm.MANAGE, contest.org_path)
    form = sf.EventForm(request.POST)
    if form.is_valid():
        try:
            event = services.event_add(
                actor=actor_of(request),
                scope=scope,
                contest=contest,
                name=form.cleaned_data["name"],
                items=form.cleaned_data["items"] or None,
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, f"已添加比赛项目“{event.name}”。")
            return redirect("skills:contest", pk=contest.pk)
    return _detail(request, contest, event_form=form, status=400)


@login_required
@require_POST
def judge_new(request: HttpRequest, pk: int) -> HttpResponse:
    contest = _contest(request, pk)
    scope = require_perm(request, SkillsPerm.MANAGE, contest.org_path)
    form = sf.JudgeForm(request.POST)
    if form.is_valid():
        try:
            judge = services.judge_add(
                actor=actor_of(request),
                scope=scope,
                contest=contest,
                name=form.cleaned_data["name"],
                enterprise=form.cleaned_data["enterprise"],
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, f"已添加裁判{judge.name}。")
            return redirect("skills:contest", pk=contest.pk)
    return _detail(request, contest, judge_form=form, status=400)


@login_required
def entry_new(request: HttpRequest, pk: int) -> HttpResponse:
    contest = _contest(request, pk)
    scope = require_perm(request, SkillsPerm.REGISTER)
    events = [(e.pk, e.name) for e in selectors.event_list(contest=contest)]
    form = sf.EntryForm(request.POST or None, events=events)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        ms = active_member_by_key(scope=scope, key=data["member"], perm=SkillsPerm.REGISTER)
        if ms is None:
            form.add_error("member", "本工会范围内没有这名在册会员，请核对会员编号或证件号码。")
        else:
            try:
                entry = services.entry_register(
                    actor=actor_of(request),
                    scope=scope,
                    contest=contest,
                    event=selectors.event_get(contest=contest, pk=int(data["event"])),
                    membership=ms,
                    trade_years=data["trade_years"],
                    enterprise=data["enterprise"],
                )
            except DomainError as exc:
                if exc.code in ("skills.not_eligible", "skills.not_under_contest", "skills.already_entered"):
                    form.add_error("member", exc.message)
                else:
                    apply_domain_error(form, exc)
            else:
                messages.success(request, f"已为{entry.person.name}报名，参赛编号 {entry.number:03d}。")
                return redirect("skills:entry_new", pk=contest.pk)
    return render(
        request,
        "skills/entry_new.html",
        {"section": SECTION, "contest": contest, "form": form, "title": "报名参赛", "has_events": bool(events)},
    )


# --- the score sheet -------------------------------------------------------------------------------


def _sheet_columns(event: ContestEvent, part: str, judges: list[Any]) -> tuple[list[dict[str, Any]], Any]:
    """The sheet's columns for `part` ("theory" or a judge's id), and the judge (None for theory)."""
    if part == "theory":
        return [{"key": "theory", "label": "理论成绩", "most": 100, "item": None}], None
    judge = next((j for j in judges if str(j.pk) == part), None)
    if judge is None:
        return [], None
    return [
        {"key": f"p{i.pk}:j{judge.pk}", "label": i.name, "most": i.max_points.normalize(), "item": i}
        for i in event.items.all()
    ], judge


def _field(entry_id: int, key: str) -> str:
    return f"s-{entry_id}-{key.replace(':', '-')}"


@login_required
def score_sheet(request: HttpRequest, pk: int, event_pk: int) -> HttpResponse:
    contest = _contest(request, pk)
    scope = require_perm(request, SkillsPerm.SCORE, contest.org_path)
    event = found_or_404(selectors.event_get, contest=contest, pk=event_pk)
    judges = selectors.judge_list(contest=contest)
    part = request.GET.get("part", "theory")
    columns, judge = _sheet_columns(event, part, judges)
    if not columns:
        part, judge = "theory", None
        columns, _j = _sheet_columns(event, part, judges)
    entries = list(selectors.entry_list(scope=scope, contest=contest, event=event))
    me = actor_of(request).pk
    errors: dict[str, str] = {}
    typed: dict[str, str] = {}
    if request.method == "POST":
        cells = []
        for entry in entries:
            for col in columns:
                name = _field(entry.pk, col["key"])
                raw = request.POST.get(name, "").strip()
                if raw:
                    typed[name] = raw
                    item = col["item"]
                    cells.append(
                        services.ScoreCell(
                            field=name,
                            entry_id=entry.pk,
                            raw=raw,
                            item_id=item.pk if item is not None else None,
                            judge_id=judge.pk if judge is not None else None,
                        )
                    )
        try:
            changed = services.scores_enter(actor=actor_of(request), scope=scope, event=event, cells=cells)
        except DomainError as exc:
            errors = exc.details if isinstance(exc.details, dict) else {}
            messages.error(
                request,
                refusal_text(exc) if not errors else f"有 {len(errors)} 个成绩有误，请修改后再提交；本页成绩均未保存。",
            )
        else:
            messages.success(request, f"已保存 {changed} 个成绩。" if changed else "没有新的成绩。")
            return redirect(reverse("skills:score_sheet", args=[contest.pk, event.pk]) + f"?part={part}")
    scores = selectors.sheet_scores(event=event)
    rows = []
    for entry in entries:
        cells_out = []
        for col in columns:
            name = _field(entry.pk, col["key"])
            score = scores.get((entry.pk, col["key"]))
            cell: dict[str, Any] = {"name": name, "most": col["most"], "error": errors.get(name, "")}
            if judge is not None and services.score_conflict(judge, entry):
                cell["state"] = "回避"
            elif score is None:
                cell.update(editable=True, value=typed.get(name, ""))
            elif score.state == ScoreState.FIRST:
                mine = score.first_by_id == me
                cell.update(
                    editable=True,
                    value=typed.get(name, str(score.first_value) if mine else ""),
                    hint="您已录入，可修改" if mine else "待您复核录入",
                )
            elif score.state == ScoreState.MISMATCH:
                cell["state"] = "两次录入不一致，待裁定"
            else:
                cell["state"] = f"{score.value}"
            cells_out.append(cell)
        rows.append({"entry": entry, "cells": cells_out})
    return render(
        request,
        "skills/score_sheet.html",
        {
            "section": SECTION,
            "contest": contest,
            "event": event,
            "events": selectors.event_list(contest=contest),
            "judges": judges,
            "part": part,
            "judge": judge,
            "columns": columns,
            "rows": rows,
            "errors": errors,
        },
        status=400 if errors else 200,
    )


# --- disputed scores and the ranking ---------------------------------------------------------------


@login_required
def check_page(request: HttpRequest, pk: int) -> HttpResponse:
    contest = _contest(request, pk)
    scope = require_perm(request, SkillsPerm.RESOLVE, contest.org_path)
    return render(
        request,
        "skills/check.html",
        {"section": SECTION, "contest": contest, "rows": list(selectors.mismatches(scope=scope, contest=contest))},
    )


@login_required
@require_POST
def score_resolve(request: HttpRequest, pk: int, score_pk: int) -> HttpResponse:
    contest = _contest(request, pk)
    scope = require_perm(request, SkillsPerm.RESOLVE, contest.org_path)
    score = found_or_404(selectors.score_get, scope=scope, contest=contest, pk=score_pk)
    form = sf.ResolveForm(request.POST)
    form.is_valid()
    try:
        services.score_resolve(
            actor=actor_of(request),
            scope=scope,
            score=score,
            value=form.data.get("value", ""),
            note=form.data.get("note", ""),
        )
    except DomainError as exc:
        messages.error(request, refusal_text(exc))
    else:
        messages.success(request, f"已裁定{score.entry.number:03d}号的成绩。")
    return redirect("skills:check", pk=contest.pk)


@login_required
def ranking_page(request: HttpRequest, pk: int) -> HttpResponse:
    contest = _contest(request, pk)
    scope = scope_of(request)
    if request.method == "POST":
        if not _can(request, contest, SkillsPerm.MANAGE):
            raise PermissionDenied(SkillsPerm.MANAGE)
        try:
            count = services.contest_rank(actor=actor_of(request), scope=scope, contest=contest)
        except DomainError as exc:
            messages.error(
                request, refusal_text(exc) if exc.code != "skills.rank_blocked" else "还不能排名，原因见下。"
            )
        else:
            messages.success(request, f"已排名定奖，共 {count} 名选手。")
            return redirect("skills:ranking", pk=contest.pk)
    blockers: list[str] = []
    tables: list[dict[str, Any]] = []
    if contest.is_ranked:
        by_event: dict[int, list[Any]] = {}
        for entry in selectors.ranking(scope=scope, contest=contest):
            entry.award_label = AWARD_LABELS.get(entry.award, "")  # type: ignore[attr-defined]
            by_event.setdefault(entry.event_id, []).append(entry)
        tables = [{"event": e, "rows": by_event.get(e.pk, [])} for e in selectors.event_list(contest=contest)]
    elif _can(request, contest, SkillsPerm.VIEW):
        # The organiser sees the standing as the counted scores give it, and what still blocks the ranking.
        entries = {e.pk: e for e in selectors.entry_list(scope=scope, contest=contest)}
        for event in selectors.event_list(contest=contest):
            outcome = services.event_results(contest, event)
            blockers += outcome.blockers
            rows = []
            for r in outcome.results:
                entry = entries[r.key]
                entry.theory, entry.practical, entry.total, entry.rank = r.theory, r.practical, r.total, r.rank
                entry.award_label = AWARD_LABELS.get(r.award, "")  # type: ignore[attr-defined]
                rows.append(entry)
            tables.append({"event": event, "rows": rows})
    return render(
        request,
        "skills/ranking.html",
        {
            "section": SECTION,
            "contest": contest,
            "tables": tables,
            "blockers": blockers,
            "ranked": contest.is_ranked,
            "can_rank": _can(request, contest, SkillsPerm.MANAGE) and not contest.is_ranked,
            "certificate_ids": [e.certificate_id for t in tables for e in t["rows"] if e.award and e.certificate_id],
            **_results_context(request, contest),
        },
    )


def _results_context(request: HttpRequest, contest: Contest) -> dict[str, Any]:
    """The 公示 of the results, its objections and what may be done next, for the ranking page."""
    scope = scope_of(request)
    manage = _can(request, contest, SkillsPerm.MANAGE)
    out: dict[str, Any] = {
        "manage": manage,
        "can_publish": manage and contest.status == ContestStatus.RANKED,
        "publish_form": sf.PublishForm(),
        "final": contest.status == ContestStatus.FINAL,
        "can_recommend": contest.status == ContestStatus.FINAL and scope.has_perm_anywhere(HonorPerm.NOMINATE),
    }
    publication = contest.publication
    if publication is not None:
        refusal = publication_close_refusal(publication)
        with unscoped():
            entries = list(PublicationEntry.objects.filter(publication=publication).order_by("position"))
        out.update(
            publication=publication,
            listed=[e for e in entries if e.status == "listed"],
            removed=[e for e in entries if e.status != "listed"],
            objections=list(objection_list(scope=scope, publication=publication)),
            can_object=manage and contest.status == ContestStatus.PUBLISHED,
            can_resolve=_can(request, contest, SkillsPerm.RESOLVE),
            can_close=manage and contest.status == ContestStatus.PUBLISHED and refusal is None,
            close_refusal=refusal.message if refusal is not None and contest.status == ContestStatus.PUBLISHED else "",
        )
    return out
