"""The bank's payout results as a file (`gonghui import payout_results`), and the items' export."""

from __future__ import annotations

import csv
import json
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from openpyxl import Workbook, load_workbook

from gonghui.accounts.scope import scope_for_user
from gonghui.cards.models import BankPartner
from gonghui.cards.services import card_apply, card_issue, card_transition
from gonghui.cards.tests.test_lifecycle import card_number
from gonghui.core.bulk.engine import run_import
from gonghui.core.bulk.kinds import get_kind
from gonghui.core.models import AuditEvent
from gonghui.core.scoping import unscoped
from gonghui.members.tests.factories import id_number, register
from gonghui.payouts.models import BatchStatus, ItemStatus, PayoutBatch, PayoutItem
from gonghui.payouts.services import (
    payout_bank_file,
    payout_batch_create,
    payout_batch_decide,
    payout_batch_submit,
    payout_items_add,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def files_in_tmp(settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    settings.DATA_DIR = tmp_path / "data"


@pytest.fixture
def sent(tree, make_user, tmp_path: Path) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """Two batches sent to the bank: A (three members: 500, 500, 300) and B (one member: 200)."""
    bank = BankPartner.objects.create(code="GZB", name="贵州银行", bin_prefixes="621795")
    members = []
    for i, name in enumerate(["王一", "李二", "张三"]):
        ms = register(tree.courier_union, id_number(800 + i), name=name)
        card = card_apply(actor=None, scope=None, membership=ms, bank=bank, consented=True)
        card_issue(actor=None, scope=None, card=card, card_number=card_number(80 + i))
        card_transition(actor=None, scope=None, card=card, action="activate")
        members.append(ms)
    maker = make_user("maker", ("officer", "520201"))
    checker = make_user("checker", ("reviewer", "520201"))

    def batch(reference: str, items: list[tuple[int, int]]) -> PayoutBatch:
        scope = scope_for_user(maker)
        b = payout_batch_create(
            actor=maker, scope=scope, org=tree.zhongshan, bank=bank, purpose="hardship", reference=reference
        )
        assert payout_items_add(actor=maker, scope=scope, batch=b, items=items) == []
        payout_batch_submit(actor=maker, scope=scope, batch=b)
        payout_batch_decide(actor=checker, scope=scope_for_user(checker), batch=b, approve=True)
        payout_bank_file(actor=maker, scope=scope, batch=b, path=tmp_path / f"{reference}.xlsx")
        return b

    a = batch("A", [(members[0].pk, 50000), (members[1].pk, 50000), (members[2].pk, 30000)])
    b = batch("B", [(members[0].pk, 20000)])
    with unscoped():
        a_items = list(PayoutItem.objects.filter(batch=a).order_by("pk").values_list("pk", flat=True))
        b_items = list(PayoutItem.objects.filter(batch=b).values_list("pk", flat=True))
    return {"tree": tree, "a": a, "b": b, "a_items": a_items, "b_items": b_items, "maker": maker, "checker": checker}


def run(*args: str) -> dict[str, Any]:
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO())
    return json.loads(out.getvalue().strip().splitlines()[-1])


def gb18030_csv(path: Path, rows: list[list[Any]]) -> Path:
    """The bank's answer as its systems write it: GB18030, its own header words, our columns echoed."""
    with path.open("w", encoding="gb18030", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["明细编号", "户名", "金额", "处理结果", "失败原因"])
        writer.writerows(rows)
    return path


def items_state() -> list[tuple[Any, ...]]:
    with unscoped():
        return list(PayoutItem.objects.order_by("pk").values_list("pk", "status", "failure_reason", "settled_at"))


def report_reasons(summary: dict[str, Any]) -> list[str]:
    sheet = load_workbook(str(summary["report"])).active
    return [str(r[-1]) for r in sheet.iter_rows(min_row=2, values_only=True)]


def test_results_file_spans_batches_by_row_and_is_idempotent(sent, tmp_path: Path) -> None:
    a0, a1, a2 = sent["a_items"]
    (b0,) = sent["b_items"]
    path = gb18030_csv(
        tmp_path / "结果.csv",
        [
            [a0, "王一", "500.00", "成功", ""],
            [a1, "李二", "500", "失败", "账户已销户"],
            [a2, "张三", "299.00", "成功", ""],  # not the item's amount
            [b0, "王一", "200.00", "success", ""],
            [999999, "无名", "1.00", "成功", ""],  # no such item
            [a0, "王一", "abc", "成功", ""],  # not an amount (and the same item again)
            ["", "", "5.00", "好", ""],
        ],
    )
    first = run("import", "payout_results", str(path))
    assert (first["rows"], first["created"], first["updated"], first["unchanged"], first["rejected"]) == (
        7,
        0,
        3,
        0,
        4,
    )
    reasons = report_reasons(first)
    assert reasons[0] == "金额（元）：金额与明细不符"
    assert reasons[1] == "明细编号：未找到该明细编号（或不在您的管辖范围内）"
    assert "金额（元）：金额须为正数，最多两位小数。" in reasons[2] and "与第 2 行的明细编号相同" in reasons[2]
    assert "明细编号：不能为空" in reasons[3] and "结果：应为“成功”或“失败”" in reasons[3]
    with unscoped():
        statuses = dict(PayoutItem.objects.values_list("pk", "status"))
        failure = PayoutItem.objects.get(pk=a1).failure_reason
        a_status, b_status = (PayoutBatch.all_objects.get(pk=b.pk).status for b in (sent["a"], sent["b"]))
    assert [statuses[pk] for pk in (a0, a1, a2, b0)] == [ItemStatus.PAID, ItemStatus.FAILED, "pending", "paid"]
    assert failure == "账户已销户"
    assert (a_status, b_status) == (BatchStatus.SENT, BatchStatus.RECONCILED)

    before = items_state()
    again = run("import", "payout_results", str(path))
    assert (again["updated"], again["unchanged"], again["rejected"]) == (0, 3, 4)
    assert items_state() == before

    # The corrected line, from a workbook with numeric cells and a yes/no result.
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["代发结果"])  # a title row above the header
    sheet.append(["明细编号", "金额（元）", "结果", "失败原因"])
    sheet.append([a2, 300, "是", None])
    sheet.append([a1, 500.0, "否", "账户已销户"])
    xlsx = tmp_path / "更正.xlsx"
    workbook.save(xlsx)
    fixed = run("import", "payout_results", str(xlsx))
    assert (fixed["rows"], fixed["updated"], fixed["unchanged"], fixed["rejected"], fixed["report"]) == (
        2,
        1,
        1,
        0,
        None,
    )
    with unscoped():
        assert PayoutBatch.all_objects.get(pk=sent["a"].pk).status == BatchStatus.RECONCILED
    settled = items_state()
    assert run("import", "payout_results", str(xlsx))["unchanged"] == 2
    assert items_state() == settled
    # A contradicting answer for a settled item is refused, not applied.
    contradicting = gb18030_csv(tmp_path / "矛盾.csv", [[a1, "李二", "500.00", "成功", ""]])
    refused = run("import", "payout_results", str(contradicting))
    assert refused["rejected"] == 1 and report_reasons(refused) == ["结果：该明细已是“发放失败”"]
    assert items_state() == settled
    # One audit event per file; the service's per batch.
    assert AuditEvent.all_objects.filter(action="payouts.import_results").count() == 5


