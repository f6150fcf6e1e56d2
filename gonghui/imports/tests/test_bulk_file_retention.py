"""Bulk files do not outlive their purpose, are sealed at rest, and are handed only to who may have them now.

Real HTTP through Django's test client, a real database, the ImmediateBackend; files
go to a DATA_DIR of the test's own (the `data_dir` fixture of test_bulk_web).
"""

from __future__ import annotations

import io
import json
import os
import time
import zipfile
from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone
from openpyxl import load_workbook

from gonghui.accounts.models import Grant, User
from gonghui.accounts.services import grant_role
from gonghui.conftest import Tree
from gonghui.core import crypto, jobs
from gonghui.core.models import BulkJob
from gonghui.imports.tests.test_bulk_web import number, pending_files, post_upload, roster_csv, roster_lines, start
from gonghui.members.models import Membership
from gonghui.members.services import member_register

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def data_dir(settings, tmp_path: Path) -> Path:
    settings.DATA_DIR = tmp_path
    return tmp_path


@pytest.fixture
def officer(tree: Tree, make_user) -> User:
    return make_user("lps_officer", ("officer", "520200"))


@pytest.fixture
def as_user(login):
    return login


@pytest.fixture
def members(tree: Tree) -> list[Membership]:
    return [
        member_register(
            actor=None,
            scope=None,
            org=tree.courier_union,
            id_number=number(i),
            fields={"name": n, "mobile": f"1380000000{i}"},
        )
        for i, n in enumerate(["王一", "王二"])
    ]


# A row the import refuses (mobile not a mobile) that carries a valid ID number: the
# error workbook holds it as given.
REFUSED = f"骑手错号,{number(50)},12345,汉族,外卖配送员,520201G001,2023/7/20,无"


def _import(client, capture, lines: list[str]) -> BulkJob:
    resp = post_upload(client, name="花名册.csv", content=roster_csv(lines))
    assert resp.status_code == 302, resp.content.decode()[:2000]
    start(client, resp.url, capture)
    return BulkJob.all_objects.get()


def _age(path: Path, days: float) -> None:
    then = time.time() - days * 86400
    os.utime(path, (then, then))


def test_an_upload_is_sealed_on_disk_and_the_preview_still_reads_it(officer, as_user, data_dir) -> None:
    client = as_user(officer)
    resp = post_upload(client, name="r.csv", content=roster_csv(roster_lines(3)))
    assert resp.status_code == 302
    [stored] = pending_files(data_dir)
    raw = stored.read_bytes()
    assert crypto.is_sealed_file(raw)
    for i in range(3):
        assert number(i).encode() not in raw
        assert f"1390000{i:04d}".encode() not in raw
    assert "骑手".encode("gb18030") not in raw
    page = client.get(resp.url).content.decode()
    assert "骑手甲甲" in page and number(0)[:6] + "********" + number(0)[-4:] in page
    assert not list((data_dir / "work").iterdir())  # the clear copy the preview read is gone


def test_the_upload_is_deleted_when_the_job_ends_and_the_error_workbook_is_sealed(
    officer, as_user, data_dir, django_capture_on_commit_callbacks
) -> None:
    client = as_user(officer)
    job = _import(client, django_capture_on_commit_callbacks, [*roster_lines(2), REFUSED])
    assert job.status == "done" and job.summary["rejected"] == 1
    assert not (data_dir / job.file_path).exists()
    assert not [p for p in (data_dir / "uploads").iterdir() if p.is_file()]
    assert not jobs.bulk_job_rerunnable(job)

    report = data_dir / job.report_path
    raw = report.read_bytes()
    assert crypto.is_sealed_file(raw) and not zipfile.is_zipfile(report)
    assert number(50).encode() not in raw and b"PK\x03\x04" not in raw
    # Decrypted as it is sent: the workbook holds the row as given.
    resp = client.get(f"/imports/{job.pk}/download/")
    assert resp.status_code == 200
    ws = load_workbook(io.BytesIO(b"".join(resp.streaming_content))).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[1][2] == number(50) and "手机号码" in rows[1][-1]
    assert not list((data_dir / "work").iterdir())


def test_a_failure_a_rerun_may_mend_keeps_the_upload_until_the_rerun_ends(
    officer, as_user, data_dir, monkeypatch, django_capture_on_commit_callbacks
) -> None:
    client = as_user(officer)

    def crash(*args, **kwargs):
        raise RuntimeError("worker killed")

    with monkeypatch.context() as m:
        m.setattr(jobs, "run_import", crash)
        _import(client, django_capture_on_commit_callbacks, roster_lines(3))  # the task backend logs the crash
    job = BulkJob.all_objects.get()
    assert job.status == "failed"
    upload = data_dir / job.file_path
    assert upload.is_file() and crypto.is_sealed_file(upload.read_bytes())
    assert jobs.bulk_job_rerunnable(job)

    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(f"/imports/{job.pk}/rerun/").status_code == 302
    job.refresh_from_db()
    assert (job.status, job.summary["created"]) == ("done", 3)
    assert not upload.exists()


def test_a_refused_grant_keeps_the_upload_for_a_rerun_once_put_right(
    officer, as_user, data_dir, django_capture_on_commit_callbacks
) -> None:
    client = as_user(officer)
    resp = post_upload(client, name="r.csv", content=roster_csv(roster_lines(2)))
    with django_capture_on_commit_callbacks(execute=False):
        client.post(resp.url + "start/")  # queued; the worker runs it later
    job = BulkJob.all_objects.get()
    Grant.objects.filter(user=officer).delete()  # withdrawn before the worker got to it
    assert jobs.bulk_job_execute(job.pk, job.attempt) == "failed"
    job.refresh_from_db()
    assert (data_dir / job.file_path).is_file()  # kept: a re-run may succeed once the grant is back
    grant_role(actor=None, actor_scope=None, user=officer, role_name="officer", org_code="520200")
    with django_capture_on_commit_callbacks(execute=True):
        assert as_user(officer).post(f"/imports/{job.pk}/rerun/").status_code == 302
    job.refresh_from_db()
    assert (job.status, job.summary["created"]) == ("done", 2)
    assert not (data_dir / job.file_path).exists()


