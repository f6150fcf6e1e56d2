"""Pages for hardship files (困难职工档案), their yearly review, relief visits (送温暖/慰问), and the
低保 standards and 慰问 caps they are measured against.

Thin views over the services and selectors. A file moves unit union → higher
union → 帮扶中心; each page shows only the buttons the caller may press now, and
the services refuse again whatever a hand-made POST tries. A file of another
union is not found (404); a page the caller holds no permission for is a 403.
ID numbers appear masked only; a typed one goes back only into the refused form of who typed it.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_POST

from gonghui.aid import forms as af
from gonghui.aid import relief, selectors, services, standards, upkeep
from gonghui.aid.models import (
    OPEN_STATUSES,
    Category,
    Cause,
    FileStatus,
    HardshipFile,
    ReliefEvent,
)
from gonghui.aid.permissions import AidPerm
from gonghui.aid.scans import authorization_store
from gonghui.core.errors import DomainError
from gonghui.core.money import fen_to_yuan
from gonghui.core.regions import region_level, region_name
from gonghui.core.scoping import Scope
from gonghui.core.viewutils import (
    Button,
    actor_of,
    apply_domain_error,
    found_or_404,
    list_page,
    press_button,
    refusal_text,
    require_perm,
    run_action,
    run_form,
    scope_of,
)
from gonghui.members.models import Membership
from gonghui.members.selectors import active_member_by_key
from gonghui.orgs.models import Org
from gonghui.orgs.selectors import org_get

CAUSES = dict(Cause.choices)
DECISIONS = {"approve": "审核通过", "return": "退回补充材料", "reject": "不予建档"}


def _decision(decision: str) -> Button:
    """A review button: open to a reviewer or a centre anywhere; the service checks the step's own union."""
    return Button(
        (AidPerm.REVIEW, AidPerm.FILE),
        lambda **kw: services.file_decide(decision=decision, **kw),
        f"已办理：{DECISIONS[decision]}。",
    )


DECISION_BUTTONS = {decision: _decision(decision) for decision in DECISIONS}
HISTORY_LABELS = {
    "aid.file.apply": "登记建档申请",
    "aid.file.authorize": "上传授权委托书",
    "aid.file.approve": "审核通过",
    "aid.file.return": "退回补充材料",
    "aid.file.reject": "不予建档",
    "aid.file.close": "撤档",
}
# The path a file travels, and the states in which each step is behind it.
PATH_STEPS = [
    ("本单位工会审核", {FileStatus.UNIT_APPROVED, FileStatus.HIGHER_APPROVED, FileStatus.FILED, FileStatus.CLOSED}),
    ("上级工会审核", {FileStatus.HIGHER_APPROVED, FileStatus.FILED, FileStatus.CLOSED}),
    ("帮扶中心审定建档", {FileStatus.FILED, FileStatus.CLOSED}),
]


def _file(request: HttpRequest, pk: int) -> HardshipFile:
    return found_or_404(selectors.file_get, scope=scope_of(request), pk=pk)


def file_actions(scope: Scope, file: HardshipFile) -> dict[str, Any]:
    """What the caller may do to the file now (the services check again)."""
    step = services.STEPS.get(FileStatus(file.status))
    decide = False
    if step is not None:
        decide = scope.has_perm(*services.step_perm(file, step[1]))
    approve_refusal = services.file_approve_refusal(file) if decide else None
    return {
        "decide": decide,
        # 审核通过 only when the service would take it; else, to the one whose step it is, why not.
        "approve": decide and approve_refusal is None,
        "approve_refusal": approve_refusal.message if approve_refusal is not None else "",
        "step": step[2] if step else "",
        "authorize": scope.has_perm(AidPerm.APPLY, file.org_path) and file.status in OPEN_STATUSES,
        "close": scope.has_perm(AidPerm.FILE, file.org_path) and file.status == FileStatus.FILED,
        "income": scope.has_perm(AidPerm.REVIEW, file.org_path) and file.status == FileStatus.FILED,
    }


