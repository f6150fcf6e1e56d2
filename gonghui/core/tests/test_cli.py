"""The `gonghui` commands: in-process through call_command, and once as real subprocesses."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from gonghui.accounts.models import Grant, User
from gonghui.conftest import Tree
from gonghui.core.models import AuditEvent
from gonghui.orgs.models import Org

pytestmark = pytest.mark.django_db

PASSWORD = "Lps-express-2026"


def _run(*args: str, **options) -> str:
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO(), **options)
    return out.getvalue()


@pytest.fixture
def password_file(tmp_path: Path) -> Path:
    path = tmp_path / "password.txt"
    path.write_text(f"{PASSWORD}\nsecond line is ignored\n", encoding="utf-8")
    return path


# --- check_org_tree ------------------------------------------------------------------


def test_check_org_tree_on_a_sound_tree(tree: Tree) -> None:
    assert _run("check_org_tree") == "组织树完好：所有路径与层级均与上级关系一致。\n"
    assert json.loads(_run("check_org_tree", "--json")) == {"problems": [], "repaired": False}


def test_check_org_tree_reports_exits_1_and_repairs(tree: Tree) -> None:
    Org.all_objects.filter(pk=tree.nanming.pk).update(depth=7)
    out = StringIO()
    with pytest.raises(SystemExit) as exc:
        call_command("check_org_tree", stdout=out)
    assert exc.value.code == 1
    assert out.getvalue().splitlines() == ["520102\tdepth\t应为 2\t实为 7", "发现 1 处问题。"]

    body = json.loads(_run("check_org_tree", "--repair", "--json"))
    assert body == {
        "problems": [{"code": "520102", "problem": "depth", "expected": "2", "actual": "7"}],
        "repaired": True,
    }
    assert Org.all_objects.get(pk=tree.nanming.pk).depth == 2
    assert _run("check_org_tree").startswith("组织树完好")


# --- stats ---------------------------------------------------------------------------


def test_stats_json_matches_the_api(tree: Tree, make_user, bearer) -> None:
    from django.test import Client

    body = json.loads(_run("stats", "--org", "520000", "--json"))
    assert body["orgs"] == 7
    assert body["orgs_new_employment"] == 2
    admin = make_user("gz_admin", ("admin", "520000"))
    api = Client().get("/api/v1/stats", {"org": "520000"}, **bearer(admin))
    assert api.status_code == 200
    assert api.json() == body

    assert json.loads(_run("stats", "--org", "520200", "--json"))["orgs"] == 4
    assert json.loads(_run("stats", "--json"))["orgs"] == 8  # everything, 定西 included
    assert "orgs_new_employment\t2" in _run("stats", "--org", "520000")


def test_stats_unknown_org_is_a_chinese_error(tree: Tree) -> None:
    with pytest.raises(CommandError, match="未找到工会代码“999999”。"):
        _run("stats", "--org", "999999", "--json")


# --- grant ---------------------------------------------------------------------------


def test_grant_creates_the_user_and_the_grant(tree: Tree, password_file: Path) -> None:
    out = _run("grant", "newuser", "--org", "520200", "--role", "viewer", "--password-file", str(password_file))
    assert out.strip() == "已创建用户 newuser，已授予 查看人（viewer）于 六盘水市总工会（520200）及其下级。"
    user = User.objects.get(username="newuser")
    assert user.check_password(PASSWORD)
    grant = Grant.objects.select_related("role", "org").get(user=user)
    assert (grant.role.name, grant.org.code) == ("viewer", "520200")
    assert AuditEvent.all_objects.filter(action="accounts.grant.create", org=tree.lps).count() == 1

    # An existing user needs no password; granting again changes nothing.
    out = _run("grant", "newuser", "--org", "520100", "--role", "officer")
    assert out.strip() == "已授予 经办人（officer）于 贵阳市总工会（520100）及其下级。"
    _run("grant", "newuser", "--org", "520100", "--role", "officer")
    assert Grant.objects.filter(user=user).count() == 2


@pytest.mark.parametrize(
    ("org", "role", "message"),
    [
        ("520200", "chairman", "角色“chairman”不存在，可用角色：admin、officer、reviewer、viewer。"),
        ("999999", "viewer", "工会代码“999999”不存在。"),
    ],
)
def test_grant_refusals_are_chinese_and_leave_nothing(
    tree: Tree, password_file: Path, org: str, role: str, message: str
) -> None:
    with pytest.raises(CommandError) as exc:
        _run("grant", "newuser", "--org", org, "--role", role, "--password-file", str(password_file))
    assert str(exc.value) == message
    assert not User.objects.filter(username="newuser").exists()


def test_grant_with_a_weak_or_missing_password(tree: Tree, tmp_path: Path) -> None:
    weak = tmp_path / "weak.txt"
    weak.write_text("12345\n", encoding="utf-8")
    with pytest.raises(CommandError, match=r"^密码不符合要求："):
        _run("grant", "newuser", "--org", "520200", "--role", "viewer", "--password-file", str(weak))
    with pytest.raises(CommandError, match="无法读取密码文件"):
        _run("grant", "newuser", "--org", "520200", "--role", "viewer", "--password-file", str(tmp_path / "none"))
    assert not User.objects.filter(username="newuser").exists()


# --- the real console script -----------------------------------------------------------


def _console_script() -> Path:
    script = Path(sys.executable).with_name("gonghui")
    assert script.exists(), f"{script} is installed by `make setup` (pip install -e .)"
    return script


@pytest.fixture
def cli(tmp_path: Path):
    """Run `.venv/bin/gonghui` with its own data directory and SQLite file, whatever the test database."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GONGHUI_", "DJANGO_", "DATABASE_"))}
    env.update(GONGHUI_DATA_DIR=str(tmp_path / "data"), DATABASE_URL=f"sqlite:///{tmp_path / 'cli.sqlite3'}")
    script = _console_script()

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(  # noqa: S603 - fixed executable, test arguments
            [str(script), *args], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=180, check=False
        )

    run.db = tmp_path / "cli.sqlite3"  # type: ignore[attr-defined]
    return run


