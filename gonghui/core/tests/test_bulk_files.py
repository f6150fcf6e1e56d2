"""Sealed bulk files (chunked AES-GCM under the field key), their retention sweep, keys kept off the data directory."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from gonghui.core import crypto, jobs
from gonghui.core.bulk.files import SealedReader, clear_copy, seal_file, sealed_output, work_dir
from gonghui.core.keys import KeySource
from gonghui.core.management.commands._keyrotation import FILES_LABEL, Rotation
from gonghui.core.models import BulkJob
from gonghui.core.tests.test_keys import OLD_FIELD, keydir  # noqa: F401 - fixture

ID = "520102199003070019"
# About three and a half chunks of a roster: the ID number in every line, across chunk boundaries.
ROSTER = "".join(f"张{i},{ID},1390000{i % 10000:04d}\n" for i in range(6000)).encode()


@pytest.fixture
def data(settings, tmp_path: Path) -> Path:
    settings.DATA_DIR = tmp_path
    return tmp_path


def _sealed(data: Path, folder: str, name: str, content: bytes = ROSTER, key: str | None = None) -> Path:
    clear = data / f"clear-{name}"
    clear.write_bytes(content)
    target = data / folder / name
    seal_file(clear, target, key=key)
    clear.unlink()
    return target


def _age(path: Path, days: float) -> None:
    then = time.time() - days * 86400
    os.utime(path, (then, then))


# --- sealing --------------------------------------------------------------------------------------


def test_a_sealed_file_holds_no_clear_bytes_and_round_trips(data: Path) -> None:
    assert len(ROSTER) > 3 * crypto.FILE_CHUNK
    path = _sealed(data, "uploads", "r.csv")
    raw = path.read_bytes()
    assert ID.encode() not in raw and "张".encode() not in raw
    assert crypto.sealed_file_key_id(raw) == crypto.field_key_id(crypto.settings.GONGHUI_FIELD_KEY)
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    with clear_copy(path) as clear:
        assert clear.suffix == ".csv" and clear.parent == data / "work"
        assert clear.read_bytes() == ROSTER
    assert not clear.exists()
    with SealedReader(path) as reader:
        assert reader.read() == ROSTER
    # What the sealer is fed piece by piece reads back whole, an empty file too.
    for content in (b"", b"x", os.urandom(crypto.FILE_CHUNK), os.urandom(2 * crypto.FILE_CHUNK + 5)):
        out = io.BytesIO()
        sealer = crypto.FileSealer(out)
        for i in range(0, len(content), 1000):
            sealer.write(content[i : i + 1000])
        sealer.close()
        assert b"".join(crypto.open_sealed_file(io.BytesIO(out.getvalue()))) == content


def test_a_file_altered_cut_short_or_under_another_key_is_refused(data: Path) -> None:
    path = _sealed(data, "reports", "r.csv")
    raw = path.read_bytes()
    chunk = crypto.FILE_CHUNK + crypto.TAG_BYTES
    flipped = bytearray(raw)
    flipped[crypto.FILE_HEADER_BYTES + chunk + 7] ^= 1
    cut = raw[: crypto.FILE_HEADER_BYTES + 2 * chunk]  # at a chunk boundary: the last chunk is missing
    swapped = (
        raw[: crypto.FILE_HEADER_BYTES] + raw[crypto.FILE_HEADER_BYTES + chunk : crypto.FILE_HEADER_BYTES + 2 * chunk]
    )
    for broken in (bytes(flipped), cut, swapped + raw[crypto.FILE_HEADER_BYTES + 2 * chunk :]):
        with pytest.raises(crypto.SealError):
            b"".join(crypto.open_sealed_file(io.BytesIO(broken)))
    other = _sealed(data, "reports", "other.csv", key=OLD_FIELD)
    with pytest.raises(crypto.SealError, match="not at hand"), clear_copy(other):
        pass
    assert not list((data / "work").iterdir())  # the half-written clear copy went with the error


def test_sealed_output_seals_what_was_written_and_leaves_nothing_clear(data: Path) -> None:
    target = data / "exports" / "e.csv"
    with sealed_output(target) as clear:
        assert clear.suffix == ".csv"
        clear.write_bytes(ROSTER)
    assert crypto.is_sealed_file(target.read_bytes()) and ID.encode() not in target.read_bytes()
    assert not list((data / "work").iterdir())
    with pytest.raises(RuntimeError), sealed_output(data / "exports" / "f.csv") as clear:
        clear.write_bytes(ROSTER)
        raise RuntimeError("the export failed")
    assert not (data / "exports" / "f.csv").exists() and not list((data / "work").iterdir())


# --- retention ------------------------------------------------------------------------------------


def _job(path: str, status: str, finished_days_ago: float | None, *, alive_days_ago: float = 0) -> BulkJob:
    now = timezone.now()
    finished = now - timedelta(days=finished_days_ago) if finished_days_ago is not None else None
    return BulkJob.all_objects.create(
        direction=BulkJob.Direction.IMPORT,
        kind="members",
        file_path=path,
        status=status,
        finished_at=finished,
        heartbeat_at=finished or now - timedelta(days=alive_days_ago),
    )


@pytest.mark.django_db
def test_the_sweep_deletes_old_files_and_keeps_fresh_ones(data: Path) -> None:
    old_report, fresh_report = _sealed(data, "reports", "old.xlsx"), _sealed(data, "reports", "fresh.xlsx")
    old_export, fresh_export = _sealed(data, "exports", "old.csv"), _sealed(data, "exports", "fresh.csv")
    for path in (old_report, old_export):
        _age(path, 7.1)
    _age(fresh_report, 6.9)
    uploads = {
        name: _sealed(data, "uploads", name)
        for name in ("failed-old", "failed-new", "running", "dead", "orphan", "new")
    }
    for path in uploads.values():
        _age(path, 30)  # an upload's own age does not matter while its job may still use it
    _age(uploads["new"], 0.5)
    _job("uploads/failed-old", BulkJob.Status.FAILED, 8)
    _job("uploads/failed-new", BulkJob.Status.FAILED, 1)
    _job("uploads/running", BulkJob.Status.RUNNING, None)
    _job("uploads/dead", BulkJob.Status.RUNNING, None, alive_days_ago=8)  # its worker killed, never re-run
    pending = _sealed(data, "uploads/pending", "p.csv")
    _age(pending, 2)
    work = work_dir() / "left-by-a-killed-reader.csv"
    work.write_bytes(ROSTER)
    _age(work, 2)

    out = StringIO()
    call_command("files", "sweep", stdout=out)
    counts = json.loads(out.getvalue().splitlines()[-1])
    assert counts == {"reports": 1, "exports": 1, "uploads": 3, "pending": 1, "work": 1}
    assert not old_report.exists() and not old_export.exists() and not pending.exists() and not work.exists()
    assert fresh_report.exists() and fresh_export.exists()
    assert not uploads["failed-old"].exists() and not uploads["orphan"].exists() and not uploads["dead"].exists()
    assert uploads["failed-new"].exists() and uploads["running"].exists() and uploads["new"].exists()
    # Run again: nothing more to do.
    assert jobs.bulk_files_sweep() == dict.fromkeys(counts, 0)
    # The period is a setting.
    with override_settings(GONGHUI_FILE_RETENTION_DAYS=1):
        assert jobs.bulk_files_sweep()["reports"] == 1
    assert not fresh_report.exists()


# --- keys -----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_key_rotation_seals_the_files_again_under_the_new_key(keydir: Path) -> None:  # noqa: F811
    files = [
        _sealed(keydir, "uploads", "u.csv"),
        _sealed(keydir, "reports", "r.xlsx"),
        _sealed(keydir, "exports", "e.csv", content=b""),
    ]
    clear = keydir / "reports" / "cli-report.xlsx"  # the console's report, written clear
    clear.write_bytes(b"PK clear")
    old_id = crypto.field_key_id(OLD_FIELD)
    assert {crypto.sealed_file_key_id(p.read_bytes()) for p in files} == {old_id}

    report = Rotation(source=KeySource(keydir, {}), batch_size=10).run()
    assert report["status"] == "done"
    new_key = json.loads((keydir / "keys.json").read_text())["field_key"]
    assert {crypto.sealed_file_key_id(p.read_bytes()) for p in files} == {crypto.field_key_id(new_key)}
    assert report["tables"][FILES_LABEL]["rotated"] == 3
    for path, content in zip(files, (ROSTER, ROSTER, b""), strict=True):
        with path.open("rb") as f:
            assert b"".join(crypto.open_sealed_file(f, keys=[new_key])) == content
    assert clear.read_bytes() == b"PK clear"
    assert not [p for p in keydir.rglob(".*.part")]
    status = StringIO()
    call_command("keys", "status", "--json", stdout=status)
    assert json.loads(status.getvalue())["sealed"][FILES_LABEL] == {crypto.field_key_id(new_key): 3}


# --- production and keys on disk ------------------------------------------------------------------


@pytest.fixture
def production_env(tmp_path: Path) -> Iterator[dict[str, str]]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GONGHUI_")}
    env.update(
        DJANGO_SETTINGS_MODULE="gonghui.settings.production",
        GONGHUI_DATA_DIR=str(tmp_path / "data"),
        GONGHUI_SECRET_KEY="s" * 50,
        GONGHUI_FIELD_KEY="f" * 50,
        GONGHUI_INDEX_KEY="i" * 50,
        DATABASE_URL=f"sqlite:///{tmp_path / 'p.sqlite3'}",
    )
    yield env


def _check(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "gonghui", "check"], env=env, capture_output=True, text=True, timeout=120, check=False
    )


def test_production_refuses_to_start_with_keys_in_the_data_directory(production_env: dict[str, str]) -> None:
    data = Path(production_env["GONGHUI_DATA_DIR"])
    assert _check(production_env).returncode == 0
    assert not (data / "keys.json").exists()  # never generated in production
    (data / "keys.json").write_text('{"field_key": "x"}', encoding="utf-8")
    refused = _check(production_env)
    assert refused.returncode != 0
    assert "Key files in the data directory" in refused.stderr and str(data / "keys.json") in refused.stderr
    assert "x" * 3 not in refused.stderr
    (data / "keys.json").unlink()
    (data / "keys-retired-20260101-000000.json").write_text("{}", encoding="utf-8")
    assert _check(production_env).returncode != 0
