"""Members' mobile pages.

Joining needs no account: a union's code or QR code is the way in. Everything
else is the member's own: signed in with a member account (实名激活), they see
their membership and cards, and apply for 金秋助学 and follow it. Every record
is looked up through the member's own person, so another's id is a 404.
"""

from __future__ import annotations

import copy
import io
from typing import Any

import segno
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_lockout_response
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.signals import user_login_failed
from django.core import signing
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.http import content_disposition_header
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_POST
from django_ratelimit.core import is_ratelimited
from django_ratelimit.decorators import ratelimit
from django_ratelimit.exceptions import Ratelimited

from gonghui.core.errors import DomainError, PermissionDeniedError
from gonghui.core.money import fen_to_yuan
from gonghui.core.ratelimits import rate
from gonghui.core.viewutils import actor_of, apply_domain_error, found_or_404
from gonghui.honors import member_side as honors_member
from gonghui.members import selectors, services
from gonghui.members.forms import JoinForm
from gonghui.members.validation import FieldError, clean_mobile
from gonghui.notices.certificates import certificates_pdf
from gonghui.orgs.models import Org
from gonghui.portal import services as portal_services
from gonghui.portal.auth import member_of, member_required
from gonghui.portal.forms import (
    ActivateForm,
    AidApplyForm,
    AidContinueForm,
    MemberLoginForm,
    WithdrawForm,
    school_year_label,
)
from gonghui.portal.selectors import (
    aid_continuations,
    aid_course,
    aid_timeline,
    intake_school_year,
    member_account_of,
    member_home,
    member_membership,
)
from gonghui.rights import member_side as rights_member
from gonghui.student_aid import applications as aid_applications
from gonghui.student_aid import member_side as aid_member_side
from gonghui.student_aid import selectors as aid_selectors
from gonghui.student_aid.models import StudentAidApplication

# Activation logs the new account in at once; it has just proved its password.
MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"

# The confirmation page's reference is signed: a guessed number shows nothing.
REF_SALT = "portal.join.done"


def _org(code: str) -> Org:
    try:
        return selectors.org_for_join(code)
    except DomainError as exc:
        raise Http404 from exc


def _join_union(group: str, request: HttpRequest) -> str:
    """The join limit's per-union key: the code in the URL, as the page reads it."""
    match = request.resolver_match
    return str(match.kwargs.get("code", "") if match else "").strip().upper()


def join_find(request: HttpRequest) -> HttpResponse:
    """A union's code → its join page; an unknown, closed or unpublished code is the same "not found"."""
    code = request.GET.get("code", "").strip().upper()
    error = ""
    if code:
        limit = rate("join_find_address")
        if is_ratelimited(request, group="portal.join_find", key="ip", rate=limit, method="GET", increment=True):
            raise Ratelimited()
        try:
            return redirect("portal:join", selectors.org_for_join(code).code)
        except DomainError:
            error = "未找到该工会代码，请向工会工作人员确认。"
    return render(request, "portal/join_find.html", {"code": code, "error": error})


@ratelimit(group="portal.join", key="ip", rate=rate("join_address"), method="POST")
@ratelimit(group="portal.join_union", key=_join_union, rate=rate("join_union"), method="POST")
def join(request: HttpRequest, code: str) -> HttpResponse:
    """The public join form: every well-formed application gets the same answer, whoever the ID
    number belongs to (`members.services.join_apply`); posts are limited per address and per union."""
    org = _org(code)
    form = JoinForm(request.POST or None, initial={"id_type": "1"})
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data.pop("accept_charter")
        data.pop("consent")
        id_number, id_type = data.pop("id_number"), data.pop("id_type")
        try:
            ms = services.join_apply(org=org, id_number=id_number, id_type=id_type, fields=data)
        except DomainError as exc:
            if isinstance(exc.details, dict):
                for field, reason in exc.details.items():
                    form.add_error(field if field in form.fields else None, reason)
            else:
                form.add_error(None, exc.message)
        else:
            ref = signing.dumps([ms.pk, org.code], salt=REF_SALT)
            return redirect("portal:join_done", org.code, ref)
    return render(request, "portal/join.html", {"org": org, "form": form})


