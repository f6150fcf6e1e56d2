"""The exchange with the bank as files: the application list out, the issuance results in."""

from __future__ import annotations

import csv
import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from gonghui.cards.models import BankPartner, CardEvent, CardStatus, ServiceCard
from gonghui.cards.services import card_apply
from gonghui.cards.tests.test_lifecycle import card_number
from gonghui.core.models import AuditEvent
from gonghui.core.scoping import unscoped
from gonghui.members.tests.factories import id_number, register

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def files_in_tmp(settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    settings.DATA_DIR = tmp_path / "data"


@pytest.fixture
def applied(tree):  # type: ignore[no-untyped-def]
    bank = BankPartner.objects.create(code="GZB", name="贵州银行", bin_prefixes="621795")
    members = [register(tree.courier_union, id_number(500 + i), name=n) for i, n in enumerate(["王一", "李二", "张三"])]
    cards = [card_apply(actor=None, scope=None, membership=m, bank=bank, consented=True) for m in members]
    return bank, members, cards


def run(*args: str) -> dict[str, object]:
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO())
    return json.loads(out.getvalue().strip().splitlines()[-1])


@pytest.mark.usefixtures("applied")
def test_the_application_list_is_masked_unless_asked_and_audited(tmp_path: Path) -> None:
    masked = tmp_path / "list.xlsx"
    call_command("export", "cards", str(masked), "--org", "520201G001", stdout=StringIO(), stderr=StringIO())
    rows = list(load_workbook(masked).active.iter_rows(values_only=True))
    assert rows[0][:4] == ("申请编号", "银行代码", "姓名", "公民身份号码")
    assert [r[3] for r in rows[1:]] == [f"{id_number(500 + i)[:6]}********{id_number(500 + i)[-4:]}" for i in range(3)]
    full = tmp_path / "list.csv"
    call_command(
        "export", "cards", str(full), "--org", "520201G001", "--unmasked", stdout=StringIO(), stderr=StringIO()
    )
    lines = list(csv.reader(full.open(encoding="utf-8-sig")))
    assert [r[3] for r in lines[1:]] == [id_number(500 + i) for i in range(3)]
    assert AuditEvent.all_objects.filter(action="cards.export.unmasked").count() == 1


def results(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", encoding="gb18030", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["身份证号", "卡号", "制卡日期"])
        writer.writerows(rows)
    return path


def test_issuance_results_matched_by_id_number_and_idempotent(applied, tmp_path: Path) -> None:
    _bank, _members, cards = applied
    good = [[id_number(500), card_number(41), "2025-05-01"], [id_number(501).lower(), card_number(42), "2025/5/2"]]
    bad = [
        [id_number(599), card_number(43), ""],  # no application
        [id_number(502), card_number(44)[:-1] + "0" if card_number(44)[-1] != "0" else card_number(44)[:-1] + "1", ""],
        [id_number(502), card_number(41), ""],  # a number already in this file
    ]
    path = results(tmp_path / "results.csv", good + bad)
    first = run("import", "cards", str(path))
    assert (first["rows"], first["updated"], first["unchanged"], first["rejected"]) == (5, 2, 0, 3)
    report = [r[-1] for r in load_workbook(str(first["report"])).active.iter_rows(min_row=2, values_only=True)]
    assert "未找到该人员在贵州银行的会员服务卡申请" in report[0]
    assert "校验位不正确" in report[1]
    assert "与第 2 行的卡号相同" in report[2]
    with unscoped():
        issued = {c.pk: c for c in ServiceCard.objects.all()}
        assert issued[cards[0].pk].status == CardStatus.ISSUED
        assert issued[cards[0].pk].card_masked.endswith(card_number(41)[-4:])
        assert str(issued[cards[1].pk].issued_on) == "2025-05-02"
        assert issued[cards[2].pk].status == CardStatus.APPLIED
        assert CardEvent.objects.filter(event_type="issue").count() == 2
    again = run("import", "cards", str(path))
    assert (again["updated"], again["unchanged"], again["rejected"]) == (0, 2, 3)
    ahead_file = results(tmp_path / "ahead.csv", [[id_number(502), card_number(46), "2099-01-01"]])
    ahead = run("import", "cards", str(ahead_file))
    assert ahead["rejected"] == 1
    reason = next(load_workbook(str(ahead["report"])).active.iter_rows(min_row=2, values_only=True))[-1]
    assert reason == "制卡日期：不能晚于今天"
    other = results(tmp_path / "other.csv", [[id_number(500), card_number(45), ""]])
    refused = run("import", "cards", str(other))
    assert refused["rejected"] == 1
    assert AuditEvent.all_objects.filter(action="cards.import_issuance").count() == 4
