"""Pages of the 12351 hotline: the case list, the intake form, one case with its timeline and the
buttons of its next steps, and the 督办 list of overdue cases below the caller's unions.

Thin views over the services and selectors: each page shows only the buttons the caller may
press now, and the services refuse again whatever a hand-made POST tries. Another union's case
is not found (404); a page the caller holds no permission for is a 403. Phones appear masked.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_POST

from gonghui.core import words
from gonghui.core.errors import DomainError
from gonghui.core.masking import mask_mobile
from gonghui.core.money import fen_to_yuan
from gonghui.core.scoping import Scope, unscoped
from gonghui.core.viewutils import (
    Button,
    ListPage,
    actor_of,
    apply_domain_error,
    found_or_404,
    list_page,
    page_number,
    page_size,
    press_button,
    require_perm,
)
from gonghui.orgs.models import Org
from gonghui.orgs.selectors import org_get
from gonghui.rights import contracts, deadlines, legal_selectors, selectors, services
from gonghui.rights.forms import WORD_FIELDS, ContractForm, IntakeForm, RequestForm, parse_employer_lines
from gonghui.rights.models import (
    CaseStatus,
    CollectiveContract,
    ContractKind,
    HotlineCase,
    LegalAidMatter,
    ReviewResult,
)
from gonghui.rights.permissions import RightsPerm
from gonghui.rights.words import Cause, Kind, Satisfaction, Tier
from gonghui.rights.workflow import EVENT_LABELS, TRANSITIONS


def _decorate(cases: list[HotlineCase]) -> list[HotlineCase]:
    at = deadlines.now()
    for c in cases:
        c.overdue = deadlines.is_overdue(status=c.status, due=c.step_due_at, at=at)  # type: ignore[attr-defined]
        c.phone_masked = mask_mobile(c.caller_phone) if c.caller_phone else ""  # type: ignore[attr-defined]
    return cases


def _paging(request: HttpRequest) -> dict[str, int]:
    return {"page": page_number(request), "size": page_size(request)}


def _listing(request: HttpRequest, p: selectors.Page) -> ListPage:
    """A capped list's page for the pager: past the cap it offers one page more than it has shown."""
    pages = max(p.pages, p.page + 1) if p.capped else p.pages
    return ListPage(rows=p.rows, count=p.count, page=p.page, pages=pages, page_size=p.page_size)


@login_required
def case_list(request: HttpRequest) -> HttpResponse:
    scope = require_perm(request, RightsPerm.VIEW)
    g = request.GET
    status = g.get("status", "")
    status = status if status in CaseStatus.values or status == "open" else ""
    kind = g.get("kind", "") if g.get("kind", "") in Kind.values else ""
    cause = g.get("cause", "") if g.get("cause", "") in Cause.values else ""
    tier = g.get("tier", "") if g.get("tier", "") in Tier.values else ""
    overdue = g.get("overdue") == "1"
    q = g.get("q", "").strip()[:40]
    filters = selectors.CaseFilters(status=status, kind=kind, cause=cause, tier=tier, overdue=overdue, q=q)
    found = selectors.case_page(scope=scope, filters=filters, **_paging(request))
    listing = _listing(request, found)
    _decorate(listing.rows)
    chosen = (("status", status), ("kind", kind), ("cause", cause), ("tier", tier), ("overdue", "1" if overdue else ""))
    return render(
        request,
        "rights/case_list.html",
        {
            "section": "rights_cases",
            **listing.context(),
            "capped": found.capped,
            "f": {"status": status, "kind": kind, "cause": cause, "tier": tier, "overdue": overdue, "q": q},
            "query": urlencode([(k, v) for k, v in (*chosen, ("q", q)) if v]),
            "statuses": [("open", "未结案"), *CaseStatus.choices],
            "kinds": Kind.choices,
            "causes": Cause.choices,
            "tiers": Tier.choices,
            "can_intake": scope.has_perm_anywhere(RightsPerm.INTAKE),
        },
    )


def _datalists() -> list[tuple[str, list[str]]]:
    return [
        (table, [str(label) for _v, label in words.choice_table(table).options()]) for table in WORD_FIELDS.values()
    ]


def _grant_org(scope: Scope, perm: str) -> str:
    """The code of the caller's first union holding `perm`: the form's default union."""
    for g in scope.grants:
        if perm in g.permissions:
            return g.org_code
    return ""


