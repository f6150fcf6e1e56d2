"""The payout pages: thin views over the services and selectors.

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
from gonghui.cards.selectors import bank_get
from gonghui.core.errors import DomainError
from gonghui.core.logmask import mask_ids_in
from gonghui.core.money import fen_to_yuan
from gonghui.core.scoping import Scope
from gonghui.core.viewutils import (
    actor_of,
    apply_domain_error,
    found_or_404,
    list_page,
    refusal_text,
    require_perm,
    run_form,
    scope_of,
)
from gonghui.orgs.selectors import org_get
from gonghui.payouts import forms as pf
from gonghui.payouts import item_lines, selectors, services
from gonghui.payouts.downloads import bank_file_response
from gonghui.payouts.models import BatchStatus, ItemStatus, PayoutBatch
from gonghui.payouts.permissions import PayoutPerm


def _batch(request: HttpRequest, pk: int) -> PayoutBatch:
    return found_or_404(selectors.batch_get, scope=scope_of(request), pk=pk)


def _form_page(request: HttpRequest, form: forms.Form, title: str, back: str, section: str) -> HttpResponse:
    return render(request, "cards/form.html", {"section": section, "form": form, "title": title, "back": back})


def _with_yuan(totals: dict[str, Any]) -> dict[str, Any]:
    """A batch's totals with each amount also in yuan ("total_yuan" beside "total_fen")."""
    return totals | {k[:-4] + "_yuan": fen_to_yuan(v) for k, v in totals.items() if k.endswith("_fen")}


@login_required
def payout_list(request: HttpRequest) -> HttpResponse:
    scope = require_perm(request, PayoutPerm.VIEW)
    status = request.GET.get("status", "")
    listing = list_page(request, selectors.batch_list(scope=scope, status=status))
    rows = listing.rows
    totals = {pk: _with_yuan(t) for pk, t in selectors.batch_totals_many([b.pk for b in rows]).items()}
    retried = selectors.retried_batches([b.pk for b in rows if b.status == BatchStatus.RECONCILED])
    actor = actor_of(request)
    return render(
        request,
        "payouts/payout_list.html",
        {
            "section": "payouts",
            "rows": [(b, totals[b.pk], batch_actions(scope, actor, b, totals[b.pk], b.pk in retried)) for b in rows],
            "count": listing.count,
            "page": listing.page,
            "pages": listing.pages,
            "page_size": listing.page_size,
            "status": status,
            "statuses": BatchStatus.choices,
            "can_make": scope.has_perm_anywhere(PayoutPerm.MAKE),
        },
    )


@login_required
def payout_create(request: HttpRequest) -> HttpResponse:
    scope = require_perm(request, PayoutPerm.MAKE)
    form = pf.BatchCreateForm(request.POST or None)
    actor = actor_of(request)

    def perform(data: dict[str, Any]) -> tuple[str, str]:
        try:
            org = org_get(scope=scope, code=data["org_code"].strip().upper())
        except DomainError as exc:
            raise DomainError("org.not_in_scope", field="org_code") from exc
        batch = services.payout_batch_create(
            actor=actor,
            scope=scope,
            org=org,
            bank=bank_get(data["bank"]),
            purpose=data["purpose"],
            reference=data["reference"],
            title=data["title"],
        )
        return reverse("payouts:payout", args=[batch.pk]), "已新建代发批次（草稿），请添加发放明细。"

    return run_form(request, form, perform) or _form_page(
        request, form, "新建代发批次", reverse("payouts:payouts"), "payouts"
    )


def batch_actions(
    scope: Scope, actor: User, batch: PayoutBatch, totals: dict[str, Any], retried: bool
) -> dict[str, bool]:
    """Which buttons the caller sees on the batch now (the services check again); `retried`: it has a live
    retry batch already (`selectors.live_retry`)."""
    make = scope.has_perm(PayoutPerm.MAKE, batch.org_path)
    check = scope.has_perm(PayoutPerm.CHECK, batch.org_path) and batch.made_by_id != actor.pk
    status = batch.status
    return {
        "add_items": make and status == BatchStatus.DRAFT,
        "submit": make and status == BatchStatus.DRAFT and totals["items"] > 0,
        "decide": check and status == BatchStatus.SUBMITTED,
        "bank_file": make and status in (BatchStatus.APPROVED, BatchStatus.SENT),
        "results": make and status == BatchStatus.SENT,
        "retry": make and status == BatchStatus.RECONCILED and totals["failed_items"] > 0 and not retried,
        "cancel": make and status in (BatchStatus.DRAFT, BatchStatus.SUBMITTED),
    }


@login_required
def payout_detail(request: HttpRequest, pk: int, refused: dict[str, Any] | None = None) -> HttpResponse:
    """The batch, its totals and items, and its forms; `refused` holds the forms (and lines) just refused."""
    batch = _batch(request, pk)
    scope = scope_of(request)
    status = request.GET.get("status", "")
    items = selectors.batch_items(scope=scope, batch=batch, status=status)
    listing = list_page(request, items)
    rows = listing.rows
    for item in rows:
        item.amount_yuan = fen_to_yuan(item.amount_fen)
    totals = _with_yuan(selectors.batch_totals(batch))
    return render(
        request,
        "payouts/payout_detail.html",
        {
            "section": "payouts",
            "batch": batch,
            "totals": totals,
            **listing.context(),
            "items": rows,
            "status": status,
            "item_statuses": ItemStatus.choices,
            "can": batch_actions(scope, actor_of(request), batch, totals, selectors.live_retry(batch) is not None),
            "maker_is_me": batch.made_by_id == request.user.pk,
            "lines_form": pf.ItemLinesForm(),
            "all_form": pf.ItemsForAllForm(),
            "note_form": pf.NoteForm(),
            "refusals": [],
        }
        | (refused or {}),
    )


