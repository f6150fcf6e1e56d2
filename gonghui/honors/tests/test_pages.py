"""Honors' pages and API: each caller answered as they should (a foreign id is a 404, a refusal changes
nothing), the live quota figures and the refusal with them, a review by form, attachments checked by
content, the register on the member's page."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from gonghui.core.scoping import unscoped
from gonghui.core.tests.clients import client as new_client
from gonghui.honors.models import (
    Attachment,
    Campaign,
    Criterion,
    HonorHeld,
    Nomination,
    NominationStatus,
    Review,
    Score,
)
from gonghui.honors.services import HonorIn, honor_record, list_submit, nomination_create
from gonghui.honors.tests.conftest import HonorWorld

pytestmark = pytest.mark.django_db
LOGIN = "login"


def nominate(hw: HonorWorld, i: int, *, front_line: bool = True) -> Nomination:
    return nomination_create(
        **hw.as_("unit"), campaign=hw.campaign, org=hw.tree.courier_union, membership=hw.members[i],
        deeds="配送零差错", front_line=front_line,
    )  # fmt: skip


@pytest.fixture
def clients(hw: HonorWorld) -> dict[str, Client]:
    out = {"anonymous": new_client()}
    for who in ("unit", "county_reviewer", "city_officer", "viewer", "foreign"):
        c = new_client()
        c.force_login(hw.users[who])
        out[who] = c
    return out


def state() -> tuple[Any, ...]:
    with unscoped():
        return (
            sorted(Nomination.all_objects.values_list("pk", "status", "at_org_id")),
            Review.objects.count(),
            HonorHeld.all_objects.count(),
            Score.objects.count(),
            Criterion.objects.count(),
        )


def expect(resp: Any, expected: int | str, who: str, url: str) -> None:
    if expected == LOGIN:
        assert resp.status_code == 302 and resp["Location"].startswith("/accounts/login/"), (who, url)
    else:
        assert resp.status_code == expected, (who, url, resp.status_code)


def test_every_page_answers_each_caller_as_it_should(hw: HonorWorld, clients: dict[str, Client]) -> None:
    n = nominate(hw, 0)
    c = hw.campaign.pk
    gets = {
        "/honors/": (LOGIN, 200, 200, 200, 200, 200),
        "/honors/new/": (LOGIN, 200, 403, 200, 403, 200),  # a union's own honors
        "/honors/register/": (LOGIN, 200, 200, 200, 200, 200),
        f"/honors/{c}/": (LOGIN, 200, 200, 200, 200, 404),
        f"/honors/{c}/nominate/": (LOGIN, 200, 403, 200, 403, 404),
        f"/honors/nominations/{n.pk}/": (LOGIN, 200, 200, 200, 200, 404),
    }
    callers = ("anonymous", "unit", "county_reviewer", "city_officer", "viewer", "foreign")
    for url, statuses in gets.items():
        for who, expected in zip(callers, statuses, strict=True):
            expect(clients[who].get(url), expected, who, url)
    assert list(clients["foreign"].get("/honors/").context["rows"]) == []
    # Refused posts change nothing.
    list_submit(**hw.as_("unit"), campaign=hw.campaign, org=hw.tree.courier_union)
    before = state()
    posts = {
        f"/honors/{c}/submit/": ({"org_code": "520201G001"}, ("anonymous", "viewer", "foreign")),
        f"/honors/nominations/{n.pk}/review/": ({"decision": "approve"}, ("anonymous", "unit", "viewer", "foreign")),
        f"/honors/{c}/publish/": ({"days": "5", "day_basis": "working"}, ("anonymous", "unit", "viewer", "foreign")),
        f"/honors/{c}/announce/": ({}, ("anonymous", "unit", "viewer", "foreign")),
        f"/honors/{c}/close/": ({}, ("anonymous", "unit", "viewer", "foreign")),
        f"/honors/{c}/criteria/": ({"org_code": "520200", "criteria": "事迹 100"}, ("anonymous", "viewer", "foreign")),
        f"/honors/nominations/{n.pk}/score/": ({}, ("anonymous", "unit", "viewer", "foreign")),
        f"/honors/nominations/{n.pk}/conflict/": ({"reason": "亲属"}, ("anonymous", "unit", "viewer", "foreign")),
    }
    for url, (data, whos) in posts.items():
        for who in whos:
            resp = clients[who].post(url, data)
            assert resp.status_code in (302, 403, 404), (who, url, resp.status_code)
            if who == "anonymous":
                expect(resp, LOGIN, who, url)
            assert state() == before, (who, url)


def test_the_campaign_page_shows_the_figures_live_and_the_refusal_with_them(
    hw: HonorWorld, clients: dict[str, Client]
) -> None:
    nominate(hw, 0)
    nominate(hw, 1, front_line=False)
    url = f"/honors/{hw.campaign.pk}/"
    page = clients["unit"].get(url).content.decode()
    assert "一线职工：1/2（50.0%），要求不低于 60%，不符合" in page and 'data-testid="submit-520201G001"' in page
    assert "比例要求：一线职工不低于 60%" in page
    before = state()
    resp = clients["unit"].post(f"{url}submit/", {"org_code": "520201G001"}, follow=True)
    assert "不符合名额和比例要求：一线职工：1/2（50.0%）" in resp.content.decode() and state() == before


def test_a_review_by_form_keeps_the_decision_and_names_the_missing_reason(
    hw: HonorWorld, clients: dict[str, Client]
) -> None:
    n = nominate(hw, 0)
    nominate(hw, 1)
    list_submit(**hw.as_("unit"), campaign=hw.campaign, org=hw.tree.courier_union)
    url = f"/honors/nominations/{n.pk}/review/"
    resp = clients["county_reviewer"].post(url, {"decision": "return", "reason": ""})
    assert resp.status_code == 200 and 'data-testid="error-reason"' in resp.content.decode()
    assert 'value="return" selected' in resp.content.decode() or "selected" in resp.content.decode()
    assert clients["county_reviewer"].post(url, {"decision": "approve"}).status_code == 302
    with unscoped():
        assert Nomination.all_objects.get(pk=n.pk).status == NominationStatus.APPROVED


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (20, 20), "white").save(out, format="PNG")
    return out.getvalue()


def test_attachments_are_checked_by_content(hw: HonorWorld, clients: dict[str, Client]) -> None:
    n = nominate(hw, 0)
    url = f"/honors/nominations/{n.pk}/attachments/"
    fake = SimpleUploadedFile("纪检意见.pdf", b"%PDF-1.4 <html>not a pdf</html>", content_type="application/pdf")
    clients["unit"].post(url, {"label": "纪检意见", "file": fake})
    assert not Attachment.objects.exists()
    good = SimpleUploadedFile("事迹.png", _png(), content_type="image/png")
    clients["unit"].post(url, {"label": "先进事迹材料", "file": good})
    attachment = Attachment.objects.get()
    assert attachment.label == "先进事迹材料"
    download = clients["viewer"].get(f"/honors/nominations/{n.pk}/attachments/{attachment.pk}/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == _png()  # type: ignore[attr-defined]
    assert clients["foreign"].get(f"/honors/nominations/{n.pk}/attachments/{attachment.pk}/").status_code == 404
    assert clients["viewer"].post(url, {"label": "x", "file": SimpleUploadedFile("a.png", _png())}).status_code == 403


def test_the_members_page_shows_their_honors(hw: HonorWorld, clients: dict[str, Client]) -> None:
    honor_record(
        **hw.as_("city_officer"), membership=hw.members[0],
        honor=HonorIn("may_day_medal", "贵州省五一劳动奖章", "省级", "贵州省总工会", 2025),
    )  # fmt: skip
    html = clients["viewer"].get(f"/members/{hw.members[0].pk}/").content.decode()
    assert 'data-testid="member-honors"' in html and "2025年 · 省级贵州省五一劳动奖章 · 贵州省总工会" in html
    register = clients["viewer"].get("/honors/register/?year=2025").content.decode()
    assert "贵州省五一劳动奖章" in register


def test_the_api_is_scoped(hw: HonorWorld, clients: dict[str, Client]) -> None:
    n = nominate(hw, 0)
    nominate(hw, 1)
    base = "/api/v1/honors"
    viewer, foreign = clients["viewer"], clients["foreign"]
    assert viewer.get(f"{base}/campaigns").json()["count"] == 1
    assert viewer.get(f"{base}/campaigns/{hw.campaign.pk}").json()["quotas"] == ["一线职工不低于 60%"]
    assert foreign.get(f"{base}/campaigns").json()["count"] == 0
    assert foreign.get(f"{base}/campaigns/{hw.campaign.pk}").status_code == 404
    assert foreign.get(f"{base}/nominations/{n.pk}").status_code == 404
    assert viewer.get(f"{base}/nominations?campaign_id={hw.campaign.pk}").json()["count"] == 2
    assert clients["anonymous"].get(f"{base}/campaigns").status_code == 401
    list_submit(**hw.as_("unit"), campaign=hw.campaign, org=hw.tree.courier_union)
    before = state()
    assert (
        foreign.post(
            f"{base}/nominations/{n.pk}/review", {"decision": "approve"}, content_type="application/json"
        ).status_code
        == 404
    )
    assert (
        viewer.post(
            f"{base}/nominations/{n.pk}/review", {"decision": "approve"}, content_type="application/json"
        ).status_code
        == 403
    )
    assert state() == before
    resp = clients["county_reviewer"].post(
        f"{base}/nominations/{n.pk}/review", {"decision": "approve"}, content_type="application/json"
    )
    assert resp.status_code == 200 and resp.json()["status"] == "approved"


def test_the_nomination_form_asks_the_campaigns_questions_and_tells_every_error_at_once(
    hw: HonorWorld, clients: dict[str, Client]
) -> None:
    officer = clients["city_officer"]
    resp = officer.post(
        "/honors/new/",
        {"org_code": "520200", "kind": "most_beautiful", "title": "最美快递员", "level": "市级",
         "awarding_body": "六盘水市总工会", "year": "2026", "places_default": "0",
         "fields_text": "技能等级|单选|必填|中级工、高级工\n从业年限|数值|必填\n入职日期|日期|选填"},
    )  # fmt: skip
    assert resp.status_code == 302
    campaign = Campaign.all_objects.get(title="最美快递员")
    page = clients["unit"].get(f"/honors/{campaign.pk}/nominate/").content.decode()
    assert "技能等级（必填）" in page and '<option value="高级工">' in page and 'type="date"' in page
    data = {"org_code": "520201G001", "member": hw.members[0].person.member_no, "deeds": "十年无差错",
            "employer": "顺丰钟山站"}  # fmt: skip
    fields = {f.label: f"q{f.pk}" for f in campaign.fields.all()}
    data |= {fields["技能等级"]: "特级", fields["从业年限"]: "十年", fields["入职日期"]: "2026-02-30"}
    resp = clients["unit"].post(f"/honors/{campaign.pk}/nominate/", data)
    html = resp.content.decode()
    assert resp.status_code == 200
    for error in ("应为以下之一：中级工、高级工", "应为数字", "应为日期，如 2026-05-01"):
        assert error in html
    assert 'value="十年"' in html and 'value="顺丰钟山站"' in html and "十年无差错" in html
    assert not Nomination.all_objects.filter(campaign=campaign).exists()
    data |= {fields["技能等级"]: "高级工", fields["从业年限"]: "10", fields["入职日期"]: ""}
    assert clients["unit"].post(f"/honors/{campaign.pk}/nominate/", data).status_code == 302
    n = Nomination.all_objects.get(campaign=campaign)
    detail = clients["viewer"].get(f"/honors/nominations/{n.pk}/").content.decode()
    assert "技能等级</dt>" in detail and ">高级工</dd>" in detail and ">10</dd>" in detail
    api = clients["viewer"].get(f"/api/v1/honors/nominations/{n.pk}").json()
    assert api["answers"] == [
        {"label": "技能等级", "value": "高级工"},
        {"label": "从业年限", "value": "10"},
        {"label": "入职日期", "value": ""},
    ]
    assert clients["viewer"].get(f"/api/v1/honors/campaigns/{campaign.pk}").json()["fields"][0] == (
        "技能等级|选项|必填|中级工、高级工"
    )
    # A bad definition line is told with its number, and the rest of the form is kept.
    resp = officer.post(
        "/honors/new/",
        {"org_code": "520200", "kind": "own", "title": "钟山工匠", "level": "市级", "awarding_body": "x",
         "year": "2026", "places_default": "0", "fields_text": "等级|选项|必填|一级"},
    )  # fmt: skip
    assert "第 1 行：选项类应列出至少两个选项" in resp.content.decode() and 'value="钟山工匠"' in resp.content.decode()


def test_a_collective_is_nominated_by_form_and_shown_on_the_pages_and_the_api(
    hw: HonorWorld, clients: dict[str, Client]
) -> None:
    campaign = Campaign.all_objects.create(
        org=hw.tree.lps, org_path=hw.tree.lps.path, kind="pioneer", title="六盘水市工人先锋号", level="市级",
        awarding_body="六盘水市总工会", year=2026,
    )  # fmt: skip
    form = clients["unit"].get(f"/honors/{campaign.pk}/nominate/").content.decode()
    assert "集体所在工会代码" in form and "会员编号或证件号码" not in form
    url = f"/honors/{campaign.pk}/nominate/"
    resp = clients["unit"].post(
        url, {"org_code": "520201G001", "nominee_type": "team", "collective_code": "520201G001"}
    )
    html = resp.content.decode()
    assert 'data-testid="error-team_name"' in html and 'data-testid="error-deeds"' in html
    team = {"org_code": "520201G001", "nominee_type": "team", "team_name": "城东配送站", "deeds": "攻坚克难"}
    resp = clients["unit"].post(url, {**team, "collective_code": "520102"})
    assert 'data-testid="error-collective_code"' in resp.content.decode()
    resp = clients["unit"].post(url, {**team, "collective_code": "520201G001"})
    assert resp.status_code == 302
    n = Nomination.all_objects.get(campaign=campaign)
    page = clients["viewer"].get(f"/honors/{campaign.pk}/").content.decode()
    assert "城东配送站" in page and "集体（班组、团队）" in page and "集体占名额" in page
    detail = clients["viewer"].get(f"/honors/nominations/{n.pk}/").content.decode()
    assert "钟山区快递员联合工会（520201G001）" in detail
    api = clients["viewer"].get(f"/api/v1/honors/nominations/{n.pk}").json()
    assert (api["nominee_type"], api["collective_org_code"], api["team_name"]) == ("team", "520201G001", "城东配送站")
    assert clients["viewer"].get(f"/api/v1/honors/campaigns/{campaign.pk}").json()["collective"] is True


def test_scoring_by_form_the_conflict_and_the_ranking(hw: HonorWorld, clients: dict[str, Client]) -> None:
    first, second = nominate(hw, 0), nominate(hw, 1)
    list_submit(**hw.as_("unit"), campaign=hw.campaign, org=hw.tree.courier_union)
    c = hw.campaign.pk
    county_officer = new_client()
    county_officer.force_login(hw.users["county_officer"])
    resp = county_officer.post(f"/honors/{c}/criteria/", {"org_code": "520201", "criteria": "事迹 60\n贡献：30"})
    assert "权重合计应为 100，现为 90" in resp.content.decode() and "贡献：30" in resp.content.decode()
    assert (
        clients["viewer"].post(f"/honors/{c}/criteria/", {"org_code": "520201", "criteria": "事迹 100"}).status_code
        == 403
    )
    resp = county_officer.post(f"/honors/{c}/criteria/", {"org_code": "520201", "criteria": "事迹 60\n贡献：40%"})
    assert resp.status_code == 302
    reviewer = clients["county_reviewer"]
    page = reviewer.get(f"/honors/nominations/{first.pk}/").content.decode()
    assert "事迹（权重 60%）" in page and 'data-testid="declare-conflict"' in page
    crit = {k.name: f"c{k.pk}" for k in Criterion.objects.filter(campaign=hw.campaign)}
    resp = reviewer.post(f"/honors/nominations/{first.pk}/score/", {crit["事迹"]: "101", crit["贡献"]: ""})
    html = resp.content.decode()
    assert f'data-testid="error-{crit["事迹"]}"' in html and f'data-testid="error-{crit["贡献"]}"' in html
    assert 'value="101"' in html and not Score.objects.exists()
    assert (
        reviewer.post(f"/honors/nominations/{first.pk}/score/", {crit["事迹"]: "90", crit["贡献"]: "80"}).status_code
        == 302
    )
    assert reviewer.post(f"/honors/nominations/{second.pk}/conflict/", {"reason": "亲属"}).status_code == 302
    resp = reviewer.post(f"/honors/nominations/{second.pk}/score/", {crit["事迹"]: "90", crit["贡献"]: "80"})
    assert "不能为其打分" in resp.content.decode()
    assert clients["foreign"].post(f"/honors/nominations/{first.pk}/score/", {crit["事迹"]: "1"}).status_code == 404
    ranking = clients["viewer"].get(f"/honors/{c}/").content.decode()
    assert 'data-testid="ranking-520201"' in ranking and "86.00" in ranking and "未评分" in ranking
    detail = clients["city_officer"].get(f"/honors/nominations/{second.pk}/").content.decode()
    assert "回避（亲属）" in detail
    # The nominating union sees the ranking's figures nowhere and the reviewers' scores not at all.
    assert "回避（亲属）" not in clients["unit"].get(f"/honors/nominations/{second.pk}/").content.decode()
    assert 'data-testid="ranking-520201"' not in clients["unit"].get(f"/honors/{c}/").content.decode()
