"""Query counts of a 普惠 sale at the till: `POST /api/v1/benefits/transactions`, its `/batch`, and the
cashier's page `POST /benefits/till/`.

What a sale reads is read once per request, whatever the number of sales in a
batch, of the merchant's campaigns and stores, or of the sales already made
today: a later change that looks a member, card, store or campaign up sale by
sale fails here. What a sale writes is its own and is counted per sale.

Reads (`READS`, one each):

    the bearer token (with its user)        (the page: the session, then the user)
    the cashier's merchant link (with merchant and store)
    the merchant's stores                   (batch only: every store_id of the batch from one dict)
    the campaigns running at the merchant
    the stores those campaigns name
    the members behind the scanned codes    (cards by blind index; no member number scanned here)
    the idempotency keys already used
    the members' active memberships         (eligibility; a card scan proves the card)

Writes of a new discounted sale (`WRITES_PER_SALE`):

    SAVEPOINT, SAVEPOINT, the member's period row, the member's day row, the sale,
    the campaign's budget, RELEASE SAVEPOINT, RELEASE SAVEPOINT

The sale's own `transaction.atomic()` is a SAVEPOINT here only because the test
runs inside pytest-django's transaction (the `db` fixture); on a server it is
BEGIN/COMMIT, which Django does not send as statements, and a sale costs two
fewer. The inner savepoint (one per campaign tried) is the same everywhere.
SQLite and PostgreSQL run exactly the same statements (`ON CONFLICT … DO UPDATE
… RETURNING` on both), so no count here depends on the engine.

Each request kind is made once before anything is counted: the token's
`last_used_at` stamp (written at most every five minutes) is then warm.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from gonghui.benefits.models import BenefitTransaction, Campaign, CampaignStatus, RuleType
from gonghui.benefits.tests.helpers import add_stores
from gonghui.benefits.tests.test_transactions import make_world, sale
from gonghui.core.tests.clients import client

pytestmark = pytest.mark.django_db

SMALL, LARGE = 2, 20
MEMBERS = SMALL + LARGE + 4  # enough fresh members for every measured sale (24 at most)

# The single sale, over the API.
READS = 7
WRITES_PER_SALE = 8
SALE = READS + WRITES_PER_SALE  # 15
REPLAY = READS  # 7: the same key again writes nothing
# The batch reads the merchant's stores once more.
BATCH_READS = READS + 1  # 8
# The page: session + user instead of the token (+1); the view reads the cashier's link through
# `selectors.cashier_link` and hands it to `transaction_record`, as the API does; then today's
# sales (count), today's latest sales listed (one query, whatever their number) and the
# navigation's grants (+3).
PAGE = SALE + 1 + 3  # 19


@pytest.fixture
def world(tree, make_user, bearer) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    w = make_world(tree, make_user, members=MEMBERS)
    w["auth"] = bearer(w["cashier"])
    w["stores"] = add_stores(w["merchant"], "华联超市钟山店", "华联超市水城店")
    w["next_card"] = 0
    return w


def fresh_card(w: dict[str, Any]) -> str:
    """A member who has bought nothing yet (no usage rows, no sale today)."""
    card = w["cards"][w["next_card"]]
    w["next_card"] += 1
    return card


def grow(w: dict[str, Any], *, sales: int, campaigns: int) -> None:
    """More of what the till reads around a sale: sales made today, and campaigns at the merchant."""
    for i in range(sales):
        sale(w, f"earlier-{w['next_card']}-{i}", card=w["next_card"])
        w["next_card"] += 1
    now = timezone.now()
    for i in range(campaigns):
        c = Campaign.all_objects.create(
            org=w["campaign"].org,
            org_path=w["campaign"].org_path,
            name=f"普惠周{i}",
            status=CampaignStatus.ACTIVE,
            starts_at=now - timedelta(days=1),
            ends_at=now + timedelta(days=6),
            rule_type=RuleType.FULL_REDUCTION,
            threshold_fen=15800,
            reduction_fen=1000,  # less than the first campaign's: the first stays the best offer
            budget_fen=1_000_000,
        )
        c.merchants.add(w["merchant"])
        if i % 2:
            c.stores.add(*w["stores"])


def captured(call: Callable[[], Any]) -> tuple[Any, list[str]]:
    with CaptureQueriesContext(connection) as ctx:
        resp = call()
    return resp, [q["sql"] for q in ctx.captured_queries]


def reads(sql: list[str]) -> list[str]:
    return [q for q in sql if q.lstrip().upper().startswith("SELECT")]


def listing(sql: list[str]) -> str:
    return "\n".join(q[:160] for q in sql)


def post_sale(w: dict[str, Any], card: str, key: str) -> Any:
    return client(csrf=True).post(
        "/api/v1/benefits/transactions",
        {"member_code": card, "amount": "200.00"},
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY=key,
        **w["auth"],
    )


def post_batch(w: dict[str, Any], cards: list[str], prefix: str) -> Any:
    sales = [
        # Each sale names a store: the batch's store lookup must stay one query.
        {"idempotency_key": f"{prefix}-{i}", "member_code": card, "amount": "200.00", "store_id": w["stores"][i % 2].pk}
        for i, card in enumerate(cards)
    ]
    return client(csrf=True).post(
        "/api/v1/benefits/transactions/batch", {"sales": sales}, content_type="application/json", **w["auth"]
    )


def test_a_sale_and_its_replay_cost_the_same_however_much_is_around_them(world, django_assert_num_queries) -> None:
    w = world
    assert post_sale(w, fresh_card(w), "warm-up").status_code == 201
    grow(w, sales=SMALL, campaigns=0)  # 2 sales today, 1 campaign
    card = fresh_card(w)
    small, small_sql = captured(lambda: post_sale(w, card, "small"))
    small_replay, small_replay_sql = captured(lambda: post_sale(w, card, "small"))
    grow(w, sales=LARGE - SMALL, campaigns=4)  # 20 sales today, 5 campaigns (2 of them naming stores)
    card = fresh_card(w)
    large, large_sql = captured(lambda: post_sale(w, card, "large"))
    large_replay, large_replay_sql = captured(lambda: post_sale(w, card, "large"))

    assert [r.status_code for r in (small, small_replay, large, large_replay)] == [201, 200, 201, 200]
    assert large.json()["discount"] == "20.00" and large.json()["campaign"] == "致敬劳动者·五一促消费"
    assert BenefitTransaction.all_objects.filter(day=timezone.localdate()).count() == 1 + LARGE + 2
    assert len(small_sql) == len(large_sql), listing(large_sql)
    assert len(small_replay_sql) == len(large_replay_sql), listing(large_replay_sql)
    with django_assert_num_queries(SALE):
        assert post_sale(w, fresh_card(w), "pinned").status_code == 201
    with django_assert_num_queries(REPLAY):
        assert post_sale(w, w["cards"][w["next_card"] - 1], "pinned").status_code == 200


def test_a_batch_reads_once_and_writes_per_sale(world, django_assert_num_queries) -> None:
    w = world
    warm = post_batch(w, [fresh_card(w)], "warm-up")
    assert warm.json()["results"][0]["status"] == 201
    small_cards = [fresh_card(w) for _ in range(SMALL)]
    large_cards = [fresh_card(w) for _ in range(LARGE)]

    small, small_sql = captured(lambda: post_batch(w, small_cards, "small"))
    with django_assert_num_queries(BATCH_READS + WRITES_PER_SALE * LARGE) as large_ctx:
        large = post_batch(w, large_cards, "large")
    large_sql = [q["sql"] for q in large_ctx.captured_queries]

    assert [r["status"] for r in small.json()["results"]] == [201] * SMALL
    assert [r["status"] for r in large.json()["results"]] == [201] * LARGE
    assert {r["sale"]["discount"] for r in large.json()["results"]} == {"20.00"}
    # What the sales share is read once: as many reads for 20 sales as for 2.
    assert len(reads(small_sql)) == len(reads(large_sql)) == BATCH_READS, listing(reads(large_sql))
    assert len(small_sql) == BATCH_READS + WRITES_PER_SALE * SMALL, listing(small_sql)

    # The POS sends both batches again after a timeout: replays, reads only, the same for 2 and 20.
    small_again, small_again_sql = captured(lambda: post_batch(w, small_cards, "small"))
    with django_assert_num_queries(BATCH_READS):
        large_again = post_batch(w, large_cards, "large")
    assert [r["status"] for r in small_again.json()["results"]] == [200] * SMALL
    assert [r["status"] for r in large_again.json()["results"]] == [200] * LARGE
    assert len(small_again_sql) == BATCH_READS, listing(small_again_sql)


def test_a_sale_on_the_till_page_costs_the_same_however_much_is_around_it(world, django_assert_num_queries) -> None:
    w = world
    page = client()
    page.force_login(w["cashier"])

    def sell_on_page(card: str, key: str) -> Any:
        return page.post("/benefits/till/", {"key": key, "member_code": card, "amount": "200"})

    assert sell_on_page(fresh_card(w), "warm-up").status_code == 200
    grow(w, sales=SMALL, campaigns=0)
    card = fresh_card(w)
    small, small_sql = captured(lambda: sell_on_page(card, "small"))
    grow(w, sales=LARGE - SMALL, campaigns=4)
    card = fresh_card(w)
    large, large_sql = captured(lambda: sell_on_page(card, "large"))

    for resp in (small, large):
        html = resp.content.decode()
        assert resp.status_code == 200 and "180.00" in html and "致敬劳动者·五一促消费" in html
    assert len(small_sql) == len(large_sql), listing(large_sql)
    with django_assert_num_queries(PAGE):
        assert "180.00" in sell_on_page(fresh_card(w), "pinned").content.decode()