@login_required
def case_new(request: HttpRequest) -> HttpResponse:
    scope = require_perm(request, RightsPerm.INTAKE)
    if request.method == "POST":
        form = IntakeForm(request.POST)
        valid = form.is_valid()
        raw: dict[str, Any] = {name: request.POST.get(name, "") for name in services.INTAKE_FIELDS}
        raw["answered"] = bool(request.POST.get("answered"))
        _values, errors = services.clean_intake(raw)
        for field, reason in errors.items():
            form.add_error(field, reason)
        org: Org | None = None
        if valid:
            try:
                org = org_get(scope=scope, code=form.cleaned_data["org"], perm=RightsPerm.INTAKE)
            except DomainError:
                form.add_error("org", DomainError("org.not_in_scope").message)
        if org is not None and not errors:
            try:
                case = services.case_intake(
                    actor=actor_of(request),
                    scope=scope,
                    org=org,
                    answered=raw.pop("answered"),
                    **raw,
                )
            except DomainError as exc:
                apply_domain_error(form, exc)
            else:
                done = "已当场答复并结案" if case.status == CaseStatus.CLOSED else "已受理，待转办或办理"
                messages.success(request, f"工单 {case.number} {done}。")
                return redirect("rights:case", pk=case.pk)
    else:
        form = IntakeForm(initial={"org": _grant_org(scope, RightsPerm.INTAKE), "source": "电话"})
    return render(
        request,
        "rights/case_new.html",
        {"section": "rights_cases", "form": form, "datalists": _datalists()},
    )


def _actions(scope: Scope, case: HotlineCase) -> dict[str, bool]:
    """What the caller may do to the case now (the services check again)."""
    out = {}
    for name, t in TRANSITIONS.items():
        path = case.org_path if t.at == "org" else case.intake_path
        out[name] = case.status in t.sources and scope.has_perm(t.perm, path)
    out["send_up"] = out["send_up"] and case.org_id != case.intake_org_id
    out["contact"] = case.status == CaseStatus.HANDLING and scope.has_perm(RightsPerm.HANDLE, case.org_path)
    out["remind"] = case.status != CaseStatus.CLOSED and services.may_remind(scope, case)
    return out


@login_required
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    scope = require_perm(request, RightsPerm.VIEW)
    case = found_or_404(selectors.case_get, scope=scope, pk=pk)
    _decorate([case])
    actions = _actions(scope, case)
    events = selectors.case_events(case=case)
    for e in events:
        e.label = EVENT_LABELS.get(e.action, e.action)  # type: ignore[attr-defined]
    return render(
        request,
        "rights/case_detail.html",
        {
            "section": "rights_cases",
            "case": case,
            "events": events,
            "actions": actions,
            "any_action": any(actions.values()),
            "children": selectors.child_orgs(org=case.org) if actions["hand_down"] else [],
            "satisfactions": Satisfaction.choices,
            "step_label": deadlines.STEP_LABELS.get(deadlines.STEP_OF_STATUS.get(case.status, ""), ""),
            **_legal_aid_context(scope, case),
        },
    )


def _legal_aid_context(scope: Scope, case: HotlineCase) -> dict[str, Any]:
    """The case's legal-aid matter (if the caller sees it), or whether the caller may open one."""
    matter = (
        legal_selectors.matter_of_case(scope=scope, case=case)
        if scope.has_perm_anywhere(RightsPerm.LEGAL_VIEW)
        else None
    )
    return {
        "legal_aid": matter,
        "legal_aid_recovered": fen_to_yuan(matter.recovered_fen) if matter and matter.recovered_fen is not None else "",
        "can_open_aid": matter is None
        and case.status != CaseStatus.CLOSED
        and scope.has_perm(RightsPerm.LEGAL_MANAGE, case.org_path)
        and not LegalAidMatter.all_objects.filter(case=case).exists(),
    }


def _hand_down(*, post: Any, **kw: Any) -> object:
    code = str(post.get("to_org", "")).strip()
    with unscoped():
        to_org = Org.all_objects.filter(code=code).first()
    if to_org is None:
        raise DomainError("rights.not_below", org=kw["case"].org.name, field="to_org")
    return services.case_hand_down(to_org=to_org, note=post.get("note", ""), **kw)


