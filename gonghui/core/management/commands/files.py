"""`gonghui files sweep`: delete bulk files past their time (run hourly by gonghui-files.timer or `gonghui serve`).

Error workbooks and exports go GONGHUI_FILE_RETENTION_DAYS (7) days after they were
written, the uploads of failed jobs as long after the job ended, leftovers of killed
processes after a day (see `jobs.bulk_files_sweep`). The last line of stdout is one
JSON object: how many files of each kind were deleted.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from gonghui.core.jobs import bulk_files_sweep


class Command(BaseCommand):
    help = "批量导入导出的文件：按保留期限删除过期的文件（sweep）。"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sweep = sub.add_parser("sweep", help="删除超过保留期限的错误清单、导出文件和上传文件")
        sweep.add_argument("--days", type=int, default=None, help="保留天数（默认 GONGHUI_FILE_RETENTION_DAYS）")

    def handle(self, *args: Any, **options: Any) -> None:
        days = options["days"]
        if days is not None and days < 0:
            raise CommandError("--days 不能为负数", returncode=2)
        removed = bulk_files_sweep(days=days)
        self.stdout.write(json.dumps(removed, ensure_ascii=False))
