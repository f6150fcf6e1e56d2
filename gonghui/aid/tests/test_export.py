"""The `hardship_files` and `relief_visits` export kinds: 困难职工档案 and 送温暖慰问记录 out to Excel.

From the console (`gonghui export KIND FILE --org CODE`) and the export page's
job alike: the union's subtree only, ID numbers always masked, formulas shown as
text, one audit event per export with its row count, a constant number of queries.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from gonghui.accounts.models import Role
from gonghui.accounts.scope import scope_for_user
from gonghui.aid.kinds import FILE_HEADERS, VISIT_HEADERS
from gonghui.aid.models import HardshipFile, ReliefCampaign, SubsistenceStandard
from gonghui.aid.permissions import AidPerm
from gonghui.aid.relief import relief_visit_record
from gonghui.aid.services import FamilyIn, file_apply, file_authorize, file_decide
from gonghui.core.bulk.kinds import get_kind
from gonghui.core.models import AuditEvent, BulkJob
from gonghui.core.scoping import unscoped
from gonghui.members.models import Membership
from gonghui.members.permissions import MemberPerm
from gonghui.members.tests.factories import id_number, register

pytestmark = pytest.mark.django_db

KINDS = ("hardship_files", "relief_visits")
FORMULA = "=SUM(A1:A9)"
GIVEN = "甲乙丙丁戊"


def masked(number: str) -> str:
    return number[:6] + "********" + number[-4:]


@pytest.fixture(autouse=True)
def data_dir(settings: Any, tmp_path: Path) -> Path:
    settings.DATA_DIR = tmp_path / "data"
    return tmp_path / "data"


@pytest.fixture
def world(tree: Any, make_user: Any) -> dict[str, Any]:
    """钟山区快递员联合工会: 王师傅's file (filed, two in the family), 陈师傅's (applied), their visits.

    南明区 has a file and a visit of its own.
    """
    SubsistenceStandard.objects.create(region_code="520200", year=2026, monthly_fen=700_00)
    SubsistenceStandard.objects.create(region_code="520000", year=2026, monthly_fen=650_00)
    Role.objects.create(name="center", label="帮扶中心", permissions=[AidPerm.VIEW, AidPerm.FILE])
    users = {
        "officer": make_user("unit_officer", ("officer", "520201G001")),
        "unit": make_user("unit_reviewer", ("reviewer", "520201G001")),
        "higher": make_user("zs_reviewer", ("reviewer", "520201")),
        "center": make_user("lps_center", ("center", "520200")),
        "foreign": make_user("nm_officer", ("officer", "520102")),
    }
    as_ = {k: {"actor": u, "scope": scope_for_user(u)} for k, u in users.items()}
    wang = register(tree.courier_union, id_number(600), name="王师傅")
    chen = register(tree.courier_union, id_number(610), name="陈师傅")
    zhao = register(tree.nanming, id_number(620), name="赵师傅")

    filed = file_apply(
        **as_["officer"],
        membership=wang,
        level="city",
        region_code="520201",
        year=2026,
        figures={"household_size": 3, "worker_monthly_income_fen": 2000_00},
        causes=["family_illness", "schooling"],
        family=[FamilyIn("子", "王小明", id_number(601, birth="20080301")), FamilyIn("妻", "李芳")],
    )
    file_decide(**as_["unit"], file=filed, decision="approve", note="")
    file_authorize(**as_["officer"], file=filed, stored_name="auth-0001.pdf")
    file_decide(**as_["higher"], file=filed, decision="approve", note="")
    file_decide(**as_["center"], file=filed, decision="approve", note="")
    file_apply(
        **as_["officer"],
        membership=chen,
        level="county",
        region_code="520201",
        year=2026,
        figures={"household_size": 2, "worker_monthly_income_fen": 2000_00},
        causes=["unemployment"],
    )
    file_apply(
        actor=None,
        scope=None,
        membership=zhao,
        level="county",
        region_code="520102",
        year=2026,
        figures={"household_size": 1, "worker_monthly_income_fen": 1000_00},
        causes=["illness"],
    )

    campaign = ReliefCampaign.all_objects.create(
        org=tree.courier_union,
        org_path=tree.courier_union.path,
        name="温暖服务季",
        starts_on=date(2026, 1, 1),
        ends_on=date(2026, 2, 28),
    )
    visit(wang, event="spring_festival", visited_on=date(2026, 2, 10), cash_fen=300_00, insurance_policies=1,
          campaign=campaign)  # fmt: skip
    visit(chen, event="hardship", visited_on=date(2026, 3, 5), cash_fen=1000_00, goods_fen=200_00,
          goods_note=FORMULA, housing=True)  # fmt: skip
    visit(zhao, event="festival", visited_on=date(2026, 5, 1), cash_fen=100_00)
    return {"tree": tree, "users": users, "filed": HardshipFile.all_objects.get(pk=filed.pk), "wang": wang}


def visit(membership: Membership, **fields: Any) -> None:
    relief_visit_record(actor=None, scope=None, membership=membership, **fields)


def expected_files(world: dict[str, Any]) -> list[list[str]]:
    filed_on = world["filed"].filed_on
    assert world["filed"].status == "filed" and filed_on is not None
    return [
        ["钟山区快递员联合工会", "王师傅", masked(id_number(600)), "深度困难", "地市级", "家庭成员患病、子女就学",
         "3", "666.66", "700.00", "已建档", filed_on.isoformat(), "2"],
        ["钟山区快递员联合工会", "陈师傅", masked(id_number(610)), "相对困难", "区县级", "失业下岗",
         "2", "1000.00", "700.00", "待本单位工会审核", "", "0"],
    ]  # fmt: skip


EXPECTED_VISITS = [
    ["钟山区快递员联合工会", "王师傅", "春节慰问", "2026-02-10", "300.00", "0.00", "", "1", "否", "温暖服务季"],
    ["钟山区快递员联合工会", "陈师傅", "困难慰问", "2026-03-05", "1000.00", "200.00", "'" + FORMULA, "0", "是", ""],
]


def read_csv(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def export_cli(kind: str, path: Path, *args: str) -> dict[str, Any]:
    out = io.StringIO()
    call_command("export", kind, str(path), *args, stdout=out, stderr=io.StringIO())
    result: dict[str, Any] = json.loads(out.getvalue())
    return result


def audit_events(action: str) -> list[AuditEvent]:
    with unscoped():
        return list(AuditEvent.all_objects.filter(action=action).order_by("pk"))


# --- the console -----------------------------------------------------------------------------------


def test_hardship_files_from_the_console(world, tmp_path: Path) -> None:
    target = tmp_path / "档案.csv"
    assert export_cli("hardship_files", target, "--org", "520201") == {
        "kind": "hardship_files",
        "rows": 2,
        "file": str(target),
    }
    rows = read_csv(target.read_bytes())
    assert rows[0] == FILE_HEADERS and rows[1:] == expected_files(world)
    text = target.read_text(encoding="utf-8-sig")
    assert "赵师傅" not in text and id_number(600) not in text
    [event] = audit_events("aid.file.export")
    assert (event.actor_id, event.org.code, event.data["rows"], event.data["file"]) == (None, "520201", 2, "档案.csv")
    # No full numbers in this kind, whatever is asked.
    unmasked = tmp_path / "完整.csv"
    assert export_cli("hardship_files", unmasked, "--org", "520201", "--unmasked")["rows"] == 2
    assert read_csv(unmasked.read_bytes())[1:] == expected_files(world)
    # 南明区's export holds its own file alone; 定西 has none.
    foreign = tmp_path / "南明.csv"
    assert export_cli("hardship_files", foreign, "--org", "520102")["rows"] == 1
    [row] = read_csv(foreign.read_bytes())[1:]
    assert row[:4] == ["南明区总工会", "赵师傅", masked(id_number(620)), "相对困难"]
    assert row[7:9] == ["1000.00", "650.00"]
    empty = tmp_path / "定西.csv"
    assert export_cli("hardship_files", empty, "--org", "621100")["rows"] == 0
    assert read_csv(empty.read_bytes()) == [FILE_HEADERS]


def test_relief_visits_from_the_console_as_excel(world, tmp_path: Path) -> None:
    target = tmp_path / "慰问.xlsx"
    assert export_cli("relief_visits", target, "--org", "520200")["rows"] == 2
    workbook = load_workbook(target)
    assert workbook.sheetnames == ["送温暖慰问记录"]
    ws = workbook.active
    assert ws is not None
    rows = list(ws.iter_rows(values_only=True))
    assert list(rows[0]) == VISIT_HEADERS
    assert rows[1][:4] == ("钟山区快递员联合工会", "王师傅", "春节慰问", "2026-02-10")
    assert [Decimal(str(v)) for v in rows[2][4:6]] == [Decimal("1000"), Decimal("200")]
    assert rows[2][7:10] == (0, "是", None)
    note = ws.cell(row=3, column=7)
    assert (note.value, note.data_type) == ("'" + FORMULA, "s")  # text, never a formula
    [event] = audit_events("aid.relief.export")
    assert (event.org.code, event.data["rows"]) == ("520200", 2)
    csv_target = tmp_path / "慰问.csv"
    assert export_cli("relief_visits", csv_target, "--org", "520201G001")["rows"] == 2
    assert read_csv(csv_target.read_bytes()) == [VISIT_HEADERS, *EXPECTED_VISITS]
    foreign = tmp_path / "南明.csv"
    assert export_cli("relief_visits", foreign, "--org", "520102")["rows"] == 1
    assert read_csv(foreign.read_bytes())[1] == [
        "南明区总工会", "赵师傅", "其他节日慰问", "2026-05-01", "100.00", "0.00", "", "0", "否", ""
    ]  # fmt: skip


@pytest.mark.parametrize("kind", KINDS)
def test_the_export_streams_in_a_constant_number_of_queries(world, tmp_path: Path, kind: str) -> None:
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            export_cli(kind, tmp_path / f"{kind}.xlsx", "--org", "520201")
        return len(captured.captured_queries)

    before = queries()
    # Five more households on file, visited twice each: the same queries, more rows.
    for i in range(5):
        ms = register(world["tree"].courier_union, id_number(630 + i), name=f"孙{GIVEN[i]}")
        file_apply(actor=None, scope=None, membership=ms, level="county", region_code="520201", year=2026,
                   figures={"household_size": 2, "worker_monthly_income_fen": 1500_00}, causes=["low_income"],
                   family=[FamilyIn("妻", f"周{GIVEN[i]}")])  # fmt: skip
        visit(ms, event="hardship", visited_on=date(2026, 4, 1), cash_fen=100_00)
        visit(ms, event="hardship", visited_on=date(2026, 4, 2), cash_fen=100_00)
    assert queries() == before
    rows = export_cli(kind, tmp_path / f"{kind}.csv", "--org", "520201")["rows"]
    assert rows == (7 if kind == "hardship_files" else 12)


@pytest.mark.parametrize("kind", KINDS)
def test_a_scoped_run_outside_the_readers_unions_writes_nothing(world, tmp_path: Path, kind: str) -> None:
    """The kind checks the scope itself (a job's scope), whatever its caller checked before."""
    from gonghui.core.errors import PermissionDeniedError

    target = tmp_path / "外单位.csv"
    scope = scope_for_user(world["users"]["foreign"])
    before = snapshot()
    with pytest.raises(PermissionDeniedError):
        get_kind(kind).export(str(target), actor=world["users"]["foreign"], org=world["tree"].zhongshan,
                              unmasked=False, scope=scope)  # fmt: skip
    assert not target.exists() and snapshot() == before
    # The same scope on its own union: its rows only.
    assert get_kind(kind).export(str(target), actor=None, org=world["tree"].nanming, unmasked=False, scope=scope) == 1


# --- the export page and its jobs ---------------------------------------------------------------------


def post_export(client: Client, capture: Any, kind: str, **data: str) -> Any:
    body = {"kind": kind, "org": "520201", "fmt": "csv", **data}
    with capture(execute=True):
        return client.post("/imports/export/", body)


def downloaded(client: Client, job: BulkJob) -> list[list[str]]:
    resp = client.get(f"/imports/{job.pk}/download/")
    assert resp.status_code == 200
    return read_csv(b"".join(resp.streaming_content))


def snapshot() -> dict[str, Any]:
    with unscoped():
        return {
            "jobs": list(BulkJob.all_objects.values_list("pk", "status")),
            "audit": list(AuditEvent.all_objects.values_list("pk", "action")),
        }


def test_the_list_pages_link_to_their_export(world, make_user, login) -> None:
    client = login(make_user("lps_officer", ("officer", "520200")))
    for page, kind in (("/aid/files/", "hardship_files"), ("/aid/relief/", "relief_visits")):
        text = client.get(page).content.decode()
        assert f'href="/imports/export/?kind={kind}"' in text and "导出 Excel" in text
        export_page = client.get(f"/imports/export/?kind={kind}").content.decode()
        assert f'<option value="{kind}" selected>' in export_page


@pytest.mark.parametrize(
    ("kind", "action", "rows"),
    [("hardship_files", "aid.file.export", None), ("relief_visits", "aid.relief.export", EXPECTED_VISITS)],
)
def test_the_export_page_runs_the_job_with_its_row_count(
    world, make_user, login, django_capture_on_commit_callbacks, kind: str, action: str, rows: Any
) -> None:
    user = make_user("lps_officer", ("officer", "520200"))
    client = login(user)
    resp = post_export(client, django_capture_on_commit_callbacks, kind)
    job = BulkJob.all_objects.get()
    assert resp.status_code == 302 and resp.url == f"/imports/{job.pk}/"
    assert (job.status, job.direction, job.unmasked, job.summary) == ("done", "export", False, {"rows": 2})
    assert job.file_name.startswith(f"{get_kind(kind).export_sheet}-520201-")
    assert "已导出 <strong>2</strong> 行" in client.get(f"/imports/{job.pk}/").content.decode()
    content = downloaded(client, job)
    headers = FILE_HEADERS if kind == "hardship_files" else VISIT_HEADERS
    assert content == [headers, *(rows if rows is not None else expected_files(world))]
    [event] = audit_events(action)
    assert (event.actor_id, event.org.code, event.data["rows"]) == (user.pk, "520201", 2)


def test_the_unmasked_box_never_opens_an_aid_export(world, make_user, login, django_capture_on_commit_callbacks):
    # An admin holds members.person.view_id, so the box is offered (for the roster); this kind stays masked.
    client = login(make_user("zs_admin", ("admin", "520201")))
    assert "包含完整证件号码" in client.get("/imports/export/?kind=hardship_files").content.decode()
    post_export(client, django_capture_on_commit_callbacks, "hardship_files", unmasked="on")
    job = BulkJob.all_objects.get()
    assert not job.unmasked and "完整证件号码" not in job.file_name
    assert downloaded(client, job)[1:] == expected_files(world)
    [event] = audit_events("aid.file.export")
    assert event.data["unmasked"] is False


@pytest.mark.parametrize("kind", KINDS)
def test_a_foreign_union_is_not_found_and_queues_nothing(
    world, login, django_capture_on_commit_callbacks, kind: str
) -> None:
    foreign = login(world["users"]["foreign"])
    before = snapshot()
    resp = post_export(foreign, django_capture_on_commit_callbacks, kind)
    assert resp.status_code == 404 and "未找到该工会" in resp.content.decode()
    assert snapshot() == before
    post_export(foreign, django_capture_on_commit_callbacks, kind, org="520102")
    job = BulkJob.all_objects.get()
    assert job.summary == {"rows": 1} and [r[1] for r in downloaded(foreign, job)[1:]] == ["赵师傅"]


def test_the_kinds_are_offered_only_to_readers_of_the_files(
    world, make_user, login, django_capture_on_commit_callbacks
) -> None:
    for kind in KINDS:
        assert not get_kind(kind).importable
    Role.objects.create(name="roster", label="花名册查看", permissions=[MemberPerm.VIEW])
    Role.objects.create(name="aid_reader", label="帮扶档案查看", permissions=[AidPerm.VIEW])
    roster = login(make_user("roster_only", ("roster", "520201")))
    text = roster.get("/imports/export/").content.decode()
    assert 'value="members"' in text
    assert all(f'value="{kind}"' not in text for kind in KINDS)
    before = snapshot()
    for kind in KINDS:
        resp = post_export(roster, django_capture_on_commit_callbacks, kind)
        assert resp.status_code == 200 and "选择一个有效的选项" in resp.content.decode()
    assert snapshot() == before
    reader = login(make_user("aid_reader", ("aid_reader", "520201")))
    text = reader.get("/imports/export/").content.decode()
    assert all(f'value="{kind}"' in text for kind in KINDS) and 'value="members"' not in text
    officer = login(world["users"]["officer"])  # imports something, but never these
    assert all(f'value="{kind}"' not in officer.get("/imports/new/").content.decode() for kind in KINDS)
    assert officer.get("/imports/templates/hardship_files/").status_code == 404
