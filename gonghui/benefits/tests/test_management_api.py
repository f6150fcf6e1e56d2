"""Managing 普惠 over the API: merchants, stores, cashier accounts, campaigns and their sales.

Each write's rules and refusals (in Chinese, naming the field), its audit event,
and that a refused write changes nothing. Who may call what is in
`test_management_authz.py`.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from gonghui.accounts.models import User
from gonghui.benefits.models import Campaign, CampaignStatus, Merchant, MerchantOperator, Recurrence, Store
from gonghui.benefits.tests.helpers import add_stores, audit_actions, sell, snapshot
from gonghui.benefits.tests.test_transactions import make_world
from gonghui.core.tests.clients import client
from gonghui.core.validators import uscc_with_check

pytestmark = pytest.mark.django_db

BASE = "/api/v1/benefits"
USCC = uscc_with_check("91520201MA6DKX5L5")
OTHER_USCC = uscc_with_check("91520201MA6DKX5L6")
TILL_PASSWORD = "Till-password-2026"


class Api:
    def __init__(self, headers: dict[str, str]) -> None:
        self.headers = headers

    def _send(self, method: str, url: str, body: Any = None):  # type: ignore[no-untyped-def]
        c = client(csrf=True)
        if body is None:
            return getattr(c, method)(BASE + url, **self.headers)
        return getattr(c, method)(BASE + url, data=json.dumps(body), content_type="application/json", **self.headers)

    def get(self, url: str):  # type: ignore[no-untyped-def]
        return self._send("get", url)

    def post(self, url: str, body: Any = None):  # type: ignore[no-untyped-def]
        return self._send("post", url, body if body is not None else {})

    def patch(self, url: str, body: Any):  # type: ignore[no-untyped-def]
        return self._send("patch", url, body)

    def put(self, url: str, body: Any):  # type: ignore[no-untyped-def]
        return self._send("put", url, body)

    def delete(self, url: str):  # type: ignore[no-untyped-def]
        return self._send("delete", url)


@pytest.fixture
def officer(tree, make_user, bearer) -> Api:  # type: ignore[no-untyped-def]
    return Api(bearer(make_user("lps_officer", ("officer", "520200"))))


def refused(resp, status: int, code: str, field: str | None = None) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    assert resp.status_code == status, resp.content.decode()
    body = resp.json()
    assert body["code"] == code, body
    assert any("\u4e00" <= ch <= "\u9fff" for ch in body["message"])
    if field is not None:
        assert field in body["details"], body
        assert any("\u4e00" <= ch <= "\u9fff" for ch in body["details"][field])
    return body


# --- merchants -----------------------------------------------------------------------------------


def test_a_merchant_from_sign_up_to_the_end_of_the_partnership(officer: Api) -> None:
    made = officer.post(
        "/merchants",
        {
            "org_code": "520200",
            "name": " 钟山百货 ",
            "category": "超市零售",  # the label is accepted too
            "uscc": USCC.lower(),
            "region_code": "520201",
            "address": "钟山区人民路 1 号",
        },
    )
    assert made.status_code == 201, made.content.decode()
    m = made.json()
    assert (m["name"], m["uscc"], m["category"], m["org_code"], m["is_active"]) == (
        "钟山百货",
        USCC,
        "supermarket",
        "520200",
        True,
    )
    assert [x["id"] for x in officer.get("/merchants?q=百货").json()["items"]] == [m["id"]]
    assert [x["id"] for x in officer.get(f"/merchants?q={USCC}").json()["items"]] == [m["id"]]
    assert officer.get("/merchants?q=没有这家").json()["count"] == 0

    changed = officer.patch(f"/merchants/{m['id']}", {"address": "钟山区人民路 2 号", "category": "catering"})
    assert changed.status_code == 200 and changed.json()["address"] == "钟山区人民路 2 号"
    same = officer.patch(f"/merchants/{m['id']}", {"address": "钟山区人民路 2 号"})
    assert same.status_code == 200
    ended = officer.post(f"/merchants/{m['id']}/deactivate", {"reason": "合同到期"})
    assert ended.status_code == 200 and ended.json()["is_active"] is False
    refused(officer.post(f"/merchants/{m['id']}/deactivate"), 409, "benefit.merchant_already_inactive")
    assert officer.get("/merchants?active=true").json()["count"] == 0
    # One event per change; the unchanged PATCH wrote none.
    assert audit_actions()[-3:] == [
        "benefits.merchant.create",
        "benefits.merchant.update",
        "benefits.merchant.deactivate",
    ]


@pytest.mark.parametrize(
    ("body", "field", "code"),
    [
        ({"uscc": USCC[:-1] + ("0" if USCC[-1] != "0" else "1")}, "uscc", "benefit.uscc_invalid"),  # check character
        ({"uscc": "12345"}, "uscc", "benefit.uscc_invalid"),
        ({"region_code": "5202"}, "region_code", "benefit.region_invalid"),
        ({"category": "赌场"}, "category", "benefit.category_unknown"),
        ({"name": "  "}, "name", "benefit.field_required"),
        ({"name": "超" * 201}, "name", "benefit.too_long"),
    ],
)
def test_a_merchant_with_a_bad_field_is_refused_by_name(
    officer: Api, body: dict[str, str], field: str, code: str
) -> None:
    before = snapshot()
    fields = {"org_code": "520200", "name": "钟山百货", "category": "supermarket", **body}
    out = refused(officer.post("/merchants", fields), 400, code, field)
    assert out["details"] == {field: out["message"]}
    assert snapshot() == before


def test_a_uscc_is_one_merchants(officer: Api, tree) -> None:
    Merchant.all_objects.create(
        org=tree.dingxi, org_path=tree.dingxi.path, name="定西某超市", category="supermarket", uscc=USCC
    )
    before = snapshot()
    body = refused(
        officer.post("/merchants", {"org_code": "520200", "name": "钟山百货", "category": "supermarket", "uscc": USCC}),
        409,
        "benefit.uscc_taken",
    )
    assert "定西" not in body["message"]  # another province's merchant is not named
    assert snapshot() == before
    mine = officer.post("/merchants", {"org_code": "520200", "name": "钟山百货", "category": "other"}).json()
    refused(officer.patch(f"/merchants/{mine['id']}", {"uscc": USCC}), 409, "benefit.uscc_taken")
    assert officer.patch(f"/merchants/{mine['id']}", {"uscc": OTHER_USCC}).json()["uscc"] == OTHER_USCC


# --- stores and cashiers ---------------------------------------------------------------------------


def test_stores_and_cashier_accounts(officer: Api, tree, make_user) -> None:
    m = officer.post("/merchants", {"org_code": "520200", "name": "华联超市", "category": "supermarket"}).json()
    a = officer.post(f"/merchants/{m['id']}/stores", {"name": "碧江店", "region_code": "520201"})
    assert a.status_code == 201, a.content.decode()
    b = officer.post(f"/merchants/{m['id']}/stores", {"name": "万山店"}).json()
    refused(officer.post(f"/merchants/{m['id']}/stores", {"name": ""}), 400, "benefit.field_required", "name")
    closed = officer.patch(f"/merchants/{m['id']}/stores/{b['id']}", {"is_active": False, "address": "万山区"})
    assert closed.status_code == 200 and (closed.json()["is_active"], closed.json()["address"]) == (False, "万山区")
    assert [s["name"] for s in officer.get(f"/merchants/{m['id']}/stores").json()] == ["碧江店", "万山店"]
    assert officer.get(f"/merchants/{m['id']}").json()["store_count"] == 2

    # A cashier account is made for the merchant by the binding: a username of the system's, the
    # name of a till, a password the union hands over. No existing account is ever bound.
    made = officer.post(
        f"/merchants/{m['id']}/operators", {"display_name": "碧江店1号收银台", "password": TILL_PASSWORD}
    )
    assert made.status_code == 201, made.content.decode()
    assert made.json() | {"id": 0} == {
        "id": 0,
        "merchant_id": m["id"],
        "username": f"cashier{m['id']}-1",
        "display_name": "碧江店1号收银台",
        "store_id": None,
        "store": None,
    }
    cashier = User.objects.get(username=f"cashier{m['id']}-1")
    assert cashier.check_password(TILL_PASSWORD) and not cashier.grants.exists()
    moved = officer.patch(f"/merchants/{m['id']}/operators/{made.json()['id']}", {"store_id": a.json()["id"]})
    assert moved.status_code == 200 and moved.json()["store"] == "碧江店"
    again = officer.patch(f"/merchants/{m['id']}/operators/{made.json()['id']}", {"store_id": a.json()["id"]})
    assert again.status_code == 200
    refused(
        officer.patch(f"/merchants/{m['id']}/operators/{made.json()['id']}", {"store_id": b["id"]}),
        409,
        "benefit.store_inactive",
    )
    refused(
        officer.post(f"/merchants/{m['id']}/operators", {"display_name": "x", "password": "12345678"}),
        400,
        "benefit.password_rejected",
        "password",
    )
    refused(
        officer.post(f"/merchants/{m['id']}/operators", {"display_name": " ", "password": TILL_PASSWORD}),
        400,
        "benefit.field_required",
        "display_name",
    )
    assert [o["username"] for o in officer.get(f"/merchants/{m['id']}/operators").json()] == [f"cashier{m['id']}-1"]
    gone = officer.delete(f"/merchants/{m['id']}/operators/{made.json()['id']}")
    assert gone.status_code == 204
    assert not MerchantOperator.objects.exists()
    cashier.refresh_from_db()
    assert not cashier.is_active  # made for this till: unbound, it signs in no more
    refused(officer.delete(f"/merchants/{m['id']}/operators/{made.json()['id']}"), 404, "not_found")
    # The next account of this merchant gets the next name.
    second = officer.post(f"/merchants/{m['id']}/operators", {"display_name": "2号台", "password": TILL_PASSWORD})
    assert second.json()["username"] == f"cashier{m['id']}-2"
    # A store is addressed under its own merchant only.
    other = officer.post("/merchants", {"org_code": "520200", "name": "别家", "category": "other"}).json()
    refused(officer.patch(f"/merchants/{other['id']}/stores/{b['id']}", {"name": "x"}), 404, "not_found")
    # One event per change: the repeated binding and the refusals wrote none.
    assert [a for a in audit_actions() if a.startswith(("benefits.store", "benefits.operator"))] == [
        "benefits.store.create",
        "benefits.store.create",
        "benefits.store.update",
        "benefits.operator.bind",
        "benefits.operator.move",
        "benefits.operator.unbind",
        "benefits.operator.bind",
    ]


# --- campaigns -----------------------------------------------------------------------------------


def _campaign_body(merchant_ids: list[int], **fields: Any) -> dict[str, Any]:
    now = timezone.now()
    return {
        "org_code": "520200",
        "name": "六盘水普惠周",
        "starts_at": (now - timedelta(days=1)).isoformat(),
        "ends_at": (now + timedelta(days=400)).isoformat(),
        "rule_type": "full_reduction",
        "threshold": "158",
        "reduction": "20.00",
        "budget": "5000",
        "per_member_count": 2,
        "per_day_count": 1,
        "recurrence": "quarterly",
        "merchant_ids": merchant_ids,
        **fields,
    }


def test_a_campaign_from_draft_to_closed(officer: Api, tree) -> None:
    m = officer.post("/merchants", {"org_code": "520200", "name": "华联超市", "category": "supermarket"}).json()
    store = officer.post(f"/merchants/{m['id']}/stores", {"name": "碧江店"}).json()
    made = officer.post("/campaigns", _campaign_body([m["id"]], store_ids=[store["id"]]))
    assert made.status_code == 201, made.content.decode()
    c = made.json()
    assert (c["status"], c["budget"], c["budget_used"], c["budget_remaining"]) == (
        "draft",
        "5000.00",
        "0.00",
        "5000.00",
    )
    assert (c["threshold"], c["reduction"], c["recurrence_text"]) == ("158.00", "20.00", "每季度第1个月1日起，连续7天")
    assert [x["id"] for x in c["merchants"]] == [m["id"]] and [x["id"] for x in c["stores"]] == [store["id"]]
    occurrences = officer.get(f"/campaigns/{c['id']}/occurrences").json()
    assert 4 <= len(occurrences) <= 6 and [o["number"] for o in occurrences] == list(range(1, len(occurrences) + 1))
    assert all(o["last_day"] >= o["first_day"] for o in occurrences)

    edited = officer.patch(f"/campaigns/{c['id']}", {"budget": "6000.50", "per_member_count": None, "name": "普惠周"})
    assert edited.status_code == 200, edited.content.decode()
    assert (edited.json()["budget"], edited.json()["per_member_count"]) == ("6000.50", None)
    started = officer.post(f"/campaigns/{c['id']}/activate")
    assert started.status_code == 200 and started.json()["status"] == "active"
    assert started.json()["activated_at"] is not None
    before = snapshot()
    refused(officer.patch(f"/campaigns/{c['id']}", {"budget": "9000"}), 409, "benefit.campaign_state")
    refused(officer.post(f"/campaigns/{c['id']}/activate"), 409, "benefit.campaign_state")
    assert snapshot() == before
    widened = officer.put(f"/campaigns/{c['id']}/participants", {"merchant_ids": [m["id"]], "store_ids": []})
    assert widened.status_code == 200 and widened.json()["stores"] == []
    closed = officer.post(f"/campaigns/{c['id']}/close", {"reason": "预算调整"})
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    refused(officer.post(f"/campaigns/{c['id']}/close"), 409, "benefit.campaign_state")
    refused(officer.put(f"/campaigns/{c['id']}/participants", {"merchant_ids": []}), 409, "benefit.campaign_state")
    assert [a for a in audit_actions() if a.startswith("benefits.campaign")] == [
        "benefits.campaign.create",
        "benefits.campaign.update",
        "benefits.campaign.activate",
        "benefits.campaign.participants",
        "benefits.campaign.close",
    ]
    listed = officer.get("/campaigns?status=closed&org=520200").json()
    assert [x["id"] for x in listed["items"]] == [c["id"]]


@pytest.mark.parametrize(
    ("fields", "problems"),
    [
        ({"threshold": "10", "reduction": "20"}, {"threshold"}),
        ({"reduction": "0"}, {"reduction"}),
        ({"rule_type": "discount", "discount_percent": 100}, {"discount_percent"}),
        ({"rule_type": "fixed", "reduction": "0"}, {"reduction"}),
        ({"rule_type": "lottery"}, {"rule_type"}),
        ({"budget": "abc", "threshold": "-1", "max_discount": "0.001"}, {"budget", "threshold", "max_discount"}),
        ({"budget": "0"}, {"budget"}),
        ({"per_day_count": 0}, {"per_day_count"}),
        ({"per_member_count": 10**12}, {"per_member_count"}),  # a 400, not PostgreSQL's overflow (a 500)
        ({"budget": "1e15"}, {"budget"}),
        ({"rule_type": "fixed", "reduction": "5", "discount_percent": 40000}, {"discount_percent"}),
        ({"per_member_amount": "0"}, {"per_member_amount"}),
        ({"ends_at": "2020-01-01T00:00:00+08:00"}, {"ends_at"}),
        ({"occurrence_days": 40, "occurrence_month": 4}, {"occurrence_days", "occurrence_month"}),
        ({"occurrence_start_day": 29}, {"occurrence_start_day"}),
        ({"recurrence": "weekly"}, {"recurrence"}),
        ({"name": ""}, {"name"}),
    ],
)
def test_a_campaign_with_bad_fields_is_refused_by_name(
    officer: Api, fields: dict[str, Any], problems: set[str]
) -> None:
    m = officer.post("/merchants", {"org_code": "520200", "name": "华联超市", "category": "supermarket"}).json()
    before = snapshot()
    resp = officer.post("/campaigns", _campaign_body([m["id"]], **fields))
    # A malformed amount is refused before the campaign's rules are checked.
    malformed = {"budget", "max_discount", "per_member_amount"} & set(fields)
    code = "benefit.campaign_amounts_invalid" if malformed else "benefit.campaign_rules_broken"
    body = refused(resp, 400, code)
    assert set(body["details"]) == problems, body["details"]
    assert body["message"] == "；".join(body["details"].values())
    assert snapshot() == before


def test_a_quarterly_campaign_needs_a_week_in_its_period(officer: Api) -> None:
    body = _campaign_body(
        [], starts_at="2026-02-10T00:00:00+08:00", ends_at="2026-02-20T00:00:00+08:00", occurrence_start_day=1
    )
    refused(officer.post("/campaigns", body), 400, "benefit.campaign_rules_broken", "starts_at")
    # The same period without recurrence is fine (as a draft).
    assert officer.post("/campaigns", {**body, "recurrence": "none"}).status_code == 201


def test_activation_needs_a_merchant_and_a_future(officer: Api, tree) -> None:
    bare = officer.post("/campaigns", _campaign_body([])).json()
    refused(officer.post(f"/campaigns/{bare['id']}/activate"), 409, "benefit.campaign_no_merchants")
    m = officer.post("/merchants", {"org_code": "520200", "name": "华联超市", "category": "supermarket"}).json()
    past = officer.post(
        "/campaigns",
        _campaign_body(
            [m["id"]], starts_at="2024-01-01T00:00:00+08:00", ends_at="2024-12-31T00:00:00+08:00", recurrence="none"
        ),
    ).json()
    refused(officer.post(f"/campaigns/{past['id']}/activate"), 409, "benefit.campaign_over")
    officer.post(f"/merchants/{m['id']}/deactivate")
    refused(
        officer.put(f"/campaigns/{bare['id']}/participants", {"merchant_ids": [m["id"]]}),
        409,
        "benefit.merchant_inactive",
    )
    dropped = officer.post(f"/campaigns/{bare['id']}/close")  # a draft may be dropped
    assert dropped.json()["status"] == "closed"
    assert Campaign.all_objects.get(pk=past["id"]).status == CampaignStatus.DRAFT


def test_a_store_names_its_merchant_and_a_campaign_shows_its_figures(officer: Api, tree, make_user, bearer) -> None:
    world = make_world(tree, make_user, recurrence=Recurrence.NONE)
    a, b = add_stores(world["merchant"], "碧江店", "万山店")
    campaign = world["campaign"]
    Campaign.all_objects.filter(pk=campaign.pk).update(status=CampaignStatus.DRAFT)
    shown = officer.put(f"/campaigns/{campaign.pk}/participants", {"merchant_ids": [], "store_ids": [a.pk]})
    assert shown.status_code == 200
    assert [x["name"] for x in shown.json()["merchants"]] == ["华联超市"]  # taken along with its store
    Campaign.all_objects.filter(pk=campaign.pk).update(status=CampaignStatus.ACTIVE)
    sell(world, "1", store=a)
    sell(world, "2", card=1, store=a, amount=10000)  # below the threshold: counted, not discounted
    sell(world, "3", card=2, store=b)  # another store: not the campaign's
    figures = officer.get(f"/campaigns/{campaign.pk}").json()
    assert figures["figures"] == {"sales": 2, "discounted": 1, "members": 1, "amount": "300.00", "discount": "20.00"}
    assert (figures["budget_used"], figures["budget_remaining"]) == ("20.00", "9980.00")


def test_the_sales_list_filters_and_a_cashier_sees_its_merchants_only(officer: Api, tree, make_user, bearer) -> None:
    world = make_world(tree, make_user)
    a, b = add_stores(world["merchant"], "碧江店", "万山店")
    s1 = sell(world, "1", store=a).transaction
    s2 = sell(world, "2", card=1, store=b).transaction
    other = Merchant.all_objects.create(org=tree.lps, org_path=tree.lps.path, name="别家超市", category="supermarket")
    world["campaign"].merchants.add(other)
    other_cashier = make_user("other_cashier")
    MerchantOperator.objects.create(merchant=other, user=other_cashier)
    s3 = sell({**world, "merchant": other}, "3", card=2, operator=other_cashier).transaction
    assert [x["id"] for x in officer.get("/sales").json()["items"]] == [s3.pk, s2.pk, s1.pk]
    assert [x["id"] for x in officer.get(f"/sales?store_id={a.pk}").json()["items"]] == [s1.pk]
    assert [x["id"] for x in officer.get(f"/sales?merchant_id={other.pk}").json()["items"]] == [s3.pk]
    today = timezone.localdate().isoformat()
    assert officer.get(f"/sales?day={today}&campaign_id={world['campaign'].pk}").json()["count"] == 3
    assert officer.get("/sales?day=2020-01-01").json()["count"] == 0
    cashier = Api(bearer(world["cashier"]))
    assert [x["id"] for x in cashier.get("/sales").json()["items"]] == [s2.pk, s1.pk]
    assert cashier.get(f"/sales?merchant_id={other.pk}").json()["count"] == 0
    # The campaign both take part in: each cashier sees it, with its own merchant among the participants.
    seen = cashier.get(f"/campaigns/{world['campaign'].pk}").json()
    assert [x["name"] for x in seen["merchants"]] == ["华联超市"]
    assert [x["name"] for x in Api(bearer(other_cashier)).get("/campaigns").json()["items"][0]["merchants"]] == [
        "别家超市"
    ]
    assert [m["name"] for m in cashier.get("/merchants").json()["items"]] == ["华联超市"]
    assert Store.objects.count() == 2
