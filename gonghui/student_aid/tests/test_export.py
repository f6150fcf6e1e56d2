"""The `student_aid_applications` export kind: 金秋助学申请 out to Excel, from the console and the export page.

The same rows whichever way it runs: the union's subtree only, the student's ID
number masked unless `members.person.view_id` is held (then audited as such),
formulas neutralized, one audit event per export with its row count.
"""

from __future__ import annotations

import io
import json
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from gonghui.accounts.models import Role
from gonghui.core.bulk.kinds import get_kind
from gonghui.core.models import AuditEvent, BulkJob
from gonghui.core.scoping import unscoped
from gonghui.members.permissions import MemberPerm
from gonghui.members.tests.factories import id_number, register
from gonghui.student_aid.applications import application_apply
from gonghui.student_aid.kinds import HEADERS
from gonghui.student_aid.models import AidStandard, StudentAidApplication, StudentLevel
from gonghui.student_aid.tests.factories import SON, STUDENT, World, apply, approve, close, pay, publish, reload

pytestmark = pytest.mark.django_db

KIND = "student_aid_applications"
DAUGHTER = id_number(702, birth="20090601")
FOREIGN_CHILD = id_number(703, birth="20050101")
FORMULA_SCHOOL = '=HYPERLINK("http://example.invalid","贵阳一中")'


def masked(number: str) -> str:
    return number[:6] + "********" + number[-4:]


def day(moment: Any) -> str:
    return timezone.localtime(moment).date().isoformat() if moment else ""


@pytest.fixture(autouse=True)
def data_dir(settings: Any, tmp_path: Path) -> Path:
    settings.DATA_DIR = tmp_path / "data"
    return tmp_path / "data"


@pytest.fixture
def records(world: World, tmp_path: Path) -> dict[str, StudentAidApplication]:
    """钟山区: a son aided and paid, a daughter just applied for (her school a formula); 南明区: one of its own."""
    son = apply(world)
    approve(world, son)
    publication = publish(world)
    close(world, publication)
    assert pay(world, publication, tmp_path) == 1
    daughter = apply(
        world,
        name="李小红",
        id_number=DAUGHTER,
        relation="女",
        school=FORMULA_SCHOOL,
        major="",
        level=StudentLevel.HIGH_SCHOOL,
        enrolment_year=2025,
        graduation_year=2028,
        tuition_fen=1800_00,
    )
    AidStandard.objects.create(
        region_code="520100", year=2026, level=StudentLevel.UNDERGRADUATE, on_file=False, amount_fen=3500_00
    )
    foreign = application_apply(
        actor=None,
        scope=None,
        membership=register(world.tree.nanming, id_number(704), name="赵师傅"),
        student=replace(STUDENT, name="赵小虎", id_number=FOREIGN_CHILD, school="贵州师范大学"),
        school_year=2026,
        promise_signed=True,
    )
    return {"son": reload(son), "daughter": reload(daughter), "foreign": reload(foreign)}


def expected(records: dict[str, StudentAidApplication], *, unmasked: bool = False) -> list[list[str]]:
    son = records["son"]
    assert son.status == "paid" and son.reviewed_at and son.approved_at and son.paid_at
    return [
        [
            "钟山区快递员联合工会",
            "李师傅",
            "李小龙",
            SON if unmasked else masked(SON),
            "子",
            "贵州大学",
            "计算机科学与技术",
            "本科",
            "2026",
            "2026",
            "2030",
            "5200.00",
            "0.00",
            "4000.00",
            "已发放",
            day(son.reviewed_at),
            day(son.approved_at),
            day(son.paid_at),
        ],
        [
            "钟山区快递员联合工会",
            "李师傅",
            "李小红",
            DAUGHTER if unmasked else masked(DAUGHTER),
            "女",
            "'" + FORMULA_SCHOOL,  # shown as text, never run
            "",
            "高中/中职",
            "2026",
            "2025",
            "2028",
            "1800.00",
            "0.00",
            "2000.00",
            "待基层工会审核",
            "",
            "",
            "",
        ],
    ]


def read_csv(content: bytes) -> list[list[str]]:
    import csv

    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def export_cli(path: Path, *args: str) -> dict[str, Any]:
    out = io.StringIO()
    call_command("export", KIND, str(path), *args, stdout=out, stderr=io.StringIO())
    result: dict[str, Any] = json.loads(out.getvalue())
    return result