def join_done(request: HttpRequest, code: str, ref: str) -> HttpResponse:
    org = _org(code)
    try:
        pk, signed_code = signing.loads(ref, salt=REF_SALT, max_age=60 * 60 * 24 * 30)
    except (signing.BadSignature, ValueError, TypeError) as exc:
        raise Http404 from exc
    if signed_code != org.code:
        raise Http404
    return render(request, "portal/join_done.html", {"org": org, "number": f"RH{pk:08d}"})


@cache_control(max_age=3600)
def join_qr(request: HttpRequest, code: str) -> HttpResponse:
    """The union's join QR code (SVG), pointing at its join page on this server."""
    org = _org(code)
    url = request.build_absolute_uri(reverse("portal:join", args=[org.code]))
    out = io.BytesIO()
    segno.make(url, error="m").save(out, kind="svg", scale=6, border=2, title=f"{org.name} 入会二维码")
    return HttpResponse(out.getvalue(), content_type="image/svg+xml")


# --- member accounts ------------------------------------------------------------------------------


@method_decorator(
    ratelimit(group="portal.login", key="ip", rate=rate("member_login_address"), method="POST"), name="dispatch"
)
class MemberLoginView(auth_views.LoginView):
    """Sign in with the mobile number; the same lockout as the staff login (django-axes)."""

    template_name = "portal/login.html"
    authentication_form = MemberLoginForm
    next_page = "portal:home"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if member_account_of(request.user) is not None:
            return redirect(self.get_success_url())
        return super().get(request, *args, **kwargs)


class MemberLogoutView(auth_views.LogoutView):
    next_page = "portal:login"


def _activation_credentials(raw_mobile: str) -> dict[str, str] | None:
    """Activation is counted against the mobile it names, as a login with that username is."""
    try:
        mobile = clean_mobile(raw_mobile)
    except FieldError:
        return None  # a malformed number never reaches the registry
    return {"username": mobile} if mobile else None


def _activation_failed(request: HttpRequest, credentials: dict[str, str]) -> bool:
    """Record a refused activation as a failed login (django-axes); True once that locks the mobile out.

    Axes keeps the POST of a failure with only `password` and `id_number`
    masked; the confirmation password would stay in clear, so it sees none.
    """
    probe = copy.copy(request)
    probe.POST = QueryDict()
    user_login_failed.send(sender=__name__, credentials=credentials, request=probe)
    return bool(getattr(probe, "axes_locked_out", False))


