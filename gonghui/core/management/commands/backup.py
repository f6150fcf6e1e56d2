"""`gonghui backup FILE`: a consistent copy of the database, without the keys.

PostgreSQL: `pg_dump --format=custom` (restore with `pg_restore`); SQLite: the
online backup API, a plain database file. The keys are deliberately not in it:
a stolen backup must not open the ID numbers. Back them up separately
(docs/deploying.md), and check each backup with `gonghui restore-check FILE`.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DEFAULT_DB_ALIAS, connections

from gonghui.core.management.commands._databases import SQLITE, is_postgres, pg_env, pg_tool


def backup_database(target: Path, *, alias: str = DEFAULT_DB_ALIAS) -> str:
    """Write a backup of `alias` to `target` (mode 0600); return its format."""
    conn = connections[alias]
    settings_dict = conn.settings_dict
    tmp = target.with_name(f".{target.name}.partial")
    tmp.unlink(missing_ok=True)
    os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    try:
        if is_postgres(settings_dict):
            done = subprocess.run(  # noqa: S603 - fixed argument list
                [pg_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges", f"--file={tmp}"],
                env=pg_env(settings_dict),
                capture_output=True,
                text=True,
                check=False,
            )
            if done.returncode:
                raise CommandError(f"pg_dump 失败：{done.stderr.strip()[-500:]}", returncode=2)
            kind = "postgresql-custom"
        elif settings_dict["ENGINE"] == SQLITE:
            conn.ensure_connection()
            source: sqlite3.Connection = conn.connection
            dest = sqlite3.connect(tmp)
            try:
                source.backup(dest)
            finally:
                dest.close()
            kind = "sqlite"
        else:
            raise CommandError(f"不支持的数据库：{settings_dict['ENGINE']}", returncode=2)
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    return kind


class Command(BaseCommand):
    help = "备份数据库（不含密钥）到 FILE：PostgreSQL 为 pg_dump 自定义格式，SQLite 为数据库文件。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="备份文件路径")

    def handle(self, *args: Any, **options: Any) -> None:
        target = Path(options["file"]).resolve()
        if not target.parent.is_dir():
            raise CommandError(f"目录不存在：{target.parent}", returncode=2)
        kind = backup_database(target)
        size = target.stat().st_size
        self.stdout.write(f"已备份到 {target}（{size / 1048576:.1f} MB，{kind}）。")
        self.stdout.write(
            "密钥不在备份中：请另行保管（见 docs/deploying.md），并用 gonghui restore-check 检查这份备份。"
        )
        self.stdout.write(json.dumps({"file": str(target), "format": kind, "bytes": size}, ensure_ascii=False))
