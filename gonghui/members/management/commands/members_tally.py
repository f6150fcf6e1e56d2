from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from gonghui.members.services import tally_check, tally_rebuild


class Command(BaseCommand):
    help = "核对会员计数（MemberTally）与会籍记录是否一致；--rebuild 按记录重算。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--rebuild", action="store_true", help="按会籍记录重算全部计数")
        parser.add_argument("--json", action="store_true", help="以 JSON 输出差异")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["rebuild"]:
            rows = tally_rebuild()
            self.stderr.write(f"已重算会员计数：{rows} 行。")
        diffs = tally_check()
        if options["json"]:
            self.stdout.write(json.dumps({"differences": diffs}, ensure_ascii=False))
        elif diffs:
            for d in diffs[:50]:
                self.stdout.write(
                    f"{d['org']} {d['status']} 新就业形态={d['new_employment']} 农民工={d['migrant']}: "
                    f"计数 {d['tally']}，记录 {d['rows']}"
                )
        else:
            self.stdout.write("会员计数与会籍记录一致。")
        if diffs and not options["rebuild"]:
            raise SystemExit(1)
