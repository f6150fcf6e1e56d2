"""The cards app's bulk kinds: `cards` (issuance results in, the application list out) and
`payout_results` (the bank's payout results in, the batches' items out)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from gonghui.cards.permissions import CardPerm, PayoutPerm
from gonghui.core.bulk.kinds import BulkKind, register_kind
from gonghui.core.idnumbers import id_number_with_check
from gonghui.members.permissions import MemberPerm

if TYPE_CHECKING:
    from gonghui.accounts.models import User
    from gonghui.accounts.scope import Scope
    from gonghui.cards.bulk import CardIssuanceKind, PayoutResultsKind
    from gonghui.orgs.models import Org


def build(*, actor: User | None, scope: Scope | None, org: Org | None) -> CardIssuanceKind:
    from gonghui.cards.bulk import CardIssuanceKind

    return CardIssuanceKind(actor=actor, scope=scope, org=org)


def export(path: str, *, actor: User | None, org: Org | None, unmasked: bool, scope: Scope | None) -> int:
    from gonghui.cards.bulk import export_applications

    return export_applications(path, actor=actor, org=org, unmasked=unmasked, scope=scope)


def build_payout_results(*, actor: User | None, scope: Scope | None, org: Org | None) -> PayoutResultsKind:
    from gonghui.cards.bulk import PayoutResultsKind

    # With a scope, only batches in the job's subtree where the actor holds cards.payout.make.
    return PayoutResultsKind(actor=actor, scope=scope, org=org)


def export_payout_items(path: str, *, actor: User | None, org: Org | None, unmasked: bool, scope: Scope | None) -> int:
    from gonghui.cards.bulk import export_payout_items

    # Always masked: full card numbers leave only in the bank file of an approved batch.
    return export_payout_items(path, actor=actor, org=org)


def register() -> None:
    from gonghui.cards.bulk import COLUMNS, RESULT_COLUMNS

    register_kind(
        BulkKind(
            name="cards",
            label="会员服务卡（银行制卡结果／申请清单）",
            columns=COLUMNS,
            import_perm=CardPerm.MANAGE,
            export_perm=CardPerm.VIEW,
            private_perm=MemberPerm.VIEW_ID,
            unmasked_perm=MemberPerm.VIEW_ID,
            build=build,
            export=export,
            export_sheet="服务卡申请清单",
            masked_columns={"id_number": "id_number"},
            text_columns=frozenset({"id_number", "card_no", "bank"}),
            example={
                "id_number": id_number_with_check("52020119900307001"),
                "card_no": "6217950000000000018",
                "bank": "GZB",
                "issued_on": "2025-05-01",
            },
        )
    )
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
