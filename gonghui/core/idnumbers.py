"""公民身份号码 (GB 11643-1999): normalization, validation, derived fields.

python-stdnum's `ric.is_valid` rejects valid numbers whose area code is missing
from its table and the 81/82/83 residence permits (DOMAIN.md §1.5), so only its
`calc_check_digit` is used; an unknown area is a warning, never a rejection.
Error messages never repeat the number itself: they may reach logs.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date

from django.utils import timezone
from stdnum.cn import ric

from gonghui.core.regions import region_get

RESIDENCE_PERMIT_AREAS = {"81": "港澳居民居住证（香港）", "82": "港澳居民居住证（澳门）", "83": "台湾居民居住证"}
_SHAPE = re.compile(r"\d{17}[\dX]")


class InvalidIdNumber(ValueError):
    """Carries a Chinese reason; never the number."""


@dataclass(frozen=True)
class IdNumber:
    value: str
    birth_date: date
    gender: str  # GB/T 2261.1: "1" 男, "2" 女
    warnings: tuple[str, ...] = field(default=())

    @property
    def masked(self) -> str:
        return self.value[:6] + "*" * 8 + self.value[-4:]


def normalize_id_number(raw: str) -> str:
    """Full-width to half-width, whitespace removed, a lowercase x made X."""
    text = raw or ""
    if not text.isascii():  # NFKC leaves ASCII as it is: skip it for the usual number
        text = unicodedata.normalize("NFKC", text)
    return "".join(text.split()).upper()


def parse_id_number(raw: str, *, today: date | None = None) -> IdNumber:
    """Validate an 18-character number and derive birth date and sex, or raise."""
    value = normalize_id_number(raw)
    if not value:
        raise InvalidIdNumber("公民身份号码不能为空")
    if len(value) == 15 and value.isdigit():
        raise InvalidIdNumber("15 位旧身份证号码不能用于新登记，请填写 18 位公民身份号码")
    if len(value) != 18:
        raise InvalidIdNumber(f"公民身份号码应为 18 位，实际为 {len(value)} 位")
    if not _SHAPE.fullmatch(value):
        raise InvalidIdNumber("公民身份号码前 17 位应为数字，最后一位为数字或 X")
    if ric.calc_check_digit(value) != value[17]:
        raise InvalidIdNumber("公民身份号码校验位不正确，请核对是否抄错")
    try:
        birth = date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError as exc:
        raise InvalidIdNumber("公民身份号码中的出生日期不存在") from exc
    today = today or timezone.localdate()
    if birth > today:
        raise InvalidIdNumber("公民身份号码中的出生日期晚于今天")
    if birth.year < 1900:
        raise InvalidIdNumber("公民身份号码中的出生年份早于 1900 年")
    warnings: list[str] = []
    area = value[:6]
    if value[:2] not in RESIDENCE_PERMIT_AREAS and region_get(area) is None:
        warnings.append(f"地址码 {area} 不在现行 GB/T 2260 代码表中（可能已撤销），请核对")
    gender = "1" if int(value[16]) % 2 == 1 else "2"
    return IdNumber(value=value, birth_date=birth, gender=gender, warnings=tuple(warnings))


def id_number_with_check(first17: str) -> str:
    """Append the check character (synthetic demo and test data)."""
    return first17 + ric.calc_check_digit(first17 + "0")
