"""Helpers shared by the domain routers: the caller's scope, pagination."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest

from gonghui.core.scoping import Scope

PAGE_SIZE = 50


def request_scope(request: HttpRequest) -> Scope:
    return request.scope  # type: ignore[attr-defined]


def paginate(qs: QuerySet[Any], page: int, size: int = PAGE_SIZE) -> tuple[list[Any], int, int]:
    """(items, count, page) with the page clamped into range."""
    paginator = Paginator(qs, size)
    number = min(max(page, 1), max(paginator.num_pages, 1))
    return list(paginator.page(number).object_list), paginator.count, number
