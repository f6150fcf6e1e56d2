"""Members' mobile pages. Joining needs no account: a union's code or QR code is the way in."""

from __future__ import annotations

import io

import segno
from django.core import signing
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import cache_control

from gonghui.core.errors import DomainError
from gonghui.members import selectors, services
from gonghui.members.forms import JoinForm
from gonghui.orgs.models import Org

# The confirmation page's reference is signed: a guessed number shows nothing.
REF_SALT = "portal.join.done"


def _org(code: str) -> Org:
    try:
        return selectors.org_for_join(code)
    except DomainError as exc:
        raise Http404 from exc


def join_find(request: HttpRequest) -> HttpResponse:
    code = request.GET.get("code", "").strip().upper()
    error = ""
    if code:
        try:
            return redirect("portal:join", selectors.org_for_join(code).code)
        except DomainError:
            error = "未找到该工会代码，请向工会工作人员确认。"
    return render(request, "portal/join_find.html", {"code": code, "error": error})


def join(request: HttpRequest, code: str) -> HttpResponse:
    org = _org(code)
    form = JoinForm(request.POST or None, initial={"id_type": "1"})
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data.pop("accept_charter")
        data.pop("consent")
        id_number, id_type = data.pop("id_number"), data.pop("id_type")
        try:
            ms = services.join_apply(org=org, id_number=id_number, id_type=id_type, fields=data)
        except DomainError as exc:
            if isinstance(exc.details, dict):
                for field, reason in exc.details.items():
                    form.add_error(field if field in form.fields else None, reason)
            else:
                form.add_error(None, exc.message)
        else:
            ref = signing.dumps([ms.pk, org.code], salt=REF_SALT)
            return redirect("portal:join_done", org.code, ref)
    return render(request, "portal/join.html", {"org": org, "form": form})


def join_done(request: HttpRequest, code: str, ref: str) -> HttpResponse:
    org = _org(code)
    try:
        pk, signed_code = signing.loads(ref, salt=REF_SALT, max_age=60 * 60 * 24 * 30)
    except (signing.BadSignature, ValueError, TypeError) as exc:
        raise Http404 from exc
    if signed_code != org.code:
        raise Http404
    return render(request, "portal/join_done.html", {"org": org, "number": f"RH{pk:08d}"})


@cache_control(max_age=3600)
def join_qr(request: HttpRequest, code: str) -> HttpResponse:
    """The union's join QR code (SVG), pointing at its join page on this server."""
    org = _org(code)
    url = request.build_absolute_uri(reverse("portal:join", args=[org.code]))
    out = io.BytesIO()
    segno.make(url, error="m").save(out, kind="svg", scale=6, border=2, title=f"{org.name} 入会二维码")
    return HttpResponse(out.getvalue(), content_type="image/svg+xml")
