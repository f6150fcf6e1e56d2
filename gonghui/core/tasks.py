"""Tasks queued before the task moved into `core.jobs` name this module; it keeps them runnable."""

from gonghui.core.jobs import bulk_job_run

__all__ = ["bulk_job_run"]
