"""`/api/v1/crosscheck`: the review queue, a review with its evidence, and the reviewer's decision.

Reviews are seen where the caller holds crosscheck.list.view (another union's is a
404); deciding needs crosscheck.review.decide at the subject's union and a reason.
Evidence carries masked ID numbers only: the lists keep nothing else.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from gonghui.core.api_common import paginate, request_scope
from gonghui.core.errors import NotFoundError
from gonghui.core.money import fen_to_yuan
from gonghui.core.viewutils import actor_of
from gonghui.crosscheck.models import CrossCheckReview, Decision
from gonghui.crosscheck.services import crosscheck_decide, review_evidence, review_list
from gonghui.crosscheck.subjects import SubjectView, describe_subjects

router = Router(tags=["crosscheck"])


class EvidenceOut(Schema):
    agency: str
    agency_label: str
    program: str
    year: int
    name: str
    id_masked: str
    amount: str | None
    list_org_name: str
    reason: str


class ReviewOut(Schema):
    id: int
    subject_type: str
    subject_id: str
    subject_kind: str
    subject_label: str
    subject_url: str | None
    org_code: str
    org_name: str
    status: str
    status_label: str
    reason: str
    decided_by: str | None
    decided_at: datetime | None
    created_at: datetime
    evidence: list[EvidenceOut] | None = None


class ReviewPage(Schema):
    items: list[ReviewOut]
    count: int
    page: int


class DecisionIn(Schema):
    decision: str  # cleared (not a duplicate) or confirmed (aided twice)
    reason: str


def review_out(review: CrossCheckReview, subject: SubjectView, *, evidence: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": review.pk,
        "subject_type": review.subject_type,
        "subject_id": review.subject_id,
        "subject_kind": subject.kind_label,
        "subject_label": subject.label,
        "subject_url": subject.url,
        "org_code": review.org.code,
        "org_name": review.org.name,
        "status": review.status,
        "status_label": review.get_status_display(),
        "reason": review.reason,
        "decided_by": review.decided_by.get_username() if review.decided_by else None,
        "decided_at": review.decided_at,
        "created_at": review.created_at,
    }
    if evidence:
        out["evidence"] = [
            {
                "agency": m.record.list.agency,
                "agency_label": m.record.list.get_agency_display(),
                "program": m.record.program,
                "year": m.record.year,
                "name": m.record.name,
                "id_masked": m.record.id_masked,
                "amount": fen_to_yuan(m.record.amount_fen) if m.record.amount_fen is not None else None,
                "list_org_name": m.record.list.org.name,
                "reason": m.reason,
            }
            for m in review_evidence(review=review)
        ]
    return out


def _review(request: HttpRequest, review_id: int) -> CrossCheckReview:
    review = review_list(scope=request_scope(request)).select_related("org", "decided_by").filter(pk=review_id).first()
    if review is None:
        raise NotFoundError()
    return review


@router.get("/reviews", response=ReviewPage, summary="名单比对待复核与已复核（status=pending|cleared|confirmed）")
def list_reviews(request: HttpRequest, status: str = "", page: int = 1) -> dict[str, Any]:
    wanted = status if status in Decision.values else None
    qs = review_list(scope=request_scope(request), status=wanted).select_related("org", "decided_by")
    items, count, number = paginate(qs, page)
    subjects = describe_subjects([(r.subject_type, r.subject_id) for r in items])  # one read per subject type
    return {
        "items": [review_out(r, subjects[(r.subject_type, r.subject_id)]) for r in items],
        "count": count,
        "page": number,
    }


def _with_evidence(review: CrossCheckReview) -> dict[str, Any]:
    key = (review.subject_type, review.subject_id)
    return review_out(review, describe_subjects([key])[key], evidence=True)


@router.get("/reviews/{review_id}", response=ReviewOut, summary="比对结果及命中记录（证件号码脱敏）")
def get_review(request: HttpRequest, review_id: int) -> dict[str, Any]:
    return _with_evidence(_review(request, review_id))


@router.post(
    "/reviews/{review_id}/decide",
    response=ReviewOut,
    summary="复核：排除（cleared）或确认重复受助（confirmed），须填理由",
)
def decide_review(request: HttpRequest, review_id: int, body: DecisionIn) -> dict[str, Any]:
    review = _review(request, review_id)
    crosscheck_decide(
        actor=actor_of(request),
        scope=request_scope(request),
        review_id=review.pk,
        decision=body.decision,
        reason=body.reason,
    )
    return _with_evidence(_review(request, review_id))
