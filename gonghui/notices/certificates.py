"""Certificates: issue one or a batch (numbered per union and year), render them as PDF (WeasyPrint,
Noto CJK fonts, one A4 landscape page each) with a QR code to the public verification page, which
shows the holder's name, the honor and the year only.

    from gonghui.notices.certificates import CertificateIn, certificates_issue, certificates_pdf
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import segno
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.template.loader import render_to_string
from django.urls import reverse

from gonghui.accounts.models import User
from gonghui.core.audit import audit_record
from gonghui.core.errors import DomainError, NotFoundError
from gonghui.core.scoping import Scope, require_perm_at, unscoped
from gonghui.notices.kinds import notice_kind
from gonghui.notices.models import Certificate
from gonghui.orgs.models import Org


@dataclass(frozen=True)
class CertificateIn:
    holder_name: str
    title: str
    awarding_body: str
    year: int
    level: str = ""
    subject: models.Model | None = None


def _serial_prefix(org: Org, year: int) -> str:
    return f"{org.code}-{year}-"


def certificates_issue(
    *, actor: User | None, scope: Scope | None, kind: str, org: Org, items: Sequence[CertificateIn]
) -> list[Certificate]:
    """Issue certificates in `org`'s name (the kind's publish permission there), numbered ORG-YEAR-NNNNN."""
    require_perm_at(scope, notice_kind(kind).publish_perm, org.path)
    if not items:
        raise DomainError("notices.nothing_to_certify")
    for item in items:
        if not item.holder_name.strip() or not item.title.strip():
            raise DomainError("notices.certificate_incomplete")
    with transaction.atomic(), unscoped():
        Org.all_objects.select_for_update().filter(pk=org.pk).first()  # one numbering at a time per union
        issued: list[Certificate] = []
        for year in sorted({i.year for i in items}):
            prefix = _serial_prefix(org, year)
            last = (
                Certificate.all_objects.filter(serial__startswith=prefix)
                .order_by("-serial")
                .values_list("serial", flat=True)
                .first()
            )
            seq = int(last.rsplit("-", 1)[1]) if last else 0
            for item in (i for i in items if i.year == year):
                seq += 1
                issued.append(
                    Certificate(
                        kind=kind,
                        serial=f"{prefix}{seq:05d}",
                        org=org,
                        org_path=org.path,
                        holder_name=item.holder_name.strip()[:200],
                        title=item.title.strip()[:200],
                        level=item.level.strip()[:40],
                        awarding_body=item.awarding_body.strip()[:200],
                        year=year,
                        subject_type=ContentType.objects.get_for_model(item.subject) if item.subject else None,
                        subject_id=item.subject.pk if item.subject else None,
                        issued_by=actor if actor is not None and actor.pk else None,
                    )
                )
        Certificate.all_objects.bulk_create(issued)
        audit_record(
            actor=actor,
            action=f"{kind}.certificates_issue",
            org=org,
            data={"count": len(issued), "first": issued[0].serial, "last": issued[-1].serial},
        )
    return list(Certificate.all_objects.filter(serial__in=[c.serial for c in issued]).order_by("serial"))


def certificate_list(*, scope: Scope, kind: str) -> models.QuerySet[Certificate]:
    return Certificate.objects.within(scope, notice_kind(kind).view_perm).filter(kind=kind).select_related("org")


def certificates_in_scope(*, scope: Scope, ids: Sequence[int]) -> list[Certificate]:
    """The certificates with `ids`, each within the scope under its kind's view permission; any other: not found."""
    with unscoped():
        rows = list(Certificate.all_objects.filter(pk__in=list(ids)).select_related("org").order_by("serial"))
    if not rows or len(rows) != len(set(ids)):
        raise NotFoundError()
    for c in rows:
        if not scope.has_perm(notice_kind(c.kind).view_perm, c.org_path):
            raise NotFoundError()
    return rows


def certificate_by_token(*, token: str) -> Certificate:
    with unscoped():
        certificate = Certificate.all_objects.filter(token=token).first()
    if certificate is None:
        raise NotFoundError()
    return certificate


def verification_path(certificate: Certificate) -> str:
    return reverse("notices:verify", args=[certificate.token])


def qr_data_uri(url: str) -> str:
    """The QR code of `url` as an SVG data URI (the PDF embeds it: no request leaves the server)."""
    return str(segno.make(url, error="m").svg_data_uri(scale=4, border=1))


def verification_url(certificate: Certificate, base_url: str) -> str:
    return base_url.rstrip("/") + verification_path(certificate)


def certificates_html(certificates: Sequence[Certificate], *, base_url: str) -> str:
    """The certificates as the HTML the PDF is made from (a page each, the QR code embedded)."""
    pages = [{"c": c, "qr": qr_data_uri(verification_url(c, base_url))} for c in certificates]
    return render_to_string("notices/certificate.html", {"pages": pages})


def certificates_pdf(certificates: Sequence[Certificate], *, base_url: str) -> bytes:
    """One PDF, a page per certificate, each with a QR code to its verification page under `base_url`."""
    from weasyprint import HTML  # imported on use: pango is loaded by the processes that render

    return bytes(HTML(string=certificates_html(certificates, base_url=base_url), base_url=base_url).write_pdf())
