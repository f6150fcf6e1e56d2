"""Legal aid's pages by hand: the roster (add, edit, list), a case turned into legal aid from its
page, hearings and closing on the matter's page, 法律体检 visits and their follow-up. Forms keep what
was typed and show every mistake at once; a sibling county sees nothing (404); phones masked."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from gonghui.core.tests.clients import client as new_client
from gonghui.rights import legal
from gonghui.rights.models import AidStatus, Lawyer, LawyerVisit, LegalAidMatter, VisitIssue
from gonghui.rights.tests.legal_factories import USCC, add_lawyer, county_case

pytestmark = pytest.mark.django_db

PHONE = "13812345678"


@pytest.fixture
def clients(people, login) -> dict[str, Client]:  # type: ignore[no-untyped-def]
    return {name: login(user) for name, user in people["users"].items()} | {"anonymous": new_client()}


def page(resp: Any) -> str:
    assert resp.status_code == 200, resp.status_code
    html = resp.content.decode()
    assert PHONE not in html, "a lawyer's phone in clear on a page"
    return html


def test_the_roster_form_keeps_what_was_typed_and_names_every_mistake(people, clients) -> None:  # type: ignore[no-untyped-def]
    city = clients["city"]
    typed = {
        "org": "520200",
        "name": "",
        "firm": "贵州黔正律师事务所",
        "licence_no": "1520-1201",
        "areas": "欠薪、占星",
        "phone": PHONE,
        "active": "on",
    }
    resp = city.post("/rights/lawyers/new/", typed)
    html = resp.content.decode()
    for field in ("name", "licence_no", "areas"):
        assert f'data-testid="error-{field}"' in html, field
    assert 'value="贵州黔正律师事务所"' in html and 'value="欠薪、占星"' in html and 'value="1520-1201"' in html
    assert not Lawyer.all_objects.exists()
    # An unknown union is named too, with the other mistakes.
    html = city.post("/rights/lawyers/new/", {**typed, "org": "999999"}).content.decode()
    assert 'data-testid="error-org"' in html and 'data-testid="error-licence_no"' in html
    resp = city.post(
        "/rights/lawyers/new/", {**typed, "name": "李明", "licence_no": "15201201810123456", "areas": "欠薪、仲裁"}
    )
    assert resp.status_code == 302
    lw = Lawyer.all_objects.get()
    assert (lw.org_id, lw.areas, lw.phone) == (people["tree"].lps.pk, ["wages", "arbitration"], PHONE)
    html = page(city.get("/rights/lawyers/"))
    assert "李明" in html and "138****5678" in html and "工资报酬、劳动争议仲裁" in html
    # The county below sees nothing of the city's roster in its list; the sibling gets 404 on the line.
    assert "李明" not in page(clients["county"].get("/rights/lawyers/"))
    assert clients["sibling"].get(f"/rights/lawyers/{lw.pk}/edit/").status_code == 404
    assert clients["viewer"].get("/rights/lawyers/new/").status_code == 403
    assert clients["anonymous"].get("/rights/lawyers/").status_code == 302
    # Edit: take the lawyer off the roster; a bad licence is refused with the typed values kept.
    edit = f"/rights/lawyers/{lw.pk}/edit/"
    assert PHONE in city.get(edit).content.decode()  # the form to change it carries the number itself
    bad = {"name": "李明", "firm": "", "licence_no": "123", "areas": "欠薪", "phone": PHONE}
    html = city.post(edit, bad).content.decode()
    assert 'data-testid="error-firm"' in html and 'data-testid="error-licence_no"' in html and 'value="123"' in html
    resp = city.post(edit, {**bad, "firm": "贵州黔正律师事务所", "licence_no": "15201201810123456"})
    assert resp.status_code == 302 and Lawyer.all_objects.get().active is False
    assert "李明" in page(city.get("/rights/lawyers/?active=0")) and "李明" not in page(
        city.get("/rights/lawyers/?active=1")
    )


def test_a_case_turned_into_legal_aid_from_its_page(people, clients, clock) -> None:  # type: ignore[no-untyped-def]
    tree, county = people["tree"], clients["county"]
    case = county_case(people)
    lw = add_lawyer(tree.lps)
    sibling_lawyer = add_lawyer(tree.nanming, licence_no="2" * 17, name="赵律师")
    html = page(county.get(f"/rights/cases/{case.pk}/"))
    assert 'data-testid="open-aid"' in html
    assert 'data-testid="open-aid"' not in page(clients["viewer"].get(f"/rights/cases/{case.pk}/"))
    url = f"/rights/legal-aid/new/?case={case.pk}"
    html = page(county.get(url))
    assert "李明" in html and "赵律师" not in html  # the roster of the case's union and above only
    assert clients["sibling"].get(url).status_code == 404
    assert clients["viewer"].get(url).status_code == 403
    typed = {
        "case": case.pk,
        "form": "看风水",
        "lawyer": str(sibling_lawyer.pk),
        "opened_on": "",
        "note": "代理追索欠薪",
    }
    html = county.post("/rights/legal-aid/new/", typed).content.decode()
    for field in ("form", "lawyer", "opened_on"):
        assert f'data-testid="error-{field}"' in html, field
    assert "代理追索欠薪" in html and 'value="看风水"' in html
    assert not LegalAidMatter.all_objects.exists()
    resp = county.post(
        "/rights/legal-aid/new/", {**typed, "form": "劳动仲裁", "lawyer": lw.pk, "opened_on": "2026-03-02"}
    )
    matter = LegalAidMatter.all_objects.get()
    assert resp.status_code == 302 and resp["Location"] == f"/rights/legal-aid/{matter.pk}/"
    assert matter.form == "arbitration"
    html = page(county.get(f"/rights/cases/{case.pk}/"))
    assert 'data-testid="case-legal-aid"' in html and "仲裁代理" in html and 'data-testid="open-aid"' not in html
    # The matter's page: a hearing, then the closing (0 needs the reason; the amount kept when refused).
    aid = f"/rights/legal-aid/{matter.pk}/"
    html = county.post(aid, {"action": "hearing", "held_on": "", "body": ""}).content.decode()
    assert 'data-testid="error-held_on"' in html and 'data-testid="error-body"' in html
    assert (
        county.post(aid, {"action": "hearing", "held_on": "2026-03-20", "body": "劳动人事争议仲裁委员会"}).status_code
        == 302
    )
    html = county.post(
        aid, {"action": "close", "closed_on": "2026-04-01", "recovered": "0", "outcome": ""}
    ).content.decode()
    assert 'data-testid="error-outcome"' in html and 'name="recovered" value="0"' in html
    html = county.post(aid, {"action": "close", "closed_on": "", "recovered": "12.345"}).content.decode()
    assert 'data-testid="error-closed_on"' in html and 'data-testid="error-recovered"' in html
    assert LegalAidMatter.all_objects.get().status == AidStatus.OPEN
    resp = county.post(
        aid, {"action": "close", "closed_on": "2026-04-01", "recovered": "12,000.50", "outcome": "裁决支付"}
    )
    assert resp.status_code == 302
    html = page(county.get(aid))
    assert "12000.50 元" in html and "劳动人事争议仲裁委员会" in html and 'data-testid="close-form"' not in html
    # Closed twice by a hand-made POST: refused, nothing changed.
    county.post(aid, {"action": "close", "closed_on": "2026-04-02", "recovered": "1"})
    assert LegalAidMatter.all_objects.get().recovered_fen == 1_200_050
    # The list and its filters; the sibling county sees nothing.
    assert case.number in page(county.get("/rights/legal-aid/?status=closed&form=arbitration"))
    assert case.number not in page(county.get("/rights/legal-aid/?status=open"))
    assert case.number in page(clients["city"].get("/rights/legal-aid/"))
    assert case.number not in page(clients["sibling"].get("/rights/legal-aid/"))
    assert clients["sibling"].get(aid).status_code == 404
    assert (
        clients["viewer"].post(aid, {"action": "hearing", "held_on": "2026-04-03", "body": "法院"}).status_code == 403
    )


def test_visits_recorded_and_followed_up(people, clients) -> None:  # type: ignore[no-untyped-def]
    tree, city = people["tree"], clients["city"]
    lw = add_lawyer(tree.province)
    html = page(city.get("/rights/visits/new/"))
    assert "李明" in html
    typed = {
        "org": "520200",
        "lawyer": "",
        "enterprise_name": "六盘水某煤业有限公司",
        "enterprise_uscc": USCC[:-1] + ("0" if USCC[-1] != "0" else "1"),
        "visited_on": "",
        "issues": "1. 劳动合同未约定工作时间\n2. 未足额缴纳工伤保险",
    }
    html = city.post("/rights/visits/new/", typed).content.decode()
    for field in ("lawyer", "enterprise_uscc", "visited_on"):
        assert f'data-testid="error-{field}"' in html, field
    assert "六盘水某煤业有限公司" in html and "未足额缴纳工伤保险" in html
    resp = city.post(
        "/rights/visits/new/", {**typed, "lawyer": lw.pk, "enterprise_uscc": USCC, "visited_on": "2026-03-05"}
    )
    visit = LawyerVisit.all_objects.get()
    assert resp.status_code == 302 and visit.org_id == tree.lps.pk
    issues = list(VisitIssue.objects.order_by("pk"))
    url = f"/rights/visits/{visit.pk}/"
    html = city.post(url, {"issue": issues[0].pk, "status": "fixing", "note": ""}).content.decode()
    assert 'data-testid="issue-error"' in html
    assert city.post(url, {"issue": issues[0].pk, "status": "fixed", "note": "已改"}).status_code == 302
    html = page(city.get(url))
    assert "已整改" in html and "已改" in html
    listing = page(city.get("/rights/visits/?open=1"))
    assert "六盘水某煤业有限公司" in listing  # one issue still 整改中
    legal.visit_issue_follow_up(actor=None, scope=None, issue=issues[1], status="fixed")
    assert "六盘水某煤业有限公司" not in page(city.get("/rights/visits/?open=1"))
    assert "六盘水某煤业有限公司" not in page(clients["county"].get("/rights/visits/"))  # the city's, above it
    assert "六盘水某煤业有限公司" not in page(clients["sibling"].get("/rights/visits/"))
    assert clients["sibling"].get(url).status_code == 404
    assert clients["viewer"].get("/rights/visits/new/").status_code == 403
