"""`gonghui stations holidays load FILE`: the State Council's public holidays from a CSV or Excel list.

The file has the columns 日期 and 节日 (a date or a span such as 2026年10月1日至7日 per row);
each year it names gets exactly its days off (a year's list replaces what was there for
that year). `gonghui stations holidays load --shipped` loads the list this project ships.
A file with a refused row changes nothing: the reasons go to stderr, line by line. The last
line of stdout is one JSON object `{"file", "rows", "days", "years", "created", "updated",
"unchanged", "removed", "rejected", "dry_run"}`. Exit 0 when loaded (or checked with
--dry-run), 1 when a row was refused, 2 when the file cannot be read.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from gonghui.core.bulk import UnreadableFile
from gonghui.stations.holidays import SHIPPED, read_holidays
from gonghui.stations.services import holidays_load


class Command(BaseCommand):
    help = "工会驿站：导入法定节假日（holidays load 文件）。"

    def add_arguments(self, parser: CommandParser) -> None:
        area = parser.add_subparsers(dest="area", required=True)
        holidays = area.add_parser("holidays", help="法定节假日（国务院办公厅每年公布的放假安排）")
        action = holidays.add_subparsers(dest="action", required=True)
        load = action.add_parser("load", help="从 CSV 或 Excel 文件导入（列：日期、节日）")
        load.add_argument("file", nargs="?", help="文件路径（.csv、.xlsx）")
        load.add_argument("--shipped", action="store_true", help="导入随平台提供的节假日表（2026、2027 年）")
        load.add_argument("--dry-run", action="store_true", help="只校验，不写入")

    def handle(self, *args: Any, **options: Any) -> None:
        if bool(options["file"]) == bool(options["shipped"]):
            raise CommandError("请给出一个文件，或用 --shipped 导入随平台提供的节假日表（二者选一）。", returncode=2)
        path = SHIPPED if options["shipped"] else options["file"]
        summary: dict[str, Any] = {"file": str(path), "dry_run": options["dry_run"]}
        try:
            found = read_holidays(path)
        except (UnreadableFile, OSError) as exc:
            self.stderr.write(f"无法导入：{exc}")
            self.stdout.write(json.dumps({**summary, "error": str(exc)}, ensure_ascii=False))
            raise SystemExit(2) from exc
        summary.update(rows=found.rows, days=len(found.days), years=found.years, rejected=len(found.errors))
        for line in found.errors:
            self.stderr.write(line)
        if found.errors:
            self.stderr.write(f"有 {len(found.errors)} 行未通过校验，未导入任何日期。")
            self.stdout.write(json.dumps(summary, ensure_ascii=False))
            raise SystemExit(1)
        if not options["dry_run"]:
            counts = holidays_load(actor=None, days=found.days)
            summary.update({k: v for k, v in counts.items() if k != "years"})
            self.stderr.write(
                f"已导入 {'、'.join(str(y) for y in found.years)} 年的法定节假日，共 {len(found.days)} 天"
                f"（新增 {counts['created']}，更新 {counts['updated']}，删除 {counts['removed']}）。"
            )
        self.stdout.write(json.dumps(summary, ensure_ascii=False))
