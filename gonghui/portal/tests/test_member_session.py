"""A member's session is for the phone: the API and the bulk pages answer 403 with the pointer, not empty lists."""

from __future__ import annotations

import pytest

from gonghui.conftest import PASSWORD
from gonghui.core.tests.clients import client as new_client
from gonghui.portal.tests.factories import PortalWorld
from gonghui.portal.tests.test_accounts import LOGIN, WORKER_MOBILE


@pytest.fixture
def member(pw_world: PortalWorld):
    c = new_client()
    resp = c.post(LOGIN, {"username": WORKER_MOBILE, "password": PASSWORD})
    assert resp.status_code == 302
    return c


@pytest.mark.parametrize("url", ["/imports/", "/imports/new/", "/synonyms/"])
def test_the_bulk_pages_are_forbidden_with_the_pointer(member, url: str) -> None:
    resp = member.get(url)
    assert resp.status_code == 403
    assert "/m/login/" in resp.content.decode()


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/members",
        "/api/v1/orgs",
        "/api/v1/aid/files",
        "/api/v1/stats",
        "/api/v1/orgs/suggest?q=zgh",
        "/api/v1/regions/suggest?q=zhongshan",
    ],
)
def test_the_api_is_forbidden_with_the_reason(member, url: str) -> None:
    resp = member.get(url)
    assert resp.status_code == 403
    assert resp.json()["code"] == "accounts.member_account"


def test_the_phone_pages_and_the_dashboard_still_work(member) -> None:
    assert member.get("/m/").status_code == 200
    assert member.get("/")["Location"] == "/m/"  # the staff site's front door sends a member home
