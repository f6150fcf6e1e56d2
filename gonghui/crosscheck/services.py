"""Matching subjects against agencies' lists, and the reviewer's decision on a match.

`matches_for` is the one read every app asks with: blind indexes in, the
records on agencies' lists out, set-based (chunked IN on SQLite, `= ANY` on
PostgreSQL, on the id_index b-tree). `crosscheck_subjects` runs it for an app's
subjects (applications, hardship files, family members), keeps the evidence per
subject and opens a review for each flagged one; `crosscheck_decide` closes a
review as cleared or confirmed, with a reason, audited.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from gonghui.accounts.models import User
from gonghui.core.audit import audit_record
from gonghui.core.bulk.sql import select_in
from gonghui.core.errors import DomainError, NotFoundError
from gonghui.core.paths import path_chain
from gonghui.core.scoping import Scope, require_perm_at, subtree_q, unscoped
from gonghui.crosscheck.models import AgencyList, AgencyRecord, CrossCheckMatch, CrossCheckReview, Decision
from gonghui.crosscheck.permissions import CrossCheckPerm
from gonghui.crosscheck.subjects import Subject, open_subjects
from gonghui.orgs.models import Org

CHUNK = 1000  # keys per IN list of the ORM reads below (SQLite's planner and variable limit)
RECORD_FIELDS = ("id", "list_id", "org_path", "id_index", "id_masked", "name", "program", "year", "amount_fen")


def matches_for(
    indexes: Sequence[str], *, year: int | None = None, org_path: str | None = None
) -> dict[str, list[AgencyRecord]]:
    """Records on agencies' lists by blind index (of `year`, of lists uploaded at `org_path` or above); unscoped."""
    wanted = list(dict.fromkeys(i for i in indexes if i))
    where, params = "", list[Any]()
    if year is not None:
        where, params = "AND year = %s", [year]
    if org_path is not None:
        paths = path_chain(org_path)
        where += f" AND org_path IN ({', '.join(['%s'] * len(paths))})"
        params += paths
    found: dict[str, list[AgencyRecord]] = defaultdict(list)
    for values in select_in(AgencyRecord, RECORD_FIELDS, "id_index", wanted, where=where, params=params):
        record = AgencyRecord.from_db(None, RECORD_FIELDS, values)
        found[record.id_index].append(record)
    return dict(found)


def _reason(record: AgencyRecord, lists: dict[int, AgencyList]) -> str:
    the_list = lists[record.list_id]
    amount = f"，金额 {record.amount_fen / 100:.2f} 元" if record.amount_fen is not None else ""
    program = f"“{record.program}”" if record.program else ""
    return f"{the_list.get_agency_display()}{record.year} 年{program}名单：{record.name} {record.id_masked}{amount}"[
        :200
    ]


def crosscheck_subjects(
    *, actor: User | None, subjects: Sequence[Subject], year: int | None = None, org: Org | None = None
) -> list[CrossCheckReview]:
    """Match the subjects against the lists on their unions' paths; keep the evidence; return the flagged reviews.

    Idempotent: a subject's review and evidence are kept once; new evidence on a
    decided review opens it again. Set-based (a fixed number of queries for any
    number of subjects). The calling app has checked its own permission on the
    subjects (and, for a household, the signed authorization); this runs with the
    server's authority. One audit event for the run.
    """
    hits = matches_for([s.index for s in subjects], year=year)
    flagged: list[tuple[Subject, list[AgencyRecord]]] = []
    for s in subjects:
        applies = set(path_chain(s.org.path))
        records = [r for r in hits.get(s.index, []) if r.org_path in applies]
        if records:
            flagged.append((s, records))
    with transaction.atomic(), unscoped():
        lists = AgencyList.all_objects.in_bulk({r.list_id for _s, records in flagged for r in records})
        first_of: dict[tuple[str, str], Subject] = {}
        for s, _records in flagged:
            first_of.setdefault((s.kind, str(s.id)), s)
        reviews = _reviews_of(list(first_of))
        new_reviews = [
            CrossCheckReview(subject_type=kind, subject_id=sid, org=s.org, org_path=s.org.path, id_index=s.index)
            for (kind, sid), s in first_of.items()
            if (kind, sid) not in reviews
        ]
        if new_reviews:
            CrossCheckReview.all_objects.bulk_create(new_reviews, batch_size=2000)
            reviews = _reviews_of(list(first_of))  # with their keys, on every backend
        pks = [r.pk for r in reviews.values()]
        known: set[tuple[int, int]] = set()
        for start in range(0, len(pks), CHUNK):
            chunk = pks[start : start + CHUNK]
            known.update(CrossCheckMatch.objects.filter(review_id__in=chunk).values_list("review_id", "record_id"))
        evidence: list[CrossCheckMatch] = []
        reopened: dict[int, CrossCheckReview] = {}
        for s, records in flagged:
            review = reviews[(s.kind, str(s.id))]
            fresh = [r for r in records if (review.pk, r.pk) not in known]
            for record in fresh:
                known.add((review.pk, record.pk))
                evidence.append(CrossCheckMatch(review=review, record=record, reason=_reason(record, lists)))
            if fresh and review.status != Decision.PENDING:
                review.status, review.reason, review.decided_by, review.decided_at = Decision.PENDING, "", None, None
                reopened[review.pk] = review
        CrossCheckReview.all_objects.bulk_update(
            list(reopened.values()), ["status", "reason", "decided_by", "decided_at"], batch_size=1000
        )
        CrossCheckMatch.objects.bulk_create(evidence, batch_size=2000)
        audit_record(
            actor=actor,
            action="crosscheck.run",
            org=org,
            data={
                "subjects": len(subjects),
                "flagged": len(reviews),
                "new_reviews": len(new_reviews),
                "new_evidence": len(evidence),
                "reopened": len(reopened),
                "year": year,
            },
        )
    return list(reviews.values())


