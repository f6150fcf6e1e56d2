"""Resolving a user's scope from their grants (the `Scope` type itself lives in `core.scoping`)."""

from __future__ import annotations

from gonghui.core.scoping import ANONYMOUS, GrantScope, Scope, unscoped


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
