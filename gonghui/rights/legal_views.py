"""Pages of legal aid: the lawyers' roster (律师库), legal-aid matters from hotline cases with their
hearings and closing, and 百名律师进千企 visits with the follow-up of the issues found.

Thin views over `legal` (writes) and `legal_selectors` (reads). Forms keep what was typed and show
every refusal at once; another union's record is a 404; a page the caller holds no permission for
is a 403. Lawyers' phones appear masked.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import urlencode

from gonghui.core import words
from gonghui.core.errors import DomainError, PermissionDeniedError
from gonghui.core.masking import mask_mobile
from gonghui.core.money import AmountError, amount_refusal, fen_to_yuan, parse_yuan
from gonghui.core.scoping import Scope
from gonghui.core.viewutils import actor_of, apply_domain_error, found_or_404, list_page, require_perm
from gonghui.orgs.models import Org
from gonghui.orgs.selectors import org_get
from gonghui.rights import legal, selectors
from gonghui.rights import legal_selectors as sel
from gonghui.rights.legal_forms import AidOpenForm, CloseForm, HearingForm, LawyerEditForm, LawyerForm, VisitForm
from gonghui.rights.legal_words import AidForm, IssueStatus, LawArea
from gonghui.rights.models import AidStatus, Lawyer, VisitIssue
from gonghui.rights.permissions import RightsPerm

AREA_LABELS = dict(LawArea.choices)
HEARING_BODIES = ["劳动人事争议仲裁委员会", "人民法院", "劳动争议调解委员会", "人民调解委员会"]


def _datalists(*tables: str) -> list[tuple[str, list[str]]]:
    return [(t, [str(label) for _v, label in words.choice_table(t).options()]) for t in tables]


def _first_org(scope: Scope, perm: str) -> str:
    for g in scope.grants:
        if perm in g.permissions:
            return g.org_code
    return ""


def _decorate_lawyer(lw: Lawyer) -> Lawyer:
    lw.phone_masked = mask_mobile(lw.phone) if lw.phone else ""  # type: ignore[attr-defined]
    lw.area_labels = "、".join(AREA_LABELS.get(a, a) for a in lw.areas)  # type: ignore[attr-defined]
    return lw


def _add_errors(form: Any, errors: dict[str, str]) -> None:
    for field, reason in errors.items():
        name = field if field in form.fields else None
        if name is None or not form.has_error(name):
            form.add_error(name, reason)


def _resolve_org(form: Any, scope: Scope, perm: str) -> Org | None:
    if not form.is_valid() and form.has_error("org"):
        return None
    try:
        return org_get(scope=scope, code=form.cleaned_data["org"], perm=perm)
    except DomainError:
        form.add_error("org", DomainError("org.not_in_scope").message)
        return None


# --- the roster -----------------------------------------------------------------------------------


@login_required
def lawyer_list(request: HttpRequest) -> HttpResponse:
    scope = require_perm(request, RightsPerm.LEGAL_VIEW)
    g = request.GET
    q = g.get("q", "").strip()[:40]
    active_raw = g.get("active", "")
    active = {"1": True, "0": False}.get(active_raw)
    area = g.get("area", "") if g.get("area", "") in LawArea.values else ""
    listing = list_page(request, sel.lawyer_list(scope=scope, q=q, active=active, area=area))
    for lw in listing.rows:
        _decorate_lawyer(lw)
        lw.can_edit = scope.has_perm(RightsPerm.LEGAL_MANAGE, lw.org_path)
    chosen = (("q", q), ("active", active_raw if active is not None else ""), ("area", area))
    return render(
        request,
        "rights/lawyer_list.html",
        {
            "section": "rights_lawyers",
            **listing.context(),
            "f": {"q": q, "active": active_raw, "area": area},
            "areas": LawArea.choices,
            "query": urlencode([(k, v) for k, v in chosen if v]),
            "can_add": scope.has_perm_anywhere(RightsPerm.LEGAL_MANAGE),
        },
    )


def _lawyer_raw(request: HttpRequest) -> dict[str, Any]:
    raw: dict[str, Any] = {k: request.POST.get(k, "") for k in ("name", "firm", "licence_no", "areas", "phone")}
    raw["active"] = bool(request.POST.get("active"))
    return raw


@login_required
def lawyer_new(request: HttpRequest) -> HttpResponse:
    scope = require_perm(request, RightsPerm.LEGAL_MANAGE)
    if request.method == "POST":
        form = LawyerForm(request.POST)
        raw = _lawyer_raw(request)
        _values, errors = legal.clean_lawyer(raw)
        org = _resolve_org(form, scope, RightsPerm.LEGAL_MANAGE)
        _add_errors(form, errors)
        if org is not None and not errors:
            try:
                lw = legal.lawyer_add(actor=actor_of(request), scope=scope, org=org, raw=raw)
            except DomainError as exc:
                apply_domain_error(form, exc)
            else:
                messages.success(request, f"已将律师{lw.name}登记到{org.name}律师库。")
                return redirect("rights:lawyers")
    else:
        form = LawyerForm(initial={"org": _first_org(scope, RightsPerm.LEGAL_MANAGE), "active": True})
    return render(
        request,
        "rights/lawyer_form.html",
        {"section": "rights_lawyers", "form": form, "title": "登记律师", "datalists": _datalists("rights_law_area")},
    )


@login_required
def lawyer_edit(request: HttpRequest, pk: int) -> HttpResponse:
    scope = require_perm(request, RightsPerm.LEGAL_VIEW)
    lw = found_or_404(sel.lawyer_get, scope=scope, pk=pk)
    require_perm(request, RightsPerm.LEGAL_MANAGE, lw.org_path)
    if request.method == "POST":
        form = LawyerEditForm(request.POST)
        form.is_valid()
        raw = _lawyer_raw(request)
        try:
            legal.lawyer_change(actor=actor_of(request), scope=scope, lawyer=lw, raw=raw)
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, f"已保存律师{raw['name'].strip()}的信息。")
            return redirect("rights:lawyers")
    else:
        form = LawyerEditForm(
            initial={
                "name": lw.name,
                "firm": lw.firm,
                "licence_no": lw.licence_no,
                "areas": "、".join(AREA_LABELS.get(a, a) for a in lw.areas),
                "phone": lw.phone,
                "active": lw.active,
            }
        )
    return render(
        request,
        "rights/lawyer_form.html",
        {
            "section": "rights_lawyers",
            "form": form,
            "title": f"修改律师信息（{lw.org.name}）",
            "lawyer": lw,
            "datalists": _datalists("rights_law_area"),
        },
    )


# --- legal-aid matters -----------------------------------------------------------------------------


@login_required
def aid_list(request: HttpRequest) -> HttpResponse:
    scope = require_perm(request, RightsPerm.LEGAL_VIEW)
    g = request.GET
    status = g.get("status", "") if g.get("status", "") in AidStatus.values else ""
    form = g.get("form", "") if g.get("form", "") in AidForm.values else ""
    q = g.get("q", "").strip()[:40]
    filters = sel.MatterFilters(status=status, form=form, q=q)
    listing = list_page(request, sel.matter_list(scope=scope, filters=filters))
    for m in listing.rows:
        m.recovered_yuan = fen_to_yuan(m.recovered_fen) if m.recovered_fen is not None else ""
    chosen = (("status", status), ("form", form), ("q", q))
    return render(
        request,
        "rights/aid_list.html",
        {
            "section": "rights_legal_aid",
            **listing.context(),
            "f": {"status": status, "form": form, "q": q},
            "statuses": AidStatus.choices,
            "forms": AidForm.choices,
            "query": urlencode([(k, v) for k, v in chosen if v]),
        },
    )


@login_required
def aid_new(request: HttpRequest) -> HttpResponse:
    """转为法律援助: `?case=<id>` (a case the caller sees; legal.manage on the union holding it)."""
    scope = require_perm(request, RightsPerm.LEGAL_MANAGE)
    case_id = request.POST.get("case") or request.GET.get("case") or ""
    if not str(case_id).isdigit():
        return redirect("rights:cases")
    case = found_or_404(selectors.case_get, scope=scope, pk=int(case_id))
    require_perm(request, RightsPerm.LEGAL_MANAGE, case.org_path)
    lawyers = sel.roster_for(org_path=case.org_path)
    if request.method == "POST":
        form = AidOpenForm(request.POST, lawyers=lawyers)
        form.is_valid()
        try:
            matter = legal.aid_open(
                actor=actor_of(request),
                scope=scope,
                case=case,
                form=request.POST.get("form", ""),
                lawyer_id=request.POST.get("lawyer", ""),
                opened_on=request.POST.get("opened_on", ""),
                note=request.POST.get("note", ""),
            )
        except PermissionDeniedError as exc:
            raise PermissionDenied(exc.message) from exc
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, f"工单 {case.number} 已转为法律援助（{matter.get_form_display()}）。")
            return redirect("rights:aid", pk=matter.pk)
    else:
        form = AidOpenForm(lawyers=lawyers, initial={"opened_on": timezone.localdate().isoformat()})
    return render(
        request,
        "rights/aid_new.html",
        {"section": "rights_legal_aid", "form": form, "case": case, "datalists": _datalists("rights_aid_form")},
    )


def _close_fen(raw: str, errors: dict[str, str]) -> int | None:
    if not raw.strip():
        return None
    try:
        return parse_yuan(raw, allow_zero=True)
    except AmountError as exc:
        errors["recovered"] = amount_refusal(exc, allow_zero=True)
        return None


@login_required
def aid_detail(request: HttpRequest, pk: int) -> HttpResponse:
    scope = require_perm(request, RightsPerm.LEGAL_VIEW)
    matter = found_or_404(sel.matter_get, scope=scope, pk=pk)
    manage = scope.has_perm(RightsPerm.LEGAL_MANAGE, matter.org_path)
    hearing_form = HearingForm(initial={"held_on": timezone.localdate().isoformat()})
    close_form = CloseForm(initial={"closed_on": timezone.localdate().isoformat()})
    if request.method == "POST":
        if not manage:
            raise PermissionDenied(RightsPerm.LEGAL_MANAGE)
        action = request.POST.get("action", "")
        try:
            if action == "hearing":
                hearing_form = HearingForm(request.POST)
                hearing_form.is_valid()
                legal.aid_hearing(
                    actor=actor_of(request),
                    scope=scope,
                    matter=matter,
                    held_on=request.POST.get("held_on", ""),
                    body=request.POST.get("body", ""),
                    result=request.POST.get("result", ""),
                )
                messages.success(request, "已登记庭审或调解。")
            elif action == "close":
                close_form = CloseForm(request.POST)
                close_form.is_valid()
                amount_errors: dict[str, str] = {}
                fen = _close_fen(request.POST.get("recovered", ""), amount_errors)
                try:
                    legal.aid_close(
                        actor=actor_of(request),
                        scope=scope,
                        matter=matter,
                        closed_on=request.POST.get("closed_on", ""),
                        recovered_fen=fen,
                        outcome=request.POST.get("outcome", ""),
                    )
                except DomainError as exc:
                    if amount_errors and isinstance(exc.details, dict):
                        exc.details.update(amount_errors)
                    raise
                messages.success(request, "法律援助已结案。")
            else:
                return redirect("rights:aid", pk=pk)
        except DomainError as exc:
            if exc.code in ("rights.aid_closed",):
                messages.error(request, exc.message)
                return redirect("rights:aid", pk=pk)
            apply_domain_error(hearing_form if action == "hearing" else close_form, exc)
        else:
            return redirect("rights:aid", pk=pk)
    _decorate_lawyer(matter.lawyer)
    return render(
        request,
        "rights/aid_detail.html",
        {
            "section": "rights_legal_aid",
            "m": matter,
            "case": matter.case,
            "hearings": sel.hearings(matter=matter),
            "recovered_yuan": fen_to_yuan(matter.recovered_fen) if matter.recovered_fen is not None else "",
            "can_act": manage and matter.status == AidStatus.OPEN,
            "hearing_form": hearing_form,
            "close_form": close_form,
            "bodies": HEARING_BODIES,
        },
    )


# --- 百名律师进千企: enterprise visits ----------------------------------------------------------------


@login_required
def visit_list(request: HttpRequest) -> HttpResponse:
    scope = require_perm(request, RightsPerm.LEGAL_VIEW)
    open_only = request.GET.get("open") == "1"
    q = request.GET.get("q", "").strip()[:40]
    listing = list_page(request, sel.visit_list(scope=scope, open_only=open_only, q=q))
    return render(
        request,
        "rights/visit_list.html",
        {
            "section": "rights_visits",
            **listing.context(),
            "f": {"open": open_only, "q": q},
            "query": urlencode([(k, v) for k, v in (("open", "1" if open_only else ""), ("q", q)) if v]),
            "can_add": scope.has_perm_anywhere(RightsPerm.LEGAL_MANAGE),
        },
    )


@login_required
def visit_new(request: HttpRequest) -> HttpResponse:
    scope = require_perm(request, RightsPerm.LEGAL_MANAGE)
    lawyers = sel.assignable_lawyers(scope=scope)
    if request.method == "POST":
        form = VisitForm(request.POST, lawyers=lawyers)
        org = _resolve_org(form, scope, RightsPerm.LEGAL_MANAGE)
        fields: dict[str, Any] = {
            "lawyer_id": request.POST.get("lawyer", ""),
            "enterprise_name": request.POST.get("enterprise_name", ""),
            "enterprise_uscc": request.POST.get("enterprise_uscc", ""),
            "visited_on": request.POST.get("visited_on", ""),
            "issues": legal.split_issues(request.POST.get("issues", "")),
        }
        _lawyer, _values, errors = legal.clean_visit(org_path=org.path if org else None, **fields)
        _add_errors(form, errors)
        if org is not None and not errors:
            try:
                visit = legal.visit_record(
                    actor=actor_of(request), scope=scope, org=org, note=request.POST.get("note", ""), **fields
                )
            except DomainError as exc:
                apply_domain_error(form, exc)
            else:
                messages.success(request, f"已登记{visit.enterprise_name}的法律体检。")
                return redirect("rights:visit", pk=visit.pk)
    else:
        form = VisitForm(
            lawyers=lawyers,
            initial={"org": _first_org(scope, RightsPerm.LEGAL_MANAGE), "visited_on": timezone.localdate().isoformat()},
        )
    return render(request, "rights/visit_new.html", {"section": "rights_visits", "form": form})


@login_required
def visit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    scope = require_perm(request, RightsPerm.LEGAL_VIEW)
    visit = found_or_404(sel.visit_get, scope=scope, pk=pk)
    manage = scope.has_perm(RightsPerm.LEGAL_MANAGE, visit.org_path)
    issues = sel.visit_issues(visit=visit)
    if request.method == "POST":
        if not manage:
            raise PermissionDenied(RightsPerm.LEGAL_MANAGE)
        chosen: VisitIssue | None = next((i for i in issues if str(i.pk) == request.POST.get("issue")), None)
        if chosen is None:
            return redirect("rights:visit", pk=pk)
        try:
            legal.visit_issue_follow_up(
                actor=actor_of(request),
                scope=scope,
                issue=chosen,
                status=request.POST.get("status", ""),
                note=request.POST.get("note", ""),
            )
        except DomainError as exc:
            details = exc.details if isinstance(exc.details, dict) else {"status": exc.message}
            chosen.errors = list(details.values())  # type: ignore[attr-defined]
            chosen.typed = {"status": request.POST.get("status", ""), "note": request.POST.get("note", "")}  # type: ignore[attr-defined]
        else:
            messages.success(request, "已登记整改跟进。")
            return redirect("rights:visit", pk=pk)
    _decorate_lawyer(visit.lawyer)
    return render(
        request,
        "rights/visit_detail.html",
        {
            "section": "rights_visits",
            "v": visit,
            "issues": issues,
            "can_follow": manage,
            "statuses": IssueStatus.choices,
        },
    )