def _reviews_of(keys: list[tuple[str, str]]) -> dict[tuple[str, str], CrossCheckReview]:
    """The existing reviews of (subject type, subject id) keys, in chunked reads."""
    by_kind: dict[str, list[str]] = defaultdict(list)
    for kind, sid in keys:
        by_kind[kind].append(sid)
    found: dict[tuple[str, str], CrossCheckReview] = {}
    for kind, ids in by_kind.items():
        for start in range(0, len(ids), CHUNK):
            for review in CrossCheckReview.all_objects.filter(
                subject_type=kind, subject_id__in=ids[start : start + CHUNK]
            ):
                found[(kind, review.subject_id)] = review
    return found


def crosscheck_decide(
    *, actor: User | None, scope: Scope | None, review_id: int, decision: str, reason: str
) -> CrossCheckReview:
    """Close a pending review as cleared (not a duplicate) or confirmed (aided twice), with a reason; audited."""
    if decision not in (Decision.CLEARED, Decision.CONFIRMED):
        raise DomainError("crosscheck.bad_decision")
    reason = " ".join((reason or "").split())
    if not reason:
        raise DomainError("crosscheck.reason_required")
    with transaction.atomic(), unscoped():
        review = CrossCheckReview.all_objects.select_for_update().filter(pk=review_id).first()
        if review is None or (scope is not None and not scope.has_perm(CrossCheckPerm.VIEW, review.org_path)):
            raise NotFoundError()
        require_perm_at(scope, CrossCheckPerm.DECIDE, review.org_path)
        if review.status != Decision.PENDING:
            raise DomainError("crosscheck.already_decided", status=409, state=review.get_status_display())
        review.status, review.reason = decision, reason[:500]
        review.decided_by = actor if actor is not None and actor.pk else None
        review.decided_at = timezone.now()
        review.save(update_fields=["status", "reason", "decided_by", "decided_at"])
        audit_record(
            actor=actor,
            action=f"crosscheck.review.{decision}",
            org=review.org,
            target=review,
            data={"subject": f"{review.subject_type}#{review.subject_id}", "reason": review.reason},
        )
    return review


@dataclass(frozen=True)
class RunSummary:
    subjects: int  # subjects matched
    flagged: int  # of them on a list
    pending: int  # of those, waiting for a decision now


def crosscheck_run_open(*, actor: User | None, scope: Scope | None, org: Org) -> RunSummary:
    """Match everything still open under a union (applications not yet approved, households on file
    or on their way) against the lists, e.g. after a new list came in; one run per subject type and year."""

    require_perm_at(scope, CrossCheckPerm.IMPORT, org.path)
    subjects = flagged = pending = 0
    for _subject_type, items in open_subjects([org.path]).items():
        by_year: dict[int, list[Subject]] = defaultdict(list)
        for subject, year in items:
            by_year[year].append(subject)
        for year, group in sorted(by_year.items()):
            reviews = crosscheck_subjects(actor=actor, subjects=group, year=year, org=org)
            subjects += len(group)
            flagged += len(reviews)
            pending += sum(1 for r in reviews if r.status == Decision.PENDING)
    return RunSummary(subjects, flagged, pending)


# --- selectors -----------------------------------------------------------------------------------


def agency_list_list(*, scope: Scope) -> QuerySet[AgencyList]:
    """The lists uploaded in the subtrees where the scope may view them."""
    return AgencyList.objects.within(scope, CrossCheckPerm.VIEW).order_by("-year", "agency", "program")


def review_list(*, scope: Scope, status: str | None = None) -> QuerySet[CrossCheckReview]:
    """The reviews of subjects in the subtrees where the scope may view them, pending first."""
    qs = CrossCheckReview.objects.within(scope, CrossCheckPerm.VIEW)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-status", "-created_at")


def review_evidence(*, review: CrossCheckReview) -> list[CrossCheckMatch]:
    """The evidence kept for a review (the caller has resolved the review through `review_list`)."""
    return list(
        CrossCheckMatch.objects.filter(review=review)
        .select_related("record", "record__list", "record__list__org")
        .order_by("pk")
    )


# --- export --------------------------------------------------------------------------------------

EXPORT_HEADERS = ["部门", "项目", "年度", "姓名", "证件号码", "金额（元）", "上传工会"]


def export_agency_records(path: str, *, actor: User | None, org: Org | None) -> int:
    """The subtree's list records, numbers masked (the clear number is never kept); audited."""
    from gonghui.core.bulk import write_table

    with unscoped():
        qs = AgencyRecord.objects.select_related("list", "list__org").order_by("list_id", "id")
        if org is not None:
            qs = qs.filter(subtree_q("org_path", org.path))

        def lines() -> Any:
            for r in qs.iterator(chunk_size=2000):
                amount = f"{r.amount_fen / 100:.2f}" if r.amount_fen is not None else ""
                yield [r.list.get_agency_display(), r.program, r.year, r.name, r.id_masked, amount, r.list.org.name]

        with transaction.atomic():
            count = write_table(path, EXPORT_HEADERS, lines(), sheet="部门名单")
            audit_record(
                actor=actor,
                action="crosscheck.export_agency_records",
                org=org,
                data={"file": str(path).rsplit("/", 1)[-1], "rows": count},
            )
    return count
