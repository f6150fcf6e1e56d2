"""The rate limits' cache: Django's database cache with an increment that loses no count.

Threads, each on its own connection, increment one key at once; every
increment must land (Django's own DatabaseCache reads then writes, so two
workers could both write the same number). And the project's system checks
raise nothing of django-ratelimit's.
"""

from __future__ import annotations

import threading
import time

import pytest
from django.core import checks
from django.core.cache import caches
from django.db import OperationalError, connection, connections

pytestmark = pytest.mark.django_db(transaction=True)

THREADS = 4
EACH = 10


def _incr(key: str) -> None:
    cache = caches["ratelimit"]
    for _ in range(EACH):
        for _attempt in range(400):
            try:
                cache.incr(key)
                break
            except OperationalError:  # SQLite's shared test database: "table is locked", retried
                if connection.vendor != "sqlite":
                    raise
                time.sleep(0.005)
    connections.close_all()


def test_parallel_increments_all_count() -> None:
    cache = caches["ratelimit"]
    assert cache.add("hits", 0, 60)
    threads = [threading.Thread(target=_incr, args=("hits",)) for _ in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert cache.get("hits") == THREADS * EACH


def test_incr_of_a_missing_or_expired_key_is_refused_as_django_does() -> None:
    cache = caches["ratelimit"]
    with pytest.raises(ValueError):
        cache.incr("never-set")
    cache.set("gone", 5, timeout=-1)
    with pytest.raises(ValueError):
        cache.incr("gone")
    cache.set("kept", 5, timeout=60)
    assert cache.incr("kept", 3) == 8
    assert cache.decr("kept") == 7
    assert cache.get("kept") == 7


def test_no_ratelimit_system_check_fails() -> None:
    found = [m.id for m in checks.run_checks() if m.id and m.id.startswith("django_ratelimit")]
    assert found == ["django_ratelimit.W001"]  # "not officially supported": silenced in settings, and why
    assert all(m.is_silenced() for m in checks.run_checks() if m.id == "django_ratelimit.W001")
