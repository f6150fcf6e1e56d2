"""The payouts app's bulk kind: `payout_results` (the bank's payout results in, the batches' items out)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from gonghui.core.bulk.kinds import BulkKind, register_kind
from gonghui.payouts.permissions import PayoutPerm

if TYPE_CHECKING:
    from gonghui.accounts.models import User
    from gonghui.core.scoping import Scope
    from gonghui.orgs.models import Org
    from gonghui.payouts.bulk import PayoutResultsKind


def build_payout_results(*, actor: User | None, scope: Scope | None, org: Org | None) -> PayoutResultsKind:
    from gonghui.payouts.bulk import PayoutResultsKind

    # With a scope, only batches in the job's subtree where the actor holds cards.payout.make.
    return PayoutResultsKind(actor=actor, scope=scope, org=org)


def export_payout_items(path: str, *, actor: User | None, org: Org | None, unmasked: bool, scope: Scope | None) -> int:
    from gonghui.payouts.bulk import export_payout_items

    # Always masked: full card numbers leave only in the bank file of an approved batch.
    return export_payout_items(path, actor=actor, org=org)


def register() -> None:
    from gonghui.payouts.bulk import RESULT_COLUMNS

    register_kind(
        BulkKind(
            name="payout_results",
            label="资金代发（银行代发结果／代发明细）",
            columns=RESULT_COLUMNS,
            import_perm=PayoutPerm.MAKE,
            export_perm=PayoutPerm.VIEW,
            # The bank's answer may repeat its full card numbers: as many hands as the bank file.
            private_perm=PayoutPerm.MAKE,
            build=build_payout_results,
            export=export_payout_items,
            export_sheet="代发明细",
            masked_columns={"card_no": "card"},
            choices=lambda: {"result": ["成功", "失败"]},
            text_columns=frozenset({"item_id", "amount"}),
            example={"item_id": "1", "amount": "500.00", "result": "成功", "reason": ""},
        )
    )
