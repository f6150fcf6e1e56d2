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


def _api_operations() -> list[tuple[str, str]]:
    """Every operation of the API, from its OpenAPI schema, path parameters filled with 1."""
    import re

    from gonghui.api import api

    schema = api.get_openapi_schema()
    ops = []
    for path, methods in schema["paths"].items():
        for method in methods:
            ops.append((method.upper(), re.sub(r"\{[^}]+\}", "1", path)))
    return sorted(ops)


API_OPERATIONS = _api_operations()


def test_every_api_operation_is_listed() -> None:
    assert len(API_OPERATIONS) > 80
    assert ("POST", "/api/v1/transfers") in API_OPERATIONS


@pytest.mark.parametrize(("method", "url"), API_OPERATIONS)
def test_every_api_operation_refuses_a_member_session(member, method: str, url: str) -> None:
    if method == "GET":
        resp = member.get(url)
    else:
        resp = getattr(member, method.lower())(url, data="{}", content_type="application/json")
    assert resp.status_code == 403, resp.content[:200]
    assert resp.json()["code"] == "accounts.member_account"


def test_every_staff_page_of_the_navigation_refuses_a_member_session(member) -> None:
    from django.urls import reverse

    from gonghui.core.ui import nav_entries

    for entry in nav_entries():
        url = reverse(entry.url_name)
        resp = member.get(url)
        # Refused (403), or sent to the phone; never a staff page with empty lists.
        assert resp.status_code == 403 or (resp.status_code == 302 and resp["Location"].startswith("/m/")), url
