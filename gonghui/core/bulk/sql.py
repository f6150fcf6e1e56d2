"""Set-based writes below the ORM, inside the caller's transaction (STYLE rule 10).

`bulk_create` builds a model instance and prepares every value through the
field machinery: for 20,000 members (three tables) that was two thirds of an
import. Here the caller hands plain tuples; only dates and datetimes are
adapted, once per column, the way the backend stores them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.db import connection, models


def _adapter(field: models.Field[Any, Any]) -> Callable[[Any], Any] | None:
    if isinstance(field, models.JSONField):
        return lambda value: field.get_db_prep_save(value, connection)
    if isinstance(field, models.DateTimeField):
        return connection.ops.adapt_datetimefield_value
    if isinstance(field, models.DateField):
        return connection.ops.adapt_datefield_value
    return None


def insert_rows(model: type[models.Model], fields: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """INSERT the rows (values in `fields` order; a foreign key by its `_id`) with executemany."""
    meta = model._meta
    columns: list[Any] = [meta.get_field(name) for name in fields]
    names = ", ".join(connection.ops.quote_name(str(f.column)) for f in columns)
    adapters = [_adapter(f) for f in columns]
    placeholders = ", ".join(["%s"] * len(columns))
    data = [
        [a(v) if a is not None and v is not None else v for a, v in zip(adapters, row, strict=True)] for row in rows
    ]
    if not data:
        return 0
    with connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {meta.db_table} ({names}) VALUES ({placeholders})", data)  # noqa: S608
    return len(data)


def reserve_ids(model: type[models.Model], n: int) -> list[int]:
    """Primary keys for `n` rows about to be inserted, known before the insert."""
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"SELECT nextval(pg_get_serial_sequence('{table}', 'id')) FROM generate_series(1, %s)",  # noqa: S608
                [n],
            )
            return [r[0] for r in cursor.fetchall()]
        # SQLite: the transaction holds the single write lock, so the next ids are ours. Django's
        # tables are AUTOINCREMENT: start past the highest id ever given, not just the highest left.
        cursor.execute(
            f"SELECT MAX(COALESCE((SELECT MAX(id) FROM {table}), 0), "  # noqa: S608
            "COALESCE((SELECT seq FROM sqlite_sequence WHERE name = %s), 0))",
            [table],
        )
        start = int(cursor.fetchone()[0]) + 1
        return list(range(start, start + n))
