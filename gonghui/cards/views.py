"""Pages for service cards and payout batches: thin views over the services and selectors.

The maker fills a batch and submits it; a second person (the checker) approves
or returns it; the maker then generates the bank's file and imports the bank's
answer. Each button appears only for who may press it now, and the service
refuses again whatever a hand-made POST tries.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from gonghui.accounts.models import User
from gonghui.cards import forms as cf
from gonghui.cards import item_lines, payouts, selectors, services
from gonghui.cards.downloads import bank_file_response
from gonghui.cards.models import BatchStatus, CardStatus, ItemStatus, PayoutBatch, ServiceCard
from gonghui.cards.permissions import CardPerm, PayoutPerm
from gonghui.core.api_common import paginate
from gonghui.core.errors import DomainError
from gonghui.core.logmask import mask_ids_in
from gonghui.core.money import fen_to_yuan
from gonghui.core.scoping import Scope
from gonghui.core.viewutils import (
    actor_of,
    apply_domain_error,
    found_or_404,
    page_number,
    require_perm,
    run_form,
    scope_of,
)
from gonghui.members.selectors import membership_get
from gonghui.orgs.selectors import org_get

PAGE_SIZE = 50


def _batch(request: HttpRequest, pk: int) -> PayoutBatch:
    return found_or_404(selectors.batch_get, scope=scope_of(request), pk=pk)


def _card(request: HttpRequest, pk: int) -> ServiceCard:
    return found_or_404(selectors.card_get, scope=scope_of(request), pk=pk)


def _form_page(request: HttpRequest, form: forms.Form, title: str, back: str, section: str) -> HttpResponse:
    return render(request, "cards/form.html", {"section": section, "form": form, "title": title, "back": back})


# --- payout batches ------------------------------------------------------------------------------


def _with_yuan(totals: dict[str, Any]) -> dict[str, Any]:
    """A batch's totals with each amount also in yuan ("total_yuan" beside "total_fen")."""
    return totals | {k[:-4] + "_yuan": fen_to_yuan(v) for k, v in totals.items() if k.endswith("_fen")}


@login_required
def payout_list(request: HttpRequest) -> HttpResponse:
    scope = require_perm(request, PayoutPerm.VIEW)
    status = request.GET.get("status", "")
    rows, count, number = paginate(selectors.batch_list(scope=scope, status=status), page_number(request), PAGE_SIZE)
    totals = {pk: _with_yuan(t) for pk, t in payouts.batch_totals_many([b.pk for b in rows]).items()}
    return render(
        request,
        "cards/payout_list.html",
        {
            "section": "payouts",
            "rows": [(b, totals[b.pk], batch_actions(scope, actor_of(request), b, totals[b.pk])) for b in rows],
            "count": count,
            "page": number,
            "pages": (count + PAGE_SIZE - 1) // PAGE_SIZE,
            "status": status,
            "statuses": BatchStatus.choices,
            "can_make": scope.has_perm_anywhere(PayoutPerm.MAKE),
        },
    )


@login_required
def payout_create(request: HttpRequest) -> HttpResponse:
    scope = require_perm(request, PayoutPerm.MAKE)
    form = cf.BatchCreateForm(request.POST or None)
    actor = actor_of(request)

    def perform(data: dict[str, Any]) -> tuple[str, str]:
        try:
            org = org_get(scope=scope, code=data["org_code"].strip().upper())
        except DomainError as exc:
            raise DomainError("org.not_in_scope", field="org_code") from exc
        batch = payouts.payout_batch_create(
            actor=actor,
            scope=scope,
            org=org,
            bank=selectors.bank_get(data["bank"]),
            purpose=data["purpose"],
            reference=data["reference"],
            title=data["title"],
        )
        return reverse("cards:payout", args=[batch.pk]), "已新建代发批次（草稿），请添加发放明细。"

    return run_form(request, form, perform) or _form_page(
        request, form, "新建代发批次", reverse("cards:payouts"), "payouts"
    )


