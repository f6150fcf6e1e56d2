"""The pages after the ranking, over HTTP: the 公示 with objections, the close, certificates, recommending a winner
to an honors campaign, withdrawing a contestant; another union's contest is a 404, a missing permission a 403."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from gonghui.core.scoping import unscoped
from gonghui.honors.models import CampaignKind, Nomination
from gonghui.honors.services import campaign_create
from gonghui.notices.models import Objection, Publication, PublicationEntry
from gonghui.skills import services
from gonghui.skills.models import Contest, ContestStatus, Entry, EntryStatus
from gonghui.skills.tests.factories import enter, full_sheet, make_contest, member, scope_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(make_user, login):  # type: ignore[no-untyped-def]
    officer = make_user("lps_officer", ("officer", "520200"))
    reviewer = make_user("lps_reviewer", ("reviewer", "520200"))
    return {"officer": officer, "reviewer": reviewer, "o": login(officer), "r": login(reviewer)}


@pytest.fixture
def ranked(tree, people):  # type: ignore[no-untyped-def]
    world = make_contest(tree.lps)
    entries = [enter(world, member(tree.courier_union, 70 + i)) for i in range(2)]
    cells = [
        c
        for e, t in zip(entries, ("90", "60"), strict=True)
        for c in full_sheet(world, e, t, [["36", "38", "37"], ["55", "54", "58"]])
    ]
    for clerk in (people["officer"], people["reviewer"]):
        services.scores_enter(actor=clerk, scope=scope_of(clerk), event=world.event, cells=cells)
    services.contest_rank(actor=people["officer"], scope=scope_of(people["officer"]), contest=world.contest)
    return world, entries


def _contest(world) -> Contest:  # type: ignore[no-untyped-def]
    with unscoped():
        return Contest.all_objects.get(pk=world.contest.pk)


def test_the_whole_results_flow_through_the_pages(tree, ranked, people) -> None:  # type: ignore[no-untyped-def]
    world, entries = ranked
    url = f"/skills/contests/{world.contest.pk}"
    page = people["o"].get(f"{url}/ranking/").content.decode()
    assert 'data-testid="publish-form"' in page
    assert people["o"].post(f"{url}/publish/", {"days": "5", "day_basis": "工作日"}).status_code == 302
    assert _contest(world).status == ContestStatus.RANKED  # an unknown day basis publishes nothing
    assert people["o"].post(f"{url}/publish/", {"days": "5", "day_basis": "working"}).status_code == 302
    contest = _contest(world)
    assert contest.status == ContestStatus.PUBLISHED
    page = people["o"].get(f"{url}/ranking/").content.decode()
    assert "公示期" in page and 'data-testid="close-refusal"' in page and 'data-testid="close"' not in page
    with unscoped():
        line = PublicationEntry.objects.get(publication=contest.publication, subject_id=entries[1].pk)
    people["o"].post(f"{url}/objections/", {"entry": line.pk, "reason": "年龄不符", "raised_by": "李某"})
    with unscoped():
        objection = Objection.all_objects.get()
    # The officer cannot settle it (403); the reviewer upholds it and the award goes.
    assert people["o"].post(f"{url}/objections/{objection.pk}/resolve/", {"decision": "upheld"}).status_code == 403
    people["r"].post(f"{url}/objections/{objection.pk}/resolve/", {"decision": "upheld", "note": "查实"})
    with unscoped():
        assert Entry.all_objects.get(pk=entries[1].pk).award == ""
        start = timezone.localdate() - timedelta(days=30)
        Publication.all_objects.filter(pk=contest.publication_id).update(starts_on=start, ends_on=start)
    page = people["o"].get(f"{url}/ranking/").content.decode()
    assert "公示异议成立：查实" in page and 'data-testid="close"' in page
    people["o"].post(f"{url}/close/")
    assert _contest(world).status == ContestStatus.FINAL
    people["o"].post(f"{url}/certificates/")
    with unscoped():
        winner = Entry.all_objects.get(pk=entries[0].pk)
    assert winner.certificate_id is not None and Entry.all_objects.get(pk=entries[1].pk).certificate_id is None
    page = people["o"].get(f"{url}/ranking/").content.decode()
    assert f"/notices/certificates/pdf/?id={winner.certificate_id}" in page
    # Recommend the winner to the province's 五一劳动奖章, chosen on the form.
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
    form = people["o"].get(f"{url}/entries/{winner.pk}/recommend/")
    assert "贵州省五一劳动奖章" in form.content.decode() and "总成绩" in form.content.decode()
    refused = people["o"].post(f"{url}/entries/{winner.pk}/recommend/", {"campaign": "", "deeds": "技术精湛"})
    assert refused.status_code == 400 and "技术精湛" in refused.content.decode()
    people["o"].post(f"{url}/entries/{winner.pk}/recommend/", {"campaign": campaign.pk, "deeds": ""})
    with unscoped():
        nomination = Nomination.all_objects.get(campaign=campaign)
    assert "一等奖" in nomination.deeds and nomination.org_id == tree.lps.pk


def test_another_unions_contest_is_not_found_and_a_viewer_cannot_publish(tree, ranked, make_user, login) -> None:  # type: ignore[no-untyped-def]
    world, entries = ranked
    url = f"/skills/contests/{world.contest.pk}"
    stranger = login(make_user("gy_officer", ("officer", "520100")))
    for path in ("publish/", "close/", "certificates/", f"entries/{entries[0].pk}/withdraw/"):
        assert stranger.post(f"{url}/{path}", {"days": "5", "day_basis": "working"}).status_code == 404
    assert stranger.get(f"{url}/entries/{entries[0].pk}/recommend/").status_code == 404
    viewer = login(make_user("lps_viewer", ("viewer", "520200")))
    assert viewer.post(f"{url}/publish/", {"days": "5", "day_basis": "working"}).status_code == 403
    assert _contest(world).status == ContestStatus.RANKED


def test_a_union_withdraws_its_contestant_from_the_contest_page(tree, people, make_user, login) -> None:  # type: ignore[no-untyped-def]
    world = make_contest(tree.lps)
    entry = enter(world, member(tree.courier_union, 80))
    union = login(make_user("courier_officer", ("officer", "520201G001")))
    page = union.get(f"/skills/contests/{world.contest.pk}/").content.decode()
    assert f'data-testid="withdraw-{entry.number}"' in page
    union.post(f"/skills/contests/{world.contest.pk}/entries/{entry.pk}/withdraw/", {"reason": "工作调动"})
    with unscoped():
        assert Entry.all_objects.get(pk=entry.pk).status == EntryStatus.WITHDRAWN
    page = union.get(f"/skills/contests/{world.contest.pk}/").content.decode()
    assert "（本工会报名的）：0 人" in page and "已退赛" in page
