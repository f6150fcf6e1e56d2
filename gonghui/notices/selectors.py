"""Reads of the 公示: the public list (never an ID number), one 公示 in a scope, a public one by its token."""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import QuerySet

from gonghui.core.errors import NotFoundError
from gonghui.core.scoping import Scope, unscoped
from gonghui.notices.kinds import notice_kind
from gonghui.notices.models import EntryStatus, Objection, Publication, PublicationEntry


def publication_entries(publication: Publication) -> list[dict[str, Any]]:
    """The listed lines, in order: {"entry": pk, "name": …, **the public columns}. Never an ID number."""
    rows = PublicationEntry.objects.filter(publication=publication, status=EntryStatus.LISTED).order_by("position")
    return [{"entry": e.pk, "name": e.name, **e.details} for e in rows]


def listed_entries(publication: Publication) -> QuerySet[PublicationEntry]:
    return PublicationEntry.objects.filter(publication=publication, status=EntryStatus.LISTED).order_by("position")


def entry_of(publication: Publication, subject: models.Model) -> PublicationEntry | None:
    """The entry of `subject` on the 公示, listed or removed."""
    return PublicationEntry.objects.filter(
        publication=publication,
        subject_type=ContentType.objects.get_for_model(subject, for_concrete_model=True),
        subject_id=subject.pk,
    ).first()


def publication_list(*, scope: Scope, kind: str) -> QuerySet[Publication]:
    perm = notice_kind(kind).view_perm
    return Publication.objects.within(scope, perm).filter(kind=kind).select_related("org").order_by("-starts_on", "-pk")


def publication_get(*, scope: Scope, kind: str, pk: int) -> Publication:
    """One 公示 of `kind` the scope may see; a foreign one is not found."""
    publication = publication_list(scope=scope, kind=kind).filter(pk=pk).first()
    if publication is None:
        raise NotFoundError()
    return publication


def public_publication(*, token: str) -> Publication:
    """The 公示 behind a public link (anyone may read it: it is public by nature)."""
    with unscoped():
        publication = Publication.all_objects.select_related("org").filter(token=token).first()
    if publication is None:
        raise NotFoundError()
    return publication


def objection_list(*, scope: Scope, publication: Publication) -> QuerySet[Objection]:
    """The objections raised against a 公示 (the caller has resolved the publication in its scope)."""
    perm = notice_kind(publication.kind).view_perm
    return (
        Objection.objects.within(scope, perm)
        .filter(publication=publication)
        .select_related("entry")
        .order_by("received_on", "pk")
    )


def total_of(entries: list[dict[str, Any]], key: str) -> Any:
    """The sum of a numeric column of the public list, as a string with two decimals (yuan)."""
    from decimal import Decimal

    return f"{sum((Decimal(str(e.get(key) or 0)) for e in entries), Decimal(0)):.2f}"
