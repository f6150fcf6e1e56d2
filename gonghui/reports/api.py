from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router

from gonghui.core.api_common import request_scope
from gonghui.reports.selectors import stats_for

router = Router(tags=["stats"])


@router.get("", summary="统计数据（按组织子树）")
def stats(request: HttpRequest, org: str = "") -> dict[str, Any]:
    return stats_for(scope=request_scope(request), org_code=org or None)
