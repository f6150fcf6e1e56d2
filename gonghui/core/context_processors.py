from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from gonghui.aid.permissions import AidPerm
from gonghui.benefits.permissions import BenefitPerm
from gonghui.cards.permissions import CardPerm, PayoutPerm
from gonghui.core.bulk.kinds import all_kinds
from gonghui.core.permissions import CorePerm
from gonghui.crosscheck.permissions import CrossCheckPerm
from gonghui.members.permissions import MemberPerm
from gonghui.orgs.permissions import OrgPerm
from gonghui.reports.permissions import ReportPerm
from gonghui.student_aid.permissions import StudentAidPerm

BULK = "bulk:any"  # any import or export permission of a registered kind

# (section, label, url name, permission): the navigation, by domain. Later
# domains add their entries here as they arrive.
NAVIGATION = [
    ("dashboard", "统计概览", "reports:dashboard", ReportPerm.STATS_VIEW),
    ("orgs", "组织建设", "orgs:tree", OrgPerm.VIEW),
    ("members", "会员管理", "members:roster", MemberPerm.VIEW),
    ("cards", "服务卡", "cards:cards", CardPerm.VIEW),
    ("payouts", "资金代发", "cards:payouts", PayoutPerm.VIEW),
    ("benefits", "普惠服务", "benefits:campaigns", BenefitPerm.VIEW),
    ("aid", "困难帮扶", "aid:files", AidPerm.VIEW),
    ("student_aid", "金秋助学", "student_aid:applications", StudentAidPerm.VIEW),
    ("crosscheck", "名单比对", "crosscheck:reviews", CrossCheckPerm.VIEW),
    ("bulk", "批量导入导出", "core:bulk_jobs", BULK),
    ("audit", "审计日志", "core:audit", CorePerm.AUDIT_VIEW),
]


def _allowed(scope: Any, perm: str) -> bool:
    if perm == BULK:
        return any(scope.has_perm_anywhere(p) for k in all_kinds() for p in (k.import_perm, k.export_perm))
    return bool(scope.has_perm_anywhere(perm))


def navigation(request: HttpRequest) -> dict[str, Any]:
    scope = getattr(request, "scope", None)
    if scope is None or not request.user.is_authenticated:
        return {"nav_items": []}
    items = [
        {"section": section, "label": label, "url": reverse(url)}
        for section, label, url, perm in NAVIGATION
        if _allowed(scope, perm)
    ]
    return {"nav_items": items}
