"""Writes for accounts: roles, grants, API tokens."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gonghui.accounts.models import ApiToken, Grant, Role, User
from gonghui.accounts.permissions import AccountPerm
from gonghui.core.audit import audit_record
from gonghui.core.errors import DomainError, PermissionDeniedError, register_messages
from gonghui.core.permissions import BUILTIN_ROLES, builtin_role_permissions
from gonghui.core.scoping import Scope, unscoped
from gonghui.orgs.models import Org

TOKEN_PREFIX = "gh_"  # noqa: S105 - a public marker, not a secret

register_messages(
    {
        "accounts.member_account": _(
            "会员请使用手机端登录（/m/login/）：会员账户不能登录工作人员平台，也不能申请访问令牌。"
        )
    }
)


def staff_account_check(user: User) -> None:
    """Refuse a member's own account (the member portal's `MemberAccount`) on the staff side: login, profile, tokens.

    Read through the reverse relation's name, so accounts does not import the portal, which depends on it.
    """
    if is_member_account(user):
        raise DomainError("accounts.member_account", status=403)


def is_member_account(user: object) -> bool:
    """Whether a signed-in user is a member's own account (the portal's), not staff."""
    pk = getattr(user, "pk", None)
    return pk is not None and User.objects.filter(pk=pk, member_account__isnull=False).exists()


def roles_sync_builtin() -> None:
    """Create the built-in roles and keep their permissions equal to the declarations."""
    perms = builtin_role_permissions()
    with transaction.atomic():
        for name, label in BUILTIN_ROLES.items():
            role, _ = Role.objects.get_or_create(name=name, defaults={"label": label, "is_builtin": True})
            wanted = sorted(perms[name])
            if role.permissions != wanted or not role.is_builtin:
                role.permissions = wanted
                role.is_builtin = True
                role.save(update_fields=["permissions", "is_builtin"])


def user_create(*, username: str, password: str, display_name: str = "", actor: User | None = None) -> User:
    """Create an account with a validated password (hashed with Argon2)."""
    user = User(username=username, display_name=display_name)
    validate_password(password, user)
    with transaction.atomic():
        user.set_password(password)
        user.save()
        audit_record(actor=actor, action="accounts.user.create", target=user, data={"username": username})
    return user


def grant_role(*, actor: User | None, actor_scope: Scope | None, user: User, role_name: str, org_code: str) -> Grant:
    """Grant `role_name` on the subtree of `org_code`; idempotent.

    `actor_scope` None means the console (`gonghui grant`), which runs with the
    authority of whoever can run commands on the server.
    """
    roles = {r.name: r for r in Role.objects.all()}
    role = roles.get(role_name)
    if role is None:
        raise DomainError("grant.role_unknown", role=role_name, roles="、".join(sorted(roles)))
    with unscoped():
        org = Org.objects.filter(code=org_code).first()
    if org is None:
        raise DomainError("grant.org_unknown", code=org_code)
    if actor_scope is not None and not actor_scope.has_perm(AccountPerm.GRANT_MANAGE, org.path):
        raise PermissionDeniedError(AccountPerm.GRANT_MANAGE)
    with transaction.atomic():
        grant, created = Grant.objects.get_or_create(
            user=user, role=role, org=org, defaults={"created_by": actor if actor and actor.pk else None}
        )
        if created:
            audit_record(
                actor=actor,
                action="accounts.grant.create",
                org=org,
                target=grant,
                data={"user": user.username, "role": role.name, "org": org.code},
            )
    return grant


def _hash_token(raw: str) -> str:
    # Tokens carry 256 bits of randomness, so a fast hash is enough: there is
    # nothing to brute-force, and lookups stay one indexed equality.
    return hashlib.sha256(raw.encode()).hexdigest()


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    raw: str


def token_create(*, user: User, name: str = "") -> IssuedToken:
    """Issue a bearer token (never to a member account); the clear value is returned once and never stored."""
    staff_account_check(user)
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user,
            name=name[:100],
            prefix=raw[:10],
            key_hash=_hash_token(raw),
            expires_at=timezone.now() + timedelta(days=settings.GONGHUI_API_TOKEN_DAYS),
        )
        audit_record(actor=user, action="accounts.token.create", target=token, data={"name": name})
    return IssuedToken(token=token, raw=raw)


def token_revoke(*, user: User, token_id: int) -> ApiToken:
    """Revoke one of the user's own tokens; someone else's token is not found."""
    with transaction.atomic():
        token = ApiToken.objects.select_for_update().filter(user=user, pk=token_id).first()
        if token is None:
            raise DomainError("token.not_found", status=404)
        if token.revoked_at is None:
            token.revoked_at = timezone.now()
            token.save(update_fields=["revoked_at"])
            audit_record(actor=user, action="accounts.token.revoke", target=token, data={"name": token.name})
    return token


def token_authenticate(raw: str) -> User | None:
    """The active user behind a valid, unexpired, unrevoked token, or None."""
    if not raw.startswith(TOKEN_PREFIX):
        return None
    now = timezone.now()
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=_hash_token(raw), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None or (token.expires_at is not None and token.expires_at <= now):
        return None
    # Only touch the row when the stamp is stale, so busy integrations do not
    # write on every request.
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=5):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
