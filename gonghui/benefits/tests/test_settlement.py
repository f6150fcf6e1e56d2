"""The daily settlement: sums per merchant, store and day, reversals netted on their own day, JSON and Excel."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from io import BytesIO, StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from gonghui.benefits.models import Merchant, MerchantOperator
from gonghui.benefits.services import transaction_reverse
from gonghui.benefits.settlement import HEADERS, settlement_rows
from gonghui.benefits.tests.helpers import Clock, add_stores, audit_actions, local, sell, snapshot
from gonghui.benefits.tests.test_transactions import make_world
from gonghui.core.models import AuditEvent
from gonghui.core.tests.clients import client

pytestmark = pytest.mark.django_db

MAY_10, MAY_11 = date(2026, 5, 10), date(2026, 5, 11)


@pytest.fixture
def world(tree, make_user, monkeypatch) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """Two days of sales at two stores; one sale refunded the next day, one the same day."""
    w = make_world(tree, make_user, starts_at=local("2026-05-01 00:00"), ends_at=local("2026-06-01 00:00"))
    a, b = add_stores(w["merchant"], "碧江店", "万山店")
    clock = Clock(monkeypatch)
    clock.set("2026-05-10 10:00")
    first = sell(w, "1", store=a).transaction  # 200.00, 20.00 off
    sell(w, "2", card=1, store=a, amount=10000)  # 100.00, below the threshold
    sell(w, "3", card=2, store=b, amount=30000)  # 300.00, 20.00 off
    clock.set("2026-05-11 15:00")
    transaction_reverse(operator=w["cashier"], merchant=w["merchant"], sale=first)  # refunded a day later
    sell(w, "4", store=b)  # 200.00, 20.00 off
    same_day = sell(w, "5", card=1, store=a).transaction  # 200.00, 20.00 off…
    transaction_reverse(operator=w["cashier"], merchant=w["merchant"], sale=same_day)  # …refunded at once
    # Another merchant of the same union, with its own cashier.
    other = Merchant.all_objects.create(org=tree.lps, org_path=tree.lps.path, name="别家超市", category="supermarket")
    w["campaign"].merchants.add(other)
    w["other_cashier"] = make_user("other_cashier")
    MerchantOperator.objects.create(merchant=other, user=w["other_cashier"])
    sell({**w, "merchant": other}, "6", card=2, operator=w["other_cashier"])  # 200.00, 20.00 off
    w.update(a=a, b=b, other=other, clock=clock)
    return w


def table(settlement: Any) -> list[tuple[Any, ...]]:
    return [
        (r.day, r.merchant, r.store, r.sales, r.amount_fen, r.discount_fen, r.reversals, r.reversed_fen, r.settle_fen)
        for r in settlement.rows
    ]


def test_by_store_and_day_with_reversals_on_their_own_day(world) -> None:
    found = settlement_rows(scope=None, date_from=MAY_10, date_to=MAY_11, merchant=world["merchant"])
    assert table(found) == [
        (MAY_10, "华联超市", "万山店", 1, 30000, 2000, 0, 0, 2000),
        (MAY_10, "华联超市", "碧江店", 2, 30000, 2000, 0, 0, 2000),
        (MAY_11, "华联超市", "万山店", 1, 20000, 2000, 0, 0, 2000),
        (MAY_11, "华联超市", "碧江店", 1, 20000, 2000, 2, 4000, -2000),  # the 10th's refund nets here
    ]
    assert found.totals == {
        "sales": 5,
        "amount_fen": 100000,
        "discount_fen": 8000,
        "reversals": 2,
        "reversed_fen": 4000,
        "settle_fen": 4000,  # = the discounts of the sales that stand (3 and 4)
    }


def test_a_settled_day_never_changes(world) -> None:
    # The 10th, as settled on the 10th and as read afterwards: the refund on the 11th is not in it.
    tenth = settlement_rows(scope=None, date_from=MAY_10, date_to=MAY_10, merchant=world["merchant"])
    assert tenth.totals["settle_fen"] == 4000 and tenth.totals["reversals"] == 0


def test_by_merchant_and_day_and_by_union(world, tree) -> None:
    found = settlement_rows(scope=None, date_from=MAY_10, date_to=MAY_11, org=tree.lps, by_store=False)
    assert table(found) == [
        (MAY_10, "华联超市", "（全部门店）", 3, 60000, 4000, 0, 0, 4000),
        (MAY_11, "别家超市", "（全部门店）", 1, 20000, 2000, 0, 0, 2000),
        (MAY_11, "华联超市", "（全部门店）", 2, 40000, 4000, 2, 4000, 0),
    ]
    assert settlement_rows(scope=None, date_from=MAY_10, date_to=MAY_11, org=tree.dingxi).rows == []


def test_the_api_answers_in_json_within_the_callers_sight(world, make_user, bearer, monkeypatch) -> None:
    monkeypatch.undo()  # the clock back to now: tokens are checked against it
    url = "/api/v1/benefits/settlement?date_from=2026-05-10&date_to=2026-05-11"
    officer = bearer(make_user("lps_officer", ("viewer", "520200")))
    resp = client(csrf=True).get(url + "&by_store=false", **officer)
    assert resp.status_code == 200, resp.content.decode()
    body = resp.json()
    assert body["totals"] == {
        "sales": 6,
        "amount": "1200.00",
        "discount": "100.00",
        "reversals": 2,
        "reversed_discount": "40.00",
        "settle": "60.00",
    }
    assert [(r["day"], r["merchant"], r["settle"]) for r in body["rows"]] == [
        ("2026-05-10", "华联超市", "40.00"),
        ("2026-05-11", "别家超市", "20.00"),
        ("2026-05-11", "华联超市", "0.00"),
    ]
    mine = client(csrf=True).get(url, **bearer(world["cashier"])).json()
    assert {r["merchant"] for r in mine["rows"]} == {"华联超市"} and mine["totals"]["settle"] == "40.00"
    theirs = client(csrf=True).get(url, **bearer(world["other_cashier"])).json()
    assert {r["merchant"] for r in theirs["rows"]} == {"别家超市"} and theirs["totals"]["settle"] == "20.00"
    foreign = bearer(make_user("dx_admin", ("admin", "621100")))
    assert client(csrf=True).get(url, **foreign).json()["rows"] == []
    assert client(csrf=True).get(url + f"&merchant_id={world['merchant'].pk}", **foreign).status_code == 404
    assert client(csrf=True).get(url + "&org=520200", **foreign).status_code == 404
    one_day = client(csrf=True).get("/api/v1/benefits/settlement?day=2026-05-11", **officer).json()
    assert (one_day["date_from"], one_day["date_to"], one_day["totals"]["settle"]) == (
        "2026-05-11",
        "2026-05-11",
        "20.00",
    )


@pytest.mark.parametrize(
    "query",
    [
        "date_from=2026-05-11&date_to=2026-05-10",
        "day=2026-05-10&date_from=2026-05-10",
        "date_from=2025-01-01&date_to=2026-05-10",
    ],
)
def test_a_bad_period_is_refused(world, make_user, bearer, monkeypatch, query: str) -> None:
    monkeypatch.undo()
    resp = client(csrf=True).get(f"/api/v1/benefits/settlement?{query}", **bearer(make_user("v", ("viewer", "520200"))))
    assert resp.status_code == 400 and resp.json()["code"] == "benefit.period_invalid"


def _sheet(content: bytes) -> list[tuple[Any, ...]]:
    workbook = load_workbook(BytesIO(content), read_only=True)
    assert workbook.sheetnames == ["普惠日结算"]
    return [tuple(row) for row in workbook["普惠日结算"].iter_rows(values_only=True)]


def _number(value: Any) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"))


def test_the_excel_download_reads_back_with_a_totals_row_and_is_audited(world, make_user, bearer, monkeypatch) -> None:
    monkeypatch.undo()
    from gonghui.core.validators import uscc_with_check

    uscc = uscc_with_check("91520201MA6DKX5L5")
    Merchant.all_objects.filter(pk=world["merchant"].pk).update(uscc=uscc)
    officer = bearer(make_user("lps_officer", ("viewer", "520200")))
    resp = client(csrf=True).get(
        f"/api/v1/benefits/settlement/export?date_from=2026-05-10&date_to=2026-05-11&merchant_id={world['merchant'].pk}",
        **officer,
    )
    assert resp.status_code == 200, resp.content
    assert "attachment" in resp["Content-Disposition"]
    rows = _sheet(b"".join(resp.streaming_content))
    assert list(rows[0]) == HEADERS
    assert [r[:5] for r in rows[1:-1]] == [
        ("华联超市", uscc, "万山店", "2026-05-10", 1),
        ("华联超市", uscc, "碧江店", "2026-05-10", 2),
        ("华联超市", uscc, "万山店", "2026-05-11", 1),
        ("华联超市", uscc, "碧江店", "2026-05-11", 1),
    ]
    money = [[_number(v) for v in (r[5], r[6], r[8], r[9])] for r in rows[1:-1]]
    assert money[3] == [Decimal("200.00"), Decimal("20.00"), Decimal("40.00"), Decimal("-20.00")]
    assert [r[7] for r in rows[1:-1]] == [0, 0, 0, 2]
    total = rows[-1]
    assert (total[0], total[3], total[4], total[7]) == ("合计", "2026-05-10 至 2026-05-11", 5, 2)
    assert [_number(v) for v in (total[5], total[6], total[8], total[9])] == [
        Decimal("1000.00"),
        Decimal("80.00"),
        Decimal("40.00"),
        Decimal("40.00"),
    ]
    event = AuditEvent.all_objects.order_by("-pk").first()
    assert event is not None and event.action == "benefits.settlement.export"
    assert (event.data["rows"], event.data["settle_fen"], event.data["from"]) == (4, 4000, "2026-05-10")
    # The export leaves no file behind.
    from django.conf import settings

    assert not list((Path(settings.DATA_DIR) / "exports").glob("settlement-*"))


def test_a_refused_download_writes_no_audit(world, make_user, bearer, monkeypatch) -> None:
    monkeypatch.undo()
    foreign = bearer(make_user("dx_admin", ("admin", "621100")))
    before = snapshot()
    url = f"/api/v1/benefits/settlement/export?day=2026-05-10&merchant_id={world['merchant'].pk}"
    assert client(csrf=True).get(url, **foreign).status_code == 404
    assert snapshot() == before


def test_gonghui_export_benefit_settlement(world, tmp_path) -> None:
    world["clock"].set("2026-05-12 08:00")  # the kind exports the last 31 days
    target = tmp_path / "结算.xlsx"
    out = StringIO()
    call_command("export", "benefit_settlement", str(target), "--org", "520200", stdout=out, stderr=StringIO())
    assert json.loads(out.getvalue())["rows"] == 5
    rows = _sheet(target.read_bytes())
    assert rows[0] == tuple(HEADERS) and rows[-1][0] == "合计"
    assert {r[0] for r in rows[1:-1]} == {"华联超市", "别家超市"}
    assert _number(rows[-1][9]) == Decimal("60.00")
    assert audit_actions()[-1] == "benefits.settlement.export"
    csv_target = tmp_path / "结算.csv"
    call_command(
        "export", "benefit_settlement", str(csv_target), "--org", "621100", stdout=StringIO(), stderr=StringIO()
    )
    lines = csv_target.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0].split(",") == HEADERS and lines[1].startswith("合计,")  # 定西: nothing to settle


def test_the_settlement_kind_is_export_only(world, make_user) -> None:
    """Made from the sales, never imported: no CLI import, no upload choice, no template."""
    from django.core.management.base import CommandError

    from gonghui.core.bulk.kinds import get_kind

    assert not get_kind("benefit_settlement").importable
    with pytest.raises(CommandError, match="invalid choice"):
        call_command("import", "benefit_settlement", "whatever.xlsx")
    officer = make_user("lps_manager", ("officer", "520200"))
    c = client()
    c.force_login(officer)
    assert 'value="benefit_settlement"' not in c.get("/imports/new/").content.decode()
    assert c.get("/imports/templates/benefit_settlement/").status_code == 404
    assert 'value="benefit_settlement"' in c.get("/imports/export/").content.decode()
