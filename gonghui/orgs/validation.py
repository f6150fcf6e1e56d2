"""Field rules for orgs, shared by the services, the API and (later) imports."""

from __future__ import annotations

import re
from datetime import date

from django.utils import timezone

from gonghui.core import validators, words
from gonghui.core.errors import DomainError
from gonghui.core.validators import InvalidIdentifier, normalize_text
from gonghui.orgs.models import OrgKind

CODE_PATTERN = re.compile(r"[0-9A-Z][0-9A-Z-]{3,31}")


def clean_code(value: str) -> str:
    code = normalize_text(value)
    if not CODE_PATTERN.fullmatch(code):
        raise DomainError("org.code_invalid", code=value)
    return code


def clean_kind(value: str) -> str:
    """An OrgKind value, its label or an everyday name (市总工会, 行业工联…; `core.words`); refused when blank."""
    try:
        kind = words.match("org_kind", value)
    except words.ChoiceError as exc:
        if exc.candidates:
            raise DomainError("org.kind_ambiguous", kind=value, candidates="、".join(exc.candidates)) from exc
        raise DomainError("org.kind_invalid", kind=value) from exc
    if not kind:
        raise DomainError("org.kind_invalid", kind=value)
    return kind


def clean_form(value: str) -> str:
    """An OrgForm value, its label or an everyday name (`core.words`); "" when not given."""
    try:
        return words.match("org_form", value)
    except words.ChoiceError as exc:
        if exc.candidates:
            raise DomainError("org.form_ambiguous", form=value, candidates="、".join(exc.candidates)) from exc
        raise DomainError("org.form_invalid", form=value) from exc


def clean_region_code(value: str) -> str:
    """Six digits (`core.validators.clean_region_code`); a code missing from GB/T 2260 is kept: `region_warning`."""
    try:
        return validators.clean_region_code(value)
    except InvalidIdentifier as exc:
        raise DomainError("org.region_invalid", code=value) from exc


def region_warning(code: str) -> str | None:
    if validators.region_unknown(code):
        return str(DomainError("org.region_unknown", code=code).message)
    return None


def clean_uscc(value: str) -> str:
    try:
        return validators.clean_uscc(value)
    except InvalidIdentifier as exc:
        raise DomainError("org.uscc_invalid", value=value, reason=str(exc)) from exc


def clean_founded_on(value: date | None) -> date | None:
    if value is not None and value > timezone.localdate():
        raise DomainError("org.founded_in_future")
    return value


def clean_closed_on(value: date | None, *, founded_on: date | None) -> date:
    """The day a union closes (today when not given): not later than today, not before it was founded.

    The one rule for the close page, the API and the console (`services.org_close`).
    """
    today = timezone.localdate()
    day = value or today
    if day > today:
        raise DomainError("org.closed_in_future", field="closed_on")
    if founded_on is not None and day < founded_on:
        raise DomainError("org.closed_before_founded", field="closed_on", founded=founded_on.isoformat())
    return day


def clean_employee_count(value: int | None) -> int | None:
    if value is not None and value < 0:
        raise DomainError("org.employee_count_negative")
    return value


