"""Identifiers, region names and masking (DOMAIN.md §1.4, §9)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gonghui.core.errors import DomainError
from gonghui.core.masking import mask_card, mask_id_number, mask_mapping, mask_mobile, mask_value
from gonghui.core.regions import prefecture_code, region_children, region_get, region_name
from gonghui.core.validators import (
    USCC_AUTHORITIES,
    USCC_CHARSET,
    InvalidIdentifier,
    normalize_text,
    region_unknown,
    uscc_validate,
    uscc_with_check,
)
from gonghui.core.validators import clean_region_code as core_clean_region_code
from gonghui.core.validators import clean_uscc as core_clean_uscc
from gonghui.orgs.validation import clean_uscc, region_warning

# --- USCC (GB 32100-2015) ----------------------------------------------------------

# The example code of python-stdnum's documentation.
PUBLISHED_VALID = ["91110000600037341L"]

# Registration authorities Y (工会), N (农业), A (中央军委改革和编制办公室): valid,
# yet python-stdnum's `uscc.is_valid` refuses them because it wants 8 leading digits.
NON_DIGIT_AUTHORITY_VALID = [
    uscc_with_check("Y1520000MA6DJK5X1"),  # 工会法人 in Guizhou
    uscc_with_check("N2520200MA6DJK5X1"),
    uscc_with_check("A1110000MA01ABCDE"),
    uscc_with_check("81520000MJY0001A0"),  # 群团组织 (工会), digit authority
    uscc_with_check("89520200MC1234567"),
]


@pytest.mark.parametrize("code", PUBLISHED_VALID + NON_DIGIT_AUTHORITY_VALID)
def test_valid_uscc_is_accepted_and_returned_normalized(code: str) -> None:
    assert uscc_validate(code) == code
    assert uscc_validate(code.lower()) == code
    assert uscc_validate(f" {code[:8]}-{code[8:]} ") == code


@pytest.mark.parametrize("prefix", ["Y", "N", "A"])
def test_letter_authorities_are_accepted(prefix: str) -> None:
    code = next(c for c in NON_DIGIT_AUTHORITY_VALID if c.startswith(prefix))
    assert len(code) == 18
    assert uscc_validate(code) == code


def test_full_width_input_is_normalized() -> None:
    code = NON_DIGIT_AUTHORITY_VALID[0]
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in code)  # "Ｙ１５２…"
    assert full_width != code
    assert normalize_text(full_width) == code
    assert uscc_validate(full_width) == code
    assert uscc_validate("９１１１００００６０００３７３４１Ｌ") == "91110000600037341L"


def _with_other_check(code: str) -> str:
    wrong = next(c for c in USCC_CHARSET if c != code[17])
    return code[:17] + wrong


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        (_with_other_check("91110000600037341L"), "校验码应为“L”"),
        (_with_other_check(NON_DIGIT_AUTHORITY_VALID[0]), "校验码应为"),
        ("91110000600037341", "应为 18 位，实际为 17 位"),
        ("91110000600037341L0", "应为 18 位，实际为 19 位"),
        ("", "应为 18 位，实际为 0 位"),
        ("9111000060003734IL", "不使用 I、O、Z、S、V"),
        ("91110000O00037341L", "不使用 I、O、Z、S、V"),
        ("9111000060003734ZL", "不允许的字符 Z"),
        ("91110000S00037341L", "不允许的字符 S"),
        ("91110000V00037341L", "不允许的字符 V"),
        ("9111000060003734*L", "不允许的字符 *"),
        (uscc_with_check("01110000600037341"), "登记管理部门代码“0”不存在"),
        (uscc_with_check("B1110000600037341"), "登记管理部门代码“B”不存在"),
        (uscc_with_check("X1110000600037341"), "登记管理部门代码“X”不存在"),
        (uscc_with_check("911A0000600037341"), "第 3–8 位应为行政区划代码"),
        (uscc_with_check("9111000X600037341"), "第 3–8 位应为行政区划代码"),
    ],
)
def test_invalid_uscc_is_refused_with_a_chinese_reason(code: str, reason: str) -> None:
    with pytest.raises(InvalidIdentifier) as exc:
        uscc_validate(code)
    assert reason in str(exc.value)


def test_every_forbidden_letter_is_refused() -> None:
    base = "91110000600037341L"
    for letter in "IOZSV":
        assert letter not in USCC_CHARSET
        with pytest.raises(InvalidIdentifier, match=letter):
            uscc_validate(base[:10] + letter + base[11:])


def test_org_cleaner_wraps_the_reason_in_a_domain_error() -> None:
    assert clean_uscc("") == ""
    assert clean_uscc("   ") == ""
    assert clean_uscc("91110000600037341l") == "91110000600037341L"
    with pytest.raises(DomainError) as exc:
        clean_uscc("91110000600037341X")
    assert exc.value.code == "org.uscc_invalid"
    assert exc.value.message == "统一社会信用代码“91110000600037341X”无效：校验码应为“L”，实际为“X”"


_body = st.text(alphabet=USCC_CHARSET, min_size=10, max_size=10)


@settings(max_examples=200, deadline=None, database=None)
@given(
    authority=st.sampled_from(sorted(USCC_AUTHORITIES)),
    category=st.sampled_from(USCC_CHARSET),
    region=st.text(alphabet="0123456789", min_size=6, max_size=6),
    body=_body,
    data=st.data(),
)
def test_uscc_check_character_property(authority: str, category: str, region: str, body: str, data) -> None:
    """Any well-formed first 17 characters plus their check character pass; any other check fails."""
    first17 = f"{authority}{category}{region}{body[:9]}"
    code = uscc_with_check(first17)
    assert uscc_validate(code) == code
    wrong = data.draw(st.sampled_from([c for c in USCC_CHARSET if c != code[17]]))
    with pytest.raises(InvalidIdentifier, match="校验码"):
        uscc_validate(first17 + wrong)


# --- GB/T 2260 regions -----------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "name", "full_name", "level"),
    [
        ("520000", "贵州省", "贵州省", "province"),
        ("520200", "六盘水市", "贵州省六盘水市", "prefecture"),
        ("520201", "钟山区", "贵州省六盘水市钟山区", "county"),
        ("420506", "夷陵区", "湖北省宜昌市夷陵区", "county"),
        ("431181", "祁阳市", "湖南省永州市祁阳市", "county"),  # 祁阳县 became a city in 2021
        ("621100", "定西市", "甘肃省定西市", "prefecture"),
    ],
)
def test_region_names(code: str, name: str, full_name: str, level: str) -> None:
    region = region_get(code)
    assert region is not None
    assert region.name == name
    assert region.level == level
    assert region_name(code) == full_name
    assert region_warning(code) is None


def test_unknown_region_is_empty_not_an_error() -> None:
    assert region_get("999999") is None
    assert region_name("999999") == ""
    assert region_warning("999999") == "行政区划代码“999999”不在 GB/T 2260 代码表中。"
    assert region_warning("") is None


def test_region_children_and_prefecture() -> None:
    guizhou = region_children("520000")
    assert len(guizhou) == 9  # 贵阳 六盘水 遵义 安顺 毕节 铜仁 黔西南 黔东南 黔南
    assert "520200" in {r.code for r in guizhou}
    lps = {r.code: r.name for r in region_children("520200")}
    assert lps["520201"] == "钟山区"
    assert all(not c.endswith("00") for c in lps)
    assert region_children("520201") == []
    assert prefecture_code("520201") == "520200"
    assert prefecture_code("520000") == "520000"


# --- masking (DOMAIN.md §9) --------------------------------------------------------


def test_mask_id_number_hides_birth_date_and_sequence() -> None:
    assert mask_id_number("520102199001011234") == "520102********1234"
    assert mask_id_number(" 52010219900101123X ") == "520102********123X"
    assert mask_id_number("520102900101123") == "520102*****1123"  # 15-digit first-generation card
    assert mask_id_number("123") == "***"


def test_mask_mobile_and_card() -> None:
    assert mask_mobile("13812345678") == "138****5678"
    assert mask_mobile("138 1234 5678") == "138****5678"
    assert mask_mobile("138-1234-5678") == "138****5678"
    assert mask_mobile("12345") == "*****"
    assert mask_card("6222021234567890123") == "6222 **** **** 0123"
    assert mask_card("6222 0212 3456 7890") == "6222 **** **** 7890"
    assert mask_card("1234") == "****"


def test_mask_value_keeps_empty_values() -> None:
    assert mask_value("mobile", None) is None
    assert mask_value("mobile", "") == ""
    assert mask_value("secret", "hunter2") == "******"


def test_mask_mapping_masks_nested_and_list_values() -> None:
    raw = {
        "id_number": "520102199001011234",
        "mobile": "13812345678",
        "name": "张三",
        "password": "Gonghui-demo-2026",
        "身份证号": "520102199001011234",
        "Mobile": "13912345678",
        "person": {"phone": "13712345678", "card_no": "6222021234567890", "unit": "顺丰"},
        "mobile_list": [],
        "phone": ["13812345678", "13912345678"],
        "members": [
            {"name": "李四", "id_number": "520102199001014321"},
            {"name": "王五", "contacts": [{"mobile": "13612345678"}]},
        ],
        "count": 2,
    }
    masked = mask_mapping(raw)
    assert masked == {
        "id_number": "520102********1234",
        "mobile": "138****5678",
        "name": "张三",
        "password": "******",
        "身份证号": "520102********1234",
        "Mobile": "139****5678",
        "person": {"phone": "137****5678", "card_no": "6222 **** **** 7890", "unit": "顺丰"},
        "mobile_list": [],
        "phone": ["138****5678", "139****5678"],
        "members": [
            {"name": "李四", "id_number": "520102********4321"},
            {"name": "王五", "contacts": [{"mobile": "136****5678"}]},
        ],
        "count": 2,
    }
    # The input is not modified.
    assert raw["person"]["phone"] == "13712345678"
    assert raw["members"][0]["id_number"] == "520102199001014321"
    text = repr(masked)
    for secret in ("199001011234", "12345678", "Gonghui-demo", "234567890", "14321"):
        assert secret not in text


# --- one 行政区划代码 rule and one USCC rule, for every caller -------------------------------

# Known to GB/T 2260, a valid-format code the table does not list, and the same typed loosely.
REGION_ACCEPTED = [
    ("520201", "520201"),
    ("990101", "990101"),  # not in the table: kept (a warning, never a refusal)
    ("５２０２０１", "520201"),  # full-width digits
    (" 520201 ", "520201"),
    ("", ""),
]
REGION_REFUSED = ["5202", "5202011", "52O201", "52020A", "贵州"]


def _region_callers() -> dict[str, Any]:
    from gonghui.aid.forms import FileForm
    from gonghui.benefits.partners import clean_region_code as benefits_clean
    from gonghui.members.validation import clean_region as members_clean
    from gonghui.orgs.validation import clean_region_code as orgs_clean

    def aid_form(value: str) -> str:
        form = FileForm()
        form.cleaned_data = {"region_code": value}
        return form.clean_region_code()

    return {
        "core": core_clean_region_code,
        "orgs": orgs_clean,
        "benefits": benefits_clean,
        "members": members_clean,
        "aid": aid_form,
    }


@pytest.mark.parametrize(("typed", "code"), REGION_ACCEPTED)
def test_every_caller_accepts_the_same_region_codes(typed: str, code: str) -> None:
    assert {name: clean(typed) for name, clean in _region_callers().items()} == dict.fromkeys(_region_callers(), code)


@pytest.mark.parametrize("typed", REGION_REFUSED)
def test_every_caller_refuses_the_same_region_codes(typed: str) -> None:
    from django.core.exceptions import ValidationError

    from gonghui.members.validation import FieldError

    accepted = []
    for name, clean in _region_callers().items():
        try:
            clean(typed)
        except (InvalidIdentifier, DomainError, FieldError, ValidationError):
            continue
        accepted.append(name)
    assert accepted == []


def test_an_unknown_code_is_a_warning_not_a_refusal() -> None:
    from gonghui.members.validation import region_warnings

    assert region_unknown("990101") and not region_unknown("520201") and not region_unknown("")
    assert region_warning("990101") and region_warning("520201") is None
    assert region_warnings({"hukou_region": "990101", "residence_region": "520201"}) == [
        "行政区划代码 990101 不在现行 GB/T 2260 代码表中"
    ]


def test_every_caller_reads_the_same_uscc() -> None:
    from gonghui.benefits.partners import clean_uscc as benefits_uscc
    from gonghui.members.validation import clean_person

    code = NON_DIGIT_AUTHORITY_VALID[0]
    typed = " " + code.lower() + " "
    assert core_clean_uscc(typed) == clean_uscc(typed) == benefits_uscc(typed) == code
    assert clean_person({"employer_uscc": typed}, partial=True) == ({"employer_uscc": code}, {})
    assert core_clean_uscc("") == clean_uscc("  ") == benefits_uscc("") == ""
    bad = code[:-1] + ("0" if code[-1] != "0" else "1")
    with pytest.raises(InvalidIdentifier):
        core_clean_uscc(bad)
    with pytest.raises(DomainError):
        clean_uscc(bad)
    with pytest.raises(DomainError):
        benefits_uscc(bad)
    assert "employer_uscc" in clean_person({"employer_uscc": bad}, partial=True)[1]
