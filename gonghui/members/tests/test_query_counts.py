"""Query counts of member search: `GET /api/v1/members?q=…` and the roster page `/members/?q=…`.

A search answers in a fixed number of queries whatever the number of rows on the
page: a later change that reads a member's union, person or label row by row
fails here. Every search kind is asked twice in one world, once for a term that
finds 3 members and once for a term that finds 30 (ID numbers and member
numbers find exactly one person by nature; they are asked for one member of
each group), by a province-level admin and by a city officer.

The queries, in order:

    API   1 the bearer token (with its user)      page  1 the session
          2 the caller's grants (scope)                 2 the user
          3 the page's membership ids                   3 the caller's grants (scope)
          4 those rows' columns (one IN query)          4 the page's membership ids
                                                        5 those rows' columns
                                                        6 the export button's union
                                                        7 pending join applications (count)
                                                        8 pending transfers (count)

Pinyin initials of two or more letters are two parts (initials, then full pinyin
not already matched): one more ids query when the first part does not fill the
page. Counts are the same on SQLite and PostgreSQL.

Each request is made once before it is counted: process-wide caches (the code
tables behind labels) and the token's `last_used_at` stamp (written at most every
five minutes) are then warm, as on a running server.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gonghui.accounts.models import User
from gonghui.accounts.services import grant_role, token_create
from gonghui.conftest import PASSWORD, build_tree
from gonghui.core.tests.clients import client
from gonghui.core.tests.worlds import class_world_fixtures
from gonghui.members.models import Membership
from gonghui.members.tests.factories import Api, id_number, register

pytestmark = pytest.mark.django_db

# Province-level admin, and an officer of 六盘水市总工会; both see every member below.
GRANTS = {"province_admin": ("admin", "520000"), "city_officer": ("officer", "520200")}

SMALL, LARGE = 3, 30
THIRD_CHARS = "明华军伟芳娜敏静丽强磊洋艳勇杰娟涛超秀霞平刚桂英兰红玉梅凤琴"
SMALL_MOBILE, LARGE_MOBILE = "13900000003", "13900000030"

API_QUERIES = 4
PAGE_QUERIES = 8
SECOND_PART = 1  # pinyin initials: the full-pinyin part's ids


@dataclass
class World:
    tokens: dict[str, str]
    session_keys: dict[str, str]
    small: list[Membership]  # 王小… (initials wx…), all on SMALL_MOBILE
    large: list[Membership]  # 李大… (initials ld…), all on LARGE_MOBILE
    actor: str = ""


def _build_world() -> World:
    tree = build_tree()
    tokens: dict[str, str] = {}
    session_keys: dict[str, str] = {}
    for actor, (role, code) in GRANTS.items():
        user = User.objects.create_user(username=actor, password=PASSWORD)
        grant_role(actor=None, actor_scope=None, user=user, role_name=role, org_code=code)
        tokens[actor] = token_create(user=user, name="query counts").raw
        c = client()
        c.force_login(user)
        session_keys[actor] = c.cookies[settings.SESSION_COOKIE_NAME].value
    # A new-employment type on every member: each row has a label to look up (code table).
    small = [
        register(
            tree.courier_union,
            id_number(i),
            name=f"王小{THIRD_CHARS[i]}",
            mobile=SMALL_MOBILE,
            new_employment_type="02",
        )
        for i in range(SMALL)
    ]
    large = [
        register(
            tree.zhongshan,
            id_number(100 + i),
            name=f"李大{THIRD_CHARS[i]}",
            mobile=LARGE_MOBILE,
            new_employment_type="02",
        )
        for i in range(LARGE)
    ]
    return World(tokens, session_keys, small, large)


world, world_for = class_world_fixtures(_build_world)


def _member_no(ms: Membership) -> str:
    assert ms.person.member_no
    return ms.person.member_no


# kind → (term finding the small group, term finding the large group, rows found by each)
TERMS: dict[str, Callable[[World], tuple[str, str, int, int]]] = {
    "id_number": lambda w: (id_number(1), id_number(101), 1, 1),
    "mobile": lambda w: (SMALL_MOBILE, LARGE_MOBILE, SMALL, LARGE),
    "member_no": lambda w: (_member_no(w.small[1]), _member_no(w.large[1]), 1, 1),
    "name_prefix": lambda w: ("王小", "李大", SMALL, LARGE),
    "pinyin_initials": lambda w: ("wx", "ld", SMALL, LARGE),
}


def _queries(call: Callable[[], Any]) -> tuple[Any, list[str]]:
    """The response of `call` and the SQL it ran, after one warm-up call."""
    call()
    with CaptureQueriesContext(connection) as ctx:
        resp = call()
    return resp, [q["sql"] for q in ctx.captured_queries]


def _same_count(small: list[str], large: list[str]) -> None:
    assert len(small) == len(large), f"{len(small)} queries for {SMALL} rows, {len(large)} for {LARGE}:\n" + "\n".join(
        q[:200] for q in large
    )


@pytest.mark.parametrize("actor", list(GRANTS))
@pytest.mark.parametrize("kind", list(TERMS))
class TestSearchQueryCounts:
    def test_api(self, world_for, django_assert_num_queries, actor: str, kind: str) -> None:
        w = world_for(actor)
        small_q, large_q, small_n, large_n = TERMS[kind](w)
        api = Api({"HTTP_AUTHORIZATION": f"Bearer {w.tokens[actor]}"})
        small, small_sql = _queries(lambda: api.get("/api/v1/members", q=small_q))
        large, large_sql = _queries(lambda: api.get("/api/v1/members", q=large_q))
        assert (small.status_code, large.status_code) == (200, 200), large.content.decode()
        assert (len(small.json()["items"]), len(large.json()["items"])) == (small_n, large_n)
        _same_count(small_sql, large_sql)
        expected = API_QUERIES + (SECOND_PART if kind == "pinyin_initials" else 0)
        with django_assert_num_queries(expected):
            api.get("/api/v1/members", q=large_q)

    @pytest.mark.parametrize("method", ["get", "post"])  # the page's own form POSTs (no ID number in a URL)
    def test_roster_page(self, world_for, django_assert_num_queries, actor: str, kind: str, method: str) -> None:
        w = world_for(actor)
        small_q, large_q, small_n, large_n = TERMS[kind](w)
        page = client()
        page.cookies[settings.SESSION_COOKIE_NAME] = w.session_keys[actor]

        def search(q: str) -> Any:
            return getattr(page, method)("/members/", {"q": q})

        small, small_sql = _queries(lambda: search(small_q))
        large, large_sql = _queries(lambda: search(large_q))
        assert (small.status_code, large.status_code) == (200, 200)
        shown = [ms.person.name for ms in w.small[:small_n]], [ms.person.name for ms in w.large[:large_n]]
        if small_n == 1:  # the one member the key names
            shown = [w.small[1].person.name], [w.large[1].person.name]
        for resp, names in zip((small, large), shown, strict=True):
            html = resp.content.decode()
            assert all(name in html for name in names)
        _same_count(small_sql, large_sql)
        expected = PAGE_QUERIES + (SECOND_PART if kind == "pinyin_initials" else 0)
        with django_assert_num_queries(expected):
            search(large_q)
