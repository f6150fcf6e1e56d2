"""Pages of training classes: the list, opening a class, its trainees and waiting list, enrolment (members, or
villagers by their ID number), attendance by session, completion, incomes a year on, and the yearly plans.

Thin views over `training` and the selectors; another union's class is not found (404). ID numbers
appear masked only; a typed one goes back only into the refused form of who typed it.
"""

from __future__ import annotations

import io
from urllib.parse import urlencode

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from gonghui.core.errors import DomainError
from gonghui.core.money import fen_to_yuan
from gonghui.core.viewutils import actor_of, apply_domain_error, found_or_404, refusal_text, require_perm, scope_of
from gonghui.members.selectors import active_member_by_key
from gonghui.orgs.selectors import org_get
from gonghui.skills import forms as sf
from gonghui.skills import selectors, training
from gonghui.skills import training_selectors as tsel
from gonghui.skills.models import ClassStatus, EnrolmentStatus, TrainingClass
from gonghui.skills.permissions import SkillsPerm

SECTION = "training"


def _class(request: HttpRequest, pk: int) -> TrainingClass:
    require_perm(request, SkillsPerm.TRAINING_VIEW)
    return found_or_404(selectors.class_get, scope=scope_of(request), pk=pk)


@login_required
def class_list(request: HttpRequest) -> HttpResponse:
    scope = require_perm(request, SkillsPerm.TRAINING_VIEW)
    return render(
        request,
        "skills/class_list.html",
        {
            "section": SECTION,
            "rows": list(selectors.class_list(scope=scope)[:300]),
            "can_create": scope.has_perm_anywhere(SkillsPerm.TRAINING_MANAGE),
        },
    )


@login_required
def class_new(request: HttpRequest) -> HttpResponse:
    scope = require_perm(request, SkillsPerm.TRAINING_MANAGE)
    form = sf.ClassForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            org = org_get(scope=scope, code=data.pop("org"), perm=SkillsPerm.TRAINING_MANAGE)
        except DomainError:
            form.add_error("org", "没有这个工会或学院，或不在您的管理范围内")
        else:
            try:
                created = training.class_create(actor=actor_of(request), scope=scope, org=org, **data)
            except DomainError as exc:
                apply_domain_error(form, exc)
            else:
                messages.success(request, f"已开办培训班“{created.name}”。")
                return redirect("skills:class", pk=created.pk)
    return render(request, "skills/class_new.html", {"section": SECTION, "form": form, "title": "开办培训班"})


@login_required
def class_detail(request: HttpRequest, pk: int) -> HttpResponse:
    c = _class(request, pk)
    enrolments = selectors.enrolment_list(scope=scope_of(request), training_class=c)
    for e in enrolments:
        e.income_before_yuan = fen_to_yuan(e.income_before_fen) if e.income_before_fen is not None else ""  # type: ignore[attr-defined]
        e.income_after_yuan = fen_to_yuan(e.income_after_fen) if e.income_after_fen is not None else ""  # type: ignore[attr-defined]
    manage = scope_of(request).has_perm(SkillsPerm.TRAINING_MANAGE, c.org_path)
    return render(
        request,
        "skills/class_detail.html",
        {
            "section": SECTION,
            "c": c,
            "enrolments": enrolments,
            "sessions": selectors.session_list(training_class=c),
            "can_manage": manage and c.status == ClassStatus.OPEN,
            "can_income": manage,
            "income_form": sf.IncomeForm(),
            "can_certify": manage and any(e.status == EnrolmentStatus.COMPLETED for e in enrolments),
            "plan_rows": tsel.college_plan(org_path=c.org.path, org_id=c.org_id),
            "phone_url": request.build_absolute_uri(reverse("portal:training_class", args=[c.pk])),
        },
    )


