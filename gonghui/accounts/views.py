from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from gonghui.accounts.models import User
from gonghui.accounts.selectors import grant_list_for_user, token_list
from gonghui.accounts.services import staff_account_check, token_create, token_revoke
from gonghui.core.errors import DomainError


class StaffLoginForm(AuthenticationForm):
    """The staff sign-in: a member's account, its password right, is refused and sent to the member pages."""

    member_refused = False

    def confirm_login_allowed(self, user: Any) -> None:
        super().confirm_login_allowed(user)
        try:
            staff_account_check(user)
        except DomainError as exc:
            self.member_refused = True
            raise ValidationError(exc.message, code="member_account") from exc


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = StaffLoginForm
    redirect_authenticated_user = True

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        # A member signed in on the phone pages is shown this page, not sent on to a dashboard that refuses them.
        refusal = _member_refusal(request) if request.user.is_authenticated else None
        if refusal is not None:
            self.redirect_authenticated_user = False
            self.extra_context = {"member_refusal": refusal.message}
        return super().dispatch(request, *args, **kwargs)


def _member_refusal(request: HttpRequest) -> DomainError | None:
    assert isinstance(request.user, User)
    try:
        staff_account_check(request.user)
    except DomainError as exc:
        return exc
    return None


def _refused(request: HttpRequest, exc: DomainError) -> HttpResponse:
    messages.error(request, exc.message)
    return render(request, "403.html", status=exc.status)


class LogoutView(auth_views.LogoutView):
    pass


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    refusal = _member_refusal(request)
    if refusal is not None:
        return _refused(request, refusal)
    assert isinstance(request.user, User)
    return render(
        request,
        "accounts/profile.html",
        {
            "grants": grant_list_for_user(user=request.user),
            "tokens": token_list(user=request.user),
            "new_token": request.session.pop("new_token", None),
        },
    )


@login_required
@require_POST
def token_new(request: HttpRequest) -> HttpResponse:
    assert isinstance(request.user, User)
    try:
        issued = token_create(user=request.user, name=request.POST.get("name", "").strip() or "API")
    except DomainError as exc:
        return _refused(request, exc)
    # Shown once on the next page, then gone from the session.
    request.session["new_token"] = issued.raw
    return redirect("accounts:profile")


@login_required
@require_POST
def token_delete(request: HttpRequest, token_id: int) -> HttpResponse:
    assert isinstance(request.user, User)
    try:
        token_revoke(user=request.user, token_id=token_id)
        messages.success(request, "访问令牌已吊销。")
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("accounts:profile")
