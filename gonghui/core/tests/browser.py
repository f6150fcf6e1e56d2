"""Chromium for the browser tests: Debian's build, driven by Playwright (fixtures `pw` and `browser`).

The fixtures are made available to every test module by `gonghui/conftest.py`.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.management import call_command
from playwright.sync_api import Browser, Page, Playwright, sync_playwright

CHROMIUM = os.environ.get("GONGHUI_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
SHOTS = Path(os.environ.get("GONGHUI_SHOTS_DIR", "/tmp/gonghui-shots"))  # noqa: S108 - outside the repo on purpose


@pytest.fixture(scope="module")
def pw() -> Iterator[Playwright]:
    # Playwright's sync API keeps an event loop running in this thread, and Django
    # refuses ORM calls from an async context: allow them for these tests only.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            yield playwright
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="module")
def browser(pw: Playwright) -> Iterator[Browser]:
    chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield chromium
    chromium.close()


def open_nav(page: Page, label: str) -> None:
    """Open a page from the navigation as a cadre does: its area's menu, then the entry (two clicks)."""
    # The entry is hidden until its area opens, and role queries skip hidden elements.
    entry = page.get_by_role("link", name=label, exact=True, include_hidden=True)
    area = page.get_by_test_id("nav").locator(".nav-area").filter(has=entry)
    area.locator(".dropdown-toggle").click()
    area.get_by_role("link", name=label, exact=True).click()


def run_worker() -> None:
    """Process the queue once, as `gonghui db_worker` does; its signal handlers are put back after."""
    saved = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)}
    try:
        call_command("db_worker", "--batch", "--no-startup-delay", "--interval", "0")
    finally:
        for s, handler in saved.items():
            signal.signal(s, handler)
