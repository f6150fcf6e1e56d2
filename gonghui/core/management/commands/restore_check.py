"""`gonghui restore-check BACKUP`: restore a backup into a scratch database and check it.

A backup nobody has restored is a hope. This restores one (a `pg_dump` custom or
plain SQL file into a new PostgreSQL database on the configured server, or a
SQLite file into a temporary copy), then checks it: every table's row count, the
tables the code expects, the migrations it is behind or ahead of, and that every
sealed value opens with the field keys at hand and its blind index verifies
under an index key at hand. The scratch database is dropped afterwards unless
`--keep`. Keys at hand: the configured ones, a rotation's next keys, and any
`--keys FILE` (a `keys.json`, or a `keys-retired-*.json` for backups older than a
rotation).

Stdout: a summary, the last line one JSON object. Exit 0 when the backup
restores and checks out, 1 when a check fails, 2 when it cannot be restored.
Nothing printed holds a value: tables, counts and key ids only.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import tempfile
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import dj_database_url
from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.loader import MigrationLoader
from django.db.models import Model

from gonghui.core import crypto
from gonghui.core.management.commands._databases import (
    create_database,
    drop_database,
    is_postgres,
    pg_connect,
    pg_env,
    pg_tool,
    scratch_name,
)
from gonghui.core.management.commands._keyrotation import Opener
from gonghui.core.management.commands.keys import key_source

CHUNK = 5000
SQLITE_MAGIC = b"SQLite format 3\x00"
PGDUMP_MAGIC = b"PGDMP"


def backup_format(path: Path) -> str:
    with open(path, "rb") as fh:
        head = fh.read(4096)
    if head.startswith(SQLITE_MAGIC):
        return "sqlite"
    if head.startswith(PGDUMP_MAGIC):
        return "postgresql-custom"
    if b"PostgreSQL database dump" in head:
        return "postgresql-sql"
    kinds = "pg_dump 自定义格式、pg_dump SQL 或 SQLite 数据库文件"
    raise CommandError(f"{path} 不是可识别的备份（{kinds}）。", returncode=2)


def keys_at_hand(extra_files: list[Path]) -> tuple[list[str], list[str]]:
    """(field keys, index keys): configured, a rotation's next ones, then the files given."""
    fields = [settings.GONGHUI_FIELD_KEY]
    indexes = [settings.GONGHUI_INDEX_KEY]
    nxt = key_source().next_keys()
    found: list[dict[str, Any]] = [nxt] if nxt else []
    for path in extra_files:
        try:
            found.append(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError) as exc:
            raise CommandError(f"无法读取密钥文件 {path}：{exc}", returncode=2) from exc
    for keys in found:
        for name, value in keys.items():
            if not value or not isinstance(value, str):
                continue
            if name.endswith("field_key") and value not in fields:
                fields.append(value)
            elif name.endswith("index_key") and value not in indexes:
                indexes.append(value)
    return fields, indexes