@pytest.mark.django_db(databases=[])
def test_console_script_end_to_end(cli, tmp_path: Path) -> None:
    demo = cli("demo", "--no-serve")
    assert demo.returncode == 0, demo.stderr
    assert "演示数据已就绪（规模：small）" in demo.stdout
    assert "gz_admin" in demo.stdout

    stats = cli("stats", "--org", "520000", "--json")
    assert stats.returncode == 0, stats.stderr
    last_line = stats.stdout.strip().splitlines()[-1]
    figures = json.loads(last_line)
    assert figures["orgs_new_employment"] == 362

    check = cli("check-org-tree")
    assert check.returncode == 0, check.stderr
    assert "组织树完好" in check.stdout

    password_file = tmp_path / "pw.txt"
    password_file.write_text(PASSWORD + "\n", encoding="utf-8")
    grant = cli("grant", "newuser", "--org", "520200", "--role", "viewer", "--password-file", str(password_file))
    assert grant.returncode == 0, grant.stderr
    assert "已创建用户 newuser" in grant.stdout
    with sqlite3.connect(cli.db) as db:
        rows = db.execute(
            "SELECT u.password, r.name, o.code FROM accounts_grant g "
            "JOIN accounts_user u ON u.id = g.user_id JOIN accounts_role r ON r.id = g.role_id "
            "JOIN orgs_org o ON o.id = g.org_id WHERE u.username = 'newuser'"
        ).fetchall()
    assert [(role, org) for _pw, role, org in rows] == [("viewer", "520200")]
    assert rows[0][0].startswith("argon2$")  # the real settings hash with Argon2

    bad_role = cli("grant", "other", "--org", "520200", "--role", "chairman", "--password-file", str(password_file))
    assert bad_role.returncode != 0
    assert "角色“chairman”不存在" in bad_role.stderr

    bad_org = cli("grant", "other", "--org", "999999", "--role", "viewer", "--password-file", str(password_file))
    assert bad_org.returncode != 0
    assert "工会代码“999999”不存在。" in bad_org.stderr

    with sqlite3.connect(cli.db) as db:
        assert db.execute("SELECT count(*) FROM accounts_user WHERE username = 'other'").fetchone() == (0,)

    # The data directory holds the generated keys, never the working directory.
    assert (tmp_path / "data" / "keys.json").exists()
