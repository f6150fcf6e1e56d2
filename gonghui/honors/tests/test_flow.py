"""A nomination passes up the levels under quotas, is reviewed (one person, one step), published,
objected to, and announced: the register, certificates and statistics follow."""

from __future__ import annotations

from datetime import timedelta

import pytest

from gonghui.core.errors import DomainError
from gonghui.core.scoping import unscoped
from gonghui.core.stats import stats_collect
from gonghui.honors.lectures import LectureIn, lecture_record
from gonghui.honors.models import CampaignKind, CampaignStatus, HonorHeld, Nomination, NominationStatus
from gonghui.honors.services import (
    HonorIn,
    campaign_announce,
    campaign_publish,
    honor_record,
    list_figures,
    list_submit,
    nomination_create,
    nomination_review,
)
from gonghui.honors.tests.conftest import HonorWorld
from gonghui.notices import selectors as notices_selectors
from gonghui.notices.models import Certificate, PublicationStatus
from gonghui.notices.services import objection_record, objection_resolve, publication_close

pytestmark = pytest.mark.django_db


def nominate(hw: HonorWorld, i: int, *, front_line: bool = True) -> Nomination:
    return nomination_create(
        **hw.as_("unit"),
        campaign=hw.campaign,
        org=hw.tree.courier_union,
        membership=hw.members[i],
        deeds="配送零差错，疫情期间坚守一线",
        front_line=front_line,
    )


def reload(n: Nomination) -> Nomination:
    with unscoped():
        return Nomination.all_objects.get(pk=n.pk)


def test_the_list_goes_up_only_when_the_quotas_are_met_and_the_refusal_shows_the_figures(hw: HonorWorld) -> None:
    first, _second = nominate(hw, 0), nominate(hw, 1, front_line=False)
    figures = list_figures(hw.campaign, hw.tree.courier_union)
    assert [(f.label, f.have, f.total, f.ok) for f in figures] == [("名额", 2, 2, True), ("一线职工", 1, 2, False)]
    with pytest.raises(DomainError) as refused:
        list_submit(**hw.as_("unit"), campaign=hw.campaign, org=hw.tree.courier_union)
    assert refused.value.code == "honors.quota_not_met"
    assert "一线职工：1/2（50.0%），要求不低于 60%，不符合" in refused.value.message
    assert reload(first).status == NominationStatus.DRAFT
    nominate(hw, 2)
    fourth = nominate(hw, 3)
    with pytest.raises(DomainError) as over:  # 4 nominees for 3 places
        list_submit(**hw.as_("unit"), campaign=hw.campaign, org=hw.tree.courier_union)
    assert "名额：4/4" in over.value.message and "不超过 3 人" in over.value.message
    with unscoped():
        Nomination.all_objects.filter(pk=fourth.pk).update(status=NominationStatus.REJECTED)  # withdrawn, say
    sent = list_submit(**hw.as_("unit"), campaign=hw.campaign, org=hw.tree.courier_union)
    assert len(sent) == 3
    assert {(n.at_org_id, n.status) for n in map(reload, sent)} == {(hw.tree.zhongshan.pk, NominationStatus.SUBMITTED)}


def test_nominees_are_members_below_and_nominated_once(hw: HonorWorld) -> None:
    nominate(hw, 0)
    with pytest.raises(DomainError) as twice:
        nominate(hw, 0)
    assert twice.value.code == "honors.already_nominated"
    with pytest.raises(DomainError) as foreign:
        nomination_create(**hw.as_("foreign"), campaign=hw.campaign, org=hw.tree.courier_union,
                          membership=hw.members[1], deeds="x")  # fmt: skip
    assert foreign.value.code == "permission_denied"
    with pytest.raises(DomainError) as outside:
        nomination_create(**hw.as_("foreign"), campaign=hw.campaign, org=hw.tree.nanming,
                          membership=hw.members[1], deeds="x")  # fmt: skip
    assert outside.value.code == "honors.not_below"


def test_review_steps_and_separation_of_duties(hw: HonorWorld) -> None:
    nominations = [nominate(hw, 0), nominate(hw, 1), nominate(hw, 2)]
    list_submit(**hw.as_("unit"), campaign=hw.campaign, org=hw.tree.courier_union)
    # The city's reviewer may review at the county (their grant covers it) …
    nomination_review(**hw.as_("city_reviewer"), nomination=nominations[0], decision="approve")
    nomination_review(**hw.as_("county_reviewer"), nomination=nominations[1], decision="approve")
    with pytest.raises(DomainError) as noreason:
        nomination_review(**hw.as_("county_reviewer"), nomination=nominations[2], decision="return")
    assert "reason" in noreason.value.details
    returned = nomination_review(
        **hw.as_("county_reviewer"), nomination=nominations[2], decision="return", reason="补充材料"
    )
    assert (returned.status, returned.at_org_id) == (NominationStatus.RETURNED, hw.tree.courier_union.pk)
    with pytest.raises(DomainError) as unit_reviews:
        nomination_review(**hw.as_("unit"), nomination=nominations[0], decision="approve")
    assert unit_reviews.value.code in ("permission_denied", "honors.wrong_status")
    # The county passes its list up (2 of 3 places; 2/2 front-line).
    list_submit(**hw.as_("county_officer"), campaign=hw.campaign, org=hw.tree.zhongshan)
    assert reload(nominations[0]).at_org_id == hw.tree.lps.pk
    # … but not again at the city: one person, one step of a nomination.
    with pytest.raises(DomainError) as same:
        nomination_review(**hw.as_("city_reviewer"), nomination=nominations[0], decision="approve")
    assert same.value.code == "honors.same_person"
    assert reload(nominations[0]).status == NominationStatus.SUBMITTED
    nomination_review(**hw.as_("city_reviewer2"), nomination=nominations[0], decision="approve")
    rejected = nomination_review(
        **hw.as_("city_reviewer"), nomination=nominations[1], decision="reject", reason="事迹不突出"
    )
    assert rejected.status == NominationStatus.REJECTED
    with pytest.raises(DomainError) as again:
        nomination_review(**hw.as_("city_reviewer2"), nomination=nominations[1], decision="approve")
    assert again.value.code == "honors.wrong_status"


