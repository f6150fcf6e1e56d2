"""Pages for service cards: thin views over the services and selectors.

Each button appears only for who may press it now, and the service refuses
again whatever a hand-made POST tries.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from gonghui.cards import forms as cf
from gonghui.cards import selectors, services
from gonghui.cards.models import CardStatus, ServiceCard
from gonghui.cards.permissions import CardPerm
from gonghui.core.errors import DomainError
from gonghui.core.logmask import mask_ids_in
from gonghui.core.scoping import Scope
from gonghui.core.viewutils import (
    actor_of,
    apply_domain_error,
    found_or_404,
    list_page,
    require_perm,
    run_form,
    scope_of,
)
from gonghui.members.selectors import membership_get
from gonghui.orgs.selectors import org_get


def _card(request: HttpRequest, pk: int) -> ServiceCard:
    return found_or_404(selectors.card_get, scope=scope_of(request), pk=pk)


def _form_page(request: HttpRequest, form: forms.Form, title: str, back: str, section: str) -> HttpResponse:
    return render(request, "cards/form.html", {"section": section, "form": form, "title": title, "back": back})


# --- service cards -------------------------------------------------------------------------------


@login_required
def card_list(request: HttpRequest) -> HttpResponse:
    scope = require_perm(request, CardPerm.VIEW)
    status = request.GET.get("status", "")
    qs = selectors.card_list(scope=scope, status=status, bank=request.GET.get("bank", ""))
    listing = list_page(request, qs)
    return render(
        request,
        "cards/card_list.html",
        {
            "section": "cards",
            **listing.context(),
            "status": status,
            "statuses": CardStatus.choices,
            "can_apply": scope.has_perm_anywhere(CardPerm.APPLY),
        },
    )


def card_actions(scope: Scope, card: ServiceCard) -> list[tuple[str, str]]:
    """The lifecycle steps the caller may take on the card now."""
    if not scope.has_perm(CardPerm.MANAGE, card.org_path):
        return []
    steps = {
        CardStatus.APPLIED: [("issue", "登记制卡"), ("cancel", "注销")],
        CardStatus.ISSUED: [("activate", "激活"), ("report_lost", "挂失"), ("cancel", "注销")],
        CardStatus.ACTIVATED: [("freeze", "冻结"), ("report_lost", "挂失"), ("cancel", "注销")],
        CardStatus.FROZEN: [("unfreeze", "解冻"), ("report_lost", "挂失"), ("cancel", "注销")],
        CardStatus.LOST: [("replace", "补换卡"), ("cancel", "注销")],
    }
    return steps.get(CardStatus(card.status), [])


@login_required
def card_detail(request: HttpRequest, pk: int) -> HttpResponse:
    card = _card(request, pk)
    scope = scope_of(request)
    labels = dict(CardStatus.choices)
    history = [
        (e, labels.get(e.from_status, "—"), labels.get(e.to_status, ""))
        for e in selectors.card_history(scope=scope, card=card)
    ]
    return render(
        request,
        "cards/card_detail.html",
        {
            "section": "cards",
            "card": card,
            "history": history,
            "actions": card_actions(scope, card),
            "membership_id": _membership_id(scope, card),
        },
    )


def _membership_id(scope: Scope, card: ServiceCard) -> int | None:
    from gonghui.members.selectors import membership_queryset

    return (
        membership_queryset(scope=scope)
        .filter(person_id=card.person_id, org_path=card.org_path)
        .order_by("-pk")
        .values_list("pk", flat=True)
        .first()
    )


@login_required
def card_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    card = _card(request, pk)
    scope, actor = scope_of(request), actor_of(request)
    labels = dict(card_actions(scope, card))
    if action not in labels:
        # Not a step for this card now, or not the caller's to take.
        require_perm(request, CardPerm.MANAGE, card.org_path)
        raise Http404
    form: forms.Form = (
        cf.CardIssueForm(request.POST or None) if action == "issue" else cf.CardReasonForm(request.POST or None)
    )

    def perform(data: dict[str, Any]) -> tuple[str, str]:
        target = card
        if action == "issue":
            services.card_issue(actor=actor, scope=scope, card=card, card_number=data["card_number"])
        elif action == "replace":
            target = services.card_replace(actor=actor, scope=scope, card=card, reason=data.get("reason", ""))
        else:
            services.card_transition(actor=actor, scope=scope, card=card, action=action, reason=data.get("reason", ""))
        return reverse("cards:card", args=[target.pk]), f"已办理：{labels[action]}。"

    title = f"{labels[action]}：{card.person.name} {card.card_masked or '（未制卡）'}"
    return run_form(request, form, perform) or _form_page(
        request, form, title, reverse("cards:card", args=[card.pk]), "cards"
    )


@login_required
def card_apply(request: HttpRequest, ms_pk: int) -> HttpResponse:
    """Apply for one member's card from their page, with their consent."""
    scope = scope_of(request)
    ms = found_or_404(membership_get, scope=scope, pk=ms_pk)
    require_perm(request, CardPerm.APPLY, ms.org_path)
    form = cf.CardApplyForm(request.POST or None)

    def perform(data: dict[str, Any]) -> tuple[str, str]:
        card = services.card_apply(
            actor=actor_of(request),
            scope=scope,
            membership=ms,
            bank=data["bank"],
            consented=data["consented"],
            consent_note=data["consent_note"],
        )
        return reverse("cards:card", args=[card.pk]), "已申请会员服务卡，等待银行制卡。"

    return run_form(request, form, perform) or _form_page(
        request, form, f"申请会员服务卡：{ms.person.name}", reverse("members:detail", args=[ms.pk]), "members"
    )


