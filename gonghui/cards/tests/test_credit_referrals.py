"""黔优信用卡 referrals from the bank's file (kind credit_referrals): rows, scope, idempotence, statistics."""

from __future__ import annotations

import csv
import json
import random
from datetime import date
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from openpyxl import Workbook, load_workbook

from gonghui.accounts.scope import scope_for_user
from gonghui.cards.credit import NewReferral, credit_referrals_bulk_create
from gonghui.cards.demo import split_credit_lines
from gonghui.cards.models import BankPartner, CreditCardReferral, ReferralStatus
from gonghui.core import crypto
from gonghui.core.bulk.engine import run_import
from gonghui.core.bulk.kinds import get_kind
from gonghui.core.models import AuditEvent
from gonghui.core.stats import stats_collect
from gonghui.members.tests.factories import id_number, register
from gonghui.members.validation import ID_PURPOSE

pytestmark = pytest.mark.django_db

HEADER = ["申请编号", "姓名", "证件号码", "推荐工会代码", "申请日期", "审批结果", "授信额度（元）", "审批日期"]


@pytest.fixture(autouse=True)
def files_in_tmp(settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    settings.DATA_DIR = tmp_path / "data"


@pytest.fixture
def world(tree, make_user):  # type: ignore[no-untyped-def]
    bank = BankPartner.objects.create(code="GZB", name="贵州银行", bin_prefixes="621795")
    member = register(tree.courier_union, id_number(900), name="王一")
    officer = make_user("lps_officer", ("officer", "520200"))
    foreign = make_user("nm_officer", ("officer", "520102"))
    viewer = make_user("lps_viewer", ("viewer", "520200"))
    return {"tree": tree, "bank": bank, "member": member, "officer": officer, "foreign": foreign, "viewer": viewer}


def bank_file(path: Path, rows: list[list[Any]], header: list[str] = HEADER) -> Path:
    """The bank's file as its systems write it: GB18030 CSV."""
    with path.open("w", encoding="gb18030", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def run(*args: str) -> dict[str, Any]:
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO())
    return json.loads(out.getvalue().strip().splitlines()[-1])


def import_as(user, org, path: Path, *, dry_run: bool = False):  # type: ignore[no-untyped-def]
    """As a job filed under `org` runs it: the actor's grants confined to the union."""
    scope = scope_for_user(user).confined_to(org_id=org.pk, org_code=org.code, path=org.path)
    kind = get_kind("credit_referrals").build(actor=user, scope=scope, org=org)
    summary = run_import(kind, path, dry_run=dry_run)
    if not dry_run:
        kind.audit(summary.as_json(), str(path))
    return summary


def reasons(summary) -> list[str]:  # type: ignore[no-untyped-def]
    sheet = load_workbook(str(summary.report)).active
    return [str(r[-1]) for r in sheet.iter_rows(min_row=2, values_only=True)]


def state() -> list[dict[str, Any]]:
    return list(CreditCardReferral.all_objects.order_by("pk").values())


def wrong_check(number: str) -> str:
    return number[:-1] + ("0" if number[-1] != "0" else "1")


GOOD = [
    ["QY2025001", "王一", id_number(900), "520201G001", "2025-05-01", "通过", "30,000.00", "2025-05-08"],
    ["QY2025002", "李二", id_number(950), "520201", "2025/5/2", "审批中", "", ""],
    ["QY2025003", "张三", id_number(951).lower(), "520200KD01", "2025年5月3日", "拒绝", "", "2025-05-09"],
]
BAD = [
    ["QY2025004", "赵四", wrong_check(id_number(952)), "520201", "2025-05-01", "通过", "10000", "2025-05-02"],
    ["QY2025005", "钱五", id_number(953), "520102", "2025-05-01", "通过", "10000", "2025-05-02"],  # another subtree
    ["QY2025006", "孙六", id_number(954), "520201", "2025-05-01", "通过", "一万", "2025-05-02"],
    ["QY2025007", "周七", id_number(955), "520201", "2025-13-01", "审批中", "", ""],
    ["QY2025001", "吴八", id_number(956), "520201", "2025-05-01", "审批中", "", ""],  # the reference again
    ["QY2025009", "郑九", id_number(957), "520201", "2025-05-01", "通过", "", "2025-05-02"],
    ["QY2025010", "冯十", id_number(958), "999999", "2025-05-01", "审批中", "", ""],
    ["QY2025011", "陈十一", id_number(959), "520201", "2099-05-01", "审批中", "", ""],
    ["QY2025012", "褚十二", id_number(960), "520201", "2025-05-03", "通过", "5000", "2025-05-01"],
    ["QY 13", "卫十三", id_number(961), "520201", "2025-05-01", "待定", "100", ""],
]


def test_the_banks_file_row_by_row_and_idempotent(world, tmp_path: Path, sql_logging) -> None:  # type: ignore[no-untyped-def]
    path = bank_file(tmp_path / "黔优信用卡.csv", GOOD + BAD)
    first = import_as(world["officer"], world["tree"].lps, path)
    assert (first.rows, first.created, first.updated, first.unchanged, first.rejected) == (13, 3, 0, 0, 10)
    assert reasons(first) == [
        "证件号码：公民身份号码校验位不正确，请核对是否抄错",
        "推荐工会代码：未找到工会代码“520102”，或该工会不在您的管辖范围内",
        "授信额度（元）：应为金额（元），如 1200.00",
        "申请日期：日期不存在（请检查月份和日）",
        "申请编号：与第 2 行的申请编号相同",
        "授信额度（元）：已核准的申请须有授信额度",
        "推荐工会代码：未找到工会代码“999999”，或该工会不在您的管辖范围内",
        "申请日期：不能晚于今天",
        "审批日期：不能早于申请日期",
        "申请编号：应为 1–40 位字母、数字或 - _ / .；审批结果：应为“通过”“拒绝”或“审批中”",
    ]
    rows = {r.bank_reference: r for r in CreditCardReferral.all_objects.select_related("org", "person")}
    approved, pending, rejected = rows["QY2025001"], rows["QY2025002"], rows["QY2025003"]
    # The member is linked (their number sealed on the person, not twice); the others keep theirs sealed here.
    assert approved.person == world["member"].person and approved.id_cipher is None
    assert approved.id_masked == world["member"].person.id_masked
    assert (approved.status, approved.credit_line_fen, approved.decided_on) == ("approved", 3_000_000, date(2025, 5, 8))
    assert approved.org.code == "520201G001" and approved.org_path == world["tree"].courier_union.path
    assert pending.person is None and crypto.decrypt(bytes(pending.id_cipher), purpose=ID_PURPOSE) == id_number(950)
    assert pending.id_masked == f"{id_number(950)[:6]}********{id_number(950)[-4:]}"
    assert (pending.status, pending.credit_line_fen, pending.decided_on) == ("applied", 0, None)
    assert (rejected.status, rejected.applied_on, rejected.org.code) == ("rejected", date(2025, 5, 3), "520200KD01")
    # Nothing stored in clear.
    assert not any(id_number(n) in str(r) for r in state() for n in (900, 950, 951))

    before = state()
    again = import_as(world["officer"], world["tree"].lps, path)
    assert (again.created, again.updated, again.unchanged, again.rejected) == (0, 0, 3, 10)
    assert state() == before
    assert AuditEvent.all_objects.filter(action="cards.import_credit_referrals").count() == 2
    audit = AuditEvent.all_objects.filter(action="cards.import_credit_referrals").order_by("pk").first()
    assert audit is not None and audit.data["created"] == 3 and audit.data["rejected"] == 10


def test_a_later_file_decides_and_a_decision_stands(world, tmp_path: Path) -> None:
    import_as(world["officer"], world["tree"].lps, bank_file(tmp_path / "may.csv", GOOD))
    later = bank_file(
        tmp_path / "june.csv",
        [
            ["QY2025002", "李二", id_number(950), "520201", "2025-05-02", "已核准", 20000, "2025-06-01"],
            ["QY2025001", "王一", id_number(900), "520201G001", "2025-05-01", "审批中", "", ""],  # older news
            ["QY2025003", "张三", id_number(951), "520200KD01", "2025-05-03", "通过", "8000", "2025-06-02"],
            ["QY2025002", "李二", id_number(962), "520201", "2025-05-02", "审批中", "", ""],
        ],
    )
    summary = import_as(world["officer"], world["tree"].lps, later)
    assert (summary.created, summary.updated, summary.unchanged, summary.rejected) == (0, 1, 1, 2)
    assert reasons(summary) == [
        "审批结果：该申请已是“未核准”（授信额度 0.00 元），与本行不符，请与银行核实",
        "申请编号：与第 2 行的申请编号相同",
    ]
    decided = CreditCardReferral.all_objects.get(bank_reference="QY2025002")
    assert (decided.status, decided.credit_line_fen, decided.decided_on) == ("approved", 2_000_000, date(2025, 6, 1))
    figures = stats_collect([world["tree"].zhongshan.path])
    assert (figures["credit_cards"], figures["credit_line_yuan"]) == (2, 50000.0)


def test_a_workbook_with_number_and_date_cells(world, tmp_path: Path) -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["贵州银行黔优信用卡工会推荐审批结果"])  # a title row above the header
    sheet.append(HEADER)
    sheet.append(
        ["QY2025101", "王一", id_number(900), "520201G001", date(2025, 5, 1), "通过", 28306.5, date(2025, 5, 8)]
    )
    path = tmp_path / "结果.xlsx"
    workbook.save(path)
    summary = run("import", "credit_referrals", str(path))
    assert (summary["created"], summary["rejected"]) == (1, 0)
    assert CreditCardReferral.all_objects.get().credit_line_fen == 2_830_650


