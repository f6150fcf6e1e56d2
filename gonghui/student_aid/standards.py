"""Setting the 金秋助学 amount table: level × on-file × year, for the region of the union that sets it.

The amount that applies to an application is read by `selectors.aid_standard`
(the county's, else its city's, else its province's). Setting one again for the
same region, year, level and on-file status changes it; every change is audited.
Money is in fen.
"""

from __future__ import annotations

from django.db import transaction

from gonghui.accounts.models import User
from gonghui.core.audit import audit_record
from gonghui.core.errors import DomainError, joined
from gonghui.core.scoping import Scope, require_perm_at
from gonghui.orgs.models import Org
from gonghui.student_aid import errors as _errors  # noqa: F401  (registers messages)
from gonghui.student_aid.models import AidStandard, StudentLevel
from gonghui.student_aid.permissions import StudentAidPerm


def aid_standard_set(
    *, actor: User | None, scope: Scope | None, org: Org, year: int, level: str, on_file: bool, amount_fen: int
) -> AidStandard:
    """Set (or change) the amount of a level for a year in the region of `org`."""
    require_perm_at(scope, StudentAidPerm.STANDARD, org.path)
    errors = {}
    if level not in StudentLevel.values:
        errors["level"] = "学段应为高中/中职、高职高专、本科或研究生"
    if amount_fen <= 0:
        errors["amount_fen"] = "资助标准须为正数"
    if len(org.region_code) != 6:
        errors["org"] = "该工会没有行政区划代码，不能设置资助标准"
    if errors:
        raise DomainError("student_aid.standard_invalid", details=errors, reasons=joined(errors))
    with transaction.atomic():
        standard, _created = AidStandard.objects.update_or_create(
            region_code=org.region_code,
            year=year,
            level=level,
            on_file=on_file,
            defaults={"amount_fen": amount_fen},
        )
        audit_record(
            actor=actor,
            action="student_aid.standard_set",
            org=org,
            target=standard,
            data={"year": year, "level": level, "on_file": on_file, "amount_fen": amount_fen},
        )
    return standard
