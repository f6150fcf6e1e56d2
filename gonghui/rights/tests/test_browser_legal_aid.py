"""Browser test: the county turns a 12351 case into legal aid from the case page (a lawyer of the
city's roster), records the arbitration hearing and closes it with the amount recovered; the city
records a 法律体检 visit with two issues and follows one up."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Playwright, expect

from gonghui.accounts.scope import scope_for_user
from gonghui.conftest import build_tree
from gonghui.core.tests.browser import open_nav
from gonghui.members.tests.test_browser_members import Pages
from gonghui.rights import services
from gonghui.rights.models import LegalAidMatter, VisitIssue
from gonghui.rights.tests.factories import take_call
from gonghui.rights.tests.legal_factories import USCC, add_lawyer

pytestmark = pytest.mark.browser


@pytest.fixture
def world(transactional_db: None, make_user: Any) -> dict[str, Any]:
    tree = build_tree()
    users = {
        name: make_user(name, grant)
        for name, grant in (
            ("gz_op", ("officer", "520000")),
            ("lps_off", ("officer", "520200")),
            ("zs_off", ("officer", "520201")),
        )
    }
    case = take_call(users["gz_op"], tree.province)
    for who, to in (("gz_op", tree.lps), ("lps_off", tree.zhongshan)):
        case = services.case_hand_down(actor=users[who], scope=scope_for_user(users[who]), case=case, to_org=to)
    add_lawyer(tree.lps)
    return {"tree": tree, "case": case}


@pytest.fixture
def pages(pw: Playwright, browser: Browser, live_server: Any) -> Iterator[Pages]:
    p = Pages(browser, live_server.url, {})
    yield p
    p.close()
    assert not p.js_errors, p.js_errors


def test_legal_aid_from_a_case_to_its_closing_and_a_visit(world: dict[str, Any], pages: Pages) -> None:
    case = world["case"]
    county = pages.desktop("zs_off")
    county.goto(f"/rights/cases/{case.pk}/")
    county.get_by_test_id("open-aid").click()
    county.get_by_label("援助形式").fill("劳动仲裁")
    county.get_by_label("受理援助日期").fill("2026-03-02")
    county.get_by_test_id("submit").click()
    expect(county.get_by_test_id("error-lawyer")).to_be_visible()  # no lawyer chosen: named, the rest kept
    expect(county.get_by_label("援助形式")).to_have_value("劳动仲裁")
    county.get_by_label("承办律师").select_option(label="李明（贵州黔正律师事务所，六盘水市总工会）")
    county.get_by_test_id("submit").click()
    expect(county.get_by_test_id("status")).to_have_text("援助中")
    hearing = county.get_by_test_id("hearing-form")
    hearing.get_by_label("日期").fill("2026-03-20")
    hearing.get_by_label("机构").fill("钟山区劳动人事争议仲裁委员会")
    county.get_by_test_id("submit-hearing").click()
    expect(county.get_by_test_id("hearings")).to_contain_text("钟山区劳动人事争议仲裁委员会")
    close = county.get_by_test_id("close-form")
    close.get_by_label("结案日期").fill("2026-04-01")
    close.get_by_label("为职工挽回金额（元）").fill("8,600.50")
    close.get_by_label("结案情况").fill("仲裁调解，企业当庭支付")
    county.get_by_test_id("submit-close").click()
    expect(county.get_by_test_id("status")).to_have_text("已结案")
    expect(county.get_by_test_id("recovered")).to_have_text("8600.50 元")
    assert LegalAidMatter.all_objects.get().recovered_fen == 860_050
    county.goto(f"/rights/cases/{case.pk}/")
    expect(county.get_by_test_id("case-legal-aid")).to_contain_text("仲裁代理")

    city = pages.desktop("lps_off")
    open_nav(city, "律师进企业")
    city.get_by_test_id("new-visit").click()
    city.get_by_label("律师").select_option(label="李明（贵州黔正律师事务所，六盘水市总工会）")
    city.get_by_label("企业名称").fill("六盘水某煤业有限公司")
    city.get_by_label("统一社会信用代码").fill(USCC)
    city.get_by_label("体检日期").fill("2026-03-05")
    city.get_by_label("发现的问题").fill("1. 劳动合同未约定工作时间\n2. 未足额缴纳工伤保险")
    city.get_by_test_id("submit").click()
    first = city.get_by_test_id("issue-1")
    expect(first).to_contain_text("劳动合同未约定工作时间")
    first.get_by_label("整改状态").select_option(label="已整改")
    first.get_by_label("跟进说明").fill("已修订合同模板")
    first.get_by_role("button", name="保存").click()
    expect(city.get_by_test_id("issue-1")).to_contain_text("已修订合同模板")
    assert sorted(VisitIssue.objects.values_list("status", flat=True)) == ["fixed", "fixing"]
