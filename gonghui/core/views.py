from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness for load balancers: the database answers and the job queue is readable."""
    status = {"status": "ok", "database": "ok", "jobs": "ok"}
    code = 200
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:
        status.update(status="error", database="error")
        code = 503
    try:
        from django_tasks_db.models import DBTaskResult

        status["jobs_pending"] = DBTaskResult.objects.filter(status="READY").count()  # type: ignore[assignment]
    except Exception:
        status.update(status="error", jobs="error")
        code = 503
    return JsonResponse(status, status=code)


def ratelimited(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """A public form posted too often from one address or for one union (`core.ratelimits`): 429."""
    response = render(request, "429.html", status=429)
    response["Retry-After"] = "600"
    return response
