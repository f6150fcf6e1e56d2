"""The cache the rate limits count in: Django's database cache with an atomic `incr`.

Counters must be shared by every gunicorn worker process, and a fresh machine
has no Redis or memcached, so they live in the database the platform already
has. Django's `DatabaseCache.incr` is a read then a write, so two workers can
both read 4 and both write 5 (django-ratelimit refuses it for that reason,
check `django_ratelimit.E003`); here the row is locked while it is read and
written (`SELECT … FOR UPDATE` on PostgreSQL; SQLite's IMMEDIATE transactions
take the write lock first), so every request is counted.
"""

from __future__ import annotations

import base64
import pickle
from datetime import datetime
from typing import Any

from django.core.cache.backends.db import DatabaseCache
from django.db import connections, models, router, transaction
from django.utils import timezone


class AtomicDatabaseCache(DatabaseCache):
    def incr(self, key: Any, delta: int = 1, version: int | None = None) -> Any:
        made = self.make_and_validate_key(key, version=version)
        db = router.db_for_write(self.cache_model_class)
        connection = connections[db]
        table = connection.ops.quote_name(self._table)  # type: ignore[attr-defined]  # set by DatabaseCache
        lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
        with transaction.atomic(using=db), connection.cursor() as cursor:
            cursor.execute(
                f"SELECT value, expires FROM {table} WHERE cache_key = %s{lock}",  # noqa: S608 - quoted table name
                [made],
            )
            row = cursor.fetchone()
            if row is None or self._expired(connection, row[1]):
                raise ValueError(f"Key '{key}' not found")
            value = pickle.loads(base64.b64decode(row[0].encode())) + delta  # noqa: S301 - our own rows
            stored = base64.b64encode(pickle.dumps(value, self.pickle_protocol)).decode("latin1")
            cursor.execute(f"UPDATE {table} SET value = %s WHERE cache_key = %s", [stored, made])  # noqa: S608
        return value

    def decr(self, key: Any, delta: int = 1, version: int | None = None) -> Any:
        return self.incr(key, -delta, version)

    @staticmethod
    def _expired(connection: Any, raw: Any) -> bool:
        # Stored as the database returns a DateTimeField (a string on SQLite), as DatabaseCache reads it.
        expression = models.Expression(output_field=models.DateTimeField())
        expires: datetime = raw
        for converter in connection.ops.get_db_converters(expression) + expression.get_db_converters(connection):
            expires = converter(expires, expression, connection)
        return expires < timezone.now()
