from __future__ import annotations

import json
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseForbidden
from django.utils.functional import SimpleLazyObject

from gonghui.accounts.scope import scope_for_user
from gonghui.core.scoping import answering_with


class ScopeMiddleware:
    """Resolves `request.scope` lazily, once per request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        scope = SimpleLazyObject(lambda: scope_for_user(request.user))
        request.scope = scope  # type: ignore[attr-defined]
        # Form fields that take a union's name resolve it within this scope (core.scoping.request_scope_now).
        with answering_with(scope):  # type: ignore[arg-type]
            return self.get_response(request)


# Set at login for a member's own account (the phone's): one query then, none per request.
MEMBER_SESSION = "gonghui_member_account"
# What a member's session is refused outright: the API and the pages that answered it with empty
# lists (200). The other staff pages already refuse a grantless user (403 for a list, 404 for a
# record) and the staff login and profile pages point the member to the phone.
MEMBER_BLOCKED = ("/api/", "/imports/", "/synonyms/")


def mark_member_session(sender: object, request: HttpRequest, user: object, **kwargs: object) -> None:
    from gonghui.accounts.services import is_member_account

    if is_member_account(user):
        request.session[MEMBER_SESSION] = True


def is_member_session(request: HttpRequest) -> bool:
    session = getattr(request, "session", None)
    return bool(session is not None and session.get(MEMBER_SESSION))


class MemberSessionMiddleware:
    """A member's session gets 403 from the API and the bulk pages, with the pointer to the phone.

    Members have no grant, so those answered empty lists (200): still an answer that the
    staff site is theirs to probe.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        path = request.path
        if is_member_session(request) and path.startswith(MEMBER_BLOCKED):
            from gonghui.core.errors import DomainError

            message = str(DomainError("accounts.member_account").message)
            if path.startswith("/api/"):
                body = {"code": "accounts.member_account", "message": message, "details": None}
                return HttpResponseForbidden(
                    json.dumps(body, ensure_ascii=False), content_type="application/json; charset=utf-8"
                )
            return HttpResponseForbidden(message, content_type="text/plain; charset=utf-8")
        return self.get_response(request)
