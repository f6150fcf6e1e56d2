"""The exchange with the bank as files (DOMAIN §3): the application list out, the issuance results in.

The bank answers an application list with a file of ID number, card number and
date. `CardIssuanceKind` matches each row by the ID number's blind index to the
member's open application at that bank and records the number (sealed), set-based:
the same file twice changes nothing, and a number already given to another card,
or a member whose card already carries another number, is refused by row.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from gonghui.accounts.models import User
from gonghui.cards.models import (
    BankPartner,
    CardEvent,
    CardEventType,
    CardStatus,
    ServiceCard,
)
from gonghui.cards.numbers import parse_card_number
from gonghui.cards.permissions import CardPerm
from gonghui.core.audit import audit_record
from gonghui.core.bulk import CellError, Column, Table, UnreadableFile, cell_text, parse_date
from gonghui.core.bulk.engine import Row, audit_import
from gonghui.core.bulk.sql import insert_rows
from gonghui.core.errors import DomainError
from gonghui.core.scoping import Scope, unscoped
from gonghui.members.validation import FieldError, parse_identity
from gonghui.orgs.models import Org

COLUMNS = [
    Column("id_number", "公民身份号码", ("身份证号", "身份证号码", "证件号码", "id_number"), required=True),
    Column("card_no", "卡号", ("会员卡号", "银行卡号", "card_no", "card_number"), required=True),
    Column("bank", "银行代码", ("bank", "bank_code")),
    Column("issued_on", "制卡日期", ("issued_on",)),
]
HEADERS = {c.key: c.header for c in COLUMNS}
OPEN = (CardStatus.APPLIED, CardStatus.ISSUED, CardStatus.ACTIVATED, CardStatus.FROZEN, CardStatus.LOST)


class CardIssuanceKind:
    name = "cards"
    columns = COLUMNS

    def __init__(self, *, actor: User | None, scope: Scope | None, org: Org | None) -> None:
        self.actor, self.scope, self.org = actor, scope, org
        self.banks = {b.code: b for b in BankPartner.objects.filter(is_active=True)}
        self.seen: dict[str, int] = {}  # card index → first row number

    def check_table(self, table: Table) -> list[str]:
        if "bank" not in table.mapping.values() and len(self.banks) != 1:
            raise UnreadableFile("文件中没有“银行代码”列，而合作银行不止一家：请加上该列")
        return []

    def prepare(self, rows: list[Row]) -> None:
        """Nothing ahead of time: a bank's file is small next to a roster."""

    def _clean(self, row: Row) -> dict[str, Any] | None:
        v = row.values
        out: dict[str, Any] = {}
        try:
            out["index"] = parse_identity(cell_text(v.get("id_number"))).index
        except (FieldError, CellError) as exc:
            row.reject(HEADERS["id_number"], str(exc))
        code = cell_text(v.get("bank")).upper() if v.get("bank") not in (None, "") else ""
        bank = self.banks.get(code) if code else (next(iter(self.banks.values())) if len(self.banks) == 1 else None)
        if bank is None:
            row.reject(HEADERS["bank"], f"未找到启用的合作银行“{code}”" if code else "不能为空")
        else:
            out["bank"] = bank
            try:
                out["number"] = parse_card_number(cell_text(v.get("card_no")), bins=bank.bins())
            except (DomainError, CellError) as exc:
                row.reject(HEADERS["card_no"], exc.message if isinstance(exc, DomainError) else str(exc))
        try:
            out["issued_on"] = parse_date(v.get("issued_on")) or timezone.localdate()
            if out["issued_on"] > timezone.localdate():
                row.reject(HEADERS["issued_on"], "不能晚于今天")
        except CellError as exc:
            row.reject(HEADERS["issued_on"], str(exc))
        if "number" in out:
            first = self.seen.setdefault(out["number"].index, row.number)
            if first != row.number:
                row.reject(HEADERS["card_no"], f"与第 {first} 行的卡号相同")
        return None if row.errors else out

    def process(self, rows: list[Row], *, dry_run: bool) -> dict[str, int]:
        counts: Counter[str] = Counter()
        with transaction.atomic(), unscoped():
            cleaned = [(row, self._clean(row)) for row in rows]
            good = [(row, c) for row, c in cleaned if c is not None]
            cards = {
                (c.person.id_index, c.bank_id): c
                for c in ServiceCard.objects.filter(
                    person__id_index__in=[c["index"] for _, c in good], status__in=OPEN
                ).select_related("person")
            }
            taken = dict(
                ServiceCard.objects.filter(card_index__in=[c["number"].index for _, c in good]).values_list(
                    "card_index", "pk"
                )
            )
            issue: list[tuple[ServiceCard, dict[str, Any]]] = []
            for row, c in good:
                card = cards.get((c["index"], c["bank"].pk))
                if card is None or not self._may(card):
                    row.reject(
                        HEADERS["id_number"], f"未找到该人员在{c['bank'].name}的会员服务卡申请（或不在您的管辖范围内）"
                    )
                elif card.card_index == c["number"].index:
                    counts["unchanged"] += 1
                elif card.status != CardStatus.APPLIED:
                    row.reject(HEADERS["card_no"], f"该会员的卡片已登记其他卡号（{card.card_masked}）")
                elif taken.get(c["number"].index, card.pk) != card.pk:
                    row.reject(HEADERS["card_no"], "该卡号已登记在其他会员的卡片上")
                else:
                    issue.append((card, c))
            counts["updated"] = len(issue)
            counts["rejected"] = sum(1 for r in rows if r.errors)
            if dry_run:
                transaction.set_rollback(True)
                return dict(counts)
            self._issue(issue)
        return dict(counts)

    def _may(self, card: ServiceCard) -> bool:
        if self.org is not None and not card.org_path.startswith(self.org.path):
            return False
        return self.scope is None or self.scope.has_perm(CardPerm.MANAGE, card.org_path)

    def _issue(self, issue: list[tuple[ServiceCard, dict[str, Any]]]) -> None:
        """One UPDATE per card through executemany, one event each, no per-row ORM save."""
        if not issue:
            return
        now = timezone.now()
        table = ServiceCard._meta.db_table
        with connection.cursor() as cursor:
            cursor.executemany(
                f"UPDATE {table} SET card_cipher = %s, card_index = %s, card_masked = %s, status = %s, "  # noqa: S608
                "issued_on = %s, updated_at = %s WHERE id = %s AND status = %s",
                [
                    (
                        c["number"].cipher,
                        c["number"].index,
                        c["number"].masked,
                        CardStatus.ISSUED,
                        connection.ops.adapt_datefield_value(c["issued_on"]),
                        connection.ops.adapt_datetimefield_value(now),
                        card.pk,
                        CardStatus.APPLIED,
                    )
                    for card, c in issue
                ],
            )
        insert_rows(
            CardEvent,
            ("card_id", "org_path", "event_type", "from_status", "to_status", "reason", "at"),
            [
                (
                    card.pk,
                    card.org_path,
                    CardEventType.ISSUE,
                    CardStatus.APPLIED,
                    CardStatus.ISSUED,
                    "银行制卡结果文件",
                    now,
                )
                for card, _c in issue
            ],
        )

    def audit(self, summary: dict[str, Any], path: str) -> None:
        audit_import(actor=self.actor, action="cards.import_issuance", org=self.org, summary=summary, path=path)


