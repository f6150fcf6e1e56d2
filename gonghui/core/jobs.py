"""Bulk jobs: queue an import or an export for one union's subtree, run it, re-run a stuck one.

Pages call the `bulk_*_start` services; the task (`bulk_job_run`, below) is a
thin adapter around `bulk_job_execute`. A job runs as its actor, with their
grants read again when it starts and confined to the job's union, so rights
withdrawn in between are honoured and no row reaches past that subtree.

Each run is an attempt: re-running bumps `attempt`, and a task claims only the
attempt it was enqueued for, so a second delivery of the same task, or a run
of a worker believed dead, cannot overwrite the newer run's state. Imports are
idempotent, so running the same file again is how a killed job resumes.

Files do not outlive their purpose: an import's upload is deleted when its job
ends, unless it failed in a way a re-run may mend (then it stays until the
retention period is over); error workbooks and exports are deleted that long
after their job finished (`bulk_files_sweep`, run by `gonghui files sweep`).
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from django_tasks import task

from gonghui.core.bulk import UnreadableFile
from gonghui.core.bulk.engine import Summary, run_import
from gonghui.core.bulk.files import (
    clear_copy,
    data_dir,
    estimate_rows,
    new_export_path,
    promote_pending,
    purge_pending,
    relative,
    resolve,
    sealed_output,
    work_dir,
)
from gonghui.core.bulk.kinds import BulkKind, get_kind
from gonghui.core.crypto import SealError
from gonghui.core.errors import DomainError, PermissionDeniedError
from gonghui.core.models import BulkJob, BulkJobAttempt
from gonghui.core.scoping import scope_of_user, unscoped

if TYPE_CHECKING:
    from gonghui.accounts.models import User
    from gonghui.core.scoping import Scope
    from gonghui.orgs.models import Org

logger = logging.getLogger(__name__)

Status = BulkJob.Status
Direction = BulkJob.Direction
Trigger = BulkJobAttempt.Trigger
Outcome = BulkJobAttempt.Outcome
INTERNAL_ERROR = "任务运行时发生内部错误（已记入服务器日志），可以稍后重新运行。"
WORKER_LOST = "后台任务进程在运行中中断（被终止或服务器重启）。"
GAVE_UP = "后台任务进程在运行中中断，已运行 {n} 次仍未完成，不再自动重试；请查看服务器日志后重新运行。"


def _enqueue_on_commit(job: BulkJob, trigger: str = Trigger.FIRST) -> None:
    """Record the attempt and queue its task once the transaction that made it commits."""
    BulkJobAttempt.objects.create(job=job, number=job.attempt, trigger=trigger)
    job_id, attempt = job.pk, job.attempt
    transaction.on_commit(lambda: bulk_job_run.enqueue(job_id, attempt))


def _check_org(org: Org) -> None:
    if org.closed_on is not None:
        raise DomainError("bulk.org_closed", org=org.name)


def bulk_import_start(
    *,
    actor: User,
    scope: Scope,
    kind: BulkKind,
    org: Org,
    stored: str,
    file_name: str,
    dry_run: bool,
    header_map: dict[str, str] | None = None,
) -> BulkJob:
    """Queue the import of an upload (`stored` under uploads/pending/) into `org`'s subtree.

    `header_map` ({header as in the file: column}) reads the columns the user confirmed.
    """
    if not kind.importable or not scope.has_perm(kind.import_perm, org.path):
        raise PermissionDeniedError(kind.import_perm)
    _check_org(org)
    try:
        path = promote_pending(stored)
    except FileNotFoundError as exc:
        raise DomainError("bulk.file_missing") from exc
    with transaction.atomic():
        job = BulkJob(
            direction=Direction.IMPORT,
            kind=kind.name,
            org=org,
            org_path=org.path,
            actor=actor,
            actor_label=actor.get_username(),
            file_path=path,
            file_name=file_name,
            dry_run=dry_run,
            header_map=header_map or {},
        )
        job.save(force_insert=True)
        _enqueue_on_commit(job)
    return job


def bulk_export_start(
    *, actor: User, scope: Scope, kind: BulkKind, org: Org, unmasked: bool, suffix: str = ".xlsx"
) -> BulkJob:
    """Queue the export of `org`'s subtree; full ID numbers only with the kind's unmasked permission there."""
    if not scope.has_perm(kind.export_perm, org.path):
        raise PermissionDeniedError(kind.export_perm)
    unmasked = unmasked and kind.unmasked_perm is not None
    if unmasked and kind.unmasked_perm and not scope.has_perm(kind.unmasked_perm, org.path):
        raise PermissionDeniedError(kind.unmasked_perm)
    _check_org(org)
    stamp = timezone.localdate().strftime("%Y%m%d")
    with transaction.atomic():
        job = BulkJob(
            direction=Direction.EXPORT,
            kind=kind.name,
            org=org,
            org_path=org.path,
            actor=actor,
            actor_label=actor.get_username(),
            file_path=relative(new_export_path(suffix)),
            file_name=f"{kind.export_sheet}-{org.code}-{stamp}{'-完整证件号码' if unmasked else ''}{suffix}",
            unmasked=unmasked,
        )
        job.save(force_insert=True)
        _enqueue_on_commit(job)
    return job


def bulk_job_stale(job: BulkJob, *, now: datetime | None = None) -> bool:
    """Queued or running with no sign of life for longer than a batch could take: its worker is gone."""
    if not job.is_active:
        return False
    last = job.heartbeat_at or job.started_at or job.created_at
    return last < (now or timezone.now()) - timedelta(minutes=settings.GONGHUI_BULK_STALE_MINUTES)


def bulk_job_rerunnable(job: BulkJob) -> bool:
    """Failed or stuck, and (an import) its upload still kept."""
    if not (job.status == Status.FAILED or bulk_job_stale(job)):
        return False
    return job.direction != Direction.IMPORT or resolve(job.file_path) is not None


def bulk_job_rerun(*, actor: User, scope: Scope, job: BulkJob) -> BulkJob:
    """Run a failed or stuck job again as a new attempt; only its own actor may, while still permitted."""
    if job.actor_id != actor.pk and not scope.is_superuser:
        raise PermissionDeniedError()
    try:
        kind = get_kind(job.kind)
    except KeyError as exc:
        raise DomainError("bulk.not_rerunnable") from exc
    perm = kind.import_perm if job.direction == Direction.IMPORT else kind.export_perm
    if not scope.has_perm(perm, job.org_path):
        raise PermissionDeniedError(perm)
    with transaction.atomic(), unscoped():
        locked = BulkJob.objects.select_for_update().get(pk=job.pk)
        if not bulk_job_rerunnable(locked):
            raise DomainError("bulk.not_rerunnable")
        _requeue(locked, Trigger.RERUN)
    return locked


def _requeue(locked: BulkJob, trigger: str) -> None:
    """Queue a new attempt of a locked job; an attempt still marked live was lost with its worker."""
    now = timezone.now()
    BulkJobAttempt.objects.filter(
        job=locked, number=locked.attempt, outcome__in=[Outcome.QUEUED, Outcome.RUNNING]
    ).update(outcome=Outcome.LOST, ended_at=now, rows_done=locked.rows_done, error=WORKER_LOST)
    locked.status = Status.QUEUED
    locked.attempt += 1
    locked.rows_done = 0
    locked.rows_total = None
    locked.summary = None
    if locked.direction == Direction.IMPORT:
        # The last attempt's error workbook: the new attempt writes the whole file's anew.
        stale_report = resolve(locked.report_path)
        if stale_report is not None:
            transaction.on_commit(lambda: stale_report.unlink(missing_ok=True))
        locked.report_path = ""
    locked.error = ""
    locked.started_at = locked.finished_at = locked.heartbeat_at = None
    locked.save(
        update_fields=[
            "status",
            "attempt",
            "rows_done",
            "rows_total",
            "summary",
            "report_path",
            "error",
            "started_at",
            "finished_at",
            "heartbeat_at",
        ]
    )
    _enqueue_on_commit(locked, trigger)


def bulk_jobs_recover(*, now: datetime | None = None) -> dict[str, int]:
    """Pick up the running jobs whose worker died: queue the next attempt, or fail after the last one.

    Run by every job worker at start and every GONGHUI_BULK_RECOVER_SECONDS (`gonghui worker`),
    and by `gonghui jobs recover`. Only running jobs count: a queued job's task is still in
    the queue and runs when a worker is free. Each job is taken under its row lock and judged
    again there, so two workers recovering at once queue one attempt, not two. Imports resume
    by running the same file again (they are idempotent); exports start over.
    """
    now = now or timezone.now()
    cutoff = now - timedelta(minutes=settings.GONGHUI_BULK_STALE_MINUTES)
    counts = {"resumed": 0, "failed": 0}
    with unscoped():
        candidates = list(  # `bulk_job_stale` in SQL, for running jobs (which always have started_at)
            BulkJob.all_objects.filter(status=Status.RUNNING)
            .filter(Q(heartbeat_at__lt=cutoff) | Q(heartbeat_at__isnull=True, started_at__lt=cutoff))
            .values_list("pk", flat=True)
        )
        for job_id in candidates:
            with transaction.atomic():
                locked = BulkJob.all_objects.select_for_update().filter(pk=job_id).first()
                if locked is None or locked.status != Status.RUNNING or not bulk_job_stale(locked, now=now):
                    continue
                if locked.attempt < settings.GONGHUI_BULK_MAX_ATTEMPTS and _resumable(locked):
                    logger.warning("bulk job %s: worker lost in attempt %s, queued again", job_id, locked.attempt)
                    _requeue(locked, Trigger.RECOVER)
                    counts["resumed"] += 1
                else:
                    logger.warning("bulk job %s: worker lost in attempt %s, marked failed", job_id, locked.attempt)
                    message = GAVE_UP.format(n=locked.attempt) if _resumable(locked) else WORKER_LOST
                    BulkJobAttempt.objects.filter(job=locked, number=locked.attempt).update(
                        outcome=Outcome.LOST, ended_at=now, rows_done=locked.rows_done, error=WORKER_LOST
                    )
                    BulkJob.all_objects.filter(pk=job_id).update(status=Status.FAILED, error=message, finished_at=now)
                    counts["failed"] += 1
    return counts


def _resumable(job: BulkJob) -> bool:
    return job.direction != Direction.IMPORT or resolve(job.file_path) is not None


# --- running ----------------------------------------------------------------------------------


def _attempt(job_id: int, attempt: int) -> Any:
    return BulkJob.all_objects.filter(pk=job_id, attempt=attempt)


def _job_scope(job: BulkJob, perm: str) -> Scope:
    """The actor's grants as they are now, confined to the job's union."""
    if job.org is None:
        raise DomainError("not_found")
    _check_org(job.org)
    if job.actor is None or not job.actor.is_active:
        raise DomainError("bulk.actor_gone")
    scope = scope_of_user(job.actor)
    if not scope.has_perm(perm, job.org.path):
        raise PermissionDeniedError(perm)
    return scope.confined_to(org_id=job.org.pk, org_code=job.org.code, path=job.org.path)


def _run_import(job: BulkJob) -> dict[str, Any]:
    kind = get_kind(job.kind)
    scope = _job_scope(job, kind.import_perm)
    path = resolve(job.file_path)
    if path is None:
        raise DomainError("bulk.file_missing")
    try:
        with clear_copy(path) as clear:
            return _import_file(job, kind, scope, clear)
    except SealError as exc:
        raise DomainError("bulk.file_sealed") from exc


def _import_file(job: BulkJob, kind: BulkKind, scope: Scope, path: Path) -> dict[str, Any]:
    rows = estimate_rows(path)
    if rows is not None:
        _attempt(job.pk, job.attempt).update(rows_total=max(rows - 1, 0))

    def progress(done: int, summary: Summary) -> None:
        # Autocommit: each batch's count is visible to the job page at once.
        _attempt(job.pk, job.attempt).update(rows_done=done, heartbeat_at=timezone.now())

    assert kind.build is not None  # only an importable kind's job is ever queued
    importer = kind.build(actor=job.actor, scope=scope, org=job.org)
    summary = run_import(
        importer, path, dry_run=job.dry_run, progress=progress, renames=job.header_map or None, seal_report=True
    )
    if not summary.dry_run:
        importer.audit(summary.as_json(), job.file_name)
    result = summary.as_json()
    result["report"] = relative(summary.report) if summary.report else None
    return {"rows_done": summary.rows, "summary": result, "report_path": result["report"] or ""}


def _run_export(job: BulkJob) -> dict[str, Any]:
    kind = get_kind(job.kind)
    scope = _job_scope(job, kind.export_perm)
    if job.unmasked and (kind.unmasked_perm is None or not scope.has_perm(kind.unmasked_perm, job.org_path)):
        raise PermissionDeniedError(kind.unmasked_perm or "")
    target = (data_dir() / job.file_path).resolve()
    if not target.is_relative_to(data_dir().resolve()):
        raise DomainError("bulk.file_missing")
    target.parent.mkdir(parents=True, exist_ok=True)
    with sealed_output(target) as clear:
        count = kind.export(str(clear), actor=job.actor, org=job.org, unmasked=job.unmasked, scope=scope)
    return {"rows_done": count, "summary": {"rows": count}, "report_path": job.file_path}


def bulk_job_execute(job_id: int, attempt: int) -> str:
    """Run attempt `attempt` of a job once: claim it, run it, record the outcome; the outcome's name."""
    now = timezone.now()
    claimed = (
        _attempt(job_id, attempt)
        .filter(status=Status.QUEUED)
        .update(status=Status.RUNNING, started_at=now, heartbeat_at=now, rows_done=0, error="")
    )
    if not claimed:
        return "skipped"  # delivered twice, or superseded by a re-run
    _attempt_row(job_id, attempt, Outcome.QUEUED).update(outcome=Outcome.RUNNING, started_at=now)
    job = BulkJob.all_objects.select_related("org", "actor").get(pk=job_id)
    try:
        with unscoped(), _heartbeat(job_id, attempt):
            outcome = _run_import(job) if job.direction == Direction.IMPORT else _run_export(job)
    except UnreadableFile as exc:
        # The same file would fail the same way: it has no further use.
        if _fail(job_id, attempt, str(exc)):
            _drop_upload(job)
        return "failed"
    except DomainError as exc:
        # Kept: a re-run may succeed once a grant or the union is put right (until the sweep).
        _fail(job_id, attempt, exc.message)
        return "failed"
    except Exception:
        logger.exception("bulk job %s (attempt %s) failed", job_id, attempt)
        _fail(job_id, attempt, INTERNAL_ERROR)
        raise
    finished = timezone.now()
    if not _attempt(job_id, attempt).update(status=Status.DONE, finished_at=finished, heartbeat_at=finished, **outcome):
        # Superseded while it ran (taken for dead and queued again): the newer attempt owns
        # the job, and needs the upload this one would otherwise delete.
        return "superseded"
    _attempt_row(job_id, attempt, Outcome.RUNNING).update(
        outcome=Outcome.DONE, ended_at=finished, rows_done=outcome["rows_done"]
    )
    _drop_upload(job)
    return "done"


