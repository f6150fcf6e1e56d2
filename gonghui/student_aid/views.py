"""Pages for 金秋助学: thin views over the services and selectors.

The grassroots union's officer registers an application (or continues last
year's); its reviewer passes, returns or rejects it; the county federation's
reviewer approves it after the cross-check against other agencies' lists; the
county's officer publishes the approved (公示: name, school, amount — never an ID
number), records objections, which the county's reviewer resolves, closes the
公示 and creates the payout batch. Each button appears only for who may press it
now, and the service refuses again whatever a hand-made POST tries.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from gonghui.accounts.models import User
from gonghui.cards.selectors import bank_get
from gonghui.core.errors import DomainError
from gonghui.core.money import fen_to_yuan, parse_yuan
from gonghui.core.regions import region_name
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
from gonghui.crosscheck.permissions import CrossCheckPerm
from gonghui.crosscheck.services import review_evidence, review_list
from gonghui.members.models import Membership
from gonghui.members.selectors import active_member_by_key, classify_search
from gonghui.notices.views import notice_context
from gonghui.orgs.selectors import org_get
from gonghui.payouts.permissions import PayoutPerm
from gonghui.student_aid import applications, disbursement, selectors
from gonghui.student_aid import forms as sf
from gonghui.student_aid import publication as publishing
from gonghui.student_aid.actions import APPLICATION_ACTIONS, decide
from gonghui.student_aid.models import (
    ApplicationStatus,
    ObjectionStatus,
    Publication,
    PublicationStatus,
    StudentAidApplication,
    StudentLevel,
)
from gonghui.student_aid.permissions import StudentAidPerm
from gonghui.student_aid.standards import aid_standard_set

LEVELS = dict(StudentLevel.choices)


def _application_button(action: str) -> Button:
    """A button on an application: `decide` checks who may press it and maps it to its service."""
    return Button(None, lambda **kw: decide(action=action, **kw), f"已办理：{APPLICATION_ACTIONS[action]}。")


APPLICATION_BUTTONS = {action: _application_button(action) for action in APPLICATION_ACTIONS}


def _application(request: HttpRequest, pk: int) -> StudentAidApplication:
    return found_or_404(selectors.application_get, scope=scope_of(request), pk=pk)


def _publication(request: HttpRequest, pk: int) -> Publication:
    return found_or_404(selectors.publication_get, scope=scope_of(request), pk=pk)


def _form_page(request: HttpRequest, form: forms.Form, title: str, back: str, **extra: Any) -> HttpResponse:
    return render(
        request,
        "student_aid/form.html",
        {"section": "student_aid", "form": form, "title": title, "back": back, **extra},
    )


# --- applications --------------------------------------------------------------------------------


@login_required
def application_list(request: HttpRequest) -> HttpResponse:
    scope = require_perm(request, StudentAidPerm.VIEW)
    filters = sf.ApplicationFilterForm(request.GET)
    status, school_year = "", None
    if filters.is_valid():
        status = filters.cleaned_data["status"] or ""
        school_year = filters.cleaned_data["school_year"]
    qs = selectors.application_list(scope=scope, school_year=school_year, status=status)
    listing = list_page(request, qs)
    rows = listing.rows
    for a in rows:
        a.amount_yuan = fen_to_yuan(a.amount_fen)
    query = "&".join(
        f"{k}={v}" for k, v in (("status", status), ("school_year", school_year or "")) if v not in ("", None)
    )
    return render(
        request,
        "student_aid/application_list.html",
        {
            "section": "student_aid",
            **listing.context(),
            "query": query,
            "filters": filters,
            "status": status,
            "statuses": ApplicationStatus.choices,
            "can_apply": scope.has_perm_anywhere(StudentAidPerm.APPLY),
        },
    )


def _membership_by_key(scope: Scope, key: str) -> Membership:
    """The active member with this member number or ID number where the scope may apply for them."""
    term = classify_search(key)
    if term is None or term.kind not in ("member_no", "id"):
        raise DomainError("student_aid.member_key_invalid", field="member")
    ms = active_member_by_key(scope=scope, key=key, perm=StudentAidPerm.APPLY)
    if ms is None:
        raise DomainError("student_aid.member_not_found", field="member")
    return ms


@login_required
def application_create(request: HttpRequest) -> HttpResponse:
    scope = require_perm(request, StudentAidPerm.APPLY)
    previous = request.GET.get("from", "")
    if previous.isdigit():  # "continue next year" from a previous application: its prefilled form
        return redirect("student_aid:application_continue", pk=int(previous))
    form = sf.ApplicationForm(request.POST or None)
    found: list[Membership] = []
    if request.method == "POST":
        form.is_valid()  # every field cleaned; the member is looked up even when another one is refused
        if form.cleaned_data.get("member"):
            try:
                found.append(_membership_by_key(scope, form.cleaned_data["member"]))
            except DomainError as exc:
                apply_domain_error(form, exc)

    def perform(data: dict[str, Any]) -> tuple[str, str]:
        ms = found[0]
        application = applications.application_apply(
            actor=actor_of(request),
            scope=scope,
            membership=ms,
            student=applications.StudentIn.from_form(data),
            school_year=data["school_year"],
            promise_signed=data["promise_signed"],
        )
        return (
            reverse("student_aid:application", args=[application.pk]),
            f"已登记{application.student_name} {application.school_year} 学年的金秋助学申请，"
            f"资助金额 {fen_to_yuan(application.amount_fen)} 元，待基层工会审核。",
        )

    return run_form(request, form, perform) or _form_page(
        request, form, "登记金秋助学申请", reverse("student_aid:applications")
    )


@login_required
def application_continue(request: HttpRequest, pk: int) -> HttpResponse:
    """Next school year's application from this one, prefilled (`prefill_next_year`)."""
    application = _application(request, pk)
    scope = require_perm(request, StudentAidPerm.APPLY, application.org_path)
    back = reverse("student_aid:application", args=[application.pk])
    refusal = applications.continuation_refusal(application, scope=scope)
    if refusal is not None:  # the form is not offered when the service would refuse it
        messages.error(request, refusal.message)
        return redirect(back)
    draft = applications.prefill_next_year(application)
    student = draft["student"]
    initial = {
        "major": student["major"],
        "tuition": fen_to_yuan(student["tuition_fen"]),
        "loan": fen_to_yuan(student["loan_fen"]),
        "family_on_subsistence": student["family_on_subsistence"],
    }
    form = sf.ContinueForm(request.POST or None, initial=initial)

    def perform(data: dict[str, Any]) -> tuple[str, str]:
        nxt = applications.application_continue(
            actor=actor_of(request),
            scope=scope,
            application=application,
            promise_signed=data["promise_signed"],
            changes={
                "major": data["major"],
                "tuition_fen": data["tuition"],
                "loan_fen": data["loan"],
                "family_on_subsistence": data["family_on_subsistence"],
            },
        )
        return (
            reverse("student_aid:application", args=[nxt.pk]),
            f"已登记{nxt.student_name} {nxt.school_year} 学年的续助申请，资助金额 {fen_to_yuan(nxt.amount_fen)} 元。",
        )

    summary = [
        ("学生", f"{student['name']}（{student['id_masked']}，{student['relation']}）"),
        ("就读院校", student["school"]),
        ("学段", LEVELS.get(student["level"], student["level"])),
        ("在读期间", f"{student['enrolment_year']} 年入学，预计 {student['graduation_year']} 年毕业"),
        ("续助学年", f"{draft['school_year']} 学年"),
    ]
    return run_form(request, form, perform) or _form_page(
        request, form, f"续报 {draft['school_year']} 学年：{student['name']}", back, summary=summary
    )


