"""要约: a request to negotiate answered in writing within 20 days; through the service, the page and the API."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from gonghui.accounts.scope import scope_for_user
from gonghui.core.errors import DomainError, PermissionDeniedError
from gonghui.rights import contracts
from gonghui.rights.models import NegotiationRequest
from gonghui.rights.tests.test_contracts import uscc

pytestmark = pytest.mark.django_db


def test_the_twenty_days_and_the_reply(people) -> None:  # type: ignore[no-untyped-def]
    user = people["users"]["county"]
    scope = scope_for_user(user)
    req = contracts.request_record(
        actor=user,
        scope=scope,
        org=people["tree"].zhongshan,
        side="union",
        employer_name="某公司",
        employer_uscc=uscc(5),
        subject="工资集体协商",
        requested_on=date(2026, 3, 1),
    )
    assert not contracts.request_overdue(req, date(2026, 3, 21))
    assert contracts.request_overdue(req, date(2026, 3, 22))
    with pytest.raises(DomainError) as exc:
        contracts.request_reply(actor=user, scope=scope, negotiation=req, replied_on=date(2026, 2, 1))
    assert exc.value.code == "rights.request_reply_early"
    with pytest.raises(PermissionDeniedError):
        contracts.request_reply(
            actor=None, scope=scope_for_user(people["users"]["sibling"]), negotiation=req, replied_on=date(2026, 3, 5)
        )
    req = contracts.request_reply(
        actor=user, scope=scope, negotiation=req, replied_on=date(2026, 3, 20), note="同意协商"
    )
    assert not contracts.request_overdue(req, date(2026, 6, 1))
    with pytest.raises(DomainError):
        contracts.request_reply(actor=user, scope=scope, negotiation=req, replied_on=date(2026, 3, 21))
    with pytest.raises(DomainError) as exc:
        contracts.request_record(
            actor=user,
            scope=scope,
            org=people["tree"].zhongshan,
            side="x",
            employer_name="",
            employer_uscc="1",
            subject="",
            requested_on=date(2026, 3, 1),
        )
    assert set(exc.value.details) == {"side", "employer_name", "employer_uscc", "subject"}


def test_the_page_and_the_api(people, login) -> None:  # type: ignore[no-untyped-def]
    county, sibling, viewer = (login(people["users"][k]) for k in ("county", "sibling", "viewer"))
    long_ago = date.today() - timedelta(days=30)
    resp = county.post(
        "/rights/requests/",
        {
            "org": "520201",
            "side": "employer",
            "employer_name": "某公司",
            "employer_uscc": uscc(6),
            "subject": "女职工专项协商",
            "requested_on": long_ago.isoformat(),
        },
    )
    assert resp.status_code == 302
    req = NegotiationRequest.all_objects.get()
    html = county.get("/rights/requests/").content.decode()
    assert "女职工专项协商" in html and 'data-testid="reply-overdue"' in html
    assert "女职工专项协商" not in sibling.get("/rights/requests/").content.decode()
    assert viewer.post("/rights/requests/", {"org": "520201"}).status_code == 403
    assert (
        sibling.post(f"/rights/requests/{req.pk}/reply/", {"replied_on": date.today().isoformat()}).status_code == 404
    )
    assert viewer.post(f"/rights/requests/{req.pk}/reply/", {"replied_on": date.today().isoformat()}).status_code == 403
    resp = county.post("/rights/requests/", {"org": "520201", "side": "union", "requested_on": "2026-03-01"})
    assert (
        'data-testid="error-employer_name"' in resp.content.decode()
        and 'data-testid="error-subject"' in resp.content.decode()
    )
    api = county.get("/api/v1/rights/negotiation-requests").json()
    assert [(r["id"], r["overdue"]) for r in api] == [(req.pk, True)]
    done = county.post(
        f"/api/v1/rights/negotiation-requests/{req.pk}/reply",
        {"replied_on": date.today().isoformat(), "note": "同意"},
        content_type="application/json",
    )
    assert done.status_code == 200 and done.json()["replied_on"] == date.today().isoformat()
    assert sibling.get("/api/v1/rights/negotiation-requests").json() == []
