"""Per-bank payout files: the adapter chosen by the bank's file_format, 贵州银行's text file read back
byte for byte, and the bank's answer in the same format."""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from openpyxl import load_workbook
from stdnum import luhn

from gonghui.accounts.scope import scope_for_user
from gonghui.cards.models import BankPartner
from gonghui.cards.services import card_apply, card_issue, card_transition
from gonghui.cards.tests.test_lifecycle import card_number
from gonghui.core.bulk.engine import Row
from gonghui.core.bulk.kinds import get_kind
from gonghui.core.errors import DomainError
from gonghui.core.models import AuditEvent
from gonghui.core.scoping import unscoped
from gonghui.members.tests.factories import id_number, register
from gonghui.payouts.adapters import bank_file_adapter, batch_number, read_bank_answer
from gonghui.payouts.bulk import PayoutResultsKind
from gonghui.payouts.models import BatchStatus, ItemStatus, PayoutBatch, PayoutItem
from gonghui.payouts.services import (
    payout_bank_file,
    payout_batch_create,
    payout_batch_decide,
    payout_batch_submit,
    payout_items_add,
)

pytestmark = pytest.mark.django_db

NAMES = ["王一", "李二", "欧阳三丰"]
AMOUNTS = [50000, 12345, 30001]  # 500.00, 123.45, 300.01