def test_dry_run_writes_nothing(world, tmp_path: Path) -> None:
    path = bank_file(tmp_path / "f.csv", GOOD + BAD)
    summary = import_as(world["officer"], world["tree"].lps, path, dry_run=True)
    assert (summary.created, summary.rejected, summary.dry_run) == (3, 10, True)
    assert state() == []
    assert not AuditEvent.all_objects.filter(action="cards.import_credit_referrals").exists()


def test_a_foreign_importer_neither_writes_nor_touches_others_rows(world, tmp_path: Path) -> None:
    import_as(world["officer"], world["tree"].lps, bank_file(tmp_path / "mine.csv", GOOD))
    before = state()
    theirs = import_as(world["foreign"], world["tree"].nanming, bank_file(tmp_path / "theirs.csv", GOOD))
    assert (theirs.created, theirs.updated, theirs.unchanged, theirs.rejected) == (0, 0, 0, 3)
    assert set(reasons(theirs)) == {
        f"推荐工会代码：未找到工会代码“{code}”，或该工会不在您的管辖范围内"
        for code in ("520201G001", "520201", "520200KD01")
    }
    takeover = bank_file(
        tmp_path / "takeover.csv",
        [
            # Their own union, but an application number already 六盘水's.
            ["QY2025001", "王一", id_number(900), "520102", "2025-05-01", "拒绝", "", "2025-05-02"],
            ["QY2025201", "钱五", id_number(953), "520102", "2025-05-01", "通过", "10000", "2025-05-02"],
        ],
    )
    summary = import_as(world["foreign"], world["tree"].nanming, takeover)
    assert (summary.created, summary.updated, summary.unchanged, summary.rejected) == (1, 0, 0, 1)
    assert reasons(summary) == ["申请编号：该申请编号已登记为其他申请人或其他工会的推荐，请与银行核实"]
    assert state()[: len(before)] == before
    # 六盘水's officer filing a job under 钟山区 cannot name 六盘水's federation either.
    zs = import_as(world["officer"], world["tree"].zhongshan, bank_file(tmp_path / "zs.csv", [GOOD[2]]))
    assert zs.rejected == 1
    # A viewer holds no cards.card.manage: every row is refused.
    viewed = import_as(world["viewer"], world["tree"].lps, bank_file(tmp_path / "v.csv", [GOOD[0]]))
    assert (viewed.unchanged, viewed.rejected) == (0, 1)


