"""Agency lists in through the bulk engine (kind agency_list): awkward files, idempotence, scope, no IDs in clear."""

from __future__ import annotations

import csv
import json
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from gonghui.accounts.scope import scope_for_user
from gonghui.core.bulk.engine import run_import
from gonghui.core.bulk.kinds import get_kind
from gonghui.core.models import AuditEvent
from gonghui.core.scoping import ScopeRequired, unscoped
from gonghui.crosscheck.models import Agency, AgencyList, AgencyRecord
from gonghui.crosscheck.services import agency_list_list
from gonghui.members.tests.factories import full_width, id_number, id_number_ending_in_x
from gonghui.members.validation import identity_index

pytestmark = pytest.mark.django_db

HEADER = ["序号", "证件号码", "姓名", "部门", "项目", "年度", "金额（元）"]


@pytest.fixture(autouse=True)
def files_in_tmp(settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    settings.DATA_DIR = tmp_path / "data"


def agency_file(path: Path, rows: list[list[Any]], header: list[str] = HEADER) -> Path:
    """The file as the 民政 system exports it: GB18030 CSV."""
    with path.open("w", encoding="gb18030", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def run(*args: str) -> dict[str, Any]:
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO())
    return json.loads(out.getvalue().strip().splitlines()[-1])


def import_as(user, org, path: Path):  # type: ignore[no-untyped-def]
    scope = scope_for_user(user).confined_to(org_id=org.pk, org_code=org.code, path=org.path)
    kind = get_kind("agency_list").build(actor=user, scope=scope, org=org)
    summary = run_import(kind, path)
    kind.audit(summary.as_json(), str(path))
    return summary


def reasons(report: str) -> list[str]:
    sheet = load_workbook(report).active
    return [" ".join(str(c) for c in r if c is not None) for r in sheet.iter_rows(min_row=2, values_only=True)]


def records() -> list[dict[str, Any]]:
    with unscoped():
        return list(AgencyRecord.objects.order_by("pk").values("id_index", "id_masked", "name", "program", "year"))


def awkward(tmp_path: Path) -> tuple[Path, list[str]]:
    first, with_x, wide = id_number(101), id_number_ending_in_x(), id_number(102)
    bad = first[:17] + ("0" if first[17] != "0" else "1")
    rows = [
        [1, first, "王一", "民政", "城乡低保", "2025", "7,200.00"],
        [2, with_x.lower(), "李二", "民政", "城乡低保", "2025年", "¥6000"],
        [3, full_width(wide), "张三", "", "", "", ""],
        [4, first, "王一", "民政局", "城乡低保", "2025", "7200"],  # the same person again
        [5, bad, "赵四", "民政", "城乡低保", "2025", ""],
        [6, id_number(103), "钱五", "妇联", "城乡低保", "2025", ""],  # another agency in a 民政 file
    ]
    return agency_file(tmp_path / "民政低保2025.csv", rows), [first, with_x, wide, bad]


def test_an_awkward_list_is_imported_once_per_person(tree, tmp_path, sql_logging) -> None:  # type: ignore[no-untyped-def]
    path, (first, with_x, wide, bad) = awkward(tmp_path)
    summary = run("import", "agency_list", str(path), "--org", "520200")
    assert (summary["rows"], summary["created"], summary["rejected"]) == (6, 3, 3)
    found = reasons(summary["report"])
    assert any("与第 " in r and "重复" in r for r in found)
    assert any("证件号码" in r and "校验位" in r for r in found)
    assert any("部门" in r and "同一部门" in r for r in found)
    with unscoped():
        the_list = AgencyList.objects.get()
    assert (the_list.org_id, the_list.agency, the_list.program, the_list.year) == (
        tree.lps.pk,
        Agency.CIVIL_AFFAIRS,
        "城乡低保",
        2025,
    )
    assert (the_list.file_name, the_list.row_count) == ("民政低保2025.csv", 3)
    got = records()
    assert [r["id_index"] for r in got] == [identity_index("1", n) for n in (first, with_x, wide)]
    # Blank cells take the list's program and year.
    assert {(r["program"], r["year"]) for r in got} == {("城乡低保", 2025)}
    with unscoped():
        amounts = list(AgencyRecord.objects.order_by("pk").values_list("amount_fen", flat=True))
    assert amounts == [720000, 600000, None]
    # Nothing in clear: masked numbers only, anywhere in the rows or the audit.
    with unscoped():
        dumped = json.dumps(got) + json.dumps(list(AuditEvent.objects.values("data")), default=str)
    for number in (first, with_x, wide, bad):
        assert number not in dumped and number.lower() not in dumped
    assert got[1]["id_masked"].endswith("X")


def test_the_same_file_again_changes_nothing(tree, tmp_path) -> None:  # type: ignore[no-untyped-def]
    path, _numbers = awkward(tmp_path)
    run("import", "agency_list", str(path), "--org", "520200")
    before = records()
    again = run("import", "agency_list", str(path), "--org", "520200")
    assert (again["created"], again["unchanged"], again["rejected"]) == (0, 3, 3)
    assert records() == before
    with unscoped():
        assert AgencyList.objects.count() == 1
    with unscoped():
        created = list(
            AuditEvent.objects.filter(action="crosscheck.import_agency_list")
            .order_by("pk")
            .values_list("data", flat=True)
        )
    assert [d["created"] for d in created] == [3, 0]


def test_without_a_union_the_file_is_refused(tree, tmp_path) -> None:  # type: ignore[no-untyped-def]
    path, _numbers = awkward(tmp_path)
    with pytest.raises(SystemExit):
        run("import", "agency_list", str(path))
    assert records() == []


def test_an_officer_imports_into_their_union_only(tree, tmp_path, make_user) -> None:  # type: ignore[no-untyped-def]
    path = agency_file(tmp_path / "团委.csv", [[1, id_number(201), "周六", "共青团", "希望工程", "2025", "1000"]])
    officer = make_user("lps_officer", ("officer", "520200"))
    viewer = make_user("lps_viewer", ("viewer", "520200"))
    foreign = make_user("dx_officer", ("officer", "621100"))
    from gonghui.core.bulk import UnreadableFile

    with pytest.raises(UnreadableFile):
        import_as(viewer, tree.lps, path)
    assert records() == []
    summary = import_as(officer, tree.lps, path)
    assert summary.created == 1
    with unscoped():
        assert AgencyList.objects.get().agency == Agency.YOUTH_LEAGUE
    # The list is the city's: seen by its officer, not by a foreign union's.
    assert [x.program for x in agency_list_list(scope=scope_for_user(officer))] == ["希望工程"]
    assert list(agency_list_list(scope=scope_for_user(foreign))) == []
    with pytest.raises(ScopeRequired):
        list(AgencyRecord.objects.all())


def test_the_template_round_trips_through_the_import(tree, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from gonghui.core.bulk.template import template_workbook

    path = tmp_path / "template.xlsx"
    path.write_bytes(template_workbook(get_kind("agency_list")))
    summary = run("import", "agency_list", str(path), "--org", "520201", "--dry-run")
    assert (summary["created"], summary["rejected"], summary["dry_run"]) == (1, 0, True)
    assert records() == []
    with unscoped():
        assert AgencyList.objects.count() == 0


def test_the_export_is_masked_and_audited(tree, tmp_path) -> None:  # type: ignore[no-untyped-def]
    path, (first, with_x, wide, _bad) = awkward(tmp_path)
    run("import", "agency_list", str(path), "--org", "520200")
    out = tmp_path / "out.csv"
    assert get_kind("agency_list").export(str(out), actor=None, org=tree.lps, unmasked=True, scope=None) == 3
    text = out.read_text(encoding="utf-8-sig")
    assert "520102********" in text
    for number in (first, with_x, wide):
        assert number not in text
    assert get_kind("agency_list").export(str(out), actor=None, org=tree.nanming, unmasked=False, scope=None) == 0
    with unscoped():
        assert AuditEvent.objects.filter(action="crosscheck.export_agency_records").count() == 2
