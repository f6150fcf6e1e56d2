"""Recording audit events. Services call `audit_record` inside their transaction."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.db import models, transaction

from gonghui.core.masking import mask_mapping, mask_mobile
from gonghui.core.models import AuditEvent

if TYPE_CHECKING:
    from gonghui.accounts.models import User
    from gonghui.orgs.models import Org


MOBILE_USERNAME = re.compile(r"1\d{10}")  # members sign in with their mobile number


def _actor_label(actor: User | None) -> str:
    """Who acted, as the log shows it: a member's mobile (their username) masked like any mobile."""
    if actor is None or not actor.pk:
        return "系统"
    username = actor.get_username()
    return mask_mobile(username) if MOBILE_USERNAME.fullmatch(username) else username


def audit_record(
    *,
    actor: User | None,
    action: str,
    org: Org | None = None,
    target: models.Model | None = None,
    data: Mapping[str, Any] | None = None,
    ip_address: str | None = None,
) -> AuditEvent:
    """Write one masked audit event; must run inside the caller's transaction."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit_record must be called inside the service's transaction")
    event = AuditEvent(
        actor=actor if actor is not None and actor.pk else None,
        actor_label=_actor_label(actor),
        org=org,
        org_path=org.path if org is not None else "",
        action=action,
        target_type=target._meta.label if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        target_label=str(target)[:200] if target is not None else "",
        data=mask_mapping(data or {}),
        ip_address=ip_address,
    )
    event.save(force_insert=True)
    return event


def changed_fields(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, list[Any]]:
    """{field: [old, new]} for the fields whose value changed."""
    return {k: [before.get(k), v] for k, v in after.items() if before.get(k) != v}
