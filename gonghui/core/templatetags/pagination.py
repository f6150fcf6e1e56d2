"""One pager for every list page: first/previous/numbered pages/next/last, a page jump and a page size.

    {% load pagination %}
    {% pagination page pages count %}        a page number, the number of pages, the rows in all
    {% pagination page_obj %}                a Django `Page` (its paginator gives the rest)
    {% pagination result.page result.pages result.count exact=result.count_exact query=query %}

The links keep every other parameter of the request (filters, `page_size`), or of `query` when the
page's filters do not come from its URL. The page-size choice (20/50/100, `?page_size=`) shows when
the view says which size it used, as `page_size` in its context (read with
`gonghui.core.viewutils.page_size`), or with `size=`.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.http import QueryDict

from gonghui.core.viewutils import PAGE_SIZES

register = template.Library()

WINDOW = 2  # numbered pages shown either side of the current one


def _as_int(value: Any, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


@register.inclusion_tag("_pagination.html", takes_context=True)
def pagination(
    context: template.Context,
    page: Any,
    pages: Any = None,
    count: Any = None,
    exact: bool = True,
    query: str | None = None,
    size: Any = None,
) -> dict[str, Any]:
    if hasattr(page, "paginator"):  # a Django Page
        number, pages, count = page.number, page.paginator.num_pages, page.paginator.count
    else:
        number = _as_int(page, 1)
    pages = max(_as_int(pages, 1), 1)
    number = min(max(number, 1), pages)
    request = context.get("request")
    if query is not None:
        params = QueryDict(query, mutable=True)
    elif request is not None:
        params = request.GET.copy()
    else:
        params = QueryDict(mutable=True)
    for key in ("page", "csrfmiddlewaretoken"):
        params.pop(key, None)

    def href(n: int, **extra: int) -> str:
        q = params.copy()
        for key, value in extra.items():
            q[key] = str(value)
        q["page"] = str(n)
        return "?" + q.urlencode()

    last_shown = pages if exact else min(pages, number + WINDOW)
    numbers = [(n, href(n)) for n in range(max(1, number - WINDOW), min(last_shown, number + WINDOW) + 1)]
    current_size = size if size is not None else context.get("page_size")
    sizes = []
    if current_size is not None:
        current_size = _as_int(current_size, 0)
        size_params = params.copy()
        size_params.pop("page_size", None)
        for s in PAGE_SIZES:
            q = size_params.copy()
            q["page_size"] = str(s)
            sizes.append((s, "?" + q.urlencode(), s == current_size))
    return {
        "show": pages > 1 or (bool(sizes) and _as_int(count, 0) > min(PAGE_SIZES)),
        "number": number,
        "pages": pages,
        "count": count,
        "exact": exact,
        "first": href(1),
        "previous": href(number - 1) if number > 1 else "",
        "next": href(number + 1) if number < pages else "",
        "last": href(pages) if exact and number < pages else "",
        "numbers": numbers,
        "gap_before": numbers[0][0] > 1 if numbers else False,
        "gap_after": numbers[-1][0] < pages if numbers else False,
        "hidden": [(k, v) for k, values in params.lists() for v in values],
        "sizes": sizes,
    }
