"""The `orgs` bulk kind (工会组织) in core's registry; registered by `OrgsConfig.ready`.

The console runs `OrgsKind` over the whole tree. A job filed under one union runs
it confined (`bulk.Access`): a union outside the job's subtree or one the actor may
not change, and a new union under a parent where the actor may not create one, are
refused row by row, so a cadre's file cannot reach past their own part of the
tree. Rows without a parent become top-level unions only on the console or in a
superuser's job.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from gonghui.core.bulk.kinds import BulkKind, JobKind, register_kind
from gonghui.orgs.models import Org, OrgKind
from gonghui.orgs.permissions import OrgPerm

if TYPE_CHECKING:
    from gonghui.accounts.models import User
    from gonghui.core.scoping import Scope

YES_NO = ["是", "否"]


def build(*, actor: User | None, scope: Scope | None, org: Org | None) -> JobKind:
    from gonghui.orgs.bulk import Access, OrgsKind

    if scope is None:
        return OrgsKind(actor=actor, default_parent=org)
    if org is None:
        raise ValueError("a scoped orgs import needs the union it is filed under")
    # A platform administrator's job may add top-level unions (a new province's tree);
    # the superuser flag is read from the actor as the job starts.
    roots = actor is not None and actor.is_active and actor.is_superuser
    return OrgsKind(actor=actor, default_parent=org, access=Access(scope=scope, root=org, roots=roots))


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
            reimportable=True,
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