def application_actions(scope: Scope, actor: User, application: StudentAidApplication) -> dict[str, Any]:
    """Which buttons the caller sees on the application now (the services check again).

    `continue_refusal` says why 续报下一学年 is not offered to a caller who may apply, where the
    reason is not plain from the page (the next year already applied for, no standard, no longer a member).
    """
    status = application.status
    review = status == ApplicationStatus.APPLIED and scope.has_perm(StudentAidPerm.REVIEW, application.org_path)
    approve = (
        status == ApplicationStatus.UNIT_REVIEWED
        and scope.has_perm(StudentAidPerm.APPROVE, selectors.approving_org(application.org).path)
        and application.reviewed_by_id != actor.pk
    )
    apply = scope.has_perm(StudentAidPerm.APPLY, application.org_path)
    refusal = applications.continuation_refusal(application, scope=scope) if apply else None
    return {
        "review": review,
        "approve": approve,
        "decide": review or approve,
        "withdraw": apply and status in applications.WITHDRAWABLE,
        "continue": apply and refusal is None,
        "continue_refusal": refusal.message
        if refusal is not None and refusal.code not in ("student_aid.wrong_status", "student_aid.graduated")
        else "",
    }


def _crosscheck_of(scope: Scope, application: StudentAidApplication) -> dict[str, Any] | None:
    """The cross-check review of this application and its evidence, where the caller may see it."""
    if not scope.has_perm(CrossCheckPerm.VIEW, application.org_path):
        return None
    review = (
        review_list(scope=scope)
        .filter(subject_type=selectors.CROSSCHECK_SUBJECT, subject_id=str(application.pk))
        .first()
    )
    if review is None:
        return None
    return {
        "review": review,
        "evidence": review_evidence(review=review),
        "url": reverse("crosscheck:review", args=[review.pk]),
    }


