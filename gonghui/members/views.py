"""Registry pages: roster, member page, registration, transitions, applications, transfers.

Views stay thin: read through selectors, write through services, and turn a
service's refusal into a form error so nothing is half-saved.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from gonghui.core.errors import DomainError
from gonghui.core.masking import mask_mobile
from gonghui.core.scoping import Scope
from gonghui.core.ui import member_panels
from gonghui.core.viewutils import (
    Button,
    actor_of,
    apply_domain_error,
    found_or_404,
    page_size,
    press_button,
    require_perm,
    run_form,
    scope_of,
)
from gonghui.members import forms as mf
from gonghui.members import selectors, services
from gonghui.members.models import Membership, MembershipStatus, Transfer
from gonghui.members.permissions import MemberPerm
from gonghui.members.validation import code_label
from gonghui.orgs.models import Org
from gonghui.orgs.selectors import org_get


def _membership(request: HttpRequest, pk: int) -> Membership:
    return found_or_404(selectors.membership_get, scope=scope_of(request), pk=pk)


def _transfer(request: HttpRequest, pk: int) -> Transfer:
    return found_or_404(selectors.transfer_get, scope=scope_of(request), pk=pk)


def _form_page(request: HttpRequest, form: forms.Form, title: str, back: str, **extra: Any) -> HttpResponse:
    context = {"section": "members", "form": form, "title": title, "back": back, **extra}
    return render(request, "members/form.html", context)


def _submit(
    request: HttpRequest,
    form: forms.Form,
    title: str,
    back: str,
    perform: Callable[[dict[str, Any]], tuple[str, str]],
    **extra: Any,
) -> HttpResponse:
    return run_form(request, form, perform) or _form_page(request, form, title, back, **extra)


# --- roster ---------------------------------------------------------------------------------------


def _filters(form: mf.RosterFilterForm) -> selectors.RosterFilters:
    data = form.cleaned_data if form.is_valid() else {}
    ne = data.get("new_employment_type", "")
    migrant = data.get("migrant", "")
    return selectors.RosterFilters(
        q=data.get("q", ""),
        org_code=(data.get("org") or "").strip().upper(),
        status=data.get("status", ""),
        new_employment=True if ne == "any" else None,
        new_employment_type="" if ne == "any" else ne,
        migrant=None if migrant == "" else migrant == "1",
    )


# Search terms that must not travel in a URL (history, proxies, access logs).
PRIVATE_TERMS = {"id", "other_id", "mobile"}


@login_required
def roster(request: HttpRequest) -> HttpResponse:
    """The roster; the search form is POSTed so an ID number never sits in a URL."""
    scope = require_perm(request, MemberPerm.VIEW)
    data = request.POST if request.method == "POST" else request.GET
    form = mf.RosterFilterForm(data or None)
    filters = _filters(form)
    try:
        page = int(data.get("page", "1") or 1)
    except ValueError:
        page = 1
    size = page_size(request, data=data)
    try:
        result = selectors.membership_page(scope=scope, filters=filters, page=page, size=size)
    except DomainError:
        # An org code out of scope reads as unknown, as everywhere.
        form.add_error("org", "未找到该工会，或您无权访问。")
        result = selectors.RosterPage([], 0, True, 1, 1)
    params = data.copy()
    for key in ("page", "csrfmiddlewaretoken"):
        params.pop(key, None)
    term = selectors.classify_search(filters.q)
    private_search = term is not None and term.kind in PRIVATE_TERMS
    export_org = _export_org(scope, filters.org_code)
    rows = [
        {
            "ms": ms,
            "mobile": mask_mobile(ms.person.mobile) if ms.person.mobile else "",
            "ne": code_label("new_employment_type", ms.person.new_employment_type),
        }
        for ms in result.items
    ]
    return render(
        request,
        "members/roster.html",
        {
            "section": "members",
            "form": form,
            "rows": rows,
            "result": result,
            "query": params.urlencode(),
            "page_size": size,
            "private_search": private_search,
            "can_register": scope.has_perm_anywhere(MemberPerm.REGISTER),
            "can_approve": scope.has_perm_anywhere(MemberPerm.APPROVE),
            "pending_applications": selectors.applications_pending(scope=scope).count()
            if scope.has_perm_anywhere(MemberPerm.APPROVE)
            else 0,
            "pending_transfers": selectors.transfer_list(scope=scope).count(),
            "export_org": export_org,
            "can_export_unmasked": export_org is not None and scope.has_perm(MemberPerm.VIEW_ID, export_org.path),
        },
    )


def _export_org(scope: Scope, code: str) -> Org | None:
    """The union whose roster the export button exports: the filter's, else the first one granted."""
    if not code:
        code = next((g.org_code for g in scope.grants if MemberPerm.VIEW in g.permissions), "")
    if not code:
        return None
    try:
        return org_get(scope=scope, code=code)
    except DomainError:
        return None


