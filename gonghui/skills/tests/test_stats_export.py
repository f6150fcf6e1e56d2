"""The contest statistics keys and the `contest_results` export (console and export page)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from gonghui.accounts.models import User
from gonghui.core.models import AuditEvent
from gonghui.core.stats import stats_collect
from gonghui.skills import services
from gonghui.skills.kinds import RESULT_HEADERS
from gonghui.skills.tests.factories import enter, full_sheet, make_contest, member

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def data_dir(settings: Any, tmp_path: Path) -> Path:
    settings.DATA_DIR = tmp_path / "data"
    return tmp_path / "data"


@pytest.fixture
def ranked(tree):  # type: ignore[no-untyped-def]
    """六盘水's contest with two contestants, scored and ranked; 贵阳 holds a contest with one contestant."""
    world = make_contest(tree.lps)
    a = enter(world, member(tree.courier_union, 1))
    b = enter(world, member(tree.express_federation, 2))
    cells = full_sheet(world, a, "90", [["38"] * 3, ["58"] * 3]) + full_sheet(world, b, "70", [["30"] * 3, ["50"] * 3])
    for clerk in ("first_clerk", "second_clerk"):  # two clerks: the double entry
        actor = User.objects.create_user(username=clerk, password="x-Long-password-1")
        services.scores_enter(actor=actor, scope=None, event=world.event, cells=cells)
    services.contest_rank(actor=None, scope=None, contest=world.contest)
    guiyang = make_contest(tree.guiyang, name="贵阳市焊工大赛")
    enter(guiyang, member(tree.nanming, 3))
    return world


def test_contests_and_contestants_by_subtree(tree, ranked) -> None:  # type: ignore[no-untyped-def]
    assert {k: stats_collect([tree.lps.path])[k] for k in ("contests", "contestants")} == {
        "contests": 1,
        "contestants": 2,
    }
    assert {k: stats_collect([tree.province.path])[k] for k in ("contests", "contestants")} == {
        "contests": 2,
        "contestants": 3,
    }
    # A contestant counts where the contest is held, not under their own union.
    assert stats_collect([tree.courier_union.path])["contestants"] == 0
    assert stats_collect([tree.dingxi.path])["contests"] == 0


def export_cli(path: Path, *args: str) -> dict[str, Any]:
    out = io.StringIO()
    call_command("export", "contest_results", str(path), *args, stdout=out, stderr=io.StringIO())
    result: dict[str, Any] = json.loads(out.getvalue())
    return result


def test_results_export_from_the_console(tree, ranked, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    target = tmp_path / "成绩.csv"
    assert export_cli(target, "--org", "520200")["rows"] == 2
    rows = list(csv.reader(io.StringIO(target.read_text(encoding="utf-8-sig"))))
    assert rows[0] == RESULT_HEADERS
    assert rows[1][3:] == [
        "管道安装",
        "001",
        "选手一",
        "钟山区快递员联合工会",
        "钟山建安公司",
        "90.00",
        "96.00",
        "94.20",
        "1",
        "一等奖",
    ]
    assert rows[2][4:6] == ["002", "选手二"] and rows[2][-1] == "二等奖"
    event = AuditEvent.all_objects.get(action="skills.results.export")
    assert (event.org.code, event.data["rows"]) == ("520200", 2)
    assert export_cli(tmp_path / "dx.csv", "--org", "621100")["rows"] == 0


def test_the_contest_list_links_to_the_export_page(tree, ranked, make_user, login) -> None:  # type: ignore[no-untyped-def]
    client = login(make_user("lps_officer", ("officer", "520200")))
    assert 'href="/imports/export/?kind=contest_results"' in client.get("/skills/contests/").content.decode()
    assert (
        '<option value="contest_results" selected>'
        in client.get("/imports/export/?kind=contest_results").content.decode()
    )


def test_the_dashboard_shows_the_skills_figures(tree, ranked, make_user, login) -> None:  # type: ignore[no-untyped-def]
    html = login(make_user("lps_admin", ("admin", "520200"))).get("/").content.decode()
    assert 'data-testid="stat-contests"' in html and "参赛选手 2 人" in html
