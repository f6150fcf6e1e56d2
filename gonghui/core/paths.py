"""Denormalized org paths on domain rows, kept in step when the tree moves.

Big tables (memberships, their tallies, later cases and aid files) carry the
org's materialized path so a subtree is one range scan on their own index, not
a join to the org table. `org_move` rewrites every registered column in the
same transaction as the orgs themselves.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Value
from django.db.models.functions import Concat, Substr

from gonghui.core.scoping import subtree_q

_columns: list[tuple[type[models.Model], str]] = []


def register_path_column(model: type[models.Model], field: str) -> None:
    if (model, field) not in _columns:
        _columns.append((model, field))


def rewrite_path_columns(old_path: str, new_path: str) -> dict[str, int]:
    """Replace the prefix `old_path` by `new_path` in every registered column."""
    moved: dict[str, int] = {}
    for model, field in _columns:
        manager = model._base_manager
        moved[f"{model._meta.label}.{field}"] = manager.filter(subtree_q(field, old_path)).update(
            **{field: Concat(Value(new_path), Substr(field, len(old_path) + 1))}
        )
    return moved
