"""Parallel tills over real HTTP: per-member caps, the budget and idempotency keys hold under concurrency.

A live server (Django's threaded WSGI server: a thread and a database connection
per request) takes sales from many client threads at once, each with its own
loopback connection, as a merchant's tills do.

PostgreSQL runs the requests truly in parallel: the conditional UPDATEs on the
usage rows and on the campaign's `spent_fen` wait on row locks and re-check
their condition, and the idempotency key's unique index settles a race. Any
error answer fails the test there.

SQLite runs one writer at a time, and its shared in-memory test database answers
a second writer with "database table is locked" at once instead of waiting. The
server then answers 500, and the till sends the same request again with the same
Idempotency-Key, as a till does after a failed request: the service's
transaction was rolled back, nothing of it was written. The tests check that
every such 500 was that lock and nothing else, so the same assertions hold on
both engines.
"""

from __future__ import annotations

import http.client
import json
import random
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.core.servers.basehttp import ThreadedWSGIServer
from django.core.signals import got_request_exception
from django.db import OperationalError, connection
from django.test.testcases import LiveServerThread

from gonghui.accounts.services import token_create
from gonghui.benefits.models import BenefitTransaction, Campaign, MemberUsage, RuleType
from gonghui.benefits.services import discount_for
from gonghui.benefits.tests.test_transactions import make_world

pytestmark = pytest.mark.django_db(transaction=True)

SALES = 200
MEMBER_REASON = "已达每人活动优惠上限"
DAY_REASON = "已达每人每日优惠上限"
BUDGET_REASON = "活动预算已用完"
# 9折, at most 30 yuan off a sale: amounts of 100–350 yuan get 10–30 yuan off, so the
# amount caps and the budget run out part-way through a discount, not on a multiple of one.
NINE_TENTHS = {"rule_type": RuleType.DISCOUNT, "discount_percent": 90, "max_discount_fen": 3000}


# --- the server and the tills --------------------------------------------------------------------


class _Server(ThreadedWSGIServer):
    request_queue_size = 128  # a crowd of tills connecting at once waits in the queue instead of being refused


class _ServerThread(LiveServerThread):
    """Django's live server, with no connection shared into it: every request thread opens its own."""

    server_class = _Server


@dataclass
class Till:
    port: int
    token: str
    server_errors: list[BaseException] = field(default_factory=list)


@dataclass
class Answer:
    key: str
    amount_fen: int
    status: int = 0
    body: dict[str, Any] = field(default_factory=dict)
    attempts: int = 0


@pytest.fixture
def server(transactional_db: None) -> Iterator[tuple[int, list[BaseException]]]:
    """A live server on a free port, and the exceptions its requests raised."""
    errors: list[BaseException] = []

    def on_exception(sender: Any, **kwargs: Any) -> None:
        errors.append(sys.exc_info()[1] or RuntimeError("unknown"))

    got_request_exception.connect(on_exception, weak=False)
    thread = _ServerThread("127.0.0.1", static_handler=lambda handler: handler)
    thread.daemon = True
    thread.start()
    thread.is_ready.wait(timeout=30)
    if thread.error:
        raise thread.error
    try:
        yield thread.port, errors
    finally:
        thread.terminate()
        got_request_exception.disconnect(on_exception)


def open_till(server: tuple[int, list[BaseException]], world: dict[str, Any]) -> Till:
    port, errors = server
    return Till(port=port, token=token_create(user=world["cashier"], name="till").raw, server_errors=errors)


def _sqlite_locked(exc: BaseException) -> bool:
    return isinstance(exc, OperationalError) and "locked" in str(exc)


def post_sales(till: Till, sales: list[tuple[str, str, int]], *, workers: int) -> list[Answer]:
    """POST every (Idempotency-Key, member code, amount in fen) from `workers` threads that start together.

    On SQLite a 500 (the shared in-memory database's lock) is retried with the same
    key after a short pause; on PostgreSQL it is the answer.
    """
    answers = [Answer(key, amount) for key, _code, amount in sales]
    queue = list(enumerate(sales))
    lock = threading.Lock()
    start = threading.Barrier(workers)
    retry_500 = connection.vendor == "sqlite"

    def worker(seed: int) -> None:
        rng = random.Random(seed)
        start.wait(timeout=30)
        while True:
            with lock:
                if not queue:
                    return
                i, (key, code, amount) = queue.pop()
            payload = json.dumps({"member_code": code, "amount": f"{amount // 100}.{amount % 100:02d}"}).encode()
            headers = {
                "Authorization": f"Bearer {till.token}",
                "Content-Type": "application/json",
                "Idempotency-Key": key,
            }
            deadline = time.monotonic() + 120
            answer = answers[i]
            while True:
                answer.attempts += 1
                try:
                    conn = http.client.HTTPConnection("127.0.0.1", till.port, timeout=60)
                    conn.request("POST", "/api/v1/benefits/transactions", body=payload, headers=headers)
                    response = conn.getresponse()
                    raw = response.read()
                    conn.close()
                except (OSError, http.client.HTTPException) as exc:
                    answer.status, answer.body = -1, {"error": repr(exc)}
                    break
                answer.status = response.status
                try:
                    answer.body = json.loads(raw)
                except ValueError:
                    answer.body = {"raw": raw[:200].decode(errors="replace")}
                if not (retry_500 and response.status == 500 and time.monotonic() < deadline):
                    break
                time.sleep(rng.uniform(0.001, 0.01))

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
        assert not t.is_alive(), "a till hung"
    return answers


def assert_only_sqlite_locks(till: Till) -> None:
    """The server's 500s were SQLite's shared-cache lock (retried); on PostgreSQL there are none."""
    if connection.vendor == "sqlite":
        others = [repr(e) for e in till.server_errors if not _sqlite_locked(e)]
        assert not others, others[:3]
    else:
        assert not till.server_errors, [repr(e) for e in till.server_errors[:3]]


