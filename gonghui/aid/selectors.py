"""Reads on hardship files and relief visits, always within the caller's scope."""

from __future__ import annotations

from django.db.models import QuerySet

from gonghui.accounts.scope import Scope
from gonghui.aid.models import HardshipFile, ReliefVisit
from gonghui.aid.permissions import AidPerm
from gonghui.core.errors import NotFoundError


def file_list(*, scope: Scope, status: str = "", category: str = "") -> QuerySet[HardshipFile]:
    qs = HardshipFile.objects.within(scope, AidPerm.VIEW).select_related("org", "person")
    if status:
        qs = qs.filter(status=status)
    if category:
        qs = qs.filter(category=category)
    return qs.order_by("-created_at", "-pk")


def file_get(*, scope: Scope, pk: int) -> HardshipFile:
    """The file if the scope may see it; another union's id is not found (never 403)."""
    file = file_list(scope=scope).prefetch_related("family").filter(pk=pk).first()
    if file is None:
        raise NotFoundError()
    return file


def visit_list(*, scope: Scope, event: str = "", year: int | None = None) -> QuerySet[ReliefVisit]:
    qs = ReliefVisit.objects.within(scope, AidPerm.VIEW).select_related("org", "person", "campaign")
    if event:
        qs = qs.filter(event=event)
    if year:
        qs = qs.filter(visited_on__year=year)
    return qs.order_by("-visited_on", "-pk")