BUTTONS: dict[str, Button] = {
    "hand_down": Button(None, _hand_down, "已转办下级工会。"),
    "send_up": Button(
        None, lambda *, post, **kw: services.case_send_up(reason=post.get("note", ""), **kw), "已退回上级工会。"
    ),
    "take": Button(None, lambda *, post, **kw: services.case_take(note=post.get("note", ""), **kw), "已签收办理。"),
    "contact": Button(
        None, lambda *, post, **kw: services.case_contact(note=post.get("note", ""), **kw), "已登记联系情况。"
    ),
    "reply": Button(
        None, lambda *, post, **kw: services.case_reply(result=post.get("note", ""), **kw), "已办结答复，待回访。"
    ),
    "follow_up": Button(
        None,
        lambda *, post, **kw: services.case_follow_up(
            satisfaction=post.get("satisfaction", ""), note=post.get("note", ""), **kw
        ),
        lambda case: "回访不满意，已退回重新办理。" if case.status == CaseStatus.HANDLING else "已登记回访。",
    ),
    "check": Button(None, lambda *, post, **kw: services.case_check(note=post.get("note", ""), **kw), "已质检。"),
    "close": Button(None, lambda *, post, **kw: services.case_close(note=post.get("note", ""), **kw), "已结案。"),
    "remind": Button(
        None,
        lambda *, post, **kw: services.case_remind(note=post.get("note", ""), **kw),
        lambda case: f"已督办（第 {case.reminders} 次）。",
    ),
}


@login_required
@require_POST
def case_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    scope = require_perm(request, RightsPerm.VIEW)
    case = found_or_404(selectors.case_get, scope=scope, pk=pk)
    press_button(
        request,
        BUTTONS,
        action.replace("-", "_"),
        actor=actor_of(request),
        scope=scope,
        case=case,
        post=request.POST,
    )
    if request.POST.get("back") == "supervision":
        return redirect("rights:supervision")
    return redirect(reverse("rights:case", args=[pk]))


@login_required
def supervision(request: HttpRequest) -> HttpResponse:
    scope = require_perm(request, RightsPerm.SUPERVISE)
    found = selectors.supervision_page(scope=scope, **_paging(request))
    listing = _listing(request, found)
    at = deadlines.now()
    for c in _decorate(listing.rows):
        c.days_over = max((at - c.step_due_at).days, 0) if c.step_due_at else 0  # type: ignore[attr-defined]
    context: dict[str, Any] = {"section": "rights_supervision", **listing.context(), "capped": found.capped}
    return render(request, "rights/supervision.html", context)


# --- collective contracts ----------------------------------------------------------------------------


@login_required
def contract_list(request: HttpRequest) -> HttpResponse:
    scope = require_perm(request, RightsPerm.CONTRACT_VIEW)
    kind = request.GET.get("kind", "")
    kind = kind if kind in ContractKind.values else ""
    expiring = request.GET.get("expiring") == "1"
    today = timezone.localdate()
    listing = list_page(
        request, selectors.contract_list(scope=scope, kind=kind, expiring_by=today if expiring else None)
    )
    for c in listing.rows:
        c.state = contracts.contract_state(c, today)
    return render(
        request,
        "rights/contract_list.html",
        {
            "section": "rights_contracts",
            **listing.context(),
            "kind": kind,
            "expiring": expiring,
            "kinds": ContractKind.choices,
            "query": urlencode([(k, v) for k, v in (("kind", kind), ("expiring", "1" if expiring else "")) if v]),
            "can_register": scope.has_perm_anywhere(RightsPerm.CONTRACT_MANAGE),
        },
    )


def _contract_raw(form: ContractForm) -> dict[str, Any]:
    data = getattr(form, "cleaned_data", {})
    skip = ("org", "employers", "renews", "negotiation")
    raw = {name: data.get(name) for name in ContractForm.base_fields if name not in skip}
    raw.pop("minimum_wage", None)
    raw["minimum_wage_fen"] = data.get("minimum_wage") or None
    raw["wage_increase_pct"] = form.data.get("wage_increase_pct", "")
    return raw


