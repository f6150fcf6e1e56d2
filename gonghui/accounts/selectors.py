from __future__ import annotations

from django.db.models import QuerySet

from gonghui.accounts.models import ApiToken, Grant, User


def token_list(*, user: User) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user).order_by("-created_at")


def grant_list_for_user(*, user: User) -> QuerySet[Grant]:
    return Grant.objects.filter(user=user).select_related("role", "org").order_by("org__path")
