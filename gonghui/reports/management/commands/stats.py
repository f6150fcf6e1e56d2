from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from gonghui.core.errors import DomainError
from gonghui.reports.selectors import stats_for


class Command(BaseCommand):
    help = "打印组织子树的统计数据（Headline figures of an org's subtree）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--org", default="", help="工会代码；省略时统计全部")
        parser.add_argument("--json", action="store_true", help="输出一个 JSON 对象")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            figures = stats_for(scope=None, org_code=options["org"] or None)
        except DomainError as exc:
            raise CommandError(f"未找到工会代码“{options['org']}”。") from exc
        if options["json"]:
            self.stdout.write(json.dumps(figures, ensure_ascii=False))
        else:
            for key, value in figures.items():
                self.stdout.write(f"{key}\t{value}")
