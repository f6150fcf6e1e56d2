"""The answer to a locked-out login attempt (django-axes `AXES_LOCKOUT_CALLABLE`).

Axes replaces whatever the view returned once it flags a lockout. Its default
would turn the API's `{"code": "locked_out", …}` into an HTML page and shows the
cool-off as an ISO 8601 duration ("PT15M"); this keeps the API's error format
and gives the login page the cool-off in minutes: the staff page, or the member
pages' phone layout for their login and activation under /m/.
"""

from __future__ import annotations

from typing import Any

from axes.helpers import get_cool_off
from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from gonghui.core.errors import MESSAGES


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: dict[str, Any] | None = None
) -> HttpResponse:
    status = getattr(settings, "AXES_HTTP_RESPONSE_CODE", 429)
    if request.path_info.startswith("/api/"):
        return JsonResponse(
            {"code": "locked_out", "message": str(MESSAGES["locked_out"]), "details": None},
            status=status,
            json_dumps_params={"ensure_ascii": False},
        )
    cool_off = get_cool_off(request)
    minutes = max(1, round(cool_off.total_seconds() / 60)) if cool_off else None
    # The member pages (/m/, a phone) get the same words in their own layout.
    template = "portal/locked.html" if request.path_info.startswith("/m/") else "accounts/locked.html"
    return render(request, template, {"cooloff_minutes": minutes}, status=status)
