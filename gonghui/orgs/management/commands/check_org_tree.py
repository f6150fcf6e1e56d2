from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from gonghui.orgs.services import org_tree_check


class Command(BaseCommand):
    help = "检查组织树的物化路径与层级，必要时修复（--repair）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--repair", action="store_true", help="按上级关系重写错误的路径与层级")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        problems = org_tree_check(repair=options["repair"])
        if options["json"]:
            self.stdout.write(
                json.dumps(
                    {"problems": [asdict(p) for p in problems], "repaired": options["repair"]}, ensure_ascii=False
                )
            )
        elif not problems:
            self.stdout.write("组织树完好：所有路径与层级均与上级关系一致。")
        else:
            for p in problems:
                self.stdout.write(f"{p.code}\t{p.problem}\t应为 {p.expected}\t实为 {p.actual}")
            verb = "已修复" if options["repair"] else "发现"
            self.stdout.write(f"{verb} {len(problems)} 处问题。")
        if problems and not options["repair"]:
            raise SystemExit(1)