@login_required
def application_detail(request: HttpRequest, pk: int, refused: sf.NoteForm | None = None) -> HttpResponse:
    """The application and its buttons; `refused` is the note form of a step just refused, as typed."""
    application = _application(request, pk)
    scope, actor = scope_of(request), actor_of(request)
    course = selectors.student_course(application)
    other_grants = selectors.other_course_lines(application.student_id_index)
    years = [
        {
            "school_year": y["school_year"],
            "level": LEVELS.get(y["level"], y["level"]),
            "status": dict(ApplicationStatus.choices).get(y["status"], y["status"]),
            "amount_yuan": fen_to_yuan(y["amount_fen"]),
            "current": y["school_year"] == application.school_year,
        }
        for y in course["years"]
    ]
    standard = selectors.aid_standard(
        application.region_code, application.school_year, application.level, application.is_on_file
    )
    return render(
        request,
        "student_aid/application_detail.html",
        {
            "section": "student_aid",
            "a": application,
            "amount_yuan": fen_to_yuan(application.amount_fen),
            "tuition_yuan": fen_to_yuan(application.tuition_fen),
            "loan_yuan": fen_to_yuan(application.loan_fen),
            "standard": standard,
            "standard_yuan": fen_to_yuan(standard.amount_fen) if standard else None,
            "standard_region": region_name(application.region_code) or application.region_code,
            "years": years,
            "paid_yuan": fen_to_yuan(course["paid_fen"]),
            "other_grants": [{**row, "amount_yuan": fen_to_yuan(row["amount_fen"])} for row in other_grants],
            "other_yuan": fen_to_yuan(sum(row["amount_fen"] for row in other_grants)),
            "course_total_yuan": fen_to_yuan(course["paid_fen"] + sum(row["amount_fen"] for row in other_grants)),
            "crosscheck": _crosscheck_of(scope, application),
            "can": application_actions(scope, actor, application),
            "note_form": refused or sf.NoteForm(),
        },
    )


@login_required
@require_POST
def application_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    if action not in APPLICATION_BUTTONS:
        raise Http404
    application = _application(request, pk)
    form = sf.NoteForm(request.POST)
    note = (form.data.get("note", "") or "").strip()
    # A step that is not the caller's is a 403, as the API answers (`decide` checks who may press it).
    if not press_button(
        request,
        APPLICATION_BUTTONS,
        action,
        actor=actor_of(request),
        scope=scope_of(request),
        application=application,
        note=note,
    ):
        return application_detail(request, application.pk, refused=form)  # the refusal above, the note kept
    return redirect("student_aid:application", pk=application.pk)


# --- 公示 ------------------------------------------------------------------------------------------


@login_required
def publication_list(request: HttpRequest) -> HttpResponse:
    scope = require_perm(request, StudentAidPerm.VIEW)
    status = request.GET.get("status", "")
    qs = selectors.publication_list(scope=scope)
    if status:
        qs = qs.filter(status=status)
    listing = list_page(request, qs)
    return render(
        request,
        "student_aid/publication_list.html",
        {
            "section": "student_aid",
            **listing.context(),
            "query": f"status={status}" if status else "",
            "status": status,
            "statuses": PublicationStatus.choices,
            "can_publish": scope.has_perm_anywhere(StudentAidPerm.PUBLISH),
        },
    )