@ratelimit(group="portal.activate", key="ip", rate=rate("activate_address"), method="POST")
def activate(request: HttpRequest) -> HttpResponse:
    """实名激活: the member proves who they are with what the union holds, and chooses a password.

    Every refused attempt counts as a failed login of the mobile it names, from
    that address, whatever was wrong with it (a mismatch, an account already
    activated, a weak password, a slip in the form), and every registry
    mismatch is the one answer `portal.activation_refused`: the form cannot be
    used to try ID numbers against a known name and mobile, nor to learn that
    a name, ID number and mobile belong together.
    """
    form = ActivateForm(request.POST or None)
    if request.method != "POST":
        return render(request, "portal/activate.html", {"form": form})
    credentials = _activation_credentials(request.POST.get("mobile", ""))
    if credentials is not None and AxesProxyHandler.is_locked(request, credentials):
        return get_lockout_response(request, credentials=credentials)
    if form.is_valid():
        data = form.cleaned_data
        try:
            account = portal_services.member_account_activate(
                name=data["name"], id_number=data["id_number"], mobile=data["mobile"], password=data["password"]
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            login(request, account.user, backend=MODEL_BACKEND)
            messages.success(request, "会员账户已激活，今后请用手机号码和密码登录。")
            return redirect("portal:home")
    if credentials is not None and _activation_failed(request, credentials):
        return get_lockout_response(request, credentials=credentials)
    return render(request, "portal/activate.html", {"form": form})


@member_required
def home(request: HttpRequest) -> HttpResponse:
    account = member_of(request)
    context = member_home(person=account.person)
    return render(request, "portal/home.html", {"member_nav": True, **context})


# --- 金秋助学 -----------------------------------------------------------------------------------------

# Where a service's refusal belongs on the application form.
AID_ERROR_FIELDS = {
    "student_aid.excluded": "enrolment_kind",
    "student_aid.out_of_course": "school_year",
    "student_aid.promise_required": "promise",
}
AID_DETAIL_FIELDS = {"tuition_fen": "tuition", "loan_fen": "loan"}


def _aid_error(form: AidApplyForm | AidContinueForm, exc: DomainError) -> None:
    if isinstance(exc.details, dict) and not isinstance(exc, PermissionDeniedError):
        for key, reason in exc.details.items():
            field = AID_DETAIL_FIELDS.get(key, key)
            form.add_error(field if field in form.fields else None, reason)
    else:
        field = AID_ERROR_FIELDS.get(exc.code)
        form.add_error(field if field in form.fields else None, exc.message)


def _own_application(request: HttpRequest, pk: int) -> StudentAidApplication:
    return found_or_404(aid_selectors.member_application_get, person=member_of(request).person, pk=pk)


@member_required
def aid_list(request: HttpRequest) -> HttpResponse:
    person = member_of(request).person
    return render(
        request,
        "portal/aid_list.html",
        {
            "member_nav": True,
            "rows": aid_selectors.member_applications(person=person),
            "continuations": aid_continuations(person=person, up_to_year=intake_school_year()),
        },
    )


def _initial(prefill: dict[str, Any]) -> dict[str, Any]:
    student = prefill["student"]
    return {
        "school": student["school"],
        "major": student["major"],
        "level": student["level"],
        "tuition": fen_to_yuan(student["tuition_fen"]) if student["tuition_fen"] else "",
        "loan": fen_to_yuan(student["loan_fen"]) if student["loan_fen"] else "",
        "family_on_subsistence": student["family_on_subsistence"],
    }


@member_required
def aid_new(request: HttpRequest) -> HttpResponse:
    """A new application for the member's child (`?from=<id>`, an older link, goes on to `aid_continue`)."""
    account = member_of(request)
    previous = request.GET.get("from", "")
    if previous:
        if not previous.isdigit():
            raise Http404
        return redirect("portal:aid_continue", _own_application(request, int(previous)).pk)
    year = intake_school_year()
    form = AidApplyForm(request.POST or None, school_years=[year, year - 1], initial={"school_year": year})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        student = aid_applications.StudentIn.from_form(data)
        try:
            membership = member_membership(person=account.person)
            if membership is None:
                raise DomainError("student_aid.not_member")
            application = aid_member_side.member_application_apply(
                actor=actor_of(request),
                person=account.person,
                membership=membership,
                student=student,
                school_year=data["school_year"],
                promise_signed=data["promise"],
            )
        except DomainError as exc:
            _aid_error(form, exc)
        else:
            return _submitted(request, application)
    return render(request, "portal/aid_new.html", {"member_nav": True, "form": form})


def _submitted(request: HttpRequest, application: StudentAidApplication) -> HttpResponse:
    messages.success(request, f"{application.student_name}的金秋助学申请已提交，请等待基层工会审核。")
    return redirect("portal:aid_detail", application.pk)


@member_required
def aid_continue(request: HttpRequest, pk: int) -> HttpResponse:
    """Next school year's application from one of the member's own: the student comes from the sealed record
    (the ID number is neither shown nor asked); the member confirms school, level, fees and loans and promises."""
    account = member_of(request)
    previous = _own_application(request, pk)
    # The rule the service applies on submit, checked before the form is shown (a link followed
    # straight to this page gets the reason, not a form that will be refused).
    refusal = (
        None
        if request.method == "POST"
        else aid_applications.continuation_refusal(previous, scope=None, member=account.person)
    )
    try:
        if refusal is not None:
            raise refusal
        prefill = aid_applications.prefill_next_year(previous)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("portal:aid_detail", previous.pk)
    form = AidContinueForm(request.POST or None, initial=_initial(prefill))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            application = aid_member_side.member_application_continue(
                actor=actor_of(request),
                person=account.person,
                application=previous,
                promise_signed=data["promise"],
                changes={
                    "school": data["school"],
                    "major": data["major"],
                    "level": data["level"],
                    "tuition_fen": data["tuition"],
                    "loan_fen": data["loan"],
                    "family_on_subsistence": data["family_on_subsistence"],
                },
            )
        except DomainError as exc:
            _aid_error(form, exc)
        else:
            return _submitted(request, application)
    student = prefill["student"]
    return render(
        request,
        "portal/aid_continue.html",
        {
            "member_nav": True,
            "form": form,
            "previous": previous,
            "student": student,
            "school_year": school_year_label(prefill["school_year"]),
            "previous_school_year": school_year_label(previous.school_year),
        },
    )


@member_required
def aid_detail(request: HttpRequest, pk: int) -> HttpResponse:
    application = _own_application(request, pk)
    continuation = next(
        (
            c
            for c in aid_continuations(person=member_of(request).person, up_to_year=intake_school_year())
            if c["id"] == application.pk
        ),
        None,
    )
    return render(
        request,
        "portal/aid_detail.html",
        {
            "member_nav": True,
            "a": application,
            "school_year": school_year_label(application.school_year),
            "amount_yuan": fen_to_yuan(application.amount_fen),
            "tuition_yuan": fen_to_yuan(application.tuition_fen),
            "loan_yuan": fen_to_yuan(application.loan_fen),
            "timeline": aid_timeline(application),
            "course": aid_course(application),
            "can_withdraw": application.status in aid_applications.WITHDRAWABLE,
            "withdraw_form": WithdrawForm(),
            "continuation": continuation,
        },
    )


@member_required
@require_POST
def aid_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    application = _own_application(request, pk)
    form = WithdrawForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        aid_member_side.member_application_withdraw(
            actor=actor_of(request), person=member_of(request).person, application=application, reason=reason
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "申请已撤回。")
    return redirect("portal:aid_detail", application.pk)


# --- 12351: a member follows their own cases ------------------------------------------------------


@member_required
def case_list(request: HttpRequest) -> HttpResponse:
    person = member_of(request).person
    number = request.GET.get("number", "").strip()[:30]
    if number:
        if rights_member.member_case(person=person, number=number) is not None:
            return redirect("portal:case_detail", number=number)
        messages.error(request, "没有找到这个工单编号，或它不是您的工单。")
    rows = list(rights_member.member_cases(person=person)[:50])
    for c in rows:
        c.member_status = rights_member.member_status(c)  # type: ignore[attr-defined]
    return render(request, "portal/case_list.html", {"member_nav": True, "rows": rows, "number": number})


@member_required
def case_detail(request: HttpRequest, number: str) -> HttpResponse:
    case = rights_member.member_case(person=member_of(request).person, number=number)
    if case is None:
        raise Http404
    return render(
        request,
        "portal/case_detail.html",
        {
            "member_nav": True,
            "c": case,
            "status": rights_member.member_status(case),
            "due": rights_member.member_due(case),
            "overdue": rights_member.is_overdue(case),
            "timeline": rights_member.member_timeline(case),
        },
    )


# --- 荣誉: a member's own honors and their certificates -------------------------------------------


@member_required
def honor_list(request: HttpRequest) -> HttpResponse:
    rows = list(honors_member.member_honors(person=member_of(request).person))
    return render(request, "portal/honor_list.html", {"member_nav": True, "rows": rows})


@member_required
def honor_certificate(request: HttpRequest, pk: int) -> HttpResponse:
    """The certificate PDF of one of the member's own honors (another's, or one without: 404)."""
    certificate = honors_member.member_certificate(person=member_of(request).person, honor_id=pk)
    if certificate is None:
        raise Http404
    pdf = certificates_pdf([certificate], base_url=request.build_absolute_uri("/"))
    response = HttpResponse(pdf, content_type="application/pdf")
    download = request.GET.get("download") == "1"
    response["Content-Disposition"] = str(
        content_disposition_header(as_attachment=download, filename=f"{certificate.serial}.pdf")
    )
    return response
