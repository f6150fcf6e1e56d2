"""Who may use the member pages: a signed-in user with a member account, and nobody else."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from gonghui.portal.models import MemberAccount
from gonghui.portal.selectors import member_account_of

View = Callable[..., HttpResponse]


def member_required(view: View) -> View:
    """Anonymous: to /m/login/?next=…; signed in without a member account (a cadre): 403."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), reverse("portal:login"))
        account = member_account_of(request.user)
        if account is None:
            return render(request, "portal/not_member.html", status=403)
        request.member_account = account  # type: ignore[attr-defined]
        return view(request, *args, **kwargs)

    return wrapper


def member_of(request: HttpRequest) -> MemberAccount:
    """The member behind a request that passed `member_required`."""
    account = getattr(request, "member_account", None)
    assert isinstance(account, MemberAccount)
    return account
