"""`gonghui serve` on a fresh data directory: it refuses pending migrations, collects static files, and serves."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = pytest.mark.django_db(databases=[])


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GONGHUI_", "DJANGO_", "DATABASE_"))}
    env.update(GONGHUI_DATA_DIR=str(tmp_path / "data"), DATABASE_URL=f"sqlite:///{tmp_path / 'serve.sqlite3'}")
    return env


def _gonghui() -> str:
    return str(Path(sys.executable).with_name("gonghui"))


def _get(url: str) -> tuple[int, bytes]:
    try:
        # Generous: the first answer of a fresh server on a busy machine may take seconds.
        with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 - the test's own server
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def test_serve_refuses_to_start_with_pending_migrations(tmp_path: Path) -> None:
    done = subprocess.run(  # noqa: S603 - fixed executable
        [_gonghui(), "serve", "--no-worker", "--port", str(_free_port())],
        env=_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode != 0
    assert "个迁移未执行" in done.stderr and "gonghui migrate" in done.stderr


def _migrate(env: dict[str, str]) -> None:
    migrate = subprocess.run(  # noqa: S603 - fixed executable
        [_gonghui(), "migrate", "--noinput", "-v", "0"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert migrate.returncode == 0, migrate.stderr


@contextlib.contextmanager
def _serving(env: dict[str, str], *, worker: bool = False) -> Iterator[tuple[int, subprocess.Popen[str]]]:
    """`gonghui serve` on a free port, once it answers; stopped on the way out."""
    port = _free_port()
    server = subprocess.Popen(  # noqa: S603 - fixed executable
        [_gonghui(), "serve", *([] if worker else ["--no-worker"]), "--workers", "1", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline:
            try:
                _get(f"http://127.0.0.1:{port}/accounts/login/")
                break
            except OSError:  # not listening yet (URLError, refused), or too slow to answer (TimeoutError)
                assert server.poll() is None, server.stdout.read() if server.stdout else ""
                time.sleep(0.5)
        yield port, server
    finally:
        server.terminate()
        server.wait(timeout=30)


def _output(server: subprocess.Popen[str]) -> str:
    server.terminate()
    server.wait(timeout=30)
    return server.stdout.read() if server.stdout else ""


def test_a_fresh_data_directory_is_served_without_collectstatic(tmp_path: Path) -> None:
    env = _env(tmp_path)
    _migrate(env)
    assert not (tmp_path / "data" / "static" / "staticfiles.json").exists()
    with _serving(env) as (port, server):
        status, body = _get(f"http://127.0.0.1:{port}/accounts/login/")
        assert status == 200, body[:500]
        page = body.decode()
        assert "工会服务平台" in page
        # The stylesheet's hashed name from the collected manifest, served by WhiteNoise.
        css = page.split('href="')[1].split('"')[0]
        assert css.startswith("/static/vendor/bootstrap/css/bootstrap.min.") and css.endswith(".css")
        assert _get(f"http://127.0.0.1:{port}{css}")[0] == 200
        assert (tmp_path / "data" / "static" / "staticfiles.json").exists()
        # No keys in the environment: a demo, and the server says why, loudly.
        assert "以演示模式启动" in _output(server)


def test_keys_from_the_environment_select_the_production_settings(tmp_path: Path) -> None:
    env = _env(tmp_path)
    env.update(GONGHUI_SECRET_KEY="s" * 50, GONGHUI_FIELD_KEY="f" * 64, GONGHUI_INDEX_KEY="i" * 64)
    _migrate(env)
    with _serving(env) as (port, server):
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/accounts/login/", timeout=5) as response:
            cookies = response.headers.get_all("Set-Cookie") or []
        csrf = next(c for c in cookies if c.startswith("csrftoken="))
        assert "Secure" in csrf
        # A mobile in a path reaches gunicorn's access log and django.request's "Not Found":
        # both run in the worker, where the masking record factory is installed.
        assert _get(f"http://127.0.0.1:{port}/m/stations/15000000000/")[0] == 404
        output = _output(server)
        assert "以演示模式启动" not in output
        assert "/m/stations/150****0000/" in output and "15000000000" not in output
    # Production never writes the keys beside the data.
    assert not (tmp_path / "data" / "keys.json").exists()


def test_a_page_rendered_before_collectstatic_links_the_plain_names(tmp_path: Path, caplog) -> None:  # type: ignore[no-untyped-def]
    from gonghui.core.staticstorage import StaticStorage

    StaticStorage._warned = False  # said once per process; this test wants to hear it
    storage = StaticStorage(location=str(tmp_path / "static"), base_url="/static/")
    # No manifest at all: Django's own storage raises "Missing staticfiles manifest entry" here (a 500).
    assert storage.url("vendor/bootstrap/css/bootstrap.min.css") == "/static/vendor/bootstrap/css/bootstrap.min.css"
    assert "gonghui collectstatic" in caplog.text


def _job_workers(parent: int) -> list[int]:
    """The `gonghui worker` processes started by `parent`, from the process table."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
            cmdline = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:  # gone meanwhile
            continue
        ppid = int(next(line.split()[1] for line in status.splitlines() if line.startswith("PPid:")))
        if ppid == parent and b"worker" in cmdline and "State:\tZ" not in status:
            found.append(int(entry.name))
    return found


def test_serve_starts_its_job_worker_again_when_it_dies(tmp_path: Path) -> None:
    env = _env(tmp_path)
    _migrate(env)
    with _serving(env, worker=True) as (_port, server):
        deadline = time.monotonic() + 60
        while not (workers := _job_workers(server.pid)) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert len(workers) == 1
        os.kill(workers[0], signal.SIGKILL)  # the OOM killer, say
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            again = _job_workers(server.pid)
            if again and again != workers:
                break
            time.sleep(0.2)
        assert again and again != workers and server.poll() is None
        output = _output(server)
    assert "后台任务进程已退出（退出码 -9），正在重新启动（第 1 次）" in output
    assert not _job_workers(server.pid)  # stopped with the server
