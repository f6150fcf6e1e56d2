"""The collective-contract pages and API: register (every mistake at once, what was typed kept),
the list and its expiry tab, filing and review buttons, renewal, scope (a foreign id is a 404)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from gonghui.core.tests.clients import client as new_client
from gonghui.core.tests.forms import field_values
from gonghui.rights.models import CollectiveContract, ReviewResult
from gonghui.rights.tests.test_contracts import register, uscc

pytestmark = pytest.mark.django_db


@pytest.fixture
def clients(people, login) -> dict[str, Client]:  # type: ignore[no-untyped-def]
    return {name: login(user) for name, user in people["users"].items()} | {"anonymous": new_client()}


def form_data(**over: Any) -> dict[str, Any]:
    today = timezone.localdate()
    return {
        "org": "520201",
        "title": "钟山区快递行业工资专项集体合同",
        "kind": "工资集体协议",
        "scope": "行业",
        "signed_on": (today - timedelta(days=3)).isoformat(),
        "starts_on": (today - timedelta(days=3)).isoformat(),
        "ends_on": (today + timedelta(days=700)).isoformat(),
        "union_chief": "李主席",
        "employer_chief": "行业协会张会长",
        "vote_body": "职工代表大会",
        "voted_on": (today - timedelta(days=10)).isoformat(),
        "votes_for": "60",
        "votes_against": "1",
        "women_workers": "20",
        "wage_increase_pct": "6%",
        "minimum_wage": "1,900",
        "employers": f"甲快递公司，{uscc(11)}，80\n乙快递公司 {uscc(12)} 45人",
        **over,
    }


def test_register_through_the_page_then_file_and_review(people, clients) -> None:  # type: ignore[no-untyped-def]
    assert clients["viewer"].get("/rights/contracts/new/").status_code == 403
    resp = clients["county"].post("/rights/contracts/new/", form_data())
    assert resp.status_code == 302, resp.content.decode()[:3000]
    c = CollectiveContract.all_objects.get()
    assert (c.kind, c.scope, c.workers, str(c.wage_increase_pct), c.minimum_wage_fen) == (
        "wage",
        "industry",
        125,
        "6.00",
        190_000,
    )
    html = clients["county"].get(resp["Location"]).content.decode()
    assert "未报送" in html and 'data-testid="form-file"' in html and uscc(12) in html
    today = timezone.localdate()
    clients["county"].post(f"/rights/contracts/{c.pk}/file/", {"filed_on": today.isoformat()})
    c.refresh_from_db()
    assert c.filed_on == today
    # The viewer may not press the review buttons: 403, nothing changed.
    assert clients["viewer"].post(f"/rights/contracts/{c.pk}/effective/").status_code == 403
    assert clients["sibling"].post(f"/rights/contracts/{c.pk}/effective/").status_code == 404
    clients["county"].post(f"/rights/contracts/{c.pk}/objection/", {"note": ""})
    c.refresh_from_db()
    assert c.review == ReviewResult.PENDING  # an objection needs its reason
    clients["county"].post(f"/rights/contracts/{c.pk}/effective/")
    c.refresh_from_db()
    assert c.review == ReviewResult.EFFECTIVE


def test_the_form_names_every_mistake_and_keeps_what_was_typed(people, clients) -> None:  # type: ignore[no-untyped-def]
    typed = form_data(
        kind="奖金合同", title="", votes_for="1", votes_against="9", employers="甲公司 123 10", signed_on=""
    )
    resp = clients["county"].post("/rights/contracts/new/", typed)
    html = resp.content.decode()
    for field in ("kind", "title", "votes_for", "employers", "signed_on"):
        assert f'data-testid="error-{field}"' in html, field
    values = field_values(html)
    assert values["kind"] == "奖金合同" and values["union_chief"] == "李主席"
    assert not CollectiveContract.all_objects.exists()


def test_list_expiry_renewal_and_scope(people, clients) -> None:  # type: ignore[no-untyped-def]
    today = timezone.localdate()
    old = register(
        people,
        signed_on=today - timedelta(days=330),
        starts_on=today - timedelta(days=330),
        ends_on=today + timedelta(days=35),
        voted_on=today - timedelta(days=340),
    )
    assert old.title in clients["county"].get("/rights/contracts/?expiring=1").content.decode()
    assert old.title not in clients["sibling"].get("/rights/contracts/").content.decode()
    assert clients["sibling"].get(f"/rights/contracts/{old.pk}/").status_code == 404
    page = clients["county"].get(f"/rights/contracts/new/?renews={old.pk}").content.decode()
    assert field_values(page)["renews"] == str(old.pk)
    resp = clients["county"].post(
        "/rights/contracts/new/",
        form_data(
            renews=str(old.pk),
            scope="企业",
            employers=f"某公司，{uscc(1)}，130",
            signed_on=(today + timedelta(days=30)).isoformat(),
            starts_on=(today + timedelta(days=36)).isoformat(),
            ends_on=(today + timedelta(days=36 + 729)).isoformat(),
            voted_on=(today + timedelta(days=20)).isoformat(),
        ),
    )
    assert resp.status_code == 302
    new = CollectiveContract.all_objects.exclude(pk=old.pk).get()
    assert new.renews_id == old.pk
    assert old.title not in clients["county"].get("/rights/contracts/?expiring=1").content.decode().replace(
        new.title, ""
    )
    assert 'data-testid="renewed"' in clients["county"].get(f"/rights/contracts/{old.pk}/").content.decode()


def test_the_contract_api(people, login) -> None:  # type: ignore[no-untyped-def]
    county, sibling = login(people["users"]["county"]), login(people["users"]["sibling"])
    body = {
        "org_code": "520201",
        "title": "区域性女职工权益保护专项集体合同",
        "kind": "女职工专项",
        "scope": "区域性",
        "signed_on": "2026-01-10",
        "starts_on": "2026-01-10",
        "ends_on": "2028-01-09",
        "union_chief": "王主席",
        "employer_chief": "赵代表",
        "vote_body": "全体职工",
        "voted_on": "2026-01-08",
        "votes_for": 30,
        "women_workers": 12,
        "employers": [
            {"name": "合作社甲", "uscc": uscc(21), "workers": 20},
            {"name": "合作社乙", "uscc": uscc(22), "workers": 10},
        ],
    }
    resp = county.post("/api/v1/rights/contracts", body, content_type="application/json")
    assert resp.status_code == 201, resp.json()
    made = resp.json()
    assert (made["kind"], made["workers"], made["filing_due"], made["filed_late"]) == ("women", 30, "2026-01-20", True)
    url = f"/api/v1/rights/contracts/{made['id']}"
    assert sibling.get(url).status_code == 404
    assert sibling.post(f"{url}/filing", {"filed_on": "2026-01-12"}, content_type="application/json").status_code == 404
    filed = county.post(f"{url}/filing", {"filed_on": "2026-01-12"}, content_type="application/json").json()
    assert filed["filed_on"] == "2026-01-12" and filed["effective"] is True  # the 15 days are long past
    bad = county.post(
        "/api/v1/rights/contracts", {**body, "ends_on": "2031-01-01", "employers": []}, content_type="application/json"
    )
    assert bad.status_code == 400 and set(bad.json()["details"]) == {"ends_on", "employers", "women_workers"} - {
        "women_workers"
    }
    assert [c["id"] for c in county.get("/api/v1/rights/contracts").json()] == [made["id"]]
    assert date.fromisoformat(made["ends_on"]) == date(2028, 1, 9)


def _request(people: dict[str, Any], who: str = "county", org: str = "zhongshan", subject: str = "工资专项协商") -> Any:
    from gonghui.accounts.scope import scope_for_user
    from gonghui.rights import contracts

    user = people["users"][who]
    return contracts.request_record(
        actor=user,
        scope=scope_for_user(user),
        org=getattr(people["tree"], org),
        side="union",
        employer_name="甲快递公司",
        employer_uscc=uscc(11),
        subject=subject,
        requested_on=timezone.localdate() - timedelta(days=40),
    )


def test_a_request_leads_to_the_contract_registered_from_it(people, clients) -> None:  # type: ignore[no-untyped-def]
    county = clients["county"]
    req = _request(people)
    form = county.get(f"/rights/contracts/new/?request={req.pk}").content.decode()
    assert f'<option value="{req.pk}" selected>' in form  # offered, and chosen from the 要约 page's link
    resp = county.post("/rights/contracts/new/", form_data(negotiation=str(req.pk)))
    assert resp.status_code == 302
    c = CollectiveContract.all_objects.get()
    req.refresh_from_db()
    assert req.contract == c
    assert "工资专项协商" in county.get(f"/rights/contracts/{c.pk}/").content.decode()
    page = county.get("/rights/requests/").content.decode()
    assert f'href="/rights/contracts/{c.pk}/" data-testid="request-contract"' in page
    api = county.get("/api/v1/rights/negotiation-requests").json()
    assert [(r["id"], r["contract_id"]) for r in api] == [(req.pk, c.pk)]
    # A request leads to one contract: no longer offered, refused when forced.
    assert f'<option value="{req.pk}"' not in county.get("/rights/contracts/new/").content.decode()
    again = county.post("/rights/contracts/new/", form_data(negotiation=str(req.pk), title="另一份"))
    assert again.status_code == 200 and 'data-testid="error-negotiation"' in again.content.decode()


def test_linking_afterwards_on_the_contract_page_and_through_the_api(people, clients) -> None:  # type: ignore[no-untyped-def]
    county, sibling = clients["county"], clients["sibling"]
    c = register(people, signed_on=timezone.localdate() - timedelta(days=3))
    req, foreign = _request(people), _request(people, "sibling", "nanming", "别处的要约")
    page = county.get(f"/rights/contracts/{c.pk}/").content.decode()
    assert 'data-testid="form-link-request"' in page and "别处的要约" not in page
    # Another union's request is not found among the linkable ones: refused, nothing linked.
    county.post(f"/rights/contracts/{c.pk}/link_request/", {"request": str(foreign.pk)})
    foreign.refresh_from_db()
    assert foreign.contract is None
    assert sibling.post(f"/rights/contracts/{c.pk}/link_request/", {"request": str(req.pk)}).status_code == 404
    assert county.post(f"/rights/contracts/{c.pk}/link_request/", {"request": str(req.pk)}).status_code == 302
    req.refresh_from_db()
    assert req.contract == c
    page = county.get(f"/rights/contracts/{c.pk}/").content.decode()
    assert 'data-testid="linked-request"' in page and 'data-testid="form-link-request"' not in page
    # The API takes the request when registering; an unknown or foreign one is a 404.
    body = {
        "org_code": "520201",
        "title": "API 合同",
        "kind": "综合",
        "scope": "企业",
        "signed_on": c.signed_on.isoformat(),
        "starts_on": (c.ends_on + timedelta(days=1)).isoformat(),
        "ends_on": (c.ends_on + timedelta(days=366)).isoformat(),
        "union_chief": "李",
        "employer_chief": "王",
        "vote_body": "职代会",
        "voted_on": c.signed_on.isoformat(),
        "votes_for": 10,
        "employers": [{"name": "某公司", "uscc": uscc(1), "workers": 10}],
        "negotiation_id": foreign.pk,
    }
    resp = county.post("/api/v1/rights/contracts", body, content_type="application/json")
    assert resp.status_code == 404
    req2 = _request(people, subject="第二份要约")
    resp = county.post("/api/v1/rights/contracts", {**body, "negotiation_id": req2.pk}, content_type="application/json")
    assert resp.status_code == 201
    req2.refresh_from_db()
    assert req2.contract_id == resp.json()["id"]


def test_the_form_refuses_a_minimum_wage_below_the_local_standard(people, clients) -> None:  # type: ignore[no-untyped-def]
    resp = clients["county"].post("/rights/contracts/new/", form_data(minimum_wage="1,500", title=""))
    html = resp.content.decode()
    assert resp.status_code == 200 and not CollectiveContract.all_objects.exists()
    assert "低于当地最低工资标准 1,660.00 元/月（贵州省，2023-02-01 起执行）" in html
    assert 'data-testid="error-minimum_wage"' in html and 'data-testid="error-title"' in html  # all at once