def test_dry_run_and_a_batch_not_sent_change_nothing(sent, tmp_path: Path) -> None:
    a0 = sent["a_items"][0]
    path = gb18030_csv(tmp_path / "r.csv", [[a0, "王一", "500.00", "成功", ""]])
    before = items_state()
    dry = run("import", "payout_results", str(path), "--dry-run")
    assert (dry["updated"], dry["rejected"], dry["dry_run"]) == (1, 0, True)
    assert items_state() == before
    with unscoped():
        PayoutBatch.all_objects.filter(pk=sent["a"].pk).update(status=BatchStatus.APPROVED)
    early = run("import", "payout_results", str(path))
    assert early["rejected"] == 1
    assert report_reasons(early) == ["明细编号：批次状态为“已复核”，不能导入银行结果。"]
    assert items_state() == before


def test_scope_only_batches_the_actor_makes_in_the_jobs_subtree(sent, tree, make_user, tmp_path: Path) -> None:
    a0 = sent["a_items"][0]
    path = gb18030_csv(tmp_path / "r.csv", [[a0, "王一", "500.00", "成功", ""]])
    before = items_state()
    kind = get_kind("payout_results")
    foreign = make_user("nm_officer", ("officer", "520102"))
    cases = [
        (foreign, tree.nanming),  # another subtree
        (sent["checker"], tree.zhongshan),  # a reviewer checks, never makes
        (sent["maker"], tree.courier_union),  # the batch is the county's, above the job's union
    ]
    for actor, org in cases:
        scope = scope_for_user(actor).confined_to(org_id=org.pk, org_code=org.code, path=org.path)
        summary = run_import(kind.build(actor=actor, scope=scope, org=org), path)
        assert (summary.updated, summary.rejected) == (0, 1), actor.username
    assert run("import", "payout_results", str(path), "--org", "520102")["rejected"] == 1
    assert items_state() == before
    zhongshan = tree.zhongshan
    scope = scope_for_user(sent["maker"]).confined_to(org_id=zhongshan.pk, org_code="520201", path=zhongshan.path)
    assert run_import(kind.build(actor=sent["maker"], scope=scope, org=zhongshan), path).updated == 1


def test_export_lists_the_subtrees_items_masked(sent, tmp_path: Path) -> None:
    out = tmp_path / "明细.xlsx"
    call_command("export", "payout_results", str(out), "--org", "520201", stdout=StringIO(), stderr=StringIO())
    rows = list(load_workbook(out).active.iter_rows(values_only=True))
    assert rows[0][:3] == ("明细编号", "批次编号", "批次名称")
    assert [(r[7], r[9], r[10]) for r in rows[1:]] == [
        ("王一", "500.00", "待发放"),
        ("李二", "500.00", "待发放"),
        ("张三", "300.00", "待发放"),
        ("王一", "200.00", "待发放"),
    ]
    text = str(rows)
    assert all(card_number(80 + i) not in text for i in range(3))
    assert rows[1][8] == f"{card_number(80)[:4]} **** **** {card_number(80)[-4:]}"
    other = tmp_path / "other.csv"
    call_command("export", "payout_results", str(other), "--org", "520102", stdout=StringIO(), stderr=StringIO())
    assert len(list(csv.reader(other.open(encoding="utf-8-sig")))) == 1
    assert AuditEvent.all_objects.filter(action="payouts.export").count() == 2
