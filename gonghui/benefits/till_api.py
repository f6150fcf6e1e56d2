"""`/api/v1/benefits/transactions`: the merchant's till (a cashier account's bearer token).

`POST /transactions` needs an `Idempotency-Key` header unique per sale: the till
may retry it as often as the network demands and gets the same sale back (200
instead of 201); `/transactions/batch` forwards a POS back-end's sales, each
answered in its place. A cashier sees and reverses only their merchant's sales
(and, bound to a store, records and reverses at that store only). Which merchant
and store a cashier works is `selectors.cashier_link`'s one rule, as on the
cashier's page: an account bound to several merchants names one (`merchant_id`).
Mounted on the 普惠 router (`api.py`), whose management endpoints answer a sale
as `sale_out` does here. Amounts travel as yuan strings ("158.00").
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from gonghui.benefits import selectors
from gonghui.benefits.models import BenefitTransaction
from gonghui.benefits.services import (
    SaleRequest,
    sale_amount,
    transaction_record,
    transaction_reverse,
    transactions_record_many,
)
from gonghui.core.errors import DomainError
from gonghui.core.money import fen_to_yuan
from gonghui.core.viewutils import actor_of

router = Router(tags=["benefits"])
MAX_BATCH = 100  # sales in one POS batch


class SaleIn(Schema):
    member_code: str  # the service card number as scanned, or the member number
    amount: str  # yuan, "200.00"
    merchant_id: int | None = None  # needed only by an account that works more than one merchant
    store_id: int | None = None


class SaleOut(Schema):
    id: int
    merchant: str
    campaign: str | None
    amount: str
    discount: str
    paid: str
    no_discount_reason: str
    status: str
    at: datetime
    replayed: bool = False
    merchant_id: int
    store_id: int | None
    store: str | None
    campaign_id: int | None
    day: date
    occurrence: date | None  # the 普惠周 (its first day) whose caps the sale counted in
    reversed_at: datetime | None


def sale_out(sale: BenefitTransaction, *, replayed: bool = False) -> dict[str, Any]:
    return {
        "id": sale.pk,
        "merchant": sale.merchant.name,
        "campaign": sale.campaign.name if sale.campaign else None,
        "amount": fen_to_yuan(sale.amount_fen),
        "discount": fen_to_yuan(sale.discount_fen),
        "paid": fen_to_yuan(sale.paid_fen),
        "no_discount_reason": sale.no_discount_reason,
        "status": sale.status,
        "at": sale.at,
        "replayed": replayed,
        "merchant_id": sale.merchant_id,
        "store_id": sale.store_id,
        "store": sale.store.name if sale.store else None,
        "campaign_id": sale.campaign_id,
        "day": sale.day,
        "occurrence": sale.occurrence,
        "reversed_at": sale.reversed_at,
    }


@router.post("/transactions", response={200: SaleOut, 201: SaleOut}, summary="收银：记录普惠交易（需 Idempotency-Key）")
def record_sale(request: HttpRequest, body: SaleIn) -> Status[dict[str, Any]]:
    user = actor_of(request)
    link = selectors.cashier_link(user=user, merchant_id=body.merchant_id)
    merchant = link.merchant
    own = {link.store.pk: link.store} if link.store else None
    store = selectors.till_store(merchant=merchant, store_id=body.store_id, stores=own)
    amount_fen = sale_amount(body.amount)
    result = transaction_record(
        operator=user,
        merchant=merchant,
        idempotency_key=request.headers.get("Idempotency-Key", ""),
        member_code=body.member_code,
        amount_fen=amount_fen,
        store=store,
        link=link,
    )
    return Status(200 if result.replayed else 201, sale_out(result.transaction, replayed=result.replayed))


class BatchSaleIn(Schema):
    idempotency_key: str
    member_code: str
    amount: str
    store_id: int | None = None


class BatchIn(Schema):
    merchant_id: int | None = None
    store_id: int | None = None  # for every sale that names none
    sales: list[BatchSaleIn] = Field(..., min_length=1, max_length=MAX_BATCH)


class BatchErrorOut(Schema):
    code: str
    message: str


class BatchResultOut(Schema):
    idempotency_key: str
    status: int  # 201 recorded, 200 the same key again, else the refusal's status
    sale: SaleOut | None
    error: BatchErrorOut | None


class BatchOut(Schema):
    results: list[BatchResultOut]


@router.post("/transactions/batch", response=BatchOut, summary="收银系统批量上传普惠交易（逐笔处理）")
def record_sales(request: HttpRequest, body: BatchIn) -> dict[str, Any]:
    """A merchant's POS back-end forwards its tills' sales, up to 100 a request, each as if sent alone.

    Each sale commits on its own: a refused one (unknown card, key reused…) is
    answered in its place and leaves the others recorded. Send the batch again
    after a timeout: recorded sales come back as replays (200).
    """
    user = actor_of(request)
    link = selectors.cashier_link(user=user, merchant_id=body.merchant_id)
    merchant = link.merchant
    known = selectors.till_stores(merchant=merchant)
    requests: list[SaleRequest | DomainError] = []
    for sale in body.sales:
        try:
            store = selectors.till_store(merchant=merchant, store_id=sale.store_id or body.store_id, stores=known)
            requests.append(SaleRequest(sale.idempotency_key, sale.member_code, sale_amount(sale.amount), store))
        except DomainError as exc:
            requests.append(exc)
    valid = [r for r in requests if isinstance(r, SaleRequest)]
    outcomes = iter(transactions_record_many(operator=user, merchant=merchant, sales=valid, link=link))
    results = []
    for given, request_or_error in zip(body.sales, requests, strict=True):
        if isinstance(request_or_error, DomainError):
            results.append(_batch_refusal(given.idempotency_key, request_or_error))
            continue
        outcome = next(outcomes)
        if outcome.error is not None:
            results.append(_batch_refusal(given.idempotency_key, outcome.error))
        else:
            assert outcome.result is not None
            replayed = outcome.result.replayed
            results.append(
                {
                    "idempotency_key": given.idempotency_key,
                    "status": 200 if replayed else 201,
                    "sale": sale_out(outcome.result.transaction, replayed=replayed),
                    "error": None,
                }
            )
    return {"results": results}


def _batch_refusal(key: str, exc: DomainError) -> dict[str, Any]:
    error = {"code": exc.code, "message": exc.message}
    return {"idempotency_key": key, "status": exc.status, "sale": None, "error": error}


@router.get("/transactions", response=list[SaleOut], summary="收银：本商户今日交易")
def list_sales(request: HttpRequest, merchant_id: int | None = None) -> list[dict[str, Any]]:
    merchant = selectors.cashier_link(user=actor_of(request), merchant_id=merchant_id).merchant
    return [sale_out(s) for s in selectors.till_sales_today(merchant=merchant)[:200]]


@router.post("/transactions/{sale_id}/reverse", response=SaleOut, summary="收银：撤销交易（退货）")
def reverse_sale(request: HttpRequest, sale_id: int) -> dict[str, Any]:
    user = actor_of(request)
    sale = selectors.till_sale_get(user=user, pk=sale_id)
    done = transaction_reverse(operator=user, merchant=sale.merchant, sale=sale)
    return sale_out(done)
