"""The bank's answer to a payout file, in; the batches' items, out.

The bank answers a payout file with a result per item (明细编号, 金额, 结果).
`PayoutResultsKind` groups a file's rows by the batch their item belongs to and
applies each group through `payout_results_apply`: the service's refusals come
back as row rejections, and the same file twice changes nothing. A bank that
answers in its own text format (`payouts.adapters`, e.g. 贵州银行's 回盘 file) is read
by the kind's `open_table`.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

from gonghui.accounts.models import User
from gonghui.core.audit import audit_record
from gonghui.core.bulk import CellError, Column, Table, cell_text, open_table, parse_int
from gonghui.core.bulk.engine import Row, audit_import
from gonghui.core.errors import DomainError
from gonghui.core.money import fen_to_yuan
from gonghui.core.scoping import Scope, unscoped
from gonghui.orgs.models import Org
from gonghui.payouts.models import ItemStatus, PayoutBatch, PayoutItem
from gonghui.payouts.permissions import PayoutPerm
from gonghui.payouts.services import ItemResult, payout_results_apply, yuan_to_fen

RESULT_COLUMNS = [
    Column("item_id", "明细编号", ("item_id", "item"), required=True),
    Column("amount", "金额（元）", ("金额", "amount"), required=True),
    Column("result", "结果", ("处理结果", "result"), required=True),
    Column("reason", "失败原因", ("reason", "备注")),
    # Not imported: declared so that the bank's echo of our file's 卡号 is masked in the upload preview.
    Column("card_no", "卡号", ("银行卡号", "card_no")),
]
RESULT_HEADERS = {c.key: c.header for c in RESULT_COLUMNS}
PAID_WORDS = frozenset({"成功", "已到账", "success", "succeeded", "是", "y", "yes", "1"})
FAILED_WORDS = frozenset({"失败", "发放失败", "fail", "failed", "failure", "否", "n", "no", "0"})
NOT_FOUND = "未找到该明细编号（或不在您的管辖范围内）"


def parse_result(value: Any) -> bool:
    text = cell_text(value).lower()
    if text in PAID_WORDS:
        return True
    if text in FAILED_WORDS:
        return False
    raise CellError("应为“成功”或“失败”")


class PayoutResultsKind:
    """The bank's answer to payout files: every item id names its batch, so a file may span batches."""

    name = "payout_results"
    columns = RESULT_COLUMNS

    def __init__(self, *, actor: User | None, scope: Scope | None, org: Org | None) -> None:
        self.actor, self.scope, self.org = actor, scope, org
        self.seen: dict[int, int] = {}  # item id → first row number

    def check_table(self, table: Table) -> list[str]:
        return []

    def open_table(self, path: str | Path) -> Table:
        """The bank's answer in its own text format (贵州银行's 回盘 `|` file), else any workbook or CSV.

        For an engine that lets a kind open its file; the table's rows carry the file's own line numbers.
        """
        from gonghui.payouts.adapters import read_bank_answer

        return read_bank_answer(path) or open_table(path, self.columns)

    def prepare(self, rows: list[Row]) -> None:
        """Nothing ahead of time: a bank's answer is small next to a roster."""

    def _clean(self, row: Row) -> ItemResult | None:
        v = row.values
        item_id = fen = paid = None
        try:
            item_id = parse_int(v.get("item_id"), minimum=1)
            if item_id is None:
                row.reject(RESULT_HEADERS["item_id"], "不能为空")
        except CellError as exc:
            row.reject(RESULT_HEADERS["item_id"], str(exc))
        try:
            fen = yuan_to_fen(cell_text(v.get("amount")))
        except (DomainError, CellError) as exc:
            row.reject(RESULT_HEADERS["amount"], exc.message if isinstance(exc, DomainError) else str(exc))
        try:
            paid = parse_result(v.get("result"))
        except CellError as exc:
            row.reject(RESULT_HEADERS["result"], str(exc))
        if item_id is not None:
            first = self.seen.setdefault(item_id, row.number)
            if first != row.number:
                row.reject(RESULT_HEADERS["item_id"], f"与第 {first} 行的明细编号相同")
        if row.errors or item_id is None or fen is None or paid is None:
            return None
        return ItemResult(item_id, paid, fen, cell_text(v.get("reason")))

    def _may(self, batch: PayoutBatch) -> bool:
        if self.org is not None and not batch.org_path.startswith(self.org.path):
            return False
        return self.scope is None or self.scope.has_perm(PayoutPerm.MAKE, batch.org_path)

    def process(self, rows: list[Row], *, dry_run: bool) -> dict[str, int]:
        counts: Counter[str] = Counter()
        with transaction.atomic(), unscoped():
            good = [(row, r) for row in rows if (r := self._clean(row)) is not None]
            batch_of = dict(
                PayoutItem.objects.filter(pk__in=[r.item_id for _, r in good]).values_list("pk", "batch_id")
            )
            batches = {b.pk: b for b in PayoutBatch.all_objects.filter(pk__in=set(batch_of.values())) if self._may(b)}
            by_batch: dict[int, list[tuple[Row, ItemResult]]] = {}
            for row, result in good:
                batch_id = batch_of.get(result.item_id)
                if batch_id not in batches:
                    row.reject(RESULT_HEADERS["item_id"], NOT_FOUND)
                else:
                    by_batch.setdefault(batch_id, []).append((row, result))
            for batch_id, pairs in by_batch.items():
                try:
                    outcome = payout_results_apply(
                        actor=self.actor, scope=self.scope, batch=batches[batch_id], results=[r for _, r in pairs]
                    )
                except DomainError as exc:  # not sent yet, cancelled…: every row of the batch
                    for row, _result in pairs:
                        row.reject(RESULT_HEADERS["item_id"], exc.message)
                    continue
                rows_of = {r.item_id: row for row, r in pairs}
                for item_id, reason in outcome["refused"]:
                    rows_of[item_id].reject(_column_of(reason), reason)
                counts["updated"] += outcome["paid"] + outcome["failed"]
                counts["unchanged"] += outcome["unchanged"]
            counts["rejected"] = sum(1 for r in rows if r.errors)
            if dry_run:
                transaction.set_rollback(True)
        return dict(counts)

    def audit(self, summary: dict[str, Any], path: str) -> None:
        audit_import(actor=self.actor, action="payouts.import_results", org=self.org, summary=summary, path=path)