@pytest.fixture(autouse=True)
def files_in_tmp(settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    settings.DATA_DIR = tmp_path / "data"


@pytest.fixture
def world(tree, make_user):  # type: ignore[no-untyped-def]
    bank = BankPartner.objects.create(code="GZB", name="贵州银行", bin_prefixes="621795", file_format="gzb_txt")
    members = []
    for i, name in enumerate(NAMES):
        ms = register(tree.courier_union, id_number(700 + i), name=name)
        card = card_apply(actor=None, scope=None, membership=ms, bank=bank, consented=True)
        card_issue(actor=None, scope=None, card=card, card_number=card_number(70 + i))
        card_transition(actor=None, scope=None, card=card, action="activate")
        members.append(ms)
    maker = make_user("maker", ("officer", "520201"))
    checker = make_user("checker", ("reviewer", "520201"))
    return {"tree": tree, "bank": bank, "members": members, "maker": maker, "checker": checker}


def approved(world: dict[str, Any], reference: str = "2025年春节慰问|困难职工") -> PayoutBatch:
    maker, scope = world["maker"], scope_for_user(world["maker"])
    batch = payout_batch_create(
        actor=maker,
        scope=scope,
        org=world["tree"].zhongshan,
        bank=world["bank"],
        purpose="hardship",
        reference=reference,
    )
    items = [(m.pk, fen) for m, fen in zip(world["members"], AMOUNTS, strict=True)]
    assert payout_items_add(actor=maker, scope=scope, batch=batch, items=items) == []
    payout_batch_submit(actor=maker, scope=scope, batch=batch)
    payout_batch_decide(actor=world["checker"], scope=scope_for_user(world["checker"]), batch=batch, approve=True)
    return batch


def write(world: dict[str, Any], batch: PayoutBatch, path: Path) -> int:
    return payout_bank_file(actor=world["maker"], scope=scope_for_user(world["maker"]), batch=batch, path=path)


def item_ids(batch: PayoutBatch) -> list[int]:
    with unscoped():
        return list(PayoutItem.objects.filter(batch=batch).order_by("pk").values_list("pk", flat=True))


def test_the_gzb_text_file_reads_back_exactly(world, tmp_path: Path) -> None:
    batch = approved(world)
    adapter = bank_file_adapter(world["bank"])
    stamp = timezone.localdate().strftime("%Y%m%d")
    assert (adapter.code, adapter.suffix, adapter.content_type) == ("gzb_txt", ".txt", "text/plain; charset=GB18030")
    assert adapter.filename(batch) == f"GZB_DF_GH{batch.pk:012d}_{stamp}.txt"
    path = tmp_path / adapter.filename(batch)
    assert write(world, batch, path) == 3

    raw = path.read_bytes()
    assert raw.endswith(b"\r\n") and raw.count(b"\r\n") == 4 and b"\n" not in raw.replace(b"\r\n", b"")
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")  # GB18030, not UTF-8: the bank's parser reads 欧阳三丰 in its own code page
    lines = raw.decode("gb18030").split("\r\n")[:-1]
    header, *details = (line.split("|") for line in lines)
    ids = item_ids(batch)
    total = sum(AMOUNTS)
    assert header == [batch_number(batch), "3", f"{Decimal(total) / 100:.2f}", "520201", stamp]
    assert details == [
        [
            str(ids[i]),
            NAMES[i],
            card_number(70 + i),
            f"{Decimal(AMOUNTS[i]) / 100:.2f}",
            "困难补助",
            "2025年春节慰问｜困难职工",
        ]
        for i in range(3)
    ]
    # The header's count and total are the details'.
    assert int(header[1]) == len(details)
    assert sum(Decimal(d[3]) for d in details) == Decimal(header[2])
    # Full, Luhn-valid card numbers in the bank file only; the reference's "|" never splits a line.
    assert all(luhn.is_valid(d[2]) and len(d[2]) == 19 for d in details)
    with unscoped():
        assert PayoutBatch.all_objects.get(pk=batch.pk).status == BatchStatus.SENT
    audit = AuditEvent.all_objects.get(action="payouts.bank_file")
    assert audit.data["format"] == "gzb_txt" and audit.data["rows"] == 3
    assert not any(card_number(70 + i) in str(audit.data) for i in range(3))

    # Written again (the bank lost it): the same batch number and lines.
    again = tmp_path / "again.txt"
    assert write(world, batch, again) == 3
    assert again.read_bytes() == raw


def test_card_numbers_are_masked_everywhere_but_the_bank_file(world, tmp_path: Path) -> None:
    batch = approved(world)
    write(world, batch, tmp_path / "bank.txt")
    export = tmp_path / "items.xlsx"
    get_kind("payout_results").export(str(export), actor=None, org=world["tree"].zhongshan, unmasked=True, scope=None)
    cells = [str(c) for row in load_workbook(export).active.iter_rows(values_only=True) for c in row]
    for i in range(3):
        number = card_number(70 + i)
        assert number not in cells
        assert f"{number[:4]} **** **** {number[-4:]}" in cells
    audit_text = str(list(AuditEvent.all_objects.values_list("data", flat=True)))
    assert not any(card_number(70 + i) in audit_text for i in range(3))


@pytest.mark.parametrize(
    ("file_format", "name", "suffix"),
    [("standard", "bank.xlsx", ".xlsx"), ("standard", "bank.csv", ".csv"), ("csv", "bank.dat", ".csv")],
)
def test_the_standard_and_csv_adapters(world, tmp_path: Path, file_format: str, name: str, suffix: str) -> None:
    BankPartner.objects.filter(pk=world["bank"].pk).update(file_format=file_format)
    world["bank"].refresh_from_db()
    batch = approved(world)
    adapter = bank_file_adapter(world["bank"])
    assert adapter.filename(batch).endswith(adapter.suffix)
    path = tmp_path / name
    assert write(world, batch, path) == 3
    if suffix == ".xlsx":
        rows = [list(r) for r in load_workbook(path).active.iter_rows(values_only=True)]
    else:
        rows = list(csv.reader(path.open(encoding="utf-8-sig")))
    assert rows[0] == ["明细编号", "户名", "卡号", "金额（元）", "用途", "摘要"]
    assert [str(r[2]) for r in rows[1:]] == [card_number(70 + i) for i in range(3)]
    assert [str(r[3]) for r in rows[1:]] == ["500.00", "123.45", "300.01"]


def test_an_unknown_format_is_a_clear_refusal_and_changes_nothing(world, tmp_path: Path) -> None:
    BankPartner.objects.filter(pk=world["bank"].pk).update(file_format="swift_mt103")
    world["bank"].refresh_from_db()
    batch = approved(world)
    with pytest.raises(DomainError) as refused:
        write(world, batch, tmp_path / "x.txt")
    assert refused.value.code == "payout.file_format_unknown"
    assert "贵州银行" in refused.value.message and "swift_mt103" in refused.value.message
    assert "gzb_txt" in refused.value.message
    assert not (tmp_path / "x.txt").exists()
    with unscoped():
        assert PayoutBatch.all_objects.get(pk=batch.pk).status == BatchStatus.APPROVED
    assert not AuditEvent.all_objects.filter(action="payouts.bank_file").exists()


def answer(path: Path, batch: PayoutBatch, lines: list[list[str]]) -> Path:
    """The bank's 回盘: our header echoed, then each line with 处理结果 and 失败原因 appended."""
    text = f"{batch_number(batch)}|{len(lines)}|0.00|520201|20250501\r\n"
    text += "".join("|".join(line) + "\r\n" for line in lines)
    path.write_bytes(text.encode("gb18030"))
    return path


def test_the_bank_answers_in_the_same_format(world, tmp_path: Path) -> None:
    batch = approved(world)
    sent = tmp_path / "bank.txt"
    write(world, batch, sent)
    details = [line.split("|") for line in sent.read_bytes().decode("gb18030").split("\r\n")[1:-1]]
    path = answer(
        tmp_path / "answer.txt",
        batch,
        [
            [*details[0], "成功", ""],
            [*details[1], "失败", "户名与卡号不符"],
            [*details[2][:3], "300.00", *details[2][4:], "成功", ""],  # not the item's amount
        ],
    )
    kind = PayoutResultsKind(actor=world["maker"], scope=scope_for_user(world["maker"]), org=world["tree"].zhongshan)
    table = kind.open_table(path)
    assert table.header_row == 1 and table.missing == []
    rows = [Row(number, cells, table.values(cells)) for number, cells in table.rows]
    assert [r.number for r in rows] == [2, 3, 4]  # the file's own line numbers, for the error report
    counts = kind.process(rows, dry_run=False)
    assert (counts.get("updated"), counts.get("unchanged"), counts.get("rejected")) == (2, 0, 1)
    assert rows[2].errors == ["金额（元）：金额与明细不符"]
    ids = item_ids(batch)
    with unscoped():
        items = {i.pk: i for i in PayoutItem.objects.filter(batch=batch)}
    assert [items[i].status for i in ids] == [ItemStatus.PAID, ItemStatus.FAILED, ItemStatus.PENDING]
    assert items[ids[1]].failure_reason == "户名与卡号不符"
    # Twice: nothing changes.
    again = [Row(n, c, table.values(c)) for n, c in kind.open_table(path).rows]
    counts = kind.process(again, dry_run=False)
    assert (counts.get("updated"), counts.get("unchanged"), counts.get("rejected")) == (0, 2, 1)


def test_an_ordinary_results_file_is_not_taken_for_a_bank_answer(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_text("明细编号,金额,结果\r\n1,500.00,成功\r\n", encoding="gb18030")
    assert read_bank_answer(path) is None
    table = PayoutResultsKind(actor=None, scope=None, org=None).open_table(path)
    assert set(table.mapping.values()) == {"item_id", "amount", "result"}


def test_the_engine_and_the_web_preview_read_the_bank_answer(world, tmp_path: Path) -> None:
    """`gonghui import payout_results answer.txt` and the upload page read it through the kind's own reader."""
    from gonghui.core.bulk.engine import run_import

    batch = approved(world)
    sent = tmp_path / "bank.txt"
    write(world, batch, sent)
    details = [line.split("|") for line in sent.read_bytes().decode("gb18030").split("\r\n")[1:-1]]
    path = answer(tmp_path / "answer.txt", batch, [[*d, "成功", ""] for d in details])
    kind = PayoutResultsKind(actor=world["maker"], scope=scope_for_user(world["maker"]), org=world["tree"].zhongshan)
    summary = run_import(kind, path)
    assert (summary.rows, summary.updated, summary.rejected) == (3, 3, 0)
    with unscoped():
        assert set(PayoutItem.objects.filter(batch=batch).values_list("status", flat=True)) == {ItemStatus.PAID}
    assert (run_import(kind, path).unchanged, run_import(kind, path).updated) == (3, 0)
