"""The cashier's page over HTTP: a sale, a double submit, a stranger."""

from __future__ import annotations

import re

import pytest

from gonghui.benefits.models import BenefitTransaction
from gonghui.benefits.tests.test_transactions import make_world
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
