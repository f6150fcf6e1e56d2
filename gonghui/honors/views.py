"""Honors' pages: campaigns, a campaign's lists with live quota figures, nominating, reviewing,
passing a list up, the 公示 (the shared notices), the announcement and certificates, the register."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from gonghui.core.errors import DomainError
from gonghui.core.scoping import Scope, unscoped
from gonghui.core.viewutils import (
    actor_of,
    apply_domain_error,
    found_or_404,
    list_page,
    require_perm,
    run_action,
    run_form,
    scope_of,
)
from gonghui.honors import attachments, quotas, selectors, services
from gonghui.honors import forms as hf
from gonghui.honors.models import Attachment, Campaign, CampaignKind, CampaignStatus, Nomination, NominationStatus
from gonghui.honors.permissions import HonorPerm
from gonghui.members.selectors import active_member_by_key
from gonghui.notices import services as notices_services
from gonghui.notices.models import Certificate
from gonghui.orgs.models import Org
from gonghui.orgs.selectors import org_get


def _org(scope: Scope, code: str, field: str = "org_code") -> Org:
    try:
        return org_get(scope=scope, code=code.strip().upper())
    except DomainError as exc:
        raise DomainError("org.not_in_scope", field=field) from exc


@login_required
def campaign_list(request: HttpRequest) -> HttpResponse:
    scope = require_perm(request, HonorPerm.VIEW)
    listing = list_page(request, selectors.campaign_list(scope=scope))
    return render(
        request,
        "honors/campaign_list.html",
        {"section": "honors", **listing.context(), "can_create": scope.has_perm_anywhere(HonorPerm.MANAGE)},
    )


@login_required
def campaign_create(request: HttpRequest) -> HttpResponse:
    scope = require_perm(request, HonorPerm.MANAGE)
    form = hf.CampaignForm(request.POST or None)

    def perform(data: dict[str, Any]) -> tuple[str, str]:
        org = _org(scope, data["org_code"])
        rules = [
            quotas.Rule(attr, "max_share" if attr == "enterprise_head" else "min_share", share=data[attr])
            for attr in ("front_line", "migrant", "woman", "minority", "enterprise_head")
            if data.get(attr) is not None
        ]
        if data.get("new_employment"):
            rules.append(quotas.Rule("new_employment", "min_count", count=data["new_employment"]))
        campaign = services.campaign_create(
            actor=actor_of(request),
            scope=scope,
            org=org,
            kind=data["kind"],
            title=data["title"],
            level=data["level"],
            awarding_body=data["awarding_body"],
            year=data["year"],
            places_default=data["places_default"] or 0,
            rules=rules,
            fields=data["fields"],
        )
        return reverse("honors:campaign", args=[campaign.pk]), f"已创建评选活动“{campaign}”。"

    return run_form(request, form, perform) or render(
        request,
        "honors/form.html",
        {"section": "honors", "form": form, "title": "新建评选活动", "back": reverse("honors:campaigns")},
    )


def _campaign(request: HttpRequest, pk: int) -> Campaign:
    return found_or_404(selectors.campaign_get, scope=scope_of(request), pk=pk)


def _holders(scope: Scope, campaign: Campaign) -> list[Org]:
    """The unions of the scope that hold nominations of the campaign now, or may nominate (granted there)."""
    with unscoped():
        ids = set(
            Nomination.all_objects.filter(campaign=campaign)
            .exclude(status__in=(NominationStatus.REJECTED, NominationStatus.PUBLISHED, NominationStatus.AWARDED))
            .values_list("at_org_id", flat=True)
        )
        orgs = list(Org.all_objects.filter(pk__in=ids).order_by("path"))
    return [o for o in orgs if scope.has_perm(HonorPerm.VIEW, o.path) and o.pk != campaign.org_id]


@login_required
def campaign_detail(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign(request, pk)
    scope = scope_of(request)
    nominations = list(selectors.nomination_list(scope=scope, campaign=campaign))
    lists = []
    holders = _holders(scope, campaign)
    for org in holders:
        figures = services.list_figures(campaign, org)
        lists.append(
            {
                "org": org,
                "figures": figures,
                "met": quotas.quotas_met(figures),
                "can_submit": scope.has_perm(HonorPerm.NOMINATE, org.path) and campaign.status == CampaignStatus.OPEN,
            }
        )
    manage = scope.has_perm(HonorPerm.MANAGE, campaign.org_path)
    rankings = []
    for org in [campaign.org, *holders]:
        if scope.has_perm(HonorPerm.VIEW, org.path) and services.criteria_of(campaign, org.pk):
            rankings.append(
                {
                    "org": org,
                    "criteria": services.criteria_of(campaign, org.pk),
                    "rows": services.level_ranking(campaign, org),
                }
            )
    publication = campaign.publication
    with unscoped():
        certificate_ids = list(
            Certificate.all_objects.filter(kind="honors", subject_id__in=[n.pk for n in nominations]).values_list(
                "pk", flat=True
            )
        )
    return render(
        request,
        "honors/campaign_detail.html",
        {
            "section": "honors",
            "c": campaign,
            "nominations": nominations,
            "lists": lists,
            "rules": [quotas.rule_text(r) for r in services.campaign_rules(campaign)],
            "can_nominate": scope.has_perm_anywhere(HonorPerm.NOMINATE) and campaign.status == CampaignStatus.OPEN,
            "can_publish": manage and campaign.status == CampaignStatus.OPEN,
            "can_announce": manage
            and campaign.status == CampaignStatus.PUBLISHED
            and publication is not None
            and publication.status == "closed",
            "publish_form": hf.PublishForm(),
            "rankings": rankings,
            "fields": services.campaign_fields(campaign),
            "can_set_criteria": scope.has_perm_anywhere(HonorPerm.MANAGE) and campaign.status == CampaignStatus.OPEN,
            "publication": publication,
            "can_close": manage
            and publication is not None
            and notices_services.publication_close_refusal(publication) is None,
            "certificate_query": "&".join(f"id={i}" for i in certificate_ids),
        },
    )


@login_required
def nomination_create(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign(request, pk)
    scope = require_perm(request, HonorPerm.NOMINATE)
    questions = [f for f, _ in services.campaign_fields(campaign)]
    form = hf.NominationForm(request.POST or None, collective=campaign.collective, questions=questions)

    def perform(data: dict[str, Any]) -> tuple[str, str]:
        org = _org(scope, data["org_code"])
        if campaign.collective:
            union = _org(scope, data["collective_code"], field="collective_code")
            nomination = services.collective_nominate(
                actor=actor_of(request),
                scope=scope,
                campaign=campaign,
                org=org,
                union=union,
                team_name=data["team_name"] if data["nominee_type"] == "team" else "",
                deeds=data["deeds"],
                answers=form.answers(),
            )
            return reverse("honors:campaign", args=[campaign.pk]), f"已推荐{nomination.nominee_name}。"
        membership = active_member_by_key(scope=scope, key=data["member"], perm=HonorPerm.NOMINATE)
        if membership is None:
            raise DomainError("honors.not_member", field="member")
        nomination = services.nomination_create(
            actor=actor_of(request),
            scope=scope,
            campaign=campaign,
            org=org,
            membership=membership,
            deeds=data["deeds"],
            employer=data["employer"],
            position=data["position"],
            front_line=data["front_line"],
            enterprise_head=data["enterprise_head"],
            answers=form.answers(),
        )
        return reverse("honors:campaign", args=[campaign.pk]), f"已推荐{nomination.nominee_name}。"

    return run_form(request, form, perform) or render(
        request,
        "honors/form.html",
        {
            "section": "honors",
            "form": form,
            "title": f"推荐：{campaign}",
            "back": reverse("honors:campaign", args=[campaign.pk]),
        },
    )


@login_required
def criteria_set(request: HttpRequest, pk: int) -> HttpResponse:
    """The weighted criteria of one review level of the campaign."""
    campaign = _campaign(request, pk)
    scope = require_perm(request, HonorPerm.MANAGE)
    form = hf.CriteriaForm(request.POST or None, initial={"org_code": campaign.org.code})

    def perform(data: dict[str, Any]) -> tuple[str, str]:
        org = _org(scope, data["org_code"])
        services.criteria_set(actor=actor_of(request), scope=scope, campaign=campaign, org=org, criteria=data["parsed"])
        return reverse("honors:campaign", args=[campaign.pk]), f"已设置{org.name}的评分项。"

    return run_form(request, form, perform) or render(
        request,
        "honors/form.html",
        {
            "section": "honors",
            "form": form,
            "title": f"评分项：{campaign}",
            "back": reverse("honors:campaign", args=[campaign.pk]),
        },
    )


@login_required
@require_POST
def list_submit(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign(request, pk)
    scope = scope_of(request)
    try:
        org = _org(scope, request.POST.get("org_code", ""))
    except DomainError as exc:
        raise Http404 from exc
    require_perm(request, HonorPerm.NOMINATE, org.path)
    run_action(
        request,
        f"{org.name}的推荐名单已上报。",
        lambda: services.list_submit(actor=actor_of(request), scope=scope, campaign=campaign, org=org),
    )
    return redirect("honors:campaign", pk=campaign.pk)


@login_required
@require_POST
def campaign_publish(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign(request, pk)
    scope = require_perm(request, HonorPerm.MANAGE, campaign.org_path)
    form = hf.PublishForm(request.POST)
    if form.is_valid():
        run_action(
            request,
            "已发布公示。",
            lambda: services.campaign_publish(
                actor=actor_of(request),
                scope=scope,
                campaign=campaign,
                days=form.cleaned_data["days"],
                day_basis=form.cleaned_data["day_basis"],
            ),
        )
    return redirect("honors:campaign", pk=campaign.pk)


@login_required
@require_POST
def publication_close(request: HttpRequest, pk: int) -> HttpResponse:
    """End the campaign's 公示 (the shared rule: after its period, every objection resolved)."""
    campaign = _campaign(request, pk)
    scope = require_perm(request, HonorPerm.MANAGE, campaign.org_path)
    publication = campaign.publication
    if publication is None:
        raise Http404
    run_action(
        request,
        "公示已结束。",
        lambda: notices_services.publication_close(actor=actor_of(request), scope=scope, publication=publication),
    )
    return redirect("honors:campaign", pk=campaign.pk)


