"""`/api/v1/skills/contests/{id}/publish|close|certificates|entries/{e}/withdraw|recommend`: the results after the
ranking through the API; another union's contest is a 404, a missing permission a 403."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from gonghui.core.scoping import unscoped
from gonghui.honors.models import CampaignKind
from gonghui.honors.services import campaign_create
from gonghui.members.tests.factories import Api, assert_error
from gonghui.notices.models import Publication
from gonghui.skills import services
from gonghui.skills.tests.factories import enter, full_sheet, make_contest, member, scope_of

pytestmark = pytest.mark.django_db


def test_the_results_through_the_api(tree, make_user, bearer) -> None:  # type: ignore[no-untyped-def]
    officer, reviewer = make_user("o", ("officer", "520200")), make_user("r", ("reviewer", "520200"))
    world = make_contest(tree.lps)
    winner, spare = (enter(world, member(tree.courier_union, 90 + i)) for i in range(2))
    cells = full_sheet(world, winner, "90", [["36", "38", "37"], ["55", "54", "58"]])
    for clerk in (officer, reviewer):
        services.scores_enter(actor=clerk, scope=scope_of(clerk), event=world.event, cells=cells)
    api = Api(bearer(officer))
    url = f"/api/v1/skills/contests/{world.contest.pk}"
    # Withdraw the contestant who has no score; the ranking follows without him.
    withdrawn = api.post(f"{url}/entries/{spare.pk}/withdraw", {"reason": "未到场"})
    assert withdrawn.status_code == 200, withdrawn.content
    assert api.post(f"{url}/rank").status_code == 200
    stranger = Api(bearer(make_user("dx", ("officer", "621100"))))
    assert_error(stranger.post(f"{url}/publish", {"days": 5}), 404, "not_found")
    viewer = Api(bearer(make_user("v", ("viewer", "520200"))))
    assert viewer.post(f"{url}/publish", {"days": 5}).status_code == 403
    published = api.post(f"{url}/publish", {"days": 5, "day_basis": "自然日"})
    assert published.status_code == 200 and published.json()["status"] == "published", published.content
    assert_error(api.post(f"{url}/close"), 400, "notices.window_not_over")
    with unscoped():
        start = timezone.localdate() - timedelta(days=20)
        Publication.all_objects.update(starts_on=start, ends_on=start + timedelta(days=4))
    assert api.post(f"{url}/close").json()["status"] == "final"
    issued = api.post(f"{url}/certificates", {})
    assert issued.status_code == 201, issued.content
    [cert] = issued.json()
    assert cert["title"] == "六盘水市管工职业技能大赛（管道安装）一等奖"
    assert "/notices/certificates/verify/" in cert["verify_url"] and "/notices/certificates/pdf/?id=" in cert["pdf_url"]
    campaign = campaign_create(
        actor=None,
        scope=None,
        org=tree.province,
        kind=CampaignKind.MAY_DAY_MEDAL,
        title="贵州省五一劳动奖章",
        level="省级",
        awarding_body="贵州省总工会",
        year=2027,
    )
    recommended = api.post(f"{url}/entries/{winner.pk}/recommend", {"campaign_id": campaign.pk})
    assert recommended.status_code == 201 and recommended.json()["status"] == "draft", recommended.content
    assert_error(api.post(f"{url}/entries/{winner.pk}/recommend", {"campaign_id": campaign.pk}), 400,
                 "skills.already_recommended")  # fmt: skip
    ranking = api.get(f"{url}/ranking").json()
    assert [r["certificate_id"] for r in ranking] == [int(cert["pdf_url"].rsplit("=", 1)[1])]
