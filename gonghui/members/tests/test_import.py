"""`gonghui import members`: the first kind on the bulk engine."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from openpyxl import Workbook, load_workbook

from gonghui.core.bulk.engine import run_import
from gonghui.core.idnumbers import id_number_with_check
from gonghui.core.models import AuditEvent
from gonghui.core.scoping import unscoped
from gonghui.members.bulk import MembersKind
from gonghui.members.models import Membership, Person
from gonghui.members.services import member_register, tally_check

HEADER = "姓名,身份证号,手机号码,民族,新就业形态类别,所属工会代码,入会日期,是否农民工"
GIVEN = "甲乙丙丁戊己庚辛壬癸"


def number(i: int) -> str:
    return id_number_with_check(f"5201021990{(i % 12) + 1:02d}{(i % 28) + 1:02d}{i % 1000:03d}")


def roster(n: int, *, org: str = "520201G001", start: int = 0) -> list[str]:
    return [
        f"骑手{GIVEN[(i // 10) % 10]}{GIVEN[i % 10]},{number(i)},1390000{i:04d},汉族,外卖配送员,{org},2023/7/20,是"
        for i in range(start, start + n)
    ]


def write_csv(path: Path, lines: list[str], encoding: str = "utf-8") -> Path:
    path.write_text("\n".join(["会员花名册", HEADER, *lines]) + "\n", encoding=encoding)
    return path


def run(*args: str) -> tuple[int, dict[str, object]]:
    out, err = StringIO(), StringIO()
    try:
        call_command("import", *args, stdout=out, stderr=err)
    except SystemExit as exc:
        return int(exc.code or 0), json.loads(out.getvalue().strip().splitlines()[-1])
    return 0, json.loads(out.getvalue().strip().splitlines()[-1])


def test_import_then_the_same_file_again_changes_nothing(tree, tmp_path: Path) -> None:
    # 150 rows: past the size at which PostgreSQL takes the rows by COPY.
    path = write_csv(tmp_path / "roster.csv", roster(150), encoding="gb18030")
    code, first = run("members", str(path))
    assert code == 0
    assert {k: first[k] for k in ("rows", "created", "updated", "unchanged", "rejected", "report")} == {
        "rows": 150,
        "created": 150,
        "updated": 0,
        "unchanged": 0,
        "rejected": 0,
        "report": None,
    }
    code, again = run("members", str(path))
    assert (again["created"], again["unchanged"]) == (0, 150)
    with unscoped():
        assert Membership.objects.filter(org=tree.courier_union).count() == 150
        person = Person.objects.get(mobile="13900000007")  # 骑手甲辛
        assert (person.name_initials, person.new_employment_type, person.is_migrant_worker) == ("qsjx", "10", True)
        assert AuditEvent.objects.filter(action="members.import").count() == 2
    assert tally_check() == []


def test_a_changed_row_is_updated_and_a_blank_cell_keeps_the_value(tree, tmp_path: Path) -> None:
    write_csv(tmp_path / "a.csv", roster(3))
    run("members", str(tmp_path / "a.csv"))
    lines = roster(3)
    lines[0] = lines[0].replace("13900000000", "13700000000")
    lines[1] = lines[1].replace(",汉族,", ",,")
    _code, summary = run("members", str(write_csv(tmp_path / "b.csv", lines)))
    assert (summary["updated"], summary["unchanged"]) == (1, 2)
    with unscoped():
        assert Person.objects.filter(mobile="13700000000").exists()
        assert Person.objects.get(mobile="13900000001").ethnicity == "01"


def test_every_reason_of_a_bad_row_is_reported_with_its_column(tree, tmp_path: Path) -> None:
    lines = [*roster(2), "坏行,123,abc,火星族,,NOPE,2023-02-30,也许", roster(1)[0].replace("骑手甲甲", "骑手重复")]
    _code, summary = run("members", str(write_csv(tmp_path / "bad.csv", lines)))
    assert (summary["created"], summary["rejected"]) == (2, 2)
    ws = load_workbook(str(summary["report"])).active
    assert ws is not None
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][0] == "原行号" and rows[0][-1] == "未导入原因"
    bad, duplicate = rows[1], rows[2]
    assert bad[0] == 5
    for reason in (
        "身份证号（公民身份号码）：",
        "所属工会代码：未找到工会代码“NOPE”",
        "手机号码：",
        "民族：",
        "入会日期：日期不存在",
        "是否农民工：",
    ):
        assert reason in str(bad[-1]), reason
    assert duplicate[0] == 6
    assert "与第 3 行是同一人" in str(duplicate[-1])


def test_a_live_member_of_another_union_is_refused_not_moved(tree, tmp_path: Path) -> None:
    member_register(actor=None, scope=None, org=tree.nanming, id_number=number(0), fields={"name": "骑手甲甲"})
    _code, summary = run("members", str(write_csv(tmp_path / "r.csv", roster(2))))
    assert (summary["created"], summary["rejected"]) == (1, 1)
    with unscoped():
        assert Membership.objects.get(person__id_index=Person.objects.get(name="骑手甲甲").id_index).org == tree.nanming


def test_dry_run_writes_nothing(tree, tmp_path: Path) -> None:
    _code, summary = run("members", str(write_csv(tmp_path / "r.csv", roster(5))), "--dry-run")
    assert (summary["created"], summary["dry_run"]) == (5, True)
    with unscoped():
        assert not Person.objects.exists()
        assert not AuditEvent.objects.filter(action="members.import").exists()


def test_the_org_option_fills_a_missing_union_column(tree, tmp_path: Path) -> None:
    path = tmp_path / "noorg.csv"
    path.write_text("姓名,公民身份号码\n骑手甲," + number(1) + "\n", encoding="utf-8")
    code, summary = run("members", str(path))
    assert code == 2 and "--org" in str(summary["error"])
    _code, summary = run("members", str(path), "--org", "520201G001")
    assert summary["created"] == 1


def test_xlsx_with_a_title_row(tree, tmp_path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["钟山区快递员联合工会会员花名册"])
    ws.merge_cells("A1:F1")
    ws.append(HEADER.split(","))
    for line in roster(4):
        cells: list[object] = line.split(",")
        cells[2] = int(str(cells[2]))  # Excel keeps mobiles as numbers
        ws.append(cells)
    wb.save(tmp_path / "r.xlsx")
    _code, summary = run("members", str(tmp_path / "r.xlsx"))
    assert summary["created"] == 4


def test_an_unreadable_file_exits_2_with_a_chinese_reason(tree, tmp_path: Path) -> None:
    path = tmp_path / "photo.xlsx"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    code, summary = run("members", str(path))
    assert code == 2
    assert "不是表格文件" in str(summary["error"])
    # Still the contract's summary shape, all zero: a script reading the last line needs no second case.
    assert {k: summary[k] for k in ("kind", "rows", "created", "updated", "unchanged", "rejected", "report")} == {
        "kind": "members",
        "rows": 0,
        "created": 0,
        "updated": 0,
        "unchanged": 0,
        "rejected": 0,
        "report": None,
    }


@pytest.mark.django_db(transaction=True)
def test_a_run_killed_midway_is_finished_by_running_it_again(tree, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "big.csv", roster(25))

    class Killed(Exception):
        pass

    def kill_after_two_batches(rows: int, _summary: object) -> None:
        if rows >= 20:
            raise Killed

    with pytest.raises(Killed):
        run_import(
            MembersKind(actor=None, scope=None, default_org=None), path, batch_size=10, progress=kill_after_two_batches
        )
    with unscoped():
        assert Person.objects.count() == 20  # two committed batches, nothing of the third
    summary = run_import(MembersKind(actor=None, scope=None, default_org=None), path, batch_size=10)
    assert (summary.created, summary.unchanged, summary.rejected) == (5, 20, 0)
    with unscoped():
        assert Person.objects.count() == 25
        assert Membership.objects.count() == 25
    assert tally_check() == []


def test_reserved_ids_never_reuse_an_id_given_before(tree) -> None:
    from django.db import transaction

    from gonghui.core.audit import audit_record
    from gonghui.core.bulk.sql import reserve_ids

    with transaction.atomic():
        last = audit_record(actor=None, action="test.reserve", data={})
    with unscoped():
        AuditEvent.objects.filter(pk=last.pk).delete()  # the highest id is gone, not forgotten
    with transaction.atomic():
        ids = reserve_ids(AuditEvent, 3)
    assert len(set(ids)) == 3
    assert min(ids) > last.pk


# --- the tree and other writers changing under a running import ------------------------------------


def _two_batches(tmp_path: Path, second_org: str) -> Path:
    lines = [
        roster(1, start=700)[0],
        roster(1, org=second_org, start=701)[0].replace("1390000", "0390000"),  # bad mobile: refused, org looked up
        *roster(2, org=second_org, start=702),
    ]
    return write_csv(tmp_path / "two.csv", lines)


def test_a_union_closed_during_the_import_takes_no_new_members(tree, tmp_path: Path) -> None:
    from gonghui.orgs.services import org_close

    path = _two_batches(tmp_path, "520102")
    kind = MembersKind(actor=None, scope=None, default_org=None)

    def close_after_first_batch(rows: int, _summary: object) -> None:
        if rows == 2:
            org_close(actor=None, scope=None, org=tree.nanming)

    summary = run_import(kind, path, batch_size=2, progress=close_after_first_batch)
    assert (summary.created, summary.rejected) == (1, 3)
    report = load_workbook(str(summary.report)).active
    reasons = [r[-1] for r in report.iter_rows(min_row=2, values_only=True)]
    assert reasons[1:] == ["所属工会代码：工会“南明区总工会”已撤销，不能登记会员"] * 2
    with unscoped():
        assert not Membership.objects.filter(org=tree.nanming).exists()
    assert tally_check() == []


def test_a_union_moved_during_the_import_gets_its_members_under_the_new_path(tree, tmp_path: Path) -> None:
    from gonghui.orgs.models import Org
    from gonghui.orgs.services import org_move

    path = _two_batches(tmp_path, "520102")
    kind = MembersKind(actor=None, scope=None, default_org=None)

    def move_after_first_batch(rows: int, _summary: object) -> None:
        if rows == 2:
            org_move(actor=None, scope=None, org=tree.nanming, new_parent=tree.lps)

    summary = run_import(kind, path, batch_size=2, progress=move_after_first_batch)
    assert (summary.created, summary.rejected) == (3, 1)
    with unscoped():
        moved = Org.objects.get(pk=tree.nanming.pk)
        assert moved.path.startswith(tree.lps.path)
        assert list(Membership.objects.filter(org=moved).values_list("org_path", flat=True)) == [moved.path] * 2
    assert tally_check() == []


def test_a_person_registered_after_the_lookup_is_looked_up_again(tree, tmp_path: Path, monkeypatch) -> None:
    """The insert collides with the database's unique index; the batch is rolled back and read again."""
    import gonghui.members.bulk as bulk

    member_register(actor=None, scope=None, org=tree.courier_union, id_number=number(900), fields={"name": "骑手甲甲"})
    path = write_csv(tmp_path / "r.csv", roster(1, start=900) + roster(1, start=901))
    real = bulk.select_in
    calls = {"person": 0}

    def stale_once(model, fields, key, values, **kw):  # type: ignore[no-untyped-def]
        if model is Person and calls["person"] == 0:
            calls["person"] += 1
            return []  # as if the person were registered a moment after this lookup
        return real(model, fields, key, values, **kw)

    monkeypatch.setattr(bulk, "select_in", stale_once)
    code, summary = run("members", str(path))
    assert code == 0
    assert (summary["created"], summary["unchanged"], summary["updated"], summary["rejected"]) == (1, 0, 1, 0)
    with unscoped():
        assert Person.objects.count() == 2
        assert Membership.objects.filter(org=tree.courier_union).count() == 2
    assert tally_check() == []


