"""The phone's training pages (技能培训, DOMAIN §6): open classes, enrolment, "my classes", and the check-in
a session's QR code opens; and the members' worker activities (职工活动): sign-up and the QR check-in.

Open classes are public, as a poster on the village notice board is: a villager who is not a member
enrols with name, mobile and ID number (sealed by the service, never shown again). The phone that
enrolled remembers the trainee by the blind index of their ID in its server-side session, so "my
classes" and the check-in need no account; a signed-in member is known by their registry record.
Anyone else checking in types the ID number they enrolled with.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST
from django_ratelimit.decorators import ratelimit

from gonghui.accounts.models import User
from gonghui.core.errors import DomainError
from gonghui.core.ratelimits import rate
from gonghui.core.viewutils import apply_domain_error, refusal_text
from gonghui.members.models import Membership, Person
from gonghui.portal.auth import member_of, member_required
from gonghui.portal.selectors import member_account_of, member_membership
from gonghui.portal.training_forms import CheckinIdForm, PhoneEnrolForm
from gonghui.skills import innovation, training
from gonghui.skills import training_selectors as sel
from gonghui.skills.models import EnrolmentStatus, TrainingClass

TRAINEE_KEY = "trainee_index"  # the blind index of the ID this phone enrolled with (never the number)


def _person(request: HttpRequest) -> Person | None:
    account = member_account_of(request.user)
    return account.person if account is not None else None


def _actor(request: HttpRequest) -> User | None:
    """The signed-in member's account; a villager enrolling without one is audited as nobody."""
    return request.user if isinstance(request.user, User) else None


def _trainee_index(request: HttpRequest, person: Person | None) -> str:
    if person is not None:
        return person.id_index
    return str(request.session.get(TRAINEE_KEY, ""))


def _class(pk: int) -> TrainingClass:
    c = sel.class_public(pk=pk)
    if c is None:
        raise Http404
    return c


def classes(request: HttpRequest) -> HttpResponse:
    """技能培训: the trainee's own classes (when known) and the classes taking trainees."""
    person = _person(request)
    q = request.GET.get("q", "").strip()[:40]
    return render(
        request,
        "portal/training/classes.html",
        {
            "member_nav": person is not None,
            "mine": sel.enrolments_of(id_index=_trainee_index(request, person)),
            "open": sel.open_classes(q=q),
            "q": q,
        },
    )


