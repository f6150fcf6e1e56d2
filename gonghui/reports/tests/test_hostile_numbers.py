"""Numbers nobody types by accident: garbage and 30-digit ids answer 404 or the first page, never a 500.

The tree fragment parsed ?offset= itself (a 500 on "abc"); the id lookups already answer 404 on
both databases, and these tests keep them so.
"""

from __future__ import annotations

import pytest

from gonghui.core.tests.clients import client

HUGE = "9" * 30


@pytest.fixture
def officer(tree, make_user, login):
    return login(make_user("officer", ("officer", "520200")))


@pytest.mark.parametrize("offset", ["abc", "-1", HUGE, ""])
def test_the_tree_fragment_takes_any_offset(officer, offset: str) -> None:
    resp = officer.get(f"/orgs/520200/children/?offset={offset}")
    assert resp.status_code == 200


@pytest.mark.parametrize("url", [f"/members/{HUGE}/", f"/aid/files/{HUGE}/", f"/imports/{HUGE}/"])
def test_a_huge_id_on_a_page_is_not_found(officer, url: str) -> None:
    assert officer.get(url).status_code == 404


def test_a_huge_id_in_the_api_is_not_found(tree, make_user, bearer) -> None:
    headers = bearer(make_user("api", ("officer", "520200")))
    resp = client().get(f"/api/v1/members/{HUGE}", **headers)
    assert resp.status_code == 404
    assert resp.json()["code"] == "not_found"
