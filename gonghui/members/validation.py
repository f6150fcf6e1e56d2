"""Cleaning a person's fields: identity, mobile, code tables, search keys.

Every cleaner raises `FieldError` with a Chinese reason that never repeats an
ID number; `clean_person` gathers the reasons of all fields at once so a form
or an import row shows every problem together.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Any

from django.utils import timezone
from pypinyin import lazy_pinyin
from pypinyin.constants import PHRASES_DICT

from gonghui.core import crypto, validators, words
from gonghui.core.bulk.values import MonthOnly
from gonghui.core.idnumbers import InvalidIdNumber, normalize_id_number, parse_id_number
from gonghui.core.masking import mask_id_number
from gonghui.core.validators import InvalidIdentifier

ID_PURPOSE = "person.id"
# Types whose numbers follow GB 11643 (ID cards and the 81/82/83 residence permits).
GB11643_TYPES = {"1", "3", "4"}
_MOBILE = re.compile(r"1[3-9]\d{9}")
_OTHER_ID = re.compile(r"[A-Z0-9]{5,30}")
_NOT_KEY = re.compile(r"[^a-z0-9]")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")  # Unicode category Cc, exactly

CODE_FIELDS = {
    "id_type": "id_type",
    "ethnicity": "ethnicity",
    "education": "education",
    "degree": "degree",
    "political_status": "political_status",
    "hukou_type": "hukou_type",
    "employment_status": "employment_status",
    "skill_level": "skill_level",
    "new_employment_type": "new_employment_type",
}
TEXT_FIELDS = {
    "employer": 200,
    "position": 60,
    "residence_address": 200,
    "emergency_contact": 60,
    "emergency_phone": 20,
}
BOOL_FIELDS = ("is_migrant_worker", "is_model_worker")
REGION_FIELDS = ("hukou_region", "residence_region")
PERSON_FIELDS = (
    "name",
    *CODE_FIELDS,
    *TEXT_FIELDS,
    *BOOL_FIELDS,
    *REGION_FIELDS,
    "mobile",
    "employer_uscc",
    "joined_on",
)


class FieldError(ValueError):
    """A Chinese reason for one field."""


@dataclass(frozen=True)
class Identity:
    id_type: str
    index: str
    masked: str
    birth_date: date | None
    gender: str
    warnings: tuple[str, ...] = field(default=())
    value: str = field(default="", repr=False)

    def cipher(self) -> bytes:
        return crypto.encrypt(self.value, purpose=ID_PURPOSE)


def identity_index(id_type: str, value: str) -> str:
    # GB 11643 numbers are indexed bare, so other agencies' lists match them by number alone.
    key = value if id_type in GB11643_TYPES else f"{id_type}:{value}"
    return crypto.blind_index(key, purpose=ID_PURPOSE)


# The area prefixes each GB 11643 type may carry (DOMAIN §1.3: permits use 81/82/83).
_TYPE_AREAS = {"3": ("81", "82"), "4": ("83",)}
_PERMIT_AREAS = ("81", "82", "83")


def _check_type_matches(id_type: str, value: str) -> None:
    if id_type == "1" and value.startswith(_PERMIT_AREAS):
        raise FieldError("以 81、82、83 开头的是港澳台居民居住证号码，请选择对应的证件类型")
    if id_type in _TYPE_AREAS and not value.startswith(_TYPE_AREAS[id_type]):
        wanted = "、".join(_TYPE_AREAS[id_type])
        raise FieldError(f"该证件类型的号码应以 {wanted} 开头")


def _is_gb11643(value: str) -> bool:
    try:
        parse_id_number(value)
    except InvalidIdNumber:
        return False
    return True


def parse_identity(raw: str, id_type: str = "1", *, today: date | None = None) -> Identity:
    """Validate an ID number of `id_type`; derive birth date and sex where the number holds them.

    Imports pass `today` once for the file: looking up the local date costs more
    than the rest of the check.
    """
    if id_type in GB11643_TYPES:
        try:
            parsed = parse_id_number(raw, today=today)
        except InvalidIdNumber as exc:
            raise FieldError(str(exc)) from exc
        _check_type_matches(id_type, parsed.value)
        return Identity(
            id_type=id_type,
            index=identity_index(id_type, parsed.value),
            masked=parsed.masked,
            birth_date=parsed.birth_date,
            gender=parsed.gender,
            warnings=parsed.warnings,
            value=parsed.value,
        )
    value = normalize_id_number(raw)
    if not _OTHER_ID.fullmatch(value):
        raise FieldError("证件号码应为 5–30 位字母或数字")
    if _is_gb11643(value):
        # Otherwise one person could hold a second identity (and membership) under another type.
        raise FieldError("这是公民身份号码（或港澳台居民居住证号码），请选择对应的证件类型")
    return Identity(
        id_type=id_type,
        index=identity_index(id_type, value),
        masked=mask_id_number(value),
        birth_date=None,
        gender="",
        value=value,
    )


def search_index(raw: str) -> str | None:
    """The blind index a search term would have as an ID-card number, or None."""
    try:
        return parse_identity(raw).index
    except FieldError:
        return None


def clean_mobile(raw: str) -> str:
    """11 digits starting with 1; a +86 / 86 / 0086 prefix and separators dropped."""
    if raw and len(raw) == 11 and raw.isascii() and _MOBILE.fullmatch(raw):
        return raw  # the common case, written plainly (an import checks a million of them)
    value = re.sub(r"[\s\-()]", "", unicodedata.normalize("NFKC", raw or ""))
    for prefix in ("+86", "0086", "86"):
        if value.startswith(prefix) and len(value) == len(prefix) + 11:
            value = value[len(prefix) :]
            break
    if not value:
        return ""
    if not _MOBILE.fullmatch(value):
        raise FieldError("手机号码应为 11 位数字，以 13–19 开头")
    return value


# Surnames read otherwise than the character's common reading; pypinyin has no
# surname mode (mozillazg/python-pinyin#297), so 曾国藩 would be "cengguofan".
SURNAME_READINGS = {
    "曾": "zeng",
    "单": "shan",
    "解": "xie",
    "查": "zha",
    "仇": "qiu",
    "区": "ou",
    "朴": "piao",
    "盖": "ge",
    "乐": "yue",
    "覃": "qin",
    "翟": "zhai",
    "缪": "miao",
    "召": "shao",
    "种": "chong",
    "秘": "bi",
    "员": "yun",
    "尉": "yu",
    "柏": "bai",
    "宓": "mi",
    "阚": "kan",
    "长": "zhang",
    "重": "chong",
    "薄": "bo",
    "繁": "po",
    "牟": "mou",
    "折": "she",
    "祭": "zhai",
    "沈": "shen",
    "朝": "chao",
    "华": "hua",
}


_KEEP: Any = lambda chars: list(chars)  # noqa: E731  (pypinyin's stub types `errors` too narrowly)


@lru_cache(maxsize=262_144)
def name_keys(name: str) -> tuple[str, str]:
    """(full pinyin, initials) in lower case: 王小明 → ("wangxiaoming", "wxm"); 曾 as a surname is "zeng"."""
    if len(name) > 1 and name[0] in SURNAME_READINGS:
        rest_full, rest_initials = name_keys(name[1:])
        reading = SURNAME_READINGS[name[0]]
        return (reading + rest_full)[:200], (reading[0] + rest_initials)[:60]
    if len(name) <= _SHORT_NAME and not _holds_phrase(name):
        # pypinyin reads a name without any dictionary phrase in it character by
        # character, so the same readings come from a per-character cache ~10× faster.
        syllables = [_syllable(c) for c in name]
    else:
        # Characters without a reading (Latin letters in "Alice王") stay as themselves.
        syllables = [_NOT_KEY.sub("", s.lower()) for s in lazy_pinyin(name, errors=_KEEP)]
    # An initial is the first letter of its syllable (pypinyin's FIRST_LETTER style
    # is exactly that, at the cost of a second conversion).
    return "".join(syllables)[:200], "".join(s[:1] for s in syllables)[:60]


_SHORT_NAME = 8


def _holds_phrase(name: str) -> bool:
    n = len(name)
    return any(name[i:j] in PHRASES_DICT for i in range(n - 1) for j in range(i + 2, n + 1))


@lru_cache(maxsize=65_536)
def _syllable(char: str) -> str:
    return _NOT_KEY.sub("", "".join(lazy_pinyin(char, errors=_KEEP)).lower())


def _refuse_control(value: str) -> str:
    # A NUL is refused by PostgreSQL's text type; other control characters have no place in a field.
    if _CONTROL.search(value):
        raise FieldError("不能包含控制字符")
    return value


def clean_name(raw: str) -> str:
    value = re.sub(r"\s+", " ", unicodedata.normalize("NFKC", _refuse_control(raw or ""))).strip()
    if not value:
        raise FieldError("姓名不能为空")
    if len(value) > 60:
        raise FieldError("姓名不能超过 60 个字符")
    if any(c.isdigit() for c in value):
        raise FieldError("姓名不能包含数字")
    return value


@lru_cache(maxsize=32)
def _code_map(table: str) -> dict[str, str]:
    from gonghui.members.models import Code

    return dict(Code.objects.filter(table=table, is_active=True).values_list("code", "label"))


def code_tables_changed() -> None:
    _code_map.cache_clear()
    words.choices_changed()


def code_labels(table: str) -> dict[str, str]:
    return dict(_code_map(table))


def code_label(table: str, code: str) -> str:
    return _code_map(table).get(code, code) if code else ""


def clean_code(table: str, raw: Any, title: str) -> str:
    """A code of `table`, given as the code, its label or an everyday word (`core.words.match`).

    `title` names the field in the reason.
    """
    try:
        return words.match(table, raw, title=title)
    except words.ChoiceError as exc:
        raise FieldError(str(exc)) from exc


def clean_region(raw: Any) -> str:
    """Six digits, or "" (`core.validators.clean_region_code`); a code missing from GB/T 2260 is kept."""
    try:
        return validators.clean_region_code(raw)
    except InvalidIdentifier as exc:
        raise FieldError("行政区划代码应为 6 位数字") from exc


def clean_bool(raw: Any) -> bool:
    """是/否 in everyday words (`core.words.match_bool`); a blank is 否."""
    try:
        return bool(words.match_bool(raw))
    except words.ChoiceError as exc:
        raise FieldError("应为“是”或“否”") from exc


def _clean_day(raw: Any) -> date | None:
    """A date field as a date: the forms and the API give one, a caller in Python may give ISO text."""
    if not raw:
        return None
    if isinstance(raw, date):
        return raw
    try:
        return date.fromisoformat(str(raw).strip())
    except ValueError as exc:
        raise FieldError("日期格式应为 YYYY-MM-DD") from exc


def clean_person(values: dict[str, Any], *, partial: bool = False) -> tuple[dict[str, Any], dict[str, str]]:
    """Clean the person fields present in `values`: (cleaned, {field: reason})."""
    from gonghui.members.models import Person

    cleaned: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for key, raw in values.items():
        try:
            if raw is None and key != "joined_on":
                # JSON null is not "no" or "empty": an omitted field is left as it is.
                raise FieldError("该字段不能为 null")
            if key == "name":
                cleaned[key] = clean_name(raw)
            elif key == "mobile":
                cleaned[key] = clean_mobile(raw)
            elif key in CODE_FIELDS:
                title = str(getattr(Person._meta.get_field(key), "verbose_name", key))
                cleaned[key] = clean_code(CODE_FIELDS[key], raw, title)
            elif key in TEXT_FIELDS:
                text = unicodedata.normalize("NFKC", _refuse_control(str(raw or ""))).strip()
                if len(text) > TEXT_FIELDS[key]:
                    raise FieldError(f"不能超过 {TEXT_FIELDS[key]} 个字符")
                cleaned[key] = text
            elif key in BOOL_FIELDS:
                cleaned[key] = clean_bool(raw)
            elif key in REGION_FIELDS:
                cleaned[key] = clean_region(raw)
            elif key == "employer_uscc":
                cleaned[key] = validators.clean_uscc(raw)
            elif key == "joined_on":
                cleaned[key] = _clean_day(raw)
            else:
                errors[key] = "不能修改该字段"
        except (FieldError, InvalidIdentifier) as exc:
            errors[key] = str(exc)
    if not partial and "name" not in values:
        errors["name"] = "姓名不能为空"
    return cleaned, errors


# 最低就业年龄 (劳动法 §15): nobody joins a union through work before it.
MIN_JOIN_AGE = 16


def _birthday(birth: date, years: int) -> date:
    try:
        return birth.replace(year=birth.year + years)
    except ValueError:  # born on 29 February
        return date(birth.year + years, 3, 1)


def joined_on_reason(joined_on: date | None, birth_date: date | None, *, today: date | None = None) -> str | None:
    """Why a 入会日期 cannot be, given the birth date from the ID number; None when it can.

    The one home of the rule for the import, the forms and the API: a join date later
    than today, before the birth date, or before the 16th birthday. A date given as a
    year and a month (`MonthOnly`, the first of the month) is judged by its month:
    joining "in May" is possible if the 16th birthday falls in May. Imports pass `today`
    once for the file.
    """
    if joined_on is None:
        return None
    if joined_on > (today or timezone.localdate()):
        return "入会日期不能晚于今天，请核对入会日期"
    if birth_date is None:
        return None
    sixteen = _birthday(birth_date, MIN_JOIN_AGE)
    if isinstance(joined_on, MonthOnly):
        month = (joined_on.year, joined_on.month)
        before_birth = month < (birth_date.year, birth_date.month)
        too_young = month < (sixteen.year, sixteen.month)
    else:
        before_birth, too_young = joined_on < birth_date, joined_on < sixteen
    if before_birth:
        return "入会日期早于出生日期，请核对入会日期或证件号码"
    if too_young:
        return f"入会时未满 {MIN_JOIN_AGE} 周岁（最低就业年龄），请核对入会日期或证件号码"
    return None


def status_reason_missing(status: str, reason: str) -> str | None:
    """What a membership in `status` must name and does not (None when nothing is missing).

    保留会籍 is kept for a reason (退休, 失业, 下岗待岗, the employer closed…): a retained
    membership without one cannot be told from a lapsed one. The one rule for every
    service that writes a status (retain, a transfer that carries a retained membership
    over, a status change), so the pages and the API refuse alike.
    """
    if status == "retained" and not (reason or "").strip():
        return "保留会籍原因"
    return None


def region_warnings(values: dict[str, Any]) -> list[str]:
    return [
        f"行政区划代码 {values[k]} 不在现行 GB/T 2260 代码表中"
        for k in REGION_FIELDS
        if validators.region_unknown(values.get(k) or "")
    ]
