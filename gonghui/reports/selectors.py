from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.db.models import Q, QuerySet

from gonghui.core.errors import NotFoundError, PermissionDeniedError
from gonghui.core.models import AuditEvent
from gonghui.core.scoping import Scope, unscoped
from gonghui.core.stats import stats_collect
from gonghui.core.templatetags.fen import yuan
from gonghui.core.ui import audit_action_label, audit_actions, audit_field_label
from gonghui.orgs.models import Org
from gonghui.orgs.selectors import org_get
from gonghui.reports.permissions import ReportPerm


def stats_paths(*, scope: Scope | None, org_code: str | None) -> tuple[Org | None, list[str] | None]:
    """The subtree paths a stats request counts under; `scope` None is the console."""
    if scope is None:
        if not org_code:
            return None, None
        with unscoped():
            org = Org.objects.filter(code=org_code).first()
        if org is None:
            raise NotFoundError()
        return org, [org.path]
    if org_code:
        org = org_get(scope=scope, code=org_code)
        if not scope.has_perm(ReportPerm.STATS_VIEW, org.path):
            raise PermissionDeniedError(ReportPerm.STATS_VIEW)
        return org, [org.path]
    if scope.is_superuser:
        return None, None
    if not scope.has_perm_anywhere(ReportPerm.STATS_VIEW):
        raise PermissionDeniedError(ReportPerm.STATS_VIEW)
    return None, scope.paths_with(ReportPerm.STATS_VIEW)


def stats_for(*, scope: Scope | None, org_code: str | None = None) -> dict[str, Any]:
    """Headline figures of the org's subtree, or of everything the scope covers."""
    _org, paths = stats_paths(scope=scope, org_code=org_code)
    return stats_collect(paths)


# --- the audit log in words ----------------------------------------------------------------------


def audit_filter_action(events: QuerySet[AuditEvent], *, kind: str = "", text: str = "") -> QuerySet[AuditEvent]:
    """Events of the picked action (`kind`, exact) and of `text`: a code prefix or words of a label."""
    if kind:
        events = events.filter(action=kind)
    text = text.strip()
    if text:
        labelled = [code for code, label in audit_actions() if text in label]
        events = events.filter(Q(action__startswith=text) | Q(action__in=labelled))
    return events


def _money(fen: Any) -> str:
    """Fen as exact yuan with thousands separators: 123450 → "¥1,234.50"."""
    return f"¥{yuan(fen)}"  # `yuan` groups by thousands


def _is_money(key: str) -> bool:
    return key.endswith("_fen")


def audit_value(key: str, value: Any) -> str:
    """One stored value as people read it (values were masked when stored: shown as stored)."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "是" if value else "否"
    if _is_money(key) and isinstance(value, int | float | str):
        try:
            return _money(value)
        except (ValueError, ArithmeticError):
            return str(value)
    if isinstance(value, list | tuple):
        return "、".join(audit_value(key, v) for v in value) or "—"
    if isinstance(value, Mapping):
        return "；".join(f"{audit_field_label(str(k))}：{audit_value(str(k), v)}" for k, v in value.items())
    return str(value)


def audit_details(data: Mapping[str, Any] | None) -> list[tuple[str, str]]:
    """An event's data as (label, value) pairs; {"changes": {field: [old, new]}} as "字段：旧 → 新"."""
    out: list[tuple[str, str]] = []
    for key, value in (data or {}).items():
        if key == "changes" and isinstance(value, Mapping):
            for field, change in value.items():
                if isinstance(change, list | tuple) and len(change) == 2:
                    shown = f"{audit_value(field, change[0])} → {audit_value(field, change[1])}"
                else:
                    shown = audit_value(field, change)
                out.append((audit_field_label(field), shown))
            continue
        out.append((audit_field_label(key), audit_value(key, value)))
    return out


def audit_in_words(events: Iterable[AuditEvent]) -> None:
    """Put `action_label`, `actor_name` and `details` on each event of a page, for the template.

    The actor is their display name, else the stored `actor_label` (a member's mobile already masked).
    """
    for e in events:
        e.action_label = audit_action_label(e.action)  # type: ignore[attr-defined]
        user = e.actor
        e.actor_name = (user.display_name if user is not None else "") or e.actor_label  # type: ignore[attr-defined]
        e.details = audit_details(e.data)  # type: ignore[attr-defined]
