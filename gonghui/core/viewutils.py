"""Small helpers for thin views: the request's scope and permission checks."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from gonghui.accounts.scope import Scope


def scope_of(request: HttpRequest) -> Scope:
    return request.scope  # type: ignore[attr-defined]


def require_perm(request: HttpRequest, perm: str, path: str | None = None) -> Scope:
    """403 unless the scope holds `perm` at `path` (or anywhere when path is None)."""
    scope = scope_of(request)
    allowed = scope.has_perm(perm, path) if path is not None else scope.has_perm_anywhere(perm)
    if not allowed:
        raise PermissionDenied(perm)
    return scope
