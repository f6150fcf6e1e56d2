"""Pages after the ranking: the results' 公示 (publish, objections, close), certificates, the
recommendation of a winner to an honors campaign; and a contestant's withdrawal.

Thin views over `skills.results` and the shared notices; buttons post here and come back to the
ranking page (or the contest page) with the service's word. Another union's contest is a 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from gonghui.core.errors import DomainError, NotFoundError
from gonghui.core.scoping import Scope, unscoped
from gonghui.core.viewutils import actor_of, found_or_404, require_perm, run_action, scope_of
from gonghui.honors.models import CampaignStatus
from gonghui.honors.permissions import HonorPerm
from gonghui.honors.selectors import campaign_list
from gonghui.notices import services as notices
from gonghui.notices.models import Objection, PublicationEntry
from gonghui.skills import results, selectors
from gonghui.skills.forms import PublishForm, RecommendForm
from gonghui.skills.models import Contest, Entry
from gonghui.skills.permissions import SkillsPerm
from gonghui.skills.views import SECTION, _contest


def _manage(request: HttpRequest, pk: int) -> tuple[Contest, Scope]:
    contest = _contest(request, pk)
    return contest, require_perm(request, SkillsPerm.MANAGE, contest.org_path)


@login_required
@require_POST
def publish(request: HttpRequest, pk: int) -> HttpResponse:
    contest, scope = _manage(request, pk)
    form = PublishForm(request.POST)
    if not form.is_valid():
        messages.error(request, "公示天数应为 1 至 60 天。")
    else:
        run_action(
            request,
            "已发布获奖名单公示。",
            lambda: results.results_publish(
                actor=actor_of(request),
                scope=scope,
                contest=contest,
                days=form.cleaned_data["days"],
                day_basis=form.cleaned_data["day_basis"],
            ),
        )
    return redirect("skills:ranking", pk=contest.pk)


def _publication_entry(contest: Contest, entry_pk: str) -> PublicationEntry:
    publication = contest.publication_id
    if publication is None:
        raise NotFoundError()
    with unscoped():
        entry = PublicationEntry.objects.filter(publication_id=publication, pk=entry_pk or 0).first()
    if entry is None:
        raise NotFoundError()
    return entry


@login_required
@require_POST
def objection_record(request: HttpRequest, pk: int) -> HttpResponse:
    contest, scope = _manage(request, pk)
    raw = request.POST.get("entry", "")
    entry = found_or_404(_publication_entry, contest=contest, entry_pk=raw if raw.isdigit() else "")
    run_action(
        request,
        f"已登记对{entry.name}的异议。",
        lambda: notices.objection_record(
            actor=actor_of(request),
            scope=scope,
            entry=entry,
            reason=request.POST.get("reason", ""),
            raised_by=request.POST.get("raised_by", ""),
            contact=request.POST.get("contact", ""),
        ),
    )
    return redirect("skills:ranking", pk=contest.pk)


@login_required
@require_POST
def objection_resolve(request: HttpRequest, pk: int, objection_pk: int) -> HttpResponse:
    contest = _contest(request, pk)
    scope = require_perm(request, SkillsPerm.RESOLVE, contest.org_path)
    publication = contest.publication_id
    if publication is None:
        raise Http404
    with unscoped():
        objection = Objection.all_objects.filter(publication_id=publication, pk=objection_pk).first()
    if objection is None:
        raise Http404
    upheld = request.POST.get("decision") == "upheld"
    run_action(
        request,
        "异议成立，已撤下该选手的奖项。" if upheld else "异议不成立，奖项保留。",
        lambda: notices.objection_resolve(
            actor=actor_of(request), scope=scope, objection=objection, upheld=upheld, note=request.POST.get("note", "")
        ),
    )
    return redirect("skills:ranking", pk=contest.pk)


@login_required
@require_POST
def close(request: HttpRequest, pk: int) -> HttpResponse:
    contest, scope = _manage(request, pk)
    run_action(
        request,
        "公示已结束，获奖结果已确认。",
        lambda: results.results_close(actor=actor_of(request), scope=scope, contest=contest),
    )
    return redirect("skills:ranking", pk=contest.pk)


def _entry(request: HttpRequest, contest: Contest, entry_pk: int) -> Entry:
    entry = selectors.entry_list(scope=scope_of(request), contest=contest).filter(pk=entry_pk).first()
    if entry is None:
        raise NotFoundError()
    return entry


@login_required
@require_POST
def certificates(request: HttpRequest, pk: int) -> HttpResponse:
    """Issue certificates: every final winner without one, or the one named by `entry`."""
    contest, scope = _manage(request, pk)
    raw = request.POST.get("entry", "")
    only = [found_or_404(_entry, request=request, contest=contest, entry_pk=int(raw))] if raw.isdigit() else None
    issued: list[object] = []

    def issue() -> None:
        issued.extend(results.certificates_for(actor=actor_of(request), scope=scope, contest=contest, entries=only))

    if run_action(request, "证书已颁发。", issue) and not issued:
        messages.info(request, "获奖选手都已有证书。")
    return redirect("skills:ranking", pk=contest.pk)


def _open_campaigns(request: HttpRequest) -> list[tuple[int, str]]:
    scope = scope_of(request)
    rows = campaign_list(scope=scope).filter(status=CampaignStatus.OPEN)[:100]
    return [(c.pk, f"{c.year}年{c.title}（{c.org.name}）") for c in rows if scope.has_perm_anywhere(HonorPerm.NOMINATE)]


@login_required
def recommend(request: HttpRequest, pk: int, entry_pk: int) -> HttpResponse:
    """Recommend a final winner to an open honors campaign chosen here (e.g. the 五一劳动奖章)."""
    contest = _contest(request, pk)
    scope = require_perm(request, HonorPerm.NOMINATE)
    entry = found_or_404(_entry, request=request, contest=contest, entry_pk=entry_pk)
    campaigns = _open_campaigns(request)
    form = RecommendForm(request.POST or None, campaigns=campaigns)
    if request.method == "POST" and form.is_valid():
        campaign = campaign_list(scope=scope).filter(pk=form.cleaned_data["campaign"], status="open").first()
        if campaign is None:
            raise Http404
        try:
            results.winner_recommend(
                actor=actor_of(request), scope=scope, entry=entry, campaign=campaign, deeds=form.cleaned_data["deeds"]
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"已推荐{entry.person.name}参加“{campaign}”评选。")
            return redirect("skills:ranking", pk=contest.pk)
    if request.method == "GET":
        form.initial["deeds"] = results.deeds_of(entry, contest) if entry.total is not None else ""
    return render(
        request,
        "skills/recommend.html",
        {"section": SECTION, "contest": contest, "entry": entry, "form": form, "title": "推荐参加评选"},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def withdraw(request: HttpRequest, pk: int, entry_pk: int) -> HttpResponse:
    contest = _contest(request, pk)
    scope = require_perm(request, SkillsPerm.REGISTER)
    entry = found_or_404(_entry, request=request, contest=contest, entry_pk=entry_pk)
    run_action(
        request,
        f"{entry.number:03d}号{entry.person.name}已退赛。",
        lambda: results.entry_withdraw(
            actor=actor_of(request), scope=scope, entry=entry, reason=request.POST.get("reason", "")
        ),
    )
    return redirect("skills:contest", pk=contest.pk)
