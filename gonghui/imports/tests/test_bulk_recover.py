"""Jobs resume by themselves: a running job whose worker died is queued again, at most so many times.

In-process tests drive `jobs.bulk_jobs_recover` with the ImmediateBackend (the next attempt
runs when the recovery's transaction commits); the last test kills a real `gonghui worker`
with SIGKILL in the middle of an import and lets a second worker pick the job up.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from gonghui.core import jobs
from gonghui.core.models import BulkJob, BulkJobAttempt
from gonghui.core.scoping import unscoped
from gonghui.imports.tests.test_bulk_web import _queued_job
from gonghui.members.models import Membership

pytestmark = pytest.mark.django_db

Outcome = BulkJobAttempt.Outcome


@pytest.fixture
def officer(tree, make_user):
    return make_user("lps_officer", ("officer", "520200"))


@pytest.fixture(autouse=True)
def data_dir(settings, tmp_path: Path) -> Path:
    settings.DATA_DIR = tmp_path
    return tmp_path


def _killed_mid_run(job: BulkJob, monkeypatch, *, minutes_ago: int = 20) -> None:
    """Run the job to its end but as if its worker died before recording it (heartbeat stopped long ago)."""
    with monkeypatch.context() as m:
        m.setattr(jobs, "_drop_upload", lambda job: None)
        m.setattr(jobs, "_attempt_row", lambda *a: BulkJobAttempt.objects.none())  # the row stays "running"
        assert jobs.bulk_job_execute(job.pk, job.attempt) == "done"
    BulkJobAttempt.objects.filter(job=job, number=job.attempt).update(
        outcome=Outcome.RUNNING, started_at=timezone.now() - timedelta(minutes=minutes_ago + 1)
    )
    BulkJob.all_objects.filter(pk=job.pk).update(
        status="running", summary=None, heartbeat_at=timezone.now() - timedelta(minutes=minutes_ago)
    )


def _attempts(job: BulkJob) -> list[tuple[int, str, str]]:
    return list(BulkJobAttempt.objects.filter(job=job).values_list("number", "trigger", "outcome"))


def test_a_job_whose_worker_died_is_resumed_as_its_next_attempt(
    officer, monkeypatch, django_capture_on_commit_callbacks, login
) -> None:
    job = _queued_job(officer, lines=4)
    _killed_mid_run(job, monkeypatch)
    with django_capture_on_commit_callbacks(execute=True):
        assert jobs.bulk_jobs_recover() == {"resumed": 1, "failed": 0}
    job.refresh_from_db()
    assert (job.status, job.attempt) == ("done", 2)
    assert (job.summary["created"], job.summary["unchanged"]) == (0, 4)  # resumed: nothing doubled
    assert _attempts(job) == [(1, "first", "lost"), (2, "recover", "done")]
    lost = BulkJobAttempt.objects.get(job=job, number=1)
    assert lost.error == jobs.WORKER_LOST and lost.ended_at is not None
    with unscoped():
        assert Membership.objects.count() == 4
    # The job page lists both attempts and why the first ended.
    page = login(officer).get(f"/imports/{job.pk}/").content.decode()
    assert 'data-testid="attempts"' in page
    assert "自动恢复" in page and "工作进程中断" in page and "首次运行" in page


def test_after_the_last_attempt_the_job_fails_with_the_reason(officer, monkeypatch, settings) -> None:
    settings.GONGHUI_BULK_MAX_ATTEMPTS = 2
    job = _queued_job(officer)
    BulkJob.all_objects.filter(pk=job.pk).update(attempt=2)
    BulkJobAttempt.objects.filter(job=job).update(number=2, trigger="recover")
    job.refresh_from_db()
    _killed_mid_run(job, monkeypatch)
    assert jobs.bulk_jobs_recover() == {"resumed": 0, "failed": 1}
    job.refresh_from_db()
    assert job.status == "failed"
    assert job.error == jobs.GAVE_UP.format(n=2)
    assert "已运行 2 次仍未完成" in job.error
    assert _attempts(job) == [(2, "recover", "lost")]
    # A person may still run it again by hand: the upload is kept for that.
    assert jobs.bulk_job_rerunnable(job)


def test_an_import_whose_upload_is_gone_fails_at_once(officer, monkeypatch, data_dir) -> None:
    job = _queued_job(officer)
    _killed_mid_run(job, monkeypatch)
    (data_dir / job.file_path).unlink()
    assert jobs.bulk_jobs_recover() == {"resumed": 0, "failed": 1}
    job.refresh_from_db()
    assert (job.status, job.error) == ("failed", jobs.WORKER_LOST)


def test_live_and_queued_jobs_are_left_alone(officer, monkeypatch) -> None:
    alive = _queued_job(officer)
    _killed_mid_run(alive, monkeypatch, minutes_ago=1)  # a heartbeat a minute old: still working
    queued = _queued_job(officer)
    BulkJob.all_objects.filter(pk=queued.pk).update(created_at=timezone.now() - timedelta(hours=2))
    assert jobs.bulk_jobs_recover() == {"resumed": 0, "failed": 0}
    assert BulkJob.all_objects.get(pk=alive.pk).status == "running"
    assert BulkJob.all_objects.get(pk=queued.pk).status == "queued"


def test_recovering_twice_queues_one_attempt(officer, monkeypatch) -> None:
    job = _queued_job(officer)
    _killed_mid_run(job, monkeypatch)
    # The on-commit enqueue does not run inside the test's transaction: no worker has taken it yet.
    assert jobs.bulk_jobs_recover() == {"resumed": 1, "failed": 0}
    assert jobs.bulk_jobs_recover() == {"resumed": 0, "failed": 0}
    job.refresh_from_db()
    assert (job.status, job.attempt) == ("queued", 2)
    assert _attempts(job) == [(1, "first", "lost"), (2, "recover", "queued")]


@pytest.mark.django_db(transaction=True)  # the thread's own connection must see the job's rows
def test_the_heartbeat_thread_keeps_a_long_job_alive(officer, monkeypatch, settings) -> None:
    settings.GONGHUI_BULK_HEARTBEAT_SECONDS = 0.05
    job = _queued_job(officer)  # committed at once here, so the ImmediateBackend ran it; queue a second attempt
    BulkJob.all_objects.filter(pk=job.pk).update(status="queued", attempt=2)
    seen: list[object] = []

    def slow(j: BulkJob):  # one batch longer than a beat, with no progress written
        BulkJob.all_objects.filter(pk=j.pk).update(heartbeat_at=timezone.now() - timedelta(hours=1))
        time.sleep(0.5)
        seen.append(BulkJob.all_objects.get(pk=j.pk).heartbeat_at)
        return {"rows_done": 0, "summary": {}, "report_path": ""}

    monkeypatch.setattr(jobs, "_run_import", slow)
    assert jobs.bulk_job_execute(job.pk, 2) == "done"
    assert seen and seen[0] > timezone.now() - timedelta(minutes=1)


SETUP = """
from gonghui.conftest import build_tree
from gonghui.accounts.models import User
from gonghui.accounts.services import grant_role
from gonghui.accounts.scope import scope_for_user
from gonghui.core import jobs
from gonghui.core.bulk.files import new_pending_path, relative
from gonghui.core.bulk.kinds import get_kind
from gonghui.imports.tests.test_bulk_web import roster_csv, roster_lines
tree = build_tree()
user = User.objects.create_user(username="officer", password="x")
grant_role(actor=None, actor_scope=None, user=user, role_name="officer", org_code="520200")
path = new_pending_path(".csv")
path.write_bytes(roster_csv(roster_lines(ROWS)))
job = jobs.bulk_import_start(actor=user, scope=scope_for_user(user), kind=get_kind("members"),
    org=tree.courier_union, stored=relative(path), file_name="r.csv", dry_run=False)
