"""No fund goes below zero under concurrency: real threads, each on its own database connection.

Each writer is slowed down between reading the fund's balance and writing the new one
(`_refuse_overdraw` sleeps after its check), so without the fund's row lock every
writer would read the same balance and all of them would pay: these tests fail if the
lock (`select_for_update` in `services._lock_fund`) is removed. The writers pay for
different projects, so no other lock (a project's row) serializes them instead.
PostgreSQL runs them truly in parallel; SQLite serializes writers, and the race helper
retries a writer its shared in-memory database turned away (nothing of it was written).
"""

from __future__ import annotations

import time
from datetime import date
from typing import Any

import pytest

from gonghui.charity import services
from gonghui.charity.models import Disbursement, Fund, FundEntry, Project
from gonghui.charity.selectors import ledger_balance_fen
from gonghui.charity.tests.factories import give, make_fund, make_project, pay
from gonghui.members.tests.test_concurrency import race

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def slow_check(monkeypatch: pytest.MonkeyPatch) -> None:
    original = services._refuse_overdraw

    def checked_then_slow(fund: Fund, amount_fen: int, code: str, available_fen: int | None = None) -> None:
        original(fund, amount_fen, code, available_fen)
        time.sleep(0.2)

    monkeypatch.setattr(services, "_refuse_overdraw", checked_then_slow)


def _payer(fund: Fund, n: int, amount_fen: int) -> Any:
    project = make_project(fund, name=f"项目{n}", budget_fen=10**9)
    return lambda: pay(fund, project, amount_fen)


def test_two_disbursements_racing_for_one_balance(tree, slow_check: None) -> None:
    fund = make_fund(tree.lps, opening_fen=100_00)
    outcomes = race(_payer(fund, 1, 60_00), _payer(fund, 2, 60_00))
    assert sorted(o.kind for o in outcomes) == ["ok", "refused"], outcomes
    assert [o.value for o in outcomes if o.kind == "refused"] == ["charity.insufficient_balance"]
    fund = Fund.all_objects.get(pk=fund.pk)
    assert fund.balance_fen == ledger_balance_fen(fund=fund) == 40_00
    assert Disbursement.all_objects.count() == 1


def test_many_writers_on_one_fund(tree, slow_check: None) -> None:
    fund = make_fund(tree.lps, opening_fen=100_00)
    gift = give(fund, 50_00, on=date(2025, 2, 1))
    calls = [_payer(fund, n, 30_00) for n in range(5)]
    calls.append(
        lambda: services.donation_refund(
            actor=None, scope=None, donation=gift, amount_fen=50_00, on=date(2025, 9, 2), note="退回"
        )
    )
    outcomes = race(*calls)
    assert all(o.kind in ("ok", "refused") for o in outcomes), outcomes
    fund = Fund.all_objects.get(pk=fund.pk)
    paid = sum(d.amount_fen for d in Disbursement.all_objects.filter(fund=fund))
    refunded = 50_00 if outcomes[-1].kind == "ok" else 0
    assert fund.balance_fen == ledger_balance_fen(fund=fund) == 150_00 - paid - refunded >= 0
    assert len([o for o in outcomes[:-1] if o.kind == "ok"]) == paid // 30_00
    # 150 yuan covers at most five payments of 30, or the refund of 50 and three payments.
    assert paid + refunded > 150_00 - 30_00
    balances = list(FundEntry.all_objects.filter(fund=fund).order_by("pk").values_list("balance_fen", flat=True))
    assert balances[-1] == fund.balance_fen and min(balances) >= 0


def test_a_designated_line_and_the_general_line_under_two_racing_projects(tree, slow_check: None) -> None:
    """Project A may take its own ¥50 and the general ¥100, project B only the general ¥100: together they
    ask ¥180 of ¥150, so one of them is refused whichever goes first, and every line stays covered."""
    fund = make_fund(tree.lps, opening_fen=100_00)
    a = make_project(fund, name="项目A", budget_fen=10**9)
    b = make_project(fund, name="项目B", budget_fen=10**9)
    services.donation_record(
        actor=None,
        scope=None,
        fund=fund,
        donor=services.DonorIn(kind="individual", name="刘先生"),
        amount_fen=50_00,
        received_on=date(2025, 2, 1),
        project=a,
    )
    outcomes = race(lambda: pay(fund, a, 120_00), lambda: pay(fund, b, 60_00))
    assert sorted(o.kind for o in outcomes) == ["ok", "refused"], outcomes
    fund = Fund.all_objects.get(pk=fund.pk)
    assert (
        fund.balance_fen
        == ledger_balance_fen(fund=fund)
        == 150_00 - sum(d.amount_fen for d in Disbursement.all_objects.filter(fund=fund))
    )
    assert fund.inflow_fen - fund.outflow_fen >= 0 and fund.designated_fen >= 0
    a = Project.all_objects.get(pk=a.pk)
    assert 0 <= a.designated_out_fen <= a.designated_in_fen == 50_00