def test_the_statistics(world, tmp_path: Path) -> None:
    tree = world["tree"]
    assert stats_collect(None)["credit_cards"] == 0 and stats_collect(None)["credit_line_yuan"] == 0.0
    import_as(world["officer"], tree.lps, bank_file(tmp_path / "f.csv", GOOD))
    run_nm = bank_file(
        tmp_path / "nm.csv",
        [["QY2025301", "钱五", id_number(953), "520102", "2025-05-01", "通过", "0.01", "2025-05-02"]],
    )
    run("import", "credit_referrals", str(run_nm))  # the console: every union
    assert {k: stats_collect([tree.courier_union.path])[k] for k in ("credit_cards", "credit_line_yuan")} == {
        "credit_cards": 1,
        "credit_line_yuan": 30000.0,
    }
    assert stats_collect([tree.nanming.path])["credit_line_yuan"] == 0.01
    assert stats_collect([tree.province.path])["credit_cards"] == 2
    assert stats_collect([tree.express_federation.path])["credit_cards"] == 0  # the bank refused 张三
    assert stats_collect([tree.dingxi.path])["credit_cards"] == 0
    assert stats_collect(None)["credit_line_yuan"] == 30000.01


def test_the_export_is_masked_unless_permitted(world, tmp_path: Path) -> None:
    import_as(world["officer"], world["tree"].lps, bank_file(tmp_path / "f.csv", GOOD))
    kind = get_kind("credit_referrals")
    masked = tmp_path / "masked.csv"
    assert kind.export(str(masked), actor=None, org=world["tree"].lps, unmasked=False, scope=None) == 3
    text = masked.read_text(encoding="utf-8-sig")
    assert not any(id_number(n) in text for n in (900, 950, 951))
    assert f"{id_number(950)[:6]}********{id_number(950)[-4:]}" in text
    full = tmp_path / "full.csv"
    kind.export(str(full), actor=None, org=world["tree"].lps, unmasked=True, scope=None)
    lines = list(csv.reader(full.open(encoding="utf-8-sig")))
    assert [r[3] for r in lines[1:]] == [id_number(900), id_number(950), id_number(951)]
    assert AuditEvent.all_objects.filter(action="cards.export_credit_referrals.unmasked").count() == 1