def _file_history(scope: Scope, file: HardshipFile) -> list[dict[str, Any]]:
    """The file's own audit trail, as rows for the page."""
    rows = []
    for e in selectors.file_history(scope=scope, file=file):
        data = e.data or {}
        detail = "；".join(str(data[k]) for k in ("step", "note", "reason") if data.get(k))
        rows.append(
            {"at": e.at, "who": e.actor_label, "what": HISTORY_LABELS.get(e.action, e.action), "detail": detail}
        )
    return rows


# --- hardship files -------------------------------------------------------------------------------


@login_required
def file_list(request: HttpRequest) -> HttpResponse:
    scope = require_perm(request, AidPerm.VIEW)
    status = request.GET.get("status", "")
    category = request.GET.get("category", "")
    status = status if status in FileStatus.values else ""
    category = category if category in Category.values else ""
    qs = selectors.file_list(scope=scope, status=status, category=category)
    listing = list_page(request, qs)
    rows = listing.rows
    for f in rows:
        f.per_capita_yuan = fen_to_yuan(f.per_capita_monthly_fen)
    query = urlencode({k: v for k, v in (("status", status), ("category", category)) if v})
    return render(
        request,
        "aid/file_list.html",
        {
            "section": "aid",
            **listing.context(),
            "status": status,
            "category": category,
            "query": query,
            "statuses": FileStatus.choices,
            "categories": Category.choices,
            "can_apply": scope.has_perm_anywhere(AidPerm.APPLY),
        },
    )


def _preview(form: af.FileForm, ms: Membership) -> dict[str, Any]:
    """The category the figures give now, with the standard read (nothing is saved)."""
    data = form.cleaned_data
    region = data["region_code"] or ms.org.region_code
    standard = services.subsistence_standard(region, data["year"])
    if standard is None:
        raise DomainError("aid.no_standard", region=region_name(region) or region, year=data["year"])
    result = services.assess(standard_monthly_fen=standard.monthly_fen, **form.figures())
    return {
        "category": Category(result.category).label if result.category else "",
        "per_capita": fen_to_yuan(result.per_capita_monthly_fen),
        "standard": fen_to_yuan(standard.monthly_fen),
        "twice": fen_to_yuan(2 * standard.monthly_fen),
    }


@login_required
def file_new(request: HttpRequest) -> HttpResponse:
    scope = require_perm(request, AidPerm.APPLY)
    data = request.POST if request.method == "POST" else None
    form = af.FileForm(data)
    family = af.FamilyFormSet(data, prefix="family")
    preview: dict[str, Any] | None = None
    if request.method == "POST":
        # Every check runs, so the page names every mistake at once (not the formset's only after the form's).
        valid = [form.is_valid(), family.is_valid()]
        ms = _member_of(form, scope, AidPerm.APPLY)
        if all(valid) and ms is not None:
            try:
                if "preview" in request.POST:
                    preview = _preview(form, ms)
                else:
                    file = _apply(request, scope, form, family, ms)
                    done = (
                        f"已登记{ms.person.name}的建档申请：{file.get_category_display()}"
                        f"（人均月收入 {fen_to_yuan(file.per_capita_monthly_fen)} 元，"
                        f"低保标准 {fen_to_yuan(file.standard_monthly_fen)} 元），待本单位工会审核。"
                    )
                    messages.success(request, done)
                    return redirect("aid:file", pk=file.pk)
            except DomainError as exc:
                _family_errors(family, exc)
                apply_domain_error(form, exc)
    return render(
        request,
        "aid/file_new.html",
        {"section": "aid", "form": form, "family": family, "preview": preview, "title": "登记困难职工建档申请"},
    )


def _member_of(form: af.FileForm | af.VisitForm, scope: Scope, perm: str) -> Membership | None:
    """The member typed into the form's `member` field, or None with the reason on that field."""
    key = form.cleaned_data.get("member")  # the form has been validated: a member field refused is absent
    if not key:
        return None
    ms = active_member_by_key(scope=scope, key=key, perm=perm)
    if ms is None:
        form.add_error("member", "本工会范围内没有这名在册会员，请核对会员编号或证件号码。")
    return ms