def batch_actions(scope: Scope, actor: User, batch: PayoutBatch, totals: dict[str, Any]) -> dict[str, bool]:
    """Which buttons the caller sees on the batch now (the services check again)."""
    make = scope.has_perm(PayoutPerm.MAKE, batch.org_path)
    check = scope.has_perm(PayoutPerm.CHECK, batch.org_path) and batch.made_by_id != actor.pk
    status = batch.status
    return {
        "add_items": make and status == BatchStatus.DRAFT,
        "submit": make and status == BatchStatus.DRAFT and totals["items"] > 0,
        "decide": check and status == BatchStatus.SUBMITTED,
        "bank_file": make and status in (BatchStatus.APPROVED, BatchStatus.SENT),
        "results": make and status == BatchStatus.SENT,
        "retry": make and status == BatchStatus.RECONCILED and totals["failed_items"] > 0,
        "cancel": make and status in (BatchStatus.DRAFT, BatchStatus.SUBMITTED),
    }


@login_required
def payout_detail(request: HttpRequest, pk: int) -> HttpResponse:
    batch = _batch(request, pk)
    scope = scope_of(request)
    status = request.GET.get("status", "")
    items = selectors.batch_items(scope=scope, batch=batch, status=status)
    rows, count, number = paginate(items, page_number(request), PAGE_SIZE)
    for item in rows:
        item.amount_yuan = fen_to_yuan(item.amount_fen)
    totals = _with_yuan(payouts.batch_totals(batch))
    return render(
        request,
        "cards/payout_detail.html",
        {
            "section": "payouts",
            "batch": batch,
            "totals": totals,
            "items": rows,
            "count": count,
            "page": number,
            "pages": (count + PAGE_SIZE - 1) // PAGE_SIZE,
            "status": status,
            "item_statuses": ItemStatus.choices,
            "can": batch_actions(scope, actor_of(request), batch, totals),
            "maker_is_me": batch.made_by_id == request.user.pk,
            "lines_form": cf.ItemLinesForm(),
            "all_form": cf.ItemsForAllForm(),
            "note_form": cf.NoteForm(),
            "refusals": request.session.pop(f"payout-{batch.pk}-refusals", []),
        },
    )


def _added_message(added: int, refused: int) -> str:
    return f"已添加 {added} 条明细" + (f"，{refused} 条未添加（原因见下表）。" if refused else "。")


@login_required
@require_POST
def payout_items_lines(request: HttpRequest, pk: int) -> HttpResponse:
    batch = _batch(request, pk)
    require_perm(request, PayoutPerm.MAKE, batch.org_path)
    form = cf.ItemLinesForm(request.POST)
    back = redirect("cards:payout", pk=batch.pk)
    if not form.is_valid():
        messages.error(request, "请填写发放明细。")
        return back
    try:
        parsed = item_lines.parse_item_lines(batch, form.cleaned_data["lines"])
        refused = payouts.payout_items_add(
            actor=actor_of(request), scope=scope_of(request), batch=batch, items=parsed.pairs
        )
    except DomainError as exc:
        messages.error(request, exc.message if not isinstance(exc.details, dict) else "；".join(exc.details.values()))
        return back
    by_line = [(r.line, r.text, r.reason) for r in parsed.refusals]
    lines = form.cleaned_data["lines"].splitlines()
    for r in refused:
        n = parsed.line_of[r.membership_id]
        by_line.append((n, lines[n - 1].strip(), r.reason))
    by_line.sort()
    # The session is stored: typed ID numbers go in masked, like everywhere else.
    request.session[f"payout-{batch.pk}-refusals"] = [(n, mask_ids_in(text), why) for n, text, why in by_line[:500]]
    messages.success(request, _added_message(len(parsed.pairs) - len(refused), len(by_line)))
    return back


