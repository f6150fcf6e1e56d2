"""Pages for the agency lists and the review queue: thin views over the cross-check services.

A match never decides anything by itself: it waits here, with its evidence
(which list, which record), until a reviewer clears or confirms it with a reason.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from gonghui.core.errors import DomainError, NotFoundError
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
from gonghui.crosscheck.models import CrossCheckReview, Decision
from gonghui.crosscheck.permissions import CrossCheckPerm
from gonghui.crosscheck.services import (
    agency_list_list,
    crosscheck_decide,
    crosscheck_run_open,
    review_evidence,
    review_list,
)
from gonghui.crosscheck.subjects import describe_subjects
from gonghui.orgs.fields import OrgCodeField
from gonghui.orgs.selectors import org_get


@login_required
def review_queue(request: HttpRequest) -> HttpResponse:
    scope = require_perm(request, CrossCheckPerm.VIEW)
    status = request.GET.get("status", Decision.PENDING)
    status = status if status in Decision.values else ""
    listing = list_page(request, review_list(scope=scope, status=status or None).select_related("org"))
    rows = listing.rows
    subjects = describe_subjects([(r.subject_type, r.subject_id) for r in rows])
    for r in rows:
        r.subject = subjects[(r.subject_type, r.subject_id)]
    return render(
        request,
        "crosscheck/review_list.html",
        {
            "section": "crosscheck",
            **listing.context(),
            "status": status,
            "statuses": Decision.choices,
        },
    )


def _review(request: HttpRequest, pk: int) -> CrossCheckReview:
    def lookup(scope: Scope, pk: int) -> CrossCheckReview:
        review = review_list(scope=scope).select_related("org", "decided_by").filter(pk=pk).first()
        if review is None:
            raise NotFoundError()
        return review

    return found_or_404(lookup, scope=scope_of(request), pk=pk)


class DecideForm(forms.Form):
    decision = forms.ChoiceField(
        label="复核结果",
        choices=[(Decision.CLEARED, "排除（不是重复受助）"), (Decision.CONFIRMED, "确认重复受助")],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label="复核理由",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="写明依据，例如“低保户，属深度困难建档对象”或“已获共青团希望工程资助”。",
        error_messages={"required": "请填写复核理由"},
    )


@login_required
def review_detail(request: HttpRequest, pk: int) -> HttpResponse:
    review = _review(request, pk)
    scope = scope_of(request)
    can_decide = review.status == Decision.PENDING and scope.has_perm(CrossCheckPerm.DECIDE, review.org_path)
    form = DecideForm(request.POST or None)
    if request.method == "POST":
        require_perm(request, CrossCheckPerm.DECIDE, review.org_path)

        def perform(data: dict[str, str]) -> tuple[str, str]:
            crosscheck_decide(
                actor=actor_of(request),
                scope=scope,
                review_id=review.pk,
                decision=data["decision"],
                reason=data["reason"],
            )
            return reverse("crosscheck:review", args=[review.pk]), "复核结果已保存"

        done = run_form(request, form, perform)
        if done is not None:
            return done
    subject = describe_subjects([(review.subject_type, review.subject_id)])[(review.subject_type, review.subject_id)]
    return render(
        request,
        "crosscheck/review_detail.html",
        {
            "section": "crosscheck",
            "review": review,
            "subject": subject,
            "evidence": review_evidence(review=review),
            "form": form if can_decide else None,
        },
        status=400 if request.method == "POST" else 200,
    )


class RunForm(forms.Form):
    org_code = OrgCodeField(
        label="工会代码",
        max_length=40,
        help_text="比对该工会及其下级所有在办的金秋助学申请和困难职工家庭（已签授权书的）。",
        error_messages={"required": "请填写工会代码"},
    )


@login_required
def agency_lists(request: HttpRequest) -> HttpResponse:
    scope = require_perm(request, CrossCheckPerm.VIEW)
    can_import = scope.has_perm_anywhere(CrossCheckPerm.IMPORT)
    form = RunForm(request.POST or None)
    if request.method == "POST":
        require_perm(request, CrossCheckPerm.IMPORT)
        if form.is_valid():
            try:
                org = org_get(scope=scope, code=form.cleaned_data["org_code"].strip(), perm=CrossCheckPerm.IMPORT)
                done = crosscheck_run_open(actor=actor_of(request), scope=scope, org=org)
            except NotFoundError:
                form.add_error("org_code", "没有找到该工会，或您无权在该工会比对名单")
            except DomainError as exc:
                apply_domain_error(form, exc)
            else:
                messages.success(
                    request,
                    f"已比对{org.name}的 {done.subjects} 个在办对象：命中名单 {done.flagged} 个，"
                    f"其中待复核 {done.pending} 个。",
                )
                return redirect(reverse("crosscheck:reviews"))
    listing = list_page(request, agency_list_list(scope=scope).select_related("org", "uploaded_by"))
    return render(
        request,
        "crosscheck/list_list.html",
        {
            "section": "crosscheck",
            **listing.context(),
            "status": "",
            "can_import": can_import,
            "run_form": form,
        },
        status=400 if request.method == "POST" else 200,
    )
