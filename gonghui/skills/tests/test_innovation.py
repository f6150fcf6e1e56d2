"""Innovation studios (criteria checked from the records), 五小 (the exclusions), activities (check-ins counted)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from gonghui.core.errors import DomainError, PermissionDeniedError
from gonghui.core.scoping import unscoped
from gonghui.core.stats import stats_collect
from gonghui.skills import innovation
from gonghui.skills.innovation import StudioFacts, criteria_for, studio_criteria_unmet
from gonghui.skills.models import InnovationStatus, StudioCriteria, StudioResult, StudioSession
from gonghui.skills.tests.factories import member, scope_of

pytestmark = pytest.mark.django_db

ON = date(2026, 6, 1)
GOOD = StudioFacts(
    leader_honor="provincial_medal",
    years_running=3,
    premises=True,
    equipment=True,
    funds=True,
    rules=True,
    results_with_benefit=3,
    sessions_last_year=2,
    members_promoted=3,
)


def test_the_criteria_of_domain_6_pass_at_their_thresholds_and_fail_one_below() -> None:
    criteria = StudioCriteria(level="province", leader_honors=["provincial_medal", "craftsman"])
    assert studio_criteria_unmet(GOOD, criteria) == []
    worse = StudioFacts(
        leader_honor="city_model", years_running=2, premises=False, equipment=True, funds=False, rules=True,
        results_with_benefit=2, sessions_last_year=1, members_promoted=2,
    )  # fmt: skip
    unmet = studio_criteria_unmet(worse, criteria)
    assert len(unmet) == 6 and "缺少固定场所、经费" in unmet


@pytest.mark.django_db
def test_a_studio_applies_and_is_granted_only_when_its_records_meet_the_level(tree) -> None:  # type: ignore[no-untyped-def]
    studio = innovation.studio_create(
        actor=None, scope=None, org=tree.lps, name="张师傅焊接创新工作室", leader_name="张师傅",
        leader_honor="craftsman", founded_on=date(2022, 5, 1), premises="焊接车间二楼", equipment="焊接机器人 2 台",
        funds_fen=50_000_00, has_rules=True, members=12, members_promoted=3,
    )  # fmt: skip
    refused = innovation.studio_apply(actor=None, scope=None, studio=studio, level="province", on=ON)
    assert refused.granted is False and any("成果 0 项" in u for u in refused.unmet)
    for n in range(3):
        StudioResult.objects.create(studio=studio, title=f"成果{n}", year=2025, benefit_fen=100_000_00)
    for days in (10, 200):
        StudioSession.objects.create(studio=studio, held_on=ON - timedelta(days=days), title="技术交流")
    granted = innovation.studio_apply(actor=None, scope=None, studio=studio, level="province", on=ON)
    studio.refresh_from_db()
    assert granted.granted is True and granted.unmet == [] and studio.level == "province"
    assert criteria_for("province").award_fen == 30_000_00  # DOMAIN §6: ¥30,000
    assert stats_collect([tree.lps.path])["studios"] == 1


def submit(org, title: str = "马铃薯收获机", **kw):  # type: ignore[no-untyped-def]
    values = {
        "kind": "invention", "title": title, "authors": "李村民等 3 人", "year": 2025, "is_team": True,
        "problem": "人工挖马铃薯费时", "solution": "拖拉机牵引的挖掘分离装置", "money_saved_fen": 20_000_00,
        "hours_saved": 600, **kw,
    }  # fmt: skip
    return innovation.innovation_submit(actor=None, scope=None, org=org, **values)


def test_five_small_exclusions_are_all_named_and_a_past_winner_cannot_enter_again(tree) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(DomainError) as refused:
        submit(tree.dingxi, exclusions={"government_funded": True, "already_awarded": True, "secret_or_disputed": True})
    assert set(refused.value.details) == {"government_funded", "already_awarded", "secret_or_disputed"}
    entry = submit(tree.dingxi)
    innovation.innovation_review(actor=None, scope=None, entry=entry, accept=True, award="一等奖")
    with pytest.raises(DomainError) as refused:
        submit(tree.dingxi, title="马铃薯 收获机")
    assert "往届已获奖" in refused.value.details["title"]
    other = submit(tree.dingxi, title="玉米脱粒机")
    with pytest.raises(DomainError):
        innovation.innovation_review(actor=None, scope=None, entry=other, accept=False)  # needs a note
    innovation.innovation_review(actor=None, scope=None, entry=other, accept=False, note="效益不明显")
    other.refresh_from_db()
    assert other.status == InnovationStatus.REJECTED
    assert stats_collect([tree.dingxi.path])["innovations"] == 1  # the turned-down entry is not counted


def test_five_small_needs_the_register_permission(tree, make_user) -> None:  # type: ignore[no-untyped-def]
    viewer = make_user("v", ("viewer", "621100"))
    with pytest.raises(PermissionDeniedError):
        innovation.innovation_submit(
            actor=viewer, scope=scope_of(viewer), org=tree.dingxi, kind="design", title="x", authors="y", year=2025,
            problem="p", solution="s",
        )  # fmt: skip


def test_participations_are_counted_from_check_ins(tree) -> None:  # type: ignore[no-untyped-def]
    today = timezone.localdate()
    activity = innovation.activity_create(
        actor=None, scope=None, org=tree.lps, name="职工篮球赛", kind="sports", held_on=today, capacity=2
    )
    a, b, c = (member(tree.courier_union, n) for n in (1, 2, 3))
    innovation.activity_signup(actor=None, activity=activity, membership=a)
    with pytest.raises(DomainError) as refused:
        innovation.activity_signup(actor=None, activity=activity, membership=a)
    assert refused.value.code == "skills.activity_signed_up"
    innovation.activity_checkin(actor=None, code=activity.checkin_code, membership=a)
    innovation.activity_checkin(actor=None, code=activity.checkin_code, membership=a)  # twice: one participation
    innovation.activity_checkin(actor=None, code=activity.checkin_code, membership=b)  # signs up on the spot
    with pytest.raises(DomainError) as refused:
        innovation.activity_checkin(actor=None, code=activity.checkin_code, membership=c)
    assert refused.value.code == "skills.activity_full"
    with pytest.raises(DomainError):
        innovation.activity_checkin(actor=None, code="wrong", membership=c)
    outsider = member(tree.nanming, 4)
    with pytest.raises(DomainError) as refused:
        innovation.activity_signup(actor=None, activity=activity, membership=outsider)
    assert refused.value.code == "skills.activity_not_under"
    figures = stats_collect([tree.lps.path])
    assert (figures["activities"], figures["activity_participations"]) == (1, 2)
    with unscoped():
        assert stats_collect([tree.dingxi.path])["activity_participations"] == 0
