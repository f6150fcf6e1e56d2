"""The benefits app's bulk kind: `benefit_settlement`, the daily settlement per merchant and store (export only).

`gonghui export benefit_settlement FILE --org CODE` and the export pages write
the last 31 days of the union's subtree (the kinds' export protocol carries no
period); the API's `/benefits/settlement/export` takes any period.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from gonghui.benefits.permissions import BenefitPerm
from gonghui.core.bulk import Column
from gonghui.core.bulk.kinds import BulkKind, register_kind

if TYPE_CHECKING:
    from gonghui.accounts.models import User
    from gonghui.core.scoping import Scope
    from gonghui.orgs.models import Org


def export(path: str, *, actor: User | None, org: Org | None, unmasked: bool, scope: Scope | None) -> int:
    from gonghui.benefits.settlement import export_kind

    return export_kind(path, actor=actor, org=org, unmasked=unmasked, scope=scope)


def register() -> None:
    from gonghui.benefits.settlement import HEADERS

    register_kind(
        BulkKind(
            name="benefit_settlement",
            label="普惠日结算（按商户、门店、交易日，近 31 天）",
            columns=[Column(f"c{i}", header) for i, header in enumerate(HEADERS)],
            import_perm=BenefitPerm.MANAGE,  # unused: an export-only kind (no `build`)
            export_perm=BenefitPerm.VIEW,
            private_perm=BenefitPerm.MANAGE,
            build=None,
            export=export,
            export_sheet="普惠日结算",
            text_columns=frozenset({"c1"}),
        )
    )