def _column_of(reason: str) -> str:
    """The column a refusal of `payout_results_apply` is about."""
    if "金额" in reason:
        return RESULT_HEADERS["amount"]
    if "已是" in reason:
        return RESULT_HEADERS["result"]
    return RESULT_HEADERS["item_id"]


PAYOUT_EXPORT_HEADERS = [
    "明细编号",
    "批次编号",
    "批次名称",
    "发放工会代码",
    "用途",
    "发放事项",
    "会员编号",
    "户名",
    "卡号",
    "金额（元）",
    "状态",
    "失败原因",
    "结果时间",
]


def export_payout_items(path: str, *, actor: User | None, org: Org | None) -> int:
    """The items of the subtree's batches, card numbers masked (the full ones go only to the bank)."""
    from gonghui.core.bulk import write_table
    from gonghui.core.scoping import subtree_q

    labels = dict(ItemStatus.choices)
    with unscoped():
        qs = PayoutItem.objects.select_related("batch", "batch__org", "person", "card").order_by("batch_id", "id")
        if org is not None:
            qs = qs.filter(subtree_q("batch__org_path", org.path))

        def lines() -> Any:
            for item in qs.iterator(chunk_size=2000):
                batch = item.batch
                yield [
                    item.pk,
                    batch.pk,
                    batch.title,
                    batch.org.code,
                    batch.get_purpose_display(),
                    batch.reference,
                    item.person.member_no or "",
                    item.person.name,
                    item.card.card_masked,
                    fen_to_yuan(item.amount_fen),
                    str(labels.get(item.status, item.status)),
                    item.failure_reason,
                    timezone.localtime(item.settled_at).strftime("%Y-%m-%d %H:%M") if item.settled_at else "",
                ]

        with transaction.atomic():
            count = write_table(path, PAYOUT_EXPORT_HEADERS, lines(), sheet="代发明细")
            audit_record(
                actor=actor,
                action="payouts.export",
                org=org,
                data={"file": str(path).rsplit("/", 1)[-1], "rows": count},
            )
    return count