print("JOB", job.pk)
"""

STATE = """
from gonghui.core.models import BulkJob, BulkJobAttempt
from gonghui.core.scoping import unscoped
from gonghui.members.models import Membership
with unscoped():
    job = BulkJob.all_objects.get()
    attempts = list(BulkJobAttempt.objects.values_list("number", "trigger", "outcome"))
    members = Membership.objects.count()
    print("STATE", repr((job.status, job.attempt, job.rows_done, job.summary, attempts, members, job.error)))
"""


def _run(env: dict[str, str], *args: str, code: str | None = None) -> str:
    gonghui = str(Path(sys.executable).with_name("gonghui"))
    command = [gonghui, *args] if code is None else [gonghui, "shell", "-c", code]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300, check=False)  # noqa: S603
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def _state(env: dict[str, str]) -> tuple:
    out = _run(env, code=STATE)
    return eval(out.split("STATE ", 1)[1])  # noqa: S307 - our own repr, from our own process


def _peek(db: Path) -> tuple[str, int, int, str]:
    """The job's status, attempt, rows done and error, read straight from the file (a shell start is too slow)."""
    with contextlib.closing(sqlite3.connect(db, timeout=30)) as conn:
        row = conn.execute("SELECT status, attempt, rows_done, error FROM core_bulkjob").fetchone()
    return row[0], row[1], row[2], row[3]


