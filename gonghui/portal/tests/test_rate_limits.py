"""Rate limits of the public forms (django-ratelimit, counted in the shared database cache).

The join form is limited per client address and per union, the join-code
lookup and activation per address; a request over a limit is the Chinese 429
page and changes nothing. The limits are set low here (settings) so a test
needs a handful of posts, not hundreds.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection

from gonghui.core.tests.clients import client as new_client
from gonghui.members.models import Membership, MembershipStatus
from gonghui.members.tests.factories import id_number

TOO_MANY = "操作过于频繁，请稍后再试"


def join_body(seq: int) -> dict[str, str]:
    return {
        "name": "李四",
        "id_type": "1",
        "id_number": id_number(900 + seq),
        "mobile": "13700137000",
        "new_employment_type": "06",
        "employer": "某外卖平台",
        "ethnicity": "01",
        "accept_charter": "on",
        "consent": "on",
    }


@pytest.fixture
def limits(settings: Any) -> dict[str, str]:
    settings.GONGHUI_RATE_LIMITS = {
        **settings.GONGHUI_RATE_LIMITS,
        "join_address": "3/h",
        "join_union": "5/h",
        "join_find_address": "3/h",
        "activate_address": "3/h",
    }
    return settings.GONGHUI_RATE_LIMITS


def applications() -> int:
    return Membership.all_objects.filter(status=MembershipStatus.APPLIED).count()


def assert_too_many(resp: Any) -> None:
    assert resp.status_code == 429
    assert resp["Retry-After"]
    html = resp.content.decode()
    assert TOO_MANY in html and 'data-testid="rate-limited"' in html


def test_join_is_limited_per_address(tree: Any, limits: dict[str, str]) -> None:
    client = new_client()
    for seq in range(3):
        assert client.post("/m/join/520201G001/", join_body(seq), REMOTE_ADDR="203.0.113.7").status_code == 302
    before = applications()
    # The fourth from that address, even to another union, is refused and records nothing.
    assert_too_many(client.post("/m/join/520102/", join_body(3), REMOTE_ADDR="203.0.113.7"))
    assert applications() == before
    # Another address still applies; the page itself (GET) is never limited.
    assert client.post("/m/join/520201G001/", join_body(4), REMOTE_ADDR="203.0.113.8").status_code == 302
    assert client.get("/m/join/520201G001/", REMOTE_ADDR="203.0.113.7").status_code == 200
    # Counted in the shared database cache (every gunicorn worker reads the same counters).
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM gonghui_cache")
        assert cursor.fetchone()[0] >= 2


def test_join_is_limited_per_union_across_addresses(tree: Any, limits: dict[str, str]) -> None:
    client = new_client()
    for seq in range(5):
        addr = f"198.51.100.{seq + 1}"
        assert client.post("/m/join/520201G001/", join_body(seq), REMOTE_ADDR=addr).status_code == 302
    assert_too_many(client.post("/m/join/520201g001/", join_body(5), REMOTE_ADDR="198.51.100.77"))
    # Another union is counted on its own.
    assert client.post("/m/join/520102/", join_body(6), REMOTE_ADDR="198.51.100.78").status_code == 302


def test_join_code_lookup_is_limited_per_address(tree: Any, limits: dict[str, str]) -> None:
    client = new_client()
    for code in ("999999", "520200", "520201G001"):
        assert client.get("/m/join/", {"code": code}, REMOTE_ADDR="192.0.2.1").status_code in (200, 302)
    assert_too_many(client.get("/m/join/", {"code": "520201G001"}, REMOTE_ADDR="192.0.2.1"))
    assert client.get("/m/join/", REMOTE_ADDR="192.0.2.1").status_code == 200  # the empty form is not a lookup
    assert client.get("/m/join/", {"code": "520201G001"}, REMOTE_ADDR="192.0.2.2").status_code == 302


def test_activation_is_limited_per_address_whatever_the_mobile(tree: Any, limits: dict[str, str]) -> None:
    client = new_client()
    for n in range(3):
        body = {
            "name": "张三",
            "id_number": id_number(950 + n),
            "mobile": f"1380013810{n}",
            "password": "Jinqiu-zhuxue-2026",
            "password2": "Jinqiu-zhuxue-2026",
        }
        assert client.post("/m/activate/", body, REMOTE_ADDR="192.0.2.9").status_code == 200
    body["mobile"] = "13800138109"
    assert_too_many(client.post("/m/activate/", body, REMOTE_ADDR="192.0.2.9"))


def test_behind_the_proxy_the_limit_counts_the_client_not_the_proxy(
    tree: Any, limits: dict[str, str], settings
) -> None:  # type: ignore[no-untyped-def]
    # Production: nginx connects from 127.0.0.1 and sets X-Real-IP to the client's address.
    settings.GONGHUI_CLIENT_IP_META = "HTTP_X_REAL_IP"
    client = new_client()
    proxy = {"REMOTE_ADDR": "127.0.0.1"}
    for seq in range(3):
        resp = client.post("/m/join/520201G001/", join_body(seq), HTTP_X_REAL_IP="203.0.113.50", **proxy)
        assert resp.status_code == 302
    assert_too_many(client.post("/m/join/520201G001/", join_body(3), HTTP_X_REAL_IP="203.0.113.50", **proxy))
    # Another client through the same proxy is counted on its own.
    assert client.post("/m/join/520201G001/", join_body(4), HTTP_X_REAL_IP="203.0.113.51", **proxy).status_code == 302
    # A header that is not an address counts as the proxy's connection, not as a fresh client.
    assert client.post("/m/join/520102/", join_body(5), HTTP_X_REAL_IP="not-an-ip", **proxy).status_code == 302
