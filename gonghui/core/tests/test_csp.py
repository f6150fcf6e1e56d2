"""Content-Security-Policy: every answer forbids inline script, eval and other hosts (issue 15, item 7).

The policy holds only if no template needs what it forbids, so the templates are read too:
a page that asks for behaviour uses a data-attribute that static/gonghui/app.js serves.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.test import Client

import gonghui

pytestmark = pytest.mark.django_db

TEMPLATES = sorted(Path(gonghui.__file__).parent.rglob("templates/**/*.html"))
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I)
HANDLER_ATTRIBUTE = re.compile(r"\s(on[a-z]+|hx-on[:\w-]*)\s*=", re.I)


def _directives(header: str) -> dict[str, list[str]]:
    return {part.split()[0]: part.split()[1:] for part in (p.strip() for p in header.split(";")) if part}


@pytest.mark.parametrize("url", ["/accounts/login/", "/m/login/", "/api/v1/docs", "/api/v1/openapi.json"])
def test_every_answer_carries_the_policy(url: str) -> None:
    response = Client().get(url)
    assert response.status_code == 200
    policy = _directives(response["Content-Security-Policy"])
    assert policy["script-src"] == ["'self'"]  # no 'unsafe-inline', no 'unsafe-eval', no host
    assert policy["default-src"] == ["'self'"] and policy["connect-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"]
    assert not any("http" in value for values in policy.values() for value in values)


def test_no_template_holds_an_inline_script_or_an_event_handler_attribute() -> None:
    assert len(TEMPLATES) > 50
    offenders = []
    for path in TEMPLATES:
        text = path.read_text(encoding="utf-8")
        offenders += [f"{path.name}: {m.group(0)}" for m in INLINE_SCRIPT.finditer(text)]
        offenders += [f"{path.name}: {m.group(0).strip()}" for m in HANDLER_ATTRIBUTE.finditer(text)]
    assert offenders == []