def _refused(request: HttpRequest, batch: PayoutBatch, form: forms.Form, exc: DomainError) -> HttpResponse:
    """The batch page again with `form` as typed and the service's refusal on it (nothing was saved)."""
    if exc.code == "payout.wrong_status":  # no longer a draft: the page has no form to show it on
        messages.error(request, refusal_text(exc))
        return redirect("payouts:payout", pk=batch.pk)
    apply_domain_error(form, exc)
    key = "lines_form" if isinstance(form, pf.ItemLinesForm) else "all_form"
    return payout_detail(request, batch.pk, refused={key: form})


@login_required
@require_POST
def payout_items_lines(request: HttpRequest, pk: int) -> HttpResponse:
    """Pasted lines: all added, or none, with every line kept and each refused one named by its row."""
    batch = _batch(request, pk)
    require_perm(request, PayoutPerm.MAKE, batch.org_path)
    form = pf.ItemLinesForm(request.POST)
    if not form.is_valid():
        return payout_detail(request, batch.pk, refused={"lines_form": form})
    text = form.cleaned_data["lines"]
    try:
        parsed = item_lines.parse_item_lines(batch, text)
        refused = services.payout_items_add(
            actor=actor_of(request),
            scope=scope_of(request),
            batch=batch,
            items=parsed.pairs,
            all_or_nothing=True,
            check_only=bool(parsed.refusals),  # the lines it refused itself stop the rest: checked, not added
        )
    except DomainError as exc:
        return _refused(request, batch, form, exc)
    if not (parsed.refusals or refused):
        messages.success(request, f"已添加 {len(parsed.pairs)} 条明细。")
        return redirect("payouts:payout", pk=batch.pk)
    by_line = [(r.line, r.text, r.reason) for r in parsed.refusals]
    lines = text.splitlines()
    for r in refused:
        n = parsed.line_of[r.membership_id]
        by_line.append((n, lines[n - 1].strip(), r.reason))
    by_line.sort()
    form.add_error(
        "lines", f"{len(by_line)} 行未通过（行号与原因见下表），本次未添加任何明细；请修改这些行后再次提交。"
    )
    # The table is outside the input: a typed ID number shows there masked; the textarea keeps it as typed.
    rows = [(n, mask_ids_in(line), why) for n, line, why in by_line[:500]]
    return payout_detail(request, batch.pk, refused={"lines_form": form, "refusals": rows})


@login_required
@require_POST
def payout_items_all(request: HttpRequest, pk: int) -> HttpResponse:
    batch = _batch(request, pk)
    require_perm(request, PayoutPerm.MAKE, batch.org_path)
    form = pf.ItemsForAllForm(request.POST)
    try:
        if not form.is_valid():
            raise DomainError("payout.amount_required", field="amount")
        fen = services.yuan_to_fen(form.cleaned_data["amount"])
        ids = item_lines.cardholder_memberships(batch)
        refused = services.payout_items_add(
            actor=actor_of(request), scope=scope_of(request), batch=batch, items=[(i, fen) for i in ids]
        )
    except DomainError as exc:
        if exc.code == "payout.amount_invalid":
            exc.details = {"amount": exc.message}  # the amount typed is what is wrong: shown beside it
        return _refused(request, batch, form, exc)
    # Those already paid for this reference are expected here: say how many, not who.
    added = len(ids) - len(refused)
    skipped = f"，{len(refused)} 名已有本事项的发放记录或不符合条件，未添加" if refused else ""
    messages.success(request, f"已为 {added} 名持卡会员添加明细{skipped}。")
    return redirect("payouts:payout", pk=batch.pk)


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
    note = pf.NoteForm(request.POST).data.get("note", "") or ""
    target = batch.pk
    try:
        if action == "submit":
            services.payout_batch_submit(actor=actor, scope=scope, batch=batch)
        elif action in ("approve", "return"):
            services.payout_batch_decide(actor=actor, scope=scope, batch=batch, approve=action == "approve", note=note)
        elif action == "cancel":
            services.payout_batch_cancel(actor=actor, scope=scope, batch=batch, note=note)
        else:
            target = services.payout_batch_retry(actor=actor, scope=scope, batch=batch).pk
    except DomainError as exc:
        if action in ("approve", "return") and exc.code != "payout.wrong_status":
            # The checker's note stays as typed, the refusal beside it (a batch no longer waiting has no form).
            note_form = pf.NoteForm(request.POST)
            note_form.add_error(None, refusal_text(exc))
            return payout_detail(request, batch.pk, refused={"note_form": note_form})
        messages.error(request, refusal_text(exc))
    else:
        messages.success(request, f"已办理：{label}。")
    return redirect("payouts:payout", pk=target)


@login_required
@require_POST
def payout_bank_file(request: HttpRequest, pk: int) -> HttpResponseBase:
    batch = _batch(request, pk)
    require_perm(request, PayoutPerm.MAKE, batch.org_path)
    try:
        return bank_file_response(actor=actor_of(request), scope=scope_of(request), batch=batch)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("payouts:payout", pk=batch.pk)
