from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from gonghui.core.ui import AREAS, is_allowed, nav_entries


def navigation(request: HttpRequest) -> dict[str, Any]:
    """The navigation the user may open, grouped by area (apps register their entries in `core.ui`)."""
    scope = getattr(request, "scope", None)
    if scope is None or not request.user.is_authenticated:
        return {"nav_items": [], "nav_areas": []}
    items = [
        {"area": e.area, "section": e.section, "label": e.label, "url": reverse(e.url_name)}
        for e in nav_entries()
        if is_allowed(scope, e.allowed)
    ]
    areas = [{"key": key, "label": label, "items": [i for i in items if i["area"] == key]} for key, label in AREAS]
    return {"nav_items": items, "nav_areas": [a for a in areas if a["items"]]}