@ratelimit(group="portal.training", key="ip", rate=rate("training_address"), method="POST")
def class_page(request: HttpRequest, pk: int) -> HttpResponse:
    """A class and its enrolment form; full classes put the trainee on the waiting list."""
    c = _class(pk)
    person = _person(request)
    index = _trainee_index(request, person)
    membership = member_membership(person=person) if person is not None else None
    form = PhoneEnrolForm(request.POST or None, member=membership is not None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            e = training.enrolment_self(
                actor=_actor(request),
                training_class=c,
                membership=membership,
                id_number=data.get("id_number", ""),
                name=data.get("name", ""),
                mobile=data["mobile"],
                income_before_fen=data["income_before"],
            )
        except DomainError as exc:
            if exc.code == "skills.already_enrolled":
                # Never say whose: the ID number typed may be someone else's.
                form.add_error(None, "这个身份证号码已经报名了本培训班。")
            else:
                apply_domain_error(form, exc)
                if isinstance(exc.details, dict) and "member" in exc.details:
                    form.add_error("id_number" if "id_number" in form.fields else None, exc.details["member"])
        else:
            if person is None:
                request.session[TRAINEE_KEY] = e.id_index
            if e.status == EnrolmentStatus.WAITING:
                messages.info(request, f"名额已满，您已进入“{c.name}”的候补名单，有空位时按报名先后递补。")
            else:
                messages.success(request, f"报名成功：{c.name}。上课时扫描老师出示的二维码签到。")
            return redirect("portal:training_classes")
    mine = next((e for e in sel.enrolments_of(id_index=index) if e.training_class_id == c.pk), None)
    return render(
        request,
        "portal/training/class.html",
        {"member_nav": person is not None, "c": c, "form": form, "mine": mine, "member": membership},
    )


def checkin(request: HttpRequest, code: str) -> HttpResponse:
    """What a session's QR code opens: the class and day, and the check-in button (or the ID form)."""
    session = training.session_by_code(code)
    if session is None:
        raise Http404
    person = _person(request)
    index = _trainee_index(request, person)
    return render(
        request,
        "portal/training/checkin.html",
        {
            "member_nav": person is not None,
            "session": session,
            "c": session.training_class,
            "code": code,
            "known": bool(index),
            "form": CheckinIdForm(),
        },
    )


@ratelimit(group="portal.training", key="ip", rate=rate("training_address"), method="POST")
@require_POST
def checkin_post(request: HttpRequest, code: str) -> HttpResponse:
    session = training.session_by_code(code)
    if session is None:
        raise Http404
    person = _person(request)
    index = _trainee_index(request, person)
    form = CheckinIdForm(request.POST if not index else None)
    if not index and not form.is_valid():
        return render(
            request,
            "portal/training/checkin.html",
            {"member_nav": False, "session": session, "c": session.training_class, "code": code, "form": form},
            status=400,
        )
    try:
        attendance = training.session_checkin(
            actor=_actor(request),
            code=code,
            id_index=index,
            id_number="" if index else form.cleaned_data["id_number"],
        )
    except DomainError as exc:
        messages.error(request, refusal_text(exc))
        return redirect("portal:training_checkin", code)
    if person is None:
        request.session[TRAINEE_KEY] = attendance.enrolment.id_index
    messages.success(request, f"签到成功：{session.training_class.name}，{session.held_on:%m月%d日}。")
    return redirect("portal:training_classes")


# --- 职工活动: sign-up and the activity's QR check-in (members only: participations are members') ---------


def _membership(request: HttpRequest) -> Membership | None:
    person = member_of(request).person
    return member_membership(person=person)


@member_required
def activities(request: HttpRequest) -> HttpResponse:
    """Today's and coming activities of the member's union and the unions above it, with 报名."""
    ms = _membership(request)
    rows = sel.activities_for_member(org_path=ms.org_path) if ms is not None else []
    mine = sel.signups_of(membership_id=ms.pk, activity_ids=[a.pk for a in rows]) if ms is not None else {}
    for a in rows:
        a.mine = mine.get(a.pk)  # type: ignore[attr-defined]
    return render(request, "portal/training/activities.html", {"member_nav": True, "rows": rows})


@member_required
@require_POST
def activity_signup(request: HttpRequest, pk: int) -> HttpResponse:
    activity = sel.activity_public(pk=pk)
    ms = _membership(request)
    if activity is None or ms is None:
        raise Http404
    try:
        innovation.activity_signup(actor=_actor(request), activity=activity, membership=ms)
    except DomainError as exc:
        messages.error(request, refusal_text(exc))
    else:
        messages.success(request, f"已报名：{activity.name}。活动当天扫描现场的二维码签到。")
    return redirect("portal:activities")


@member_required
def activity_checkin(request: HttpRequest, code: str) -> HttpResponse:
    """What an activity's QR code opens: the activity and 签到 (a member not signed up is signed up now)."""
    activity = sel.activity_by_code(code=code)
    if activity is None:
        raise Http404
    ms = _membership(request)
    if request.method == "POST":
        if ms is None:
            raise Http404
        try:
            innovation.activity_checkin(actor=_actor(request), code=code, membership=ms)
        except DomainError as exc:
            messages.error(request, refusal_text(exc))
        else:
            messages.success(request, f"签到成功：{activity.name}。")
            return redirect("portal:activities")
    mine = sel.signups_of(membership_id=ms.pk, activity_ids=[activity.pk]).get(activity.pk) if ms else None
    return render(
        request,
        "portal/training/activity_checkin.html",
        {"member_nav": True, "a": activity, "mine": mine, "code": code},
    )
