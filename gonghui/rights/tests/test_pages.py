"""The 12351 pages by hand: the list and its filters, the intake form, a case's buttons from the
call to its closing, the 督办 list; who may see and do what; phones never in clear."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from gonghui.core.tests.clients import client as new_client
from gonghui.core.tests.forms import field_values
from gonghui.rights import services
from gonghui.rights.models import CaseStatus, HotlineCase
from gonghui.rights.tests.conftest import act
from gonghui.rights.tests.factories import take_call

pytestmark = pytest.mark.django_db

PHONE = "13912345678"


@pytest.fixture
def clients(people, login) -> dict[str, Client]:  # type: ignore[no-untyped-def]
    return {name: login(user) for name, user in people["users"].items()} | {"anonymous": new_client()}


def page(resp: Any) -> str:
    html = resp.content.decode()
    assert PHONE not in html, "a caller's phone in clear on a page"
    return html


def test_who_sees_the_pages(people, clients, clock) -> None:  # type: ignore[no-untyped-def]
    case = take_call(people["users"]["operator"], people["tree"].province)
    act(people, "operator", services.case_hand_down, case, to_org=people["tree"].lps)
    assert clients["anonymous"].get("/rights/cases/").status_code == 302
    assert clients["viewer"].get("/rights/cases/new/").status_code == 403
    # The city sees the case it holds; the county below it and the sibling do not.
    assert case.number in page(clients["city"].get("/rights/cases/"))
    assert case.number not in page(clients["county"].get("/rights/cases/"))
    assert case.number not in page(clients["sibling"].get("/rights/cases/"))
    assert clients["sibling"].get(f"/rights/cases/{case.pk}/").status_code == 404
    before = HotlineCase.all_objects.get(pk=case.pk).status
    assert clients["sibling"].post(f"/rights/cases/{case.pk}/take/").status_code == 404
    assert HotlineCase.all_objects.get(pk=case.pk).status == before
    html = page(clients["city"].get(f"/rights/cases/{case.pk}/"))
    assert "139****5678" in html and 'data-testid="form-take"' in html and 'data-testid="form-hand_down"' in html
    # The union above may urge it (督办); the city may not urge itself.
    assert 'data-testid="form-remind"' in page(clients["operator"].get(f"/rights/cases/{case.pk}/"))
    assert 'data-testid="form-remind"' not in html


def test_the_list_filters_and_pages(people, clients, clock) -> None:  # type: ignore[no-untyped-def]
    op = people["users"]["operator"]
    wages = take_call(op, people["tree"].province)
    injury = take_call(op, people["tree"].province, cause="工伤", kind="求助", caller_name="刘女士")
    answered = take_call(op, people["tree"].province, kind="咨询", answered=True, answer="可申请工伤认定")
    html = page(clients["operator"].get("/rights/cases/", {"cause": "injury"}))
    assert injury.number in html and wages.number not in html
    html = page(clients["operator"].get("/rights/cases/", {"status": "open"}))
    assert answered.number not in html and wages.number in html
    html = page(clients["operator"].get("/rights/cases/", {"q": "刘女士"}))
    assert injury.number in html and wages.number not in html
    html = page(clients["operator"].get("/rights/cases/", {"page_size": "1", "page": "2", "bogus": "x"}))
    assert html.count('class="font-monospace">12351-') == 1
    clock.advance(days=2)
    html = page(clients["operator"].get("/rights/cases/", {"overdue": "1", "page_size": "50"}))
    assert wages.number in html and answered.number not in html and 'data-testid="overdue"' in html


def test_the_intake_form_keeps_what_was_typed_and_names_every_mistake(people, clients, clock) -> None:  # type: ignore[no-untyped-def]
    typed = {
        "org": "520000",
        "source": "飞鸽",
        "kind": "投诉",
        "cause": "",
        "caller_name": "",
        "caller_phone": "12",
        "employer_name": "某公司",
        "summary": "",
        "answered": "on",
    }
    resp = clients["operator"].post("/rights/cases/new/", typed)
    assert resp.status_code == 200
    html = resp.content.decode()
    for field in ("source", "cause", "caller_name", "caller_phone", "summary", "answered", "answer"):
        assert f'data-testid="error-{field}"' in html, field
    values = field_values(html)
    assert values["source"] == "飞鸽" and values["employer_name"] == "某公司" and values["caller_phone"] == "12"
    assert not HotlineCase.all_objects.exists()
    # A union outside the operator's scope reads as unknown.
    resp = clients["county"].post("/rights/cases/new/", {**typed, "org": "520000"})
    assert 'data-testid="error-org"' in resp.content.decode()


def test_a_call_taken_dispatched_handled_followed_and_closed_through_the_pages(people, clients, clock) -> None:  # type: ignore[no-untyped-def]
    resp = clients["operator"].post(
        "/rights/cases/new/",
        {
            "org": "520000",
            "source": "来电",
            "kind": "投诉",
            "cause": "欠薪",
            "person_type": "外卖骑手",
            "tier": "一般",
            "caller_name": "张师傅",
            "caller_phone": PHONE,
            "summary": "拖欠工资",
        },
    )
    case = HotlineCase.all_objects.get()
    assert resp.status_code == 302 and resp["Location"] == f"/rights/cases/{case.pk}/"
    base = f"/rights/cases/{case.pk}"

    def post(who: str, action: str, **data: str) -> str:
        resp = clients[who].post(f"{base}/{action}/", data)
        assert resp.status_code == 302, (who, action, resp.status_code)
        return page(clients[who].get(resp["Location"]))

    post("operator", "hand_down", to_org="520200")
    post("city", "hand_down", to_org="520201", note="请钟山区办理")
    html = post("county", "take")
    assert "已签收办理" in html
    post("county", "contact", note="已联系用人单位")
    html = post("county", "reply", note="")  # refused: the result is required
    assert "请填写办理结果" in html
    post("county", "reply", note="工资已补发")
    post("operator", "follow_up", satisfaction="unsatisfied", note="只补发一部分")
    assert HotlineCase.all_objects.get(pk=case.pk).status == CaseStatus.HANDLING
    post("county", "reply", note="已全部补发")
    post("operator", "follow_up", satisfaction="satisfied")
    post("checker", "check", note="合格")
    html = post("operator", "close")
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED and case.reopened == 1
    assert 'data-testid="timeline"' in html and "不满意，重新办理" in html and "钟山区总工会" in html
    # A button the caller may not press is a 403 and changes nothing; an unknown one a 404.
    assert clients["county"].post(f"{base}/close/").status_code == 403
    assert clients["operator"].post(f"{base}/explode/").status_code == 404
    assert HotlineCase.all_objects.get(pk=case.pk).status == CaseStatus.CLOSED


def test_a_follow_up_by_the_county_is_refused_with_403(people, clients, clock) -> None:  # type: ignore[no-untyped-def]
    tree = people["tree"]
    case = take_call(people["users"]["operator"], tree.province)
    case = act(people, "operator", services.case_hand_down, case, to_org=tree.lps)
    case = act(people, "city", services.case_hand_down, case, to_org=tree.zhongshan)
    case = act(people, "county", services.case_take, case)
    case = act(people, "county", services.case_reply, case, result="已办")
    resp = clients["county"].post(f"/rights/cases/{case.pk}/follow_up/", {"satisfaction": "satisfied"})
    assert resp.status_code == 403
    assert HotlineCase.all_objects.get(pk=case.pk).status == CaseStatus.REPLIED


def test_the_supervision_list_is_the_level_aboves(people, clients, clock) -> None:  # type: ignore[no-untyped-def]
    tree = people["tree"]
    case = take_call(people["users"]["operator"], tree.province)
    case = act(people, "operator", services.case_hand_down, case, to_org=tree.lps)
    case = act(people, "city", services.case_hand_down, case, to_org=tree.zhongshan)
    html = page(clients["city"].get("/rights/supervision/"))
    assert case.number not in html  # not overdue yet
    clock.advance(days=1, hours=1)
    html = page(clients["city"].get("/rights/supervision/"))
    assert case.number in html
    assert case.number not in page(clients["county"].get("/rights/supervision/"))  # its own case
    assert case.number not in page(clients["sibling"].get("/rights/supervision/"))
    assert clients["viewer"].get("/rights/supervision/").status_code == 403
    resp = clients["city"].post(f"/rights/cases/{case.pk}/remind/", {"back": "supervision", "note": "请今天签收"})
    assert resp.status_code == 302 and resp["Location"] == "/rights/supervision/"
    html = page(clients["city"].get("/rights/supervision/"))
    assert '<td data-label="督办次数" class="text-end" data-testid="reminders">1</td>' in html
    # The county cannot urge itself: refused on the page, the count unchanged.
    clients["county"].post(f"/rights/cases/{case.pk}/remind/")
    assert HotlineCase.all_objects.get(pk=case.pk).reminders == 1
    assert "请今天签收" in page(clients["county"].get(f"/rights/cases/{case.pk}/"))
