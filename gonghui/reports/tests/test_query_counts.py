"""Query counts of the dashboard `/` (reports:dashboard) and `GET /api/v1/stats?org=CODE`.

Every figure is an aggregate, so neither page may read row by row: 3 or 30
members (each with an activated service card and a 普惠 sale) cost the same
queries, for a province-level admin and for a city officer.

One `stats_collect` (what `/api/v1/stats` answers and each dashboard row shows)
is `STATS` queries: orgs 1, members 1 (the tallies), cards 3 (cards, payouts,
credit referrals), 普惠 3 (till sales, card spending, distinct members), aid 2
(files, relief), 金秋助学 1, stations 5 (stations, volunteers, groups, shifts with their logs and
check-ins, visits), 12351 hotline 1, collective contracts 2 (by kind, the employers), legal aid 2
(matters with the amounts, lawyers' visits), charity 5 (funds, donations, projects, payments,
activities), skills 7 (contests with their entries, classes
with their trainees, trainees' incomes, plans, studios, 五小, activities with their check-ins). A new
statistics provider changes it on purpose.

The dashboard, however, runs one whole `stats_collect` per lower union in its
table and city chart (`reports.views.dashboard`, `drill_rows` / `city_rows`):
`STATS` queries per lower union, up to `DRILL_LIMIT` (40) of them. That is pinned
below as it is, so it cannot get worse unnoticed; grouping each provider's
aggregates by lower union would make it constant. Without `?org=`, a caller with
one grant also has that union's figures counted twice (the headline and its
single drill row have the same paths).

Counts are the same on SQLite and PostgreSQL. Each request is made once before
it is counted (the token's `last_used_at` stamp is then warm).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gonghui.benefits.tests.test_transactions import make_world, sale
from gonghui.cards.models import BankPartner
from gonghui.cards.services import card_apply, card_issue, card_transition
from gonghui.cards.tests.test_lifecycle import card_number
from gonghui.conftest import make_org
from gonghui.core.stats import stats_collect
from gonghui.core.tests.clients import client
from gonghui.members.tests.factories import id_number, register
from gonghui.orgs.models import OrgKind

pytestmark = pytest.mark.django_db

SMALL, LARGE = 3, 30

STATS = 35  # one stats_collect
SESSION = 3  # session, user, grants
SERIES = 4  # monthly: payouts, card spending, 普惠 sales, 金秋助学
# orgs by kind, orgs by region, 金秋助学 by school year, station visits (scanned, logged), stations by city,
# 12351 by month, by 事由, overdue by lower union (2), honors by year, skills contests by month and by
# city, training and activities by month (3)
CHARTS = 16


def dashboard_queries(lower_unions: int) -> int:
    """`/` for a caller with one grant: headline, the granted union's row, then its lower unions' rows."""
    roots, children = 1, 1
    return SESSION + STATS + roots + STATS + children + STATS * lower_unions + SERIES + CHARTS


def dashboard_org_queries(lower_unions: int) -> int:
    """`/?org=CODE`: the union (org_get), its figures, its lower unions' rows."""
    org, children = 1, 1
    return SESSION + org + STATS + children + STATS * lower_unions + SERIES + CHARTS


API = 1 + 1 + 1 + STATS  # token, grants, the union (org_get), its figures

# actor → (grant, its union's code, its lower unions in `tree`)
ACTORS = {
    "province_admin": (("admin", "520000"), "520000", 2),  # 六盘水, 贵阳
    "city_officer": (("officer", "520200"), "520200", 2),  # 钟山区, 快递行业联合会
}


@pytest.fixture
def world(tree, make_user) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """SMALL members with activated service cards, each with a discounted 普惠 sale."""
    w = make_world(tree, make_user, members=SMALL)
    w["tree"] = tree
    for i in range(SMALL):
        sale(w, f"sale-{i}", card=i)
    return w


