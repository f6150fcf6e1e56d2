from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from gonghui.accounts.models import User
from gonghui.accounts.selectors import grant_list_for_user, token_list
from gonghui.accounts.services import token_create, token_revoke
from gonghui.core.errors import DomainError


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    pass


@login_required
def profile(request: HttpRequest) -> HttpResponse:
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
    issued = token_create(user=request.user, name=request.POST.get("name", "").strip() or "API")
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