def _apply(request: HttpRequest, scope: Scope, form: af.FileForm, family: Any, ms: Membership) -> HardshipFile:
    data = form.cleaned_data
    members = [
        services.FamilyIn(
            relation=f.cleaned_data["relation"],
            name=f.cleaned_data["name"],
            id_number=f.cleaned_data["id_number"].strip(),
            health=f.cleaned_data["health"],
            monthly_income_fen=f.cleaned_data["monthly_income"],
            school_or_unit=f.cleaned_data["school_or_unit"],
        )
        for f in family.forms
        if not f.is_blank()
    ]
    return services.file_apply(
        actor=actor_of(request),
        scope=scope,
        membership=ms,
        level=data["level"],
        region_code=data["region_code"] or ms.org.region_code,
        year=data["year"],
        figures=form.figures(),
        causes=form.all_causes(),
        family=members,
        details=form.details(),
    )


def _family_errors(family: Any, exc: DomainError) -> None:
    """A refusal naming "family.N.id_number" lands on the N-th filled row's field; the rest stay on the form."""
    if not isinstance(exc.details, dict):
        return
    filled = [f for f in family.forms if not f.is_blank()]
    for key in [k for k in exc.details if k.startswith("family.")]:
        _, index, field = key.split(".", 2)
        if index.isdigit() and int(index) < len(filled):
            filled[int(index)].add_error(field, exc.details.pop(key))


@login_required
def file_detail(request: HttpRequest, pk: int, refused: dict[str, Any] | None = None) -> HttpResponse:
    """The file and its forms; `refused` holds a form just refused, shown again as typed with its errors."""
    file = _file(request, pk)
    scope = scope_of(request)
    can = file_actions(scope, file)
    history = _file_history(scope, file)
    path = [(label, file.status in done) for label, done in PATH_STEPS]
    family = [(m, fen_to_yuan(m.monthly_income_fen)) for m in file.family.all()]
    incomes = [
        (m.month, fen_to_yuan(m.per_capita_fen), m.per_capita_fen > file.standard_monthly_fen)
        for m in file.incomes.order_by("-month")[:24]
    ]
    return render(
        request,
        "aid/file_detail.html",
        {
            "section": "aid",
            "file": file,
            "family": family,
            "causes": [CAUSES.get(c, c) for c in file.causes],
            "region": region_name(file.region_code) or file.region_code,
            "figures": {
                "worker_monthly": fen_to_yuan(file.worker_monthly_income_fen),
                "other_year": fen_to_yuan(file.other_income_year_fen),
                "expense_year": fen_to_yuan(file.necessary_expense_year_fen),
                "hardship_year": fen_to_yuan(file.hardship_cost_year_fen),
                "per_capita": fen_to_yuan(file.per_capita_monthly_fen),
                "standard": fen_to_yuan(file.standard_monthly_fen),
                "twice": fen_to_yuan(2 * file.standard_monthly_fen),
            },
            "can": can,
            "path": path,
            "history": history,
            "incomes": incomes,
            "exit_due": file.status == FileStatus.FILED and upkeep.exit_due(file),
            "reviews": list(file.reviews.order_by("-year")),
            "income_form": af.IncomeForm(),
            "note_form": af.NoteForm(),
            "close_form": af.CloseForm(),
        }
        | (refused or {}),
    )


@login_required
@require_POST
def file_authorization(request: HttpRequest, pk: int) -> HttpResponse:
    """The signed authorization's scan: checked (kind, first bytes, size) and stored as the API does."""
    file = _file(request, pk)
    require_perm(request, AidPerm.APPLY, file.org_path)
    form = af.AuthorizationForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, "请选择授权委托书扫描件。")
    else:
        run_action(
            request,
            "已上传家庭经济状况核对授权委托书。",
            lambda: authorization_store(
                actor=actor_of(request), scope=scope_of(request), file=file, scan=form.cleaned_data["scan"]
            ),
        )
    return redirect("aid:file", pk=file.pk)


