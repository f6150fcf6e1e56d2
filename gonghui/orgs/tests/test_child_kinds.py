"""The kinds a parent may hold (validation.CHILD_KINDS), as the API and the forms apply them."""

from __future__ import annotations

import json
import re

import pytest
from django.test import Client

from gonghui.orgs.models import Org

pytestmark = pytest.mark.django_db


def test_the_api_refuses_a_kind_its_parent_may_not_hold_and_lists_the_kinds(tree, make_user, bearer) -> None:
    headers = bearer(make_user("lps_officer", ("officer", "520200")))
    body = {"code": "520201S01", "name": "某省总工会", "kind": "province_federation", "parent_code": "520201"}
    resp = Client().post("/api/v1/orgs", data=json.dumps(body), content_type="application/json", **headers)
    assert resp.status_code == 400
    assert resp.json()["code"] == "org.kind_not_allowed"
    assert resp.json()["details"] == {"kind": resp.json()["message"]}
    assert not Org.all_objects.filter(code="520201S01").exists()
    admin = bearer(make_user("gz_admin", ("admin", "520000")))
    move = json.dumps({"parent_code": "520102"})
    resp = Client().post("/api/v1/orgs/520201/move", data=move, content_type="application/json", **admin)
    assert resp.status_code == 400 and resp.json()["code"] == "org.kind_not_allowed"
    assert Org.all_objects.get(code="520201").parent_id == tree.lps.pk
    kinds = Client().get("/api/v1/orgs/520201/child-kinds", **headers).json()
    assert kinds[0] == {"kind": "grassroots", "label": "基层工会"}
    assert {k["kind"] for k in kinds}.isdisjoint({"province_federation", "city_federation", "county_federation"})
    assert Client().get("/api/v1/orgs/520102/child-kinds", **headers).status_code == 404  # another city


def test_the_new_union_form_offers_only_the_kinds_its_parent_may_hold(tree, make_user, login) -> None:
    client = login(make_user("lps_officer", ("officer", "520200")))
    page = client.get("/orgs/520201/new/").content.decode()
    select = page[page.index('name="kind"') : page.index("</select>", page.index('name="kind"'))]
    offered = re.findall(r'<option value="([a-z_]+)"( selected)?', select)
    assert offered[0] == ("grassroots", " selected")  # the most likely, preselected
    assert {v for v, _ in offered}.isdisjoint({"province_federation", "city_federation", "county_federation"})
    assert "township" in {v for v, _ in offered}
    # Under the city the first offer is a county federation.
    page = client.get("/orgs/520200/new/").content.decode()
    select = page[page.index('name="kind"') : page.index("</select>", page.index('name="kind"'))]
    assert re.findall(r'<option value="([a-z_]+)" selected', select) == ["county_federation"]
    # A kind the parent may not hold, posted anyway, is refused and nothing is made.
    resp = client.post("/orgs/520201/new/", {"code": "520201S01", "name": "某省总工会", "kind": "province_federation"})
    assert resp.status_code == 200
    assert not Org.all_objects.filter(code="520201S01").exists()
    ok = client.post("/orgs/520201/new/", {"code": "520201S02", "name": "某街道工会", "kind": "township"})
    assert ok.status_code == 302
    assert Org.all_objects.get(code="520201S02").parent_id == tree.zhongshan.pk


def test_the_move_form_refuses_a_parent_that_may_not_hold_the_kind(tree, make_user, login) -> None:
    client = login(make_user("gz_admin", ("admin", "520000")))
    resp = client.post("/orgs/520201/move/", {"parent_code": "520102"})
    assert resp.status_code == 200
    assert "县（市、区）总工会“南明区总工会”之下不能设县（市、区）总工会" in resp.content.decode()
    assert Org.all_objects.get(code="520201").parent_id == tree.lps.pk