# --- member page ----------------------------------------------------------------------------------


def _actions(scope: Any, ms: Membership) -> list[tuple[str, str]]:
    """The transitions the caller may start from the member's page now."""
    path = ms.org_path
    can = {perm: scope.has_perm(perm, path) for perm in MemberPerm.values}
    actions: list[tuple[str, str]] = []
    if ms.status == MembershipStatus.APPLIED and can[MemberPerm.APPROVE]:
        actions += [("approve", "通过入会申请"), ("reject", "不予通过")]
    if ms.status in (MembershipStatus.ACTIVE, MembershipStatus.RETAINED) and can[MemberPerm.TRANSFER]:
        actions.append(("transfer", "转出（会籍接转）"))
    if ms.status == MembershipStatus.ACTIVE and can[MemberPerm.CHANGE]:
        actions.append(("retain", "保留会籍"))
    if ms.status == MembershipStatus.RETAINED and can[MemberPerm.CHANGE]:
        actions.append(("resume", "恢复正常会籍"))
    if ms.status in (MembershipStatus.ACTIVE, MembershipStatus.RETAINED) and can[MemberPerm.CHANGE]:
        actions += [("withdraw", "退会"), ("expel", "除名")]
    if ms.status in (MembershipStatus.WITHDRAWN, MembershipStatus.EXPELLED) and can[MemberPerm.CHANGE]:
        actions.append(("reinstate", "恢复会籍"))
    return actions


PERSON_CODE_ROWS = (
    ("ethnicity", "民族"),
    ("education", "学历"),
    ("degree", "学位"),
    ("political_status", "政治面貌"),
    ("hukou_type", "户籍类型"),
    ("employment_status", "就业状况"),
    ("skill_level", "技能等级"),
    ("new_employment_type", "新就业形态类别"),
)


def _application_rows(ms: Membership) -> list[tuple[str, str]]:
    """What the worker typed in a join application, labelled, for the reviewer."""
    from gonghui.members.models import Person
    from gonghui.members.validation import CODE_FIELDS

    rows = []
    for key, value in ms.application.items():
        label = str(getattr(Person._meta.get_field(key), "verbose_name", key))
        if key in CODE_FIELDS:
            value = code_label(CODE_FIELDS[key], value)
        elif isinstance(value, bool):
            value = "是" if value else "否"
        elif key == "mobile":
            value = mask_mobile(value)
        rows.append((label, str(value or "—")))
    return rows


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    scope = scope_of(request)
    ms = _membership(request, pk)
    applied = ms.status == MembershipStatus.APPLIED
    p = selectors.shown_person(ms)  # an application shows what was typed, not the registry's record
    transfers = selectors.transfers_of(scope=scope, membership=ms)
    context = {
        "section": "members",
        "ms": ms,
        "person": p,
        "codes": [(label, code_label(field, getattr(p, field))) for field, label in PERSON_CODE_ROWS],
        "gender": {"1": "男", "2": "女"}.get(p.gender, "—"),
        "id_type": code_label("id_type", p.id_type),
        "application": _application_rows(ms) if ms.status == MembershipStatus.APPLIED else [],
        "history": selectors.membership_history(scope=scope, membership=ms),
        "memberships": [ms] if applied else selectors.person_memberships(scope=scope, membership=ms),
        "transfers": [(tr, selectors.transfer_shown(scope, tr)) for tr in transfers],
        "actions": _actions(scope, ms),
        "can_view_id": scope.has_perm(MemberPerm.VIEW_ID, ms.org_path),
        # The full birth date is eight of the digits the masked number hides: it comes with the reveal.
        "age": selectors.age_on(p.birth_date, timezone.localdate()),
        # Masked as on the roster; the full number comes with the audited reveal.
        "mobile_masked": mask_mobile(p.mobile) if p.mobile else "",
        "can_edit": ms.is_live and scope.has_perm(MemberPerm.PERSON_CHANGE, ms.org_path),
    }
    # Panels of the apps above members (service cards…), registered with core.ui.
    context["panels"] = [] if applied else member_panels(scope, p.pk, ms.org_path)
    return render(request, "members/detail.html", context)


