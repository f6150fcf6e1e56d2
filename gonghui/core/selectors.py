from __future__ import annotations

from datetime import date, datetime, time

from django.db.models import Q, QuerySet
from django.utils import timezone

from gonghui.core.bulk.kinds import all_kinds, get_kind
from gonghui.core.errors import NotFoundError
from gonghui.core.models import AuditEvent, BulkJob
from gonghui.core.permissions import CorePerm
from gonghui.core.scoping import Scope, subtree_q, subtrees_q, unscoped


def audit_list(
    *,
    scope: Scope,
    action: str = "",
    actor: str = "",
    within_path: str = "",
    since: date | None = None,
    until: date | None = None,
) -> QuerySet[AuditEvent]:
    """Audit events of the subtrees where the scope may read the audit log.

    Events with no org (platform-level: tree repairs, token issue) are visible
    to superusers only, since `within` matches paths.
    """
    qs = AuditEvent.objects.within(scope, CorePerm.AUDIT_VIEW)
    if action:
        qs = qs.filter(action__startswith=action)
    if actor:
        qs = qs.filter(actor_label=actor)
    if within_path:
        qs = qs.filter(subtree_q("org_path", within_path))
    tz = timezone.get_current_timezone()
    if since:
        qs = qs.filter(at__gte=datetime.combine(since, time.min, tzinfo=tz))
    if until:
        qs = qs.filter(at__lte=datetime.combine(until, time.max, tzinfo=tz))
    return qs.order_by("-at", "-id")


def bulk_job_list(*, scope: Scope) -> QuerySet[BulkJob]:
    """The actor's own jobs, and the jobs of the unions where they hold the kind's permission.

    An import job answers to the kind's import permission, an export job to its
    export permission, each on the union the job is filed under.
    """
    if scope.is_superuser:
        with unscoped():
            return BulkJob.objects.all()
    q = Q(actor_id=scope.user_id) if scope.user_id is not None else Q(pk__in=[])
    for kind in all_kinds():
        for direction, perm in (
            (BulkJob.Direction.IMPORT, kind.import_perm),
            (BulkJob.Direction.EXPORT, kind.export_perm),
        ):
            paths = scope.paths_with(perm)
            if paths:
                q |= Q(kind=kind.name, direction=direction) & subtrees_q("org_path", paths)
    with unscoped():
        return BulkJob.objects.filter(q)


def bulk_job_get(*, scope: Scope, pk: int) -> BulkJob:
    """A job the scope may see; otherwise not found (never 403)."""
    job = bulk_job_list(scope=scope).select_related("org").filter(pk=pk).first()
    if job is None:
        raise NotFoundError()
    return job


def bulk_job_file_allowed(*, scope: Scope, job: BulkJob) -> bool:
    """Whether the scope may download the job's file: its error workbook or its export.

    Read from the grants as they are at download time, never from who started the
    job. An export with full ID numbers needs the kind's private permission on the
    job's union, whoever asks. The actor may otherwise while they still hold the
    permission that started the job (import or export) there; anyone else needs
    the private permission for an error workbook (it holds the rows as given)
    and the export permission for a masked export.
    """
    if scope.is_superuser:
        return True
    try:
        kind = get_kind(job.kind)
    except KeyError:
        return False
    if job.unmasked:
        return scope.has_perm(kind.private_perm, job.org_path)
    if scope.user_id is not None and job.actor_id == scope.user_id:
        started_with = kind.import_perm if job.direction == BulkJob.Direction.IMPORT else kind.export_perm
        if scope.has_perm(started_with, job.org_path):
            return True
    if job.direction == BulkJob.Direction.IMPORT:
        return scope.has_perm(kind.private_perm, job.org_path)
    return scope.has_perm(kind.export_perm, job.org_path)
