"""`core.money.parse_yuan`: the one reading of an amount in yuan, for every page, API and file."""

from __future__ import annotations

from typing import Any

import pytest

from gonghui.core.money import LIMIT_FEN, AmountError, fen_to_yuan, parse_yuan


@pytest.mark.parametrize(
    ("typed", "fen"),
    [
        ("3000", 300000),
        ("3,000", 300000),
        ("3，000", 300000),
        ("1,200,000.50", 120000050),
        ("￥300", 30000),
        ("¥300", 30000),
        ("¥ 300", 30000),
        ("300元", 30000),
        ("￥3，000元", 300000),
        ("300.5", 30050),
        ("19.90", 1990),
        ("0.01", 1),
        ("３０００", 300000),
        ("３００．５", 30050),
        (" 158 ", 15800),
        (12.5, 1250),
        (200, 20000),
        ("5.00", 500),
    ],
)
def test_everyday_inputs_read_as_fen(typed: Any, fen: int) -> None:
    assert parse_yuan(typed) == fen


@pytest.mark.parametrize(
    ("typed", "kind"),
    [
        ("", "format"),
        (None, "format"),
        (True, "format"),
        ("abc", "format"),
        ("三百", "format"),
        ("12.3.4", "format"),
        ("3,00", "format"),
        ("1,5", "format"),
        ("NaN", "format"),
        ("Infinity", "format"),
        ("-5", "sign"),
        ("-0.01", "sign"),
        ("0", "sign"),
        ("0.00", "sign"),
        ("1.234", "decimals"),
        ("0.001", "decimals"),
        ("10000000000000", "range"),
        ("1e400000", "range"),
    ],
)
def test_refusals_carry_their_kind(typed: Any, kind: str) -> None:
    with pytest.raises(AmountError) as exc:
        parse_yuan(typed)
    assert exc.value.kind == kind


def test_zero_when_the_caller_allows_it() -> None:
    assert parse_yuan("0", allow_zero=True) == 0
    assert parse_yuan("0.00", allow_zero=True) == 0
    with pytest.raises(AmountError) as exc:
        parse_yuan("-1", allow_zero=True)
    assert exc.value.kind == "sign"


def test_the_callers_cap() -> None:
    assert parse_yuan("1,000,000", max_fen=100_000_000) == 100_000_000
    with pytest.raises(AmountError) as exc:
        parse_yuan("1,000,000.01", max_fen=100_000_000)
    assert exc.value.kind == "range"


def test_the_ceiling_holds_whatever_the_caller_allows() -> None:
    assert parse_yuan(fen_to_yuan(LIMIT_FEN - 1)) == LIMIT_FEN - 1
    with pytest.raises(AmountError) as exc:
        parse_yuan(fen_to_yuan(LIMIT_FEN))
    assert exc.value.kind == "range"


def test_fen_to_yuan_reads_back() -> None:
    assert parse_yuan(fen_to_yuan(123456)) == 123456
