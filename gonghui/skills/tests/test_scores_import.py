"""`contest_scores`: a clerk's scores from a file, as a first or second entry, with rows refused one by one."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest

from gonghui.core.bulk.engine import run_import
from gonghui.core.models import AuditEvent
from gonghui.core.scoping import unscoped
from gonghui.skills import services
from gonghui.skills.bulk import ScoresKind
from gonghui.skills.kinds import export_scores
from gonghui.skills.models import Score, ScoreState
from gonghui.skills.tests.factories import enter, make_contest, member, scope_of

pytestmark = pytest.mark.django_db

HEADER = ["竞赛编号", "参赛编号", "成绩类别", "考核内容", "裁判", "成绩"]


@pytest.fixture(autouse=True)
def data_dir(settings: Any, tmp_path: Path) -> Path:
    settings.DATA_DIR = tmp_path / "data"
    return tmp_path / "data"


def write(path: Path, rows: list[list[Any]]) -> Path:
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        csv.writer(f).writerows([HEADER, *rows])
    return path


def test_two_clerks_import_their_files_and_bad_rows_are_refused_alone(tree, make_user, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    world = make_contest(tree.lps)
    enter(world, member(tree.courier_union, 1))
    enter(world, member(tree.courier_union, 2, employer="盘州电厂"))  # 钱裁判's enterprise
    cid = world.contest.pk
    rows = [
        [cid, 1, "理论", "", "", "88"],
        [cid, 1, "实操", "管道切割", "赵裁判", "36"],
        [cid, 2, "笔试", "", "", "120"],  # over 100
        [cid, 2, "实操", "管道切割", "钱裁判", "30"],  # the judge's own enterprise
        [cid, 3, "理论", "", "", "70"],  # no contestant 3
        [cid, 2, "实操", "管道焊接", "周裁判", "50"],  # no such judge
        [999, 1, "理论", "", "", "70"],  # no such contest
    ]
    a, b = make_user("a", ("officer", "520200")), make_user("b", ("reviewer", "520200"))
    path = write(tmp_path / "成绩.csv", rows)
    summary = run_import(ScoresKind(actor=a, scope=scope_of(a), org=tree.lps), path)
    assert (summary.rows, summary.created, summary.rejected) == (7, 2, 5)
    again = run_import(ScoresKind(actor=a, scope=scope_of(a), org=tree.lps), path)  # the same file: nothing changes
    assert (again.created, again.unchanged, again.rejected) == (0, 2, 5)
    with unscoped():
        assert set(Score.objects.values_list("state", flat=True)) == {ScoreState.FIRST}
    kind = ScoresKind(actor=b, scope=scope_of(b), org=tree.lps)
    second = run_import(kind, path)
    assert second.created == 2
    with unscoped():
        assert set(Score.objects.values_list("state", flat=True)) == {ScoreState.MATCHED}
    assert AuditEvent.all_objects.filter(action="skills.scores.enter").count() == 2  # the unchanged import: none
    kind.audit(second.as_json(), str(path))  # what the job and the CLI write: one event for the file
    event = AuditEvent.all_objects.get(action="skills.scores.import")
    assert (event.data["rows"], event.data["created"], event.data["rejected"]) == (7, 2, 5)


def test_a_union_outside_the_contest_imports_nothing(tree, make_user, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    world = make_contest(tree.lps)
    enter(world, member(tree.courier_union, 1))
    local = make_user("local", ("officer", "520201G001"))
    path = write(tmp_path / "x.csv", [[world.contest.pk, 1, "理论", "", "", "88"]])
    summary = run_import(ScoresKind(actor=local, scope=scope_of(local), org=tree.courier_union), path)
    assert (summary.created, summary.rejected) == (0, 1)


def test_counted_scores_export_in_the_import_columns(tree, make_user, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    world = make_contest(tree.lps)
    e = enter(world, member(tree.courier_union, 1))
    cells = [services.ScoreCell("t", e.pk, "88")]
    for clerk in (make_user("a", ("officer", "520200")), make_user("b", ("reviewer", "520200"))):
        services.scores_enter(actor=clerk, scope=scope_of(clerk), event=world.event, cells=cells)
    target = tmp_path / "out.csv"
    assert export_scores(str(target), actor=None, org=tree.lps, unmasked=False, scope=None) == 1
    with target.open(encoding="utf-8-sig") as f:
        assert list(csv.reader(f)) == [HEADER, [str(world.contest.pk), "1", "理论", "", "", "88.00"]]
