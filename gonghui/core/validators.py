"""Check characters of Chinese identifiers, and the one home of the 行政区划代码 and 统一社会信用代码 rules.

Every app cleans these two codes here and words the refusal its own way (its own
`DomainError` code, form error or cell reason). python-stdnum's `uscc.is_valid`
rejects valid codes whose registration authority is Y, N or A (it demands eight
leading digits), so only its `calc_check_digit` is used here (DOMAIN.md §1.5).
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from stdnum.cn import uscc as stdnum_uscc

from gonghui.core.regions import region_get

USCC_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_AUTHORITIES = set("123456789ANY")
_USCC_SHAPE = re.compile(rf"[{USCC_CHARSET}]{{2}}\d{{6}}[{USCC_CHARSET}]{{10}}")


class InvalidIdentifier(ValueError):
    """Carries a Chinese reason for the user."""


REGION_CODE_FORMAT = "行政区划代码应为 6 位数字"
_REGION_CODE = re.compile(r"\d{6}")


def normalize_text(value: str) -> str:
    """NFKC (full-width to half-width), spaces removed, upper case."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", value)).upper()


def uscc_validate(value: str) -> str:
    """Normalize and validate a 统一社会信用代码 (GB 32100-2015); return it or raise."""
    code = normalize_text(value).replace("-", "")
    if len(code) != 18:
        raise InvalidIdentifier(f"应为 18 位，实际为 {len(code)} 位")
    bad = sorted({c for c in code if c not in USCC_CHARSET})
    if bad:
        raise InvalidIdentifier(f"含有不允许的字符 {''.join(bad)}（不使用 I、O、Z、S、V）")
    if code[0] not in USCC_AUTHORITIES:
        raise InvalidIdentifier(f"第 1 位登记管理部门代码“{code[0]}”不存在")
    if not _USCC_SHAPE.fullmatch(code):
        raise InvalidIdentifier("第 3–8 位应为行政区划代码（数字）")
    expected = stdnum_uscc.calc_check_digit(code[:17])
    if code[17] != expected:
        raise InvalidIdentifier(f"校验码应为“{expected}”，实际为“{code[17]}”")
    return code


def uscc_with_check(first17: str) -> str:
    """Append the GB 32100 check character (used by the demo data and tests)."""
    return first17 + stdnum_uscc.calc_check_digit(first17)


def clean_uscc(value: Any) -> str:
    """A 统一社会信用代码 as typed, normalized and checked (`uscc_validate`); "" when blank."""
    text = "" if value is None else str(value)
    if not text.strip():
        return ""
    return uscc_validate(text)


def clean_region_code(value: Any) -> str:
    """A 行政区划代码 (GB/T 2260) as typed: NFKC, spaces dropped; "" when blank.

    The format (six digits) is the rule: anything else raises `InvalidIdentifier`. A
    well-formed code missing from the current table is kept (DESIGN §2: codes change
    faster than the table): `region_unknown` tells the caller to warn.
    """
    code = normalize_text("" if value is None else str(value))
    if code and not _REGION_CODE.fullmatch(code):
        raise InvalidIdentifier(REGION_CODE_FORMAT)
    return code


def region_unknown(code: str) -> bool:
    """A well-formed code that the GB/T 2260 table does not list: a warning, never a refusal."""
    return bool(code) and region_get(code) is None