@login_required
@require_POST
def file_decide(request: HttpRequest, pk: int, decision: str) -> HttpResponse:
    if decision not in DECISION_BUTTONS:
        raise Http404
    file = _file(request, pk)
    form = af.NoteForm(request.POST)
    if not form.is_valid():  # a note too long is said so, not dropped (and then missed by the service)
        return file_detail(request, file.pk, refused={"note_form": form})
    note = form.cleaned_data["note"]
    if not press_button(
        request, DECISION_BUTTONS, decision, actor=actor_of(request), scope=scope_of(request), file=file, note=note
    ):
        return file_detail(request, file.pk, refused={"note_form": form})  # the refusal above, the note kept
    return redirect("aid:file", pk=file.pk)


@login_required
@require_POST
def file_close(request: HttpRequest, pk: int) -> HttpResponse:
    file = _file(request, pk)
    require_perm(request, AidPerm.FILE, file.org_path)
    form = af.CloseForm(request.POST)
    if not form.is_valid():
        return file_detail(request, file.pk, refused={"close_form": form})
    reason = form.cleaned_data["reason"]
    if not run_action(
        request,
        "已撤档，档案按规定继续保存。",
        lambda: services.file_close(actor=actor_of(request), scope=scope_of(request), file=file, reason=reason),
    ):
        return file_detail(request, file.pk, refused={"close_form": form})
    return redirect("aid:file", pk=file.pk)


@login_required
@require_POST
def file_income(request: HttpRequest, pk: int) -> HttpResponse:
    file = _file(request, pk)
    require_perm(request, AidPerm.REVIEW, file.org_path)
    form = af.IncomeForm(request.POST)
    if not form.is_valid():  # every field's error beside it, what was typed kept
        return file_detail(request, file.pk, refused={"income_form": form})
    month: date = form.cleaned_data["month"]
    done = run_action(
        request,
        f"已记录 {month:%Y 年 %m 月}的人均月收入。",
        lambda: upkeep.income_record(
            actor=actor_of(request),
            scope=scope_of(request),
            file=file,
            month=month,
            per_capita_fen=form.cleaned_data["per_capita"],
        ),
    )
    return redirect("aid:file", pk=file.pk) if done else file_detail(request, file.pk, refused={"income_form": form})


# --- the yearly review ----------------------------------------------------------------------------


def _default_org(scope: Scope) -> str:
    for perm in (AidPerm.FILE, AidPerm.REVIEW, AidPerm.VIEW):
        code = next((g.org_code for g in scope.grants if perm in g.permissions), "")
        if code:
            return code
    return ""


def _reviews_url(org: str, year: int) -> str:
    return reverse("aid:reviews") + "?" + urlencode({"org": org, "year": str(year)})


@login_required
def review_page(request: HttpRequest, refused: tuple[dict[str, str], int, Any] | None = None) -> HttpResponse:
    """The year's review of a union's filed households: open it (drawing the spot check), record results.

    `refused` is (the page's query, a review's id, its record form just refused): that row shows it as typed.
    """
    scope = require_perm(request, AidPerm.VIEW)
    query: Any = refused[0] if refused else request.GET
    year = af.year_or_none(query.get("year", "")) or timezone.localdate().year
    code = (query.get("org") or _default_org(scope)).strip().upper()
    only_spot = query.get("spot") == "1"
    org: Org | None = None
    error = ""
    try:
        org = org_get(scope=scope, code=code, perm=AidPerm.VIEW) if code else None
    except DomainError:
        error = "没有这个工会，或不在您的管理范围内。"
    rows: list[dict[str, Any]] = []
    summary = {"files": 0, "spot_checks": 0, "done": 0}
    can_open = False
    if org is not None:
        can_open = scope.has_perm(AidPerm.FILE, org.path)
        reviews = selectors.review_list(scope=scope, org=org, year=year)
        summary = reviews.aggregate(
            files=Count("pk"),
            spot_checks=Count("pk", filter=Q(spot_check=True)),
            done=Count("pk", filter=Q(done_on__isnull=False)),
        )
        if only_spot:
            reviews = reviews.filter(spot_check=True)
        for r in reviews[:500]:
            form = refused[2] if refused and refused[1] == r.pk else None
            rows.append({"review": r, "can_record": scope.has_perm(AidPerm.REVIEW, r.file.org_path), "form": form})
    share = round(100 * summary["spot_checks"] / summary["files"]) if summary["files"] else 0
    return render(
        request,
        "aid/reviews.html",
        {
            "section": "aid",
            "org": org,
            "code": code,
            "year": year,
            "error": error,
            "rows": rows,
            "summary": summary,
            "share": share,
            "only_spot": only_spot,
            "can_open": can_open,
            "record_form": af.ReviewRecordForm(),
        },
    )