def _attempt_row(job_id: int, number: int, outcome: str) -> Any:
    # Only while it still reads `outcome`: an attempt recovery wrote off as lost stays lost,
    # even if its worker was only frozen and finishes later (its job's state is the newer run's).
    return BulkJobAttempt.objects.filter(job_id=job_id, number=number, outcome=outcome)


class _heartbeat:
    """Touch the job's heartbeat from a thread while it runs: life is the process, not the progress.

    An export writes no progress, and one import batch can outlast the stale timeout on a
    loaded server; without this, recovery would take a live job for a dead one. The thread
    dies with its process, so a killed worker's heartbeat stops, which is what recovery reads.
    """

    def __init__(self, job_id: int, attempt: int) -> None:
        self.job_id, self.attempt = job_id, attempt
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._beat, name=f"bulk-job-{job_id}-heartbeat", daemon=True)

    def __enter__(self) -> None:
        if settings.GONGHUI_BULK_HEARTBEAT_SECONDS > 0:
            self.thread.start()

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        if self.thread.is_alive():
            self.thread.join()

    def _beat(self) -> None:
        try:
            while not self.stop.wait(settings.GONGHUI_BULK_HEARTBEAT_SECONDS):
                try:
                    _attempt(self.job_id, self.attempt).filter(status=Status.RUNNING).update(
                        heartbeat_at=timezone.now()
                    )
                except Exception:  # a locked SQLite file, a database restarting: the next beat tries again
                    logger.warning("bulk job %s: heartbeat not written", self.job_id, exc_info=True)
                    connection.close()  # reconnect at the next beat
        finally:
            connection.close()  # this thread's own connection