def _approved_choices(scope: Scope, org_code: str, school_year: int | None) -> list[tuple[str, str]]:
    qs = selectors.application_list(
        scope=scope, status=ApplicationStatus.APPROVED, school_year=school_year, perm=StudentAidPerm.PUBLISH
    )
    if org_code:
        try:
            org = org_get(scope=scope, code=org_code.strip().upper())
        except DomainError:
            return []
        qs = qs.filter(org_path__startswith=org.path)
    return [
        (
            str(a.pk),
            f"{a.student_name}｜{a.school}｜{a.get_level_display()}｜{a.school_year} 学年｜"
            f"{fen_to_yuan(a.amount_fen)} 元｜{a.org.name}",
        )
        for a in qs[:1000]
    ]


@login_required
def publication_create(request: HttpRequest) -> HttpResponse:
    scope = require_perm(request, StudentAidPerm.PUBLISH)
    source = request.POST if request.method == "POST" else request.GET
    org_code = source.get("org_code", "")
    try:
        school_year: int | None = int(source.get("school_year", ""))
    except ValueError:
        school_year = None
    # The filter narrows what is offered; a POST is checked against every approved one (below, per org and year).
    choices = (
        _approved_choices(scope, "", None)
        if request.method == "POST"
        else _approved_choices(scope, org_code, school_year)
    )
    initial = {"org_code": org_code, "school_year": school_year, "applications": [c[0] for c in choices]}
    form = sf.PublicationForm(request.POST or None, choices=choices, initial=initial)

    def perform(data: dict[str, Any]) -> tuple[str, str]:
        try:
            org = org_get(scope=scope, code=data["org_code"].strip().upper())
        except DomainError as exc:
            raise DomainError("org.not_in_scope", field="org_code") from exc
        picked = {int(i) for i in data["applications"]}
        fitting = selectors.application_list(
            scope=scope, school_year=data["school_year"], status=ApplicationStatus.APPROVED, perm=StudentAidPerm.PUBLISH
        ).filter(org_path__startswith=org.path, pk__in=picked)
        if picked - set(fitting.values_list("pk", flat=True)):
            # The service would leave them out silently: say so instead.
            raise DomainError("student_aid.selection_outside_publication", field="applications")
        publication = publishing.publication_create(
            actor=actor_of(request),
            scope=scope,
            org=org,
            school_year=data["school_year"],
            days=data["days"],
            title=data["title"],
            starts_on=data["starts_on"],
            application_ids=sorted(picked),
        )
        listed = len(selectors.publication_entries(publication))
        return (
            reverse("student_aid:publication", args=[publication.pk]),
            f"已发布公示，共 {listed} 名学生，公示期 {publication.starts_on} 至 {publication.ends_on}。",
        )

    return run_form(request, form, perform) or _form_page(
        request,
        form,
        "发布金秋助学公示",
        reverse("student_aid:publications"),
        narrow_hint="先填工会代码和学年并点“筛选”，只列出该工会及下级工会该学年已审批的申请。",
    )


def publication_actions(scope: Scope, publication: Publication) -> dict[str, Any]:
    """Which buttons the caller sees on the 公示 now; 结束公示 only when `publication_close` would do it,
    else (to a caller who may end it) why not, as `close_refusal`."""
    publish = scope.has_perm(StudentAidPerm.PUBLISH, publication.org_path)
    open_ = publication.status == PublicationStatus.OPEN
    close_refusal = publishing.publication_close_refusal(publication) if publish and open_ else None
    return {
        "object": publish and open_,
        "resolve": scope.has_perm(StudentAidPerm.APPROVE, publication.org_path),
        "close": publish and open_ and close_refusal is None,
        "close_refusal": close_refusal.message if close_refusal is not None else "",
        "disburse": publish
        and publication.status == PublicationStatus.CLOSED
        and scope.has_perm(PayoutPerm.MAKE, publication.org_path),
    }


def _published(scope: Scope, publication: Publication) -> QuerySet[StudentAidApplication]:
    return selectors.application_list(scope=scope).filter(publication=publication)


