"""Service-card spending from the bank's transaction file (交易流水): the 普惠 spending figures' second source.

The bank reports each purchase made with a member service card (交易流水号, 卡号,
交易日期, 交易金额（元）, 商户名称, optionally 商户类别码). `CardSpendingKind`
imports the file through the bulk engine, set-based:

- the card number is Luhn-checked and matched to a `ServiceCard` by its blind
  index, whatever the card's state now (a purchase made before the card was
  reported lost still happened); it is never stored, logged or echoed (a row
  keeps the card's id);
- a card unknown, of another bank, or outside the importer's subtree is a row
  error, worded alike so the reason does not tell another union's card apart;
- (bank, 交易流水号) is the natural key: the same file twice changes nothing, and a
  serial seen before with other content is refused;
- each row carries the card's person and its union's path (the union that
  applied for the card, kept in step when unions move), so the statistics count
  spending per subtree without joins.

Refunds and reversals are not imported: an amount must be positive.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone

from gonghui.accounts.models import User
from gonghui.cards.bank_files import BankFileKind, row_bank
from gonghui.cards.models import BankPartner, CardSpending, ServiceCard
from gonghui.cards.money import yuan_cell_to_fen
from gonghui.cards.numbers import parse_card_number
from gonghui.cards.selectors import spending_in_subtree
from gonghui.core.bulk import CellError, Column, cell_text, parse_date
from gonghui.core.bulk.engine import Row, audit_import
from gonghui.core.bulk.sql import insert_rows
from gonghui.core.errors import DomainError
from gonghui.core.money import fen_to_yuan
from gonghui.core.scoping import unscoped
from gonghui.orgs.models import Org

COLUMNS = [
    Column("reference", "交易流水号", ("流水号", "交易参考号", "检索参考号", "reference"), required=True),
    Column("card_no", "卡号", ("交易卡号", "银行卡号", "会员卡号", "card_no", "card_number"), required=True),
    Column("day", "交易日期", ("交易时间", "消费日期", "day", "date"), required=True),
    Column("amount", "交易金额（元）", ("交易金额", "消费金额", "金额", "amount"), required=True),
    Column("merchant", "商户名称", ("商户", "消费商户", "merchant"), required=True),
    Column("mcc", "商户类别码", ("MCC", "mcc")),
    Column("bank", "银行代码", ("bank", "bank_code")),
]
HEADERS = {c.key: c.header for c in COLUMNS}
REFERENCE = re.compile(r"[0-9A-Za-z][0-9A-Za-z_\-/.]{0,63}")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
UNKNOWN_CARD = "未找到该卡号的会员服务卡（或不在您的管辖范围内）"
NEW_FIELDS = (
    "bank_id",
    "reference",
    "card_id",
    "person_id",
    "org_path",
    "day",
    "amount_fen",
    "merchant_name",
    "mcc",
    "created_at",
)


@dataclass
class _Clean:
    row: Row
    bank: BankPartner
    reference: str
    card_index: str
    day: date
    amount_fen: int
    merchant_name: str
    mcc: str


class CardSpendingKind(BankFileKind):
    """The bank's file of service-card purchases (see the module docstring)."""

    name = "card_spending"
    columns = COLUMNS

    def prepare(self, rows: list[Row]) -> None:
        """Nothing ahead of time: cleaning needs the banks' card ranges."""

    def _clean(self, row: Row) -> _Clean | None:
        v = row.values
        out: dict[str, Any] = {}
        try:
            reference = cell_text(v.get("reference"))
            if not reference:
                row.reject(HEADERS["reference"], "不能为空")
            elif not REFERENCE.fullmatch(reference):
                row.reject(HEADERS["reference"], "应为 1–64 位字母、数字或 - _ / .")
            else:
                out["reference"] = reference
        except CellError as exc:
            row.reject(HEADERS["reference"], str(exc))
        bank = row_bank(row, self.banks, HEADERS["bank"])
        if bank is not None:
            try:
                out["card_index"] = parse_card_number(cell_text(v.get("card_no")), bins=bank.bins()).index
            except (DomainError, CellError) as exc:
                row.reject(HEADERS["card_no"], exc.message if isinstance(exc, DomainError) else str(exc))
        try:
            day = parse_date(v.get("day"))
            if day is None:
                row.reject(HEADERS["day"], "不能为空")
            elif day > self.today:
                row.reject(HEADERS["day"], "不能晚于今天")
            else:
                out["day"] = day
        except CellError as exc:
            row.reject(HEADERS["day"], str(exc))
        try:
            out["amount_fen"] = yuan_cell_to_fen(v.get("amount"))
        except CellError as exc:
            row.reject(HEADERS["amount"], str(exc))
        try:
            merchant = _CONTROL.sub(" ", cell_text(v.get("merchant"))).strip()
            if not merchant:
                row.reject(HEADERS["merchant"], "不能为空")
            elif len(merchant) > 200:
                row.reject(HEADERS["merchant"], "不能超过 200 个字符")
            out["merchant_name"] = merchant
        except CellError as exc:
            row.reject(HEADERS["merchant"], str(exc))
        try:
            mcc = cell_text(v.get("mcc"))
            if mcc and not re.fullmatch(r"\d{4}", mcc):
                row.reject(HEADERS["mcc"], "应为 4 位数字")
            out["mcc"] = mcc
        except CellError as exc:
            row.reject(HEADERS["mcc"], str(exc))
        if bank is not None and "reference" in out:
            first = self.seen.setdefault((bank.pk, out["reference"]), row.number)
            if first != row.number:
                row.reject(HEADERS["reference"], f"与第 {first} 行的交易流水号相同")
        if row.errors or bank is None:
            return None
        return _Clean(row=row, bank=bank, **out)

    def _process(self, rows: list[Row], *, dry_run: bool) -> dict[str, int]:
        counts: Counter[str] = Counter()
        with transaction.atomic(), unscoped():
            cleaned = [c for row in rows if (c := self._clean(row)) is not None]
            cards = {
                index: (pk, bank_id, person_id, path)
                for index, pk, bank_id, person_id, path in ServiceCard.objects.filter(
                    card_index__in=list({c.card_index for c in cleaned})
                ).values_list("card_index", "pk", "bank_id", "person_id", "org_path")
            }
            existing: dict[tuple[int, str], tuple[Any, ...]] = {}
            for bank_id in {c.bank.pk for c in cleaned}:
                refs = [c.reference for c in cleaned if c.bank.pk == bank_id]
                for ref, *rest in CardSpending.all_objects.filter(bank_id=bank_id, reference__in=refs).values_list(
                    "reference", "card_id", "day", "amount_fen", "merchant_name", "mcc"
                ):
                    existing[(bank_id, ref)] = tuple(rest)
            now = timezone.now()
            new: list[tuple[Any, ...]] = []
            for c in cleaned:
                card = cards.get(c.card_index)
                if card is None or card[1] != c.bank.pk or not self._may(card[3]):
                    c.row.reject(HEADERS["card_no"], UNKNOWN_CARD)
                    continue
                card_id, _bank_id, person_id, path = card
                old = existing.get((c.bank.pk, c.reference))
                if old is None:
                    new.append(
                        (
                            c.bank.pk,
                            c.reference,
                            card_id,
                            person_id,
                            path,
                            c.day,
                            c.amount_fen,
                            c.merchant_name,
                            c.mcc,
                            now,
                        )
                    )
                elif old == (card_id, c.day, c.amount_fen, c.merchant_name, c.mcc):
                    counts["unchanged"] += 1
                else:
                    c.row.reject(HEADERS["reference"], "该交易流水号已导入，内容与此前不同，请与银行核实")
            counts["created"] = len(new)
            counts["rejected"] = sum(1 for r in rows if r.errors)
            if dry_run:
                transaction.set_rollback(True)
                return dict(counts)
            insert_rows(CardSpending, NEW_FIELDS, new)
        return dict(counts)

    def audit(self, summary: dict[str, Any], path: str) -> None:
        audit_import(actor=self.actor, action="cards.import_card_spending", org=self.org, summary=summary, path=path)


# --- the subtree's spending as a file -------------------------------------------------------------

EXPORT_HEADERS = [
    "交易流水号",
    "银行代码",
    "卡号",
    "持卡人",
    "持卡工会代码",
    "交易日期",
    "交易金额（元）",
    "商户名称",
    "商户类别码",
]


def export_card_spending(path: str, *, actor: User | None, org: Org | None) -> int:
    """The subtree's imported spending, card numbers masked; audited."""
    from gonghui.core.audit import audit_record
    from gonghui.core.bulk import write_table

    with unscoped():
        qs = spending_in_subtree(org)

        def lines() -> Any:
            for s in qs.iterator(chunk_size=2000):
                yield [
                    s.reference,
                    s.bank.code,
                    s.card.card_masked,
                    s.person.name,
                    s.card.org.code,
                    s.day,
                    fen_to_yuan(s.amount_fen),
                    s.merchant_name,
                    s.mcc,
                ]

        with transaction.atomic():
            count = write_table(path, EXPORT_HEADERS, lines(), sheet="服务卡消费")
            audit_record(
                actor=actor,
                action="cards.export_card_spending",
                org=org,
                data={"file": str(path).rsplit("/", 1)[-1], "rows": count},
            )
    return count