@login_required
def contract_new(request: HttpRequest) -> HttpResponse:
    scope = require_perm(request, RightsPerm.CONTRACT_MANAGE)
    renews = None
    renews_id = request.POST.get("renews") or request.GET.get("renews")
    if renews_id and str(renews_id).isdigit():
        renews = found_or_404(selectors.contract_get, scope=scope, pk=int(renews_id))
    open_requests = list(selectors.linkable_requests(scope=scope)[:200])
    if request.method == "POST":
        form = ContractForm(request.POST)
        form.offer_requests(open_requests)
        valid = form.is_valid()
        employers, line_error = parse_employer_lines(request.POST.get("employers", ""))
        _values, _rows, errors = contracts.clean_contract(_contract_raw(form), employers)
        if line_error:
            errors["employers"] = line_error
        for field, reason in errors.items():
            if not form.has_error(field if field in form.fields else "__all__"):
                form.add_error(field if field in form.fields else None, reason)
        org: Org | None = None
        if valid:
            try:
                org = org_get(scope=scope, code=form.cleaned_data["org"], perm=RightsPerm.CONTRACT_MANAGE)
            except DomainError:
                form.add_error("org", DomainError("org.not_in_scope").message)
        if org is not None and valid:
            refusal = contracts.minimum_wage_refusal(
                org,
                form.cleaned_data.get("minimum_wage") or None,
                form.cleaned_data.get("starts_on") or form.cleaned_data.get("signed_on"),
            )
            if refusal and not form.has_error("minimum_wage"):
                errors["minimum_wage"] = refusal
                form.add_error("minimum_wage", refusal)
        chosen = getattr(form, "cleaned_data", {}).get("negotiation")
        negotiation = next((r for r in open_requests if r.pk == chosen), None)
        if org is not None and not errors and valid:
            try:
                c = contracts.contract_register(
                    actor=actor_of(request),
                    scope=scope,
                    org=org,
                    raw=_contract_raw(form),
                    employers=employers,
                    renews=renews,
                    negotiation=negotiation,
                )
            except DomainError as exc:
                apply_domain_error(form, exc)
            else:
                messages.success(request, f"已登记集体合同“{c.title}”。")
                return redirect("rights:contract", pk=c.pk)
    else:
        initial: dict[str, Any] = {"org": _grant_org(scope, RightsPerm.CONTRACT_MANAGE)}
        if renews is not None:
            initial.update(
                org=renews.org.code,
                title=renews.title,
                kind=renews.get_kind_display(),
                scope=renews.get_scope_display(),
                union_chief=renews.union_chief,
                employer_chief=renews.employer_chief,
                renews=renews.pk,
                employers="\n".join(f"{e.name}，{e.uscc}，{e.workers}" for e in renews.employers.all()),
            )
        if request.GET.get("request", "").isdigit():
            initial["negotiation"] = int(request.GET["request"])
        form = ContractForm(initial=initial)
        form.offer_requests(open_requests)
    return render(
        request,
        "rights/contract_new.html",
        {
            "section": "rights_contracts",
            "form": form,
            "renews": renews,
            "datalists": [
                (t, [str(label) for _v, label in words.choice_table(t).options()])
                for t in ("rights_contract_kind", "rights_contract_scope", "rights_vote_body")
            ],
        },
    )


@login_required
def contract_detail(request: HttpRequest, pk: int) -> HttpResponse:
    scope = require_perm(request, RightsPerm.CONTRACT_VIEW)
    c = found_or_404(selectors.contract_get, scope=scope, pk=pk)
    today = timezone.localdate()
    manage = scope.has_perm(RightsPerm.CONTRACT_MANAGE, c.org_path)
    renewed = CollectiveContract.all_objects.filter(renews=c).first()
    linked = list(selectors.request_list(scope=scope).filter(contract=c))
    linkable = [r for r in selectors.linkable_requests(scope=scope) if r.org_id == c.org_id] if manage else []
    return render(
        request,
        "rights/contract_detail.html",
        {
            "section": "rights_contracts",
            "c": c,
            "state": contracts.contract_state(c, today),
            "filing_due": contracts.filing_due(c.signed_on),
            "review_ends": contracts.review_ends(c.filed_on) if c.filed_on else None,
            "renewed": renewed,
            "can_file": manage and c.filed_on is None,
            "can_review": manage and c.filed_on is not None and c.review == ReviewResult.PENDING,
            "can_renew": manage and renewed is None,
            "linked_requests": linked,
            "linkable_requests": linkable,
            "today": today,
        },
    )


def _file(*, post: Any, **kw: Any) -> object:
    try:
        filed_on = date.fromisoformat(str(post.get("filed_on", "")))
    except ValueError as exc:
        raise DomainError("rights.note_required", what="报送备案日期", field="filed_on") from exc
    return contracts.contract_file(filed_on=filed_on, **kw)


