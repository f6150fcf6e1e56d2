"""What the authorization matrices share: one world of records per test class, seen
by each actor in turn, and an API caller per way in (session, bearer, bad token)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import Any

import pytest
from django.db import transaction
from django.test import Client


def class_world_fixtures(build: Callable[[], Any]) -> tuple[Any, Any]:
    """Fixtures `world` (built once per test class, rolled back after it) and `world_for(actor)`.

    Bind both in the test module: `world, world_for = class_world_fixtures(_build_world)`.
    """

    @pytest.fixture(scope="class", name="world")
    def world(django_db_setup: Any, django_db_blocker: Any) -> Iterator[Any]:
        with django_db_blocker.unblock(), transaction.atomic():
            yield build()
            transaction.set_rollback(True)

    @pytest.fixture(name="world_for")
    def world_for(world: Any, db: None) -> Callable[[str], Any]:
        def _for(actor: str) -> Any:
            return replace(world, actor=actor)

        return _for

    return world, world_for


def api_client(w: Any, mode: str) -> tuple[Client, dict[str, str]]:
    """A client and headers for `w.actor` coming in by `mode`: session, bearer or bad-token."""
    headers: dict[str, str] = {}
    if mode == "session":
        return w.client(logged_in=True), headers
    # Integrations never carry a CSRF token; the answer must not depend on one.
    client = w.client(csrf=True)
    if mode == "bearer":
        headers["HTTP_AUTHORIZATION"] = f"Bearer {w.raw_tokens[w.actor]}"
    elif mode == "bad-token":
        headers["HTTP_AUTHORIZATION"] = "Bearer gh_this-is-not-a-token"
    return client, headers
