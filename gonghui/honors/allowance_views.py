"""劳模津贴's page: the unions' standards in scope, setting one, and a period's payout batch."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from gonghui.cards.selectors import bank_get, bank_list
from gonghui.core.errors import DomainError
from gonghui.core.viewutils import actor_of, apply_domain_error, require_perm, scope_of
from gonghui.honors import allowance, selectors
from gonghui.honors import forms as hf
from gonghui.honors.permissions import HonorPerm
from gonghui.orgs.selectors import org_get
from gonghui.payouts.permissions import PayoutPerm


def _page(request: HttpRequest, **forms: Any) -> HttpResponse:
    scope = scope_of(request)
    standards = list(selectors.allowance_standards(scope=scope))
    for s in standards:
        s.holder_count = len(allowance.allowance_holders(s))  # type: ignore[attr-defined]
    payable = [s for s in standards if scope.has_perm(PayoutPerm.MAKE, s.org_path)]
    return render(
        request,
        "honors/allowance.html",
        {
            "section": "honors_allowance",
            "standards": standards,
            "standard_form": forms.get("standard_form") or hf.AllowanceStandardForm(),
            "batch_form": forms.get("batch_form") or hf.AllowanceBatchForm(standards=payable, banks=bank_list()),
            # A refused batch form is shown with its errors even to a caller with nothing to pay.
            "can_pay": bool(payable) or "batch_form" in forms,
            "batches": list(selectors.allowance_batches(scope=scope)[:20]),
        },
    )


@login_required
def allowance_page(request: HttpRequest) -> HttpResponse:
    require_perm(request, HonorPerm.VIEW)
    return _page(request)


@login_required
def allowance_standard(request: HttpRequest) -> HttpResponse:
    scope = require_perm(request, HonorPerm.MANAGE)
    form = hf.AllowanceStandardForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            org = org_get(scope=scope, code=data["org_code"].strip().upper())
        except DomainError:
            form.add_error("org_code", "找不到该工会，或不在您的管辖范围内")
        else:
            try:
                standard = allowance.allowance_standard_set(
                    actor=actor_of(request),
                    scope=scope,
                    org=org,
                    level_floor=data["level_floor"],
                    period=data["period"],
                    amount_fen=data["amount"],
                )
            except DomainError as exc:
                apply_domain_error(form, exc)
            else:
                messages.success(request, f"已设置{org.name}的劳模津贴：{standard}。")
                return redirect("honors:allowance")
    return _page(request, standard_form=form)


@login_required
def allowance_batch(request: HttpRequest) -> HttpResponse:
    scope = require_perm(request, HonorPerm.MANAGE)
    standards = [s for s in selectors.allowance_standards(scope=scope) if scope.has_perm(PayoutPerm.MAKE, s.org_path)]
    form = hf.AllowanceBatchForm(request.POST or None, standards=standards, banks=bank_list())
    if request.method == "POST" and form.is_valid():
        standard = next(s for s in standards if str(s.pk) == form.cleaned_data["standard"])
        try:
            batch, refusals = allowance.allowance_batch_create(
                actor=actor_of(request),
                scope=scope,
                standard=standard,
                period=form.cleaned_data["period"],
                bank=bank_get(form.cleaned_data["bank"]),
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            if refusals:
                messages.warning(
                    request,
                    f"已生成代发批次（草稿），{len(refusals)} 人未列入："
                    + "；".join(f"{r.name}（{r.reason}）" for r in refusals[:20]),
                )
            else:
                messages.success(request, "已生成劳模津贴代发批次（草稿），请提交复核。")
            return redirect("payouts:payout", pk=batch.pk)
    return _page(request, batch_form=form)