def _worker(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    gonghui = str(Path(sys.executable).with_name("gonghui"))
    with log.open("ab") as out:
        return subprocess.Popen(  # noqa: S603 - fixed executable
            [gonghui, "worker", "--no-startup-delay", "--interval", "0.2", "--no-reload"],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )


@pytest.mark.django_db(databases=[])
def test_a_killed_worker_leaves_a_job_the_next_worker_finishes(tmp_path: Path) -> None:
    """The real thing: `gonghui worker` killed with SIGKILL mid-import, a second one resumes it by itself.

    Its own SQLite file (both workers and the set-up share it), whatever database the suite runs on.
    """
    rows = 9500  # the roster helper makes valid mobiles for fewer than 10,000 rows
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GONGHUI_", "DJANGO_", "DATABASE_"))}
    env.update(
        GONGHUI_DATA_DIR=str(tmp_path / "data"),
        DATABASE_URL=f"sqlite:///{tmp_path / 'jobs.sqlite3'}",
        # A worker counts as dead after 20 s without a heartbeat; the living beat every second.
        GONGHUI_BULK_STALE_MINUTES="0.33",
        GONGHUI_BULK_HEARTBEAT_SECONDS="1",
        GONGHUI_BULK_RECOVER_SECONDS="1",
    )
    _run(env, "migrate", "--noinput", "-v", "0")
    _run(env, code=SETUP.replace("ROWS", str(rows)))

    first = _worker(env, tmp_path / "worker.log")
    try:
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline:  # until the import is under way, batches written
            status, _attempt, done, error = _peek(tmp_path / "jobs.sqlite3")
            if status == "running" and done > 0:
                break
            assert status in ("queued", "running"), (status, error, (tmp_path / "worker.log").read_text())
            time.sleep(0.05)
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=30)
        status, attempt, done, _error = _peek(tmp_path / "jobs.sqlite3")
        assert (status, attempt) == ("running", 1) and 0 < done < rows, (status, done)
    finally:
        if first.poll() is None:
            first.kill()

    second = _worker(env, tmp_path / "worker.log")
    try:
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            if _peek(tmp_path / "jobs.sqlite3")[0] in ("done", "failed"):
                break
            time.sleep(0.5)
    finally:
        second.terminate()
        second.wait(timeout=30)
    state = _state(env)
    status, attempt, done, summary, attempts, members, _error = state
    assert (status, attempt) == ("done", 2), state
    # Resumed, nothing lost or doubled: the first attempt's batches come back as unchanged.
    assert members == rows
    assert summary["created"] + summary["unchanged"] == rows and summary["unchanged"] > 0
    assert attempts == [(1, "first", "lost"), (2, "recover", "done")]
    assert not list((tmp_path / "data" / "uploads").glob("*.csv"))  # the upload went with the job's end


def test_an_attempt_taken_for_dead_that_finishes_late_changes_nothing(officer, monkeypatch, data_dir) -> None:
    """A frozen worker wakes after its job was queued again: the newer attempt keeps the job and its upload."""
    job = _queued_job(officer)
    real_import = jobs._run_import

    def superseded_meanwhile(j: BulkJob):
        result = real_import(j)
        BulkJob.all_objects.filter(pk=j.pk).update(attempt=2, status="queued")  # recovery, meanwhile
        return result

    monkeypatch.setattr(jobs, "_run_import", superseded_meanwhile)
    assert jobs.bulk_job_execute(job.pk, 1) == "superseded"
    job.refresh_from_db()
    assert (job.status, job.attempt, job.summary) == ("queued", 2, None)
    assert (data_dir / job.file_path).exists()  # attempt 2 still has its file
