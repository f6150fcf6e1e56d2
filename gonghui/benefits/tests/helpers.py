"""What the benefits tests share: a clock to stand still, stores, sales, and a snapshot of every 普惠 row."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from django.utils import timezone

from gonghui.benefits.models import (
    BenefitTransaction,
    Campaign,
    MemberUsage,
    Merchant,
    MerchantOperator,
    Store,
)
from gonghui.benefits.services import SaleResult, transaction_record
from gonghui.core.models import AuditEvent
from gonghui.core.scoping import unscoped


def local(text: str) -> datetime:
    """ "2026-03-31 23:59" as an aware datetime in the site's time zone (Asia/Shanghai)."""
    return timezone.make_aware(datetime.fromisoformat(text))


class Clock:
    """`timezone.now()` stands at `set(...)` (the services, `auto_now_add` and `localdate` all read it)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.monkeypatch = monkeypatch

    def set(self, text: str) -> datetime:
        moment = local(text)
        self.monkeypatch.setattr(timezone, "now", lambda: moment)
        return moment


def add_stores(merchant: Merchant, *names: str) -> list[Store]:
    return [Store.objects.create(merchant=merchant, name=name, region_code="520201") for name in names]


def sell(
    world: dict[str, Any],
    key: str,
    *,
    card: int = 0,
    amount: int = 20000,
    store: Store | None = None,
    operator: Any = "cashier",
) -> SaleResult:
    return transaction_record(
        operator=world["cashier"] if operator == "cashier" else operator,
        merchant=world["merchant"],
        idempotency_key=key,
        member_code=world["cards"][card],
        amount_fen=amount,
        store=store,
    )


def snapshot() -> dict[str, Any]:
    """Every 普惠 row and every audit event: what a refused request must leave alone."""
    with unscoped():
        return {
            "merchants": list(Merchant.all_objects.order_by("pk").values()),
            "stores": list(Store.objects.order_by("pk").values()),
            "operators": list(MerchantOperator.objects.order_by("pk").values()),
            "campaigns": list(Campaign.all_objects.order_by("pk").values()),
            "campaign_merchants": list(Campaign.merchants.through.objects.order_by("pk").values()),
            "campaign_stores": list(Campaign.stores.through.objects.order_by("pk").values()),
            "sales": list(BenefitTransaction.all_objects.order_by("pk").values()),
            "usage": list(MemberUsage.objects.order_by("pk").values()),
            "audit": list(AuditEvent.all_objects.order_by("pk").values_list("pk", "action")),
        }


def audit_actions() -> list[str]:
    return list(AuditEvent.all_objects.order_by("pk").values_list("action", flat=True))