# --- the application list for the bank --------------------------------------------------------------

EXPORT_HEADERS = [
    "申请编号",
    "银行代码",
    "姓名",
    "公民身份号码",
    "手机号码",
    "申请工会代码",
    "申请工会",
    "申请时间",
    "状态",
    "卡号",
]


def export_applications(
    path: str, *, actor: User | None, org: Org | None, unmasked: bool = False, scope: Scope | None = None
) -> int:
    """The subtree's open applications (and cards) as the bank's list; full ID numbers only when `unmasked`."""
    from gonghui.core import crypto
    from gonghui.core.bulk import write_table
    from gonghui.core.errors import PermissionDeniedError
    from gonghui.core.masking import mask_mobile
    from gonghui.core.scoping import subtree_q
    from gonghui.members.permissions import MemberPerm
    from gonghui.members.validation import ID_PURPOSE

    if unmasked and scope is not None and (org is None or not scope.has_perm(MemberPerm.VIEW_ID, org.path)):
        raise PermissionDeniedError(MemberPerm.VIEW_ID)
    labels = dict(CardStatus.choices)
    with unscoped():
        qs = ServiceCard.objects.filter(status__in=OPEN).select_related("bank", "org", "person").order_by("id")
        if org is not None:
            qs = qs.filter(subtree_q("org_path", org.path))

        def lines() -> Any:
            for card in qs.iterator(chunk_size=2000):
                person = card.person
                yield [
                    card.pk,
                    card.bank.code,
                    person.name,
                    crypto.decrypt(bytes(person.id_cipher), purpose=ID_PURPOSE) if unmasked else person.id_masked,
                    (person.mobile if unmasked else mask_mobile(person.mobile)) if person.mobile else "",
                    card.org.code,
                    card.org.name,
                    timezone.localtime(card.applied_at).strftime("%Y-%m-%d %H:%M"),
                    str(labels.get(card.status, card.status)),
                    card.card_masked,
                ]

        with transaction.atomic():
            count = write_table(path, EXPORT_HEADERS, lines(), sheet="服务卡申请清单")
            audit_record(
                actor=actor,
                action="cards.export.unmasked" if unmasked else "cards.export",
                org=org,
                data={"file": str(path).rsplit("/", 1)[-1], "rows": count, "unmasked": unmasked},
            )
    return count
