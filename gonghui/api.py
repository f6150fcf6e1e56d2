"""The HTTP API under /api/v1/: one NinjaAPI, one error format, two ways in.

Browsers use their session (with CSRF); integrations (merchants' tills, banks)
send `Authorization: Bearer <token>`. Every error is `{"code", "message", "details"}`.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.functional import SimpleLazyObject
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.renderers import JSONRenderer
from ninja.security import HttpBearer, SessionAuth

from gonghui.accounts.api import router as auth_router
from gonghui.accounts.scope import scope_for_user
from gonghui.accounts.services import token_authenticate
from gonghui.aid.api import router as aid_router
from gonghui.benefits.api import router as benefits_router
from gonghui.cards.api import banks_router
from gonghui.cards.api import router as cards_router
from gonghui.cards.credit_api import router as credit_referrals_router
from gonghui.charity.api import router as charity_router
from gonghui.core.api import regions_router
from gonghui.core.errors import MESSAGES, DomainError
from gonghui.crosscheck.api import router as crosscheck_router
from gonghui.honors.api import router as honors_router
from gonghui.members.api import codes_router, transfers_router
from gonghui.members.api import router as members_router
from gonghui.orgs.api import router as orgs_router
from gonghui.payouts.api import router as payouts_router
from gonghui.reports.api import router as reports_router
from gonghui.rights.api import router as rights_router
from gonghui.rights.legal_api import router as rights_legal_router
from gonghui.skills.api import router as skills_router
from gonghui.skills.innovation_api import router as skills_innovation_router
from gonghui.stations.api import router as stations_router
from gonghui.student_aid.api import router as student_aid_router


class BearerTokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = token_authenticate(token)
        if user is None:
            return None
        request.user = user
        # Resolved on first use, as the session middleware does: a till's sale never reads grants.
        request.scope = SimpleLazyObject(lambda: scope_for_user(user))  # type: ignore[attr-defined]
        return user


class ActiveSessionAuth(SessionAuth):
    def _get_key(self, request: HttpRequest) -> str | None:
        # CSRF guards a logged-in session. Without one there is nothing to guard,
        # and a caller with no or a dead token must get the 401, not a CSRF 403.
        if not request.user.is_authenticated:
            return None
        try:
            return super()._get_key(request)
        except HttpError as exc:
            raise DomainError("csrf_failed", status=403) from exc

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = super().authenticate(request, key)
        if user is not None and not user.is_active:
            return None
        return user


class ChineseJSONRenderer(JSONRenderer):
    # Chinese stays readable in responses and logs instead of \uXXXX escapes.
    json_dumps_params = {"ensure_ascii": False}


api = NinjaAPI(
    renderer=ChineseJSONRenderer(),
    title="Gonghui 工会服务平台 API",
    version="1",
    urls_namespace="api",
    auth=[BearerTokenAuth(), ActiveSessionAuth()],
    docs_url="/docs",
    openapi_url="/openapi.json",
)


def error_response(request: HttpRequest, status: int, code: str, message: str, details: Any = None) -> HttpResponse:
    return api.create_response(request, {"code": code, "message": message, "details": details}, status=status)


@api.exception_handler(DomainError)
def on_domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return error_response(request, exc.status, exc.code, exc.message, exc.details)


@api.exception_handler(AuthenticationError)
def on_unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return error_response(request, 401, "unauthenticated", str(MESSAGES["unauthenticated"]))


@api.exception_handler(NinjaValidationError)
def on_invalid(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    details = [
        {"field": ".".join(str(p) for p in e.get("loc", ())[1:]) or None, "reason": e.get("msg")} for e in exc.errors
    ]
    return error_response(request, 422, "invalid", str(MESSAGES["invalid"]), details)


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return error_response(request, 404, "not_found", str(MESSAGES["not_found"]))


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return error_response(request, exc.status_code, "http_error", str(exc))


api.add_router("/auth", auth_router)
api.add_router("/orgs", orgs_router)
api.add_router("/members", members_router)
api.add_router("/transfers", transfers_router)
api.add_router("/codes", codes_router)
api.add_router("/regions", regions_router)
api.add_router("/cards", cards_router)
api.add_router("/banks", banks_router)
api.add_router("/benefits", benefits_router)
api.add_router("/payouts", payouts_router)
api.add_router("/credit-referrals", credit_referrals_router)
api.add_router("/aid", aid_router)
api.add_router("/crosscheck", crosscheck_router)
api.add_router("/student-aid", student_aid_router)
api.add_router("/honors", honors_router)
api.add_router("/stats", reports_router)
api.add_router("/stations", stations_router)
api.add_router("/rights", rights_router)
api.add_router("/rights", rights_legal_router)  # legal aid: its own module, same prefix
api.add_router("/charity", charity_router)
api.add_router("/skills", skills_router)
api.add_router("/skills", skills_innovation_router)
