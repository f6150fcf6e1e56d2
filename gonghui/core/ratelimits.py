"""Rate limits of the public forms (django-ratelimit), named and set in one place.

Each limit is a name in `settings.GONGHUI_RATE_LIMITS` ("20/h": twenty posts an
hour); views take the rate through `rate(name)`, so a deployment (and a test)
changes a number in settings, not in code. Counting happens in the shared
database cache (`core.cache`); a request over a limit gets the 429 page
(`core.views.ratelimited`).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest


def rate(name: str) -> Callable[[str, HttpRequest], str]:
    """The rate of limit `name`, read when the request comes (so settings may change it)."""

    def current(group: str, request: HttpRequest) -> str:
        return str(settings.GONGHUI_RATE_LIMITS[name])

    return current


def client_address(request: HttpRequest) -> str:
    """The client's address: the header the trusted proxy sets (`GONGHUI_CLIENT_IP_HEADER`, X-Real-IP
    behind the shipped nginx config, which overwrites whatever the client sent), else REMOTE_ADDR.

    Behind nginx REMOTE_ADDR is 127.0.0.1 for everyone: counting by it would put every visitor
    under one limit (and one lockout). A header that is missing or not an address is ignored.
    """
    meta = settings.GONGHUI_CLIENT_IP_META
    if meta:
        value = str(request.META.get(meta, "")).strip()
        try:
            return str(ipaddress.ip_address(value))
        except ValueError:
            pass
    return str(request.META.get("REMOTE_ADDR") or "")
