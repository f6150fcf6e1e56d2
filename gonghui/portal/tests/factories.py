"""The member portal's test world: the 金秋助学 world (standards, unions' officers, 李师傅 with a card)
plus two members with accounts and a member of the union who has none yet.

    李师傅  member of 520201G001, a 贵州银行 card, account "13800000700"
    赵师傅  member of 520201G001, account "13800000707" (the "other member")
    张三    member of 520201G001, mobile 13800138001, no account (activates in the tests)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.test import Client

from gonghui.conftest import PASSWORD
from gonghui.core.tests.clients import client as new_client
from gonghui.members.models import Membership
from gonghui.members.tests.factories import id_number, register
from gonghui.portal.models import MemberAccount
from gonghui.portal.selectors import intake_school_year
from gonghui.portal.services import member_account_create
from gonghui.student_aid.models import AidStandard
from gonghui.student_aid.tests.factories import AMOUNTS, World, build_world

WORKER_MOBILE = "13800000700"
OTHER_MOBILE = "13800000707"
NEW_MOBILE = "13800138001"
NEW_ID = id_number(720, birth="19850615")
NEW_PASSWORD = "Jinqiu-zhuxue-2026"


@dataclass
class PortalWorld:
    aid: World
    worker: MemberAccount
    other: MemberAccount
    newcomer: Membership

    def member_client(self, account: MemberAccount) -> Client:
        c = new_client()
        c.force_login(account.user)
        return c

    def staff_client(self, who: str) -> Client:
        c = new_client()
        c.force_login(self.aid.users[who])
        return c


def build_portal_world(tree: Any, make_user: Any) -> PortalWorld:
    aid = build_world(tree, make_user)
    # The aid world's standards end in 2026; the pages apply for the current school year, whatever the date.
    for year in range(2027, intake_school_year() + 2):
        for (level, on_file), fen in AMOUNTS.items():
            AidStandard.objects.get_or_create(
                region_code="520200", year=year, level=level, on_file=on_file, defaults={"amount_fen": fen}
            )
    other = register(tree.courier_union, id_number(707, birth="19800101"), name="赵师傅", mobile=OTHER_MOBILE)
    newcomer = register(tree.courier_union, NEW_ID, name="张三", mobile=NEW_MOBILE)
    return PortalWorld(
        aid=aid,
        worker=member_account_create(actor=None, person=aid.worker.person, username=WORKER_MOBILE, password=PASSWORD),
        other=member_account_create(actor=None, person=other.person, username=OTHER_MOBILE, password=PASSWORD),
        newcomer=newcomer,
    )