def fen(text: str) -> int:
    whole, _, cents = text.partition(".")
    return int(whole) * 100 + int((cents + "00")[:2])


def amount_of(i: int) -> int:
    """100.00–350.00 yuan, spread so that neighbouring sales differ."""
    return 10_000 + (i * 7919) % 25_001


def check_answers(answers: list[Answer], campaign: Campaign) -> list[BenefitTransaction]:
    """Every sale answered 201 once and recorded as answered; the campaign's spending equals its discounts."""
    problems = [(a.key, a.status, a.body) for a in answers if a.status != 201]
    assert not problems, problems[:3]
    sales = {s.pk: s for s in BenefitTransaction.all_objects.filter(campaign=campaign)}
    assert len(sales) == len(answers) == len({a.body["id"] for a in answers})
    for a in answers:
        sale = sales[a.body["id"]]
        assert (sale.idempotency_key, sale.amount_fen) == (a.key, a.amount_fen)
        assert (fen(a.body["discount"]), a.body["no_discount_reason"]) == (sale.discount_fen, sale.no_discount_reason)
        assert fen(a.body["discount"]) + fen(a.body["paid"]) == a.amount_fen
    campaign.refresh_from_db()
    assert campaign.spent_fen == sum(s.discount_fen for s in sales.values()) <= campaign.budget_fen
    return list(sales.values())


def workers_for(count: int) -> int:
    # SQLite serializes the writes anyway; a smaller crowd keeps its retries from starving the writer.
    return min(count, 8) if connection.vendor == "sqlite" else count


# --- the tests -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cap", "limit", "reason"),
    [
        ("per_member_count", 7, MEMBER_REASON),
        ("per_member_fen", 15_000, MEMBER_REASON),
        ("per_day_count", 6, DAY_REASON),
        ("per_day_fen", 9_000, DAY_REASON),
    ],
)
def test_two_hundred_parallel_sales_never_pass_a_members_cap(tree, make_user, server, cap, limit, reason) -> None:
    world = make_world(tree, make_user, members=1, budget_fen=10_000_000, **NINE_TENTHS, **{cap: limit})
    till = open_till(server, world)
    campaign: Campaign = world["campaign"]
    sales = [(f"cap-{i:03d}", world["cards"][0], amount_of(i)) for i in range(SALES)]
    answers = post_sales(till, sales, workers=workers_for(20))
    assert_only_sqlite_locks(till)
    recorded = check_answers(answers, campaign)

    granted = [s for s in recorded if s.discount_fen]
    refused = [s for s in recorded if not s.discount_fen]
    total = sum(s.discount_fen for s in granted)
    assert {s.no_discount_reason for s in refused} == {reason}
    if cap.endswith("_count"):
        assert len(granted) == limit  # never more, and every allowed one was granted
    else:
        assert total <= limit
        # Nothing was refused that would still have fitted: the room left is smaller than any refused discount.
        assert limit - total < min(discount_for(campaign, s.amount_fen) for s in refused)
    # The running totals the caps are checked against agree with the sales.
    person = recorded[0].person_id
    for day in (None, recorded[0].day):
        usage = MemberUsage.objects.get(campaign=campaign, person_id=person, day=day)
        assert (usage.count, usage.discount_fen) == (len(granted), total)


def test_two_hundred_parallel_sales_of_many_members_never_pass_the_budget(tree, make_user, server) -> None:
    budget = 41_000  # about twenty discounts of 10–30 yuan
    world = make_world(tree, make_user, members=20, budget_fen=budget, **NINE_TENTHS)
    till = open_till(server, world)
    campaign: Campaign = world["campaign"]
    sales = [(f"budget-{i:03d}", world["cards"][i % 20], amount_of(i)) for i in range(SALES)]
    answers = post_sales(till, sales, workers=workers_for(20))
    assert_only_sqlite_locks(till)
    recorded = check_answers(answers, campaign)

    granted = [s for s in recorded if s.discount_fen]
    refused = [s for s in recorded if not s.discount_fen]
    assert campaign.spent_fen == sum(s.discount_fen for s in granted) <= budget
    assert granted and refused
    assert {s.no_discount_reason for s in refused} == {BUDGET_REASON}
    assert budget - campaign.spent_fen < min(discount_for(campaign, s.amount_fen) for s in refused)
    assert len({s.person_id for s in granted}) > 1  # many members drew on the one budget


def test_one_idempotency_key_from_fifty_parallel_tills_is_one_sale(tree, make_user, server) -> None:
    world = make_world(tree, make_user, members=1, per_member_count=3)
    till = open_till(server, world)
    answers = post_sales(till, [("pos-9-000042", world["cards"][0], 20_000)] * 50, workers=50)
    assert_only_sqlite_locks(till)

    assert all(a.status in (200, 201) for a in answers), [(a.status, a.body) for a in answers if a.status >= 300][:3]
    sale = BenefitTransaction.all_objects.get()  # exactly one
    # Every till was told about that one sale, and exactly one of them made it.
    assert {a.body["id"] for a in answers} == {sale.pk}
    assert sorted(a.status for a in answers) == [200] * 49 + [201]
    assert all(a.body["replayed"] == (a.status == 200) for a in answers)
    assert {(a.body["amount"], a.body["discount"], a.body["paid"]) for a in answers} == {("200.00", "20.00", "180.00")}
    world["campaign"].refresh_from_db()
    assert world["campaign"].spent_fen == sale.discount_fen == 2000
    usage = MemberUsage.objects.get(campaign=world["campaign"], person_id=sale.person_id, day=None)
    assert (usage.count, usage.discount_fen) == (1, 2000)
