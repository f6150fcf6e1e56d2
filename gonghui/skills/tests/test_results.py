"""After the ranking: the results' 公示 through the shared notices, objections, the close that makes awards final,
certificates with their verification, the recommendation of a winner to an honors campaign, and withdrawal."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from gonghui.core.errors import DomainError, PermissionDeniedError
from gonghui.core.models import AuditEvent
from gonghui.core.scoping import unscoped
from gonghui.core.stats import stats_collect
from gonghui.honors.models import CampaignKind, Nomination, NominationStatus
from gonghui.honors.services import campaign_create
from gonghui.notices import services as notices
from gonghui.notices.models import Certificate, PublicationEntry
from gonghui.skills import results, services
from gonghui.skills.models import Contest, ContestStatus, Entry, EntryStatus
from gonghui.skills.scoring import FIRST, SECOND, THIRD
from gonghui.skills.services import ScoreCell
from gonghui.skills.tests.factories import enter, full_sheet, make_contest, member, scope_of

pytestmark = pytest.mark.django_db

# theory and [[cut × 3 judges], [weld × 3 judges]]: totals 91.4, 91, 90.9, 86.3, 88.4, 82.1, 74 (six awards)
SHEETS = {
    1: ("90", [["36", "38", "37"], ["55", "54", "58"]]),
    2: ("70", [["40", "40", "1"], ["60", "60", "60"]]),
    3: ("100", [["30", "30", "30"], ["57", "57", "57"]]),
    4: ("80", [["38", "38", "38"], ["51", "51", "51"]]),
    5: ("94", [["36", "36", "36"], ["50", "50", "50"]]),
    6: ("66", [["38", "38", "38"], ["51", "51", "51"]]),
    7: ("60", [["30", "30", "30"], ["50", "50", "50"]]),
}


@pytest.fixture
def officer(make_user):  # type: ignore[no-untyped-def]
    return make_user("lps_officer", ("officer", "520200"))


@pytest.fixture
def reviewer(make_user):  # type: ignore[no-untyped-def]
    return make_user("lps_reviewer", ("reviewer", "520200"))


@pytest.fixture
def ranked(tree, officer, reviewer):  # type: ignore[no-untyped-def]
    world = make_contest(tree.lps)
    entries = {n: enter(world, member(tree.courier_union, 40 + n)) for n in SHEETS}
    cells = [c for n, (t, p) in SHEETS.items() for c in full_sheet(world, entries[n], t, p)]
    for clerk in (officer, reviewer):
        services.scores_enter(actor=clerk, scope=scope_of(clerk), event=world.event, cells=cells)
    services.contest_rank(actor=officer, scope=scope_of(officer), contest=world.contest)
    return world, entries


def _reload(contest: Contest) -> Contest:
    with unscoped():
        return Contest.all_objects.get(pk=contest.pk)


def _entry(entry: Entry) -> Entry:
    with unscoped():
        return Entry.all_objects.select_related("person").get(pk=entry.pk)


def _published(world, officer, start=None):  # type: ignore[no-untyped-def]
    start = start or timezone.localdate() - timedelta(days=10)
    return results.results_publish(
        actor=officer, scope=scope_of(officer), contest=world.contest, days=5, day_basis="calendar", starts_on=start
    )


def test_the_winners_are_published_with_names_unions_and_awards_never_ids(ranked, officer) -> None:  # type: ignore[no-untyped-def]
    world, entries = ranked
    contest = _published(world, officer)
    assert contest.status == ContestStatus.PUBLISHED
    with unscoped():
        lines = list(PublicationEntry.objects.filter(publication=contest.publication).order_by("position"))
    assert [line.subject_id for line in lines] == [entries[n].pk for n in (1, 2, 3, 5, 4, 6)]
    first = lines[0]
    assert first.name == _entry(entries[1]).person.name
    assert first.details == {
        "event": "管道安装",
        "award": "一等奖",
        "union": "钟山区快递员联合工会",
        "enterprise": "钟山建安公司",
    }
    text = " ".join(line.name + "".join(line.details.values()) for line in lines)
    assert not any(ch.isdigit() for ch in text)  # no ID number, no internal id
    assert AuditEvent.all_objects.filter(action="skills.results.publish").exists()
    # Only once, and only a ranked contest.
    with pytest.raises(DomainError) as again:
        results.results_publish(actor=officer, scope=scope_of(officer), contest=world.contest)
    assert again.value.code == "skills.contest_wrong_state"


def test_publishing_needs_the_organisers_manage_permission(ranked, make_user) -> None:  # type: ignore[no-untyped-def]
    world, _entries = ranked
    below = make_user("zs_officer", ("officer", "520201"))
    with pytest.raises(PermissionDeniedError):
        results.results_publish(actor=below, scope=scope_of(below), contest=world.contest)


def test_an_upheld_objection_takes_the_award_back_and_the_close_makes_the_rest_final(ranked, officer, reviewer) -> None:  # type: ignore[no-untyped-def]
    world, entries = ranked
    contest = _published(world, officer)
    with unscoped():
        line = PublicationEntry.objects.get(publication=contest.publication, subject_id=entries[2].pk)
    objection = notices.objection_record(
        actor=officer,
        scope=scope_of(officer),
        entry=line,
        reason="实操由他人代考",
        raised_by="王先生",
        on=contest.publication.starts_on + timedelta(days=1),
    )
    # Closing waits for the objection.
    with pytest.raises(DomainError) as waiting:
        results.results_close(actor=officer, scope=scope_of(officer), contest=contest)
    assert waiting.value.code == "notices.open_objections"
    assert _reload(world.contest).status == ContestStatus.PUBLISHED
    # An officer may not settle it; the reviewer does.
    with pytest.raises(PermissionDeniedError):
        notices.objection_resolve(actor=officer, scope=scope_of(officer), objection=objection, upheld=True, note="x")
    notices.objection_resolve(
        actor=reviewer, scope=scope_of(reviewer), objection=objection, upheld=True, note="查实代考"
    )
    second = _entry(entries[2])
    assert second.award == "" and second.rank == 2 and second.award_note == "公示异议成立：查实代考"
    results.results_close(actor=officer, scope=scope_of(officer), contest=contest)
    assert _reload(world.contest).status == ContestStatus.FINAL
    assert [e.pk for e in results.winners(world.contest)] == [entries[n].pk for n in (1, 3, 5, 4, 6)]
    assert [_entry(entries[n]).award for n in (1, 3, 5, 4, 6)] == [FIRST, SECOND, THIRD, THIRD, THIRD]
    assert AuditEvent.all_objects.filter(action="skills.results.final").exists()


def test_the_publication_is_not_closed_before_its_period_is_over(ranked, officer) -> None:  # type: ignore[no-untyped-def]
    world, _entries = ranked
    contest = _published(world, officer, start=timezone.localdate())
    with pytest.raises(DomainError) as early:
        results.results_close(actor=officer, scope=scope_of(officer), contest=contest)
    assert early.value.code == "notices.window_not_over"
    assert _reload(world.contest).status == ContestStatus.PUBLISHED


def test_certificates_only_once_final_one_or_all_each_once(ranked, officer) -> None:  # type: ignore[no-untyped-def]
    world, entries = ranked
    with pytest.raises(DomainError) as early:
        results.certificates_for(actor=officer, scope=scope_of(officer), contest=world.contest)
    assert early.value.code == "skills.contest_wrong_state"
    contest = _published(world, officer)
    results.results_close(actor=officer, scope=scope_of(officer), contest=contest)
    one = results.certificates_for(actor=officer, scope=scope_of(officer), contest=contest, entries=[entries[3]])
    assert [c.holder_name for c in one] == [_entry(entries[3]).person.name]
    assert one[0].title == "六盘水市管工职业技能大赛（管道安装）二等奖" and one[0].level == "市级"
    assert one[0].awarding_body == "六盘水市总工会" and one[0].serial == "520200-2026-00001"
    rest = results.certificates_for(actor=officer, scope=scope_of(officer), contest=contest)
    assert len(rest) == 5 and _entry(entries[3]).certificate_id == one[0].pk
    assert results.certificates_for(actor=officer, scope=scope_of(officer), contest=contest) == []
    with unscoped():
        assert Certificate.all_objects.filter(kind=results.KIND).count() == 6
    with pytest.raises(DomainError) as loser:
        results.certificates_for(actor=officer, scope=scope_of(officer), contest=contest, entries=[entries[7]])
    assert loser.value.code == "skills.not_a_winner"


def test_the_certificate_pdf_verifies_by_qr(ranked, officer, login) -> None:  # type: ignore[no-untyped-def]
    world, entries = ranked
    results.results_close(actor=officer, scope=scope_of(officer), contest=_published(world, officer))
    [cert] = results.certificates_for(
        actor=officer, scope=scope_of(officer), contest=world.contest, entries=[entries[1]]
    )
    response = login(officer).get("/notices/certificates/pdf/", {"id": cert.pk})
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    page = login(officer).get(f"/notices/certificates/verify/{cert.token}/")
    assert cert.holder_name in page.content.decode() and "一等奖" in page.content.decode()


def _campaign(tree, org, status_open=True):  # type: ignore[no-untyped-def]
    return campaign_create(
        actor=None,
        scope=None,
        org=org,
        kind=CampaignKind.MAY_DAY_MEDAL,
        title="贵州省五一劳动奖章",
        level="省级",
        awarding_body="贵州省总工会",
        year=2027,
    )


def test_a_final_winner_is_recommended_to_an_honors_campaign_with_the_result_as_facts(ranked, officer, tree) -> None:  # type: ignore[no-untyped-def]
    world, entries = ranked
    campaign = _campaign(tree, tree.province)
    with pytest.raises(DomainError) as early:
        results.winner_recommend(actor=officer, scope=scope_of(officer), entry=entries[1], campaign=campaign)
    assert early.value.code == "skills.contest_wrong_state"
    results.results_close(actor=officer, scope=scope_of(officer), contest=_published(world, officer))
    results.winner_recommend(actor=officer, scope=scope_of(officer), entry=entries[1], campaign=campaign)
    with unscoped():
        nomination = Nomination.all_objects.get(campaign=campaign)
    assert nomination.status == NominationStatus.DRAFT and nomination.org_id == tree.lps.pk
    assert nomination.person_id == _entry(entries[1]).person_id and nomination.front_line
    assert "六盘水市管工职业技能大赛" in nomination.deeds and "总成绩 91.40 分" in nomination.deeds
    assert "一等奖" in nomination.deeds and _entry(entries[1]).nomination_id == nomination.pk
    with pytest.raises(DomainError) as twice:
        results.winner_recommend(actor=officer, scope=scope_of(officer), entry=entries[1], campaign=campaign)
    assert twice.value.code == "skills.already_recommended"
    with pytest.raises(DomainError) as loser:
        results.winner_recommend(actor=officer, scope=scope_of(officer), entry=entries[7], campaign=campaign)
    assert loser.value.code == "skills.not_a_winner"


def test_a_campaign_of_the_organiser_itself_is_nominated_by_the_contestants_union(ranked, make_user, tree) -> None:  # type: ignore[no-untyped-def]
    world, entries = ranked
    officer = make_user("lps_boss", ("officer", "520200"))
    results.results_close(actor=officer, scope=scope_of(officer), contest=_published(world, officer))
    campaign = _campaign(tree, tree.lps)
    results.winner_recommend(actor=officer, scope=scope_of(officer), entry=entries[3], campaign=campaign)
    with unscoped():
        nomination = Nomination.all_objects.get(campaign=campaign)
    assert nomination.org_id == tree.courier_union.pk


def test_a_contestant_withdraws_before_scoring_only(tree, officer) -> None:  # type: ignore[no-untyped-def]
    world = make_contest(tree.lps)
    first, second = (enter(world, member(tree.courier_union, n)) for n in (60, 61))
    results.entry_withdraw(actor=officer, scope=scope_of(officer), entry=first, reason="因病")
    assert _entry(first).status == EntryStatus.WITHDRAWN and _entry(first).withdraw_reason == "因病"
    assert AuditEvent.all_objects.filter(action="skills.entry.withdraw").exists()
    with pytest.raises(DomainError) as again:
        results.entry_withdraw(actor=officer, scope=scope_of(officer), entry=first)
    assert again.value.code == "skills.entry_withdrawn"
    services.scores_enter(
        actor=officer, scope=scope_of(officer), event=world.event, cells=[ScoreCell("t", second.pk, "80")]
    )
    with pytest.raises(DomainError) as scored:
        results.entry_withdraw(actor=officer, scope=scope_of(officer), entry=second)
    assert scored.value.code == "skills.entry_scored"
    # The withdrawn contestant is out of the sheet and the count.
    assert stats_collect([tree.lps.path])["contestants"] == 1
