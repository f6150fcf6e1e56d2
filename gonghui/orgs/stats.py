from __future__ import annotations

from typing import Any

from django.db.models import Count, Q

from gonghui.core.scoping import subtrees_q, unscoped
from gonghui.core.stats import stat_provider
from gonghui.orgs.models import Org


@stat_provider(order=10)
def org_stats(paths: list[str] | None) -> dict[str, Any]:
    with unscoped():
        qs = Org.objects.filter(closed_on__isnull=True)
        if paths is not None:
            qs = qs.filter(subtrees_q("path", paths))
        row = qs.aggregate(orgs=Count("pk"), ne=Count("pk", filter=Q(is_new_employment=True)))
    return {"orgs": row["orgs"], "orgs_new_employment": row["ne"]}
