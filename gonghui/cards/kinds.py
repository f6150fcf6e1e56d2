"""The cards app's bulk kinds: `cards` (issuance results in, the application list out),
`credit_referrals` (the bank's 黔优信用卡 applications in, the referrals out) and
`card_spending` (the bank's service-card purchases in, the spending out)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from gonghui.cards.permissions import CardPerm
from gonghui.core.bulk.kinds import BulkKind, register_kind
from gonghui.core.idnumbers import id_number_with_check
from gonghui.members.permissions import MemberPerm

if TYPE_CHECKING:
    from gonghui.accounts.models import User
    from gonghui.cards.bulk import CardIssuanceKind
    from gonghui.cards.credit import CreditReferralsKind
    from gonghui.cards.spending import CardSpendingKind
    from gonghui.core.scoping import Scope
    from gonghui.orgs.models import Org


def build(*, actor: User | None, scope: Scope | None, org: Org | None) -> CardIssuanceKind:
    from gonghui.cards.bulk import CardIssuanceKind

    return CardIssuanceKind(actor=actor, scope=scope, org=org)


def export(path: str, *, actor: User | None, org: Org | None, unmasked: bool, scope: Scope | None) -> int:
    from gonghui.cards.bulk import export_applications

    return export_applications(path, actor=actor, org=org, unmasked=unmasked, scope=scope)


def build_credit_referrals(*, actor: User | None, scope: Scope | None, org: Org | None) -> CreditReferralsKind:
    from gonghui.cards.credit import CreditReferralsKind

    # With a scope, only rows naming a union in the job's subtree where the actor holds cards.card.manage.
    return CreditReferralsKind(actor=actor, scope=scope, org=org)


def export_credit_referrals(
    path: str, *, actor: User | None, org: Org | None, unmasked: bool, scope: Scope | None
) -> int:
    from gonghui.cards.credit import export_credit_referrals

    return export_credit_referrals(path, actor=actor, org=org, unmasked=unmasked, scope=scope)


def build_card_spending(*, actor: User | None, scope: Scope | None, org: Org | None) -> CardSpendingKind:
    from gonghui.cards.spending import CardSpendingKind

    # With a scope, only cards of unions in the job's subtree where the actor holds cards.card.manage.
    return CardSpendingKind(actor=actor, scope=scope, org=org)


def export_card_spending(path: str, *, actor: User | None, org: Org | None, unmasked: bool, scope: Scope | None) -> int:
    from gonghui.cards.spending import export_card_spending

    # Always masked: the file names cards by their masked number only.
    return export_card_spending(path, actor=actor, org=org)


def register() -> None:
    from gonghui.cards.bulk import COLUMNS
    from gonghui.cards.credit import COLUMNS as CREDIT_COLUMNS
    from gonghui.cards.models import CardSpending, CreditCardReferral
    from gonghui.cards.spending import COLUMNS as SPENDING_COLUMNS
    from gonghui.core.paths import register_path_column

    # The new tables follow their union when it moves, like the cards app's others (apps.py).
    for model in (CreditCardReferral, CardSpending):
        register_path_column(model, "org_path")

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
            name="credit_referrals",
            label="黔优信用卡推荐（银行审批结果／推荐清单）",
            columns=CREDIT_COLUMNS,
            import_perm=CardPerm.MANAGE,
            export_perm=CardPerm.VIEW,
            # The bank's file holds full ID numbers.
            private_perm=MemberPerm.VIEW_ID,
            unmasked_perm=MemberPerm.VIEW_ID,
            build=build_credit_referrals,
            export=export_credit_referrals,
            export_sheet="信用卡推荐",
            masked_columns={"id_number": "id_number"},
            choices=lambda: {"result": ["通过", "拒绝", "审批中"]},
            reimportable=True,  # masked numbers are found by 申请编号 (credit.py, test_credit_round_trip.py)
            text_columns=frozenset({"reference", "id_number", "org_code", "credit_line", "bank"}),
            example={
                "reference": "QY2025050100001",
                "name": "王小明",
                "id_number": id_number_with_check("52020119900307001"),
                "org_code": "520201",
                "applied_on": "2025-05-01",
                "result": "通过",
                "credit_line": "30000.00",
                "decided_on": "2025-05-08",
                "bank": "GZB",
            },
        )
    )
    register_kind(
        BulkKind(
            name="card_spending",
            label="会员服务卡消费（银行交易流水／消费明细）",
            columns=SPENDING_COLUMNS,
            import_perm=CardPerm.MANAGE,
            export_perm=CardPerm.VIEW,
            # The bank's file holds full card numbers: as many hands as may import it.
            private_perm=CardPerm.MANAGE,
            build=build_card_spending,
            export=export_card_spending,
            export_sheet="服务卡消费",
            masked_columns={"card_no": "card"},
            text_columns=frozenset({"reference", "card_no", "amount", "mcc", "bank"}),
            example={
                "reference": "20250501123456789012",
                "card_no": "6217950000000000018",
                "day": "2025-05-01",
                "amount": "158.00",
                "merchant": "铜仁华联超市碧江店",
                "mcc": "5411",
                "bank": "GZB",
            },
        )
    )
