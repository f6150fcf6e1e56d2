"""The registry of bulk file kinds (orgs, members…), shared by the CLI, the pages and the jobs.

Dependencies point down, so core names no domain: each app registers its kinds
from its `AppConfig.ready` (see `members/kinds.py`, `orgs/kinds.py`). A kind
says what it is called, which permissions its import and export need, how to
build the import object the engine runs for an actor confined to one union,
how to export a subtree, and what its template workbook offers in drop-downs.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from gonghui.core.bulk.engine import ImportKind
from gonghui.core.bulk.headers import Column

if TYPE_CHECKING:
    from gonghui.accounts.models import User
    from gonghui.core.scoping import Scope
    from gonghui.orgs.models import Org


class JobKind(ImportKind, Protocol):
    def audit(self, summary: dict[str, Any], path: str) -> None:
        """One audit event for the whole job."""
        ...


class BuildKind(Protocol):
    def __call__(self, *, actor: User | None, scope: Scope | None, org: Org | None) -> JobKind: ...


class Export(Protocol):
    def __call__(
        self, path: str, *, actor: User | None, org: Org | None, unmasked: bool, scope: Scope | None
    ) -> int: ...


@dataclass(frozen=True)
class BulkKind:
    name: str  # "members": the CLI's KIND, the job's kind
    label: str  # "会员花名册"
    columns: list[Column]
    import_perm: str  # needed on the target union to import into it
    export_perm: str  # needed on the union whose subtree is exported
    # Another user's error workbook holds the rows as given (full ID numbers…):
    # downloading it needs this permission on the job's union.
    private_perm: str
    build: BuildKind | None  # scope None: the console's unscoped run; None: an export-only kind
    export: Export
    export_sheet: str  # the exported file's name stem ("会员名册")
    unmasked_perm: str | None = None  # an export with full numbers, when the kind has any
    # Column key → masking kind (core.masking), for the preview of an upload.
    masked_columns: Mapping[str, str] = field(default_factory=dict)
    # Column key → the labels the template offers in a drop-down (read when the template is built).
    choices: Callable[[], dict[str, list[str]]] = dict
    # The template's example row; the template has these columns, in the kind's order
    # (a column not imported yet, such as 会员卡号, is left out).
    example: Mapping[str, Any] = field(default_factory=dict)
    # Columns the template formats as text, so Excel keeps 18-digit numbers and leading zeros.
    text_columns: frozenset[str] = frozenset()
    # The export is written in the import's own columns and reads back unchanged (each such
    # kind has a round-trip test): the export page says so for these kinds only. Other exports
    # (the bank's lists, the hardship files) are for reading and reporting, not for editing.
    reimportable: bool = False

    @property
    def importable(self) -> bool:
        return self.build is not None


_kinds: dict[str, BulkKind] = {}


def register_kind(kind: BulkKind) -> None:
    if kind.name in _kinds and _kinds[kind.name] is not kind:
        raise ValueError(f"bulk kind {kind.name!r} registered twice")
    _kinds[kind.name] = kind


def get_kind(name: str) -> BulkKind:
    """The kind called `name`; KeyError when no app registered it."""
    return _kinds[name]


def all_kinds() -> list[BulkKind]:
    return sorted(_kinds.values(), key=lambda k: k.name)


def kind_names() -> tuple[str, ...]:
    return tuple(k.name for k in all_kinds())


def importable_kind_names() -> tuple[str, ...]:
    return tuple(k.name for k in all_kinds() if k.importable)
