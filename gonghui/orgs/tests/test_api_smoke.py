from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_city_officer_lists_only_their_subtree(tree, make_user, bearer):
    from django.test import Client

    officer = make_user("lps", ("officer", "520200"))
    resp = Client().get("/api/v1/orgs", **bearer(officer))
    assert resp.status_code == 200
    body = resp.json()
    assert set(body) == {"items", "count", "page"}
    assert {o["code"] for o in body["items"]} == {"520200", "520201", "520201G001", "520200KD01"}


def test_foreign_org_is_404_with_json_error(tree, make_user, bearer):
    from django.test import Client

    officer = make_user("lps", ("officer", "520200"))
    resp = Client().get("/api/v1/orgs/520100", **bearer(officer))
    assert resp.status_code == 404
    assert resp.json()["code"] == "not_found"
    assert set(resp.json()) == {"code", "message", "details"}
