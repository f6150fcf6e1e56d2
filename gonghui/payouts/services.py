"""Payout batches (资金代发, DOMAIN §3): money from a union to members' service cards.

    draft → submitted → approved (a second person) → sent (bank file) → reconciled
    submitted → draft (returned by the checker); draft / submitted → cancelled

Every yuan is traceable: items carry the member, the card, the amount in fen and
the purpose reference; the database refuses a second pending or paid item for
the same person, purpose and reference, so no retry can pay twice. The bank's
result marks each item paid or failed; failed items go into a retry batch.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from gonghui.accounts.models import User
from gonghui.cards.models import BankPartner, CardStatus, ServiceCard
from gonghui.cards.numbers import CARD_PURPOSE
from gonghui.core import crypto
from gonghui.core.audit import audit_record
from gonghui.core.errors import DomainError
from gonghui.core.money import AmountError, parse_yuan
from gonghui.core.scoping import Scope, unscoped
from gonghui.core.scoping import require_perm_at as _require
from gonghui.members.models import Membership
from gonghui.orgs.models import Org
from gonghui.payouts import errors as _errors  # noqa: F401  (registers messages)
from gonghui.payouts import selectors
from gonghui.payouts.models import BatchStatus, ItemStatus, PayoutBatch, PayoutItem, PayoutPurpose
from gonghui.payouts.permissions import PayoutPerm
from gonghui.payouts.signals import payout_items_settled

STATES = dict(BatchStatus.choices)
PURPOSES = dict(PayoutPurpose.choices)


def _locked(batch: PayoutBatch) -> PayoutBatch:
    return PayoutBatch.all_objects.select_for_update(of=("self",)).select_related("bank", "org").get(pk=batch.pk)


def _expect(batch: PayoutBatch, states: Iterable[str], action: str) -> None:
    if batch.status not in tuple(states):
        raise DomainError("payout.wrong_status", state=STATES[batch.status], action=action)


def _audit(batch: PayoutBatch, actor: User | None, action: str, **data: Any) -> None:
    audit_record(actor=actor, action=f"payouts.{action}", org=batch.org, target=batch, data=data)


def yuan_to_fen(value: Any) -> int:
    """Yuan as typed (12.5, "12.50", "1,200") to fen, positive; the payout's refusal otherwise."""
    try:
        return parse_yuan(value)
    except AmountError as exc:
        raise DomainError("payout.amount_invalid") from exc


def payout_batch_create(
    *,
    actor: User | None,
    scope: Scope | None,
    org: Org,
    bank: BankPartner,
    purpose: str,
    reference: str,
    title: str = "",
) -> PayoutBatch:
    """A draft batch of `org`, paid through `bank`, for `purpose` and `reference`."""
    _require(scope, PayoutPerm.MAKE, org.path)
    if purpose not in PURPOSES:
        raise DomainError("payout.purpose_unknown", field="purpose")
    reference = reference.strip()
    if not reference:
        raise DomainError("payout.reference_required", field="reference")
    with transaction.atomic():
        batch = PayoutBatch.all_objects.create(
            org=org,
            org_path=org.path,
            bank=bank,
            purpose=purpose,
            reference=reference[:100],
            title=(title.strip() or f"{reference} {PURPOSES[purpose]}")[:200],
            made_by=actor,
        )
        _audit(batch, actor, "create", purpose=purpose, reference=batch.reference)
    return batch


@dataclass
class ItemRefusal:
    membership_id: int
    reason: str


def payout_items_add(
    *,
    actor: User | None,
    scope: Scope | None,
    batch: PayoutBatch,
    items: list[tuple[int, int]],
    all_or_nothing: bool = False,
    check_only: bool = False,
) -> list[ItemRefusal]:
    """Add (membership id, amount in fen) pairs to a draft batch, set-based; the refusals, by membership.

    `all_or_nothing` adds none when any pair is refused; `check_only` adds none at all: a page
    that names every refused line before anything is saved checks the lines it has not refused itself.
    """
    _require(scope, PayoutPerm.MAKE, batch.org_path)
    refusals: list[ItemRefusal] = []
    with transaction.atomic(), unscoped():
        batch = _locked(batch)
        _expect(batch, [BatchStatus.DRAFT], "添加明细")
        memberships = {
            m.pk: m for m in Membership.objects.filter(pk__in=[i for i, _ in items]).select_related("person")
        }
        person_ids = [m.person_id for m in memberships.values()]
        cards = {
            c.person_id: c
            for c in ServiceCard.objects.filter(person_id__in=person_ids, bank=batch.bank, status=CardStatus.ACTIVATED)
        }
        taken = set(
            PayoutItem.objects.filter(
                person_id__in=person_ids,
                purpose=batch.purpose,
                reference=batch.reference,
                status__in=[ItemStatus.PENDING, ItemStatus.PAID],
            ).values_list("person_id", flat=True)
        )
        new: list[PayoutItem] = []
        for membership_id, amount_fen in items:
            ms = memberships.get(membership_id)
            if ms is None or not ms.org_path.startswith(batch.org_path):
                refusals.append(ItemRefusal(membership_id, "未找到该会员，或不在本批次发放工会的范围内"))
            elif amount_fen <= 0:
                refusals.append(ItemRefusal(membership_id, "金额须为正数"))
            elif ms.person_id not in cards:
                refusals.append(ItemRefusal(membership_id, f"该会员没有{batch.bank.name}已激活的会员服务卡"))
            elif ms.person_id in taken:
                refusals.append(
                    ItemRefusal(
                        membership_id,
                        f"该会员已有“{batch.reference}”的{PURPOSES[batch.purpose]}发放记录，不能重复发放",
                    )
                )
            else:
                taken.add(ms.person_id)
                new.append(
                    PayoutItem(
                        batch=batch,
                        org_path=ms.org_path,
                        person_id=ms.person_id,
                        card=cards[ms.person_id],
                        amount_fen=amount_fen,
                        purpose=batch.purpose,
                        reference=batch.reference,
                    )
                )
        if check_only or (all_or_nothing and refusals):
            return refusals
        try:
            with transaction.atomic():
                PayoutItem.all_objects.bulk_create(new, batch_size=2000)
        except IntegrityError as exc:  # another batch took one of them meanwhile
            raise DomainError(
                "payout.already_paid", reference=batch.reference, purpose=PURPOSES[batch.purpose]
            ) from exc
        _audit(batch, actor, "items_add", added=len(new), refused=len(refusals))
    return refusals


