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
    assert till(stranger, body, "k").status_code in (400, 404, 422)
    sale = till(world["auth"], body, "k2").json()
    other = Merchant.all_objects.create(org=tree.lps, org_path=tree.lps.path, name="别家超市", category="supermarket")
    other_cashier = make_user("other_cashier")
    MerchantOperator.objects.create(merchant=other, user=other_cashier)
    resp = client(csrf=True).post(f"/api/v1/benefits/transactions/{sale['id']}/reverse", **bearer(other_cashier))
    assert resp.status_code == 404
    assert BenefitTransaction.all_objects.get(pk=sale["id"]).status == "completed"
    assert client(csrf=True).get("/api/v1/benefits/transactions", **bearer(other_cashier)).json() == []
