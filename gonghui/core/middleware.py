"""A number too large for the database names no record: a 404, not a server error.

SQLite refuses integers beyond 64 bits with `OverflowError` (PostgreSQL with a
DataError the ORM never sees for lookups it can prove empty); a URL such as
/members/99999999999999999999999/ or ?offset=1e30-as-digits must answer like any
other record that is not there.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import Http404, HttpRequest, HttpResponse
from django.views.defaults import page_not_found


class OverflowAsNotFound:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, OverflowError):
            return page_not_found(request, Http404())
        return None
