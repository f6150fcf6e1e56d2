"""Field rules for orgs, shared by the services, the API and (later) imports."""

from __future__ import annotations

import re
import unicodedata
from datetime import date

from django.utils import timezone

from gonghui.core import validators
from gonghui.core.errors import DomainError
from gonghui.core.validators import InvalidIdentifier, normalize_text
from gonghui.orgs.models import OrgForm, OrgKind

CODE_PATTERN = re.compile(r"[0-9A-Z][0-9A-Z-]{3,31}")


def clean_code(value: str) -> str:
    code = normalize_text(value)
    if not CODE_PATTERN.fullmatch(code):
        raise DomainError("org.code_invalid", code=value)
    return code


def _nfkc(value: str) -> str:
    # Labels carry full-width brackets "（州）"; spreadsheet cells arrive NFKC-normalized "(州)".
    return unicodedata.normalize("NFKC", value).strip()


def clean_kind(value: str) -> str:
    if value in OrgKind.values:
        return value
    by_label = {_nfkc(str(label)): v for v, label in OrgKind.choices}
    if _nfkc(value) in by_label:
        return by_label[_nfkc(value)]
    raise DomainError("org.kind_invalid", kind=value)


def clean_form(value: str) -> str:
    """An OrgForm value or its Chinese label; "" when not given."""
    value = value.strip()
    if not value or value in OrgForm.values:
        return value
    by_label = {_nfkc(str(label)): v for v, label in OrgForm.choices}
    if _nfkc(value) in by_label:
        return by_label[_nfkc(value)]
    raise DomainError("org.form_invalid", form=value)


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


def clean_employee_count(value: int | None) -> int | None:
    if value is not None and value < 0:
        raise DomainError("org.employee_count_negative")
    return value