@login_required
@require_POST
def payout_items_all(request: HttpRequest, pk: int) -> HttpResponse:
    batch = _batch(request, pk)
    require_perm(request, PayoutPerm.MAKE, batch.org_path)
    form = cf.ItemsForAllForm(request.POST)
    back = redirect("cards:payout", pk=batch.pk)
    try:
        if not form.is_valid():
            raise DomainError("payout.amount_required", field="amount")
        fen = payouts.yuan_to_fen(form.cleaned_data["amount"])
        ids = item_lines.cardholder_memberships(batch)
        refused = payouts.payout_items_add(
            actor=actor_of(request), scope=scope_of(request), batch=batch, items=[(i, fen) for i in ids]
        )
    except DomainError as exc:
        messages.error(request, exc.message if not isinstance(exc.details, dict) else "；".join(exc.details.values()))
        return back
    # Those already paid for this reference are expected here: say how many, not who.
    added = len(ids) - len(refused)
    skipped = f"，{len(refused)} 名已有本事项的发放记录或不符合条件，未添加" if refused else ""
    messages.success(request, f"已为 {added} 名持卡会员添加明细{skipped}。")
    return back


BATCH_ACTIONS = {
    "submit": ("提交复核", PayoutPerm.MAKE),
    "approve": ("复核通过", PayoutPerm.CHECK),
    "return": ("退回经办人", PayoutPerm.CHECK),
    "cancel": ("作废", PayoutPerm.MAKE),
    "retry": ("失败明细重新发放", PayoutPerm.MAKE),
}


@login_required
@require_POST
def payout_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    if action not in BATCH_ACTIONS:
        raise Http404
    batch = _batch(request, pk)
    label, perm = BATCH_ACTIONS[action]
    require_perm(request, perm, batch.org_path)
    scope, actor = scope_of(request), actor_of(request)
    note = cf.NoteForm(request.POST).data.get("note", "") or ""
    target = batch.pk
    try:
        if action == "submit":
            payouts.payout_batch_submit(actor=actor, scope=scope, batch=batch)
        elif action in ("approve", "return"):
            payouts.payout_batch_decide(actor=actor, scope=scope, batch=batch, approve=action == "approve", note=note)
        elif action == "cancel":
            payouts.payout_batch_cancel(actor=actor, scope=scope, batch=batch, note=note)
        else:
            target = payouts.payout_batch_retry(actor=actor, scope=scope, batch=batch).pk
    except DomainError as exc:
        messages.error(request, exc.message if not isinstance(exc.details, dict) else "；".join(exc.details.values()))
    else:
        messages.success(request, f"已办理：{label}。")
    return redirect("cards:payout", pk=target)


@login_required
@require_POST
def payout_bank_file(request: HttpRequest, pk: int) -> HttpResponseBase:
    batch = _batch(request, pk)
    require_perm(request, PayoutPerm.MAKE, batch.org_path)
    try:
        return bank_file_response(actor=actor_of(request), scope=scope_of(request), batch=batch)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("cards:payout", pk=batch.pk)


# --- service cards -------------------------------------------------------------------------------


@login_required
def card_list(request: HttpRequest) -> HttpResponse:
    scope = require_perm(request, CardPerm.VIEW)
    status = request.GET.get("status", "")
    qs = selectors.card_list(scope=scope, status=status, bank=request.GET.get("bank", ""))
    rows, count, number = paginate(qs, page_number(request), PAGE_SIZE)
    return render(
        request,
        "cards/card_list.html",
        {
            "section": "cards",
            "rows": rows,
            "count": count,
            "page": number,
            "pages": (count + PAGE_SIZE - 1) // PAGE_SIZE,
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
    refusals: list[tuple[str, str]] = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            org = org_get(scope=scope, code=data["org_code"].strip().upper())
        except DomainError:
            form.add_error("org_code", "没有这个工会，或不在您的管理范围内")
        else:
            keys = [k.strip() for k in data["members"].splitlines() if k.strip()]
            found = item_lines.memberships_by_key(org.path, keys)
            refusals = [(mask_ids_in(k), "本工会范围内没有这名会员") for k in keys if k not in found]
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
                refusals += [(mask_ids_in(key_of[ms_id]), why) for ms_id, why in refused.items()]
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
