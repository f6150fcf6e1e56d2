"""Background tasks of the shared kernel; thin adapters around services (STYLE rule 9)."""

from __future__ import annotations

from django_tasks import task

from gonghui.core.jobs import bulk_job_execute


@task()
def bulk_job_run(job_id: int, attempt: int) -> str:
    """Run one attempt of a bulk import or export job (see `core.jobs`)."""
    return bulk_job_execute(job_id, attempt)
