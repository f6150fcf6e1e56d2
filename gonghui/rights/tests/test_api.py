"""`/api/v1/rights`: intake, list, detail and every move over HTTP; scope (a foreign id is a 404),
permissions (403 and nothing changed), words accepted, phones masked."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from gonghui.core.tests.clients import client as new_client
from gonghui.rights.models import CaseStatus, HotlineCase

pytestmark = pytest.mark.django_db

API = "/api/v1/rights"
CALL = {
    "org_code": "520000",
    "source": "12351",
    "kind": "求决",
    "cause": "讨薪",
    "person_type": "农民工",
    "caller_name": "王师傅",
    "caller_phone": "13712345678",
    "summary": "工地欠薪",
}


@pytest.fixture
def api(people, login) -> dict[str, Client]:  # type: ignore[no-untyped-def]
    return {name: login(user) for name, user in people["users"].items()} | {"anonymous": new_client()}


def post(c: Client, url: str, body: dict[str, Any] | None = None) -> Any:
    return c.post(url, body or {}, content_type="application/json")


def test_intake_and_the_whole_path(api, clock) -> None:  # type: ignore[no-untyped-def]
    resp = post(api["operator"], f"{API}/cases", CALL)
    assert resp.status_code == 201, resp.json()
    case = resp.json()
    assert (case["source"], case["kind"], case["cause"], case["person_type"]) == ("phone", "help", "wages", "migrant")
    assert case["caller_phone_masked"] == "137****5678" and "13712345678" not in resp.content.decode()
    url = f"{API}/cases/{case['id']}"
    assert post(api["operator"], f"{url}/hand-down", {"to_org": "520200"}).json()["org_code"] == "520200"
    assert post(api["city"], f"{url}/hand-down", {"to_org": "520201"}).status_code == 200
    assert post(api["county"], f"{url}/take").json()["status"] == "handling"
    assert len(post(api["county"], f"{url}/contacts", {"note": "已约谈项目经理"}).json()["events"]) == 5
    assert post(api["county"], f"{url}/reply", {"result": "已结清"}).json()["status"] == "replied"
    assert post(api["operator"], f"{url}/follow-up", {"satisfaction": "基本满意"}).json()["satisfaction"] == "basic"
    assert post(api["checker"], f"{url}/check", {"note": "合格"}).json()["status"] == "checked"
    done = post(api["operator"], f"{url}/close").json()
    assert done["status"] == "closed" and [e["action"] for e in done["events"]][-1] == "close"


def test_scope_and_refusals(api, people, clock) -> None:  # type: ignore[no-untyped-def]
    case = post(api["operator"], f"{API}/cases", CALL).json()
    url = f"{API}/cases/{case['id']}"
    assert api["anonymous"].get(url).status_code == 401
    assert api["sibling"].get(url).status_code == 404
    assert api["county"].get(url).status_code == 404  # not handed to it (yet)
    assert post(api["sibling"], f"{url}/take").status_code == 404
    ids = [c["id"] for c in api["sibling"].get(f"{API}/cases").json()["items"]]
    assert case["id"] not in ids
    # Intake at a union outside the caller's scope: not found; a viewer: no intake.
    assert post(api["county"], f"{API}/cases", CALL).status_code == 404
    assert post(api["viewer"], f"{API}/cases", {**CALL, "org_code": "520201"}).status_code == 404
    # Words no table knows: every field named at once.
    resp = post(api["operator"], f"{API}/cases", {**CALL, "kind": "闲聊", "cause": "天气"})
    assert resp.status_code == 400 and set(resp.json()["details"]) == {"kind", "cause"}
    # Hand-down past a level, and the viewer's attempt: refused, nothing moved.
    resp = post(api["operator"], f"{url}/hand-down", {"to_org": "520201"})
    assert resp.status_code == 400 and resp.json()["code"] == "rights.not_below"
    post(api["operator"], f"{url}/hand-down", {"to_org": "520200"})
    post(api["city"], f"{url}/hand-down", {"to_org": "520201"})
    assert post(api["viewer"], f"{url}/take").status_code == 403
    assert HotlineCase.all_objects.get(pk=case["id"]).status == CaseStatus.PENDING
    # A move out of turn is a 409.
    resp = post(api["county"], f"{url}/reply", {"result": "x"})
    assert resp.status_code == 409 and resp.json()["code"] == "rights.wrong_status"


def test_overdue_and_supervision(api, clock) -> None:  # type: ignore[no-untyped-def]
    case = post(api["operator"], f"{API}/cases", {**CALL, "tier": "特别复杂"}).json()
    url = f"{API}/cases/{case['id']}"
    post(api["operator"], f"{url}/hand-down", {"to_org": "520200"})
    clock.advance(days=3, seconds=1)
    assert api["operator"].get(url).json()["overdue"] is True
    listed = api["operator"].get(f"{API}/cases", {"overdue": "true"}).json()["items"]
    assert [c["id"] for c in listed] == [case["id"]]
    assert [c["id"] for c in api["operator"].get(f"{API}/supervision").json()["items"]] == [case["id"]]
    assert api["city"].get(f"{API}/supervision").json()["count"] == 0
    assert post(api["operator"], f"{url}/remind", {"note": "限期办理"}).json()["reminders"] == 1
    assert post(api["city"], f"{url}/remind").status_code == 403
    assert HotlineCase.all_objects.get(pk=case["id"]).reminders == 1
