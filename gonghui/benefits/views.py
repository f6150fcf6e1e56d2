"""The cashier's page (收银): a phone or a till's browser records a 普惠 sale.

Each form carries its own idempotency key, so a double tap or a resubmitted page
is the same sale, never a second discount.
"""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from gonghui.accounts.models import User
from gonghui.benefits.models import BenefitTransaction, MerchantOperator
from gonghui.benefits.services import sale_amount, transaction_record
from gonghui.core.errors import DomainError


def _yuan(fen: int) -> str:
    return f"{Decimal(fen) / 100:.2f}"


@login_required
def till(request: HttpRequest) -> HttpResponse:
    assert isinstance(request.user, User)
    link = MerchantOperator.objects.filter(user=request.user).select_related("merchant", "store").first()
    if link is None:
        raise Http404  # not a cashier: as if the page were not there
    merchant = link.merchant
    context: dict[str, object] = {"merchant": merchant, "store": link.store}
    if request.method == "POST":
        code, amount = request.POST.get("member_code", ""), request.POST.get("amount", "")
        try:
            result = transaction_record(
                operator=request.user,
                merchant=merchant,
                idempotency_key=request.POST.get("key", ""),
                member_code=code,
                amount_fen=sale_amount(amount),
                store=link.store,
            )
            sale = result.transaction
            context["sale"] = {
                "amount": _yuan(sale.amount_fen),
                "discount": _yuan(sale.discount_fen),
                "paid": _yuan(sale.paid_fen),
                "campaign": sale.campaign.name if sale.campaign and sale.discount_fen else "",
                "reason": sale.no_discount_reason,
                "replayed": result.replayed,
            }
        except DomainError as exc:
            context.update(error=exc.message, member_code=code, amount=amount, key=request.POST.get("key", ""))
    context.setdefault("key", uuid.uuid4().hex)
    today = BenefitTransaction.all_objects.filter(merchant=merchant, day=timezone.localdate(), status="completed")
    context["today_count"] = today.count()
    return render(request, "benefits/till.html", context)
