"""Structural scoping: a scoped manager refuses queries that name no scope.

A request's actor reaches rows only through `Model.objects.within(scope)`; services,
jobs and management commands, which act on rows already resolved or on the whole
database by design, open `unscoped()` explicitly. Anything else raises
`ScopeRequired`, so a forgotten filter fails loudly in tests instead of leaking
rows of another union (the OpenSPP failure DESIGN.md mentions).
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from django.db import models
from django.db.models import Q

from gonghui.core.errors import PermissionDeniedError
from gonghui.core.permissions import all_permissions

_unscoped_depth: contextvars.ContextVar[int] = contextvars.ContextVar("gonghui_unscoped", default=0)
_request_scope: contextvars.ContextVar[Scope | None] = contextvars.ContextVar("gonghui_request_scope", default=None)

M = TypeVar("M", bound=models.Model)
F = TypeVar("F", bound=Callable[..., Any])


class ScopeRequired(RuntimeError):
    """An unscoped query on a scoped model outside services, jobs and commands."""


@contextmanager
def unscoped() -> Iterator[None]:
    token = _unscoped_depth.set(_unscoped_depth.get() + 1)
    try:
        yield
    finally:
        _unscoped_depth.reset(token)


def is_unscoped() -> bool:
    return _unscoped_depth.get() > 0


@contextmanager
def answering_with(scope: Scope) -> Iterator[None]:
    """The request being answered acts with `scope` (accounts' ScopeMiddleware opens it around each request)."""
    token = _request_scope.set(scope)
    try:
        yield
    finally:
        _request_scope.reset(token)


def request_scope_now() -> Scope | None:
    """The scope of the request being answered; None outside one (the console, a job, a test's form).

    Only for form fields that resolve what a person typed (a union's name) while a form is
    cleaned, since forms are built without the request (pretix's django_scopes works alike).
    Selectors and services take their scope as an argument.
    """
    return _request_scope.get()


def subtree_q(field: str, path: str) -> Q:
    """Rows whose materialized path lies in the subtree rooted at `path`.

    Paths are digit segments each ending in "/", so the subtree is the half-open
    range [path, path-with-its-last-"/"-replaced-by-"0"): one b-tree range scan
    on both SQLite and PostgreSQL (the column uses the "C" collation there).
    """
    return Q(**{f"{field}__gte": path, f"{field}__lt": path[:-1] + "0"})


def subtrees_q(field: str, paths: list[str]) -> Q:
    q = Q(pk__in=[])
    for path in collapse_paths(paths):
        q |= subtree_q(field, path)
    return q


def subtrees_prefix_q(field: str, paths: list[str]) -> Q:
    q = Q(pk__in=[])
    for path in collapse_paths(paths):
        q |= Q(**{f"{field}__startswith": path})
    return q


def collapse_paths(paths: list[str]) -> list[str]:
    """Drop paths already covered by an ancestor path in the list."""
    kept: list[str] = []
    for path in sorted(set(paths)):
        if not kept or not path.startswith(kept[-1]):
            kept.append(path)
    return kept


@dataclass(frozen=True)
class GrantScope:
    org_id: int
    org_code: str
    path: str
    role: str
    permissions: frozenset[str]


@dataclass(frozen=True)
class Scope:
    user_id: int | None
    is_superuser: bool = False
    grants: tuple[GrantScope, ...] = field(default_factory=tuple)

    @property
    def is_anonymous(self) -> bool:
        return self.user_id is None

    def paths_with(self, perm: str) -> list[str]:
        return collapse_paths([g.path for g in self.grants if perm in g.permissions])

    def visible_paths(self) -> list[str]:
        return collapse_paths([g.path for g in self.grants])

    def has_perm(self, perm: str, path: str) -> bool:
        """Whether `perm` is held on the node at `path` (through it or an ancestor)."""
        if self.is_superuser:
            return True
        return any(path.startswith(g.path) and perm in g.permissions for g in self.grants)

    def has_perm_anywhere(self, perm: str) -> bool:
        return self.is_superuser or any(perm in g.permissions for g in self.grants)

    def confined_to(self, *, org_id: int, org_code: str, path: str) -> Scope:
        """This scope cut down to the subtree at `path`: what a job filed under that union may touch.

        A grant above the node holds its permissions from the node down; a grant
        inside the subtree stays as it is; grants elsewhere drop out. A superuser
        becomes an ordinary holder of every permission on the node.
        """
        if self.is_superuser:
            everything = frozenset(all_permissions())
            return Scope(self.user_id, grants=(GrantScope(org_id, org_code, path, "superuser", everything),))
        grants = []
        for g in self.grants:
            if path.startswith(g.path):
                grants.append(GrantScope(org_id, org_code, path, g.role, g.permissions))
            elif g.path.startswith(path):
                grants.append(g)
        return Scope(self.user_id, grants=tuple(grants))


ANONYMOUS = Scope(user_id=None)


# The function that turns a user into their scope; `accounts` registers it (core knows no users' grants).
_resolver: Callable[[Any], Scope] | None = None


def register_scope_resolver(resolver: Callable[[Any], Scope]) -> None:
    global _resolver
    _resolver = resolver


def scope_of_user(user: Any) -> Scope:
    """The user's scope as their grants are now (for jobs that act later on a user's behalf)."""
    if _resolver is None:
        raise RuntimeError("no scope resolver registered (the accounts app is not installed)")
    return _resolver(user)


def require_perm_at(scope: Scope | None, perm: str, path: str) -> None:
    """A service's permission check on the node at `path`.

    `scope` None is the console, a job or the worker's own application, acting
    with the server's authority.
    """
    if scope is not None and not scope.has_perm(perm, path):
        raise PermissionDeniedError(perm)


class ScopedManager(models.Manager[M], Generic[M]):
    """Manager that refuses unscoped access; `within(scope, perm)` is the way in."""

    def __init__(self, path_field: str = "", *also: str) -> None:
        # A row may answer to more than one node (a transfer: both unions see it).
        # No arguments: a related manager Django derives from this class (a
        # many-to-many's); it stays scoped (unscoped() to read through it).
        super().__init__()
        self.path_field = path_field
        self.path_fields = (path_field, *also)

    def deconstruct(self) -> Any:
        # Keep migrations free of this manager's argument.
        return (False, "django.db.models.Manager", None, (), {})

    def get_queryset(self) -> models.QuerySet[M]:
        if not is_unscoped():
            raise ScopeRequired(
                f"{self.model.__name__}.objects used without a scope; "
                "use .within(scope, perm) or open core.scoping.unscoped() in a service"
            )
        return super().get_queryset()

    def within(self, scope: Scope, perm: str, *, residual: bool = False) -> models.QuerySet[M]:
        """The rows in the subtrees where the scope holds `perm`.

        `residual=True` writes the subtrees as prefix matches instead of index
        ranges, for queries led by a more selective index (a name search): SQLite
        cannot use an index for them, so its planner keeps the selective one.
        """
        qs = super().get_queryset()
        if scope.is_superuser:
            return qs
        paths = scope.paths_with(perm)
        q = Q(pk__in=[])
        for path_field in self.path_fields:
            q |= subtrees_prefix_q(path_field, paths) if residual else subtrees_q(path_field, paths)
        return qs.filter(q)
