"""The 公示's writes: publish a list, record or receive objections, resolve them, end the 公示.

    open 公示 → closed, only once its period is over (the day after its last day) and no objection is open
    entry listed → removed, when an objection to it is upheld (the kind's `on_removed` follows)

Every write is audited under the kind's namespace (`student_aid.publish`, `honors.objection` …).
No entry carries an ID number, masked or not: `publication_create` refuses one in the public columns.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.utils import timezone

from gonghui.accounts.models import User
from gonghui.core.audit import audit_record
from gonghui.core.errors import DomainError
from gonghui.core.scoping import Scope, require_perm_at, unscoped
from gonghui.core.workdays import period_end_on_record
from gonghui.notices.kinds import notice_kind
from gonghui.notices.models import (
    DayBasis,
    EntryStatus,
    Objection,
    ObjectionChannel,
    ObjectionStatus,
    Publication,
    PublicationEntry,
    PublicationStatus,
)
from gonghui.orgs.models import Org

# Fifteen or more digits (or digits and masking stars) in a row: an ID number, masked or not.
ID_LIKE = re.compile(r"[0-9Xx*＊]{15,}")


@dataclass(frozen=True)
class EntryIn:
    """One line to publish: its subject, the public name and columns (keys of the kind's `columns`)."""

    subject: models.Model
    name: str
    details: Mapping[str, str] = field(default_factory=dict)


def _audit(publication: Publication, actor: User | None, verb: str, target: models.Model, **data: object) -> None:
    with unscoped():
        org = Org.all_objects.get(pk=publication.org_id)
    audit_record(actor=actor, action=f"{publication.kind}.{verb}", org=org, target=target, data=data)


def _user(actor: User | None) -> User | None:
    return actor if actor is not None and actor.pk else None


def _guard_public(text: str) -> str:
    if ID_LIKE.search(text):
        raise ValueError("a 公示 never shows an ID number")
    return text


def publication_create(
    *,
    actor: User | None,
    scope: Scope | None,
    kind: str,
    org: Org,
    year: int,
    title: str,
    entries: Sequence[EntryIn],
    days: int,
    day_basis: str = DayBasis.CALENDAR,
    starts_on: date | None = None,
    lead: str = "",
) -> Publication:
    """Publish `entries` as a 公示 of `org` for `days` calendar or working days from `starts_on` (today)."""
    notice = notice_kind(kind)
    require_perm_at(scope, notice.publish_perm, org.path)
    if days < 1:
        raise DomainError("notices.days_invalid", field="days")
    if not entries:
        raise DomainError("notices.nothing_listed")
    start = starts_on or timezone.localdate()
    with transaction.atomic(), unscoped():
        publication = Publication.all_objects.create(
            kind=kind,
            org=org,
            org_path=org.path,
            year=year,
            title=title.strip()[:200],
            lead=lead.strip(),
            days=days,
            day_basis=day_basis,
            starts_on=start,
            ends_on=period_end_on_record(start, days, day_basis),
            contact_phone=org.contact_phone,
            created_by=_user(actor),
        )
        PublicationEntry.objects.bulk_create(
            PublicationEntry(
                publication=publication,
                position=i,
                subject_type=ContentType.objects.get_for_model(e.subject, for_concrete_model=True),
                subject_id=e.subject.pk,
                name=_guard_public(e.name.strip())[:200],
                details={k: _guard_public(str(v)) for k, v in e.details.items()},
            )
            for i, e in enumerate(entries, start=1)
        )
        _audit(
            publication,
            actor,
            "publish",
            publication,
            year=year,
            entries=len(entries),
            starts_on=start.isoformat(),
            ends_on=publication.ends_on.isoformat(),
            day_basis=day_basis,
        )
    return publication


def _locked(publication: Publication) -> Publication:
    return Publication.all_objects.select_for_update().get(pk=publication.pk)


def _check_open_for_objection(publication: Publication, entry: PublicationEntry, day: date) -> None:
    if publication.status != PublicationStatus.OPEN:
        raise DomainError("notices.publication_closed", title=publication.title, action="登记异议")
    if entry.status != EntryStatus.LISTED:
        raise DomainError("notices.entry_removed", name=entry.name, action="登记异议")
    if not publication.starts_on <= day <= publication.ends_on:
        raise DomainError("notices.outside_window", start=publication.starts_on, end=publication.ends_on, action="异议")
    if day > timezone.localdate():
        # Recorded once received: a day within the window but still to come cannot be.
        raise DomainError("notices.received_in_future", field="received_on")


def objection_record(
    *,
    actor: User | None,
    scope: Scope | None,
    entry: PublicationEntry,
    reason: str,
    raised_by: str = "",
    contact: str = "",
    on: date | None = None,
) -> Objection:
    """Record an objection an officer received (in person, by phone, by letter) within the 公示 period."""
    if not reason.strip():
        raise DomainError("notices.objection_reason_required", field="reason")
    day = on or timezone.localdate()
    with transaction.atomic(), unscoped():
        publication = _locked(entry.publication)
        require_perm_at(scope, notice_kind(publication.kind).publish_perm, publication.org_path)
        entry = PublicationEntry.objects.get(pk=entry.pk)
        _check_open_for_objection(publication, entry, day)
        objection = Objection.all_objects.create(
            publication=publication,
            entry=entry,
            org_path=publication.org_path,
            channel=ObjectionChannel.RECORDED,
            raised_by=raised_by.strip()[:60],
            contact=contact.strip()[:60],
            reason=reason.strip()[:500],
            received_on=day,
            recorded_by=_user(actor),
        )
        _audit(publication, actor, "objection", objection, entry=entry.pk, subject=entry.subject_id)
    return objection


def objection_submit(*, entry: PublicationEntry, raised_by: str, contact: str, reason: str) -> Objection:
    """An objection from the public page: anyone, with a name and a contact, today, within the period.

    Bounded: a 公示 takes at most `GONGHUI_NOTICE_PUBLIC_OBJECTIONS` from the page (the rest call the union).
    """
    missing = [
        f
        for f, value, code in (
            ("raised_by", raised_by, "notices.raised_by_required"),
            ("contact", contact, "notices.contact_required"),
            ("reason", reason, "notices.objection_reason_required"),
        )
        if not value.strip()
    ]
    if missing:
        # Each literal (the catalogue's test reads them); the first names the refusal, all are shown.
        refusals = {
            "raised_by": DomainError("notices.raised_by_required"),
            "contact": DomainError("notices.contact_required"),
            "reason": DomainError("notices.objection_reason_required"),
        }
        first = refusals[missing[0]]
        first.details = {f: refusals[f].message for f in missing}
        raise first
    with transaction.atomic(), unscoped():
        publication = _locked(entry.publication)
        entry = PublicationEntry.objects.get(pk=entry.pk)
        _check_open_for_objection(publication, entry, timezone.localdate())
        received = Objection.all_objects.filter(publication=publication, channel=ObjectionChannel.PUBLIC).count()
        if received >= settings.GONGHUI_NOTICE_PUBLIC_OBJECTIONS:
            raise DomainError(
                "notices.too_many_objections", org=publication.org.name, phone=publication.contact_phone or "-"
            )
        objection = Objection.all_objects.create(
            publication=publication,
            entry=entry,
            org_path=publication.org_path,
            channel=ObjectionChannel.PUBLIC,
            raised_by=raised_by.strip()[:60],
            contact=contact.strip()[:60],
            reason=reason.strip()[:500],
            received_on=timezone.localdate(),
        )
        _audit(publication, None, "objection", objection, entry=entry.pk, subject=entry.subject_id, channel="public")
    return objection


def objection_resolve(
    *, actor: User | None, scope: Scope | None, objection: Objection, upheld: bool, note: str
) -> Objection:
    """Resolve an objection: upheld removes its entry (the note is the reason), dismissed keeps it."""
    if not note.strip():
        raise DomainError("notices.resolution_note_required", field="note")
    with transaction.atomic(), unscoped():
        objection = Objection.all_objects.select_for_update().get(pk=objection.pk)
        publication = _locked(objection.publication)
        kind = notice_kind(publication.kind)
        require_perm_at(scope, kind.resolve_perm, publication.org_path)
        if objection.status != ObjectionStatus.OPEN:
            raise DomainError("notices.objection_resolved", state=objection.get_status_display())
        objection.status = ObjectionStatus.UPHELD if upheld else ObjectionStatus.DISMISSED
        objection.resolution = note.strip()[:200]
        objection.resolved_by = _user(actor)
        objection.resolved_at = timezone.now()
        objection.save(update_fields=["status", "resolution", "resolved_by", "resolved_at"])
        entry = PublicationEntry.objects.select_for_update().get(pk=objection.entry_id)
        if upheld and entry.status == EntryStatus.LISTED:
            entry.status, entry.removed_reason, entry.removed_at = (
                EntryStatus.REMOVED,
                f"公示异议成立：{objection.resolution}"[:200],
                timezone.now(),
            )
            entry.save(update_fields=["status", "removed_reason", "removed_at"])
            if kind.on_removed is not None:
                kind.on_removed(entry, objection.resolution, actor)
        _audit(
            publication,
            actor,
            "objection_upheld" if upheld else "objection_dismissed",
            objection,
            entry=entry.pk,
            subject=entry.subject_id,
            note=objection.resolution,
        )
    return objection


def publication_close_refusal(publication: Publication, *, on: date | None = None) -> DomainError | None:
    """Why the 公示 cannot be ended on `on` (today); None when it can.

    The one home of the rule: `publication_close` raises it (on the locked row), and pages offer
    结束公示 only when it is None. Only an open 公示, once its period is over (the day after its
    last), with every objection resolved.
    """
    if publication.status != PublicationStatus.OPEN:
        return DomainError("notices.publication_closed", title=publication.title, action="结束公示")
    if (on or timezone.localdate()) <= publication.ends_on:
        return DomainError("notices.window_not_over", end=publication.ends_on)
    with unscoped():
        pending = Objection.all_objects.filter(publication=publication, status=ObjectionStatus.OPEN).count()
    if pending:
        return DomainError("notices.open_objections", count=pending)
    return None


def publication_close(
    *, actor: User | None, scope: Scope | None, publication: Publication, on: date | None = None
) -> Publication:
    """End the 公示 once its period is over and every objection is resolved; the listed entries stand."""
    require_perm_at(scope, notice_kind(publication.kind).publish_perm, publication.org_path)
    with transaction.atomic(), unscoped():
        locked = _locked(publication)
        refusal = publication_close_refusal(locked, on=on)
        if refusal is not None:
            raise refusal
        locked.status, locked.closed_at = PublicationStatus.CLOSED, timezone.now()
        locked.save(update_fields=["status", "closed_at"])
        listed = PublicationEntry.objects.filter(publication=locked, status=EntryStatus.LISTED).count()
        _audit(locked, actor, "publication_close", locked, ready=listed)
    publication.status, publication.closed_at = locked.status, locked.closed_at
    return publication
