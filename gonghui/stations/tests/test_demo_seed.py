"""The stations demo step alone at `seed`: thousands of Guizhou stations, the same 夷新驿站, idempotent.

It runs on the demo's orgs and 24 riders registered for the test, without the members
step (222,000 members at seed would take minutes); `test_demo.py` covers the whole demo.
"""

from __future__ import annotations

import io
import json
import random
from typing import Any

import pytest
from django.core.management import call_command

from gonghui.core.demo import DemoContext
from gonghui.core.scoping import unscoped
from gonghui.members.models import Membership, MembershipStatus
from gonghui.members.tests.factories import id_number, register
from gonghui.orgs.demo import load_orgs
from gonghui.orgs.models import Org
from gonghui.stations.demo import GROUPS, GUIZHOU_STATIONS, RIDERS_PER_GROUP, YIXIN_UNION, load_stations
from gonghui.stations.models import Station

pytestmark = pytest.mark.django_db


def stats(org: str) -> dict[str, Any]:
    out = io.StringIO()
    call_command("stats", "--org", org, "--json", stdout=out)
    return dict(json.loads(out.getvalue().strip().splitlines()[-1]))


def test_at_seed_the_step_makes_thousands_and_the_same_yixin() -> None:
    ctx = DemoContext(scale="seed", rng=random.Random(3), log=lambda _msg: None)
    load_orgs(ctx)
    with unscoped():
        union = Org.objects.get(code=YIXIN_UNION)
    riders = [
        register(
            union,
            id_number(n, area="420506"),
            name=f"骑手{'甲乙丙丁戊己庚辛壬癸'[n % 10]}{'子丑寅卯辰巳'[n // 10 % 6]}",
            new_employment_type="10",
        )
        for n in range(len(GROUPS) * RIDERS_PER_GROUP)
    ]
    assert all(r.status == MembershipStatus.ACTIVE for r in riders)
    load_stations(ctx)
    with unscoped():
        assert Station.objects.filter(code__startswith="GZ").count() == GUIZHOU_STATIONS
        assert Membership.objects.filter(org=union).count() == len(riders)
    figures = stats("420506")
    assert (figures["duty_groups"], figures["station_volunteers"]) == (4, 24)
    assert figures["duty_shifts"] >= 26
    assert figures["duty_shifts_missed"] == 1 and figures["station_visits"] > 0
    # Loading again changes nothing.
    load_stations(ctx)
    assert stats("420506") == figures
