"""A column that looks like a known one is named as a likely match, and read once the user confirms it.

Unions head their columns their own way (联络手机, 手机号吗 for 手机号码). Such a column is
never dropped in silence: the preview names the column it looks like and offers to read it
so, and `gonghui import --column 联络手机=手机号码` does the same from the console.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command

from gonghui.core.idnumbers import id_number_with_check
from gonghui.core.models import BulkJob
from gonghui.core.scoping import unscoped
from gonghui.members.models import Person

HEADER = "姓名,身份证号,联络手机,所属工会代码,爱好"


def roster() -> bytes:
    lines = [
        f"骑手{'甲乙丙'[i]},{id_number_with_check(f'52020119900101{i:03d}')},1390000{i:04d},520201G001,跑步"
        for i in range(3)
    ]
    return "\n".join(["会员花名册", HEADER, *lines]).encode("utf-8") + b"\n"


@pytest.fixture(autouse=True)
def data_dir(settings, tmp_path: Path) -> Path:
    settings.DATA_DIR = tmp_path
    return tmp_path


def mobiles() -> list[str]:
    with unscoped():
        return sorted(Person.objects.values_list("mobile", flat=True))


def upload(client, content: bytes):
    f = io.BytesIO(content)
    f.name = "花名册.csv"
    return client.post("/imports/new/", {"kind": "members", "org": "520201G001", "file": f})


def test_the_preview_names_the_likely_column_and_reads_it_once_confirmed(
    tree, make_user, login, django_capture_on_commit_callbacks
) -> None:
    client = login(make_user("officer", ("officer", "520200")))
    resp = upload(client, roster())
    assert resp.status_code == 302
    page = client.get(resp.url).content.decode()
    assert "未识别的列，可能是“手机号码”" in page
    assert "把“联络手机”作为“手机号码”导入" in page
    assert "把“爱好”" not in page  # a column like no other is only ignored
    with django_capture_on_commit_callbacks(execute=True):
        client.post(resp.url + "start/", {"rename": ["联络手机", "爱好"]})  # 爱好 was not offered: not taken
    job = BulkJob.all_objects.get()
    assert job.header_map == {"联络手机": "手机号码"}
    assert job.summary["created"] == 3
    assert mobiles() == ["13900000000", "13900000001", "13900000002"]
    assert job.summary["warnings"] == ["未识别的列“爱好”已忽略"]


def test_unconfirmed_the_column_is_ignored_and_the_summary_says_what_it_may_be(
    tree, make_user, login, django_capture_on_commit_callbacks
) -> None:
    client = login(make_user("officer", ("officer", "520200")))
    resp = upload(client, roster())
    with django_capture_on_commit_callbacks(execute=True):
        client.post(resp.url + "start/")
    job = BulkJob.all_objects.get()
    assert job.summary["created"] == 3
    assert mobiles() == ["", "", ""]
    assert "未识别的列“联络手机”已忽略：可能是“手机号码”，确认后可按该列导入" in job.summary["warnings"]


def test_the_console_confirms_with_column(tree, tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_bytes(roster())
    out = io.StringIO()
    call_command("import", "members", str(path), "--column", "联络手机=手机号码", stdout=out, stderr=io.StringIO())
    summary = json.loads(out.getvalue().strip().splitlines()[-1])
    assert summary["created"] == 3
    assert mobiles() == ["13900000000", "13900000001", "13900000002"]


def test_a_column_confirmed_as_no_known_column_is_refused_with_the_reason(tree, tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_bytes(roster())
    out = io.StringIO()
    with pytest.raises(SystemExit) as exited:
        call_command("import", "members", str(path), "--column", "联络手机=微信号", stdout=out, stderr=io.StringIO())
    assert exited.value.code == 2
    assert (
        json.loads(out.getvalue().strip().splitlines()[-1])["error"] == "没有名为“微信号”的列，无法把“联络手机”对应过去"
    )


def test_the_upload_form_makes_the_user_choose_what_the_file_is(tree, make_user, login) -> None:
    # Left on a default, a roster once went in as another agency's list.
    client = login(make_user("officer", ("officer", "520200")))
    page = client.get("/imports/new/").content.decode()
    select = page[page.index('name="kind"') :]
    assert select.index('<option value="">请选择导入内容…</option>') < select.index('<option value="members"')
    f = io.BytesIO(roster())
    f.name = "花名册.csv"
    resp = client.post("/imports/new/", {"kind": "", "org": "520201G001", "file": f})
    assert resp.status_code == 200
    assert "请选择导入内容" in resp.content.decode()
    assert not BulkJob.all_objects.exists()
