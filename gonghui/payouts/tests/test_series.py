"""The dashboard's monthly series: payouts by the month the bank paid them, spending by its day."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest
from django.utils import timezone

from gonghui.cards.models import BankPartner, CardSpending, ServiceCard
from gonghui.core.scoping import unscoped
from gonghui.core.stats import months_back, series_collect
from gonghui.payouts import selectors
from gonghui.payouts.models import PayoutItem
from gonghui.payouts.tests.test_payouts_api import batch_in, world  # noqa: F401  (the fixture)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def files_in_tmp(settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    settings.DATA_DIR = tmp_path / "data"


def test_payouts_and_card_spending_by_month_within_the_subtree(world: dict[str, Any]) -> None:  # noqa: F811
    batch = batch_in(world, "reconciled")  # one item of 100.00 paid, one failed
    with unscoped():
        paid = PayoutItem.objects.get(batch=batch, status="paid")
        PayoutItem.objects.filter(pk=paid.pk).update(settled_at=timezone.make_aware(datetime(2026, 10, 9, 12)))
        card = ServiceCard.objects.filter(status="activated").first()
    assert card is not None
    bank = BankPartner.objects.get(code="GZB")
    for n, (day, fen) in enumerate([(date(2026, 9, 30), 12_345), (date(2026, 10, 1), 5_000), (date(2025, 1, 1), 99)]):
        CardSpending.all_objects.create(
            bank=bank,
            reference=f"S{n}",
            card=card,
            person_id=card.person_id,
            org_path=card.org_path,
            day=day,
            amount_fen=fen,
            merchant_name="华联超市",
        )
    months = months_back(date(2026, 11, 29), 3)
    assert months == ["2026-09", "2026-10", "2026-11"]
    series = series_collect([world["tree"].zhongshan.path], months)
    assert series["payout_yuan"] == [0.0, 100.0, 0.0]  # the failed item is not money paid
    assert series["benefit_spend_yuan"] == [123.45, 50.0, 0.0]  # before the first month: left out
    # Another subtree sees none of it.
    elsewhere = series_collect([world["tree"].nanming.path], months)
    assert elsewhere["payout_yuan"] == [0.0, 0.0, 0.0] and elsewhere["benefit_spend_yuan"] == [0.0, 0.0, 0.0]


def test_a_payout_falls_in_the_month_of_its_local_time(world: dict[str, Any]) -> None:  # noqa: F811
    # 23:30 on 31 October in Beijing is 15:30 UTC the same day; 00:10 on 1 November is 16:10 UTC
    # on 31 October: the month is the one on the cadre's calendar, not UTC's.
    batch = batch_in(world, "reconciled")
    months = months_back(date(2026, 11, 29), 3)
    path = [world["tree"].zhongshan.path]
    with unscoped():
        paid = PayoutItem.objects.filter(batch=batch, status="paid")
        paid.update(settled_at=timezone.make_aware(datetime(2026, 10, 31, 23, 30)))
        assert series_collect(path, months)["payout_yuan"] == [0.0, 100.0, 0.0]
        paid.update(settled_at=timezone.make_aware(datetime(2026, 11, 1, 0, 10)))
        assert series_collect(path, months)["payout_yuan"] == [0.0, 0.0, 100.0]


def test_the_retry_button_is_offered_until_a_retry_batch_exists(world: dict[str, Any]) -> None:  # noqa: F811
    # One query for the list's rows (`retried_batches`), one look on the batch's page (`live_retry`).
    from django.test import Client

    from gonghui.payouts.services import payout_batch_retry

    batch = batch_in(world, "reconciled")
    maker = Client()
    maker.force_login(world["users"]["officer"])
    assert 'data-testid="retry"' in maker.get(f"/payouts/{batch.pk}/").content.decode()
    payout_batch_retry(actor=None, scope=None, batch=batch)
    assert 'data-testid="retry"' not in maker.get(f"/payouts/{batch.pk}/").content.decode()
    with unscoped():
        assert selectors.retried_batches([batch.pk]) == {batch.pk}
    assert maker.get("/payouts/").status_code == 200
