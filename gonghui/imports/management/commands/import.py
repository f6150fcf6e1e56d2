"""`gonghui import KIND FILE [--org CODE] [--dry-run]` (DESIGN §4).

Progress on stderr; the last line of stdout is one JSON summary
`{"kind", "rows", "created", "updated", "unchanged", "rejected", "report"}`.
Exit 0 when the file was processed (even with rejected rows), 2 when it cannot
be read at all. Run again after an interruption: committed batches come back
as unchanged, nothing is doubled.
"""

from __future__ import annotations

import json
import sys
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from gonghui.core.bulk import UnreadableFile
from gonghui.core.bulk.engine import Summary, run_import
from gonghui.core.bulk.kinds import get_kind, importable_kind_names
from gonghui.core.scoping import unscoped


class Command(BaseCommand):
    help = "从 Excel 或 CSV 批量导入（members 会员花名册，orgs 工会组织）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=importable_kind_names())
        parser.add_argument("file")
        parser.add_argument("--org", help="members：没有“所属工会代码”时导入到该工会；orgs：没有“上级工会代码”时的上级")
        parser.add_argument("--dry-run", action="store_true", help="只校验，不写入")
        parser.add_argument(
            "--column",
            action="append",
            default=[],
            metavar="文件中的列名=列",
            help="把文件中未识别的列按指定列导入（可多次），如 --column 联络手机=手机号码",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        kind = self._kind(options["kind"], options.get("org"))
        started = time.monotonic()

        def progress(rows: int, summary: Summary) -> None:
            rate = rows / max(time.monotonic() - started, 1e-6)
            sys.stderr.write(
                f"\r已处理 {rows:,} 行（新增 {summary.created:,}，更新 {summary.updated:,}，"
                f"未变 {summary.unchanged:,}，未导入 {summary.rejected:,}）{rate:,.0f} 行/秒"
            )
            sys.stderr.flush()

        try:
            renames = _renames(options["column"])
            summary = run_import(kind, options["file"], dry_run=options["dry_run"], progress=progress, renames=renames)
        except UnreadableFile as exc:
            self.stderr.write(f"无法导入：{exc}")
            # The contract's shape still (nothing read, so all zero), with the reason.
            refused = {**Summary(kind=options["kind"]).as_json(), "error": str(exc)}
            self.stdout.write(json.dumps(refused, ensure_ascii=False))
            raise SystemExit(2) from exc
        sys.stderr.write("\n")
        for warning in summary.warnings:
            self.stderr.write(f"提示：{warning}")
        if not summary.dry_run:
            kind.audit(summary.as_json(), str(options["file"]))
        self.stdout.write(json.dumps(summary.as_json(), ensure_ascii=False))

    def _kind(self, name: str, org_code: str | None) -> Any:
        from gonghui.orgs.models import Org

        org = None
        if org_code:
            with unscoped():
                org = Org.objects.filter(code=org_code.strip().upper()).first()
            if org is None:
                raise CommandError(f"工会代码“{org_code}”不存在。")
        # The console is unscoped: every union, no actor (the audit reads 系统).
        build = get_kind(name).build
        assert build is not None  # argparse offers importable kinds only
        return build(actor=None, scope=None, org=org)


def _renames(pairs: list[str]) -> dict[str, str]:
    """--column 联络手机=手机号码 … as {header as in the file: column}."""
    renames = {}
    for pair in pairs:
        header, sep, target = pair.partition("=")
        if not sep or not header.strip() or not target.strip():
            raise CommandError(f"--column 应写成“文件中的列名=列”，如 联络手机=手机号码（收到“{pair}”）")
        renames[header.strip()] = target.strip()
    return renames
