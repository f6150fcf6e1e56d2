"""The honors demo step at `--scale seed`, on its own: the full seed demo (≈ 290,000 members) takes too
long for the suite, so the members it draws on are put in set-based — Guizhou's non-new-employment members
first, as the seed's are — and the step and `gonghui stats` run as they do in `gonghui demo --scale seed`."""

from __future__ import annotations

import io
import json
import random
from typing import Any

import pytest
from django.core.management import call_command

from gonghui.core.demo import DemoContext
from gonghui.core.scoping import unscoped
from gonghui.honors.demo import load_honors
from gonghui.honors.models import Campaign, CampaignStatus, Lecture, Nomination, NominationStatus
from gonghui.members.models import Membership, MembershipStatus, Person
from gonghui.notices.models import Objection, Publication, PublicationStatus
from gonghui.orgs.models import Org

pytestmark = pytest.mark.django_db

# Guizhou: 21,000 general members (15,000 in 六盘水, 6,000 in 贵阳), then 400 couriers (新就业形态);
# 定西: 80 members. More than the step takes, so its current campaign finds free members in two cities.
PLAN = [("520201", 15_000, ""), ("520102", 6_000, ""), ("520201G001", 400, "01"), ("621100", 80, "")]


def members(tree: Any) -> None:
    with unscoped():
        orgs = {o.code: o for o in Org.all_objects.filter(code__in=[code for code, _n, _t in PLAN])}
        people, n = [], 0
        for _code, count, ne in PLAN:
            for _ in range(count):
                n += 1
                people.append(
                    Person(name=f"示例{n}", id_cipher=b"", id_index=f"seed-{n}", id_masked="", new_employment_type=ne)
                )
        Person.objects.bulk_create(people, batch_size=5_000)
        made = iter(Person.objects.filter(id_index__startswith="seed-").order_by("pk").values_list("pk", flat=True))
        Membership.all_objects.bulk_create(
            (
                Membership(
                    person_id=next(made), org=orgs[code], org_path=orgs[code].path, status=MembershipStatus.ACTIVE
                )
                for code, count, _ne in PLAN
                for _ in range(count)
            ),
            batch_size=5_000,
        )


def stats(code: str) -> dict[str, Any]:
    out = io.StringIO()
    call_command("stats", "--org", code, "--json", stdout=out)
    return json.loads(out.getvalue().strip().splitlines()[-1])  # type: ignore[no-any-return]


def test_the_seed_gives_the_pages_figures(tree: Any) -> None:
    members(tree)
    log: list[str] = []
    load_honors(DemoContext(scale="seed", rng=random.Random(20230920), log=log.append))
    guizhou = stats("520000")
    assert guizhou["honors_awarded"] >= 21_000, guizhou
    assert guizhou["honors_front_line_share"] >= 0.85
    assert guizhou["honors_new_employment"] > 200
    assert guizhou["medals_new_employment"] == 7
    dingxi = stats("621100")
    assert dingxi["model_workers"] == 71 and dingxi["lectures"] == 12 and dingxi["lecture_audience"] > 0
    with unscoped():
        current = Campaign.all_objects.get(status=CampaignStatus.OPEN)
        waiting = Nomination.all_objects.filter(campaign=current, status=NominationStatus.SUBMITTED)
        assert waiting.count() == 10 and {n.at_org.code for n in waiting} == {"520000"}
        assert waiting.first().org.kind == "city_federation"  # type: ignore[union-attr]
        publication = Publication.all_objects.get(kind="honors", status=PublicationStatus.OPEN)
        assert Objection.all_objects.filter(publication=publication, status="open").count() == 1
        assert Lecture.all_objects.exclude(host="").exists()
    assert "最美劳动者 21,000 人" in log[-1]
