"""The dashboard's monthly series: payouts by the month the bank paid them, spending by its day."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest
from django.utils import timezone

from gonghui.cards.models import BankPartner, CardSpending, ServiceCard
from gonghui.core.scoping import unscoped
from gonghui.core.stats import months_back, series_collect
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
