"""Masked forms of sensitive values (DOMAIN.md §9), for display, logs and audit."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

SENSITIVE_KEYS = {
    "id_number": "id_number",
    "id_no": "id_number",
    "公民身份号码": "id_number",
    "身份证号": "id_number",
    "mobile": "mobile",
    "phone": "mobile",
    "emergency_phone": "mobile",
    "手机号码": "mobile",
    "card_no": "card",
    "bank_card": "card",
    "会员卡号": "card",
    "password": "secret",
    "token": "secret",
    "secret": "secret",
}


def mask_id_number(value: str) -> str:
    """520102********1234: hides the birth date and sequence (6 + 8 + 4)."""
    v = value.strip()
    if len(v) < 10:
        return "*" * len(v)
    return v[:6] + "*" * (len(v) - 10) + v[-4:]


def mask_name(name: str) -> str:
    """A name with its middle hidden: 王小明 → 王*明, 王明 → 王*, 欧阳小明 → 欧**明."""
    chars = list((name or "").strip())
    if len(chars) <= 1:
        return "*" * len(chars)
    if len(chars) == 2:
        return chars[0] + "*"
    return chars[0] + "*" * (len(chars) - 2) + chars[-1]


def mask_mobile(value: str) -> str:
    digits = re.sub(r"\D", "", value)
    if len(digits) < 7:
        return "*" * len(digits)
    return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]


def mask_card(value: str) -> str:
    digits = re.sub(r"\s", "", value)
    if len(digits) < 8:
        return "*" * len(digits)
    return f"{digits[:4]} **** **** {digits[-4:]}"


_MASKERS = {
    "id_number": mask_id_number,
    "mobile": mask_mobile,
    "card": mask_card,
    "secret": lambda v: "******",
}


def mask_value(kind: str, value: Any) -> Any:
    if value in (None, ""):
        return value
    return _MASKERS[kind](str(value))


def mask_mapping(data: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of `data` with every sensitive key masked, recursively."""
    out: dict[str, Any] = {}
    for key, value in data.items():
        kind = SENSITIVE_KEYS.get(str(key).lower()) or SENSITIVE_KEYS.get(str(key))
        out[key] = _mask_nested(kind, value)
    return out


def _mask_nested(kind: str | None, value: Any) -> Any:
    # Lists are walked too: rows of a bulk job or family members arrive as lists of mappings.
    if isinstance(value, Mapping):
        return mask_mapping(value)
    if isinstance(value, list | tuple):
        return [_mask_nested(kind, v) for v in value]
    if kind:
        return mask_value(kind, value)
    return value