def grow(w: dict[str, Any], to: int) -> None:
    """More members (alternating between two lower unions), each with a card and a sale, as make_world does."""
    tree, bank = w["tree"], BankPartner.objects.get(code="GZB")  # make_world's bank
    for i in range(len(w["cards"]), to):
        org = tree.courier_union if i % 2 else tree.express_federation
        ms = register(org, id_number(700 + i), name=f"会员{chr(0x4E00 + i)}")
        card = card_apply(actor=None, scope=None, membership=ms, bank=bank, consented=True)
        card_issue(actor=None, scope=None, card=card, card_number=card_number(700 + i))
        card_transition(actor=None, scope=None, card=card, action="activate")
        w["cards"].append(card_number(700 + i))
        sale(w, f"sale-{i}", card=i)


def captured(call: Callable[[], Any]) -> tuple[Any, list[str]]:
    call()  # warm
    with CaptureQueriesContext(connection) as ctx:
        resp = call()
    return resp, [q["sql"] for q in ctx.captured_queries]


def listing(sql: list[str]) -> str:
    return "\n".join(q[:160] for q in sql)


def test_one_stats_collection_is_a_fixed_number_of_aggregates(world, tree, django_assert_num_queries) -> None:
    with django_assert_num_queries(STATS):
        small = stats_collect([tree.lps.path])
    grow(world, LARGE)
    with django_assert_num_queries(STATS):
        large = stats_collect([tree.lps.path])
    assert (small["members"], small["cards_active"], small["benefit_transactions"]) == (SMALL, SMALL, SMALL)
    assert (large["members"], large["cards_active"], large["benefit_transactions"]) == (LARGE, LARGE, LARGE)


@pytest.mark.parametrize("actor", list(ACTORS))
def test_dashboard_and_stats_api_do_not_read_row_by_row(
    world, make_user, bearer, django_assert_num_queries, actor: str
) -> None:
    grant, code, lower = ACTORS[actor]
    user = make_user(actor, grant)
    page = client()
    page.force_login(user)
    api = client(csrf=True)
    auth = bearer(user)
    calls: dict[str, Callable[[], Any]] = {
        "dashboard": lambda: page.get("/"),
        "dashboard?org": lambda: page.get("/", {"org": code}),
        "api": lambda: api.get("/api/v1/stats", {"org": code}, **auth),
    }
    expected = {"dashboard": dashboard_queries(lower), "dashboard?org": dashboard_org_queries(lower), "api": API}

    small = {name: captured(call) for name, call in calls.items()}
    grow(world, LARGE)
    large = {name: captured(call) for name, call in calls.items()}

    assert small["api"][0].json()["members"] == SMALL and large["api"][0].json()["members"] == LARGE
    assert small["api"][0].json()["benefit_transactions"] == SMALL
    assert large["api"][0].json()["benefit_transactions"] == LARGE
    for name in calls:
        assert small[name][0].status_code == large[name][0].status_code == 200, name
        assert len(small[name][1]) == len(large[name][1]), f"{name}:\n{listing(large[name][1])}"
        with django_assert_num_queries(expected[name]):
            calls[name]()


@pytest.mark.parametrize("actor", list(ACTORS))
def test_the_dashboard_costs_one_stats_collection_per_lower_union(
    world, make_user, django_assert_num_queries, actor: str
) -> None:
    """The known per-row cost (see the module docstring): pinned so that it cannot grow further."""
    grant, code, lower = ACTORS[actor]
    tree = world["tree"]
    page = client()
    page.force_login(make_user(actor, grant))
    _, before = captured(lambda: page.get("/"))
    added = 5
    for i in range(added):
        if actor == "province_admin":  # cities 520300 遵义 … 520700
            code_, kind, parent = f"52{i + 3:02d}00", OrgKind.CITY_FEDERATION, tree.province
        else:  # counties 520203 … 520207 under 六盘水
            code_, kind, parent = f"5202{i + 3:02d}", OrgKind.COUNTY_FEDERATION, tree.lps
        make_org(code_, f"新增工会{i}", kind, parent, region_code=code_)
    resp, after = captured(lambda: page.get("/"))
    assert resp.status_code == 200
    assert len(before) == dashboard_queries(lower), listing(before)
    assert len(after) - len(before) == STATS * added, listing(after)
    with django_assert_num_queries(dashboard_queries(lower + added)):
        page.get("/")
    with django_assert_num_queries(dashboard_org_queries(lower + added)):
        page.get("/", {"org": code})