def audit_events() -> list[AuditEvent]:
    with unscoped():
        return list(AuditEvent.all_objects.filter(action__startswith="student_aid.export").order_by("pk"))


# --- the console -----------------------------------------------------------------------------------


def test_the_console_exports_the_unions_subtree_masked_and_audited(records, tmp_path: Path) -> None:
    target = tmp_path / "金秋助学.csv"
    assert export_cli(target, "--org", "520201") == {"kind": KIND, "rows": 2, "file": str(target)}
    rows = read_csv(target.read_bytes())
    assert rows[0] == HEADERS
    assert rows[1:] == expected(records)
    assert "赵小虎" not in target.read_text(encoding="utf-8-sig")  # 南明区's application is not 钟山区's
    [event] = audit_events()
    assert (event.action, event.actor_id, event.org.code) == ("student_aid.export", None, "520201")
    assert (event.data["rows"], event.data["unmasked"], event.data["file"]) == (2, False, "金秋助学.csv")

    # The foreign union's export holds its own application only.
    other = tmp_path / "南明.csv"
    assert export_cli(other, "--org", "520102")["rows"] == 1
    [foreign_row] = read_csv(other.read_bytes())[1:]
    assert foreign_row[:4] == ["南明区总工会", "赵师傅", "赵小虎", masked(FOREIGN_CHILD)]
    # A union with none: the headers alone.
    empty = tmp_path / "定西.csv"
    assert export_cli(empty, "--org", "621100")["rows"] == 0
    assert read_csv(empty.read_bytes()) == [HEADERS]


def test_the_console_writes_excel_with_numbers_and_no_formula(records, tmp_path: Path) -> None:
    target = tmp_path / "金秋助学.xlsx"
    assert export_cli(target, "--org", "520200")["rows"] == 2
    workbook = load_workbook(target)
    assert workbook.sheetnames == ["金秋助学申请"]
    ws = workbook.active
    assert ws is not None
    rows = list(ws.iter_rows(values_only=True))
    assert list(rows[0]) == HEADERS
    assert [Decimal(str(v)) for v in rows[1][11:14]] == [Decimal("5200"), Decimal("0"), Decimal("4000")]
    assert rows[1][8:11] == (2026, 2026, 2030)
    school = ws.cell(row=3, column=6)
    assert (school.value, school.data_type) == ("'" + FORMULA_SCHOOL, "s")
    assert [str(c) for c in rows[2][:4]] == ["钟山区快递员联合工会", "李师傅", "李小红", masked(DAUGHTER)]


def test_the_console_unmasked_export_opens_the_sealed_numbers_and_says_so_in_the_audit(records, tmp_path) -> None:
    target = tmp_path / "完整.csv"
    assert export_cli(target, "--org", "520201", "--unmasked")["rows"] == 2
    assert read_csv(target.read_bytes())[1:] == expected(records, unmasked=True)
    [event] = audit_events()
    assert (event.action, event.data["unmasked"], event.data["rows"]) == ("student_aid.export.unmasked", True, 2)
    assert SON not in json.dumps(event.data)


def test_a_scoped_run_checks_the_read_and_the_view_id_permissions_itself(world: World, records, tmp_path) -> None:
    """A job's scope is checked by the kind too: reading the union, and view_id for the full numbers."""
    from gonghui.core.errors import PermissionDeniedError

    target = tmp_path / "金秋助学.csv"
    kind = get_kind(KIND)
    zhongshan = world.tree.zhongshan
    before = snapshot()
    for who, unmasked in (("foreign", False), ("county_officer", True)):
        with pytest.raises(PermissionDeniedError):
            kind.export(str(target), actor=world.users[who], org=zhongshan, unmasked=unmasked, scope=world.scopes[who])
    assert not target.exists() and snapshot() == before
    officer = world.users["county_officer"]
    scope = world.scopes["county_officer"]
    assert kind.export(str(target), actor=officer, org=zhongshan, unmasked=False, scope=scope) == 2


# --- the export page and its job ---------------------------------------------------------------------


def post_export(client: Client, capture: Any, **data: str) -> Any:
    body = {"kind": KIND, "org": "520201", "fmt": "csv", **data}
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