@login_required
@require_POST
def review_open(request: HttpRequest) -> HttpResponse:
    scope = require_perm(request, AidPerm.VIEW)
    form = af.ReviewOpenForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请填写工会代码和年度。")
        return redirect("aid:reviews")
    org = found_or_404(org_get, scope=scope, code=form.cleaned_data["org"].strip().upper(), perm=AidPerm.VIEW)
    require_perm(request, AidPerm.FILE, org.path)
    year = form.cleaned_data["year"]
    try:
        opened = upkeep.review_year_open(actor=actor_of(request), scope=scope, org=org, year=year)
    except DomainError as exc:
        messages.error(request, refusal_text(exc))
    else:
        drawn = sum(1 for r in opened if r.spot_check)
        messages.success(
            request,
            f"已开启{org.name} {year} 年度复核：新纳入 {len(opened)} 户，其中系统抽取 {drawn} 户抽查。"
            if opened
            else f"{org.name} {year} 年度复核已开启，没有新建档的家庭需要纳入。",
        )
    return redirect(_reviews_url(org.code, year))


@login_required
@require_POST
def review_record(request: HttpRequest, pk: int) -> HttpResponse:
    scope = scope_of(request)
    review = found_or_404(selectors.review_get, scope=scope, pk=pk)
    require_perm(request, AidPerm.REVIEW, review.file.org_path)
    form = af.ReviewRecordForm(request.POST)
    org = request.POST.get("back_org", "") or review.file.org.code
    back = _reviews_url(org, review.year)
    again = ({"org": org, "year": str(review.year)}, review.pk, form)  # the page, this row as typed
    if not form.is_valid():
        return review_page(request, refused=again)
    done = run_action(
        request,
        "已记录复核结果。",
        lambda: upkeep.review_record(
            actor=actor_of(request),
            scope=scope,
            review=review,
            still_eligible=form.cleaned_data["still_eligible"],
            note=form.cleaned_data["note"],
        ),
    )
    return redirect(back) if done else review_page(request, refused=again)


# --- relief visits --------------------------------------------------------------------------------


@login_required
def relief_list(request: HttpRequest) -> HttpResponse:
    scope = require_perm(request, AidPerm.VIEW)
    event = request.GET.get("event", "")
    event = event if event in ReliefEvent.values else ""
    year = af.year_or_none(request.GET.get("year", ""))
    qs = selectors.visit_list(scope=scope, event=event, year=year)
    listing = list_page(request, qs)
    rows = listing.rows
    for v in rows:
        v.cash_yuan, v.goods_yuan = fen_to_yuan(v.cash_fen), fen_to_yuan(v.goods_fen)
    this_year = timezone.localdate().year
    return render(
        request,
        "aid/relief_list.html",
        {
            "section": "aid",
            **listing.context(),
            "event": event,
            "year": year,
            "query": urlencode({k: str(v) for k, v in (("event", event), ("year", year)) if v}),
            "events": ReliefEvent.choices,
            "years": list(range(this_year, this_year - 6, -1)),
            "can_record": scope.has_perm_anywhere(AidPerm.RELIEF),
        },
    )


