"""`gonghui worker`: the job worker (django-tasks' `db_worker`) that also recovers jobs whose worker died.

At start and every GONGHUI_BULK_RECOVER_SECONDS it runs `jobs.bulk_jobs_recover`: a running
job whose heartbeat stopped (its worker was killed: the OOM killer, a deploy, a crash) is
queued again as its next attempt, up to GONGHUI_BULK_MAX_ATTEMPTS in all, then failed with
the reason. Several workers may run it at once: each job is judged under its row lock.
`gonghui serve` starts this command and starts it again if it dies.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from django.conf import settings
from django.db import connection
from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand

from gonghui.core.jobs import bulk_jobs_recover

logger = logging.getLogger("gonghui.core.jobs")


def recover_periodically(stopping: threading.Event) -> None:
    """Recover stale jobs now and then every GONGHUI_BULK_RECOVER_SECONDS, until `stopping` is set."""
    while not stopping.is_set():
        try:
            counts = bulk_jobs_recover()
            if any(counts.values()):
                logger.warning("recovered bulk jobs: %s", counts)
        except Exception:  # the database restarting: the next round tries again
            logger.exception("bulk job recovery failed")
        finally:
            connection.close()  # this thread's own connection; a fresh one next round
        stopping.wait(settings.GONGHUI_BULK_RECOVER_SECONDS)


class Command(DbWorkerCommand):
    help = "后台任务进程：运行导入、导出等任务，并自动恢复因进程中断而停住的任务。"

    def handle(self, *args: Any, **options: Any) -> None:
        stopping = threading.Event()
        if settings.GONGHUI_BULK_RECOVER_SECONDS > 0:
            threading.Thread(target=recover_periodically, args=(stopping,), name="bulk-recover", daemon=True).start()
        try:
            super().handle(*args, **options)
        finally:
            stopping.set()
