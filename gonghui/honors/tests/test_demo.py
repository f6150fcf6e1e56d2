"""The small demo: 2% of Guizhou's selections with the page's shares, the seven medals and the 71 whole,
a current campaign with a city's list at the province, a 公示 with an objection."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.management import call_command
from django.db import transaction

from gonghui.core.scoping import unscoped
from gonghui.honors.models import Campaign, CampaignStatus, Nomination, NominationStatus
from gonghui.notices.models import Objection, Publication, PublicationStatus

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(django_db_setup: None, django_db_blocker: Any) -> Iterator[str]:
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            out = io.StringIO()
            call_command("demo", "--no-serve", stdout=out, stderr=io.StringIO())
            yield out.getvalue()
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


def stats(code: str) -> dict[str, Any]:
    out = io.StringIO()
    call_command("stats", "--org", code, "--json", stdout=out)
    return json.loads(out.getvalue().strip().splitlines()[-1])  # type: ignore[no-any-return]


def test_the_statistics_of_the_page_at_two_percent(demo: str) -> None:
    guizhou = stats("520000")
    assert guizhou["honors_awarded"] >= 420 + 7 and guizhou["honors_front_line_share"] >= 0.85
    assert guizhou["honors_new_employment"] > 4 and guizhou["medals_new_employment"] == 7
    dingxi = stats("621100")
    assert dingxi["model_workers"] == 71 and dingxi["lectures"] == 12 and dingxi["lecture_audience"] > 0


def test_a_citys_list_waits_at_the_province_and_a_publication_has_an_objection(demo: str) -> None:
    with unscoped():
        current = Campaign.all_objects.get(status=CampaignStatus.OPEN)
        waiting = Nomination.all_objects.filter(campaign=current, status=NominationStatus.SUBMITTED)
        assert waiting.count() == 10 and {n.at_org.code for n in waiting} == {"520000"}
        assert len({n.org_id for n in waiting}) == 1 and waiting.first().org.parent.code == "520000"  # type: ignore[union-attr]
        publication = Publication.all_objects.get(kind="honors", status=PublicationStatus.OPEN)
        assert Objection.all_objects.filter(publication=publication, status="open").count() == 1
