"""Reads on payout batches, always within the caller's scope."""

from __future__ import annotations

from django.db.models import QuerySet

from gonghui.core.errors import NotFoundError
from gonghui.core.scoping import Scope
from gonghui.payouts.models import PayoutBatch, PayoutItem
from gonghui.payouts.permissions import PayoutPerm


def batch_queryset(*, scope: Scope, perm: str = PayoutPerm.VIEW) -> QuerySet[PayoutBatch]:
    return PayoutBatch.objects.within(scope, perm)


def batch_list(*, scope: Scope, status: str = "") -> QuerySet[PayoutBatch]:
    qs = batch_queryset(scope=scope).select_related("org", "bank", "made_by", "checked_by")
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-created_at", "-id")


def batch_get(*, scope: Scope, pk: int, perm: str = PayoutPerm.VIEW) -> PayoutBatch:
    """The batch if the scope may see it; another union's id is not found (never 403)."""
    batch = (
        batch_queryset(scope=scope, perm=perm)
        .select_related("org", "bank", "made_by", "checked_by")
        .filter(pk=pk)
        .first()
    )
    if batch is None:
        raise NotFoundError()
    return batch


def batch_items(*, scope: Scope, batch: PayoutBatch, status: str = "") -> QuerySet[PayoutItem]:
    qs = PayoutItem.objects.within(scope, PayoutPerm.VIEW).filter(batch=batch).select_related("person", "card")
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("id")
