"""Reads on payout batches: lists and records within the caller's scope; a batch's totals, the
statistics' figure and the memberships a retry pays through."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum

from gonghui.core.errors import NotFoundError
from gonghui.core.scoping import Scope, subtree_q, subtrees_q, unscoped
from gonghui.members.models import LIVE_STATUSES, Membership
from gonghui.payouts.models import BatchStatus, ItemStatus, PayoutBatch, PayoutItem
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


# --- totals and figures (no scope: the caller has the batch already, or asks for the statistics) -------


def _totals() -> dict[str, Any]:
    return {
        "items": Count("pk"),
        "total_fen": Sum("amount_fen"),
        "paid_items": Count("pk", filter=Q(status=ItemStatus.PAID)),
        "paid_fen": Sum("amount_fen", filter=Q(status=ItemStatus.PAID)),
        "failed_items": Count("pk", filter=Q(status=ItemStatus.FAILED)),
        "failed_fen": Sum("amount_fen", filter=Q(status=ItemStatus.FAILED)),
        "pending_items": Count("pk", filter=Q(status=ItemStatus.PENDING)),
    }


def batch_totals(batch: PayoutBatch) -> dict[str, Any]:
    """Counts and totals (fen) by item status: the reconciliation."""
    with unscoped():
        agg = PayoutItem.objects.filter(batch=batch).aggregate(**_totals())
    return {k: v or 0 for k, v in agg.items()}


def batch_totals_many(batch_ids: list[int]) -> dict[int, dict[str, Any]]:
    """`batch_totals` of several batches (a page of the list) in one query."""
    totals = _totals()
    out: dict[int, dict[str, Any]] = {pk: dict.fromkeys(totals, 0) for pk in batch_ids}
    with unscoped():
        rows = PayoutItem.objects.filter(batch_id__in=batch_ids).values("batch_id").annotate(**totals).order_by()
        for row in rows:
            out[row["batch_id"]] = {k: row[k] or 0 for k in totals}  # type: ignore[literal-required]
    return out


def payout_counts(paths: list[str] | None) -> dict[str, Any]:
    """Money paid to cards in the subtrees (None: everywhere), in yuan."""
    with unscoped():
        qs = PayoutItem.objects.filter(status=ItemStatus.PAID)
        if paths is not None:
            qs = qs.filter(subtrees_q("org_path", paths))
        fen = qs.aggregate(total=Sum("amount_fen"))["total"] or 0
    return {"payout_yuan": float(Decimal(fen) / 100)}


def memberships_to_repay(*, batch: PayoutBatch, items: list[PayoutItem]) -> dict[int, int]:
    """person → the live membership within the batch's union to pay the items' people again through (a retry)."""
    with unscoped():
        return dict(
            Membership.objects.filter(
                subtree_q("org_path", batch.org_path),
                person_id__in=[i.person_id for i in items],
                status__in=LIVE_STATUSES,
            ).values_list("person_id", "pk")
        )


def live_retry(batch: PayoutBatch) -> PayoutBatch | None:
    """The retry batch already made of `batch`'s failed items and not cancelled, if any: one per batch,
    or the same people would be paid twice (or a second, empty batch made)."""
    with unscoped():
        return (
            PayoutBatch.all_objects.filter(retry_of=batch).exclude(status=BatchStatus.CANCELLED).order_by("pk").first()
        )


def retried_batches(batch_ids: list[int]) -> set[int]:
    """Which of these batches have a live retry batch (`live_retry`), in one query for a list page."""
    with unscoped():
        return set(
            PayoutBatch.all_objects.filter(retry_of_id__in=batch_ids)
            .exclude(status=BatchStatus.CANCELLED)
            .values_list("retry_of_id", flat=True)
        )
