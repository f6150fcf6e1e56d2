from __future__ import annotations

from typing import Any

from django.db import models


class ByteOrderCharField(models.CharField):
    """A string column compared byte by byte: ranges and prefixes use a plain b-tree.

    On PostgreSQL the column takes the "C" collation, so `LIKE 'x%'` and range
    filters are served by an ordinary index (no second `varchar_pattern_ops`
    index, which doubles write cost); SQLite compares bytes already (BINARY).
    Index these columns through `Meta.indexes`/constraints, not `db_index`.
    """

    def db_parameters(self, connection: Any) -> dict[str, Any]:
        params = super().db_parameters(connection)
        if connection.vendor == "postgresql":
            params["collation"] = "C"
        return params


class PathField(ByteOrderCharField):
    """A materialized path ("1/5/23/"); a subtree is the range `subtree_q` builds."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 255)
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        if kwargs.get("max_length") == 255:
            del kwargs["max_length"]
        return name, path, args, kwargs