class Command(BaseCommand):
    help = "把备份恢复到临时数据库并检查：各表行数、迁移、加密字段能否用现有密钥解密、盲索引是否一致。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("backup", help="gonghui backup（或 pg_dump、SQLite 文件）生成的备份")
        parser.add_argument(
            "--keys", action="append", default=[], type=Path, help="另一份密钥文件（如轮换前的 keys-retired-*.json）"
        )
        parser.add_argument(
            "--server-url", default="", help="恢复到这个 PostgreSQL 服务器（默认：当前配置的数据库所在服务器）"
        )
        parser.add_argument("--sample", type=int, default=0, help="每个加密字段最多检查的行数（默认全部）")
        parser.add_argument("--keep", action="store_true", help="检查后保留临时数据库并打印其名称")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["backup"]).resolve()
        if not path.is_file():
            raise CommandError(f"找不到备份文件：{path}", returncode=2)
        kind = backup_format(path)
        fields, indexes = keys_at_hand(options["keys"])
        with self._restored(path, kind, options) as (db, where):
            report = check_database(db, fields=fields, indexes=indexes, sample=options["sample"])
        report = {"backup": str(path), "format": kind, "restored_into": where, **report}
        self._print(report)
        if not report["ok"]:
            raise SystemExit(1)

    @contextmanager
    def _restored(self, path: Path, kind: str, options: dict[str, Any]) -> Iterator[tuple[Scratch, str]]:
        """A plain connection to the scratch copy (never one the application could use), removed afterwards."""
        if kind == "sqlite":
            scratch_dir = Path(tempfile.mkdtemp(prefix="gonghui-restore-check-"))
            target = scratch_dir / "restore.sqlite3"
            shutil.copyfile(path, target)
            where = str(target)

            def cleanup() -> None:
                shutil.rmtree(scratch_dir, ignore_errors=True)

            try:
                db = Scratch(sqlite3.connect(target), "sqlite")
                integrity = db.rows("PRAGMA integrity_check")[0][0]
            except sqlite3.DatabaseError as exc:
                cleanup()
                raise CommandError(f"SQLite 备份无法打开：{exc}", returncode=2) from exc
            if integrity != "ok":
                db.close()
                cleanup()
                raise CommandError(f"SQLite 备份已损坏：{str(integrity)[:200]}", returncode=2)
        else:
            server = self._server(options["server_url"])
            name = where = scratch_name()
            self.stderr.write(f"恢复到临时数据库 {name} …")
            create_database(server, name)

            def cleanup() -> None:
                drop_database(server, name)

            try:
                self._pg_restore(path, kind, server, name)
                db = Scratch(pg_connect(server, name), "postgresql")
            except BaseException:
                if not options["keep"]:
                    cleanup()
                raise
        try:
            yield db, where
        finally:
            db.close()
            if options["keep"]:
                self.stderr.write(f"临时数据库已保留：{where}")
            else:
                cleanup()

    def _server(self, url: str) -> dict[str, Any]:
        parsed = dict(dj_database_url.parse(url)) if url else dict(connections[DEFAULT_DB_ALIAS].settings_dict)
        if not is_postgres(parsed):
            raise CommandError(
                "这是 PostgreSQL 备份，但当前配置的数据库不是 PostgreSQL："
                "请用 --server-url postgres://… 指定恢复到的服务器。",
                returncode=2,
            )
        return parsed

    def _pg_restore(self, path: Path, kind: str, server: dict[str, Any], name: str) -> None:
        if kind == "postgresql-custom":
            command = [pg_tool("pg_restore"), "--no-owner", "--no-privileges", "--exit-on-error", f"--dbname={name}"]
        else:
            command = [pg_tool("psql"), "--quiet", "--set=ON_ERROR_STOP=1", f"--dbname={name}", "--file"]
        done = subprocess.run(  # noqa: S603 - fixed argument list
            [*command, str(path)], env=pg_env(server, dbname=name), capture_output=True, text=True, check=False
        )
        if done.returncode:
            raise CommandError(f"恢复失败：{done.stderr.strip()[-500:]}", returncode=2)

    def _print(self, report: dict[str, Any]) -> None:
        out = self.stdout
        out.write(f"备份 {report['backup']}（{report['format']}）已恢复到 {report['restored_into']}。")
        out.write(f"{len(report['tables'])} 张表，共 {sum(report['tables'].values())} 行。")
        for table, rows in report["tables"].items():
            out.write(f"  {table}\t{rows}")
        if report["missing_tables"]:
            out.write(f"缺少的表：{', '.join(report['missing_tables'])}")
        if report["pending_migrations"]:
            out.write(f"备份比当前代码少 {len(report['pending_migrations'])} 个迁移（恢复后运行 gonghui migrate）。")
        if report["unknown_migrations"]:
            out.write(f"备份含当前代码没有的 {len(report['unknown_migrations'])} 个迁移：它来自更新的版本。")
        for label, col in report["sealed"].items():
            keys = "，".join(f"{k} {v}" for k, v in sorted(col["keys"].items())) or "—"
            out.write(
                f"  {label}\t{col['rows']} 行，可解密 {col['opened']}，无法解密 {col['failed']}，"
                f"索引一致 {col['index_ok']}，索引不符 {col['index_bad']}（密钥：{keys}）"
            )
        out.write("检查通过。" if report["ok"] else "检查未通过：见上。")
        out.write(json.dumps(report, ensure_ascii=False))


