"""The crosscheck app's bulk kind: `agency_list` (other agencies' aid lists in, the records out, masked)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from gonghui.core.bulk.kinds import BulkKind, register_kind
from gonghui.core.idnumbers import id_number_with_check
from gonghui.crosscheck.permissions import CrossCheckPerm
from gonghui.members.permissions import MemberPerm

if TYPE_CHECKING:
    from gonghui.accounts.models import User
    from gonghui.core.scoping import Scope
    from gonghui.crosscheck.imports import AgencyListKind
    from gonghui.orgs.models import Org


def build(*, actor: User | None, scope: Scope | None, org: Org | None) -> AgencyListKind:
    from gonghui.crosscheck.imports import AgencyListKind

    # With a scope, the job's union must be one where the actor holds crosscheck.list.import.
    return AgencyListKind(actor=actor, scope=scope, org=org)


def export(path: str, *, actor: User | None, org: Org | None, unmasked: bool, scope: Scope | None) -> int:
    from gonghui.crosscheck.services import export_agency_records

    # Always masked: the lists' numbers are kept only as blind indexes.
    return export_agency_records(path, actor=actor, org=org)


def register() -> None:
    from gonghui.crosscheck.imports import COLUMNS
    from gonghui.crosscheck.models import Agency

    register_kind(
        BulkKind(
            name="agency_list",
            label="部门名单（民政、共青团、妇联、教育资助）",
            columns=COLUMNS,
            import_perm=CrossCheckPerm.IMPORT,
            export_perm=CrossCheckPerm.VIEW,
            # The agency's file holds full ID numbers.
            private_perm=MemberPerm.VIEW_ID,
            build=build,
            export=export,
            export_sheet="部门名单",
            masked_columns={"id_number": "id_number"},
            choices=lambda: {"agency": [str(label) for label in Agency.labels]},
            text_columns=frozenset({"id_number", "year", "amount"}),
            example={
                "id_number": id_number_with_check("52020119900307001"),
                "name": "王小明",
                "agency": "民政",
                "program": "城乡低保",
                "year": "2025",
                "amount": "7200.00",
            },
        )
    )
