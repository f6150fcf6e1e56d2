"""`/api/v1/benefits`: the merchant's till records 普惠 sales (bearer token of a cashier account).

`POST /transactions` needs an `Idempotency-Key` header unique per sale: the till
may retry it as often as the network demands and gets the same sale back (200
instead of 201). A cashier sees and reverses only their merchant's sales.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema, Status

from gonghui.accounts.models import User
from gonghui.benefits.models import BenefitTransaction, Merchant, MerchantOperator, Store
from gonghui.benefits.services import sale_amount, transaction_record, transaction_reverse
from gonghui.core.errors import DomainError, NotFoundError

router = Router(tags=["benefits"])


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


def _yuan(fen: int) -> str:
    return f"{Decimal(fen) / 100:.2f}"


def sale_out(sale: BenefitTransaction, *, replayed: bool = False) -> dict[str, Any]:
    return {
        "id": sale.pk,
        "merchant": sale.merchant.name,
        "campaign": sale.campaign.name if sale.campaign else None,
        "amount": _yuan(sale.amount_fen),
        "discount": _yuan(sale.discount_fen),
        "paid": _yuan(sale.paid_fen),
        "no_discount_reason": sale.no_discount_reason,
        "status": sale.status,
        "at": sale.at,
        "replayed": replayed,
    }


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _merchant(user: User, merchant_id: int | None) -> Merchant:
    """The merchant whose till this account works (a foreign merchant id answers as unknown)."""
    links = MerchantOperator.objects.filter(user=user).select_related("merchant")
    if merchant_id is not None:
        links = links.filter(merchant_id=merchant_id)
    found = [link.merchant for link in links[:2]]
    if len(found) != 1:
        raise (
            NotFoundError()
            if merchant_id is not None or not found
            else DomainError("invalid", details={"merchant_id": "该账户服务多个商户，请指定 merchant_id"})
        )
    return found[0]


@router.post("/transactions", response={200: SaleOut, 201: SaleOut}, summary="收银：记录普惠交易（需 Idempotency-Key）")
def record_sale(request: HttpRequest, body: SaleIn) -> Status[dict[str, Any]]:
    user = _user(request)
    merchant = _merchant(user, body.merchant_id)
    store = Store.objects.filter(pk=body.store_id, merchant=merchant).first() if body.store_id else None
    if body.store_id and store is None:
        raise NotFoundError()
    amount_fen = sale_amount(body.amount)
    result = transaction_record(
        operator=user,
        merchant=merchant,
        idempotency_key=request.headers.get("Idempotency-Key", ""),
        member_code=body.member_code,
        amount_fen=amount_fen,
        store=store,
    )
    return Status(200 if result.replayed else 201, sale_out(result.transaction, replayed=result.replayed))


@router.get("/transactions", response=list[SaleOut], summary="收银：本商户今日交易")
def list_sales(request: HttpRequest, merchant_id: int | None = None) -> list[dict[str, Any]]:
    from django.utils import timezone

    merchant = _merchant(_user(request), merchant_id)
    rows = BenefitTransaction.all_objects.filter(merchant=merchant, day=timezone.localdate()).select_related(
        "merchant", "campaign"
    )
    return [sale_out(s) for s in rows.order_by("-id")[:200]]


@router.post("/transactions/{sale_id}/reverse", response=SaleOut, summary="收银：撤销交易（退货）")
def reverse_sale(request: HttpRequest, sale_id: int) -> dict[str, Any]:
    user = _user(request)
    sale = (
        BenefitTransaction.all_objects.filter(pk=sale_id, merchant__operators__user=user)
        .select_related("merchant", "campaign")
        .first()
    )
    if sale is None:
        raise NotFoundError()
    done = transaction_reverse(operator=user, merchant=sale.merchant, sale=sale)
    return sale_out(done)
