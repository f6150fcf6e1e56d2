"""The rights demo step on the suite's tree: 安定's and 陇西's contract figures exactly (the county
federations are added under 定西 when missing), and a year of cases in every state, some overdue."""

from __future__ import annotations

import random

import pytest

from gonghui.core.demo import DemoContext
from gonghui.core.scoping import unscoped
from gonghui.core.stats import stats_collect
from gonghui.orgs.models import Org
from gonghui.rights.demo import CASES, load_rights
from gonghui.rights.models import CaseStatus, HotlineCase

pytestmark = pytest.mark.django_db


def test_the_pages_figures_and_a_year_of_cases(tree) -> None:  # type: ignore[no-untyped-def]
    ctx = DemoContext(scale="small", rng=random.Random(7), log=lambda _m: None)
    load_rights(ctx)
    with unscoped():
        anding, longxi = Org.all_objects.get(code="621102"), Org.all_objects.get(code="621122")
    assert anding.parent_id == longxi.parent_id == tree.dingxi.pk
    a = stats_collect([anding.path])
    assert (a["contracts"], a["contracts_wage"], a["contract_employers"], a["contract_workers"]) == (57, 57, 63, 4228)
    assert a["contracts_women"] == a["contracts_safety"] == 0
    lx = stats_collect([longxi.path])
    assert lx["contract_employers"] == 26
    assert min(lx["contracts_wage"], lx["contracts_women"], lx["contracts_safety"]) >= 1
    with unscoped():
        cases = HotlineCase.all_objects.all()
        assert cases.count() == CASES["small"]
        assert set(cases.values_list("status", flat=True)) == set(CaseStatus.values)
        numbers = list(cases.values_list("number", flat=True))
    assert all(n.startswith("12351-") for n in numbers) and len(set(numbers)) == len(numbers)
    everywhere = stats_collect(None)
    assert everywhere["hotline_cases_overdue"] > 0 and 0 < everywhere["hotline_satisfaction_rate"] < 1
    assert 0 < everywhere["hotline_on_time_rate"] < 1
    # Loading twice adds nothing.
    load_rights(ctx)
    assert stats_collect([anding.path])["contracts"] == 57


def test_legal_aid_lawyers_and_visits(tree) -> None:  # type: ignore[no-untyped-def]
    from gonghui.rights.demo import AID_MATTERS, VISITS, load_legal_aid
    from gonghui.rights.models import AidStatus, Lawyer, LawyerVisit, LegalAidMatter, VisitIssue

    ctx = DemoContext(scale="small", rng=random.Random(7), log=lambda _m: None)
    load_rights(ctx)
    load_legal_aid(ctx)
    with unscoped():
        rosters = set(Lawyer.all_objects.values_list("org__code", flat=True))
        matters = LegalAidMatter.all_objects.all()
        forms = set(matters.values_list("form", flat=True))
        closed = matters.filter(status=AidStatus.CLOSED)
        dingxi = Org.all_objects.get(code="621100")
        issues = set(VisitIssue.objects.values_list("status", flat=True))
    assert rosters == {"621100", "621102", "621122", "520000"}
    assert 0 < matters.count() <= AID_MATTERS["small"] and len(forms) >= 3
    assert closed.exists() and closed.filter(recovered_fen__gt=0).exists()
    assert issues == {"fixing", "fixed"}
    everywhere = stats_collect(None)
    assert everywhere["legal_aid_cases"] == matters.count()
    assert everywhere["lawyer_visits"] == VISITS["small"]
    assert everywhere["legal_aid_recovered_yuan"] > 0
    assert 0 < stats_collect([dingxi.path])["lawyer_visits"] < VISITS["small"]
    load_legal_aid(ctx)  # loading twice adds nothing
    with unscoped():
        assert LawyerVisit.all_objects.count() == VISITS["small"]