def test_the_export_page_runs_a_masked_job_with_its_row_count(
    world: World, records, login, django_capture_on_commit_callbacks
) -> None:
    officer = login(world.users["county_officer"])
    # The list page links to the export, which offers the kind chosen; no full numbers for an officer.
    listing = officer.get("/student-aid/").content.decode()
    assert f'href="/imports/export/?kind={KIND}"' in listing and "导出 Excel" in listing
    page = officer.get(f"/imports/export/?kind={KIND}").content.decode()
    assert f'<option value="{KIND}" selected>金秋助学申请</option>' in page
    assert "包含完整证件号码" not in page
    resp = post_export(officer, django_capture_on_commit_callbacks, unmasked="on")
    job = BulkJob.all_objects.get()
    assert resp.status_code == 302 and resp.url == f"/imports/{job.pk}/"
    assert (job.status, job.direction, job.unmasked, job.summary) == ("done", "export", False, {"rows": 2})
    assert job.file_name.startswith("金秋助学申请-520201-") and job.file_name.endswith(".csv")
    assert "已导出 <strong>2</strong> 行" in officer.get(f"/imports/{job.pk}/").content.decode()
    rows = downloaded(officer, job)
    assert rows[0] == HEADERS and rows[1:] == expected(records)
    [event] = audit_events()
    assert (event.action, event.actor_id, event.org.code, event.data["rows"]) == (
        "student_aid.export",
        world.users["county_officer"].pk,
        "520201",
        2,
    )


def test_full_numbers_need_view_id_on_the_union_and_are_audited(
    world: World, records, make_user, login, django_capture_on_commit_callbacks
) -> None:
    # view_id on 贵阳 only, the applications' read on 钟山区: refused, nothing queued or audited.
    split = make_user("split", ("admin", "520100"), ("officer", "520201"))
    before = snapshot()
    assert post_export(login(split), django_capture_on_commit_callbacks, unmasked="on").status_code == 403
    assert snapshot() == before

    admin = make_user("zs_admin", ("admin", "520201"))
    client = login(admin)
    assert "包含完整证件号码" in client.get(f"/imports/export/?kind={KIND}").content.decode()
    post_export(client, django_capture_on_commit_callbacks, unmasked="on")
    job = BulkJob.all_objects.get()
    assert job.unmasked and job.status == "done" and job.summary == {"rows": 2}
    assert "完整证件号码" in job.file_name
    assert downloaded(client, job)[1:] == expected(records, unmasked=True)
    [event] = audit_events()
    assert (event.action, event.actor_id, event.data["unmasked"]) == ("student_aid.export.unmasked", admin.pk, True)
    # The county's officer sees the job but may not download its full numbers.
    officer = login(world.users["county_officer"])
    assert officer.get(f"/imports/{job.pk}/download/").status_code == 403


def test_a_foreign_union_is_not_found_and_queues_nothing(
    world: World, records, login, django_capture_on_commit_callbacks
) -> None:
    foreign = login(world.users["foreign"])
    before = snapshot()
    resp = post_export(foreign, django_capture_on_commit_callbacks)
    assert resp.status_code == 404 and "未找到该工会" in resp.content.decode()
    assert snapshot() == before
    # Its own union's export holds its own application alone.
    post_export(foreign, django_capture_on_commit_callbacks, org="520102")
    job = BulkJob.all_objects.get()
    rows = downloaded(foreign, job)
    assert [r[2] for r in rows[1:]] == ["赵小虎"] and job.summary == {"rows": 1}


def test_the_kind_is_offered_only_to_readers_of_applications(
    world: World, records, make_user, login, django_capture_on_commit_callbacks
) -> None:
    assert not get_kind(KIND).importable
    Role.objects.create(name="roster", label="花名册查看", permissions=[MemberPerm.VIEW])
    roster = login(make_user("roster_only", ("roster", "520201")))
    page = roster.get(f"/imports/export/?kind={KIND}")
    assert page.status_code == 200
    text = page.content.decode()
    assert 'value="members"' in text and f'value="{KIND}"' not in text
    # Posting the kind anyway is refused by the form; nothing is queued.
    before = snapshot()
    resp = post_export(roster, django_capture_on_commit_callbacks)
    assert resp.status_code == 200 and "选择一个有效的选项" in resp.content.decode()
    assert snapshot() == before
    # A viewer of the applications is offered it.
    viewer = login(make_user("zs_viewer", ("viewer", "520201")))
    assert f'value="{KIND}"' in viewer.get("/imports/export/").content.decode()
    # An export-only kind: no upload choice, no template.
    officer = login(world.users["county_officer"])
    assert f'value="{KIND}"' not in officer.get("/imports/new/").content.decode()
    assert officer.get(f"/imports/templates/{KIND}/").status_code == 404
