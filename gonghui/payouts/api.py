"""`/api/v1/payouts`: payout batches to members' service cards (资金代发).

Card numbers are masked in every answer; only the bank file of an approved
batch carries them in full (audited). Amounts travel as yuan strings ("500.00"),
parsed exactly into fen.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import FileResponse, HttpRequest
from ninja import Router, Schema, Status

from gonghui.cards.selectors import bank_get
from gonghui.core.api_common import paginate, request_scope
from gonghui.core.errors import DomainError
from gonghui.core.money import fen_to_yuan
from gonghui.core.viewutils import actor_of
from gonghui.orgs.selectors import org_get
from gonghui.payouts import selectors, services
from gonghui.payouts.downloads import bank_file_response
from gonghui.payouts.models import PayoutBatch, PayoutItem

router = Router(tags=["payouts"])


class TotalsOut(Schema):
    items: int
    total_yuan: str
    paid_items: int
    paid_yuan: str
    failed_items: int
    failed_yuan: str
    pending_items: int


class BatchOut(Schema):
    id: int
    title: str
    org_code: str
    org_name: str
    bank_code: str
    bank_name: str
    purpose: str
    purpose_label: str
    reference: str
    status: str
    status_label: str
    retry_of_id: int | None
    made_by: str | None
    checked_by: str | None
    check_note: str
    created_at: datetime
    submitted_at: datetime | None
    checked_at: datetime | None
    sent_at: datetime | None
    reconciled_at: datetime | None
    totals: TotalsOut


class BatchPage(Schema):
    items: list[BatchOut]
    count: int
    page: int


class ItemOut(Schema):
    id: int
    member_no: str | None
    person_name: str
    card_masked: str
    amount: str
    status: str
    status_label: str
    failure_reason: str
    settled_at: datetime | None


class ItemPage(Schema):
    items: list[ItemOut]
    count: int
    page: int


class BatchCreateIn(Schema):
    org_code: str
    bank: str
    purpose: str
    reference: str
    title: str = ""


class ItemIn(Schema):
    member_id: int
    amount: str | int | float  # yuan, "500.00"; parsed exactly (a float's digits as written)


class ItemsAddIn(Schema):
    items: list[ItemIn]


class ItemRefusedOut(Schema):
    member_id: int
    reason: str


class ItemsAddOut(Schema):
    added: int
    refused: list[ItemRefusedOut]


class NoteIn(Schema):
    note: str = ""


class ResultIn(Schema):
    item_id: int
    paid: bool
    amount: str | int | float
    reason: str = ""


class ResultsIn(Schema):
    results: list[ResultIn]


class ResultRefusedOut(Schema):
    item_id: int
    reason: str


class ResultsOut(Schema):
    paid: int
    failed: int
    unchanged: int
    refused: list[ResultRefusedOut]
    status: str
    status_label: str
    totals: TotalsOut


def totals_out(totals: dict[str, Any]) -> dict[str, Any]:
    return {
        "items": totals["items"],
        "total_yuan": fen_to_yuan(totals["total_fen"]),
        "paid_items": totals["paid_items"],
        "paid_yuan": fen_to_yuan(totals["paid_fen"]),
        "failed_items": totals["failed_items"],
        "failed_yuan": fen_to_yuan(totals["failed_fen"]),
        "pending_items": totals["pending_items"],
    }


def batch_out(batch: PayoutBatch, totals: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": batch.pk,
        "title": batch.title,
        "org_code": batch.org.code,
        "org_name": batch.org.name,
        "bank_code": batch.bank.code,
        "bank_name": batch.bank.name,
        "purpose": batch.purpose,
        "purpose_label": batch.get_purpose_display(),
        "reference": batch.reference,
        "status": batch.status,
        "status_label": batch.get_status_display(),
        "retry_of_id": batch.retry_of_id,
        "made_by": batch.made_by.get_username() if batch.made_by else None,
        "checked_by": batch.checked_by.get_username() if batch.checked_by else None,
        "check_note": batch.check_note,
        "created_at": batch.created_at,
        "submitted_at": batch.submitted_at,
        "checked_at": batch.checked_at,
        "sent_at": batch.sent_at,
        "reconciled_at": batch.reconciled_at,
        "totals": totals_out(totals),
    }


def item_out(item: PayoutItem) -> dict[str, Any]:
    return {
        "id": item.pk,
        "member_no": item.person.member_no,
        "person_name": item.person.name,
        "card_masked": item.card.card_masked,
        "amount": fen_to_yuan(item.amount_fen),
        "status": item.status,
        "status_label": item.get_status_display(),
        "failure_reason": item.failure_reason,
        "settled_at": item.settled_at,
    }


def _batch_detail(request: HttpRequest, batch_id: int) -> dict[str, Any]:
    batch = selectors.batch_get(scope=request_scope(request), pk=batch_id)
    return batch_out(batch, selectors.batch_totals(batch))


def _fen_or_reason(amount: Any) -> int | str:
    """The amount in fen, or the Chinese reason it is refused."""
    try:
        return services.yuan_to_fen(amount)
    except DomainError as exc:
        return exc.message


@router.get("", response=BatchPage, summary="资金代发批次")
def list_batches(request: HttpRequest, status: str = "", page: int = 1) -> dict[str, Any]:
    qs = selectors.batch_list(scope=request_scope(request), status=status)
    rows, count, number = paginate(qs, page)
    totals = selectors.batch_totals_many([b.pk for b in rows])
    return {"items": [batch_out(b, totals[b.pk]) for b in rows], "count": count, "page": number}


@router.post("", response={201: BatchOut}, summary="新建代发批次（草稿）")
def create_batch(request: HttpRequest, body: BatchCreateIn) -> Status[dict[str, Any]]:
    scope = request_scope(request)
    batch = services.payout_batch_create(
        actor=actor_of(request),
        scope=scope,
        org=org_get(scope=scope, code=body.org_code.strip().upper()),
        bank=bank_get(body.bank),
        purpose=body.purpose,
        reference=body.reference,
        title=body.title,
    )
    return Status(201, _batch_detail(request, batch.pk))


@router.get("/{batch_id}", response=BatchOut, summary="代发批次详情（含对账汇总）")
def get_batch(request: HttpRequest, batch_id: int) -> dict[str, Any]:
    return _batch_detail(request, batch_id)


@router.get("/{batch_id}/items", response=ItemPage, summary="代发明细（卡号脱敏）")
def list_items(request: HttpRequest, batch_id: int, status: str = "", page: int = 1) -> dict[str, Any]:
    scope = request_scope(request)
    batch = selectors.batch_get(scope=scope, pk=batch_id)
    rows, count, number = paginate(selectors.batch_items(scope=scope, batch=batch, status=status), page)
    return {"items": [item_out(i) for i in rows], "count": count, "page": number}


@router.post("/{batch_id}/items", response=ItemsAddOut, summary="添加代发明细（逐条拒绝，说明原因）")
def add_items(request: HttpRequest, batch_id: int, body: ItemsAddIn) -> dict[str, Any]:
    scope = request_scope(request)
    batch = selectors.batch_get(scope=scope, pk=batch_id)
    parsed = [(i.member_id, _fen_or_reason(i.amount)) for i in body.items]
    good = [(member_id, fen) for member_id, fen in parsed if isinstance(fen, int)]
    refused = [(member_id, why) for member_id, why in parsed if isinstance(why, str)]
    refusals = services.payout_items_add(actor=actor_of(request), scope=scope, batch=batch, items=good)
    refused += [(r.membership_id, r.reason) for r in refusals]
    first = {member_id: i for i, (member_id, _fen) in reversed(list(enumerate(parsed)))}
    refused.sort(key=lambda r: first[r[0]])  # in the order of the request
    return {
        "added": len(good) - len(refusals),
        "refused": [{"member_id": member_id, "reason": why} for member_id, why in refused],
    }


@router.post("/{batch_id}/submit", response=BatchOut, summary="提交复核")
def submit_batch(request: HttpRequest, batch_id: int) -> dict[str, Any]:
    scope = request_scope(request)
    batch = selectors.batch_get(scope=scope, pk=batch_id)
    services.payout_batch_submit(actor=actor_of(request), scope=scope, batch=batch)
    return _batch_detail(request, batch_id)


def _decide(request: HttpRequest, batch_id: int, *, approve: bool, note: str) -> dict[str, Any]:
    scope = request_scope(request)
    batch = selectors.batch_get(scope=scope, pk=batch_id)
    services.payout_batch_decide(actor=actor_of(request), scope=scope, batch=batch, approve=approve, note=note)
    return _batch_detail(request, batch_id)


@router.post("/{batch_id}/approve", response=BatchOut, summary="复核通过（不能由经办人本人复核）")
def approve_batch(request: HttpRequest, batch_id: int, body: NoteIn) -> dict[str, Any]:
    return _decide(request, batch_id, approve=True, note=body.note)


@router.post("/{batch_id}/return", response=BatchOut, summary="复核退回（需填复核意见）")
def return_batch(request: HttpRequest, batch_id: int, body: NoteIn) -> dict[str, Any]:
    return _decide(request, batch_id, approve=False, note=body.note)


@router.post("/{batch_id}/cancel", response=BatchOut, summary="作废（生成银行文件之前）")
def cancel_batch(request: HttpRequest, batch_id: int, body: NoteIn) -> dict[str, Any]:
    scope = request_scope(request)
    batch = selectors.batch_get(scope=scope, pk=batch_id)
    services.payout_batch_cancel(actor=actor_of(request), scope=scope, batch=batch, note=body.note)
    return _batch_detail(request, batch_id)


@router.post("/{batch_id}/retry", response={201: BatchOut}, summary="失败明细重新发放（新建批次）")
def retry_batch(request: HttpRequest, batch_id: int) -> Status[dict[str, Any]]:
    scope = request_scope(request)
    batch = selectors.batch_get(scope=scope, pk=batch_id)
    retry = services.payout_batch_retry(actor=actor_of(request), scope=scope, batch=batch)
    return Status(201, _batch_detail(request, retry.pk))


@router.post("/{batch_id}/results", response=ResultsOut, summary="登记银行代发结果（同一结果重复提交不变）")
def post_results(request: HttpRequest, batch_id: int, body: ResultsIn) -> dict[str, Any]:
    scope = request_scope(request)
    batch = selectors.batch_get(scope=scope, pk=batch_id)
    parsed = [(r, _fen_or_reason(r.amount)) for r in body.results]
    results = [services.ItemResult(r.item_id, r.paid, fen, r.reason) for r, fen in parsed if isinstance(fen, int)]
    outcome = services.payout_results_apply(actor=actor_of(request), scope=scope, batch=batch, results=results)
    refused = [(r.item_id, why) for r, why in parsed if isinstance(why, str)] + outcome["refused"]
    batch = selectors.batch_get(scope=scope, pk=batch_id)
    return {
        "paid": outcome["paid"],
        "failed": outcome["failed"],
        "unchanged": outcome["unchanged"],
        "refused": [{"item_id": item_id, "reason": why} for item_id, why in refused],
        "status": batch.status,
        "status_label": batch.get_status_display(),
        "totals": totals_out(outcome),
    }


@router.post("/{batch_id}/bank-file", summary="生成并下载银行代发文件（含完整卡号，记入审计）")
def bank_file(request: HttpRequest, batch_id: int) -> FileResponse:
    # A POST: it moves the batch to 已生成银行文件, which no link prefetcher may do.
    scope = request_scope(request)
    batch = selectors.batch_get(scope=scope, pk=batch_id)
    return bank_file_response(actor=actor_of(request), scope=scope, batch=batch)