class Scratch:
    """The restored copy through a plain DB-API connection (sqlite3 or psycopg), read only."""

    def __init__(self, conn: Any, vendor: str) -> None:
        self.conn = conn
        self.vendor = vendor
        self.mark = "?" if vendor == "sqlite" else "%s"

    def rows(self, sql: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
        cur = self.conn.cursor()
        try:
            if params:
                cur.execute(sql.replace("%s", self.mark), params)
            else:
                cur.execute(sql)
            return list(cur.fetchall())
        finally:
            cur.close()

    def tables(self) -> list[str]:
        if self.vendor == "sqlite":
            # SQLite's own tables (sqlite_sequence, sqlite_stat1) are not the application's.
            found = self.rows("SELECT name FROM sqlite_master WHERE type = 'table' AND substr(name, 1, 7) != 'sqlite_'")
        else:
            found = self.rows(
                "SELECT table_name FROM information_schema.tables "
                "WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'"
            )
        return sorted(str(r[0]) for r in found)

    def columns(self, table: str) -> set[str]:
        if self.vendor == "sqlite":
            return {str(r[1]) for r in self.rows(f"PRAGMA table_info({quote(table)})")}
        found = self.rows(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() "
            "AND table_name = %s",
            [table],
        )
        return {str(r[0]) for r in found}

    def close(self) -> None:
        self.conn.close()


def quote(name: str) -> str:
    """An identifier quoted the same way for SQLite and PostgreSQL."""
    return '"' + name.replace('"', '""') + '"'


def check_database(db: Scratch, *, fields: list[str], indexes: list[str], sample: int = 0) -> dict[str, Any]:
    """Row counts, expected tables, migrations, and every sealed value of the restored copy."""
    counts = {t: int(db.rows(f"SELECT COUNT(*) FROM {quote(t)}")[0][0]) for t in db.tables()}  # noqa: S608
    expected = sorted(
        {m._meta.db_table for m in apps.get_models() if m._meta.managed and not m._meta.proxy and not m._meta.swapped}
    )
    missing = [t for t in expected if t not in counts]
    applied: set[tuple[str, str]] = set()
    if "django_migrations" in counts:
        applied = {(str(a), str(n)) for a, n in db.rows("SELECT app, name FROM django_migrations")}
    known = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    pending = sorted(f"{a}.{n}" for a, n in known - applied)
    unknown = sorted(f"{a}.{n}" for a, n in applied - known)

    opener = Opener(fields)
    sealed: dict[str, dict[str, Any]] = {}
    for col in crypto.sealed_columns():
        table = col.model._meta.db_table
        if table not in counts or col.cipher is None:
            continue
        wanted = [_column_of(col.model, n) for n in (col.cipher, col.index, col.type_field) if n]
        if not set(wanted) <= db.columns(table):
            continue  # a backup from before this column existed
        sealed[col.label] = _check_column(db, col, opener, indexes, sample)
    failed = any(c["failed"] or c["index_bad"] for c in sealed.values())
    return {
        "tables": counts,
        "missing_tables": missing,
        "pending_migrations": pending,
        "unknown_migrations": unknown,
        "sealed": sealed,
        "ok": not failed and not missing,
    }


def _column_of(model: type[Model], name: str) -> str:
    return str(model._meta.get_field(name).column)  # type: ignore[union-attr]


def _rows(db: Scratch, col: crypto.SealedColumns, sample: int) -> Iterator[tuple[Any, Any, Any]]:
    """(token, index, type) of each sealed row, by primary key in chunks (raw SQL: the backup's schema may be older)."""
    assert col.cipher is not None
    pk = quote(_column_of(col.model, col.model._meta.pk.name))
    cipher = quote(_column_of(col.model, col.cipher))
    index = quote(_column_of(col.model, col.index)) if col.index else "NULL"
    kind = quote(_column_of(col.model, col.type_field)) if col.type_field else "NULL"
    table = quote(col.model._meta.db_table)
    last, left = None, sample or None
    while left is None or left > 0:
        size = CHUNK if left is None else min(CHUNK, left)
        after = "" if last is None else f"AND {pk} > %s"
        chunk = db.rows(
            f"SELECT {pk}, {cipher}, {index}, {kind} FROM {table} "  # noqa: S608 - quoted model names
            f"WHERE {cipher} IS NOT NULL {after} ORDER BY {pk} LIMIT {int(size)}",
            [] if last is None else [last],
        )
        if not chunk:
            return
        for row in chunk:
            yield row[1], row[2], row[3]
        last = chunk[-1][0]
        if left is not None:
            left -= len(chunk)


def _check_column(
    db: Scratch, col: crypto.SealedColumns, opener: Opener, indexes: list[str], sample: int
) -> dict[str, Any]:
    seen: Counter[str] = Counter()
    rows = opened = failed = index_ok = index_bad = 0
    for token, index, row_type in _rows(db, col, sample):
        if token is None or not len(token):
            continue
        rows += 1
        result = opener.open(col.label, token)
        if result is None:
            failed += 1
            continue
        plain, secret, purpose = result
        opened += 1
        seen[crypto.field_key_id(secret)] += 1
        if not index:
            continue
        inputs = col.index_inputs(plain, row_type)
        if any(crypto.blind_index(v, purpose=purpose, key=k) == index for k in indexes for v in inputs):
            index_ok += 1
        else:
            index_bad += 1
    return {
        "rows": rows,
        "opened": opened,
        "failed": failed,
        "keys": dict(seen),
        "index_ok": index_ok,
        "index_bad": index_bad,
    }