@login_required
def relief_new(request: HttpRequest) -> HttpResponse:
    scope = require_perm(request, AidPerm.RELIEF)
    campaigns = selectors.campaign_list(scope=scope)
    choices = [(c.pk, f"{c.name}（{c.starts_on:%Y-%m-%d} 至 {c.ends_on:%Y-%m-%d}）") for c in campaigns[:100]]
    form = af.VisitForm(request.POST or None, campaigns=choices)
    if request.method == "POST":
        form.is_valid()
        data = form.cleaned_data
        ms = _member_of(form, scope, AidPerm.RELIEF)  # looked up even when another field is refused
        campaign = campaigns.filter(pk=data["campaign"]).first() if data.get("campaign") else None
        if data.get("campaign") and campaign is None:
            form.add_error("campaign", "请选择所属活动")
        if ms is not None and not form.errors:
            try:
                visit = relief.relief_visit_record(
                    actor=actor_of(request),
                    scope=scope,
                    membership=ms,
                    event=data["event"],
                    visited_on=data["visited_on"],
                    cash_fen=data["cash"],
                    goods_fen=data["goods"],
                    goods_note=data["goods_note"],
                    insurance_policies=data["insurance_policies"] or 0,
                    housing=data["housing"],
                    campaign=campaign,
                    note=data["note"],
                )
            except DomainError as exc:
                apply_domain_error(form, _on_fields(exc))
            else:
                messages.success(
                    request, f"已登记对{ms.person.name}的{visit.get_event_display()}（{visit.visited_on:%Y-%m-%d}）。"
                )
                return redirect(reverse("aid:relief") + f"?year={visit.visited_on.year}")
    return render(request, "aid/relief_new.html", {"section": "aid", "form": form, "title": "登记慰问"})


def _on_fields(exc: DomainError) -> DomainError:
    """The service names amounts in fen (`cash_fen`); the form's fields are in yuan (`cash`)."""
    if isinstance(exc.details, dict):
        exc.details = {k.removesuffix("_fen"): v for k, v in exc.details.items()}
    return exc


# --- the 低保 standards and 慰问 caps --------------------------------------------------------------

REGION_LEVELS = {"province": "省级", "prefecture": "市（州）级", "county": "区县级"}
REACH = {
    "province": "全省未单独设置标准的市（州）、区县",
    "prefecture": "本市（州）未单独设置标准的区县",
    "county": "本区县",
}
STANDARD_FORMS = ("subsistence", "welfare")


def _region_label(code: str) -> str:
    return region_name(code) or code


def _standard_rows(scope: Scope, year: int | None) -> list[dict[str, Any]]:
    rows = []
    for s in selectors.standard_list(scope=scope, year=year):
        level = region_level(s.region_code)
        rows.append(
            {
                "region": _region_label(s.region_code),
                "region_code": s.region_code,
                "level": REGION_LEVELS[level],
                "reach": REACH[level],
                "year": s.year,
                "monthly": fen_to_yuan(s.monthly_fen),
                "twice": fen_to_yuan(2 * s.monthly_fen),
                "note": s.note,
            }
        )
    return rows


def _rule_rows(scope: Scope) -> list[dict[str, Any]]:
    rows = []
    for r in selectors.welfare_rule_list(scope=scope):
        level = region_level(r.region_code)
        rows.append(
            {
                "region": _region_label(r.region_code),
                "region_code": r.region_code,
                "level": REGION_LEVELS[level],
                "reach": REACH[level],
                "event": r.get_event_display(),
                "cap": fen_to_yuan(r.cap_fen),
                "note": r.note,
            }
        )
    return rows


