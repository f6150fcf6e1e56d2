"""On the pages, as a cadre does it: export, download, upload the same file, preview, start (issue 14, item 5).

The page says of the members and orgs exports "可以修改后再导入". Done through the
real pages by a city officer (masked export, no full numbers), the file goes back
in with every column recognised, nothing refused and nothing changed; with one
cell edited, exactly that changes.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from openpyxl import load_workbook

from gonghui.accounts.models import User
from gonghui.conftest import Tree
from gonghui.core.models import BulkJob
from gonghui.core.scoping import unscoped
from gonghui.members.models import Person
from gonghui.members.services import member_register
from gonghui.members.tests.factories import id_number
from gonghui.orgs.models import Org

pytestmark = pytest.mark.django_db

COUNTS = ("rows", "created", "updated", "unchanged", "rejected")


@pytest.fixture(autouse=True)
def data_dir(settings, tmp_path: Path) -> Path:
    settings.DATA_DIR = tmp_path
    return tmp_path


@pytest.fixture
def client(tree: Tree, make_user, login) -> Client:
    for seq, (org, name, fields) in enumerate(
        [
            (tree.courier_union, "王小明", {"mobile": "13800138000", "education": "高中", "joined_on": "2021-05-01"}),
            (tree.courier_union, "李娜", {"ethnicity": "苗族", "employer": "=美团"}),
            (tree.express_federation, "张伟", {"political_status": "党员", "is_migrant_worker": True}),
        ],
        start=1,
    ):
        member_register(
            actor=None, scope=None, org=org, id_number=id_number(seq, area="520201"), fields={"name": name, **fields}
        )
    officer: User = make_user("lps_officer", ("officer", "520200"))
    return login(officer)


def export(client: Client, kind: str, capture: Callable[..., Any]) -> bytes:
    with capture(execute=True):
        resp = client.post("/imports/export/", {"kind": kind, "org": "520200", "fmt": "xlsx"})
    job = BulkJob.all_objects.get(direction="export")
    assert resp.url == f"/imports/{job.pk}/" and job.status == "done", job.error
    return b"".join(client.get(f"/imports/{job.pk}/download/").streaming_content)


def reimport(client: Client, kind: str, content: bytes, capture: Callable[..., Any]) -> dict[str, Any]:
    upload = io.BytesIO(content)
    upload.name = "导出的文件.xlsx"
    resp = client.post("/imports/new/", {"kind": kind, "org": "520200", "file": upload})
    assert resp.status_code == 302, resp.content.decode()[:2000]
    preview = client.get(resp.url).content.decode()
    assert "将忽略" not in preview  # every column of our own export is recognised
    assert "必填列齐全" in preview
    with capture(execute=True):
        client.post(resp.url + "start/")
    job = BulkJob.all_objects.filter(direction="import").latest("pk")
    assert job.status == "done", job.error
    return job.summary


def state() -> dict[str, Any]:
    with unscoped():
        return {
            "people": list(Person.objects.order_by("pk").values()),
            "orgs": list(Org.all_objects.order_by("pk").values()),
        }


def edited(content: bytes, key: str, header: str, value: Any) -> bytes:
    wb = load_workbook(io.BytesIO(content))
    ws = wb.active
    assert ws is not None
    headers = [c.value for c in ws[1]]
    row = next(r for r in ws.iter_rows(min_row=2) if key in (str(r[0].value), str(r[1].value)))
    row[headers.index(header)].value = value
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


@pytest.mark.parametrize(("kind", "rows"), [("members", 3), ("orgs", 4)])
def test_the_export_goes_back_in_through_the_pages_unchanged(
    client, kind: str, rows: int, django_capture_on_commit_callbacks
) -> None:
    content = export(client, kind, django_capture_on_commit_callbacks)
    before = state()
    summary = reimport(client, kind, content, django_capture_on_commit_callbacks)
    assert {k: summary[k] for k in COUNTS} == {
        "rows": rows,
        "created": 0,
        "updated": 0,
        "unchanged": rows,
        "rejected": 0,
    }
    assert state() == before


def test_an_edited_member_goes_back_in_with_that_change_only(client, django_capture_on_commit_callbacks) -> None:
    content = export(client, "members", django_capture_on_commit_callbacks)
    before = state()
    summary = reimport(client, "members", edited(content, "李娜", "学历", "大专"), django_capture_on_commit_callbacks)
    assert {k: summary[k] for k in COUNTS} == {"rows": 3, "created": 0, "updated": 1, "unchanged": 2, "rejected": 0}
    after = state()
    changed = [(b, a) for b, a in zip(before["people"], after["people"], strict=True) if b != a]
    assert len(changed) == 1
    old, new = changed[0]
    assert {k for k in old if old[k] != new[k]} == {"education", "updated_at"}
    assert (new["name"], new["education"], new["employer"]) == ("李娜", "30", "=美团")


def test_an_edited_union_goes_back_in_with_that_change_only(client, django_capture_on_commit_callbacks) -> None:
    content = export(client, "orgs", django_capture_on_commit_callbacks)
    before = state()
    summary = reimport(
        client, "orgs", edited(content, "520201G001", "职工人数", 180), django_capture_on_commit_callbacks
    )
    assert {k: summary[k] for k in COUNTS} == {"rows": 4, "created": 0, "updated": 1, "unchanged": 3, "rejected": 0}
    after = state()
    changed = [(b, a) for b, a in zip(before["orgs"], after["orgs"], strict=True) if b != a]
    assert len(changed) == 1
    old, new = changed[0]
    assert {k for k in old if old[k] != new[k]} == {"employee_count", "updated_at"}
    assert (new["code"], new["employee_count"]) == ("520201G001", 180)
