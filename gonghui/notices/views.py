"""The public side of every 公示: its page (anyone, no login), the objection form there, the A4 notice
to print and its QR code. Reached by the publication's token; the back-office pages are the kind's own."""

from __future__ import annotations

import io
from typing import Any

import segno
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import cache_control
from django_ratelimit.decorators import ratelimit

from gonghui.core.errors import DomainError
from gonghui.core.ratelimits import rate
from gonghui.core.viewutils import found_or_404, scope_of
from gonghui.notices import certificates, selectors, services
from gonghui.notices.forms import PublicObjectionForm
from gonghui.notices.kinds import notice_kind
from gonghui.notices.models import Publication, PublicationStatus


def notice_context(publication: Publication) -> dict[str, Any]:
    """What the public page and the A4 notice show: the kind's columns and the listed entries, no ID."""
    kind = notice_kind(publication.kind)
    entries = selectors.publication_entries(publication)
    today = timezone.localdate()
    return {
        "p": publication,
        "kind": kind,
        "columns": kind.columns,
        "entries": entries,
        "lines": [{"name": e["name"], "cells": [e.get(key, "") for key, _label in kind.columns]} for e in entries],
        "names": [e["name"] for e in entries],
        "open_for_objections": publication.status == PublicationStatus.OPEN
        and publication.starts_on <= today <= publication.ends_on,
        "today": today,
        "public_url": reverse("notices:public", args=[publication.token]),
    }


@ratelimit(group="notices.objection", key="ip", rate=rate("notice_objection_address"), method="POST")
def public_page(request: HttpRequest, token: str) -> HttpResponse:
    """The 公示 as anyone sees it, and the objection form while the period runs."""
    publication = found_or_404(selectors.public_publication, token=token)
    context = notice_context(publication)
    entries = {e.pk: e for e in selectors.listed_entries(publication)}
    form = PublicObjectionForm(request.POST or None, choices=[(pk, e.name) for pk, e in entries.items()])
    if request.method == "POST" and context["open_for_objections"] and form.is_valid():
        data = form.cleaned_data
        try:
            services.objection_submit(
                entry=entries[data["entry"]],
                raised_by=data["raised_by"],
                contact=data["contact"],
                reason=data["reason"],
            )
        except DomainError as exc:
            for name, message in (exc.details or {"__all__": exc.message}).items():
                form.add_error(name if name in form.fields else None, message)
        else:
            return redirect(f"{reverse('notices:public', args=[token])}?received=1")
    return render(
        request,
        "notices/public.html",
        context | {"form": form, "received": request.GET.get("received") == "1"},
        status=200,
    )


def notice_print(request: HttpRequest, token: str) -> HttpResponse:
    """The A4 notice to print and post: the public list, the period, the union's phone and a QR code."""
    publication = found_or_404(selectors.public_publication, token=token)
    return render(request, "notices/notice_print.html", notice_context(publication))


@cache_control(max_age=3600)
def notice_qr(request: HttpRequest, token: str) -> HttpResponse:
    """The QR code (SVG) of the public page, printed on the notice."""
    publication = found_or_404(selectors.public_publication, token=token)
    url = request.build_absolute_uri(reverse("notices:public", args=[publication.token]))
    out = io.BytesIO()
    segno.make(url, error="m").save(out, kind="svg", scale=4, border=2, title="公示二维码")
    return HttpResponse(out.getvalue(), content_type="image/svg+xml")


# --- certificates ---------------------------------------------------------------------------------


def certificate_verify(request: HttpRequest, token: str) -> HttpResponse:
    """The public page a certificate's QR code opens: the name, the honor and the year, nothing else."""
    certificate = found_or_404(certificates.certificate_by_token, token=token)
    honor = f"{certificate.level}{certificate.title}" if certificate.level else certificate.title
    return render(
        request,
        "notices/verify.html",
        {"name": certificate.holder_name, "honor": honor, "year": certificate.year},
    )


@login_required
def certificates_download(request: HttpRequest) -> HttpResponse:
    """The PDF of one certificate or a batch (`?id=1&id=2`), each in the caller's scope; any foreign: 404."""
    try:
        ids = [int(i) for i in request.GET.getlist("id")]
    except ValueError as exc:
        raise Http404 from exc
    rows = found_or_404(certificates.certificates_in_scope, scope=scope_of(request), ids=ids)
    pdf = certificates.certificates_pdf(rows, base_url=request.build_absolute_uri("/"))
    name = rows[0].serial if len(rows) == 1 else f"certificates-{len(rows)}"
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{name}.pdf"'
    return response
