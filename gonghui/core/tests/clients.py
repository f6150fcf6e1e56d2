"""Test clients that share one request handler per CSRF mode.

A new `Client` loads the middleware on its first request, and WhiteNoise (with
`WHITENOISE_USE_FINDERS`) then stats every static file: about 70 ms per client.
The handler keeps no per-request state, so tests that make many clients share it;
cookies and sessions stay per client.
"""

from __future__ import annotations

from django.test import Client

_handlers: dict[bool, object] = {}


def client(*, csrf: bool = False) -> Client:
    """A fresh client (no cookies); `csrf=True` enforces CSRF as a real caller meets it."""
    c = Client(enforce_csrf_checks=csrf)
    c.handler = _handlers.setdefault(csrf, c.handler)  # type: ignore[assignment]
    return c
