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
from gonghui.honors.models import Attachment, HonorHeld, Nomination, NominationStatus, Review
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
