"""Fixtures of the rights tests: a frozen clock and the people who move cases on the suite's tree."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from django.utils import timezone

from gonghui.accounts.scope import scope_for_user
from gonghui.rights import deadlines
from gonghui.rights.models import HotlineCase

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.get_current_timezone())


class Clock:
    def __init__(self, at: datetime) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at

    def advance(self, **kw: float) -> None:
        self.at += timedelta(**kw)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    frozen = Clock(T0)
    monkeypatch.setattr(deadlines, "now", frozen)
    return frozen


@pytest.fixture
def people(tree, make_user) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    users = {
        "operator": make_user("gz_op", ("officer", "520000")),
        "checker": make_user("gz_check", ("reviewer", "520000")),
        "city": make_user("lps_off", ("officer", "520200")),
        "county": make_user("zs_off", ("officer", "520201")),
        "sibling": make_user("nm_off", ("officer", "520102")),
        "viewer": make_user("zs_view", ("viewer", "520201")),
    }
    return {"tree": tree, "users": users, "scopes": {k: scope_for_user(u) for k, u in users.items()}}


def act(people: dict[str, Any], who: str, service: Any, case: HotlineCase, **kw: Any) -> HotlineCase:
    return service(actor=people["users"][who], scope=people["scopes"][who], case=case, **kw)
