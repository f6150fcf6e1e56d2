from __future__ import annotations

from typing import Any

from gonghui.core.errors import NotFoundError, PermissionDeniedError
from gonghui.core.scoping import Scope, unscoped
from gonghui.core.stats import stats_collect
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
