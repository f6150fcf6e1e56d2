from __future__ import annotations

import os
import signal
import subprocess
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "启动生产服务器（gunicorn）和后台任务进程。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--host", default=os.environ.get("GONGHUI_HOST", "127.0.0.1"))
        parser.add_argument("--workers", type=int, default=int(os.environ.get("GONGHUI_WORKERS", "3")))
        parser.add_argument("--no-worker", action="store_true", help="不启动后台任务进程")

    def handle(self, *args: Any, **options: Any) -> None:
        env = os.environ.copy()
        env.setdefault("DJANGO_SETTINGS_MODULE", "gonghui.settings.base")
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
        if not options["no_worker"]:
            procs.append(subprocess.Popen([sys.executable, "-m", "gonghui", "db_worker"], env=env))
        self.stdout.write(f"工会服务平台已启动：http://{bind}/  （Ctrl+C 停止）")

        def stop(signum: int, frame: Any) -> None:
            for proc in procs:
                proc.terminate()

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        try:
            web.wait()
        finally:
            stop(0, None)
            for proc in procs:
                try:
                    proc.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    proc.kill()
