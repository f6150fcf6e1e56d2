"""The `cards` bulk kind: the bank's issuance results in, the application list out."""

from __future__ import annotations

from typing import TYPE_CHECKING

from gonghui.cards.permissions import CardPerm
from gonghui.core.bulk.kinds import BulkKind, register_kind
from gonghui.core.idnumbers import id_number_with_check
from gonghui.members.permissions import MemberPerm

if TYPE_CHECKING:
    from gonghui.accounts.models import User
    from gonghui.accounts.scope import Scope
    from gonghui.cards.bulk import CardIssuanceKind
    from gonghui.orgs.models import Org


def build(*, actor: User | None, scope: Scope | None, org: Org | None) -> CardIssuanceKind:
    from gonghui.cards.bulk import CardIssuanceKind

    return CardIssuanceKind(actor=actor, scope=scope, org=org)


def export(path: str, *, actor: User | None, org: Org | None, unmasked: bool, scope: Scope | None) -> int:
    from gonghui.cards.bulk import export_applications

    return export_applications(path, actor=actor, org=org, unmasked=unmasked, scope=scope)


def register() -> None:
    from gonghui.cards.bulk import COLUMNS

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
