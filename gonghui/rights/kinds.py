"""The rights app's bulk kind `contracts`: an existing collective-contract registry in, the subtree's out."""

from __future__ import annotations

from typing import TYPE_CHECKING

from gonghui.core.bulk.kinds import BulkKind, register_kind
from gonghui.rights.permissions import RightsPerm

if TYPE_CHECKING:
    from gonghui.accounts.models import User
    from gonghui.core.scoping import Scope
    from gonghui.orgs.models import Org
    from gonghui.rights.bulk import ContractsKind


def build(*, actor: User | None, scope: Scope | None, org: Org | None) -> ContractsKind:
    from gonghui.rights.bulk import ContractsKind

    return ContractsKind(actor=actor, scope=scope, org=org)


def export(path: str, *, actor: User | None, org: Org | None, unmasked: bool, scope: Scope | None) -> int:
    from gonghui.rights.bulk import export_contracts

    return export_contracts(path, actor=actor, org=org, unmasked=unmasked, scope=scope)


def register() -> None:
    from gonghui.rights.bulk import COLUMNS

    register_kind(
        BulkKind(
            name="contracts",
            label="集体合同台账",
            columns=COLUMNS,
            import_perm=RightsPerm.CONTRACT_MANAGE,
            export_perm=RightsPerm.CONTRACT_VIEW,
            private_perm=RightsPerm.CONTRACT_MANAGE,  # the file holds nothing private: the managers'
            build=build,
            export=export,
            export_sheet="集体合同",
            text_columns=frozenset({"org", "number", "employer_uscc", "renews"}),
            choices=lambda: {
                "kind": ["综合集体合同", "工资专项集体合同", "女职工权益保护专项集体合同", "劳动安全卫生专项集体合同"],
                "scope": ["企业", "行业性", "区域性"],
                "vote_body": ["职工代表大会", "全体职工大会"],
            },
            example={
                "org": "621102",
                "number": "AD-2025-001",
                "kind": "工资专项",
                "scope": "区域性",
                "employer_name": "安定区某商贸有限公司、安定区某建材有限公司",
                "employer_uscc": "91621102MA00000001、91621102MA00000002",
                "signed_on": "2025-03-01",
                "term": "3年",
                "union_chief": "王某",
                "employer_chief": "李某",
                "vote_body": "职代会",
                "voted_on": "2025-02-20",
                "votes_for": "45",
                "votes_against": "2",
                "workers": "120",
                "women_workers": "40",
                "wage_increase": "5%",
                "minimum_wage": "2020",
            },
        )
    )