def test_many_small_batches_keep_the_file_order(tree, tmp_path: Path) -> None:
    """Batches prepared ahead by child processes reach the writer in file order (duplicates name the first row)."""
    lines = roster(11, start=800)
    lines.append(lines[0].replace("骑手", "重复"))  # row 14 repeats row 3's person, five batches later
    lines.insert(5, lines[1].replace("1390000", "0390000"))  # row 8: bad mobile (and a duplicate)
    path = write_csv(tmp_path / "order.csv", lines)
    summary = run_import(MembersKind(actor=None, scope=None, default_org=None), path, batch_size=2)
    assert (summary.rows, summary.created, summary.rejected) == (13, 11, 2)
    report = load_workbook(str(summary.report)).active
    rejected = [(r[0], r[-1]) for r in report.iter_rows(min_row=2, values_only=True)]
    assert [number for number, _reason in rejected] == [8, 15]
    assert "与第 4 行是同一人" in rejected[0][1] and "手机号码" in rejected[0][1]
    assert "与第 3 行是同一人" in rejected[1][1]


def test_a_rejected_row_comes_back_as_given_through_the_reading_children(tree, tmp_path: Path) -> None:
    """Rows cross from the reading processes as one string when they can: a cell holding the separator stays intact."""
    odd = roster(1, start=950)[0].replace("骑手", "骑\x1f手").replace(",1390000", ",0390000")
    path = write_csv(tmp_path / "odd.csv", [*roster(2, start=951), odd])
    summary = run_import(MembersKind(actor=None, scope=None, default_org=None), path, batch_size=1)
    assert (summary.created, summary.rejected) == (2, 1)
    row = next(load_workbook(str(summary.report)).active.iter_rows(min_row=2, values_only=True))
    # As given, but for the unit separator: XML cannot hold it, so the workbook shows U+FFFD.
    assert row[1] == odd.split(",")[0].replace("\x1f", "\ufffd") and row[3] == odd.split(",")[2]


def test_a_member_outside_the_importing_cadres_scope_is_refused_neutrally(tree, tmp_path: Path, make_user) -> None:
    """The file's ID number must not tell a cadre who is a member in another part of the tree."""
    from gonghui.accounts.scope import scope_for_user

    member_register(actor=None, scope=None, org=tree.nanming, id_number=number(0), fields={"name": "骑手甲甲"})
    cadre = make_user("lps_importer", ("officer", "520200"))
    kind = MembersKind(actor=cadre, scope=scope_for_user(cadre), default_org=None)
    summary = run_import(kind, write_csv(tmp_path / "r.csv", roster(2)))
    assert (summary.created, summary.rejected) == (1, 1)
    assert summary.report is not None
    book = load_workbook(summary.report, read_only=True)
    reasons = " ".join(str(c) for row in book.active.iter_rows(values_only=True) for c in row if c)
    assert "该人员已在其他工会办理相关事项，请联系上级工会核实" in reasons
    assert "有效会籍" not in reasons and "南明" not in reasons
