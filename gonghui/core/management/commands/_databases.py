"""What `backup` and `restore-check` share: the PostgreSQL client tools' environment, scratch databases."""

from __future__ import annotations

import os
import secrets
import shutil
from collections.abc import Mapping
from typing import Any

from django.core.management.base import CommandError
from django.utils import timezone

POSTGRES = "django.db.backends.postgresql"
SQLITE = "django.db.backends.sqlite3"


def is_postgres(settings_dict: Mapping[str, Any]) -> bool:
    return bool(settings_dict["ENGINE"] == POSTGRES)


def pg_env(settings_dict: Mapping[str, Any], *, dbname: str | None = None) -> dict[str, str]:
    """The environment pg_dump, pg_restore and psql read their connection from (no password on a command line)."""
    env = os.environ.copy()
    values = {
        "PGHOST": settings_dict.get("HOST"),
        "PGPORT": settings_dict.get("PORT"),
        "PGUSER": settings_dict.get("USER"),
        "PGPASSWORD": settings_dict.get("PASSWORD"),
        "PGDATABASE": dbname or settings_dict.get("NAME"),
        "PGSSLMODE": (settings_dict.get("OPTIONS") or {}).get("sslmode"),
    }
    env.update({k: str(v) for k, v in values.items() if v})
    return env


def pg_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        hint = "请安装 PostgreSQL 客户端（Debian: apt install postgresql-client）"
        raise CommandError(f"找不到 {name}：{hint}。", returncode=2)
    return path


def _connect_kwargs(settings_dict: Mapping[str, Any]) -> dict[str, Any]:
    given = {
        "host": settings_dict.get("HOST"),
        "port": settings_dict.get("PORT"),
        "user": settings_dict.get("USER"),
        "password": settings_dict.get("PASSWORD"),
        "sslmode": (settings_dict.get("OPTIONS") or {}).get("sslmode"),
    }
    return {k: str(v) for k, v in given.items() if v}


def pg_connect(settings_dict: Mapping[str, Any], dbname: str) -> Any:
    """A plain psycopg connection to `dbname` on the server of `settings_dict`."""
    import psycopg

    return psycopg.connect(dbname=dbname, **_connect_kwargs(settings_dict))


def _maintenance_connect(settings_dict: Mapping[str, Any]) -> Any:
    import psycopg

    kwargs = _connect_kwargs(settings_dict)
    last: Exception | None = None
    for dbname in ("postgres", "template1", settings_dict.get("NAME")):
        if not dbname:
            continue
        try:
            return psycopg.connect(dbname=str(dbname), autocommit=True, **kwargs)
        except psycopg.OperationalError as exc:
            last = exc
    raise CommandError(f"无法连接 PostgreSQL 以建立临时数据库：{last}", returncode=2)


def scratch_name() -> str:
    return f"gonghui_restore_check_{timezone.localtime():%Y%m%d%H%M%S}_{secrets.token_hex(3)}"


def create_database(settings_dict: Mapping[str, Any], name: str) -> None:
    from psycopg import sql

    with _maintenance_connect(settings_dict) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def drop_database(settings_dict: Mapping[str, Any], name: str) -> None:
    from psycopg import sql

    with _maintenance_connect(settings_dict) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
