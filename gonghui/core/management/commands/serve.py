from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.staticfiles.finders import get_finders
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor

from gonghui.core.keys import DEMO_SETTINGS, default_settings_module

DEMO_WARNING = (
    "警告：以演示模式启动。密钥没有全部从环境变量提供（GONGHUI_SECRET_KEY、GONGHUI_FIELD_KEY、"
    "GONGHUI_INDEX_KEY），所以使用数据目录中的 keys.json，且 Cookie 不带 Secure 标记。"
    "真实数据请按 docs/deploying.md 从环境变量提供密钥，服务会自动使用生产设置。"
)

# Written beside the collected files: a digest of the sources they were collected from.
SOURCES_STAMP = ".gonghui-static-sources"
# How often the server that runs its own worker deletes expired bulk files (`gonghui files sweep`).
SWEEP_SECONDS = 3600
# How often the server looks whether its job worker is still alive, and the longest it waits to restart it.
WATCH_SECONDS = 1.0
WORKER_RESTART_MAX_DELAY = 8.0


def pending_migrations() -> list[str]:
    """The migrations not yet applied to the configured database, as "app.name"."""
    executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{migration.app_label}.{migration.name}" for migration, _backwards in plan]


def static_sources_digest() -> str:
    """What the static files would be collected from: every source file's path, size and time."""
    digest = hashlib.sha256()
    for finder in get_finders():
        for path, storage in finder.list([]):
            full = storage.path(path)
            stat = os.stat(full)
            digest.update(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def ensure_static_collected(stdout: Any) -> bool:
    """Collect the static files when they are missing or older than their sources; True when it ran.

    A fresh data directory has none, and the manifest storage answers every page with a 500
    ("Missing staticfiles manifest entry") until they are collected.
    """
    root = Path(settings.STATIC_ROOT)
    stamp = root / SOURCES_STAMP
    digest = static_sources_digest()
    manifest = root / "staticfiles.json"
    if manifest.exists() and stamp.exists() and stamp.read_text(encoding="utf-8") == digest:
        return False
    stdout.write("正在收集静态文件（首次启动或前端资源已更新）…")
    call_command("collectstatic", interactive=False, verbosity=0)
    stamp.write_text(digest, encoding="utf-8")
    return True


class Command(BaseCommand):
    help = "启动生产服务器（gunicorn）和后台任务进程。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--host", default=os.environ.get("GONGHUI_HOST", "127.0.0.1"))
        parser.add_argument("--workers", type=int, default=int(os.environ.get("GONGHUI_WORKERS", "3")))
        parser.add_argument("--no-worker", action="store_true", help="不启动后台任务进程")

    def handle(self, *args: Any, **options: Any) -> None:
        pending = pending_migrations()
        if pending:
            raise CommandError(
                f"数据库还有 {len(pending)} 个迁移未执行（如 {pending[0]}），请先运行 gonghui migrate 再启动。"
            )
        ensure_static_collected(self.stdout)
        env = os.environ.copy()
        env.setdefault("DJANGO_SETTINGS_MODULE", default_settings_module(env))
        if env["DJANGO_SETTINGS_MODULE"] == DEMO_SETTINGS:
            self.stderr.write(self.style.WARNING(DEMO_WARNING))
        bind = f"{options['host']}:{options['port']}"
        web = subprocess.Popen(  # noqa: S603 - fixed argument list
            [
                sys.executable,
                "-m",
                "gunicorn",
                "gonghui.wsgi:application",
                "--bind",
                bind,
                "--workers",
                str(options["workers"]),
                "--access-logfile",
                "-",
                # Path without the query string: a search for an ID number or a
                # mobile (?q=…) must not land in the access log.
                "--access-logformat",
                '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(M)sms "%(a)s"',
                "--graceful-timeout",
                "10",
                # An upload is read once in its request (header row, preview): a large
                # workbook takes longer than gunicorn's default 30 s.
                "--timeout",
                "180",
            ],
            env=env,
        )
        procs = [web]
        stopping = threading.Event()
        worker: subprocess.Popen[bytes] | None = None
        if not options["no_worker"]:
            worker = start_worker(env)
            procs.append(worker)
            # With the worker here, so is the file sweep (under systemd, gonghui-files.timer runs it).
            threading.Thread(target=sweep_files_periodically, args=(env, stopping), daemon=True).start()
        self.stdout.write(f"工会服务平台已启动：http://{bind}/  （Ctrl+C 停止）")

        def stop(signum: int, frame: Any) -> None:
            stopping.set()
            for proc in procs:
                proc.terminate()

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        try:
            # gunicorn restarts its own web workers; the job worker is ours to restart.
            restarts = 0
            while web.poll() is None and not stopping.is_set():
                if worker is not None and worker.poll() is not None and not stopping.is_set():
                    restarts += 1
                    self.stderr.write(
                        f"后台任务进程已退出（退出码 {worker.returncode}），正在重新启动（第 {restarts} 次）。"
                    )
                    # A worker that dies at once (a broken database) is not restarted in a tight loop.
                    stopping.wait(min(WORKER_RESTART_MAX_DELAY, 2 ** min(restarts, 5) / 4))
                    if stopping.is_set():
                        break
                    procs.remove(worker)
                    worker = start_worker(env)
                    procs.append(worker)
                stopping.wait(WATCH_SECONDS)
        finally:
            stop(0, None)
            for proc in procs:
                try:
                    proc.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    proc.kill()


def start_worker(env: dict[str, str]) -> subprocess.Popen[bytes]:
    """The job worker (`gonghui worker`: django-tasks' worker plus the recovery of jobs whose worker died)."""
    return subprocess.Popen([sys.executable, "-m", "gonghui", "worker"], env=env)


def sweep_files_periodically(env: dict[str, str], stopping: threading.Event) -> None:
    """Run `gonghui files sweep` now and every SWEEP_SECONDS until `stopping` is set; a failure waits for the next."""
    while not stopping.is_set():
        subprocess.run(
            [sys.executable, "-m", "gonghui", "files", "sweep"], env=env, stdout=subprocess.DEVNULL, check=False
        )
        stopping.wait(SWEEP_SECONDS)
