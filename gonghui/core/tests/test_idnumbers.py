from __future__ import annotations

from datetime import date

import pytest
from django.test import override_settings
from stdnum.cn import ric

from gonghui.core.crypto import blind_index, blind_indexes, decrypt, encrypt
from gonghui.core.idnumbers import InvalidIdNumber, id_number_with_check, normalize_id_number, parse_id_number

VALID = id_number_with_check("52010219900307123")  # 贵阳市南明区, 1990-03-07, odd sequence: male


def test_valid_number_derives_birth_date_and_sex():
    parsed = parse_id_number(VALID)
    assert parsed.birth_date == date(1990, 3, 7)
    assert parsed.gender == "1"
    assert parsed.warnings == ()
    assert parsed.masked == VALID[:6] + "********" + VALID[-4:]


def test_female_from_even_sequence():
    assert parse_id_number(id_number_with_check("52020119851231002")).gender == "2"


def test_full_width_spaces_and_lowercase_x_are_normalized():
    number = next(
        id_number_with_check(f"5202011985123100{d}")
        for d in range(10)
        if id_number_with_check(f"5202011985123100{d}").endswith("X")
    )
    messy = " " + "".join(chr(ord(c) + 0xFEE0) for c in number[:10]) + " " + number[10:17] + "x "
    assert normalize_id_number(messy) == number
    assert parse_id_number(messy).value == number


def test_unknown_area_is_a_warning_that_stdnum_would_reject():
    number = id_number_with_check("99999919900101001")
    assert not ric.is_valid(number)  # the python-stdnum trap of DOMAIN.md §1.5
    parsed = parse_id_number(number)
    assert parsed.warnings and "999999" in parsed.warnings[0]


def test_residence_permit_numbers_are_accepted_without_warning():
    parsed = parse_id_number(id_number_with_check("81000019900101001"))
    assert parsed.warnings == ()


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("", "不能为空"),
        ("520102900307123", "15 位旧身份证号码"),
        ("5201021990030712", "应为 18 位"),
        ("52010219900307123A", "最后一位为数字或 X"),
        (VALID[:17] + ("0" if VALID[17] != "0" else "1"), "校验位不正确"),
        (id_number_with_check("52010219900230123"), "出生日期不存在"),
        (id_number_with_check("52010230000101123"), "晚于今天"),
    ],
)
def test_invalid_numbers_are_refused_with_a_chinese_reason_that_hides_the_number(raw, reason):
    with pytest.raises(InvalidIdNumber) as info:
        parse_id_number(raw)
    assert reason in str(info.value)
    if len(raw) >= 15:
        assert raw not in str(info.value)


def test_encryption_round_trip_with_random_nonce_and_purpose_binding():
    a, b = encrypt(VALID, purpose="person.id_number"), encrypt(VALID, purpose="person.id_number")
    assert a != b and VALID.encode() not in a
    assert decrypt(a, purpose="person.id_number") == VALID
    with pytest.raises(Exception):  # noqa: B017 - the AEAD tag must not verify under another purpose
        decrypt(a, purpose="card.number")


def test_blind_index_is_deterministic_keyed_and_batchable():
    one = blind_index(VALID, purpose="person.id_number")
    assert one == blind_index(VALID, purpose="person.id_number")
    assert one != blind_index(VALID, purpose="agency.id_number")
    assert blind_indexes([VALID, VALID], purpose="person.id_number") == [one, one]
    with override_settings(GONGHUI_INDEX_KEY="another-key"):
        assert blind_index(VALID, purpose="person.id_number") != one


def test_blind_index_is_hmac_sha256_of_purpose_nul_value():
    """A known-answer check: the index must not drift, or stored indexes stop matching."""
    import hashlib
    import hmac

    from django.conf import settings

    key = hashlib.sha256(b"gonghui-index-key\x00" + settings.GONGHUI_INDEX_KEY.encode()).digest()
    expected = hmac.new(key, b"person.id\x00" + VALID.encode(), hashlib.sha256).hexdigest()
    assert blind_index(VALID, purpose="person.id") == expected
    assert blind_indexes([VALID], purpose="person.id") == [expected]