@login_required
def enrol(request: HttpRequest, pk: int) -> HttpResponse:
    c = _class(request, pk)
    scope = require_perm(request, SkillsPerm.TRAINING_MANAGE, c.org_path)
    form = sf.EnrolForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        # A member of the caller's unions is enrolled from the registry; anyone else by their ID number.
        ms = active_member_by_key(scope=scope, key=data["member"], perm=SkillsPerm.TRAINING_MANAGE)
        try:
            e = training.enrolment_add(
                actor=actor_of(request),
                scope=scope,
                training_class=c,
                membership=ms,
                id_number="" if ms is not None else data["member"],
                name=data["name"],
                mobile=data["mobile"],
                income_before_fen=data["income_before"],
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            where = "候补名单" if e.status == EnrolmentStatus.WAITING else "培训班"
            messages.success(request, f"{e.name}已报名，进入{where}。")
            return redirect("skills:enrol", pk=c.pk)
    return render(request, "skills/enrol.html", {"section": SECTION, "c": c, "form": form, "title": "培训报名"})


@login_required
@require_POST
def enrolment_action(request: HttpRequest, pk: int, enrolment_pk: int, action: str) -> HttpResponse:
    c = _class(request, pk)
    scope = require_perm(request, SkillsPerm.TRAINING_MANAGE, c.org_path)
    e = found_or_404(selectors.enrolment_get, scope=scope, training_class=c, pk=enrolment_pk)
    try:
        if action == "withdraw":
            moved = training.enrolment_withdraw(actor=actor_of(request), scope=scope, enrolment=e)
            note = f"，候补的{'、'.join(m.name for m in moved)}转为正式学员" if moved else ""
            messages.success(request, f"{e.name}已退出培训班{note}。")
        elif action == "income":
            form = sf.IncomeForm(request.POST)
            if not form.is_valid():
                messages.error(request, "；".join(str(m) for errs in form.errors.values() for m in errs))
            else:
                training.enrolment_income_record(
                    actor=actor_of(request),
                    scope=scope,
                    enrolment=e,
                    income_after_fen=form.cleaned_data["income_after"],
                )
                messages.success(request, f"已登记{e.name}培训一年后的年收入。")
        else:
            raise Http404
    except DomainError as exc:
        messages.error(request, refusal_text(exc))
    return redirect("skills:class", pk=c.pk)


@login_required
def attendance(request: HttpRequest, pk: int, session_pk: int) -> HttpResponse:
    c = _class(request, pk)
    scope = require_perm(request, SkillsPerm.TRAINING_MANAGE, c.org_path)
    session = found_or_404(selectors.session_get, training_class=c, pk=session_pk)
    enrolled = [
        e
        for e in selectors.enrolment_list(scope=scope_of(request), training_class=c)
        if e.status == EnrolmentStatus.ENROLLED
    ]
    if request.method == "POST":
        chosen = set(request.POST.getlist("present"))
        try:
            count = training.attendance_record(
                actor=actor_of(request),
                scope=scope,
                session=session,
                enrolments=[e for e in enrolled if str(e.pk) in chosen],
            )
        except DomainError as exc:
            messages.error(request, refusal_text(exc))
        else:
            messages.success(request, f"已签到 {count} 人。")
            return redirect("skills:class", pk=c.pk)
    present = set(session.attendances.values_list("enrolment_id", flat=True))
    return render(
        request,
        "skills/attendance.html",
        {"section": SECTION, "c": c, "session": session, "enrolled": enrolled, "present": present},
    )


@login_required
@require_POST
def class_complete(request: HttpRequest, pk: int) -> HttpResponse:
    c = _class(request, pk)
    scope = require_perm(request, SkillsPerm.TRAINING_MANAGE, c.org_path)
    try:
        done = training.class_complete(actor=actor_of(request), scope=scope, training_class=c)
    except DomainError as exc:
        messages.error(request, refusal_text(exc))
    else:
        messages.success(request, f"培训班已结业，{done} 名学员达到出勤要求。")
    return redirect("skills:class", pk=c.pk)


@login_required
def plans(request: HttpRequest) -> HttpResponse:
    scope = require_perm(request, SkillsPerm.TRAINING_VIEW)
    can_set = scope.has_perm_anywhere(SkillsPerm.TRAINING_MANAGE)
    form = sf.PlanForm(request.POST or None)
    if request.method == "POST":
        require_perm(request, SkillsPerm.TRAINING_MANAGE)
        if form.is_valid():
            data = form.cleaned_data
            try:
                org = org_get(scope=scope, code=data["org"], perm=SkillsPerm.TRAINING_MANAGE)
            except DomainError:
                form.add_error("org", "没有这个工会或学院，或不在您的管理范围内")
            else:
                try:
                    training.plan_set(
                        actor=actor_of(request),
                        scope=scope,
                        org=org,
                        year=data["year"],
                        trainee_times=data["trainee_times"],
                        contests_planned=data["contests_planned"] or 0,
                    )
                except DomainError as exc:
                    apply_domain_error(form, exc)
                else:
                    messages.success(request, f"已设定{org.name} {data['year']} 年的培训计划。")
                    return redirect("skills:plans")
    return render(
        request,
        "skills/plans.html",
        {"section": SECTION, "rows": selectors.plan_rows(scope=scope), "form": form, "can_set": can_set},
    )


# --- QR check-in and certificates ----------------------------------------------------------------------


def checkin_url(request: HttpRequest, session_code: str) -> str:
    """The phone page a session's QR code opens (the portal's; named, not imported: portal is above)."""
    return request.build_absolute_uri(reverse("portal:training_checkin", args=[session_code]))


@login_required
def session_qr(request: HttpRequest, pk: int, session_pk: int) -> HttpResponse:
    """The session's QR code, shown on the classroom screen or printed: trainees scan it to check in."""
    c = _class(request, pk)
    require_perm(request, SkillsPerm.TRAINING_MANAGE, c.org_path)
    session = found_or_404(selectors.session_get, training_class=c, pk=session_pk)
    url = checkin_url(request, training.session_code(session))
    out = io.BytesIO()
    segno.make(url, error="m").save(
        out, kind="svg", scale=8, border=2, xmldecl=False, svgns=True, title=f"{c.name} 签到二维码"
    )
    return render(
        request,
        "skills/session_qr.html",
        {
            "section": SECTION,
            "c": c,
            "session": session,
            "url": url,
            "qr": mark_safe(out.getvalue().decode()),  # noqa: S308 - segno's own SVG
            "present": session.attendances.count(),
        },
    )


@login_required
@require_POST
def certificates(request: HttpRequest, pk: int) -> HttpResponse:
    """Certificates of completion for the chosen trainees (or every completed one), then their PDF."""
    c = _class(request, pk)
    scope = require_perm(request, SkillsPerm.TRAINING_MANAGE, c.org_path)
    chosen = [int(i) for i in request.POST.getlist("enrolment") if i.isdigit()]
    rows = [e for e in selectors.enrolment_list(scope=scope, training_class=c) if not chosen or e.pk in chosen]
    if not chosen:
        rows = [e for e in rows if e.status == EnrolmentStatus.COMPLETED]
    elif len(rows) != len(set(chosen)):
        raise Http404
    try:
        issued = training.certificates_for_class(
            actor=actor_of(request), scope=scope, training_class=c, enrolments=rows
        )
    except DomainError as exc:
        messages.error(request, refusal_text(exc))
        return redirect("skills:class", pk=c.pk)
    query = urlencode([("id", cert.pk) for cert in issued])
    return redirect(f"{reverse('notices:certificates_pdf')}?{query}")