def _in_force_rows(scope: Scope, year: int) -> list[dict[str, Any]]:
    """For the caller's own unions: the standard a file there is assessed against, and where it comes from."""
    rows = []
    for found in selectors.standards_in_force(scope=scope, year=year):
        org, standard = found.org, found.standard
        if standard is None:
            source = f"{_region_label(org.region_code)}及其上级地区均未设置 {year} 年标准，暂不能认定困难类别"
        elif standard.region_code == org.region_code:
            source = f"本地区（{REGION_LEVELS[region_level(org.region_code)]}）设置的标准"
        else:
            level = REGION_LEVELS[region_level(standard.region_code)]
            source = f"本地区未单独设置，沿用{_region_label(standard.region_code)}（{level}）的标准"
        rows.append(
            {
                "org": org.name,
                "region": _region_label(org.region_code),
                "monthly": fen_to_yuan(standard.monthly_fen) if standard else "",
                "source": source,
            }
        )
    return rows


def _standard_org(scope: Scope, code: str) -> Org:
    try:
        return org_get(scope=scope, code=code.strip().upper(), perm=AidPerm.STANDARD)
    except DomainError as exc:
        raise DomainError("org.not_in_scope", field="org_code") from exc


@login_required
def standard_page(request: HttpRequest) -> HttpResponse:
    """The 低保 standards and 慰问 caps that bear on the caller's unions; holders of aid.standard.manage set them."""
    scope = require_perm(request, AidPerm.VIEW)
    can_set = scope.has_perm_anywhere(AidPerm.STANDARD)
    which = ""
    if request.method == "POST":
        require_perm(request, AidPerm.STANDARD)
        which = request.POST.get("form", "")
        if which not in STANDARD_FORMS:
            return HttpResponseBadRequest("未知的表单")
    default_org = next((g.org_code for g in scope.grants if AidPerm.STANDARD in g.permissions), "")
    subsistence = af.SubsistenceForm(
        request.POST if which == "subsistence" else None, prefix="db", initial={"org_code": default_org}
    )
    welfare = af.WelfareRuleForm(
        request.POST if which == "welfare" else None, prefix="wr", initial={"org_code": default_org}
    )

    def set_standard(data: dict[str, Any]) -> tuple[str, str]:
        org = _standard_org(scope, data["org_code"])
        try:
            standard = standards.subsistence_standard_set(
                actor=actor_of(request),
                scope=scope,
                org=org,
                year=data["year"],
                monthly_fen=data["monthly"],
                note=data["note"],
            )
        except DomainError as exc:
            raise _on_fields(exc) from None
        return (
            reverse("aid:standards") + f"?year={standard.year}",
            f"已设置{_region_label(standard.region_code)} {standard.year} 年城乡低保标准为每人每月 "
            f"{fen_to_yuan(standard.monthly_fen)} 元。此后新登记的建档申请按此标准认定困难类别。",
        )

    def set_rule(data: dict[str, Any]) -> tuple[str, str]:
        org = _standard_org(scope, data["org_code"])
        try:
            rule = standards.welfare_rule_set(
                actor=actor_of(request),
                scope=scope,
                org=org,
                event=data["event"],
                cap_fen=data["cap"],
                note=data["note"],
            )
        except DomainError as exc:
            raise _on_fields(exc) from None
        return (
            reverse("aid:standards"),
            f"已设置{_region_label(rule.region_code)}{rule.get_event_display()}每人每年上限为 "
            f"{fen_to_yuan(rule.cap_fen)} 元。",
        )

    if which:
        done = run_form(request, *((subsistence, set_standard) if which == "subsistence" else (welfare, set_rule)))
        if done is not None:
            return done
    year = af.year_or_none(request.GET.get("year", ""))
    this_year = timezone.localdate().year
    return render(
        request,
        "aid/standards.html",
        {
            "section": "aid",
            "year": year,
            "years": list(range(this_year + 1, this_year - 6, -1)),
            "in_force_year": year or this_year,
            "in_force": _in_force_rows(scope, year or this_year),
            "standards": _standard_rows(scope, year),
            "rules": _rule_rows(scope),
            "subsistence_form": subsistence if can_set else None,
            "welfare_form": welfare if can_set else None,
        },
    )