def payout_batch_submit(*, actor: User | None, scope: Scope | None, batch: PayoutBatch) -> PayoutBatch:
    """The maker hands the batch to a checker."""
    _require(scope, PayoutPerm.MAKE, batch.org_path)
    with transaction.atomic(), unscoped():
        batch = _locked(batch)
        _expect(batch, [BatchStatus.DRAFT], "提交复核")
        if not PayoutItem.objects.filter(batch=batch).exists():
            raise DomainError("payout.empty")
        batch.status, batch.submitted_at = BatchStatus.SUBMITTED, timezone.now()
        batch.save(update_fields=["status", "submitted_at"])
        _audit(batch, actor, "submit", **selectors.batch_totals(batch))
    return batch


def payout_batch_decide(
    *, actor: User, scope: Scope | None, batch: PayoutBatch, approve: bool, note: str = ""
) -> PayoutBatch:
    """The checker approves (sent to the bank next) or returns the batch to its maker; never the maker."""
    _require(scope, PayoutPerm.CHECK, batch.org_path)
    with transaction.atomic(), unscoped():
        batch = _locked(batch)
        _expect(batch, [BatchStatus.SUBMITTED], "复核")
        if batch.made_by_id == actor.pk:
            raise DomainError("payout.same_person", status=403)
        if not approve and not note.strip():
            raise DomainError("payout.return_note_required", field="note")
        batch.status = BatchStatus.APPROVED if approve else BatchStatus.DRAFT
        batch.checked_by, batch.checked_at, batch.check_note = actor, timezone.now(), note.strip()[:200]
        batch.save(update_fields=["status", "checked_by", "checked_at", "check_note"])
        _audit(batch, actor, "approve" if approve else "return", note=batch.check_note, **selectors.batch_totals(batch))
    return batch


def payout_batch_cancel(*, actor: User | None, scope: Scope | None, batch: PayoutBatch, note: str) -> PayoutBatch:
    """Void a batch not yet sent; its items stop holding their reference."""
    _require(scope, PayoutPerm.MAKE, batch.org_path)
    with transaction.atomic(), unscoped():
        batch = _locked(batch)
        _expect(batch, [BatchStatus.DRAFT, BatchStatus.SUBMITTED], "作废")
        PayoutItem.objects.filter(batch=batch).update(
            status=ItemStatus.FAILED, failure_reason="批次作废", settled_at=timezone.now()
        )
        batch.status, batch.check_note = BatchStatus.CANCELLED, note.strip()[:200]
        batch.save(update_fields=["status", "check_note"])
        _audit(batch, actor, "cancel", note=batch.check_note)
        # Its items are settled as failed: a domain that booked money for them takes it back (charity).
        payout_items_settled.send(sender=PayoutBatch, batch=batch, actor=actor)
    return batch


