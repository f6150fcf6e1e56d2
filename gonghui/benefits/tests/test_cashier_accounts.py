"""Cashiers are cashiers: a till account is made for its merchant, never an existing account bound.

Found by an outsider's probe: binding the username of a member's mobile answered 201 with the
member's real name, so any mobile mapped to a name, and the member's phone session could then
sell at the till; another union's staff could be bound too. Now the binding makes a new account
(its username is the system's), so nothing typed is looked up and nobody's name comes back; and a
binding of a member's or a staff account made before the rule opens no till and is not listed.
"""

from __future__ import annotations

from typing import Any

import pytest

from gonghui.accounts.models import User
from gonghui.benefits.models import BenefitTransaction, MerchantOperator
from gonghui.benefits.tests.test_management_api import Api, refused
from gonghui.benefits.tests.test_transactions import make_world
from gonghui.core.tests.clients import client
from gonghui.members.tests.factories import id_number, register
from gonghui.portal.services import member_account_create

pytestmark = pytest.mark.django_db

MEMBER_MOBILE = "15000000000"
MEMBER_NAME = "周建华"
TILL_PASSWORD = "Till-password-2026"


@pytest.fixture
def world(tree, make_user, bearer) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    w = make_world(tree, make_user)
    member = register(tree.courier_union, id_number(880), name=MEMBER_NAME, mobile=MEMBER_MOBILE)
    w["member"] = member_account_create(
        actor=None, person=member.person, username=MEMBER_MOBILE, password=TILL_PASSWORD
    ).user
    foreign = make_user("dx_officer", ("officer", "621100"))
    foreign.display_name = "王定西"
    foreign.save(update_fields=["display_name"])
    w["foreign"] = foreign
    w["officer"] = Api(bearer(make_user("lps_officer", ("officer", "520200"))))
    return w


def operators(w: dict[str, Any]) -> str:
    return w["officer"].get(f"/merchants/{w['merchant'].pk}/operators").content.decode()


@pytest.mark.parametrize("who", ["member", "foreign"])
def test_an_existing_account_cannot_be_bound_and_its_name_never_comes_back(world, who: str) -> None:
    user = world[who]
    url = f"/merchants/{world['merchant'].pk}/operators"
    accounts = User.objects.count()
    # The old body (a username) is not a binding any more: refused, with no name in it.
    resp = world["officer"].post(url, {"username": user.username})
    assert resp.status_code == 422
    body = resp.content.decode()
    assert MEMBER_NAME not in body and "王定西" not in body
    # With a name and password, a username given is ignored: a new account is made, the member's
    # or the officer's is left alone and nothing of it is answered.
    made = world["officer"].post(url, {"username": user.username, "display_name": "收银台", "password": TILL_PASSWORD})
    assert made.status_code == 201, made.content.decode()
    assert made.json()["username"] != user.username
    assert MEMBER_NAME not in made.content.decode() and "王定西" not in made.content.decode()
    assert not MerchantOperator.objects.filter(user=user).exists()
    assert User.objects.count() == accounts + 1
    # The page form has no username field to try either.
    page = client()
    page.force_login(User.objects.get(username="lps_officer"))
    form = page.get(f"/benefits/merchants/{world['merchant'].pk}/").content.decode()
    assert 'name="username"' not in form and 'name="display_name"' in form


@pytest.mark.parametrize("who", ["member", "foreign"])
def test_a_binding_made_before_the_rule_opens_no_till_and_shows_no_name(world, who: str, bearer) -> None:
    user = world[who]
    MerchantOperator.objects.create(merchant=world["merchant"], user=user)
    # Not listed: neither the name nor the username comes back to the merchant's union.
    listed = operators(world)
    assert user.username not in listed and MEMBER_NAME not in listed and "王定西" not in listed
    # The till does not open for that account: not on the page, not in the API.
    session = client()
    session.force_login(user)
    assert session.get("/benefits/till/").status_code == 404
    sale = {"member_code": world["cards"][0], "amount": "200.00"}
    resp = session.post("/benefits/till/", sale)
    assert resp.status_code == 404
    if who == "foreign":  # a staff account may hold a token; the till API refuses it as a non-cashier
        api = client(csrf=True).post(
            "/api/v1/benefits/transactions",
            sale,
            content_type="application/json",
            HTTP_IDEMPOTENCY_KEY="probe-1",
            **bearer(user),
        )
        assert api.status_code == 404
    assert not BenefitTransaction.all_objects.filter(operator=user).exists()


def test_a_refusal_says_nothing_about_accounts(world) -> None:
    # Binding names no account at all, so no answer can tell whether a username exists.
    url = f"/merchants/{world['merchant'].pk}/operators"
    weak = refused(
        world["officer"].post(url, {"display_name": "x", "password": "12345678"}), 400, "benefit.password_rejected"
    )
    assert MEMBER_MOBILE not in str(weak)
    made = world["officer"].post(url, {"display_name": "1号台", "password": TILL_PASSWORD}).json()
    assert made["display_name"] == "1号台"
    cashier = User.objects.get(username=made["username"])
    assert not cashier.grants.exists() and cashier.is_active
