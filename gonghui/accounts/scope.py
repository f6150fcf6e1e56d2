"""The actor's scope: the union of the subtrees of their grants, per permission."""

from __future__ import annotations

from dataclasses import dataclass, field

from gonghui.core.scoping import collapse_paths, unscoped


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
            from gonghui.core.permissions import all_permissions

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


def scope_for_user(user: object) -> Scope:
    """Resolve a user's grants once; one query."""
    from gonghui.accounts.models import Grant

    if user is None or not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return ANONYMOUS
    with unscoped():
        rows = (
            Grant.objects.filter(user_id=user.pk, org__closed_on__isnull=True)  # type: ignore[attr-defined]
            .select_related("role", "org")
            .order_by("org__path")
        )
        grants = tuple(
            GrantScope(
                org_id=g.org_id,
                org_code=g.org.code,
                path=g.org.path,
                role=g.role.name,
                permissions=frozenset(g.role.permissions),
            )
            for g in rows
        )
    return Scope(user_id=user.pk, is_superuser=bool(getattr(user, "is_superuser", False)), grants=grants)  # type: ignore[attr-defined]
