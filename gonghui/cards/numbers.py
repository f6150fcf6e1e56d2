"""Bank card numbers: Luhn-checked (python-stdnum), sealed and indexed like ID numbers, shown masked."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from stdnum import luhn

from gonghui.core import crypto
from gonghui.core.errors import DomainError

CARD_PURPOSE = "card.number"


@dataclass(frozen=True)
class CardNumber:
    cipher: bytes
    index: str
    masked: str


def normalize_card_number(raw: str) -> str:
    """Digits only: full-width digits, spaces and dashes as people write them are dropped."""
    text = unicodedata.normalize("NFKC", raw or "")
    return "".join(c for c in text if not c.isspace() and c != "-")


def mask_card_number(value: str) -> str:
    """6217 **** **** 1234: the first four and last four digits, as a bank statement shows them."""
    return f"{value[:4]} **** **** {value[-4:]}"


def card_index(raw: str) -> str:
    return crypto.blind_index(normalize_card_number(raw), purpose=CARD_PURPOSE)


def parse_card_number(raw: str, *, bins: list[str] | None = None) -> CardNumber:
    """A UnionPay debit card number (16–19 digits, Luhn), sealed; never echoed in an error."""
    value = normalize_card_number(raw)
    if not value.isdigit() or not 16 <= len(value) <= 19:
        raise DomainError("card.number_invalid", why="应为 16–19 位数字")
    if not luhn.is_valid(value):
        raise DomainError("card.number_invalid", why="校验位不正确")
    if bins and not value.startswith(tuple(bins)):
        raise DomainError("card.number_invalid", why="不属于该银行的会员服务卡卡段")
    return CardNumber(
        cipher=crypto.encrypt(value, purpose=CARD_PURPOSE),
        index=crypto.blind_index(value, purpose=CARD_PURPOSE),
        masked=mask_card_number(value),
    )