# --- 上下级组织类型 (DOMAIN §2) ----------------------------------------------------------------
# Which kinds of union may sit directly under a union of each kind; None is the top of a
# platform's tree (a root). The first kind of each list is the most likely one, offered first
# (and preselected) when a child union is created. The levels run 省 → 市（州）→ 县（市、区）→
# 乡镇（街道）→ 村（社区）/基层 → 分会（小组）; industry unions and sector, regional and
# development-zone federations sit under the federation of their area. Data, not code: a
# province with another practice changes this table and nothing else. Provincial federations
# may hold counties directly (省直管县, e.g. 天门, 仙桃) and grassroots unions of enterprises
# under them; cities may hold towns directly (不设区的市); an enterprise group's union may
# hold its subsidiaries' unions.
CHILD_KINDS: dict[str | None, tuple[str, ...]] = {
    None: (OrgKind.PROVINCE_FEDERATION, OrgKind.CITY_FEDERATION, OrgKind.COUNTY_FEDERATION),
    OrgKind.PROVINCE_FEDERATION: (
        OrgKind.CITY_FEDERATION,
        OrgKind.INDUSTRY_UNION,
        OrgKind.SECTOR_FEDERATION,
        OrgKind.COUNTY_FEDERATION,
        OrgKind.DEVELOPMENT_ZONE,
        OrgKind.REGIONAL_FEDERATION,
        OrgKind.GRASSROOTS,
        OrgKind.JOINT_GRASSROOTS,
    ),
    OrgKind.CITY_FEDERATION: (
        OrgKind.COUNTY_FEDERATION,
        OrgKind.INDUSTRY_UNION,
        OrgKind.SECTOR_FEDERATION,
        OrgKind.REGIONAL_FEDERATION,
        OrgKind.DEVELOPMENT_ZONE,
        OrgKind.TOWNSHIP,
        OrgKind.GRASSROOTS,
        OrgKind.JOINT_GRASSROOTS,
    ),
    OrgKind.COUNTY_FEDERATION: (
        OrgKind.GRASSROOTS,
        OrgKind.TOWNSHIP,
        OrgKind.JOINT_GRASSROOTS,
        OrgKind.SECTOR_FEDERATION,
        OrgKind.REGIONAL_FEDERATION,
        OrgKind.DEVELOPMENT_ZONE,
        OrgKind.INDUSTRY_UNION,
        OrgKind.COMMUNITY,
    ),
    OrgKind.TOWNSHIP: (
        OrgKind.GRASSROOTS,
        OrgKind.COMMUNITY,
        OrgKind.JOINT_GRASSROOTS,
        OrgKind.REGIONAL_FEDERATION,
        OrgKind.SECTOR_FEDERATION,
    ),
    OrgKind.INDUSTRY_UNION: (OrgKind.GRASSROOTS, OrgKind.JOINT_GRASSROOTS, OrgKind.SECTOR_FEDERATION),
    OrgKind.SECTOR_FEDERATION: (OrgKind.GRASSROOTS, OrgKind.JOINT_GRASSROOTS, OrgKind.BRANCH),
    OrgKind.REGIONAL_FEDERATION: (OrgKind.GRASSROOTS, OrgKind.JOINT_GRASSROOTS, OrgKind.BRANCH),
    OrgKind.DEVELOPMENT_ZONE: (
        OrgKind.GRASSROOTS,
        OrgKind.JOINT_GRASSROOTS,
        OrgKind.SECTOR_FEDERATION,
        OrgKind.REGIONAL_FEDERATION,
    ),
    OrgKind.COMMUNITY: (OrgKind.GRASSROOTS, OrgKind.JOINT_GRASSROOTS, OrgKind.BRANCH),
    OrgKind.GRASSROOTS: (OrgKind.BRANCH, OrgKind.GRASSROOTS),
    OrgKind.JOINT_GRASSROOTS: (OrgKind.BRANCH, OrgKind.GRASSROOTS),
    OrgKind.BRANCH: (OrgKind.BRANCH,),
}


def kind_label(kind: str) -> str:
    return str(OrgKind(kind).label) if kind in OrgKind.values else kind


def allowed_child_kinds(parent_kind: str | None) -> tuple[str, ...]:
    """The kinds a union may have under a parent of `parent_kind` (None: a root), the most likely first."""
    return tuple(str(k) for k in CHILD_KINDS.get(parent_kind, ()))


def check_kind_under(parent_kind: str | None, kind: str, *, parent: str = "") -> None:
    """Refuse a union of `kind` under a parent of `parent_kind` (None: as a root); `parent` names it."""
    allowed = allowed_child_kinds(parent_kind)
    if kind in allowed:
        return
    labels = "、".join(kind_label(k) for k in allowed)
    if parent_kind is None:
        raise DomainError("org.root_kind_not_allowed", field="kind", kind=kind_label(kind), allowed=labels)
    where = f"{kind_label(parent_kind)}“{parent}”" if parent else kind_label(parent_kind)
    raise DomainError("org.kind_not_allowed", field="kind", kind=kind_label(kind), parent=where, allowed=labels)
