"""普惠 sales at a till: rules, idempotency, caps, budget, reversal, and caps under parallel tills."""

from __future__ import annotations

import threading
import time
from datetime import timedelta
from typing import Any

import pytest
from django.db import OperationalError, connection, connections
from django.utils import timezone

from gonghui.benefits.models import BenefitTransaction, Campaign, CampaignStatus, Merchant, MerchantOperator, RuleType
from gonghui.benefits.services import discount_for, transaction_record, transaction_reverse
from gonghui.cards.models import BankPartner
from gonghui.cards.services import card_apply, card_issue, card_transition
from gonghui.cards.tests.test_lifecycle import card_number
from gonghui.core.errors import DomainError
from gonghui.members.tests.factories import id_number, register


def make_world(tree, make_user, *, members: int = 3, **campaign: Any) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    bank = BankPartner.objects.create(code="GZB", name="贵州银行", bin_prefixes="621795")
    numbers = []
    for i in range(members):
        ms = register(tree.courier_union, id_number(700 + i), name=f"会员{chr(0x4E00 + i)}")
        card = card_apply(actor=None, scope=None, membership=ms, bank=bank, consented=True)
        card_issue(actor=None, scope=None, card=card, card_number=card_number(700 + i))
        card_transition(actor=None, scope=None, card=card, action="activate")
        numbers.append(card_number(700 + i))
    merchant = Merchant.all_objects.create(
        org=tree.lps, org_path=tree.lps.path, name="华联超市", category="supermarket", region_code="520201"
    )
    cashier = make_user("cashier")
    MerchantOperator.objects.create(merchant=merchant, user=cashier)
    now = timezone.now()
    fields = {
        "org": tree.lps,
        "org_path": tree.lps.path,
        "name": "致敬劳动者·五一促消费",
        "status": CampaignStatus.ACTIVE,
        "starts_at": now - timedelta(days=1),
        "ends_at": now + timedelta(days=6),
        "rule_type": RuleType.FULL_REDUCTION,
        "threshold_fen": 15800,
        "reduction_fen": 2000,
        "budget_fen": 1_000_000,
        **campaign,
    }
    c = Campaign.all_objects.create(**fields)
    c.merchants.add(merchant)
    return {"merchant": merchant, "cashier": cashier, "campaign": c, "cards": numbers}


def sale(world: dict[str, Any], key: str, card: int = 0, amount: int = 20000):  # type: ignore[no-untyped-def]
    return transaction_record(
        operator=world["cashier"],
        merchant=world["merchant"],
        idempotency_key=key,
        member_code=world["cards"][card],
        amount_fen=amount,
    )


@pytest.mark.django_db
class TestRules:
    def test_rules(self) -> None:
        c = Campaign(rule_type=RuleType.FULL_REDUCTION, threshold_fen=15800, reduction_fen=2000)
        assert (discount_for(c, 15799), discount_for(c, 15800)) == (0, 2000)
        c = Campaign(rule_type=RuleType.DISCOUNT, discount_percent=90, max_discount_fen=500)
        assert (discount_for(c, 1000), discount_for(c, 100000)) == (100, 500)
        c = Campaign(rule_type=RuleType.FIXED, threshold_fen=0, reduction_fen=4000)
        assert discount_for(c, 3000) == 3000  # never more than the sale

    def test_a_sale_gets_the_discount_and_a_retry_is_the_same_sale(self, tree, make_user) -> None:
        world = make_world(tree, make_user)
        first = sale(world, "till-1-0001")
        assert (first.replayed, first.transaction.discount_fen, first.transaction.paid_fen) == (False, 2000, 18000)
        again = sale(world, "till-1-0001")
        assert again.replayed and again.transaction.pk == first.transaction.pk
        world["campaign"].refresh_from_db()
        assert world["campaign"].spent_fen == 2000
        with pytest.raises(DomainError) as reused:
            sale(world, "till-1-0001", amount=30000)
        assert reused.value.code == "benefit.key_reused"

    def test_below_the_threshold_no_discount_with_the_reason(self, tree, make_user) -> None:
        world = make_world(tree, make_user)
        small = sale(world, "k1", amount=15000).transaction
        assert (small.discount_fen, small.no_discount_reason) == (0, "未达到优惠条件")

    def test_per_member_and_daily_caps(self, tree, make_user) -> None:
        world = make_world(tree, make_user, per_member_count=2, per_day_count=1)
        assert sale(world, "a1").transaction.discount_fen == 2000
        second = sale(world, "a2").transaction
        assert (second.discount_fen, second.no_discount_reason) == (0, "已达每人每日优惠上限")
        assert sale(world, "b1", card=1).transaction.discount_fen == 2000  # another member is not capped

    def test_the_budget_is_never_overspent(self, tree, make_user) -> None:
        world = make_world(tree, make_user, budget_fen=3000)
        assert sale(world, "a", card=0).transaction.discount_fen == 2000
        out = sale(world, "b", card=1).transaction
        assert (out.discount_fen, out.no_discount_reason) == (0, "活动预算已用完")
        world["campaign"].refresh_from_db()
        assert world["campaign"].spent_fen == 2000

    def test_reversal_gives_back_budget_and_caps(self, tree, make_user) -> None:
        world = make_world(tree, make_user, per_member_count=1)
        first = sale(world, "r1").transaction
        transaction_reverse(operator=world["cashier"], merchant=world["merchant"], sale=first)
        world["campaign"].refresh_from_db()
        assert world["campaign"].spent_fen == 0
        assert sale(world, "r2").transaction.discount_fen == 2000  # the cap is free again
        with pytest.raises(DomainError) as twice:
            transaction_reverse(operator=world["cashier"], merchant=world["merchant"], sale=first)
        assert twice.value.code == "benefit.already_reversed"

    def test_only_the_merchants_cashier_and_known_members(self, tree, make_user) -> None:
        world = make_world(tree, make_user)
        stranger = make_user("other_cashier")
        with pytest.raises(DomainError) as refused:
            transaction_record(
                operator=stranger,
                merchant=world["merchant"],
                idempotency_key="x",
                member_code=world["cards"][0],
                amount_fen=20000,
            )
        assert refused.value.code == "benefit.not_operator"
        with pytest.raises(DomainError) as unknown:
            transaction_record(
                operator=world["cashier"],
                merchant=world["merchant"],
                idempotency_key="y",
                member_code=card_number(799),
                amount_fen=20000,
            )
        assert unknown.value.code == "benefit.member_unknown"
        assert not BenefitTransaction.all_objects.exists()

    def test_a_member_outside_the_campaigns_union_pays_full_price(self, tree, make_user) -> None:
        world = make_world(tree, make_user)
        Campaign.all_objects.filter(pk=world["campaign"].pk).update(org=tree.dingxi, org_path=tree.dingxi.path)
        out = sale(world, "z").transaction
        assert (out.discount_fen, out.no_discount_reason) == (0, "无可参加的活动")

    def test_a_member_without_an_activated_card_is_told_to_activate_it(self, tree, make_user) -> None:
        world = make_world(tree, make_user)
        # A member of the campaign's union, found by member number, who has no card yet.
        ms = register(tree.courier_union, id_number(790), name="未办卡会员")
        out = transaction_record(
            operator=world["cashier"],
            merchant=world["merchant"],
            idempotency_key="no-card",
            member_code=ms.person.member_no,
            amount_fen=20000,
        ).transaction
        assert (out.discount_fen, out.no_discount_reason) == (0, "会员服务卡未激活，激活后可享受普惠优惠")


