"""A 公示 kind for the tests: members listed for a union's notice (members sit below notices' users
only in the tests' imports, which follow the layers: members is below notices)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from gonghui.accounts.models import User
from gonghui.accounts.scope import scope_for_user
from gonghui.core.scoping import Scope
from gonghui.members.models import Membership
from gonghui.members.permissions import MemberPerm
from gonghui.members.tests.factories import id_number, register
from gonghui.notices.kinds import NoticeKind, register_notice_kind
from gonghui.notices.models import PublicationEntry

REMOVED: list[tuple[int, str]] = []


def _removed(entry: PublicationEntry, note: str, actor: User | None) -> None:
    REMOVED.append((entry.subject_id, note))


TEST_KIND = NoticeKind(
    key="notices_test",
    label="测试公示",
    view_perm=MemberPerm.VIEW,
    publish_perm=MemberPerm.REGISTER,  # officers
    resolve_perm=MemberPerm.APPROVE,  # officers and reviewers
    columns=(("union", "所在工会"), ("deeds", "主要事迹")),
    on_removed=_removed,
)
register_notice_kind(TEST_KIND)


@dataclass
class NoticeWorld:
    tree: Any
    members: list[Membership]
    users: dict[str, User]
    scopes: dict[str, Scope]

    def as_(self, who: str) -> dict[str, Any]:
        return {"actor": self.users[who], "scope": self.scopes[who]}


@pytest.fixture
def nw(tree: Any, make_user: Any) -> NoticeWorld:
    REMOVED.clear()
    tree.zhongshan.contact_phone = "0851-12345678"
    tree.zhongshan.save(update_fields=["contact_phone"])
    members = [
        register(tree.courier_union, id_number(800 + i, birth="19800101"), name=name)
        for i, name in enumerate(["王师傅", "张师傅", "刘师傅"])
    ]
    users = {
        "officer": make_user("zs_officer", ("officer", "520201")),
        "reviewer": make_user("zs_reviewer", ("reviewer", "520201")),
        "viewer": make_user("zs_viewer", ("viewer", "520201")),
        "foreign": make_user("nm_officer", ("officer", "520102")),
    }
    return NoticeWorld(tree, members, users, {k: scope_for_user(u) for k, u in users.items()})
