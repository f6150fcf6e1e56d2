"""The honors test world: 六盘水市's campaign, 钟山区快递员联合工会 nominating through 钟山区总工会.

520200 六盘水市总工会 (the campaign's union: reviews last, publishes, announces)
└── 520201 钟山区总工会 (reviews, passes its list up)
    └── 520201G001 钟山区快递员联合工会 (nominates)
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest

from gonghui.accounts.models import User
from gonghui.accounts.scope import scope_for_user
from gonghui.core.scoping import Scope
from gonghui.honors.models import Campaign, CampaignKind
from gonghui.honors.quotas import Rule
from gonghui.honors.services import campaign_create
from gonghui.members.models import Membership
from gonghui.members.tests.factories import id_number, register


@dataclass
class HonorWorld:
    tree: Any
    campaign: Campaign
    members: list[Membership]
    users: dict[str, User]
    scopes: dict[str, Scope]

    def as_(self, who: str) -> dict[str, Any]:
        return {"actor": self.users[who], "scope": self.scopes[who]}


def build(tree: Any, make_user: Any) -> HonorWorld:
    users = {
        "unit": make_user("courier_officer", ("officer", "520201G001")),
        "county_officer": make_user("zs_officer", ("officer", "520201")),
        "county_reviewer": make_user("zs_reviewer", ("reviewer", "520201")),
        "city_officer": make_user("lps_officer", ("officer", "520200")),
        "city_reviewer": make_user("lps_reviewer", ("reviewer", "520200")),
        "city_reviewer2": make_user("lps_reviewer2", ("reviewer", "520200")),
        "viewer": make_user("lps_viewer", ("viewer", "520200")),
        "foreign": make_user("nm_officer", ("officer", "520102"), ("reviewer", "520102")),
    }
    scopes = {k: scope_for_user(u) for k, u in users.items()}
    tree.lps.contact_phone = "0858-8221234"
    tree.lps.save(update_fields=["contact_phone"])
    campaign = campaign_create(
        actor=users["city_officer"],
        scope=scopes["city_officer"],
        org=tree.lps,
        kind=CampaignKind.MOST_BEAUTIFUL,
        title="六盘水市最美劳动者",
        level="市级",
        awarding_body="六盘水市总工会",
        year=2026,
        places_default=3,
        rules=[Rule("front_line", "min_share", share=Decimal("0.6"))],
    )
    members = [
        register(tree.courier_union, id_number(900 + i, birth="19850101"), name=name)
        for i, name in enumerate(["陈师傅", "周师傅", "吴师傅", "郑师傅"])
    ]
    return HonorWorld(tree, campaign, members, users, scopes)


@pytest.fixture
def hw(tree: Any, make_user: Any) -> HonorWorld:
    return build(tree, make_user)
