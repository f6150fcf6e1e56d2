"""A union's 撤销日期 is not later than today and not before its 成立日期 (`validation.clean_closed_on`).

One rule for the API, the close page and the console; a refusal changes nothing.
"""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from django.utils import timezone

from gonghui.core.errors import DomainError
from gonghui.core.tests.clients import client
from gonghui.orgs.models import Org
from gonghui.orgs.services import org_close, org_update

pytestmark = pytest.mark.django_db

BEFORE = "撤销日期不能早于成立日期（2023-07-20），请核对日期。"
FUTURE = "撤销日期不能晚于今天。"


@pytest.fixture
def founded(tree) -> Org:
    return org_update(actor=None, scope=None, org=tree.courier_union, changes={"founded_on": date(2023, 7, 20)})


def closed_on() -> date | None:
    return Org.all_objects.get(code="520201G001").closed_on


def test_the_api_refuses_a_close_before_the_founding_or_after_today(founded, make_user, bearer) -> None:
    headers = bearer(make_user("gz_admin", ("admin", "520000")))

    def close(day: str):
        return client().post(
            "/api/v1/orgs/520201G001/close", json.dumps({"closed_on": day}), content_type="application/json", **headers
        )

    for day, code, message in [
        ("2023-07-19", "org.closed_before_founded", BEFORE),
        ((timezone.localdate() + timedelta(days=1)).isoformat(), "org.closed_in_future", FUTURE),
    ]:
        resp = close(day)
        assert resp.status_code == 400, resp.content.decode()
        assert (resp.json()["code"], resp.json()["message"]) == (code, message)
        assert closed_on() is None
    assert close("2023-07-20").json()["closed_on"] == "2023-07-20"  # the day it was founded: possible


def test_the_close_page_shows_the_reason_and_closes_nothing(founded, make_user, login) -> None:
    page = login(make_user("gz_admin", ("admin", "520000"))).post(
        "/orgs/520201G001/close/", {"closed_on": "2020-01-01", "confirm": "on"}
    )
    assert page.status_code in (200, 400)
    assert BEFORE in page.content.decode()
    assert closed_on() is None


def test_the_service_refuses_alike(founded) -> None:
    with pytest.raises(DomainError) as exc:
        org_close(actor=None, scope=None, org=founded, closed_on=date(2022, 1, 1))
    assert exc.value.message == BEFORE
    assert org_close(actor=None, scope=None, org=founded).closed_on == timezone.localdate()