def test_publish_object_close_and_announce(hw: HonorWorld) -> None:
    nominations = [nominate(hw, 0), nominate(hw, 1), nominate(hw, 2)]
    list_submit(**hw.as_("unit"), campaign=hw.campaign, org=hw.tree.courier_union)
    for n in nominations:
        nomination_review(**hw.as_("county_reviewer"), nomination=n, decision="approve")
    list_submit(**hw.as_("county_officer"), campaign=hw.campaign, org=hw.tree.zhongshan)
    for n in nominations:
        nomination_review(**hw.as_("city_reviewer"), nomination=n, decision="approve")
    campaign = campaign_publish(**hw.as_("city_officer"), campaign=hw.campaign, days=5)
    assert campaign.status == CampaignStatus.PUBLISHED and campaign.publication is not None
    publication = campaign.publication
    assert publication.contact_phone == "0858-8221234" and publication.day_basis == "working"
    entries = list(notices_selectors.listed_entries(publication))
    assert [e.name for e in entries] == ["吴师傅", "周师傅", "陈师傅"]  # by union, then name
    with pytest.raises(DomainError) as early:
        campaign_announce(**hw.as_("city_officer"), campaign=campaign)
    assert early.value.code == "honors.not_announceable"
    objection = objection_record(**hw.as_("city_officer"), entry=entries[1], reason="非一线职工", raised_by="匿名")
    objection_resolve(**hw.as_("city_reviewer"), objection=objection, upheld=True, note="经核实为站点负责人")
    assert reload(nominations[1]).status == NominationStatus.REJECTED
    publication_close(**hw.as_("city_officer"), publication=publication, on=publication.ends_on + timedelta(1))
    publication.refresh_from_db()
    assert publication.status == PublicationStatus.CLOSED
    held = campaign_announce(**hw.as_("city_officer"), campaign=campaign)
    assert sorted(h.holder_name for h in held) == ["吴师傅", "陈师傅"]
    with unscoped():
        certificates = list(Certificate.all_objects.filter(kind="honors").order_by("serial"))
        assert [c.serial for c in certificates] == ["520200-2026-00001", "520200-2026-00002"]
        assert {h.certificate_id for h in HonorHeld.all_objects.all()} == {c.pk for c in certificates}
    assert reload(nominations[0]).status == NominationStatus.AWARDED
    figures = stats_collect([hw.tree.zhongshan.path])
    assert (figures["honors_awarded"], figures["honors_front_line_share"]) == (2, 1.0)
    assert stats_collect([hw.tree.nanming.path])["honors_awarded"] == 0


def test_the_register_statistics_and_lectures(hw: HonorWorld) -> None:
    hw.members[0].person.new_employment_type = "01"
    hw.members[0].person.save(update_fields=["new_employment_type"])
    medal = honor_record(
        **hw.as_("city_officer"), membership=hw.members[0],
        honor=HonorIn(CampaignKind.MAY_DAY_MEDAL, "贵州省五一劳动奖章", "省级", "贵州省总工会", 2025, front_line=True),
    )  # fmt: skip
    honor_record(
        **hw.as_("city_officer"), membership=hw.members[1],
        honor=HonorIn(CampaignKind.MODEL_WORKER, "六盘水市劳动模范", "市级", "六盘水市人民政府", 2024),
    )  # fmt: skip
    with pytest.raises(DomainError) as foreign:
        honor_record(**hw.as_("foreign"), membership=hw.members[2],
                     honor=HonorIn(CampaignKind.OWN, "x", "区级", "x", 2025))  # fmt: skip
    assert foreign.value.code == "permission_denied"
    lecture_record(**hw.as_("city_officer"), org=hw.tree.zhongshan, speaker_id=medal.person_id,
                   facts=LectureIn(medal.created_at.date(), "钟山区快递服务中心", 120))  # fmt: skip
    figures = stats_collect([hw.tree.lps.path])
    assert {k: figures[k] for k in ("honors_awarded", "honors_front_line_share", "honors_new_employment",
                                    "medals_new_employment", "model_workers", "lectures", "lecture_audience")} == {
        "honors_awarded": 2, "honors_front_line_share": 0.5, "honors_new_employment": 1,
        "medals_new_employment": 1, "model_workers": 2, "lectures": 1, "lecture_audience": 120,
    }  # fmt: skip
