"""`gonghui export KIND FILE [--org CODE] [--unmasked]` (DESIGN §4): XLSX or CSV by extension."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from gonghui.core.bulk.kinds import get_kind, kind_names
from gonghui.core.scoping import unscoped


class Command(BaseCommand):
    help = "导出会员名册或工会组织（.xlsx 或 .csv）；证件号码和手机号码默认脱敏。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=kind_names())
        parser.add_argument("file")
        parser.add_argument("--org", help="只导出该工会及其下级")
        parser.add_argument("--unmasked", action="store_true", help="导出完整证件号码和手机号码（记入审计）")

    def handle(self, *args: Any, **options: Any) -> None:
        from gonghui.orgs.models import Org

        org = None
        if options.get("org"):
            with unscoped():
                org = Org.objects.filter(code=options["org"].strip().upper()).first()
            if org is None:
                raise CommandError(f"工会代码“{options['org']}”不存在。")
        kind = get_kind(options["kind"])
        count = kind.export(options["file"], actor=None, org=org, unmasked=options["unmasked"], scope=None)
        self.stderr.write(f"已导出 {count:,} 行到 {options['file']}")
        self.stdout.write(
            json.dumps({"kind": options["kind"], "rows": count, "file": options["file"]}, ensure_ascii=False)
        )