def _link_request(*, post: Any, scope: Scope, contract: CollectiveContract, **kw: Any) -> object:
    pk = str(post.get("request", ""))
    req = selectors.linkable_requests(scope=scope).filter(pk=int(pk)).first() if pk.isdigit() else None
    if req is None:
        raise DomainError("rights.note_required", what="要关联的要约", field="request")
    return contracts.request_link(scope=scope, contract=contract, negotiation=req, **kw)


CONTRACT_BUTTONS: dict[str, Button] = {
    "link_request": Button(RightsPerm.CONTRACT_MANAGE, _link_request, "已关联协商要约。"),
    "file": Button(RightsPerm.CONTRACT_MANAGE, _file, "已登记报送备案。"),
    "effective": Button(
        RightsPerm.CONTRACT_MANAGE,
        lambda *, post, **kw: contracts.contract_review(objection=False, note=post.get("note", ""), **kw),
        "已登记：审查无异议，合同生效。",
    ),
    "objection": Button(
        RightsPerm.CONTRACT_MANAGE,
        lambda *, post, **kw: contracts.contract_review(objection=True, note=post.get("note", ""), **kw),
        "已登记审查异议，合同需重新协商。",
    ),
}


@login_required
@require_POST
def contract_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    scope = require_perm(request, RightsPerm.CONTRACT_VIEW)
    c = found_or_404(selectors.contract_get, scope=scope, pk=pk)
    press_button(
        request,
        CONTRACT_BUTTONS,
        action,
        path=c.org_path,
        actor=actor_of(request),
        scope=scope,
        contract=c,
        post=request.POST,
    )
    return redirect("rights:contract", pk=pk)


# --- 要约: requests to negotiate ----------------------------------------------------------------------


@login_required
def request_list(request: HttpRequest) -> HttpResponse:
    scope = require_perm(request, RightsPerm.CONTRACT_VIEW)
    can_record = scope.has_perm_anywhere(RightsPerm.CONTRACT_MANAGE)
    form = RequestForm(
        initial={"org": _grant_org(scope, RightsPerm.CONTRACT_MANAGE), "requested_on": timezone.localdate()}
    )
    if request.method == "POST":
        if not can_record:
            raise PermissionDenied(RightsPerm.CONTRACT_MANAGE)
        form = RequestForm(request.POST)
        if form.is_valid():
            try:
                org = org_get(scope=scope, code=form.cleaned_data["org"], perm=RightsPerm.CONTRACT_MANAGE)
                req = contracts.request_record(
                    actor=actor_of(request),
                    scope=scope,
                    org=org,
                    **{
                        k: form.cleaned_data[k]
                        for k in ("side", "employer_name", "employer_uscc", "subject", "requested_on")
                    },
                )
            except DomainError as exc:
                if exc.code == "not_found":
                    form.add_error("org", DomainError("org.not_in_scope").message)
                else:
                    apply_domain_error(form, exc)
            else:
                messages.success(
                    request, f"已登记要约，应于 {contracts.reply_due(req.requested_on):%Y-%m-%d} 前书面答复。"
                )
                return redirect("rights:requests")
    today = timezone.localdate()
    listing = list_page(request, selectors.request_list(scope=scope))
    for r in listing.rows:
        r.due = contracts.reply_due(r.requested_on)
        r.overdue = contracts.request_overdue(r, today)
        r.can_reply = r.replied_on is None and scope.has_perm(RightsPerm.CONTRACT_MANAGE, r.org_path)
        r.can_link = r.contract_id is None and scope.has_perm(RightsPerm.CONTRACT_MANAGE, r.org_path)
    return render(
        request,
        "rights/requests.html",
        {"section": "rights_contracts", **listing.context(), "form": form, "can_record": can_record, "today": today},
    )


@login_required
@require_POST
def request_reply(request: HttpRequest, pk: int) -> HttpResponse:
    scope = require_perm(request, RightsPerm.CONTRACT_VIEW)
    req = found_or_404(selectors.request_get, scope=scope, pk=pk)

    def reply(**kw: Any) -> object:
        try:
            replied_on = date.fromisoformat(str(request.POST.get("replied_on", "")))
        except ValueError as exc:
            raise DomainError("rights.note_required", what="答复日期", field="replied_on") from exc
        return contracts.request_reply(replied_on=replied_on, note=request.POST.get("note", ""), **kw)

    press_button(
        request,
        {"reply": Button(RightsPerm.CONTRACT_MANAGE, reply, "已登记书面答复。")},
        "reply",
        path=req.org_path,
        actor=actor_of(request),
        scope=scope,
        negotiation=req,
    )
    return redirect("rights:requests")
