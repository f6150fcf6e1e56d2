"""Small helpers for thin views: the request's scope, permission checks, forms that run a service."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect

from gonghui.core.errors import DomainError, PermissionDeniedError
from gonghui.core.scoping import Scope

if TYPE_CHECKING:
    from gonghui.accounts.models import User

T = TypeVar("T")


def scope_of(request: HttpRequest) -> Scope:
    return request.scope  # type: ignore[attr-defined]


def actor_of(request: HttpRequest) -> User:
    """The signed-in user behind a request that passed authentication (pages and API alike)."""
    assert isinstance(request.user, get_user_model())
    return request.user


def found_or_404(lookup: Callable[..., T], /, **kwargs: Any) -> T:
    """A selector's record, or 404: a foreign id reads as unknown (never a 403 that confirms it exists)."""
    try:
        return lookup(**kwargs)
    except DomainError as exc:
        raise Http404 from exc


def require_perm(request: HttpRequest, perm: str, path: str | None = None) -> Scope:
    """403 unless the scope holds `perm` at `path` (or anywhere when path is None)."""
    scope = scope_of(request)
    allowed = scope.has_perm(perm, path) if path is not None else scope.has_perm_anywhere(perm)
    if not allowed:
        raise PermissionDenied(perm)
    return scope


def page_number(request: HttpRequest) -> int:
    """The `?page=` asked for (1 when absent or not a number; the paginator clamps it into range)."""
    try:
        return int(request.GET.get("page", "1"))
    except ValueError:
        return 1


PAGE_SIZES = (20, 50, 100)
PAGE_SIZE_DEFAULT = 50
PAGE_SIZE_MAX = 100
PAGE_SIZE_SESSION_KEY = "gonghui.page_size"


def page_size(request: HttpRequest, default: int = PAGE_SIZE_DEFAULT, *, data: QueryDict | None = None) -> int:
    """The `?page_size=` asked for, bounded to 1..100 (`default` when absent or not a number).

    Every list page that builds a paginator reads its page size here, so `?page_size=abc` or
    `?page_size=10**30` never reaches the paginator (nor the database) as asked. `data` is the
    form to read instead of the URL (a list whose search is POSTed, like the roster). A size
    asked for is remembered in the session and used by the lists that do not ask.
    """
    raw = (request.GET if data is None else data).get("page_size", "").strip()
    session = getattr(request, "session", None)
    if not (raw.isascii() and raw.isdigit()):  # absent, "abc", "-5", "2.5", full-width digits
        # The size a cadre chose last stays chosen: a filter form or another list page that does
        # not carry `page_size` does not fall back to 50 under them.
        remembered = session.get(PAGE_SIZE_SESSION_KEY) if session is not None else None
        return remembered if isinstance(remembered, int) and 1 <= remembered <= PAGE_SIZE_MAX else default
    # A huge number is the maximum (int() is never asked to read 10,000 digits).
    size = PAGE_SIZE_MAX if len(raw) > 6 else min(max(int(raw), 1), PAGE_SIZE_MAX)
    if session is not None and session.get(PAGE_SIZE_SESSION_KEY) != size:
        session[PAGE_SIZE_SESSION_KEY] = size
    return size


@dataclass(frozen=True)
class ListPage:
    """One page of a list page's rows, with what its pager needs (`{% pagination page pages count %}`)."""

    rows: list[Any]
    count: int
    page: int
    pages: int
    page_size: int

    def context(self) -> dict[str, Any]:
        """The template's `rows`, `count`, `page`, `pages` and `page_size` (which shows the size choice)."""
        return {
            "rows": self.rows,
            "count": self.count,
            "page": self.page,
            "pages": self.pages,
            "page_size": self.page_size,
        }


def list_page(request: HttpRequest, items: Any) -> ListPage:
    """The page of `items` (a QuerySet or a list) that `?page=` and `?page_size=` ask for.

    The size is bounded by `page_size`, the number clamped into 1..pages (a page past the
    end shows the last one), so no value in the URL is an error page.
    """
    size = page_size(request)
    paginator = Paginator(items, size)
    number = min(max(page_number(request), 1), paginator.num_pages)
    rows = list(paginator.page(number).object_list)
    return ListPage(rows=rows, count=paginator.count, page=number, pages=paginator.num_pages, page_size=size)


def refusal_text(exc: DomainError) -> str:
    """A service's refusal as one Chinese sentence for a flash message: its per-field reasons, or its message."""
    # A permission refusal's details name the permission, not a field: its message says it better.
    if isinstance(exc.details, dict) and exc.details and not isinstance(exc, PermissionDeniedError):
        return "；".join(str(reason) for reason in exc.details.values())
    return exc.message


def run_action(request: HttpRequest, done: str, action: Callable[[], object]) -> bool:
    """Run a service for a button: `done` as the page's message, or the service's refusal. True when it ran."""
    try:
        action()
    except DomainError as exc:
        messages.error(request, refusal_text(exc))
        return False
    messages.success(request, done)
    return True


@dataclass(frozen=True)
class Button:
    """One workflow button (a POSTed action name): who may press it, the service it calls, what it says.

    `perm` is checked before the service (any one of them, at the record's path or, without
    one, anywhere); None leaves every check to the service. `call` gets the view's context
    as keywords (actor, scope, the record, the note…). `done` is the success message, or
    makes it from what the service returned.
    """

    perm: str | tuple[str, ...] | None
    call: Callable[..., object]
    done: str | Callable[[Any], str]


def press_button(
    request: HttpRequest, buttons: Mapping[str, Button], name: str, *, path: str | None = None, **context: Any
) -> bool:
    """Press the button `name` of a page's `buttons`: the one dispatcher of workflow actions.

    An unknown name is a 404; a permission the caller lacks (checked here or refused by the
    service) a 403, as the API answers; any other refusal the page's error message. True
    when the service ran (its success message is then on the page).
    """
    button = buttons.get(name)
    if button is None:
        raise Http404
    if button.perm is not None:
        perms = (button.perm,) if isinstance(button.perm, str) else button.perm
        scope = scope_of(request)
        if not any(scope.has_perm(p, path) if path is not None else scope.has_perm_anywhere(p) for p in perms):
            raise PermissionDenied(perms[0])
    try:
        result = button.call(**context)
    except PermissionDeniedError as exc:
        raise PermissionDenied(exc.message) from exc
    except DomainError as exc:
        messages.error(request, refusal_text(exc))
        return False
    messages.success(request, button.done(result) if callable(button.done) else button.done)
    return True


def apply_domain_error(form: forms.Form, exc: DomainError) -> None:
    """Show a service's refusal on the form: per field where its details name fields."""
    # A permission refusal's details name the permission, not a field.
    if isinstance(exc.details, dict) and not isinstance(exc, PermissionDeniedError):
        for field, reason in exc.details.items():
            form.add_error(field if field in form.fields else None, reason)
    else:
        form.add_error(None, exc.message)


def run_form(
    request: HttpRequest, form: forms.Form, perform: Callable[[dict[str, Any]], tuple[str, str]]
) -> HttpResponse | None:
    """Run a service from a valid POSTed form.

    `perform` returns (url to go to, message). On success: the redirect. On a
    refusal, or a GET, or an invalid form: None, and the caller renders the form
    again (with the refusal on it); the service's transaction saved nothing.
    """
    if request.method == "POST" and form.is_valid():
        try:
            url, message = perform(dict(form.cleaned_data))
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, message)
            return redirect(url)
    return None
