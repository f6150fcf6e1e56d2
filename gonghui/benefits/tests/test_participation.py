"""Where a campaign discounts: its merchants' stores, or only the stores it names; a store-bound cashier."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from gonghui.benefits.models import BenefitTransaction, Campaign, CampaignStatus, MerchantOperator, RuleType
from gonghui.benefits.services import transaction_reverse
from gonghui.benefits.tests.helpers import add_stores, sell
from gonghui.benefits.tests.test_transactions import make_world
from gonghui.core.errors import DomainError
from gonghui.core.tests.clients import client

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(tree, make_user):  # type: ignore[no-untyped-def]
    w = make_world(tree, make_user)
    w["a"], w["b"] = add_stores(w["merchant"], "碧江店", "万山店")
    return w


def test_a_campaign_naming_no_store_discounts_at_every_store_and_without_one(world) -> None:
    assert sell(world, "1", store=world["a"]).transaction.discount_fen == 2000
    assert sell(world, "2", card=1, store=world["b"]).transaction.discount_fen == 2000
    assert sell(world, "3", card=2).transaction.discount_fen == 2000


def test_a_campaign_naming_stores_discounts_only_there(world) -> None:
    world["campaign"].stores.add(world["a"])
    at_a = sell(world, "1", store=world["a"]).transaction
    at_b = sell(world, "2", card=1, store=world["b"]).transaction
    nowhere = sell(world, "3", card=2).transaction
    assert (at_a.discount_fen, at_a.store_id) == (2000, world["a"].pk)
    assert (at_b.discount_fen, at_b.no_discount_reason, at_b.campaign_id) == (0, "本门店未参加普惠活动", None)
    assert (nowhere.discount_fen, nowhere.no_discount_reason) == (0, "未指定门店，本活动仅限参与门店")
    world["campaign"].refresh_from_db()
    assert world["campaign"].spent_fen == 2000


def test_another_campaign_for_the_whole_merchant_still_applies_at_other_stores(world, tree) -> None:
    world["campaign"].stores.add(world["a"])
    now = timezone.now()
    whole = Campaign.all_objects.create(
        org=tree.lps,
        org_path=tree.lps.path,
        name="全店九五折",
        status=CampaignStatus.ACTIVE,
        starts_at=now - timedelta(days=1),
        ends_at=now + timedelta(days=1),
        rule_type=RuleType.DISCOUNT,
        discount_percent=95,
        budget_fen=100_000,
    )
    whole.merchants.add(world["merchant"])
    at_a = sell(world, "1", store=world["a"]).transaction  # 满158减20 (20.00) beats 95折 (10.00)
    at_b = sell(world, "2", card=1, store=world["b"]).transaction
    assert (at_a.campaign_id, at_a.discount_fen) == (world["campaign"].pk, 2000)
    assert (at_b.campaign_id, at_b.discount_fen) == (whole.pk, 1000)


def test_a_store_bound_cashier_records_at_its_store_only(world) -> None:
    MerchantOperator.objects.filter(user=world["cashier"]).update(store=world["a"])
    sale = sell(world, "1").transaction
    assert sale.store_id == world["a"].pk
    with pytest.raises(DomainError) as elsewhere:
        sell(world, "2", store=world["b"])
    assert (elsewhere.value.code, elsewhere.value.status) == ("benefit.store_not_yours", 403)
    # The console (no operator) may record anywhere; a store-bound cashier cannot undo another store's sale.
    other = sell(world, "3", card=1, store=world["b"], operator=None).transaction
    with pytest.raises(DomainError) as undo:
        transaction_reverse(operator=world["cashier"], merchant=world["merchant"], sale=other)
    assert undo.value.code == "benefit.store_not_yours"
    assert BenefitTransaction.all_objects.get(pk=other.pk).status == "completed"


def test_a_store_of_another_merchant_is_not_found(world, tree) -> None:
    from gonghui.benefits.models import Merchant

    other = Merchant.all_objects.create(org=tree.lps, org_path=tree.lps.path, name="别家超市", category="supermarket")
    (foreign,) = add_stores(other, "别家门店")
    with pytest.raises(DomainError) as refused:
        sell(world, "1", store=foreign)
    assert refused.value.status == 404
    assert not BenefitTransaction.all_objects.exists()


def test_a_closed_store_or_a_former_merchant_records_nothing(world) -> None:
    world["b"].is_active = False
    world["b"].save(update_fields=["is_active"])
    with pytest.raises(DomainError) as closed:
        sell(world, "1", store=world["b"])
    assert (closed.value.code, closed.value.status) == ("benefit.store_inactive", 409)
    done = sell(world, "2", store=world["a"]).transaction
    world["merchant"].is_active = False
    world["merchant"].save(update_fields=["is_active"])
    with pytest.raises(DomainError) as former:
        sell(world, "3", card=1)
    assert former.value.code == "benefit.merchant_inactive"
    assert sell(world, "2", store=world["a"]).transaction.pk == done.pk  # a retry still answers
    assert BenefitTransaction.all_objects.count() == 1


def test_the_till_api_puts_a_bound_cashier_at_its_store(world, bearer) -> None:
    MerchantOperator.objects.filter(user=world["cashier"]).update(store=world["a"])
    auth = bearer(world["cashier"])
    body = {"member_code": world["cards"][0], "amount": "200.00"}
    api = client(csrf=True)
    done = api.post(
        "/api/v1/benefits/transactions", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k1", **auth
    )
    assert done.status_code == 201 and (done.json()["store"], done.json()["store_id"]) == ("碧江店", world["a"].pk)
    elsewhere = api.post(
        "/api/v1/benefits/transactions",
        {**body, "store_id": world["b"].pk},
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="k2",
        **auth,
    )
    assert elsewhere.status_code == 403 and elsewhere.json()["code"] == "benefit.store_not_yours"
    assert BenefitTransaction.all_objects.count() == 1