@login_required
@require_POST
def reveal_id(request: HttpRequest, pk: int) -> HttpResponse:
    """htmx: the full ID number in place of the masked one, and the full birth date (out of band) in place
    of the year: one reveal, audited by the service."""
    ms = _membership(request, pk)
    try:
        value = services.person_reveal_id(
            actor=actor_of(request), scope=scope_of(request), membership=ms, ip_address=request.META.get("REMOTE_ADDR")
        )
    except DomainError as exc:
        return HttpResponse(exc.message, status=exc.status)
    response = render(
        request,
        "members/detail.html#full_id",
        {"value": value, "birth_date": ms.person.birth_date, "mobile": ms.person.mobile},
    )
    response["Cache-Control"] = "no-store"
    return response


@login_required
def register(request: HttpRequest) -> HttpResponse:
    scope = require_perm(request, MemberPerm.REGISTER)
    initial = {"org_code": request.GET.get("org", ""), "id_type": "1"}
    form = mf.RegisterForm(request.POST or None, initial=initial)

    def union(code: str) -> Org:
        try:
            return org_get(scope=scope, code=code.strip().upper(), perm=MemberPerm.REGISTER)
        except DomainError as exc:
            raise DomainError("member.org_unknown", field="org_code") from exc

    if request.method == "POST" and not form.is_valid() and form.cleaned_data.get("org_code"):
        try:  # the union is named with the other mistakes, not alone once they are mended
            union(form.cleaned_data["org_code"])
        except DomainError as exc:
            apply_domain_error(form, exc)

    def perform(data: dict[str, Any]) -> tuple[str, str]:
        org = union(data.pop("org_code"))
        ms = services.member_register(
            actor=actor_of(request),
            scope=scope,
            org=org,
            id_number=data.pop("id_number"),
            id_type=data.pop("id_type"),
            fields=data,
        )
        for warning in ms.warnings:
            messages.warning(request, warning)
        done = f"已登记会员“{ms.person.name}”，会员编号 {ms.person.member_no}。"
        return reverse("members:detail", args=[ms.pk]), done

    return _submit(request, form, "登记会员", reverse("members:roster"), perform)


@login_required
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    ms = _membership(request, pk)
    require_perm(request, MemberPerm.PERSON_CHANGE, ms.org_path)
    p = ms.person
    initial = {name: getattr(p, name) for name in mf.PersonEditForm.base_fields}
    form = mf.PersonEditForm(request.POST or None, initial=initial)

    def perform(data: dict[str, Any]) -> tuple[str, str]:
        changes = {k: v for k, v in data.items() if v != initial.get(k)}
        if changes.get("joined_on", "") is None:
            del changes["joined_on"]  # left empty: unchanged (a member always has a 入会日期)
        services.person_update(actor=actor_of(request), scope=scope_of(request), membership=ms, changes=changes)
        return reverse("members:detail", args=[ms.pk]), "会员信息已保存。"

    back = reverse("members:detail", args=[ms.pk])
    return _submit(request, form, f"修改会员信息：{p.name}", back, perform, ms=ms)


TRANSITIONS: dict[str, tuple[str, str]] = {
    # action: (title, permission)
    "approve": ("通过入会申请", MemberPerm.APPROVE),
    "reject": ("不予通过入会申请", MemberPerm.APPROVE),
    "retain": ("保留会籍", MemberPerm.CHANGE),
    "resume": ("恢复正常会籍", MemberPerm.CHANGE),
    "withdraw": ("退会", MemberPerm.CHANGE),
    "expel": ("除名", MemberPerm.CHANGE),
    "reinstate": ("恢复会籍", MemberPerm.CHANGE),
    "transfer": ("转出：发起会籍接转", MemberPerm.TRANSFER),
}


def _transition_form(action: str, data: Any) -> forms.Form:
    if action == "retain":
        return mf.ReasonForm(data, table="retain_reason")
    if action == "withdraw":
        return mf.ReasonForm(data, table="withdraw_reason")
    if action == "transfer":
        return mf.TransferOutForm(data)
    return mf.NoteForm(data)


