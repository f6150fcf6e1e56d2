"""Core's API: the GB/T 2260 region table, searched by the region picker."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema

from gonghui.core.pickers import region_label, typed_text
from gonghui.core.regions import region_search

regions_router = Router(tags=["regions"])

QUERY_LIMIT = 40  # characters of the search box read; a place's full name is shorter


class RegionChoiceOut(Schema):
    code: str
    name: str
    label: str


@regions_router.get(
    "/suggest", response=list[RegionChoiceOut], url_name="region_suggest", summary="行政区划搜索（名称、代码、拼音）"
)
def suggest_regions(request: HttpRequest, q: str = "") -> list[dict[str, str]]:
    """At most 20 current regions for a picker: names holding `q`, codes starting with it, or pinyin."""
    return [
        {"code": r.code, "name": r.full_name, "label": region_label(r)}
        for r in region_search(typed_text(q)[:QUERY_LIMIT], limit=20)
    ]
