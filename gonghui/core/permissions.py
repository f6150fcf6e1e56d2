"""The registry of declared permissions.

Each app declares its permissions as one `TextChoices` enum in its
`permissions.py` and registers it with the built-in roles that hold each one.
Roles are data (accounts.Role); the built-in ones are kept in step with these
declarations after every migrate.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from django.db import models

BUILTIN_ROLES: dict[str, str] = {
    "admin": "管理员",
    "officer": "经办人",
    "reviewer": "审核人",
    "viewer": "查看人",
}

_registry: dict[str, str] = {}
_defaults: dict[str, set[str]] = {name: set() for name in BUILTIN_ROLES}


def register(enum: type[models.TextChoices], defaults: Mapping[str, Iterable[str]]) -> None:
    """Declare an app's permissions and which built-in roles hold them.

    `admin` holds every permission of its subtree, so it need not be listed.
    """
    for member in enum:
        _registry[member.value] = str(member.label)
        _defaults["admin"].add(member.value)
    for perm, roles in defaults.items():
        if perm not in _registry:
            raise ValueError(f"{perm} is not declared by {enum.__name__}")
        for role in roles:
            _defaults[role].add(perm)


def all_permissions() -> dict[str, str]:
    return dict(sorted(_registry.items()))


def builtin_role_permissions() -> dict[str, set[str]]:
    return {name: set(perms) for name, perms in _defaults.items()}


class CorePerm(models.TextChoices):
    AUDIT_VIEW = "core.audit.view", "查看审计日志"


register(CorePerm, {CorePerm.AUDIT_VIEW: ["admin"]})
