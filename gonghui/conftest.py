"""Shared fixtures: a small org tree, users with grants, logged-in clients.

Tree used across the suite (codes are GB/T 2260 where they are federations):

    520000 贵州省总工会
    ├── 520200 六盘水市总工会
    │   ├── 520201 钟山区总工会
    │   │   └── 520201G001 钟山区快递员联合工会 (new employment)
    │   └── 520200KD01 六盘水市快递行业工会联合会 (sector federation, new employment)
    └── 520100 贵阳市总工会
        └── 520102 南明区总工会
    621100 定西市总工会 (a second root, for "foreign scope")
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from gonghui.accounts.models import User
from gonghui.accounts.services import grant_role, token_create
from gonghui.orgs.models import Org, OrgKind
from gonghui.orgs.services import org_create

PASSWORD = "Test-password-2026"  # noqa: S105 - test fixture


@dataclass
class Tree:
    province: Org
    lps: Org
    zhongshan: Org
    courier_union: Org
    express_federation: Org
    guiyang: Org
    nanming: Org
    dingxi: Org


def make_org(code: str, name: str, kind: str, parent: Org | None, **fields: Any) -> Org:
    return org_create(actor=None, scope=None, code=code, name=name, kind=kind, parent=parent, **fields)


def build_tree() -> Tree:
    """The suite's tree (see the module docstring); also used by class-level fixtures."""
    province = make_org("520000", "贵州省总工会", OrgKind.PROVINCE_FEDERATION, None, region_code="520000")
    lps = make_org("520200", "六盘水市总工会", OrgKind.CITY_FEDERATION, province, region_code="520200")
    zhongshan = make_org("520201", "钟山区总工会", OrgKind.COUNTY_FEDERATION, lps, region_code="520201")
    courier = make_org(
        "520201G001",
        "钟山区快递员联合工会",
        OrgKind.JOINT_GRASSROOTS,
        zhongshan,
        region_code="520201",
        is_new_employment=True,
    )
    express = make_org(
        "520200KD01",
        "六盘水市快递行业工会联合会",
        OrgKind.SECTOR_FEDERATION,
        lps,
        region_code="520200",
        is_new_employment=True,
    )
    guiyang = make_org("520100", "贵阳市总工会", OrgKind.CITY_FEDERATION, province, region_code="520100")
    nanming = make_org("520102", "南明区总工会", OrgKind.COUNTY_FEDERATION, guiyang, region_code="520102")
    dingxi = make_org("621100", "定西市总工会", OrgKind.CITY_FEDERATION, None, region_code="621100")
    return Tree(province, lps, zhongshan, courier, express, guiyang, nanming, dingxi)


@pytest.fixture
def tree(db: None) -> Tree:
    return build_tree()


@pytest.fixture
def make_user(db: None):
    def _make(username: str, *grants: tuple[str, str], superuser: bool = False) -> User:
        user = User.objects.create_user(username=username, password=PASSWORD, is_superuser=superuser)
        for role, code in grants:
            grant_role(actor=None, actor_scope=None, user=user, role_name=role, org_code=code)
        return user

    return _make


@pytest.fixture
def login():
    def _login(user: User) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return _login


@pytest.fixture
def bearer():
    def _bearer(user: User) -> dict[str, str]:
        return {"HTTP_AUTHORIZATION": f"Bearer {token_create(user=user, name='test').raw}"}

    return _bearer
