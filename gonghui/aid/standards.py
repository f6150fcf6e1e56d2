"""Setting the local 低保 standards and the 慰问 caps (DOMAIN §4): policy of a region, set by its federation.

A standard (or a cap) is set for the region of the union that sets it: 贵州省总工会
sets the province's, 六盘水市总工会 the city's, 钟山区总工会 the county's. Where a
county has none of its own, its city's applies, then its province's
(`services.subsistence_standard`, `relief.welfare_rule`). Setting one again for the
same region (and year) changes it; every change is audited with the old figure.
Money is in fen.
"""

from __future__ import annotations

from django.db import transaction

from gonghui.accounts.models import User
from gonghui.aid.models import ReliefEvent, SubsistenceStandard, WelfareRule
from gonghui.aid.permissions import AidPerm
from gonghui.core.audit import audit_record
from gonghui.core.errors import DomainError, joined
from gonghui.core.scoping import Scope, require_perm_at
from gonghui.core.validators import InvalidIdentifier, clean_region_code
from gonghui.orgs.models import Org

MIN_YEAR, MAX_YEAR = 2000, 2100
MAX_MONTHLY_FEN = 100_000_00  # ¥10 万 a person a month: far above any 低保 standard
MAX_CAP_FEN = 10_000_000_00  # ¥1000 万 a person a year
EVENTS = dict(ReliefEvent.choices)


def _region_errors(org: Org) -> dict[str, str]:
    try:
        code = clean_region_code(org.region_code)
    except InvalidIdentifier:
        code = ""
    if not code:
        return {"org": f"{org.name}没有行政区划代码，不能设置本地区的标准"}
    return {}


def subsistence_standard_set(
    *,
    actor: User | None,
    scope: Scope | None,
    org: Org,
    year: int,
    monthly_fen: int,
    note: str = "",
) -> SubsistenceStandard:
    """Set (or change) the monthly 低保 standard of a year in the region of `org`."""
    require_perm_at(scope, AidPerm.STANDARD, org.path)
    errors = _region_errors(org)
    if not (MIN_YEAR <= year <= MAX_YEAR):
        errors["year"] = f"年度应在 {MIN_YEAR} 至 {MAX_YEAR} 之间"
    if monthly_fen <= 0:
        errors["monthly_fen"] = "低保标准须大于 0 元"
    elif monthly_fen > MAX_MONTHLY_FEN:
        errors["monthly_fen"] = f"低保标准不能超过 {MAX_MONTHLY_FEN // 100} 元/人·月"
    if errors:
        raise DomainError("aid.subsistence_standard_invalid", details=errors, reasons=joined(errors))
    with transaction.atomic():
        before = (
            SubsistenceStandard.objects.select_for_update()
            .filter(region_code=org.region_code, year=year)
            .values_list("monthly_fen", flat=True)
            .first()
        )
        standard, _created = SubsistenceStandard.objects.update_or_create(
            region_code=org.region_code,
            year=year,
            defaults={"monthly_fen": monthly_fen, "note": note.strip()[:200]},
        )
        audit_record(
            actor=actor,
            action="aid.standard.set",
            org=org,
            target=standard,
            data={
                "region_code": standard.region_code,
                "year": year,
                "monthly_fen": monthly_fen,
                "previous_fen": before,
            },
        )
    return standard


def welfare_rule_set(
    *,
    actor: User | None,
    scope: Scope | None,
    org: Org,
    event: str,
    cap_fen: int,
    note: str = "",
) -> WelfareRule:
    """Set (or change) what one person may receive for one kind of visit in a calendar year, in the region of `org`."""
    require_perm_at(scope, AidPerm.STANDARD, org.path)
    errors = _region_errors(org)
    if event not in EVENTS:
        errors["event"] = "慰问事项不在代码表中"
    if cap_fen <= 0:
        errors["cap_fen"] = "每人每年上限须大于 0 元"
    elif cap_fen > MAX_CAP_FEN:
        errors["cap_fen"] = f"每人每年上限不能超过 {MAX_CAP_FEN // 100} 元"
    if errors:
        raise DomainError("aid.welfare_rule_invalid", details=errors, reasons=joined(errors))
    with transaction.atomic():
        before = (
            WelfareRule.objects.select_for_update()
            .filter(region_code=org.region_code, event=event)
            .values_list("cap_fen", flat=True)
            .first()
        )
        rule, _created = WelfareRule.objects.update_or_create(
            region_code=org.region_code,
            event=event,
            defaults={"cap_fen": cap_fen, "note": note.strip()[:200]},
        )
        audit_record(
            actor=actor,
            action="aid.welfare_rule.set",
            org=org,
            target=rule,
            data={"region_code": rule.region_code, "event": event, "cap_fen": cap_fen, "previous_fen": before},
        )
    return rule
