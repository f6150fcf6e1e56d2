"""The `orgs` bulk kind (工会组织) in core's registry; registered by `OrgsConfig.ready`.

`OrgsKind` itself serves the console, which may touch the whole tree. A job filed
under one union runs it through `ConfinedOrgsKind`, which refuses, row by row and
before anything is validated or written, a union outside the job's subtree or one
the actor may not change, and a new union under a parent where the actor may not
create one: a cadre's file cannot reach past their own part of the tree.
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Any

from gonghui.core.bulk import CellError, Table, cell_text
from gonghui.core.bulk.engine import Row
from gonghui.core.bulk.kinds import BulkKind, JobKind, register_kind
from gonghui.core.errors import DomainError
from gonghui.core.scoping import unscoped
from gonghui.orgs.models import Org, OrgKind
from gonghui.orgs.permissions import OrgPerm

if TYPE_CHECKING:
    from gonghui.accounts.models import User
    from gonghui.core.scoping import Scope
    from gonghui.orgs.bulk import OrgsKind

YES_NO = ["是", "否"]


def _code(value: Any) -> str:
    from gonghui.orgs.validation import clean_code

    try:
        text = cell_text(value)
        return clean_code(text) if text else ""
    except (CellError, DomainError):
        return ""  # the kind reports the bad cell itself


class ConfinedOrgsKind:
    """`OrgsKind` for an actor whose job is filed under `root`: only its subtree, only as permitted."""

    def __init__(self, inner: OrgsKind, *, scope: Scope, root: Org) -> None:
        self.inner = inner
        self.name = inner.name
        self.columns = inner.columns
        self.scope = scope
        self.root = root
        self.new_codes: set[str] = set()  # new unions let through so far (parents of later rows)

    # `process` reads each row's values, which a batch prepared in a forked child does not carry back.
    prepare_ahead = False

    def check_table(self, table: Table) -> list[str]:
        return self.inner.check_table(table)

    def prepare(self, rows: list[Row]) -> None:
        self.inner.prepare(rows)

    def audit(self, summary: dict[str, Any], path: str) -> None:
        self.inner.audit(summary, path)

    def _may(self, perm: str, org: Org) -> bool:
        return org.path.startswith(self.root.path) and self.scope.has_perm(perm, org.path)

    def process(self, rows: list[Row], *, dry_run: bool) -> dict[str, int]:
        wanted = [(row, _code(row.values.get("code")), _code(row.values.get("parent_code"))) for row in rows]
        codes = {c for _, code, parent in wanted for c in (code, parent)} | {self.root.code}
        with unscoped():
            known = {o.code: o for o in Org.objects.filter(code__in=codes - {""})}
        new_in_batch = {code for _, code, _ in wanted if code and code not in known}
        allowed: list[Row] = []
        refused = 0
        for row, code, parent_code in wanted:
            org = known.get(code)
            if org is not None:
                if not self._may(OrgPerm.CHANGE, org):
                    row.reject("工会代码", f"未找到工会“{code}”，或您无权修改该工会")
            else:
                if not parent_code:
                    # The union the job is filed under, as the kind's default parent
                    # would be: set here so the confinement checks below see it.
                    parent_code = self.root.code
                    row.values["parent_code"] = parent_code
                parent = known.get(parent_code)
                if parent is not None and not self._may(OrgPerm.CREATE, parent):
                    row.reject("上级工会代码", f"未找到上级工会“{parent_code}”，或您无权在其下新建工会")
                elif parent is None and parent_code not in self.new_codes | new_in_batch:
                    row.reject("上级工会代码", f"未找到上级工会“{parent_code}”")
                elif code:
                    self.new_codes.add(code)
            if row.errors:
                refused += 1
            else:
                allowed.append(row)
        counts: Counter[str] = Counter(self.inner.process(allowed, dry_run=dry_run) if allowed else {})
        counts["rejected"] += refused
        return dict(counts)


def build(*, actor: User | None, scope: Scope | None, org: Org | None) -> JobKind:
    from gonghui.orgs.bulk import OrgsKind

    kind = OrgsKind(actor=actor, default_parent=org)
    if scope is None:
        return kind
    if org is None:
        raise ValueError("a scoped orgs import needs the union it is filed under")
    return ConfinedOrgsKind(kind, scope=scope, root=org)


def export(path: str, *, actor: User | None, org: Org | None, unmasked: bool, scope: Scope | None) -> int:
    from gonghui.orgs.bulk import export_orgs

    return export_orgs(path, actor=actor, root=org)


def choices() -> dict[str, list[str]]:
    return {"kind": [str(label) for _value, label in OrgKind.choices], "is_new_employment": YES_NO}


def register() -> None:
    from gonghui.orgs.bulk import COLUMNS

    register_kind(
        BulkKind(
            name="orgs",
            label="工会组织",
            columns=COLUMNS,
            import_perm=OrgPerm.CREATE,
            export_perm=OrgPerm.VIEW,
            private_perm=OrgPerm.CREATE,
            build=build,
            export=export,
            export_sheet="工会组织",
            choices=choices,
            text_columns=frozenset({"code", "parent_code", "region_code", "uscc"}),
            example={
                "code": "520201G002",
                "name": "钟山区外卖骑手工会",
                "parent_code": "520201",
                "kind": str(OrgKind.JOINT_GRASSROOTS.label),
                "region_code": "520201",
                "uscc": "",
                "is_new_employment": "是",
                "founded_on": "2024-05-01",
                "employee_count": 120,
            },
        )
    )