def _drop_upload(job: BulkJob) -> None:
    """Delete an import's upload once its job has ended for good; its name stays on the job for display."""
    if job.direction != Direction.IMPORT:
        return
    path = resolve(job.file_path)
    if path is not None and path.parent == data_dir().resolve() / "uploads":
        path.unlink(missing_ok=True)


def _fail(job_id: int, attempt: int, message: str) -> bool:
    """Record the attempt's failure; False when a newer attempt has taken the job over."""
    now = timezone.now()
    _attempt_row(job_id, attempt, Outcome.RUNNING).update(outcome=Outcome.FAILED, ended_at=now, error=message)
    return bool(
        _attempt(job_id, attempt).update(status=Status.FAILED, error=message, finished_at=now, heartbeat_at=now)
    )


# --- retention --------------------------------------------------------------------------------


WORK_HOURS = 24  # a clear copy older than this was left by a process killed while reading
SWEEP_LOOKUP_CHUNK = 500


def bulk_files_sweep(*, days: int | None = None, now: datetime | None = None) -> dict[str, int]:
    """Delete bulk files past their time; counts by kind of file. Safe to run at any moment, and again.

    - error workbooks and exports `days` (GONGHUI_FILE_RETENTION_DAYS) after they were written;
    - uploads of failed jobs as long after their job ended (a done job's upload is gone
      already), of queued or running jobs as long after their last sign of life (their
      worker was killed and nobody re-ran them), and uploads no job names after a day;
    - previewed uploads never started (a day), clear copies left in `work/` by a killed reader.
    """
    days = settings.GONGHUI_FILE_RETENTION_DAYS if days is None else days
    now = now or timezone.now()
    cutoff = (now - timedelta(days=days)).timestamp()
    removed = {"reports": 0, "exports": 0, "uploads": 0, "pending": purge_pending(), "work": 0}
    for folder in ("reports", "exports"):
        removed[folder] = _unlink_older(data_dir() / folder, cutoff)
    removed["work"] = _unlink_older(work_dir(), (now - timedelta(hours=WORK_HOURS)).timestamp())
    uploads = data_dir() / "uploads"
    files = sorted(p for p in uploads.iterdir() if p.is_file()) if uploads.is_dir() else []
    orphan_cutoff = (now - timedelta(hours=WORK_HOURS)).timestamp()
    for start in range(0, len(files), SWEEP_LOOKUP_CHUNK):
        chunk = files[start : start + SWEEP_LOOKUP_CHUNK]
        with unscoped():
            last_seen: dict[str, datetime] = dict(
                BulkJob.all_objects.filter(
                    direction=Direction.IMPORT, file_path__in=[f"uploads/{p.name}" for p in chunk]
                ).values_list("file_path", Coalesce("finished_at", "heartbeat_at", "started_at", "created_at"))
            )
        for path in chunk:
            # An ended job's upload waits for a re-run until the period is over; so does a queued
            # or running one's, counted from its last sign of life: past the period, its worker
            # is long gone (a live job's heartbeat moves with every batch). An upload no job
            # names (a crash between the upload and its job) goes after a day.
            found = last_seen.get(f"uploads/{path.name}")
            expired = _mtime(path) < orphan_cutoff if found is None else found.timestamp() < cutoff
            if expired:
                path.unlink(missing_ok=True)
                removed["uploads"] += 1
    return removed


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except FileNotFoundError:
        return float("inf")  # gone already


def _unlink_older(directory: Path, cutoff: float) -> int:
    if not directory.is_dir():
        return 0
    removed = 0
    for path in directory.iterdir():
        if path.is_file() and _mtime(path) < cutoff:
            path.unlink(missing_ok=True)
            removed += 1
    return removed


def bulk_job_upload_gone(job: BulkJob) -> bool:
    """A failed or stuck import whose upload has been deleted (unreadable, or kept past the retention period)."""
    if job.direction != Direction.IMPORT or not (job.status == Status.FAILED or bulk_job_stale(job)):
        return False
    return resolve(job.file_path) is None


def bulk_job_file_expired(job: BulkJob) -> bool:
    """A finished job whose file (error workbook, export) the sweep has deleted."""
    return job.status == Status.DONE and bool(job.report_path) and resolve(job.report_path) is None


@task()
def bulk_job_run(job_id: int, attempt: int) -> str:
    """The job worker's entry: run one attempt of a bulk import or export job (a thin adapter, STYLE rule 9)."""
    return bulk_job_execute(job_id, attempt)
