"""The charity app's bulk kind `donations`: payroll deduction files (一日捐) in, the subtree's donations out."""

from __future__ import annotations

from typing import TYPE_CHECKING

from gonghui.charity.permissions import CharityPerm
from gonghui.core.bulk.kinds import BulkKind, register_kind
from gonghui.core.idnumbers import id_number_with_check
from gonghui.members.permissions import MemberPerm

if TYPE_CHECKING:
    from gonghui.accounts.models import User
    from gonghui.charity.bulk import DonationsKind
    from gonghui.core.scoping import Scope
    from gonghui.orgs.models import Org


def build(*, actor: User | None, scope: Scope | None, org: Org | None) -> DonationsKind:
    from gonghui.charity.bulk import DonationsKind

    # With a scope, only funds in the job's subtree where the actor records donations.
    return DonationsKind(actor=actor, scope=scope, org=org)


def export(path: str, *, actor: User | None, org: Org | None, unmasked: bool, scope: Scope | None) -> int:
    from gonghui.charity.bulk import export_donations

    return export_donations(path, actor=actor, org=org, unmasked=unmasked, scope=scope)


def register() -> None:
    from gonghui.charity.bulk import COLUMNS

    register_kind(
        BulkKind(
            name="donations",
            label="慈善捐赠（工资代扣一日捐）",
            columns=COLUMNS,
            import_perm=CharityPerm.DONATION,
            export_perm=CharityPerm.VIEW,
            # The enterprise's file holds its workers' full ID numbers.
            private_perm=MemberPerm.VIEW_ID,
            build=build,
            export=export,
            export_sheet="捐赠",
            masked_columns={"id_number": "id_number"},
            text_columns=frozenset({"uscc", "id_number", "amount"}),
            choices=lambda: {"anonymous": ["是", "否"]},
            example={
                "fund": "职工爱心基金",
                "uscc": "91520200MA0000001X",
                "enterprise": "六盘水某某煤业有限公司",
                "name": "王小明",
                "id_number": id_number_with_check("52020119900307001"),
                "amount": "100.00",
                "day": "2025-05-01",
                "anonymous": "否",
            },
        )
    )
