"""The till over HTTP: `POST /api/v1/benefits/transactions` with an Idempotency-Key, and who may use it."""

from __future__ import annotations

from typing import Any

import pytest

from gonghui.benefits.models import BenefitTransaction, Merchant, MerchantOperator
from gonghui.benefits.tests.test_transactions import make_world
from gonghui.core.tests.clients import client

pytestmark = pytest.mark.django_db


def till(headers: dict[str, str], body: dict[str, Any], key: str | None):  # type: ignore[no-untyped-def]
    extra = {**headers, **({"HTTP_IDEMPOTENCY_KEY": key} if key is not None else {})}
    return client(csrf=True).post("/api/v1/benefits/transactions", body, content_type="application/json", **extra)


@pytest.fixture
def world(tree, make_user, bearer) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    w = make_world(tree, make_user)
    w["auth"] = bearer(w["cashier"])
    return w


def test_a_sale_and_its_retry(world) -> None:
    body = {"member_code": world["cards"][0], "amount": "200.00"}
    first = till(world["auth"], body, "pos-7-000001")
    assert first.status_code == 201, first.content.decode()
    assert {k: first.json()[k] for k in ("amount", "discount", "paid", "campaign")} == {
        "amount": "200.00",
        "discount": "20.00",
        "paid": "180.00",
        "campaign": "致敬劳动者·五一促消费",
    }
    assert world["cards"][0] not in first.content.decode()
    again = till(world["auth"], body, "pos-7-000001")
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"] and again.json()["replayed"]
    other = till(world["auth"], {**body, "amount": "300.00"}, "pos-7-000001")
    assert other.status_code == 409 and other.json()["code"] == "benefit.key_reused"
    listed = client(csrf=True).get("/api/v1/benefits/transactions", **world["auth"]).json()
    assert [s["id"] for s in listed] == [first.json()["id"]]
    reversed_ = client(csrf=True).post(f"/api/v1/benefits/transactions/{first.json()['id']}/reverse", **world["auth"])
    assert reversed_.status_code == 200 and reversed_.json()["status"] == "reversed"


def test_refusals(world, make_user, bearer, tree) -> None:
    body = {"member_code": world["cards"][0], "amount": "200.00"}
    assert till(world["auth"], body, None).json()["code"] == "benefit.key_required"
    assert till(world["auth"], {**body, "amount": "-1"}, "k").json()["code"] == "benefit.amount_invalid"
    assert till({}, body, "k").status_code == 401
    # An account that works no merchant's till, or another merchant's sale: as if nothing were there.
    stranger = bearer(make_user("stranger"))
    assert till(stranger, body, "k").status_code == 404  # works no merchant's till: no merchant to sell at
    sale = till(world["auth"], body, "k2").json()
    other = Merchant.all_objects.create(org=tree.lps, org_path=tree.lps.path, name="别家超市", category="supermarket")
    other_cashier = make_user("other_cashier")
    MerchantOperator.objects.create(merchant=other, user=other_cashier)
    resp = client(csrf=True).post(f"/api/v1/benefits/transactions/{sale['id']}/reverse", **bearer(other_cashier))
    assert resp.status_code == 404
    assert BenefitTransaction.all_objects.get(pk=sale["id"]).status == "completed"
    assert client(csrf=True).get("/api/v1/benefits/transactions", **bearer(other_cashier)).json() == []


def batch(headers: dict[str, str], body: dict[str, Any]):  # type: ignore[no-untyped-def]
    return client(csrf=True).post(
        "/api/v1/benefits/transactions/batch", body, content_type="application/json", **headers
    )


def test_a_pos_batch_answers_each_sale_in_its_place(world, tree) -> None:
    """Each sale of a batch as if sent alone: recorded, replayed or refused, the others unaffected."""
    from gonghui.benefits.models import Store

    till(world["auth"], {"member_code": world["cards"][2], "amount": "50.00"}, "pos-1")  # recorded before
    foreign_store = Store.objects.create(
        merchant=Merchant.all_objects.create(org=tree.lps, org_path=tree.lps.path, name="别家", category="other"),
        name="别家一店",
    )
    cards = world["cards"]
    sales = [
        {"idempotency_key": "pos-2", "member_code": cards[0], "amount": "200.00"},  # 满158减20
        {"idempotency_key": "pos-3", "member_code": cards[1], "amount": "100.00"},  # below the threshold
        {"idempotency_key": "pos-4", "member_code": "6217950000000000000", "amount": "200.00"},  # no such card
        {"idempotency_key": "pos-1", "member_code": cards[2], "amount": "80.00"},  # the key, another sale
        {"idempotency_key": "pos-1", "member_code": cards[2], "amount": "50.00"},  # the key, the same sale
        {"idempotency_key": "pos-5", "member_code": cards[1], "amount": "300.00", "store_id": foreign_store.pk},
        {"idempotency_key": "pos-6", "member_code": cards[1], "amount": "二百"},
        {"idempotency_key": "pos-2", "member_code": cards[0], "amount": "200.00"},  # repeated inside the batch
    ]
    resp = batch(world["auth"], {"sales": sales})
    assert resp.status_code == 200, resp.content.decode()
    results = resp.json()["results"]
    assert [(r["idempotency_key"], r["status"]) for r in results] == [
        ("pos-2", 201),
        ("pos-3", 201),
        ("pos-4", 404),
        ("pos-1", 409),
        ("pos-1", 200),
        ("pos-5", 404),
        ("pos-6", 400),
        ("pos-2", 200),
    ]
    assert (results[0]["sale"]["discount"], results[1]["sale"]["discount"]) == ("20.00", "0.00")
    assert results[1]["sale"]["no_discount_reason"] == "未达到优惠条件"
    assert results[2]["error"]["code"] == "benefit.member_unknown" and results[2]["sale"] is None
    assert results[3]["error"]["code"] == "benefit.key_reused"
    assert results[7]["sale"]["id"] == results[0]["sale"]["id"]
    assert BenefitTransaction.all_objects.count() == 3
    world["campaign"].refresh_from_db()
    assert world["campaign"].spent_fen == 2000
    # The POS sends the batch again after a timeout: nothing is recorded twice.
    again = batch(world["auth"], {"sales": sales}).json()["results"]
    assert [r["status"] for r in again] == [200, 200, 404, 409, 200, 404, 400, 200]
    assert BenefitTransaction.all_objects.count() == 3


def test_a_pos_batch_is_refused_whole_for_strangers_and_oversize(world, make_user, bearer) -> None:
    one = {"idempotency_key": "k", "member_code": world["cards"][0], "amount": "200.00"}
    assert batch({}, {"sales": [one]}).status_code == 401
    assert batch(bearer(make_user("stranger")), {"sales": [one]}).status_code == 404
    assert batch(world["auth"], {"sales": [one] * 101}).status_code == 422
    assert batch(world["auth"], {"sales": []}).status_code == 422
    assert BenefitTransaction.all_objects.count() == 0
