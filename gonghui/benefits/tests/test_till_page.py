"""The cashier's page over HTTP: a sale, a double submit, a stranger, an account at two merchants."""

from __future__ import annotations

import re

import pytest

from gonghui.benefits import selectors
from gonghui.benefits.models import BenefitTransaction, Merchant, MerchantOperator
from gonghui.benefits.tests.test_transactions import make_world
from gonghui.core.errors import DomainError, NotFoundError
from gonghui.core.tests.clients import client

pytestmark = pytest.mark.django_db


def logged_in(username: str):  # type: ignore[no-untyped-def]
    from gonghui.accounts.models import User

    c = client(csrf=False)
    c.force_login(User.objects.get(username=username))
    return c


def test_a_sale_on_the_page_and_a_double_submit_is_one_sale(tree, make_user) -> None:
    world = make_world(tree, make_user)
    c = logged_in("cashier")
    page = c.get("/benefits/till/").content.decode()
    key = re.search(r'name="key" value="([0-9a-f]{32})"', page).group(1)  # type: ignore[union-attr]
    form = {"key": key, "member_code": world["cards"][0], "amount": "200"}
    done = c.post("/benefits/till/", form).content.decode()
    assert "20.00" in done and "180.00" in done and "致敬劳动者·五一促消费" in done
    again = c.post("/benefits/till/", form).content.decode()
    assert "未重复优惠" in again
    assert BenefitTransaction.all_objects.count() == 1
    assert re.search(r'name="key" value="([0-9a-f]{32})"', done).group(1) != key  # type: ignore[union-attr]
    wrong = c.post("/benefits/till/", {**form, "key": "k2", "amount": "abc"}).content.decode()
    assert "消费金额须为正数" in wrong


def test_only_a_cashier_sees_the_page(tree, make_user) -> None:
    make_world(tree, make_user)
    make_user("stranger")
    assert logged_in("stranger").get("/benefits/till/").status_code == 404
    assert client().get("/benefits/till/").status_code == 302  # to the login page


def test_an_account_at_two_merchants_is_refused_alike_by_the_page_and_the_api(tree, make_user, bearer) -> None:
    """One rule (`selectors.cashier_link`) for both: the page no longer picks one of the merchants."""
    world = make_world(tree, make_user)
    other = Merchant.all_objects.create(org=tree.lps, org_path=tree.lps.path, name="别家超市", category="supermarket")
    MerchantOperator.objects.create(merchant=other, user=world["cashier"])
    auth = bearer(world["cashier"])
    sale = {"member_code": world["cards"][0], "amount": "200.00"}
    api = client(csrf=True).post(
        "/api/v1/benefits/transactions", sale, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k1", **auth
    )
    assert (api.status_code, api.json()["code"]) == (400, "benefit.merchant_ambiguous")
    assert api.json()["message"] == "该账户服务多个商户，请指定 merchant_id"
    listed = client(csrf=True).get("/api/v1/benefits/transactions", **auth)
    assert (listed.status_code, listed.json()["code"]) == (400, "benefit.merchant_ambiguous")

    page = logged_in("cashier")
    for resp in (page.get("/benefits/till/"), page.post("/benefits/till/", {**sale, "key": "k2"})):
        html = resp.content.decode()
        assert resp.status_code == api.status_code
        assert f'data-testid="refusal">{api.json()["message"]}<' in html
        assert 'name="member_code"' not in html  # no till to record at
    assert not BenefitTransaction.all_objects.exists()

    # The API's way out: name the merchant.
    named = client(csrf=True).post(
        "/api/v1/benefits/transactions",
        {**sale, "merchant_id": world["merchant"].pk},
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="k3",
        **auth,
    )
    assert named.status_code == 201 and named.json()["merchant"] == "华联超市"


def test_the_cashier_link_rule(tree, make_user) -> None:
    world = make_world(tree, make_user)
    cashier = world["cashier"]
    assert selectors.cashier_link(user=cashier).merchant == world["merchant"]
    assert selectors.cashier_link(user=cashier, merchant_id=world["merchant"].pk).merchant == world["merchant"]
    with pytest.raises(NotFoundError):
        selectors.cashier_link(user=make_user("stranger"))
    other = Merchant.all_objects.create(org=tree.lps, org_path=tree.lps.path, name="别家超市", category="supermarket")
    with pytest.raises(NotFoundError):
        selectors.cashier_link(user=cashier, merchant_id=other.pk)  # a merchant it does not work
    MerchantOperator.objects.create(merchant=other, user=cashier)
    with pytest.raises(DomainError) as ambiguous:
        selectors.cashier_link(user=cashier)
    assert (ambiguous.value.code, ambiguous.value.details) == (
        "benefit.merchant_ambiguous",
        {"merchant_id": "该账户服务多个商户，请指定 merchant_id"},
    )
    assert selectors.cashier_link(user=cashier, merchant_id=other.pk).merchant == other


def test_a_cashier_lands_on_the_till_sees_todays_sales_and_reverses_one(tree, make_user) -> None:
    world = make_world(tree, make_user)
    c = logged_in("cashier")
    # After login the dashboard would be a 403 to a cashier: they land on the till.
    landing = c.get("/")
    assert (landing.status_code, landing["Location"]) == (302, "/benefits/till/")
    page = c.get("/benefits/till/").content.decode()
    assert 'data-testid="logout"' in page and "今天还没有交易" in page
    key = re.search(r'name="key" value="([0-9a-f]{32})"', page).group(1)  # type: ignore[union-attr]
    c.post("/benefits/till/", {"key": key, "member_code": world["cards"][0], "amount": "200"})
    sale = BenefitTransaction.all_objects.get()
    page = c.get("/benefits/till/").content.decode()
    assert "消费 200.00 元 · 优惠 20.00 元" in page and f'data-testid="reverse-{sale.pk}"' in page
    done = c.post(f"/benefits/till/sales/{sale.pk}/reverse/")
    assert done.status_code == 302
    sale.refresh_from_db()
    assert sale.status == "reversed"
    page = c.get("/benefits/till/").content.decode()
    assert "已撤销" in page and f'data-testid="reverse-{sale.pk}"' not in page


def test_a_sale_is_reversed_only_from_its_merchants_till(tree, make_user) -> None:
    world = make_world(tree, make_user)
    c = logged_in("cashier")
    page = c.get("/benefits/till/").content.decode()
    key = re.search(r'name="key" value="([0-9a-f]{32})"', page).group(1)  # type: ignore[union-attr]
    c.post("/benefits/till/", {"key": key, "member_code": world["cards"][0], "amount": "200"})
    sale = BenefitTransaction.all_objects.get()
    make_user("stranger")
    assert logged_in("stranger").post(f"/benefits/till/sales/{sale.pk}/reverse/").status_code == 404
    sale.refresh_from_db()
    assert sale.status == "completed"
