"""`gonghui jobs recover`: queue again (or fail) the running jobs whose worker died; JSON counts on the last line.

`gonghui worker` does this by itself every minute; the command is for a server whose
workers are run some other way, and for seeing it happen.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from gonghui.core.jobs import bulk_jobs_recover


class Command(BaseCommand):
    help = "批量任务：恢复因后台任务进程中断而停住的任务（recover）。"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("recover", help="把超时没有进展的运行中任务重新排队（或在达到次数上限后标记失败）")

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(json.dumps(bulk_jobs_recover(), ensure_ascii=False))
