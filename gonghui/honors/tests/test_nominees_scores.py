"""Collective nominees (五一劳动奖状, 工人先锋号: a union or a team), the campaign's own questions, and
weighted scoring by several reviewers with conflicts of interest, one person one step."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from gonghui.core.errors import DomainError
from gonghui.core.scoping import unscoped
from gonghui.honors.formfields import FieldSpec
from gonghui.honors.models import Campaign, CampaignKind, HonorHeld, Nomination, NominationStatus, Score
from gonghui.honors.quotas import Rule
from gonghui.honors.services import (
    answers_shown,
    campaign_announce,
    campaign_create,
    campaign_publish,
    collective_nominate,
    conflict_declare,
    criteria_set,
    level_ranking,
    list_figures,
    list_submit,
    nomination_create,
    nomination_review,
    nomination_score,
)
from gonghui.honors.tests.conftest import HonorWorld
from gonghui.notices.models import Certificate
from gonghui.notices.services import publication_close

pytestmark = pytest.mark.django_db


def award_campaign(hw: HonorWorld, **extra: object) -> Campaign:
    return campaign_create(
        **hw.as_("city_officer"), org=hw.tree.lps, kind=CampaignKind.MAY_DAY_AWARD, title="六盘水市五一劳动奖状",
        level="市级", awarding_body="六盘水市总工会", year=2026, places_default=2, **extra,  # type: ignore[arg-type]
    )  # fmt: skip


def reload(n: Nomination) -> Nomination:
    with unscoped():
        return Nomination.all_objects.get(pk=n.pk)


def test_a_collective_honor_goes_to_a_union_or_a_team_of_the_nominators_part_of_the_tree(hw: HonorWorld) -> None:
    with pytest.raises(DomainError) as quotas:
        award_campaign(hw, rules=[Rule("front_line", "min_share", share=Decimal("0.85"))])
    assert quotas.value.code == "honors.collective_quota"
    campaign = award_campaign(hw)
    unit, courier = hw.as_("unit"), hw.tree.courier_union
    union = collective_nominate(**unit, campaign=campaign, org=courier, union=courier, deeds="全年零投诉")
    team = collective_nominate(
        **unit, campaign=campaign, org=courier, union=courier, team_name=" 城东  配送站班组 ", deeds="攻坚"
    )
    assert (union.nominee_type, union.nominee_name, union.collective_org_id) == (
        "union",
        "钟山区快递员联合工会",
        courier.pk,
    )
    assert (team.nominee_type, team.nominee_name, team.team_name) == ("team", "城东 配送站班组", "城东 配送站班组")
    with pytest.raises(DomainError) as twice:
        collective_nominate(
            **unit, campaign=campaign, org=courier, union=courier, team_name="城东 配送站班组", deeds="x"
        )
    assert twice.value.code == "honors.already_nominated"
    # A union outside the nominator's subtree (the city's sector federation beside the county) is refused.
    with pytest.raises(DomainError) as outside:
        collective_nominate(**hw.as_("county_officer"), campaign=campaign, org=hw.tree.zhongshan,
                            union=hw.tree.express_federation, deeds="x")  # fmt: skip
    assert outside.value.code == "honors.collective_not_below"
    with pytest.raises(DomainError) as person:
        nomination_create(**unit, campaign=campaign, org=courier, membership=hw.members[0], deeds="x")
    assert person.value.code == "honors.collective_only"
    with pytest.raises(DomainError) as not_collective:
        collective_nominate(**unit, campaign=hw.campaign, org=courier, union=courier, deeds="x")
    assert not_collective.value.code == "honors.person_only"

    # Two collectives fill the two places; no person quotas.
    assert [(f.label, f.have, f.ok) for f in list_figures(campaign, courier)] == [("名额", 2, True)]
    list_submit(**unit, campaign=campaign, org=courier)
    for n in (union, team):
        nomination_review(**hw.as_("county_reviewer"), nomination=n, decision="approve")
    list_submit(**hw.as_("county_officer"), campaign=campaign, org=hw.tree.zhongshan)
    for n in (union, team):
        nomination_review(**hw.as_("city_reviewer"), nomination=n, decision="approve")
    campaign = campaign_publish(**hw.as_("city_officer"), campaign=campaign, days=5)
    assert campaign.publication is not None
    publication_close(**hw.as_("city_officer"), publication=campaign.publication,
                      on=campaign.publication.ends_on + timedelta(1))  # fmt: skip
    campaign_announce(**hw.as_("city_officer"), campaign=campaign)
    with unscoped():
        # Certificates in the collectives' names; the register (members' honors) is untouched.
        assert sorted(Certificate.all_objects.values_list("holder_name", flat=True)) == [
            "城东 配送站班组",
            "钟山区快递员联合工会",
        ]
        assert HonorHeld.all_objects.count() == 0
    assert reload(team).status == NominationStatus.AWARDED


def test_a_mixed_list_counts_its_people_for_the_shares_and_everyone_for_the_places(hw: HonorWorld) -> None:
    # A list can hold collectives beside people only by data made before the rule; the arithmetic still holds.
    person = nomination_create(**hw.as_("unit"), campaign=hw.campaign, org=hw.tree.courier_union,
                               membership=hw.members[0], deeds="x", front_line=True)  # fmt: skip
    with unscoped():
        Nomination.all_objects.create(
            campaign=hw.campaign, org=hw.tree.courier_union, org_path=hw.tree.courier_union.path,
            at_org=hw.tree.courier_union, at_path=hw.tree.courier_union.path, nominee_type="team",
            collective_org=hw.tree.courier_union, team_name="班组", nominee_name="班组", deeds="x",
        )  # fmt: skip
    figures = list_figures(hw.campaign, hw.tree.courier_union)
    assert [(f.label, f.have, f.total, f.ok) for f in figures] == [("名额", 2, 2, True), ("一线职工", 1, 1, True)]
    assert person.status == NominationStatus.DRAFT


def test_the_campaigns_own_questions_are_checked_together_and_stored(hw: HonorWorld) -> None:
    campaign = campaign_create(
        **hw.as_("city_officer"), org=hw.tree.lps, kind=CampaignKind.MOST_BEAUTIFUL, title="最美快递员", level="市级",
        awarding_body="六盘水市总工会", year=2026,
        fields=[FieldSpec("技能等级", "choice", True, ("中级工", "高级工")), FieldSpec("从业年限", "number", True),
                FieldSpec("入职日期", "date", False)],
    )  # fmt: skip
    args = {**hw.as_("unit"), "campaign": campaign, "org": hw.tree.courier_union, "membership": hw.members[0]}
    with pytest.raises(DomainError) as bad:
        nomination_create(**args, deeds="x", answers={"技能等级": "特级", "入职日期": "昨天"})
    assert bad.value.code == "honors.answers_invalid"
    assert bad.value.message == (
        "推荐表附加项有误：技能等级：应为以下之一：中级工、高级工；"
        "从业年限：请填写从业年限；入职日期：应为日期，如 2026-05-01"
    )
    with unscoped():
        assert not Nomination.all_objects.filter(campaign=campaign).exists()
    n = nomination_create(**args, deeds="x", answers={"技能等级": "高级工", "从业年限": "8", "入职日期": "2018/3/1"})
    assert answers_shown(reload(n)) == [("技能等级", "高级工"), ("从业年限", "8"), ("入职日期", "2018-03-01")]


@pytest.fixture
def scored(hw: HonorWorld, make_user: object) -> HonorWorld:
    """Three nominations at the county, whose level scores by 事迹 60% and 贡献 40%."""
    hw.users["county_reviewer2"] = make_user("zs_reviewer2", ("reviewer", "520201"))  # type: ignore[operator]
    # A reviewer of the county who is also an officer of the nominating union: never neutral on its nominees.
    hw.users["insider"] = make_user("zs_insider", ("reviewer", "520201"), ("officer", "520201G001"))  # type: ignore[operator]
    from gonghui.accounts.scope import scope_for_user

    for who in ("county_reviewer2", "insider"):
        hw.scopes[who] = scope_for_user(hw.users[who])
    for i in range(3):
        nomination_create(**hw.as_("unit"), campaign=hw.campaign, org=hw.tree.courier_union,
                          membership=hw.members[i], deeds="x", front_line=True)  # fmt: skip
    list_submit(**hw.as_("unit"), campaign=hw.campaign, org=hw.tree.courier_union)
    return hw


def nominations(hw: HonorWorld) -> list[Nomination]:
    with unscoped():
        return list(Nomination.all_objects.filter(campaign=hw.campaign).order_by("pk"))


def test_criteria_weights_must_sum_to_100_and_stay_once_scoring_starts(scored: HonorWorld) -> None:
    hw = scored
    with pytest.raises(DomainError) as off:
        criteria_set(**hw.as_("county_officer"), campaign=hw.campaign, org=hw.tree.zhongshan,
                     criteria=[("事迹", 60), ("贡献", 30)])  # fmt: skip
    assert off.value.code == "honors.criteria_invalid" and "现为 90" in off.value.message
    with pytest.raises(DomainError) as foreign:
        criteria_set(**hw.as_("foreign"), campaign=hw.campaign, org=hw.tree.zhongshan, criteria=[("事迹", 100)])
    assert foreign.value.code == "permission_denied"
    with pytest.raises(DomainError) as none:
        nomination_score(**hw.as_("county_reviewer"), nomination=nominations(hw)[0], marks={})
    assert none.value.code == "honors.no_criteria"
    crit = criteria_set(**hw.as_("county_officer"), campaign=hw.campaign, org=hw.tree.zhongshan,
                        criteria=[("事迹", 60), ("贡献", 40)])  # fmt: skip
    with pytest.raises(DomainError) as missing:
        nomination_score(**hw.as_("county_reviewer"), nomination=nominations(hw)[0], marks={crit[0].pk: 90})
    assert missing.value.code == "honors.marks_invalid" and "贡献" in missing.value.message
    nomination_score(**hw.as_("county_reviewer"), nomination=nominations(hw)[0], marks={crit[0].pk: 90, crit[1].pk: 80})
    with pytest.raises(DomainError) as in_use:
        criteria_set(**hw.as_("county_officer"), campaign=hw.campaign, org=hw.tree.zhongshan, criteria=[("事迹", 100)])
    assert in_use.value.code == "honors.criteria_in_use"


def test_several_reviewers_combine_conflicts_refuse_and_the_ranking_follows(scored: HonorWorld) -> None:
    hw = scored
    first, second, third = nominations(hw)
    crit = criteria_set(**hw.as_("county_officer"), campaign=hw.campaign, org=hw.tree.zhongshan,
                        criteria=[("事迹", 60), ("贡献", 40)])  # fmt: skip
    a, b = crit[0].pk, crit[1].pk
    nomination_score(**hw.as_("county_reviewer"), nomination=first, marks={a: 90, b: 80})  # 86
    nomination_score(**hw.as_("county_reviewer2"), nomination=first, marks={a: 70, b: 100})  # 82
    nomination_score(**hw.as_("county_reviewer"), nomination=second, marks={a: 84, b: 84})  # 84
    nomination_score(**hw.as_("county_reviewer"), nomination=second, marks={a: 100, b: 100})  # replaces: 100
    # A declared conflict: that reviewer may not score the nomination.
    conflict_declare(**hw.as_("county_reviewer2"), nomination=second, reason="被推荐人系本人亲属")
    with pytest.raises(DomainError) as declared:
        nomination_score(**hw.as_("county_reviewer2"), nomination=second, marks={a: 100, b: 100})
    assert declared.value.code == "honors.conflict"
    # Automatic: the insider holds a grant at the nominating union.
    with pytest.raises(DomainError) as insider:
        nomination_score(**hw.as_("insider"), nomination=third, marks={a: 100, b: 100})
    assert insider.value.code == "honors.conflict"
    # The nominator never scores their own nominee.
    with pytest.raises(DomainError):
        nomination_score(**hw.as_("unit"), nomination=third, marks={a: 100, b: 100})
    ranked = level_ranking(hw.campaign, hw.tree.zhongshan)
    assert [(r.rank, r.nomination.pk, r.combined, r.reviewers, r.conflicts) for r in ranked] == [
        (1, second.pk, Decimal("100.00"), 1, 1),
        (2, first.pk, Decimal("84.00"), 2, 0),
        (None, third.pk, None, 0, 0),
    ]
    assert Score.objects.filter(nomination=second, conflict=True).count() == 1


def test_one_person_does_not_score_or_review_at_two_levels(scored: HonorWorld) -> None:
    hw = scored
    first = nominations(hw)[0]
    crit = criteria_set(**hw.as_("county_officer"), campaign=hw.campaign, org=hw.tree.zhongshan,
                        criteria=[("事迹", 100)])  # fmt: skip
    # The city's reviewer (their grant covers the county) scores at the county …
    nomination_score(**hw.as_("city_reviewer"), nomination=first, marks={crit[0].pk: 95})
    # … and may approve at that same level (the same step) …
    nomination_review(**hw.as_("city_reviewer"), nomination=first, decision="approve")
    for n in nominations(hw)[1:]:
        nomination_review(**hw.as_("county_reviewer"), nomination=n, decision="approve")
    list_submit(**hw.as_("county_officer"), campaign=hw.campaign, org=hw.tree.zhongshan)
    city = criteria_set(**hw.as_("city_officer"), campaign=hw.campaign, org=hw.tree.lps, criteria=[("事迹", 100)])
    # … but neither scores nor reviews it again at the city.
    with pytest.raises(DomainError) as score_again:
        nomination_score(**hw.as_("city_reviewer"), nomination=reload(first), marks={city[0].pk: 95})
    assert score_again.value.code == "honors.same_person"
    with pytest.raises(DomainError) as review_again:
        nomination_review(**hw.as_("city_reviewer"), nomination=reload(first), decision="approve")
    assert review_again.value.code == "honors.same_person"
    # A county reviewer who only scored (and did not review) is held to the county too.
    second = nominations(hw)[1]
    with unscoped():
        Score.objects.create(nomination=second, org=hw.tree.zhongshan, reviewer=hw.users["city_reviewer2"],
                             marks={}, total=Decimal("50"))  # fmt: skip
    with pytest.raises(DomainError) as scored_below:
        nomination_review(**hw.as_("city_reviewer2"), nomination=reload(second), decision="approve")
    assert scored_below.value.code == "honors.same_person"
    nomination_score(**hw.as_("city_reviewer2"), nomination=reload(first), marks={city[0].pk: 88})
    assert next(r.combined for r in level_ranking(hw.campaign, hw.tree.lps)) == Decimal("88.00")


def test_a_foreign_reviewer_cannot_score_or_declare(scored: HonorWorld) -> None:
    hw = scored
    first = nominations(hw)[0]
    crit = criteria_set(**hw.as_("county_officer"), campaign=hw.campaign, org=hw.tree.zhongshan,
                        criteria=[("事迹", 100)])  # fmt: skip
    for call in (
        lambda: nomination_score(**hw.as_("foreign"), nomination=first, marks={crit[0].pk: 1}),
        lambda: conflict_declare(**hw.as_("foreign"), nomination=first, reason="x"),
    ):
        with pytest.raises(DomainError) as refused:
            call()
        assert refused.value.code == "permission_denied"
    assert not Score.objects.exists()
