"""温岭's demo contest: 51 contestants through the services (scored, ranked, published, final, certified),
the stats and the dashboard's charts by month and by city."""

from __future__ import annotations

import io
import json
from random import Random

import pytest
from django.core.management import call_command

from gonghui.conftest import make_org
from gonghui.core.demo import DemoContext
from gonghui.core.scoping import unscoped
from gonghui.notices.models import Certificate, Objection, ObjectionStatus
from gonghui.orgs.models import OrgKind
from gonghui.skills.charts import contestants_by_city_chart, contests_by_month_chart
from gonghui.skills.demo_contests import load_contests
from gonghui.skills.models import Contest, ContestStatus, Entry, Score, ScoreState

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("scale", ["small", "seed"])
def test_wenlings_contest_has_its_51_at_every_scale(tree, scale) -> None:  # type: ignore[no-untyped-def]
    zhejiang = make_org("330000", "浙江省总工会", OrgKind.PROVINCE_FEDERATION, None, region_code="330000")
    taizhou = make_org("331000", "台州市总工会", OrgKind.CITY_FEDERATION, zhejiang, region_code="331000")
    make_org("331081", "温岭市总工会", OrgKind.COUNTY_FEDERATION, taizhou, region_code="331081")
    ctx = DemoContext(scale=scale, rng=Random(1), log=lambda _m: None)
    load_contests(ctx)
    load_contests(ctx)  # a second run adds nothing
    with unscoped():
        contest = Contest.all_objects.get()
        entries = list(Entry.all_objects.filter(contest=contest))
        assert Score.objects.filter(entry__contest=contest, state=ScoreState.RESOLVED).count() == 1
        assert not Score.objects.filter(entry__contest=contest, state__in=["first", "mismatch"]).exists()
        certificates = Certificate.all_objects.filter(kind="skills.results").count()
        objection = Objection.all_objects.get()
    assert contest.status == ContestStatus.FINAL and len(entries) == 51
    assert all(e.theory is not None and e.practical is not None and e.rank for e in entries)
    awarded = [e for e in entries if e.award]
    assert len(awarded) >= 6 and certificates == len(awarded)
    assert all(e.certificate_id for e in awarded) and objection.status == ObjectionStatus.DISMISSED
    assert {a.username for a in ctx.accounts} == {"wl_officer", "wl_reviewer"}
    out = io.StringIO()
    call_command("stats", "--org", "331081", "--json", stdout=out)
    figures = json.loads(out.getvalue().strip().splitlines()[-1])
    assert figures["contests"] == 1 and figures["contestants"] == 51
    # The dashboard: by month (the contest's month) and by city (台州).
    month = contests_by_month_chart([zhejiang.path])
    assert sum(month["series"][0]["values"]) == 1 and sum(month["series"][1]["values"]) == 51
    city = contestants_by_city_chart(None)
    assert city["labels"] == ["台州市"] and city["series"][1]["values"] == [51]
    assert contests_by_month_chart([tree.province.path])["labels"] == []
