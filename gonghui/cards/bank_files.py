"""What the bank's import files share (黔优信用卡 referrals in `credit.py`, card spending in `spending.py`).

Banks are known by their code (a file without a 银行代码 column is read as the
only active bank's), references are seen once per file, rows are confined to
the job's union and to where the importer manages cards, and a batch that met a
concurrent import of the same references is read and written once more.
"""

from __future__ import annotations

from django.db import IntegrityError
from django.utils import timezone

from gonghui.accounts.models import User
from gonghui.cards.models import BankPartner
from gonghui.cards.permissions import CardPerm
from gonghui.core.bulk import CellError, Table, UnreadableFile, cell_text
from gonghui.core.bulk.engine import Row
from gonghui.core.scoping import Scope
from gonghui.orgs.models import Org


def require_bank_column(table: Table, banks: dict[str, BankPartner]) -> None:
    """A file without a 银行代码 column is readable only while one bank is active."""
    if "bank" not in table.mapping.values() and len(banks) != 1:
        raise UnreadableFile("文件中没有“银行代码”列，而合作银行不止一家：请加上该列")


def row_bank(row: Row, banks: dict[str, BankPartner], header: str) -> BankPartner | None:
    """The row's bank by its 银行代码 cell, or the only active bank when the file has no such column."""
    try:
        code = cell_text(row.values.get("bank")).upper()
    except CellError as exc:
        row.reject(header, str(exc))
        return None
    if code:
        bank = banks.get(code)
        if bank is None:
            row.reject(header, f"未找到启用的合作银行“{code}”")
        return bank
    if len(banks) == 1:
        return next(iter(banks.values()))
    row.reject(header, "不能为空")
    return None


class BankFileKind:
    """A bank's import file as a bulk kind (see the module docstring); `_process` writes one batch."""

    def __init__(self, *, actor: User | None, scope: Scope | None, org: Org | None) -> None:
        self.actor, self.scope, self.org = actor, scope, org
        self.banks = {b.code: b for b in BankPartner.objects.filter(is_active=True)}
        self.today = timezone.localdate()
        self.seen: dict[tuple[int, str], int] = {}  # (bank, reference) → first row number, across batches

    def _may(self, path: str) -> bool:
        if self.org is not None and not path.startswith(self.org.path):
            return False
        return self.scope is None or self.scope.has_perm(CardPerm.MANAGE, path)

    def check_table(self, table: Table) -> list[str]:
        require_bank_column(table, self.banks)
        return []

    def process(self, rows: list[Row], *, dry_run: bool) -> dict[str, int]:
        """Write the batch in one transaction; once more if a concurrent import inserted one of its references."""
        errors = [list(r.errors) for r in rows]
        seen = dict(self.seen)
        try:
            return self._process(rows, dry_run=dry_run)
        except IntegrityError:
            for row, before in zip(rows, errors, strict=True):
                row.errors[:] = before
            self.seen = seen
            return self._process(rows, dry_run=dry_run)

    def _process(self, rows: list[Row], *, dry_run: bool) -> dict[str, int]:
        raise NotImplementedError