def test_a_download_rechecks_the_callers_grants_now(
    officer, as_user, data_dir, django_capture_on_commit_callbacks
) -> None:
    client = as_user(officer)
    job = _import(client, django_capture_on_commit_callbacks, [REFUSED])
    assert client.get(f"/imports/{job.pk}/download/").status_code == 200
    # The officer's grant is removed: the file they started is no longer theirs to take.
    Grant.objects.filter(user=officer).delete()
    assert client.get(f"/imports/{job.pk}/download/").status_code == 404
    # A grant elsewhere does not bring it back.
    grant_role(actor=None, actor_scope=None, user=officer, role_name="officer", org_code="520100")
    assert client.get(f"/imports/{job.pk}/download/").status_code == 404
    page = client.get(f"/imports/{job.pk}/")  # their own job stays listed, without its file
    assert page.status_code == 200 and 'data-testid="report"' not in page.content.decode()
    # Viewing the union without importing into it: the job page may show, the file is refused.
    grant_role(actor=None, actor_scope=None, user=officer, role_name="viewer", org_code="520200")
    assert client.get(f"/imports/{job.pk}/download/").status_code == 403


def test_an_export_is_sealed_on_disk_and_opens_on_download(
    officer, members, as_user, data_dir, django_capture_on_commit_callbacks
) -> None:
    client = as_user(officer)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/imports/export/", {"kind": "members", "org": "520200", "fmt": "csv"})
    job = BulkJob.all_objects.get()
    assert job.status == "done", job.error
    raw = (data_dir / job.report_path).read_bytes()
    assert crypto.is_sealed_file(raw)
    assert "王一".encode() not in raw and number(0)[-4:].encode() + b"," not in raw
    body = b"".join(client.get(f"/imports/{job.pk}/download/").streaming_content).decode("utf-8-sig")
    assert "王一" in body and number(0)[:6] + "********" + number(0)[-4:] in body


def test_expired_files_are_swept_and_the_job_page_says_so(
    officer, members, as_user, data_dir, django_capture_on_commit_callbacks
) -> None:
    client = as_user(officer)
    imported = _import(client, django_capture_on_commit_callbacks, [REFUSED])
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/imports/export/", {"kind": "members", "org": "520200", "fmt": "xlsx"})
    exported = BulkJob.all_objects.get(direction="export")
    report, export = data_dir / imported.report_path, data_dir / exported.report_path

    out = StringIO()
    call_command("files", "sweep", stdout=out)
    assert report.is_file() and export.is_file()  # fresh: kept
    assert json.loads(out.getvalue().splitlines()[-1])["reports"] == 0

    _age(report, 8)
    _age(export, 8)
    out = StringIO()
    call_command("files", "sweep", stdout=out)
    counts = json.loads(out.getvalue().splitlines()[-1])
    assert (counts["reports"], counts["exports"]) == (1, 1)
    assert not report.exists() and not export.exists()
    for job in (imported, exported):
        resp = client.get(f"/imports/{job.pk}/")
        page = resp.content.decode()
        assert resp.status_code == 200
        assert 'data-testid="expired"' in page and "7 天后按规定删除" in page
        assert 'data-testid="report"' not in page and 'data-testid="download"' not in page
        assert client.get(f"/imports/{job.pk}/download/").status_code == 404


def test_a_rerun_replaces_the_last_attempts_error_workbook(
    officer, as_user, data_dir, monkeypatch, django_capture_on_commit_callbacks
) -> None:
    client = as_user(officer)
    with monkeypatch.context() as m:
        m.setattr(jobs, "_drop_upload", lambda job: None)  # killed before the upload was dropped
        job = _import(client, django_capture_on_commit_callbacks, [REFUSED])
    first = data_dir / job.report_path
    assert first.is_file()
    BulkJob.all_objects.filter(pk=job.pk).update(status="failed")
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(f"/imports/{job.pk}/rerun/").status_code == 302
    job.refresh_from_db()
    assert (job.status, job.attempt, job.summary["rejected"]) == ("done", 2, 1)
    assert not first.exists() and (data_dir / job.report_path).is_file()
    assert [p.name for p in (data_dir / "reports").iterdir()] == [Path(job.report_path).name]


def test_a_job_whose_worker_died_long_ago_loses_its_upload_and_says_so(
    officer, as_user, data_dir, django_capture_on_commit_callbacks
) -> None:
    client = as_user(officer)
    resp = post_upload(client, name="r.csv", content=roster_csv(roster_lines(2)))
    with django_capture_on_commit_callbacks(execute=False):
        client.post(resp.url + "start/")  # queued; its worker is killed and it is never re-run
    job = BulkJob.all_objects.get()
    long_ago = timezone.now() - timedelta(days=8)
    BulkJob.all_objects.filter(pk=job.pk).update(status="running", started_at=long_ago, heartbeat_at=long_ago)
    upload = data_dir / job.file_path
    assert upload.is_file()
    page = client.get(f"/imports/{job.pk}/").content.decode()
    assert 'data-testid="stale"' in page and 'data-testid="rerun"' in page

    assert jobs.bulk_files_sweep()["uploads"] == 1
    assert not upload.exists()
    page = client.get(f"/imports/{job.pk}/").content.decode()
    assert 'data-testid="upload-gone"' in page
    assert 'data-testid="stale"' not in page and 'data-testid="rerun"' not in page
