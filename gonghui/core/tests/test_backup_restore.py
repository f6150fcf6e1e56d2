"""`gonghui backup` then `gonghui restore-check`: the backup restores into a scratch database and checks out.

On PostgreSQL the backup is pg_dump's custom format and the check restores it
into a new database on the same server (dropped afterwards); on SQLite it is a
database file, checked in a temporary copy. A backup checked with keys that did
not seal it fails; with the keys that did (a rotation's retired keys file) it
passes again.
"""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import override_settings

from gonghui.core.keys import KeySource
from gonghui.core.management.commands._keyrotation import Rotation
from gonghui.core.tests.test_keys import OLD_FIELD, build_world, keydir, keys_in  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db(transaction=True)


def restore_check(*args: str) -> tuple[int, dict[str, Any], str]:
    out, err = StringIO(), StringIO()
    code = 0
    try:
        call_command("restore_check", *args, stdout=out, stderr=err)
    except SystemExit as exc:
        code = int(exc.code or 0)
    return code, json.loads(out.getvalue().splitlines()[-1]), out.getvalue() + err.getvalue()


def scratch_databases() -> list[str]:
    if connection.vendor != "postgresql":
        return []
    with connection.cursor() as cur:
        cur.execute("SELECT datname FROM pg_database WHERE datname LIKE 'gonghui_restore_check_%%'")
        return [r[0] for r in cur.fetchall()]


def test_a_backup_restores_and_checks_out_and_needs_the_keys_that_sealed_it(
    keydir: Path,  # noqa: F811 - the fixture
    tree: Any,
    tmp_path: Path,
) -> None:
    from gonghui.members.models import Person

    world = build_world(tree)
    before_scratch = scratch_databases()
    backup = tmp_path / "gonghui.backup"
    out = StringIO()
    call_command("backup", str(backup), stdout=out)
    summary = json.loads(out.getvalue().splitlines()[-1])
    assert summary["format"] == ("postgresql-custom" if connection.vendor == "postgresql" else "sqlite")
    assert oct(backup.stat().st_mode & 0o777) == "0o600"
    assert OLD_FIELD.encode() not in backup.read_bytes()  # the keys are not in the backup

    code, report, text = restore_check(str(backup))
    assert code == 0, text
    assert report["ok"] is True and report["missing_tables"] == [] and report["pending_migrations"] == []
    assert report["tables"]["members_person"] == Person.objects.count() == len(world.numbers)
    assert report["tables"]["crosscheck_agencyrecord"] == 2
    person = report["sealed"]["members.Person.id"]
    assert person["rows"] == person["opened"] == person["index_ok"] == len(world.numbers)
    assert person["failed"] == person["index_bad"] == 0
    assert report["sealed"]["cards.ServiceCard.card"]["opened"] == 1
    assert scratch_databases() == before_scratch  # dropped afterwards
    assert not any(n in text for n in world.numbers.values())

    # The keys rotate; the old backup no longer opens with the keys at hand…
    Rotation(source=KeySource(keydir, {})).run()
    keys = keys_in(keydir)
    retired = next(keydir.glob("keys-retired-*.json"))
    with override_settings(GONGHUI_FIELD_KEY=keys["field_key"], GONGHUI_INDEX_KEY=keys["index_key"]):
        code, report, _ = restore_check(str(backup))
        assert code == 1 and report["ok"] is False
        assert report["sealed"]["members.Person.id"]["failed"] == len(world.numbers)
        # …but does with the retired keys kept beside the backups made before the rotation.
        code, report, _ = restore_check(str(backup), "--keys", str(retired), "--sample", "3")
        assert code == 0 and report["ok"] is True
        assert report["sealed"]["members.Person.id"]["rows"] == 3

        # A backup made after the rotation opens with the new keys alone.
        fresh = tmp_path / "after.backup"
        call_command("backup", str(fresh), stdout=StringIO())
        code, report, _ = restore_check(str(fresh))
        assert code == 0 and report["sealed"]["members.Person.id"]["index_ok"] == len(world.numbers)
    assert scratch_databases() == before_scratch


def test_what_is_not_a_backup_is_refused(tmp_path: Path) -> None:
    junk = tmp_path / "junk.bin"
    junk.write_bytes(b"not a backup at all")
    with pytest.raises(CommandError, match="不是可识别的备份") as refused:
        call_command("restore_check", str(junk), stdout=StringIO(), stderr=StringIO())
    assert refused.value.returncode == 2
    with pytest.raises(CommandError, match="找不到备份文件"):
        call_command("restore_check", str(tmp_path / "missing"), stdout=StringIO(), stderr=StringIO())
    damaged = tmp_path / "damaged.sqlite3"
    damaged.write_bytes(b"SQLite format 3\x00" + b"\x00" * 200)
    with pytest.raises(CommandError) as broken:
        call_command("restore_check", str(damaged), stdout=StringIO(), stderr=StringIO())
    assert broken.value.returncode == 2


def test_a_plain_sql_dump_restores_through_psql(
    keydir: Path,  # noqa: F811 - the fixture
    tree: Any,
    tmp_path: Path,
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("pg_dump's plain SQL format is a PostgreSQL backup")
    import subprocess

    from gonghui.core.management.commands._databases import pg_env, pg_tool

    world = build_world(tree)
    dump = tmp_path / "gonghui.sql"
    subprocess.run(  # noqa: S603 - fixed arguments
        [pg_tool("pg_dump"), "--format=plain", "--no-owner", f"--file={dump}"],
        env=pg_env(connection.settings_dict),
        check=True,
    )
    code, report, text = restore_check(str(dump))
    assert code == 0, text
    assert report["format"] == "postgresql-sql"
    assert report["sealed"]["members.Person.id"]["index_ok"] == len(world.numbers)
