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

import logging
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from django.test import Client
from stdnum.cn.ric import calc_check_digit

from gonghui.accounts.models import User
from gonghui.accounts.services import grant_role, token_create

# Chromium for the browser tests, shared by every app's browser test module.
from gonghui.core.tests.browser import browser, pw  # noqa: F401
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
        join_published=True,
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
    nanming = make_org(
        "520102", "南明区总工会", OrgKind.COUNTY_FEDERATION, guiyang, region_code="520102", join_published=True
    )
    dingxi = make_org("621100", "定西市总工会", OrgKind.CITY_FEDERATION, None, region_code="621100")
    return Tree(province, lps, zhongshan, courier, express, guiyang, nanming, dingxi)


@pytest.fixture
def tree(db: None) -> Tree:
    return build_tree()


@pytest.fixture
def make_user(db: None) -> Callable[..., User]:
    def _make(username: str, *grants: tuple[str, str], superuser: bool = False) -> User:
        user = User.objects.create_user(username=username, password=PASSWORD, is_superuser=superuser)
        for role, code in grants:
            grant_role(actor=None, actor_scope=None, user=user, role_name=role, org_code=code)
        return user

    return _make


@pytest.fixture
def login() -> Callable[[User], Client]:
    def _login(user: User) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return _login


@pytest.fixture
def bearer() -> Callable[[User], dict[str, str]]:
    def _bearer(user: User) -> dict[str, str]:
        return {"HTTP_AUTHORIZATION": f"Bearer {token_create(user=user, name='test').raw}"}

    return _bearer


# --- no ID numbers in logs ------------------------------------------------------------------------
# Every test runs with a handler on the root logger at DEBUG; afterwards the test fails if any
# record, formatted with its traceback, holds an 18-character GB 11643 number whose check
# character is right (an ID number, not a random run of digits).


_ID_CANDIDATE = re.compile(r"(?<![0-9A-Za-z])(\d{17}[\dXx])(?![0-9A-Za-z])")


def gb11643_numbers_in(text: str) -> list[str]:
    """The 18-character numbers in `text` with a valid check character and a real birth date."""
    found = []
    for match in _ID_CANDIDATE.finditer(text):
        number = match.group(1).upper()
        if calc_check_digit(number) != number[17]:  # stdnum wants the check character included
            continue
        try:
            date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
        except ValueError:
            continue
        found.append(number)
    return found


class IdNumberLogGuard(logging.Handler):
    """Keeps every record it sees, and which ones carried an ID number."""

    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.setFormatter(logging.Formatter("%(levelname)s %(name)s %(message)s"))
        self.records: list[logging.LogRecord] = []
        self.leaks: list[tuple[str, str]] = []

    def emit(self, record: logging.LogRecord) -> None:
        try:
            text = self.format(record)
        except Exception:  # a record that cannot be formatted is checked raw
            text = f"{record.msg!r} {record.args!r}"
        self.records.append(record)
        for number in gb11643_numbers_in(text):
            # Reported masked: the failure message is itself output.
            self.leaks.append((record.name, number[:6] + "*" * 8 + number[-4:]))


@pytest.fixture(autouse=True)
def id_number_log_guard() -> Iterator[IdNumberLogGuard]:
    guard = IdNumberLogGuard()
    root = logging.getLogger()
    level = root.level
    root.addHandler(guard)
    root.setLevel(logging.DEBUG)
    try:
        yield guard
    finally:
        root.removeHandler(guard)
        root.setLevel(level)
    if guard.leaks:
        pytest.fail(f"ID numbers reached the logs: {guard.leaks[:5]}", pytrace=False)


@pytest.fixture
def sql_logging() -> Iterator[None]:
    """Every SQL statement logged with its parameters, as under DEBUG: the ID-number log guard then checks them."""
    from django.db import connection

    logger = logging.getLogger("django.db.backends")
    level, forced = logger.level, connection.force_debug_cursor
    logger.setLevel(logging.DEBUG)
    connection.force_debug_cursor = True
    try:
        yield
    finally:
        logger.setLevel(level)
        connection.force_debug_cursor = forced
