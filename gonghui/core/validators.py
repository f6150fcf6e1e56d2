"""Check characters of Chinese identifiers.

python-stdnum's `uscc.is_valid` rejects valid codes whose registration authority
is Y, N or A (it demands eight leading digits), so only its
`calc_check_digit` is used here (DOMAIN.md §1.5).
"""

from __future__ import annotations

import re
import unicodedata

from stdnum.cn import uscc as stdnum_uscc

USCC_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_AUTHORITIES = set("123456789ANY")
_USCC_SHAPE = re.compile(rf"[{USCC_CHARSET}]{{2}}\d{{6}}[{USCC_CHARSET}]{{10}}")


class InvalidIdentifier(ValueError):
    """Carries a Chinese reason for the user."""


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