def _objection_choices(published: QuerySet[StudentAidApplication]) -> list[tuple[str, str]]:
    return [
        (str(a.pk), f"{a.student_name}（{a.school}）")
        for a in published.filter(status=ApplicationStatus.PUBLISHED).order_by("student_name", "pk")
    ]


@login_required
def publication_detail(request: HttpRequest, pk: int, refused: dict[str, Any] | None = None) -> HttpResponse:
    """The 公示 and its forms; `refused` holds a form just refused (`resolve`: (objection id, form)), as typed."""
    publication = _publication(request, pk)
    scope = scope_of(request)
    published = _published(scope, publication)
    choices = _objection_choices(published)
    batches = sorted(
        {b for b in published.exclude(payout_item=None).values_list("payout_item__batch_id", flat=True) if b}
    )
    return render(
        request,
        "student_aid/publication_detail.html",
        {
            "section": "student_aid",
            "p": publication,
            "period_over": publication.ends_on < timezone.localdate(),
            "entries": selectors.publication_entries(publication),
            "objections": list(selectors.objection_list(scope=scope, publication=publication)),
            "can": publication_actions(scope, publication),
            "objection_form": sf.ObjectionForm(choices=choices),
            "resolve": (None, sf.ObjectionResolveForm()),
            "disburse_form": sf.DisbursementForm(),
            "batches": batches,
            "ready": published.filter(status=ApplicationStatus.PUBLISHED, payout_item=None).count(),
            "refusals": request.session.pop(f"student-aid-pub-{publication.pk}-refusals", []),
        }
        | (refused or {}),
    )


@login_required
def publication_notice(request: HttpRequest, pk: int) -> HttpResponse:
    """The 公示 as a notice to print and post (A4): the same public list, never an ID number."""
    publication = _publication(request, pk)
    context = notice_context(publication)
    entries = context["entries"]
    return render(
        request,
        "student_aid/notice.html",
        context | {"total_yuan": fen_to_yuan(sum(parse_yuan(e["amount_yuan"]) for e in entries))},
    )


@login_required
@require_POST
def objection_record(request: HttpRequest, pk: int) -> HttpResponse:
    publication = _publication(request, pk)
    scope = require_perm(request, StudentAidPerm.PUBLISH, publication.org_path)
    form = sf.ObjectionForm(request.POST, choices=_objection_choices(_published(scope, publication)))
    again = {"objection_form": form}  # refused: the page again, the form as typed with every error
    if not form.is_valid():
        return publication_detail(request, publication.pk, refused=again)
    data = form.cleaned_data
    application = _published(scope, publication).get(pk=int(data["application"]))
    done = run_action(
        request,
        f"已登记对{application.student_name}的异议，待县级总工会处理。",
        lambda: publishing.objection_record(
            actor=actor_of(request),
            scope=scope,
            application=application,
            reason=data["reason"],
            raised_by=data["raised_by"],
            on=data["received_on"],
        ),
    )
    if not done:
        return publication_detail(request, publication.pk, refused=again)
    return redirect("student_aid:publication", pk=publication.pk)


@login_required
@require_POST
def objection_resolve(request: HttpRequest, pk: int, objection_pk: int) -> HttpResponse:
    publication = _publication(request, pk)
    scope = scope_of(request)
    objection = selectors.objection_list(scope=scope, publication=publication).filter(pk=objection_pk).first()
    if objection is None:
        raise Http404
    require_perm(request, StudentAidPerm.APPROVE, publication.org_path)
    form = sf.ObjectionResolveForm(request.POST)
    again = {"resolve": (objection.pk, form)}  # refused: the page again, this objection's form as typed
    if not form.is_valid():
        return publication_detail(request, publication.pk, refused=again)
    upheld = form.cleaned_data["decision"] == ObjectionStatus.UPHELD
    outcome = "异议成立，该学生不予资助" if upheld else "异议不成立，该学生保留在名单中"
    done = run_action(
        request,
        f"已处理异议：{outcome}。",
        lambda: publishing.objection_resolve(
            actor=actor_of(request), scope=scope, objection=objection, upheld=upheld, note=form.cleaned_data["note"]
        ),
    )
    if not done:
        return publication_detail(request, publication.pk, refused=again)
    return redirect("student_aid:publication", pk=publication.pk)


