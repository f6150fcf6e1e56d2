"""Paying 金秋助学: the closed 公示's applications handed over to a payout batch, and marked paid by the bank's answer.

One item per worker under the publication's payout reference (two children
aided: one item with both amounts); the batch then follows the payouts' own
maker–checker path, and `payout_items_settled` marks the applications paid.
Every write is audited.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from gonghui.accounts.models import User
from gonghui.cards.models import BankPartner
from gonghui.core.errors import DomainError
from gonghui.core.scoping import Scope, unscoped
from gonghui.payouts.models import ItemStatus, PayoutBatch, PayoutItem, PayoutPurpose
from gonghui.payouts.services import payout_batch_create, payout_items_add
from gonghui.student_aid.applications import audit_write
from gonghui.student_aid.models import ApplicationStatus, Publication, PublicationStatus, StudentAidApplication


@dataclass
class PaymentRefusal:
    application_id: int
    reason: str


def payout_reference(publication: Publication) -> str:
    """The payout reference of a publication's aid: a worker is paid once under it (the cards rule)."""
    return f"{publication.school_year}年金秋助学（公示{publication.pk}号）"


def disbursement_create(
    *, actor: User | None, scope: Scope | None, publication: Publication, bank: BankPartner
) -> tuple[PayoutBatch, list[PaymentRefusal]]:
    """A draft payout batch of the publication's unpaid, unobjected applications, to the applicants' cards.

    One item per worker (two children aided: one item with both amounts); a
    worker without an activated card of `bank` is refused with the reason, and
    the application stays ready to pay for a later batch.
    """
    with unscoped():
        publication = Publication.all_objects.select_related("org").get(pk=publication.pk)
    if publication.status != PublicationStatus.CLOSED:
        raise DomainError("student_aid.not_ready_to_pay", title=publication.title)
    reference = payout_reference(publication)
    with transaction.atomic():
        batch = payout_batch_create(
            actor=actor,
            scope=scope,
            org=publication.org,
            bank=bank,
            purpose=PayoutPurpose.STUDENT_AID,
            reference=reference,
            title=f"{publication.title} 助学金发放",
        )
        with unscoped():
            applications = list(
                StudentAidApplication.all_objects.select_for_update()
                .filter(publication=publication, status=ApplicationStatus.PUBLISHED)
                .order_by("pk")
            )
        by_membership: dict[int, list[StudentAidApplication]] = {}
        for a in applications:
            by_membership.setdefault(a.membership_id, []).append(a)
        refused = payout_items_add(
            actor=actor,
            scope=scope,
            batch=batch,
            items=[(m, sum(a.amount_fen for a in apps)) for m, apps in by_membership.items()],
        )
        refusals = [PaymentRefusal(a.pk, r.reason) for r in refused for a in by_membership.get(r.membership_id, [])]
        refused_ids = {r.application_id for r in refusals}
        with unscoped():
            items = {i.person_id: i for i in PayoutItem.all_objects.filter(batch=batch)}
        linked = []
        for a in applications:
            if a.pk not in refused_ids and a.person_id in items:
                a.payout_reference, a.payout_item = reference, items[a.person_id]
                linked.append(a)
        StudentAidApplication.all_objects.bulk_update(linked, ["payout_reference", "payout_item"])
        audit_write(
            publication,
            publication.org_id,
            actor,
            "disburse",
            batch=batch.pk,
            applications=len(linked),
            refused=len(refusals),
        )
    return batch, refusals


def applications_mark_paid(*, actor: User | None, publication: Publication) -> int:
    """Mark paid the publication's applications whose worker's item under its reference the bank has paid.

    Idempotent; reads the item status, so a retry batch's payment counts too.
    Call it after `payout_results_apply`. Returns how many were marked now.
    """
    reference = payout_reference(publication)
    with transaction.atomic(), unscoped():
        paid = {
            i.person_id: i
            for i in PayoutItem.all_objects.filter(
                purpose=PayoutPurpose.STUDENT_AID, reference=reference, status=ItemStatus.PAID
            )
        }
        applications = list(
            StudentAidApplication.all_objects.select_for_update().filter(
                publication=publication, status=ApplicationStatus.PUBLISHED, person_id__in=list(paid)
            )
        )
        for a in applications:
            item = paid[a.person_id]
            a.status, a.payout_item, a.payout_reference = ApplicationStatus.PAID, item, reference
            a.paid_at = item.settled_at or timezone.now()
        StudentAidApplication.all_objects.bulk_update(
            applications, ["status", "payout_item", "payout_reference", "paid_at"]
        )
        if applications:
            audit_write(publication, publication.org_id, actor, "paid", applications=len(applications))
    return len(applications)


def batch_paid_sync(*, actor: User | None, batch: PayoutBatch) -> int:
    """After a 金秋助学 batch's bank results: mark paid the applications its paid items settle (idempotent)."""
    if batch.purpose != PayoutPurpose.STUDENT_AID:
        return 0
    with unscoped():
        publication_ids = set(
            StudentAidApplication.all_objects.filter(payout_reference=batch.reference).values_list(
                "publication_id", flat=True
            )
        )
        publications = list(Publication.all_objects.filter(pk__in=publication_ids))
    return sum(applications_mark_paid(actor=actor, publication=p) for p in publications)