# --- parallel tills ---------------------------------------------------------------------------------


def _parallel(calls: list[Any], workers: int = 20) -> list[Any]:
    """Run the calls on `workers` threads, each with its own connection; SQLite's busy answers are retried.

    SQLite runs one writer at a time anyway, and its shared in-memory test database
    starves a crowd of retrying threads: four are enough to interleave the sales.
    """
    if connection.vendor == "sqlite":
        workers = min(workers, 4)
    results: list[Any] = [None] * len(calls)
    lock = threading.Lock()
    queue = list(enumerate(calls))
    start = threading.Barrier(workers)

    def worker() -> None:
        start.wait(timeout=30)
        try:
            while True:
                with lock:
                    if not queue:
                        return
                    i, call = queue.pop()
                # SQLite's shared in-memory test database answers "table is locked" at
                # once instead of waiting: retry (the service's transaction was rolled
                # back), for up to a minute under a loaded machine.
                deadline = time.monotonic() + 60
                while True:
                    try:
                        results[i] = call()
                        break
                    except OperationalError as exc:
                        retry = connection.vendor == "sqlite" and "locked" in str(exc)
                        if not retry or time.monotonic() > deadline:
                            results[i] = exc
                            break
                        time.sleep(0.002)
                    except DomainError as exc:
                        results[i] = exc
                        break
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    return results


@pytest.mark.django_db(transaction=True)
def test_two_hundred_parallel_sales_never_pass_a_members_cap_or_the_budget(tree, make_user) -> None:
    world = make_world(tree, make_user, members=3, per_member_count=5, budget_fen=2000 * 12)
    calls = [
        (lambda k=k: sale(world, f"p-{k}", card=k % 3))  # type: ignore[misc]
        for k in range(200)
    ]
    results = _parallel(calls)
    assert all(r is not None and not isinstance(r, Exception) for r in results), [
        r for r in results if r is None or isinstance(r, Exception)
    ][:3]
    sales = list(BenefitTransaction.all_objects.all())
    assert len(sales) == 200
    discounted: dict[int, int] = {}
    for s in sales:
        if s.discount_fen:
            discounted[s.person_id] = discounted.get(s.person_id, 0) + 1
    assert all(n <= 5 for n in discounted.values()), discounted
    assert sum(discounted.values()) == 12  # budget for 12 discounts: 3 members × 5 allowed = 15 > 12
    world["campaign"].refresh_from_db()
    assert world["campaign"].spent_fen == 2000 * 12 == sum(s.discount_fen for s in sales)


@pytest.mark.django_db(transaction=True)
def test_the_same_key_from_many_tills_is_one_sale(tree, make_user) -> None:
    world = make_world(tree, make_user, members=1)
    results = _parallel([lambda: sale(world, "same-key") for _ in range(30)], workers=10)
    assert all(not isinstance(r, Exception) for r in results), [r for r in results if isinstance(r, Exception)][:3]
    assert BenefitTransaction.all_objects.count() == 1
    assert sum(1 for r in results if not r.replayed) == 1
    world["campaign"].refresh_from_db()
    assert world["campaign"].spent_fen == 2000


@pytest.mark.django_db
def test_statistics_count_completed_sales(tree, make_user) -> None:
    from gonghui.core.stats import stats_collect

    world = make_world(tree, make_user)
    sale(world, "s1", card=0)
    sale(world, "s2", card=1, amount=10000)
    reversed_sale = sale(world, "s3", card=2).transaction
    transaction_reverse(operator=world["cashier"], merchant=world["merchant"], sale=reversed_sale)
    figures = stats_collect([tree.lps.path])
    assert (figures["benefit_spend_yuan"], figures["benefit_discount_yuan"]) == (300.0, 20.0)
    assert (figures["benefit_members"], figures["benefit_transactions"]) == (2, 2)
    assert stats_collect([tree.dingxi.path])["benefit_transactions"] == 0
