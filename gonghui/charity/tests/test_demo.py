"""临沂's special fund in the demo: the small load exactly (2% of the money and the workers, the 1,260
enterprises whole), and the seed arithmetic on the plan (the 2.29 million rows are not written here)."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from random import Random
from typing import Any

import pytest
from django.core.management import call_command
from django.db import transaction

from gonghui.charity import demo
from gonghui.charity.models import Channel, Donation, DonorKind, Fund, FundEntry
from gonghui.charity.selectors import ledger_balance_fen
from gonghui.core.idnumbers import parse_id_number
from gonghui.core.models import AuditEvent
from gonghui.core.scoping import unscoped
from gonghui.core.validators import clean_uscc


@pytest.fixture(scope="module")
def loaded(django_db_setup: None, django_db_blocker: Any) -> Iterator[str]:
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            err = io.StringIO()
            call_command("demo", "--no-serve", stdout=io.StringIO(), stderr=err)
            yield err.getvalue()
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


def stats(code: str) -> dict[str, Any]:
    out = io.StringIO()
    call_command("stats", "--org", code, "--json", stdout=out)
    return json.loads(out.getvalue().strip().splitlines()[-1])  # type: ignore[no-any-return]


@pytest.mark.django_db
def test_linyi_at_two_percent_with_the_enterprises_whole(loaded: str) -> None:
    figures = stats("371300")
    assert figures["charity_donations_yuan"] == 5_200_000
    assert figures["charity_donor_enterprises"] == 1260
    assert figures["charity_donor_workers"] == 45_800
    assert figures["charity_projects"] == 84 and figures["charity_activities"] == 108
    assert figures["charity_industries"] == 10 and figures["charity_provinces"] == 25
    assert 0 < figures["charity_spent_yuan"] <= 0.8 * 5_200_000
    with unscoped():
        fund = Fund.all_objects.get(org__code="371300", name=demo.FUND_NAME)
        assert (fund.kind, fund.foundation) == ("special", "中国职工发展基金会")
        assert fund.balance_fen == ledger_balance_fen(fund=fund) > 0
        payroll = Donation.all_objects.filter(fund=fund, channel=Channel.PAYROLL)
        assert payroll.count() == 45_800 and not payroll.filter(donor_kind=DonorKind.ENTERPRISE).exists()
        assert FundEntry.all_objects.filter(fund=fund, kind="donation").count() == 45_800 + 1260
        # The workers' numbers are sealed, never in clear; the enterprises' codes are valid.
        sealed = payroll.exclude(id_cipher=None).first()
        assert sealed is not None and "*" in sealed.id_masked and sealed.id_index
        usccs = set(
            Donation.all_objects.filter(fund=fund, donor_kind=DonorKind.ENTERPRISE).values_list("uscc", flat=True)
        )
        assert len(usccs) == 1260 and all(clean_uscc(u) == u for u in usccs)
        # Projects and payments went through the services, so each is audited.
        assert AuditEvent.all_objects.filter(action="charity.project.create").count() >= 84
    assert "临沂职工发展专项基金：1,260 家企业、45,800 名职工捐款 5,200,000 元，84 个项目。" in loaded


def test_the_seed_plan_gives_the_pages_figures_exactly() -> None:
    plan = demo.plan("seed", Random(20260101))
    assert plan.total_yuan == 260_000_000 and plan.workers == 2_290_000
    assert len(plan.enterprises) == 1260 and len({e.uscc for e in plan.enterprises}) == 1260
    assert all(clean_uscc(e.uscc) == e.uscc for e in plan.enterprises)
    assert all(e.workers >= 1 and e.workers_yuan >= e.workers and e.gift_yuan > 0 for e in plan.enterprises)
    # Each worker's deduction in whole yuan adds up to the enterprise's figure, and so to the ¥2.6亿.
    assert sum(sum(demo.worker_amounts(e)) for e in plan.enterprises) == 260_000_000 - 160_000_000
    assert len(plan.projects) >= 80 and sum(p.activities for p in plan.projects) >= 100
    assert len({p.industry for p in plan.projects}) == 10
    assert len({p.region_code[:2] for p in plan.projects}) == 25
    # The workers' synthetic numbers are valid and never repeat below 2.29 million.
    assert len(demo.AREAS) * demo.BIRTH_DAYS * 1000 > 2_290_000
    sample = [demo.worker_number(n) for n in range(0, 2_290_000, 997)] + [demo.worker_number(2_289_999)]
    assert len(set(sample)) == len(sample) and all(parse_id_number(s).value == s for s in sample)


def test_the_small_plan_is_two_percent() -> None:
    plan = demo.plan("small", Random(1))
    assert (plan.total_yuan, plan.workers, len(plan.enterprises)) == (5_200_000, 45_800, 1260)