@login_required
@require_POST
def campaign_announce(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign(request, pk)
    scope = require_perm(request, HonorPerm.MANAGE, campaign.org_path)
    run_action(
        request,
        "已公布评选结果，荣誉已登记，证书已生成。",
        lambda: services.campaign_announce(actor=actor_of(request), scope=scope, campaign=campaign),
    )
    return redirect("honors:campaign", pk=campaign.pk)


def _nomination(request: HttpRequest, pk: int) -> Nomination:
    return found_or_404(selectors.nomination_get, scope=scope_of(request), pk=pk)


@login_required
def nomination_detail(
    request: HttpRequest,
    pk: int,
    review_form: hf.ReviewForm | None = None,
    score_form: hf.ScoreForm | None = None,
    conflict_form: hf.ConflictForm | None = None,
) -> HttpResponse:
    nomination = _nomination(request, pk)
    scope = scope_of(request)
    can_review = nomination.status == NominationStatus.SUBMITTED and scope.has_perm(
        HonorPerm.REVIEW, nomination.at_path
    )
    criteria = services.criteria_of(nomination.campaign, nomination.at_org_id)
    return render(
        request,
        "honors/nomination_detail.html",
        {
            "section": "honors",
            "n": nomination,
            "reviews": list(nomination.reviews.select_related("org", "reviewer")),
            "attachments": list(nomination.attachments.all()),
            "can_review": can_review,
            "answers": services.answers_shown(nomination),
            # Who scored what, and who stood aside, is for the level's reviewers and officers, not the nominators.
            "scores": [
                sc
                for sc in nomination.scores.select_related("org", "reviewer")
                if scope.has_perm(HonorPerm.REVIEW, sc.org.path) or scope.has_perm(HonorPerm.MANAGE, sc.org.path)
            ],
            "criteria": criteria,
            "can_score": can_review and bool(criteria),
            "score_form": score_form or hf.ScoreForm(criteria=criteria),
            "conflict_form": conflict_form or hf.ConflictForm(),
            "can_attach": scope.has_perm(HonorPerm.NOMINATE, nomination.org_path),
            "review_form": review_form or hf.ReviewForm(),
            "attachment_form": hf.AttachmentForm(),
        },
    )


@login_required
@require_POST
def nomination_review(request: HttpRequest, pk: int) -> HttpResponse:
    nomination = _nomination(request, pk)
    scope = require_perm(request, HonorPerm.REVIEW, nomination.at_path)
    form = hf.ReviewForm(request.POST)
    if form.is_valid():
        try:
            services.nomination_review(
                actor=actor_of(request),
                scope=scope,
                nomination=nomination,
                decision=form.cleaned_data["decision"],
                reason=form.cleaned_data["reason"],
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            return redirect("honors:nomination", pk=nomination.pk)
    return nomination_detail(request, nomination.pk, review_form=form)


@login_required
@require_POST
def nomination_score(request: HttpRequest, pk: int) -> HttpResponse:
    nomination = _nomination(request, pk)
    scope = require_perm(request, HonorPerm.REVIEW, nomination.at_path)
    form = hf.ScoreForm(request.POST, criteria=services.criteria_of(nomination.campaign, nomination.at_org_id))
    if form.is_valid():
        try:
            services.nomination_score(actor=actor_of(request), scope=scope, nomination=nomination, marks=form.marks())
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            return redirect("honors:nomination", pk=nomination.pk)
    return nomination_detail(request, nomination.pk, score_form=form)


@login_required
@require_POST
def conflict_declare(request: HttpRequest, pk: int) -> HttpResponse:
    nomination = _nomination(request, pk)
    scope = require_perm(request, HonorPerm.REVIEW, nomination.at_path)
    form = hf.ConflictForm(request.POST)
    if form.is_valid():
        try:
            services.conflict_declare(
                actor=actor_of(request), scope=scope, nomination=nomination, reason=form.cleaned_data["reason"]
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            return redirect("honors:nomination", pk=nomination.pk)
    return nomination_detail(request, nomination.pk, conflict_form=form)


@login_required
@require_POST
def attachment_upload(request: HttpRequest, pk: int) -> HttpResponse:
    nomination = _nomination(request, pk)
    scope = require_perm(request, HonorPerm.NOMINATE, nomination.org_path)
    form = hf.AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        run_action(
            request,
            "已上传材料。",
            lambda: attachments.attachment_store(
                actor=actor_of(request),
                scope=scope,
                nomination=nomination,
                label=form.cleaned_data["label"],
                upload=form.cleaned_data["file"],
            ),
        )
    return redirect("honors:nomination", pk=nomination.pk)


@login_required
def attachment_download(request: HttpRequest, pk: int, attachment_pk: int) -> FileResponse:
    nomination = _nomination(request, pk)
    attachment = Attachment.objects.filter(nomination=nomination, pk=attachment_pk).first()
    if attachment is None:
        raise Http404
    path = attachments.attachment_folder() / attachment.stored_name
    return FileResponse(path.open("rb"), as_attachment=True, filename=attachment.original_name)


@login_required
def register(request: HttpRequest) -> HttpResponse:
    scope = require_perm(request, HonorPerm.VIEW)
    try:
        year = int(request.GET.get("year", "") or 0) or None
    except ValueError:
        year = None
    kind = request.GET.get("kind", "")
    listing = list_page(request, selectors.register_list(scope=scope, year=year, kind=kind))
    return render(
        request,
        "honors/register.html",
        {
            "section": "honors_register",
            **listing.context(),
            "kinds": CampaignKind.choices,
            "year": year or "",
            "kind": kind,
        },
    )
