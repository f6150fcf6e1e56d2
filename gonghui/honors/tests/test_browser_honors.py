"""Browser test, end to end: a grassroots union nominates for the province's 最美劳动者; its list is
refused with the quota's figures until it meets them; the city reviews and passes its list up; the
province reviews, publishes (公示), ends the 公示 and announces; a certificate's QR code opens its
public page, which shows the name, the honor and the year only."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, Playwright, expect

from gonghui.conftest import build_tree, make_org
from gonghui.core.scoping import unscoped
from gonghui.core.tests.browser import SHOTS, open_nav
from gonghui.honors.models import Campaign, CampaignKind, HonorHeld
from gonghui.honors.quotas import Rule
from gonghui.honors.services import campaign_create
from gonghui.members.models import Membership
from gonghui.members.tests.factories import id_number, register
from gonghui.members.tests.test_browser_members import Pages
from gonghui.notices.certificates import certificates_html, qr_data_uri, verification_url
from gonghui.notices.models import Certificate, Publication
from gonghui.orgs.models import OrgKind

pytestmark = pytest.mark.browser


@pytest.fixture
def world(transactional_db: None, make_user: Any) -> dict[str, Any]:
    tree = build_tree()
    steel = make_org("520200G801", "六盘水钢铁公司工会", OrgKind.GRASSROOTS, tree.lps, region_code="520200")
    make_user("steel_officer", ("officer", "520200G801"))
    make_user("lps_reviewer", ("reviewer", "520200"))
    make_user("lps_officer", ("officer", "520200"))
    make_user("gz_reviewer", ("reviewer", "520000"))
    province = make_user("gz_officer", ("officer", "520000"))
    from gonghui.accounts.scope import scope_for_user

    campaign = campaign_create(
        actor=province, scope=scope_for_user(province), org=tree.province, kind=CampaignKind.MOST_BEAUTIFUL,
        title="贵州省最美劳动者", level="省级", awarding_body="贵州省总工会", year=timezone.localdate().year,
        places_default=3, rules=[Rule("front_line", "min_share", share=Decimal("0.6"))],
    )  # fmt: skip
    members = [
        register(steel, id_number(700 + i, area="520201"), name=name, employer="首钢水城钢铁公司")
        for i, name in enumerate(["罗炉长", "杨会计", "田焊工"])
    ]
    return {"campaign": campaign, "members": members}


@pytest.fixture
def pages(pw: Playwright, browser: Browser, live_server: Any) -> Iterator[Pages]:
    phone = {k: v for k, v in pw.devices["iPhone 13"].items() if k != "default_browser_type"}
    p = Pages(browser, live_server.url, phone)
    yield p
    p.close()
    assert not p.js_errors, p.js_errors


def nominate(page: Page, member: Membership, *, front_line: bool) -> None:
    page.get_by_test_id("nominate").click()
    page.get_by_label("推荐工会代码").fill("520200G801")
    page.get_by_label("会员编号或证件号码").fill(member.person.member_no or "")
    page.get_by_label("主要事迹").fill("扎根一线二十年，带头攻克高炉长寿技术难题")
    if front_line:
        page.get_by_label("一线职工").check()
    page.get_by_test_id("submit").click()
    expect(page.get_by_text(f"已推荐{member.person.name}。")).to_be_visible()


def review_all(page: Page, campaign: Campaign, names: list[str]) -> None:
    for name in names:
        page.goto(f"/honors/{campaign.pk}/")
        page.get_by_test_id("nominations").get_by_role("link", name=name).click()
        page.get_by_label("审核结论").select_option(label="审核通过")
        page.get_by_test_id("review").click()
        expect(page.get_by_test_id("nomination-status")).to_have_text("审核通过")


def test_a_nomination_from_a_grassroots_union_to_the_provinces_certificate(
    world: dict[str, Any], pages: Pages, live_server: Any
) -> None:
    campaign: Campaign = world["campaign"]
    luo, yang, tian = world["members"]

    # The grassroots union nominates two; one is not front-line: the list is refused with the figures.
    unit = pages.desktop("steel_officer")
    open_nav(unit, "评选表彰")
    unit.get_by_role("link", name=str(campaign)).click()
    nominate(unit, luo, front_line=True)
    nominate(unit, yang, front_line=False)
    figures = unit.get_by_test_id("figures-520200G801")
    expect(figures).to_contain_text("一线职工：1/2（50.0%），要求不低于 60%，不符合")
    unit.get_by_test_id("submit-520200G801").click()
    expect(
        unit.get_by_text("上报名单不符合名额和比例要求：一线职工：1/2（50.0%），要求不低于 60%，不符合")
    ).to_be_visible()
    expect(unit.get_by_test_id("nominations")).to_contain_text("待上报")
    # A third, front-line: 2/3 meets 60%, and the list goes up to the city.
    nominate(unit, tian, front_line=True)
    expect(figures).to_contain_text("一线职工：2/3（66.7%），要求不低于 60%，符合")
    unit.get_by_test_id("submit-520200G801").click()
    expect(unit.get_by_text("六盘水钢铁公司工会的推荐名单已上报。")).to_be_visible()
    expect(unit.get_by_test_id("nominations")).to_contain_text("六盘水市总工会")

    # The city reviews each and passes its list up to the province.
    review_all(pages.desktop("lps_reviewer"), campaign, ["罗炉长", "杨会计", "田焊工"])
    city = pages.desktop("lps_officer")
    city.goto(f"/honors/{campaign.pk}/")
    expect(city.get_by_test_id("figures-520200")).to_contain_text("一线职工：2/3（66.7%）")
    city.get_by_test_id("submit-520200").click()
    expect(city.get_by_text("六盘水市总工会的推荐名单已上报。")).to_be_visible()

    # The province reviews (another person than the city's reviewer) and publishes.
    review_all(pages.desktop("gz_reviewer"), campaign, ["罗炉长", "杨会计", "田焊工"])
    province = pages.desktop("gz_officer")
    province.goto(f"/honors/{campaign.pk}/")
    form = province.get_by_test_id("publish-form")
    form.get_by_label("公示天数").fill("5")
    province.get_by_test_id("publish").click()
    expect(province.get_by_test_id("campaign-status")).to_have_text("公示中")
    province.get_by_test_id("publication-link").click()
    expect(province.get_by_role("cell", name="罗炉长")).to_be_visible()
    expect(province.get_by_role("cell", name="首钢水城钢铁公司").first).to_be_visible()
    assert id_number(700, area="520201") not in province.content()
    SHOTS.mkdir(parents=True, exist_ok=True)
    province.screenshot(path=str(SHOTS / "honors-publication.png"), full_page=True)

    # The 公示 ran its period (moved back as if days had passed); the province ends it and announces.
    with unscoped():
        today = timezone.localdate()
        Publication.all_objects.filter(pk=Campaign.all_objects.get(pk=campaign.pk).publication_id).update(
            starts_on=today - timedelta(days=12), ends_on=today - timedelta(days=1)
        )
    province.goto(f"/honors/{campaign.pk}/")
    expect(province.get_by_test_id("announce")).to_have_count(0)
    province.get_by_test_id("close").click()
    expect(province.get_by_text("公示已结束。")).to_be_visible()
    province.get_by_test_id("announce").click()
    expect(province.get_by_test_id("campaign-status")).to_have_text("已公布")
    with province.expect_download() as download:
        province.get_by_test_id("certificates").click()
    assert download.value.path().read_bytes().startswith(b"%PDF")
    with unscoped():
        assert sorted(HonorHeld.all_objects.values_list("holder_name", flat=True)) == ["杨会计", "田焊工", "罗炉长"]
        certificate = Certificate.all_objects.get(holder_name="罗炉长")

    # The certificate's QR code holds its verification address; anyone opening it sees name, honor, year.
    url = verification_url(certificate, live_server.url)
    assert qr_data_uri(url) in certificates_html([certificate], base_url=live_server.url)
    visitor = pages.phone()
    visitor.goto(url)
    expect(visitor.get_by_test_id("verify-name")).to_have_text("罗炉长")
    expect(visitor.get_by_test_id("verify-honor")).to_have_text("省级贵州省最美劳动者")
    expect(visitor.get_by_test_id("verify-year")).to_have_text(str(campaign.year))
    shown = visitor.get_by_test_id("certificate-verified").inner_text()
    for private in ("首钢水城钢铁公司", "六盘水钢铁公司工会", "高炉", id_number(700, area="520201")[-6:]):
        assert private not in shown
