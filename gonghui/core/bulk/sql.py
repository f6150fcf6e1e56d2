"""Set-based writes below the ORM, inside the caller's transaction (STYLE rule 10).

`bulk_create` builds a model instance and prepares every value through the
field machinery: for 20,000 members (three tables) that was two thirds of an
import. Here the caller hands plain tuples: PostgreSQL gets them by COPY,
SQLite by executemany with dates and datetimes adapted the way it stores them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache
from typing import Any

from django.db import connection, models


def _adapter(field: models.Field[Any, Any]) -> Callable[[Any], Any] | None:
    if isinstance(field, models.JSONField):
        return _last_value_cached(lambda value: field.get_db_prep_save(value, connection))
    if isinstance(field, models.DateTimeField):
        return _last_value_cached(connection.ops.adapt_datetimefield_value)
    if isinstance(field, models.DateField):
        return lru_cache(maxsize=65_536)(connection.ops.adapt_datefield_value)  # dates repeat
    return None


def _last_value_cached(adapt: Callable[[Any], Any]) -> Callable[[Any], Any]:
    # A batch stamps every row with one `now` (and one empty JSON): adapt it once, not per row.
    last: list[Any] = [object(), None]

    def cached(value: Any) -> Any:
        if value is not last[0]:
            last[0], last[1] = value, adapt(value)
        return last[1]

    return cached


# Below this many rows a COPY's set-up costs more than it saves.
COPY_THRESHOLD = 64


def insert_rows(model: type[models.Model], fields: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """INSERT the rows (values in `fields` order; a foreign key by its `_id`).

    PostgreSQL takes them by `COPY … FROM STDIN` (psycopg 3 streams the rows
    while the server writes them: the two processes overlap on two cores);
    SQLite by the driver's executemany.
    """
    meta = model._meta
    columns: list[Any] = [meta.get_field(name) for name in fields]
    names = ", ".join(connection.ops.quote_name(str(f.column)) for f in columns)
    given = rows if isinstance(rows, list) else list(rows)
    if connection.vendor == "postgresql" and len(given) >= COPY_THRESHOLD:
        return _copy(meta.db_table, names, columns, given)
    if not given:
        return 0
    placeholders = ", ".join(["%s"] * len(columns))
    # Only the date, datetime and JSON columns need adapting: touch just those.
    adapt_at = [(i, a) for i, a in enumerate(_adapter(f) for f in columns) if a is not None]
    data: list[Sequence[Any]] = given
    if adapt_at:
        # By column: transposing with zip is C, and only the adapted columns are walked in Python.
        by_column: list[Sequence[Any]] = list(zip(*given, strict=True))
        for i, adapt in adapt_at:
            by_column[i] = [None if v is None else adapt(v) for v in by_column[i]]
        data = list(zip(*by_column, strict=True))
    with connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {meta.db_table} ({names}) VALUES ({placeholders})", data)  # noqa: S608
    return len(data)


def _copy(table: str, names: str, columns: list[Any], rows: list[Sequence[Any]]) -> int:
    from psycopg.types.json import Jsonb

    json_at = [i for i, f in enumerate(columns) if isinstance(f, models.JSONField)]
    # Binary COPY: nothing to escape (a ciphertext as hex, text with tabs): half the
    # formatting work of the text format, measured on 100,000 people.
    types = [_COPY_TYPES.get(t, t) for t in (re.sub(r"\(.*\)", "", f.db_type(connection)) for f in columns)]
    sql = f"COPY {table} ({names}) FROM STDIN (FORMAT BINARY)"
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        copy.set_types(types)
        for row in rows:
            if json_at:
                row = list(row)
                for i in json_at:
                    row[i] = None if row[i] is None else Jsonb(row[i])
            copy.write_row(row)
    return len(rows)


_COPY_TYPES = {"timestamp with time zone": "timestamptz", "varchar": "text"}


def select_in(
    model: type[models.Model],
    fields: Sequence[str],
    key: str,
    values: Sequence[Any],
    *,
    where: str = "",
    params: Sequence[Any] = (),
) -> list[tuple[Any, ...]]:
    """Rows of `fields` whose `key` is among `values`: plain IN queries, the values in chunks.

    Django's `__in` lookup prepares every value through the field (1.5 s per
    100,000 keys); a batch's keys are already clean.
    """
    meta = model._meta
    names = ", ".join(connection.ops.quote_name(_column(model, f)) for f in fields)
    column = connection.ops.quote_name(_column(model, key))
    found: list[tuple[Any, ...]] = []
    # SQLite's planner turns a long IN list on a non-covering read into a full
    # scan (5,000 keys did; 1,000 probe the index): for a million-row import that
    # is a scan per batch.
    step = 1000 if connection.vendor == "sqlite" else 5000
    with connection.cursor() as cursor:
        for start in range(0, len(values), step):
            chunk = list(values[start : start + step])
            if connection.vendor == "postgresql":
                # One array parameter: 5,000 separate ones cost 100 ms a batch to bind and parse.
                test, args = f"{column} = ANY(%s)", [chunk, *params]
            else:
                test, args = f"{column} IN ({', '.join(['%s'] * len(chunk))})", [*chunk, *params]
            cursor.execute(f"SELECT {names} FROM {meta.db_table} WHERE {test} {where}", args)  # noqa: S608
            found.extend(cursor.fetchall())
    return found


def _column(model: type[models.Model], name: str) -> str:
    return str(getattr(model._meta.get_field(name), "column", name))


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