@login_required
def transition(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    if action not in TRANSITIONS:
        raise Http404
    ms = _membership(request, pk)
    title, perm = TRANSITIONS[action]
    require_perm(request, perm, ms.org_path)
    form = _transition_form(action, request.POST or None)
    scope, actor = scope_of(request), actor_of(request)

    def perform(data: dict[str, Any]) -> tuple[str, str]:
        note = data.get("note", "")
        if action == "transfer":
            tr = services.transfer_out(
                actor=actor, scope=scope, membership=ms, to_code=data["to_code"], reason=data["reason"], note=note
            )
            return reverse("members:transfer", args=[tr.pk]), "已发起会籍接转，等待转入方工会审批。"
        done = services.membership_transition(
            actor=actor, scope=scope, membership=ms, action=action, reason=data.get("reason", ""), note=note
        )
        target = done.pk if selectors.membership_queryset(scope=scope).filter(pk=done.pk).exists() else ms.pk
        return reverse("members:detail", args=[target]), f"已办理：{title}。"

    name = selectors.shown_person(ms).name
    back = reverse("members:detail", args=[ms.pk])
    return _submit(request, form, f"{title}：{name}", back, perform, ms=ms, ms_name=name)


@login_required
def applications(request: HttpRequest) -> HttpResponse:
    scope = require_perm(request, MemberPerm.APPROVE)
    rows = list(selectors.applications_pending(scope=scope)[:500])
    return render(request, "members/applications.html", {"section": "members", "rows": rows})


# --- transfers ------------------------------------------------------------------------------------


@login_required
def transfers(request: HttpRequest) -> HttpResponse:
    scope = require_perm(request, MemberPerm.VIEW)
    status = request.GET.get("status", "pending")
    qs = selectors.transfer_list(scope=scope, status="" if status == "all" else status)[:500]
    rows = [(tr, selectors.transfer_actions(scope, tr), selectors.transfer_shown(scope, tr)) for tr in qs]
    return render(
        request,
        "members/transfers.html",
        {
            "section": "members",
            "rows": rows,
            "status": status,
            "can_request": scope.has_perm_anywhere(MemberPerm.TRANSFER),
        },
    )


@login_required
def transfer_detail(request: HttpRequest, pk: int, refused: mf.NoteForm | None = None) -> HttpResponse:
    """The transfer and its note form (`refused`: the one just refused, as typed, with its errors)."""
    scope = scope_of(request)
    tr = _transfer(request, pk)
    return render(
        request,
        "members/transfer.html",
        {
            "section": "members",
            "tr": tr,
            # 转入 by ID number: the person masked and the releasing union withheld until it agrees.
            "shown": selectors.transfer_shown(scope, tr),
            "reason": code_label("transfer_reason", tr.reason),
            "can": selectors.transfer_actions(scope, tr),
            "form": refused or mf.NoteForm(),
            # The new membership may lie outside the sending side's scope.
            "show_new": tr.new_membership_id is not None
            and selectors.membership_queryset(scope=scope).filter(pk=tr.new_membership_id).exists(),
        },
    )


def _transfer_decided(tr: Any) -> str:
    return "接转已完成。" if tr.status == "completed" else "已提交本方意见。"


# Each side's buttons on a transfer; the services check who may press them.
TRANSFER_BUTTONS = {
    "cancel": Button(None, lambda note, **kw: services.transfer_cancel(**kw), "接转已撤回。"),
    "approve": Button(None, lambda **kw: services.transfer_decide(approve=True, **kw), _transfer_decided),
    "reject": Button(None, lambda **kw: services.transfer_decide(approve=False, **kw), _transfer_decided),
}


@login_required
@require_POST
def transfer_decide(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    if action not in TRANSFER_BUTTONS:
        raise Http404
    tr = _transfer(request, pk)
    form = mf.NoteForm(request.POST)
    if not form.is_valid():  # a note too long is said so, not dropped (and then missed by the service)
        return transfer_detail(request, pk, refused=form)
    if not press_button(
        request,
        TRANSFER_BUTTONS,
        action,
        actor=actor_of(request),
        scope=scope_of(request),
        transfer=tr,
        note=form.cleaned_data["note"],
    ):
        return transfer_detail(request, pk, refused=form)  # the refusal above, the note kept
    return redirect("members:transfer", pk)


@login_required
def transfer_request(request: HttpRequest) -> HttpResponse:
    """转入: the receiving union asks for a worker's membership by ID number."""
    scope = require_perm(request, MemberPerm.TRANSFER)
    form = mf.TransferInForm(request.POST or None, initial={"to_code": request.GET.get("org", ""), "id_type": "1"})

    def perform(data: dict[str, Any]) -> tuple[str, str]:
        try:
            to_org = org_get(scope=scope, code=data["to_code"].strip().upper(), perm=MemberPerm.TRANSFER)
        except DomainError as exc:
            raise DomainError("member.org_unknown", field="to_code") from exc
        tr = services.transfer_in(
            actor=actor_of(request),
            scope=scope,
            to_org=to_org,
            id_number=data["id_number"],
            id_type=data["id_type"],
            reason=data["reason"],
            note=data.get("note", ""),
        )
        return reverse("members:transfer", args=[tr.pk]), "已发起转入申请，等待转出方工会审批。"

    return _submit(request, form, "转入：按证件号码接收会员", reverse("members:transfers"), perform)
