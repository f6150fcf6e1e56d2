from __future__ import annotations

from datetime import date, datetime, time

from django.db.models import QuerySet
from django.utils import timezone

from gonghui.accounts.scope import Scope
from gonghui.core.models import AuditEvent
from gonghui.core.permissions import CorePerm
from gonghui.core.scoping import subtree_q


def audit_list(
    *,
    scope: Scope,
    action: str = "",
    actor: str = "",
    within_path: str = "",
    since: date | None = None,
    until: date | None = None,
) -> QuerySet[AuditEvent]:
    """Audit events of the subtrees where the scope may read the audit log.

    Events with no org (platform-level: tree repairs, token issue) are visible
    to superusers only, since `within` matches paths.
    """
    qs = AuditEvent.objects.within(scope, CorePerm.AUDIT_VIEW)
    if action:
        qs = qs.filter(action__startswith=action)
    if actor:
        qs = qs.filter(actor_label=actor)
    if within_path:
        qs = qs.filter(subtree_q("org_path", within_path))
    tz = timezone.get_current_timezone()
    if since:
        qs = qs.filter(at__gte=datetime.combine(since, time.min, tzinfo=tz))
    if until:
        qs = qs.filter(at__lte=datetime.combine(until, time.max, tzinfo=tz))
    return qs.order_by("-at", "-id")
