"""Service-card spending from the bank's file (kind card_spending), and the 普惠 figures it feeds."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from gonghui.accounts.scope import scope_for_user
from gonghui.benefits.models import BenefitTransaction, Merchant, TransactionStatus
from gonghui.cards.models import BankPartner, CardSpending
from gonghui.cards.services import card_apply, card_issue, card_transition
from gonghui.cards.tests.test_lifecycle import card_number
from gonghui.core.bulk.engine import run_import
from gonghui.core.bulk.kinds import get_kind
from gonghui.core.models import AuditEvent
from gonghui.core.stats import stats_collect
from gonghui.members.tests.factories import id_number, register

pytestmark = pytest.mark.django_db

HEADER = ["交易流水号", "卡号", "交易日期", "交易金额（元）", "商户名称", "商户类别码"]


@pytest.fixture(autouse=True)
def files_in_tmp(settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    settings.DATA_DIR = tmp_path / "data"


@pytest.fixture
def world(tree, make_user):  # type: ignore[no-untyped-def]
    bank = BankPartner.objects.create(code="GZB", name="贵州银行", bin_prefixes="621795")
    holders = [
        register(tree.courier_union, id_number(920), name="王一"),
        register(tree.courier_union, id_number(921), name="李二"),
        register(tree.nanming, id_number(922), name="张三"),
    ]
    cards = []
    for i, ms in enumerate(holders):
        card = card_apply(actor=None, scope=None, membership=ms, bank=bank, consented=True)
        card_issue(actor=None, scope=None, card=card, card_number=card_number(10 + i))
        cards.append(card_transition(actor=None, scope=None, card=card, action="activate"))
    return {
        "tree": tree,
        "bank": bank,
        "holders": holders,
        "cards": cards,
        "officer": make_user("lps_officer", ("officer", "520200")),
        "foreign": make_user("nm_officer", ("officer", "520102")),
    }


def bank_file(path: Path, rows: list[list[Any]]) -> Path:
    with path.open("w", encoding="gb18030", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(HEADER)
        writer.writerows(rows)
    return path


def import_as(user, org, path: Path, *, dry_run: bool = False):  # type: ignore[no-untyped-def]
    scope = scope_for_user(user).confined_to(org_id=org.pk, org_code=org.code, path=org.path)
    kind = get_kind("card_spending").build(actor=user, scope=scope, org=org)
    summary = run_import(kind, path, dry_run=dry_run)
    if not dry_run:
        kind.audit(summary.as_json(), str(path))
    return summary


def reasons(summary) -> list[str]:  # type: ignore[no-untyped-def]
    return [str(r[-1]) for r in load_workbook(str(summary.report)).active.iter_rows(min_row=2, values_only=True)]


def state() -> list[dict[str, Any]]:
    return list(CardSpending.all_objects.order_by("pk").values())


def spaced(number: str) -> str:
    return " ".join(number[i : i + 4] for i in range(0, len(number), 4))


def bad_luhn(number: str) -> str:
    return number[:-1] + str((int(number[-1]) + 1) % 10)


GOOD = [
    ["TX20250501001", card_number(10), "2025-05-01 12:30:05", "158.00", "铜仁华联超市碧江店", "5411"],
    ["TX20250502001", spaced(card_number(10)), "2025/5/2", "20.5", "老凯俚酸汤鱼", ""],
    ["TX20250503001", card_number(11), "20250503", "1,200.00", "星力百货", "5311"],
]
BAD = [
    ["TX004", bad_luhn(card_number(10)), "2025-05-01", "10.00", "某店", ""],
    ["TX005", card_number(99), "2025-05-01", "10.00", "某店", ""],  # valid, but no such card
    ["TX006", card_number(12), "2025-05-01", "10.00", "某店", ""],  # 南明区's member: not the importer's
    ["TX007", card_number(10), "2025-05-01", "-5", "某店", ""],
    ["TX008", card_number(10), "2025-02-30", "10.00", "某店", ""],
    ["TX20250501001", card_number(11), "2025-05-01", "10.00", "某店", ""],  # the serial again
    ["TX010", card_number(10), "2025-05-01", "0", "某店", ""],
    ["TX011", card_number(10), "2025-05-01", "10.00", "", ""],
    ["TX012", card_number(10), "2025-05-01", "10.005", "某店", "54a1"],
    ["TX013", card_number(10, bin_prefix="622848"), "2099-05-01", "10.00", "某店", ""],
]
EXPECTED_REASONS = [
    "卡号：卡号校验位不正确，请核对。",
    "卡号：未找到该卡号的会员服务卡（或不在您的管辖范围内）",
    "卡号：未找到该卡号的会员服务卡（或不在您的管辖范围内）",
    "交易金额（元）：金额须为正数",
    "交易日期：日期不存在（请检查月份和日）",
    "交易流水号：与第 2 行的交易流水号相同",
    "交易金额（元）：金额须为正数",
    "商户名称：不能为空",
    "交易金额（元）：金额最多两位小数；商户类别码：应为 4 位数字",
    "卡号：卡号不属于该银行的会员服务卡卡段，请核对。；交易日期：不能晚于今天",
]


def test_the_banks_file_row_by_row_and_idempotent(world, tmp_path: Path, sql_logging, id_number_log_guard) -> None:  # type: ignore[no-untyped-def]
    path = bank_file(tmp_path / "流水.csv", GOOD + BAD)
    first = import_as(world["officer"], world["tree"].lps, path)
    assert (first.rows, first.created, first.updated, first.unchanged, first.rejected) == (13, 3, 0, 0, 10)
    assert reasons(first) == EXPECTED_REASONS
    rows = state()
    card_a, card_b = world["cards"][0], world["cards"][1]
    person_a = world["holders"][0].person_id
    assert [(r["reference"], r["card_id"], r["person_id"], r["day"], r["amount_fen"], r["mcc"]) for r in rows] == [
        ("TX20250501001", card_a.pk, person_a, date(2025, 5, 1), 15800, "5411"),
        ("TX20250502001", card_a.pk, person_a, date(2025, 5, 2), 2050, ""),
        ("TX20250503001", card_b.pk, world["holders"][1].person_id, date(2025, 5, 3), 120000, "5311"),
    ]
    assert {r["org_path"] for r in rows} == {world["tree"].courier_union.path}
    assert rows[0]["merchant_name"] == "铜仁华联超市碧江店"

    before = state()
    again = import_as(world["officer"], world["tree"].lps, path)
    assert (again.created, again.updated, again.unchanged, again.rejected) == (0, 0, 3, 10)
    assert state() == before
    assert AuditEvent.all_objects.filter(action="cards.import_card_spending").count() == 2
    # Card numbers are never stored, nor logged (every statement was logged with its parameters).
    assert not any(card_number(10 + i) in str(r) for r in state() for i in range(3))
    logged = "\n".join(id_number_log_guard.format(record) for record in id_number_log_guard.records)
    assert "INSERT" in logged or "COPY" in logged
    assert not any(number in logged for number in (card_number(10), card_number(11), card_number(12)))


def test_a_serial_seen_before_with_other_content_is_refused(world, tmp_path: Path) -> None:
    import_as(world["officer"], world["tree"].lps, bank_file(tmp_path / "a.csv", GOOD))
    before = state()
    changed = bank_file(tmp_path / "b.csv", [[*GOOD[0][:3], "158.01", *GOOD[0][4:]]])
    summary = import_as(world["officer"], world["tree"].lps, changed)
    assert (summary.created, summary.unchanged, summary.rejected) == (0, 0, 1)
    assert reasons(summary) == ["交易流水号：该交易流水号已导入，内容与此前不同，请与银行核实"]
    assert state() == before


def test_dry_run_writes_nothing(world, tmp_path: Path) -> None:
    summary = import_as(world["officer"], world["tree"].lps, bank_file(tmp_path / "a.csv", GOOD + BAD), dry_run=True)
    assert (summary.created, summary.rejected, summary.dry_run) == (3, 10, True)
    assert state() == []
    assert not AuditEvent.all_objects.filter(action="cards.import_card_spending").exists()


def test_a_foreign_importer_sees_only_its_own_cards(world, tmp_path: Path) -> None:
    import_as(world["officer"], world["tree"].lps, bank_file(tmp_path / "a.csv", GOOD))
    before = state()
    theirs = import_as(world["foreign"], world["tree"].nanming, bank_file(tmp_path / "b.csv", [*GOOD, BAD[2]]))
    assert (theirs.created, theirs.unchanged, theirs.rejected) == (1, 0, 3)
    assert set(reasons(theirs)) == {"卡号：未找到该卡号的会员服务卡（或不在您的管辖范围内）"}
    assert state()[:3] == before
    assert state()[3]["org_path"] == world["tree"].nanming.path


def test_the_benefit_figures_add_card_spending_to_till_sales(world, tmp_path: Path) -> None:
    tree = world["tree"]
    import_as(world["officer"], tree.lps, bank_file(tmp_path / "a.csv", GOOD))
    import_as(world["foreign"], tree.nanming, bank_file(tmp_path / "b.csv", [BAD[2]]))
    # A till sale by 王一 (who also paid by card) and a reversed one: the person counts once, the reversal not at all.
    merchant = Merchant.all_objects.create(
        org=tree.courier_union, org_path=tree.courier_union.path, name="铜仁华联超市", category="supermarket"
    )
    for key, status in (("k1", TransactionStatus.COMPLETED), ("k2", TransactionStatus.REVERSED)):
        BenefitTransaction.all_objects.create(
            merchant=merchant,
            org_path=tree.courier_union.path,
            person_id=world["holders"][0].person_id,
            idempotency_key=key,
            amount_fen=15800,
            discount_fen=2000,
            status=status,
            day=date(2025, 5, 1),
        )
    courier = stats_collect([tree.courier_union.path])
    assert courier["benefit_spend_yuan"] == 158.0 + 158.0 + 20.5 + 1200.0
    assert courier["benefit_members"] == 2  # 王一 (till and card) and 李二 (card)
    assert courier["benefit_transactions"] == 4  # one sale, three card purchases
    assert courier["benefit_discount_yuan"] == 20.0  # the till's only: the bank's file has none
    everywhere = stats_collect(None)
    assert (everywhere["benefit_spend_yuan"], everywhere["benefit_members"]) == (1546.5, 3)
    assert stats_collect([tree.nanming.path])["benefit_spend_yuan"] == 10.0
    assert stats_collect([tree.dingxi.path])["benefit_members"] == 0


def test_the_figures_take_three_queries(world, tmp_path: Path, django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    from gonghui.benefits.stats import benefit_stats

    import_as(world["officer"], world["tree"].lps, bank_file(tmp_path / "a.csv", GOOD))
    with django_assert_num_queries(3):
        benefit_stats([world["tree"].lps.path])


def test_the_export_masks_card_numbers(world, tmp_path: Path) -> None:
    import_as(world["officer"], world["tree"].lps, bank_file(tmp_path / "a.csv", GOOD))
    out = tmp_path / "spending.csv"
    assert get_kind("card_spending").export(str(out), actor=None, org=world["tree"].lps, unmasked=True, scope=None) == 3
    text = out.read_text(encoding="utf-8-sig")
    number = card_number(10)
    assert number not in text and f"{number[:4]} **** **** {number[-4:]}" in text
    assert "1200.00" in text
