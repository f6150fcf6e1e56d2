from __future__ import annotations

from typing import Any

from django.db import models


class PathField(models.CharField):
    """A materialized path ("1/5/23/").

    On PostgreSQL the column uses the "C" collation so that the range
    [path, path-with-"0") that `subtree_q` builds is a byte-order range and a
    plain b-tree index serves it; SQLite compares bytes already (BINARY).
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 255)
        super().__init__(*args, **kwargs)

    def db_parameters(self, connection: Any) -> dict[str, Any]:
        params = super().db_parameters(connection)
        if connection.vendor == "postgresql":
            params["collation"] = "C"
        return params

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        if kwargs.get("max_length") == 255:
            del kwargs["max_length"]
        return name, path, args, kwargs
