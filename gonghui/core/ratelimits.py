"""Rate limits of the public forms (django-ratelimit), named and set in one place.

Each limit is a name in `settings.GONGHUI_RATE_LIMITS` ("20/h": twenty posts an
hour); views take the rate through `rate(name)`, so a deployment (and a test)
changes a number in settings, not in code. Counting happens in the shared
database cache (`core.cache`); a request over a limit gets the 429 page
(`core.views.ratelimited`).
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest


def rate(name: str) -> Callable[[str, HttpRequest], str]:
    """The rate of limit `name`, read when the request comes (so settings may change it)."""

    def current(group: str, request: HttpRequest) -> str:
        return str(settings.GONGHUI_RATE_LIMITS[name])

    return current
