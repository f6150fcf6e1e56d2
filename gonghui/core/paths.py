"""Materialized org paths: reading one ("1/5/23/"), and the denormalized copies on domain rows.

The helpers below are the one way to read the unions above a path (no caller slices
`path.split("/")` itself). Denormalized paths on domain rows are kept in step when the tree moves.

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


def path_chain(path: str) -> list[str]:
    """ "1/5/12/" → ["1/", "1/5/", "1/5/12/"]: the path of each union from the root down to this one."""
    parts = path.split("/")[:-1]
    return ["/".join(parts[: i + 1]) + "/" for i in range(len(parts))]


def path_depth(path: str) -> int:
    """The depth of the union at `path` (a root is 0), as `Org.depth`."""
    return path.count("/") - 1


def ancestor_path(path: str, depth: int) -> str:
    """The path of the union at `depth` (a root is 0) on the way down to `path`.

    "1/5/12/" at 0 → "1/", at 1 → "1/5/"; at its own depth or deeper, `path` itself;
    a negative depth counts up from `path` (-1 is its parent; a root's parent is itself).
    """
    chain = path_chain(path)
    if not chain:
        return path
    if depth < 0:
        depth = max(0, len(chain) - 1 + depth)
    return chain[min(depth, len(chain) - 1)]


def parent_path(path: str) -> str:
    """The path of the union above ("1/2/3/" → "1/2/"); a root's is its own."""
    return ancestor_path(path, -1)


def path_ids(path: str) -> list[int]:
    """The org ids along a path, root first ("1/5/12/" → [1, 5, 12])."""
    return [int(p) for p in path.split("/")[:-1]]


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