def test_the_demos_bulk_load_and_exact_credit_lines(world) -> None:
    rng = random.Random(5)
    lines = split_credit_lines(10_530_000, 372, rng=rng)  # ¥105.3亿 over 37.2万, at a thousandth
    assert sum(lines) == 10_530_000 * 100 and len(lines) == 372
    assert all(500_000 <= fen <= 5_000_000 and fen % 100_000 == 0 for fen in lines)
    person = world["member"].person
    ms = world["member"]
    referrals = [
        NewReferral(
            org_id=ms.org_id,
            org_path=ms.org_path,
            bank_reference=f"DEMO{i:06d}",
            name="示例",
            applied_on=date(2023, 3, 1),
            credit_line_fen=fen,
            decided_on=date(2023, 3, 8),
            **(
                {"person_id": person.pk, "id_index": person.id_index, "id_masked": person.id_masked}
                if i == 0
                else {"id_number": id_number(i, area="520201")}
            ),
        )
        for i, fen in enumerate(lines)
    ] + [
        NewReferral(
            org_id=ms.org_id,
            org_path=ms.org_path,
            bank_reference="DEMO-PENDING",
            name="示例",
            applied_on=date(2023, 7, 30),
            status=ReferralStatus.APPLIED,
            id_number=id_number(999, area="520201"),
        )
    ]
    assert credit_referrals_bulk_create(bank=world["bank"], referrals=referrals, chunk=100) == 373
    figures = stats_collect(None)
    assert (figures["credit_cards"], figures["credit_line_yuan"]) == (372, 10_530_000.0)
    stored = CreditCardReferral.all_objects.get(bank_reference="DEMO000001")
    assert crypto.decrypt(bytes(stored.id_cipher), purpose=ID_PURPOSE) == id_number(1, area="520201")
    assert CreditCardReferral.all_objects.get(bank_reference="DEMO000000").id_cipher is None


def test_the_demo_loader(world) -> None:
    from gonghui.cards.demo import demo_credit_referrals

    written = demo_credit_referrals(
        bank=world["bank"],
        root=world["tree"].province,
        approved=60,
        total_line_yuan=1_698_000,  # ¥28,300 a card, as ¥105.3亿 over 37.2万
        pending=5,
        rejected=7,
        rng=random.Random(7),
    )
    assert written == 72
    figures = stats_collect([world["tree"].province.path])
    assert (figures["credit_cards"], figures["credit_line_yuan"]) == (60, 1_698_000.0)
    rows = list(CreditCardReferral.all_objects.all())
    assert sum(1 for r in rows if r.person_id == world["member"].person_id) == 1
    assert all(r.org_path.startswith(world["tree"].province.path) for r in rows)
    assert all(r.decided_on is None for r in rows if r.status == ReferralStatus.APPLIED)
    assert all(r.id_cipher is not None for r in rows if r.person_id is None)
    # No synthetic applicant shares a member's number.
    assert len({r.id_index for r in rows}) == 72


@pytest.mark.parametrize("name", ["credit_referrals", "card_spending"])
def test_the_templates_import_their_own_example(name: str, world, tmp_path: Path) -> None:
    """The template workbook's example row reads back as the kind's columns (the web flow's download)."""
    from gonghui.core.bulk.headers import open_table
    from gonghui.core.bulk.template import template_workbook

    kind = get_kind(name)
    path = tmp_path / "template.xlsx"
    path.write_bytes(template_workbook(kind))
    table = open_table(path, kind.columns)
    assert table.missing == [] and set(kind.example) <= set(table.mapping.values())