def payout_bank_file(*, actor: User | None, scope: Scope | None, batch: PayoutBatch, path: str | Path) -> int:
    """Write the approved batch as its bank's file (full card numbers: the bank pays to them); audited.

    The bank's `file_format` chooses the adapter (`payouts.adapters`); `bank_file_adapter(bank)`
    tells a caller the file's name, extension and content type beforehand.
    """
    from gonghui.payouts.adapters import BankFileLine, bank_file_adapter

    _require(scope, PayoutPerm.MAKE, batch.org_path)
    with transaction.atomic(), unscoped():
        batch = _locked(batch)
        _expect(batch, [BatchStatus.APPROVED, BatchStatus.SENT], "生成银行文件")
        adapter = bank_file_adapter(batch.bank)
        items = PayoutItem.objects.filter(batch=batch).select_related("person", "card").order_by("id")
        purpose = str(PURPOSES[batch.purpose])
        lines = (
            BankFileLine(
                item_id=item.pk,
                name=item.person.name,
                card_number=crypto.decrypt(bytes(item.card.card_cipher or b""), purpose=CARD_PURPOSE),
                amount_fen=item.amount_fen,
                purpose=purpose,
                memo=batch.reference,
            )
            for item in items.iterator(chunk_size=2000)
        )
        count = adapter.write(Path(path), batch=batch, lines=lines)
        if batch.status == BatchStatus.APPROVED:
            batch.status, batch.sent_at = BatchStatus.SENT, timezone.now()
            batch.save(update_fields=["status", "sent_at"])
        _audit(
            batch,
            actor,
            "bank_file",
            file=str(path).rsplit("/", 1)[-1],
            format=adapter.code,
            rows=count,
            **selectors.batch_totals(batch),
        )
    return count


@dataclass
class ItemResult:
    item_id: int
    paid: bool
    amount_fen: int
    reason: str = ""


def payout_results_apply(
    *, actor: User | None, scope: Scope | None, batch: PayoutBatch, results: list[ItemResult]
) -> dict[str, Any]:
    """Mark items paid or failed from the bank's answer; the same answer twice changes nothing.

    An item already settled keeps its result (a contradicting line is refused);
    once no item is pending the batch is reconciled.
    """
    _require(scope, PayoutPerm.MAKE, batch.org_path)
    outcome: dict[str, Any] = {"paid": 0, "failed": 0, "unchanged": 0, "refused": []}
    with transaction.atomic(), unscoped():
        batch = _locked(batch)
        _expect(batch, [BatchStatus.SENT, BatchStatus.RECONCILED], "导入银行结果")
        items = {i.pk: i for i in PayoutItem.objects.filter(batch=batch, pk__in=[r.item_id for r in results])}
        now = timezone.now()
        changed: list[PayoutItem] = []
        for result in results:
            item = items.get(result.item_id)
            if item is None:
                outcome["refused"].append((result.item_id, "本批次没有该明细编号"))
            elif item.amount_fen != result.amount_fen:
                outcome["refused"].append((result.item_id, "金额与明细不符"))
            elif item.status != ItemStatus.PENDING:
                same = (item.status == ItemStatus.PAID) == result.paid
                if same:
                    outcome["unchanged"] += 1
                else:
                    outcome["refused"].append((result.item_id, f"该明细已是“{item.get_status_display()}”"))
            else:
                item.status = ItemStatus.PAID if result.paid else ItemStatus.FAILED
                item.failure_reason = "" if result.paid else (result.reason.strip()[:200] or "银行未说明原因")
                item.settled_at = now
                changed.append(item)
                outcome["paid" if result.paid else "failed"] += 1
        PayoutItem.all_objects.bulk_update(changed, ["status", "failure_reason", "settled_at"], batch_size=2000)
        pending = PayoutItem.objects.filter(batch=batch, status=ItemStatus.PENDING).exists()
        if not pending and batch.status != BatchStatus.RECONCILED:
            batch.status, batch.reconciled_at = BatchStatus.RECONCILED, now
            batch.save(update_fields=["status", "reconciled_at"])
        outcome.update(selectors.batch_totals(batch))
        _audit(batch, actor, "results", paid=outcome["paid"], failed=outcome["failed"], refused=len(outcome["refused"]))
        if outcome["paid"]:
            payout_items_settled.send(sender=PayoutBatch, batch=batch, actor=actor)
    return outcome


def payout_batch_retry(*, actor: User | None, scope: Scope | None, batch: PayoutBatch) -> PayoutBatch:
    """A new draft batch with the failed items of a reconciled one (cards checked again)."""
    _require(scope, PayoutPerm.MAKE, batch.org_path)
    with transaction.atomic(), unscoped():
        batch = _locked(batch)
        _expect(batch, [BatchStatus.RECONCILED], "重发失败明细")
        earlier = selectors.live_retry(batch)
        if earlier is not None:
            raise DomainError("payout.retry_exists", status=409, title=earlier.title)
        failed = list(PayoutItem.objects.filter(batch=batch, status=ItemStatus.FAILED))
        if not failed:
            raise DomainError("payout.nothing_failed")
        retry = PayoutBatch.all_objects.create(
            org=batch.org,
            org_path=batch.org_path,
            bank=batch.bank,
            purpose=batch.purpose,
            reference=batch.reference,
            title=f"{batch.title}（重发）"[:200],
            retry_of=batch,
            made_by=actor,
        )
        _audit(retry, actor, "retry", of=batch.pk, items=len(failed))
        memberships = selectors.memberships_to_repay(batch=batch, items=failed)
        payout_items_add(
            actor=actor,
            scope=scope,
            batch=retry,
            items=[(memberships[i.person_id], i.amount_fen) for i in failed if i.person_id in memberships],
        )
    return retry