@login_required
@require_POST
def publication_close(request: HttpRequest, pk: int) -> HttpResponse:
    publication = _publication(request, pk)
    scope = require_perm(request, StudentAidPerm.PUBLISH, publication.org_path)
    run_action(
        request,
        "公示已结束，名单上的学生可以发放助学金。",
        lambda: publishing.publication_close(actor=actor_of(request), scope=scope, publication=publication),
    )
    return redirect("student_aid:publication", pk=publication.pk)


@login_required
@require_POST
def publication_disburse(request: HttpRequest, pk: int) -> HttpResponse:
    publication = _publication(request, pk)
    scope = require_perm(request, StudentAidPerm.PUBLISH, publication.org_path)
    require_perm(request, PayoutPerm.MAKE, publication.org_path)
    back = redirect("student_aid:publication", pk=publication.pk)
    form = sf.DisbursementForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请选择代发银行。")
        return back
    try:
        batch, refusals = disbursement.disbursement_create(
            actor=actor_of(request), scope=scope, publication=publication, bank=bank_get(form.cleaned_data["bank"])
        )
    except DomainError as exc:
        messages.error(request, refusal_text(exc))
        return back
    if refusals:
        names = dict(_published(scope, publication).values_list("pk", "student_name"))
        request.session[f"student-aid-pub-{publication.pk}-refusals"] = [
            (names.get(r.application_id, ""), r.reason) for r in refusals
        ]
        messages.warning(
            request, f"已生成代发批次（草稿），{len(refusals)} 名学生未列入（原因见公示页），可办理后另行发放。"
        )
    else:
        messages.success(request, "已生成代发批次（草稿），请提交复核。")
    return redirect("payouts:payout", pk=batch.pk)


# --- the standard table --------------------------------------------------------------------------


def standard_table(year: int | None) -> tuple[list[tuple[str, bool, str]], list[dict[str, Any]]]:
    """The amounts as a table: a row per region and year, a column per level × on-file status."""
    columns = [(level, on_file, f"{label}·{'建档' if on_file else '非建档'}") for level, label in LEVELS.items()
               for on_file in (True, False)]  # fmt: skip
    rows: dict[tuple[str, int], dict[tuple[str, bool], str]] = {}
    for s in selectors.standard_list(year=year):
        rows.setdefault((s.region_code, s.year), {})[(s.level, s.on_file)] = fen_to_yuan(s.amount_fen)
    table = [
        {
            "region": region_name(code) or code,
            "region_code": code,
            "year": y,
            "amounts": [cells.get((level, on_file), "") for level, on_file, _label in columns],
        }
        for (code, y), cells in rows.items()
    ]
    return columns, table


@login_required
def standards(request: HttpRequest) -> HttpResponse:
    scope = require_perm(request, StudentAidPerm.VIEW)
    can_set = scope.has_perm_anywhere(StudentAidPerm.STANDARD)
    if request.method == "POST":
        require_perm(request, StudentAidPerm.STANDARD)
    form = sf.StandardForm(request.POST or None)

    def perform(data: dict[str, Any]) -> tuple[str, str]:
        try:
            org = org_get(scope=scope, code=data["org_code"].strip().upper(), perm=StudentAidPerm.STANDARD)
        except DomainError as exc:
            raise DomainError("org.not_in_scope", field="org_code") from exc
        standard = aid_standard_set(
            actor=actor_of(request),
            scope=scope,
            org=org,
            year=data["year"],
            level=data["level"],
            on_file=data["on_file"],
            amount_fen=data["amount"],
        )
        return (
            reverse("student_aid:standards") + f"?year={standard.year}",
            f"已设置{region_name(standard.region_code) or standard.region_code} {standard.year} 学年"
            f"{LEVELS[standard.level]}（{'建档' if standard.on_file else '非建档'}）资助标准为 "
            f"{fen_to_yuan(standard.amount_fen)} 元。",
        )

    done = run_form(request, form, perform)
    if done is not None:
        return done
    try:
        year: int | None = int(request.GET.get("year", ""))
    except ValueError:
        year = None
    columns, table = standard_table(year)
    return render(
        request,
        "student_aid/standards.html",
        {
            "section": "student_aid",
            "columns": [label for _l, _o, label in columns],
            "table": table,
            "year": year,
            "form": form if can_set else None,
        },
    )