class BatchApplyForm(cf.CardApplyForm):
    org_code = forms.CharField(label="申请工会代码", max_length=40)
    members = forms.CharField(
        label="已签署同意书的会员",
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="每行一个会员编号或证件号码。只填已签署办卡同意书的会员。",
    )
    field_order = ["org_code", "bank", "members", "consented", "consent_note"]


@login_required
def card_apply_batch(request: HttpRequest) -> HttpResponse:
    """A union applies for many members at once; each listed member must have signed their consent."""
    scope = require_perm(request, CardPerm.APPLY)
    form = BatchApplyForm(request.POST or None)
    refusals: list[tuple[int, str, str]] = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            org = org_get(scope=scope, code=data["org_code"].strip().upper())
        except DomainError:
            form.add_error("org_code", "没有这个工会，或不在您的管理范围内")
        else:
            rows = [(n, k.strip()) for n, k in enumerate(data["members"].splitlines(), start=1) if k.strip()]
            keys = [k for _n, k in rows]
            line_of = {k: n for n, k in reversed(rows)}  # a key typed twice: its first row
            found = selectors.memberships_by_key(org.path, keys)
            # Each refusal by the row it was typed on (the box keeps every row as typed).
            refusals = [(n, mask_ids_in(k), "本工会范围内没有这名会员") for n, k in rows if k not in found]
            try:
                applied, refused = services.card_apply_many(
                    actor=actor_of(request),
                    scope=scope,
                    membership_ids=list(dict.fromkeys(found[k] for k in keys if k in found)),
                    bank=data["bank"],
                    consent_note=data["consent_note"],
                )
            except DomainError as exc:
                apply_domain_error(form, exc)
            else:
                key_of = {ms_id: k for k, ms_id in found.items()}
                refusals += [
                    (line_of[key_of[ms_id]], mask_ids_in(key_of[ms_id]), why) for ms_id, why in refused.items()
                ]
                refusals.sort()
                messages.success(request, f"已为 {applied} 名会员申请会员服务卡。")
                if not refusals:
                    return redirect(reverse("cards:cards") + "?status=applied")
    return render(
        request,
        "cards/apply_batch.html",
        {"section": "cards", "form": form, "refusals": refusals, "title": "批量申请会员服务卡"},
    )


def member_cards(scope: Scope, person_id: int, org_path: str) -> dict[str, Any] | None:
    """The cards panel of a member's page (registered with core.ui); None hides it."""
    if not scope.has_perm(CardPerm.VIEW, org_path):
        return None
    return {
        "cards": list(selectors.card_list(scope=scope, person_id=person_id)),
        "can_apply_card": scope.has_perm(CardPerm.APPLY, org_path),
    }
