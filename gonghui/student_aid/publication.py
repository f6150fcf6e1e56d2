"""公示 of 金秋助学: publish the approved applications for some days, record and resolve objections, close.

    approved → published (公示) → rejected when an objection is upheld
    open 公示 → closed once its window is over and no objection is open: the rest are ready to pay

The public list is read by `selectors.publication_entries` (never an ID number).
Every write is audited.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from gonghui.accounts.models import User
from gonghui.core.errors import DomainError
from gonghui.core.scoping import Scope, require_perm_at, subtree_q, unscoped
from gonghui.orgs.models import Org
from gonghui.student_aid.applications import STATES, audit_write, locked_application
from gonghui.student_aid.models import (
    ApplicationStatus,
    Objection,
    ObjectionStatus,
    Publication,
    PublicationStatus,
    StudentAidApplication,
)
from gonghui.student_aid.permissions import StudentAidPerm


def publication_create(
    *,
    actor: User | None,
    scope: Scope | None,
    org: Org,
    school_year: int,
    days: int,
    title: str = "",
    starts_on: date | None = None,
    application_ids: list[int] | None = None,
) -> Publication:
    """Publish the approved applications of a school year in `org`'s subtree (or those listed) for `days` days."""
    require_perm_at(scope, StudentAidPerm.PUBLISH, org.path)
    if days < 1:
        raise DomainError("student_aid.publication_days_invalid", field="days")
    start = starts_on or timezone.localdate()
    with transaction.atomic(), unscoped():
        qs = StudentAidApplication.all_objects.select_for_update().filter(
            subtree_q("org_path", org.path), school_year=school_year, status=ApplicationStatus.APPROVED
        )
        if application_ids is not None:
            qs = qs.filter(pk__in=application_ids)
        ids = list(qs.values_list("pk", flat=True))
        if not ids:
            raise DomainError("student_aid.nothing_to_publish")
        publication = Publication.all_objects.create(
            org=org,
            org_path=org.path,
            school_year=school_year,
            title=(title.strip() or f"{org.name}{school_year}年金秋助学拟资助名单公示")[:200],
            starts_on=start,
            ends_on=start + timedelta(days=days - 1),
            created_by=actor if actor is not None and actor.pk else None,
        )
        StudentAidApplication.all_objects.filter(pk__in=ids).update(
            status=ApplicationStatus.PUBLISHED, publication=publication
        )
        audit_write(
            publication,
            org.pk,
            actor,
            "publish",
            school_year=school_year,
            applications=len(ids),
            starts_on=start.isoformat(),
            ends_on=publication.ends_on.isoformat(),
        )
    return publication


def _locked_publication(publication: Publication) -> Publication:
    return Publication.all_objects.select_for_update().get(pk=publication.pk)


def objection_record(
    *,
    actor: User | None,
    scope: Scope | None,
    application: StudentAidApplication,
    reason: str,
    raised_by: str = "",
    on: date | None = None,
) -> Objection:
    """Record an objection to a published application, received within its 公示 window."""
    if not reason.strip():
        raise DomainError("student_aid.objection_reason_required", field="reason")
    day = on or timezone.localdate()
    with transaction.atomic(), unscoped():
        application = locked_application(application)
        if application.status != ApplicationStatus.PUBLISHED or application.publication_id is None:
            raise DomainError("student_aid.wrong_status", state=STATES[application.status], action="登记异议")
        publication = _locked_publication(application.publication)  # type: ignore[arg-type]
        require_perm_at(scope, StudentAidPerm.PUBLISH, publication.org_path)
        if publication.status != PublicationStatus.OPEN:
            raise DomainError("student_aid.publication_closed", title=publication.title, action="登记异议")
        if not publication.starts_on <= day <= publication.ends_on:
            raise DomainError(
                "student_aid.outside_window", start=publication.starts_on, end=publication.ends_on, action="异议"
            )
        if day > timezone.localdate():
            # Recorded once received: a day within the window but still to come cannot be.
            raise DomainError("student_aid.received_in_future", field="received_on")
        objection = Objection.all_objects.create(
            application=application,
            publication=publication,
            org_path=publication.org_path,
            raised_by=raised_by.strip()[:60],
            reason=reason.strip()[:500],
            received_on=day,
            recorded_by=actor if actor is not None and actor.pk else None,
        )
        audit_write(objection, publication.org_id, actor, "objection", application=application.pk)
    return objection


def objection_resolve(
    *, actor: User | None, scope: Scope | None, objection: Objection, upheld: bool, note: str
) -> Objection:
    """Resolve an objection: upheld rejects the application, dismissed keeps it on the list."""
    if not note.strip():
        raise DomainError("student_aid.resolution_note_required", field="note")
    with transaction.atomic(), unscoped():
        objection = Objection.all_objects.select_for_update().get(pk=objection.pk)
        publication = _locked_publication(objection.publication)
        require_perm_at(scope, StudentAidPerm.APPROVE, publication.org_path)
        if objection.status != ObjectionStatus.OPEN:
            raise DomainError("student_aid.objection_resolved", state=objection.get_status_display())
        objection.status = ObjectionStatus.UPHELD if upheld else ObjectionStatus.DISMISSED
        objection.resolution = note.strip()[:200]
        objection.resolved_by = actor if actor is not None and actor.pk else None
        objection.resolved_at = timezone.now()
        objection.save(update_fields=["status", "resolution", "resolved_by", "resolved_at"])
        if upheld:
            application = locked_application(objection.application)
            if application.status == ApplicationStatus.PUBLISHED:
                application.status = ApplicationStatus.REJECTED
                application.status_note = f"公示异议成立：{objection.resolution}"[:200]
                application.save(update_fields=["status", "status_note"])
        audit_write(
            objection,
            publication.org_id,
            actor,
            "objection_upheld" if upheld else "objection_dismissed",
            application=objection.application_id,
            note=objection.resolution,
        )
    return objection


def publication_close_refusal(publication: Publication, *, on: date | None = None) -> DomainError | None:
    """Why the 公示 cannot be ended on `on` (today); None when it can.

    The one home of the rule: `publication_close` raises it (on the locked row), and the page offers
    结束公示 only when it is None. Only an open 公示, once its window is over (the day after its
    last), with every objection resolved.
    """
    if publication.status != PublicationStatus.OPEN:
        return DomainError("student_aid.publication_closed", title=publication.title, action="结束公示")
    if (on or timezone.localdate()) <= publication.ends_on:
        return DomainError("student_aid.window_not_over", end=publication.ends_on)
    with unscoped():
        pending = Objection.all_objects.filter(publication=publication, status=ObjectionStatus.OPEN).count()
    if pending:
        return DomainError("student_aid.open_objections", count=pending)
    return None


def publication_close(
    *, actor: User | None, scope: Scope | None, publication: Publication, on: date | None = None
) -> Publication:
    """End the 公示 once its window is over and every objection is resolved: the rest are ready to pay."""
    require_perm_at(scope, StudentAidPerm.PUBLISH, publication.org_path)
    with transaction.atomic(), unscoped():
        publication = _locked_publication(publication)
        refusal = publication_close_refusal(publication, on=on)
        if refusal is not None:
            raise refusal
        publication.status, publication.closed_at = PublicationStatus.CLOSED, timezone.now()
        publication.save(update_fields=["status", "closed_at"])
        ready = StudentAidApplication.all_objects.filter(
            publication=publication, status=ApplicationStatus.PUBLISHED
        ).count()
        audit_write(publication, publication.org_id, actor, "publication_close", ready=ready)
    return publication
