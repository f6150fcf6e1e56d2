"""The `members` bulk kind (会员花名册) in core's registry; registered by `MembersConfig.ready`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from gonghui.core.bulk.kinds import BulkKind, register_kind
from gonghui.core.idnumbers import id_number_with_check
from gonghui.members.permissions import MemberPerm

if TYPE_CHECKING:
    from gonghui.accounts.models import User
    from gonghui.core.scoping import Scope
    from gonghui.members.bulk import MembersKind
    from gonghui.orgs.models import Org

# Column key → code table offered as a drop-down in the template (DOMAIN.md §0).
CODE_COLUMNS = {
    "ethnicity": "ethnicity",
    "education": "education",
    "political_status": "political_status",
    "hukou_type": "hukou_type",
    "employment_status": "employment_status",
    "new_employment_type": "new_employment_type",
}
YES_NO = ["是", "否"]


def build(*, actor: User | None, scope: Scope | None, org: Org | None) -> MembersKind:
    from gonghui.members.bulk import MembersKind

    # With a scope, MembersKind refuses rows naming unions where it does not hold
    # members.membership.register: the job's confined scope keeps them in its subtree.
    return MembersKind(actor=actor, scope=scope, default_org=org)


def export(path: str, *, actor: User | None, org: Org | None, unmasked: bool, scope: Scope | None) -> int:
    from gonghui.members.bulk import export_members

    return export_members(path, actor=actor, org=org, unmasked=unmasked, scope=scope)


def choices() -> dict[str, list[str]]:
    from gonghui.members.validation import code_labels

    lists = {key: list(code_labels(table).values()) for key, table in CODE_COLUMNS.items()}
    lists["is_migrant_worker"] = YES_NO
    return lists


def register() -> None:
    from gonghui.members.bulk import COLUMNS

    register_kind(
        BulkKind(
            name="members",
            label="会员花名册",
            columns=COLUMNS,
            import_perm=MemberPerm.REGISTER,
            export_perm=MemberPerm.VIEW,
            private_perm=MemberPerm.VIEW_ID,
            unmasked_perm=MemberPerm.VIEW_ID,
            build=build,
            export=export,
            export_sheet="会员名册",
            masked_columns={"id_number": "id_number", "mobile": "mobile"},
            text_columns=frozenset({"id_number", "mobile", "org_code"}),
            choices=choices,
            reimportable=True,
            example={
                "name": "张三",
                "id_number": id_number_with_check("52020119900307001"),
                "mobile": "13800000000",
                "ethnicity": "汉族",
                "education": "普通高中",
                "political_status": "群众",
                "hukou_type": "农业户口",
                "is_migrant_worker": "是",
                "employment_status": "在岗",
                "new_employment_type": "快递员",
                "employer": "某某快递有限公司",
                "org_code": "",
                "joined_on": "2024-05-01",
            },
        )
    )
