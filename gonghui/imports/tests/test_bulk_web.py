"""The web flow of bulk import and export: upload → preview → job → summary and downloads.

Real HTTP through Django's test client, a real database, the ImmediateBackend
(the task runs when the transaction's on-commit callbacks run). Files go to a
DATA_DIR of the test's own.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from openpyxl import Workbook, load_workbook
from openpyxl.utils import quote_sheetname

from gonghui.accounts.models import Grant, User
from gonghui.accounts.services import grant_role
from gonghui.conftest import Tree
from gonghui.core import jobs
from gonghui.core.bulk import engine
from gonghui.core.bulk.files import estimate_rows
from gonghui.core.bulk.kinds import get_kind
from gonghui.core.idnumbers import id_number_with_check
from gonghui.core.models import AuditEvent, BulkJob
from gonghui.core.scoping import unscoped
from gonghui.members.models import Membership, Person
from gonghui.members.services import member_register
from gonghui.orgs.models import Org
from gonghui.orgs.services import org_move

pytestmark = pytest.mark.django_db

HEADER = "姓名,身份证号,手机号码,民族,新就业形态类别,所属工会代码,入会日期,备注"
GIVEN = "甲乙丙丁戊己庚辛壬癸"


def number(i: int) -> str:
    return id_number_with_check(f"5202011990{(i % 12) + 1:02d}{(i % 28) + 1:02d}{i % 1000:03d}")


def roster_lines(n: int, *, org: str = "520201G001", start: int = 0) -> list[str]:
    return [
        f"骑手{GIVEN[(i // 10) % 10]}{GIVEN[i % 10]},{number(i)},1390000{i:04d},汉族,外卖配送员,{org},2023/7/20,无"
        for i in range(start, start + n)
    ]


def roster_csv(lines: list[str]) -> bytes:
    return "\n".join(["六盘水市快递员工会会员花名册", HEADER, *lines]).encode("gb18030") + b"\n"


def upload_file(name: str, content: bytes) -> io.BytesIO:
    f = io.BytesIO(content)
    f.name = name
    return f


@pytest.fixture(autouse=True)
def data_dir(settings, tmp_path: Path) -> Path:
    settings.DATA_DIR = tmp_path
    return tmp_path


@pytest.fixture
def officer(tree: Tree, make_user) -> User:
    return make_user("lps_officer", ("officer", "520200"))


@pytest.fixture
def as_user(login) -> Callable[[User], Client]:
    return login


def post_upload(client: Client, *, kind: str = "members", org: str = "520201G001", name: str, content: bytes, **extra):
    data = {"kind": kind, "org": org, "file": upload_file(name, content), **extra}
    return client.post("/imports/new/", data)


def start(client: Client, preview_url: str, capture) -> Any:
    with capture(execute=True):
        return client.post(preview_url + "start/")


def pending_files(data_dir: Path) -> list[Path]:
    folder = data_dir / "uploads" / "pending"
    return sorted(folder.iterdir()) if folder.is_dir() else []


def snapshot() -> dict[str, Any]:
    with unscoped():
        return {
            "jobs": list(BulkJob.all_objects.order_by("pk").values_list("pk", "status", "attempt")),
            "people": Person.objects.count(),
            "memberships": list(Membership.all_objects.order_by("pk").values_list("pk", "org_id", "status")),
            "orgs": list(Org.all_objects.order_by("pk").values_list("pk", "code", "name", "path")),
            "audit": list(AuditEvent.all_objects.order_by("pk").values_list("pk", "action")),
        }


# --- the whole flow ---------------------------------------------------------------------------


def test_upload_preview_start_summary_and_error_workbook(
    officer, as_user, data_dir, django_capture_on_commit_callbacks
) -> None:
    client = as_user(officer)
    bad = "坏行,123,abc,火星族,,520201G001,2023-02-30,无"
    resp = post_upload(client, name="花名册（六月）.csv", content=roster_csv([*roster_lines(3), bad]))
    assert resp.status_code == 302, resp.content.decode()[:3000]
    assert resp.url.startswith("/imports/preview/")
    assert len(pending_files(data_dir)) == 1  # streamed to disk, not yet a job
    assert not BulkJob.all_objects.exists()

    page = client.get(resp.url).content.decode()
    assert "表头在第 <strong>2</strong> 行" in page
    mapping = page[page.index('data-testid="mapping"') : page.index("</table>", page.index('data-testid="mapping"'))]
    assert "<td>身份证号</td>\n    <td>公民身份号码 <span" in mapping
    assert "<td>姓名</td>" in mapping
    assert "<td>备注</td>" in mapping
    assert "将忽略" in mapping and mapping.count("将忽略") == 1
    assert "必填列齐全" in page
    # The first rows, with the ID number and the mobile masked.
    assert "骑手甲丙" in page
    assert number(0) not in page
    assert number(0)[:6] + "********" + number(0)[-4:] in page
    assert "139****0001" in page

    resp = start(client, resp.url, django_capture_on_commit_callbacks)
    job = BulkJob.all_objects.get()
    assert resp.status_code == 302
    assert resp.url == f"/imports/{job.pk}/"
    assert job.status == BulkJob.Status.DONE, job.error
    assert (job.direction, job.kind, job.org.code, job.actor_id) == ("import", "members", "520201G001", officer.pk)
    assert job.file_name == "花名册（六月）.csv"
    assert job.file_path.startswith("uploads/") and "pending" not in job.file_path
    assert not (data_dir / job.file_path).exists()  # the job has ended: the roster is deleted
    assert not pending_files(data_dir)
    assert {k: job.summary[k] for k in ("rows", "created", "updated", "unchanged", "rejected")} == {
        "rows": 4,
        "created": 3,
        "updated": 0,
        "unchanged": 0,
        "rejected": 1,
    }
    assert job.rows_done == 4
    assert job.rows_total == 5  # the estimate: lines of the file minus one

    page = client.get(resp.url).content.decode()
    for test_id, value in (("rows", 4), ("created", 3), ("updated", 0), ("unchanged", 0), ("rejected", 1)):
        assert f'data-testid="sum-{test_id}">{value}</td>' in page
    assert "未识别的列“备注”已忽略" in page
    assert 'data-testid="progress-bar">100%' in page
    assert "hx-trigger" not in page  # done: no more polling
    assert f'href="/imports/{job.pk}/download/"' in page

    report = client.get(f"/imports/{job.pk}/download/")
    assert report.status_code == 200
    assert "attachment" in report["Content-Disposition"]
    ws = load_workbook(io.BytesIO(b"".join(report.streaming_content))).active
    assert ws is not None
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][0] == "原行号" and rows[0][-1] == "未导入原因"
    assert rows[1][0] == 6 and rows[1][1] == "坏行"
    assert "身份证号（公民身份号码）：" in str(rows[1][-1]) and "入会日期：日期不存在" in str(rows[1][-1])

    with unscoped():
        assert Membership.objects.filter(org__code="520201G001").count() == 3
        event = AuditEvent.objects.get(action="members.import")
    assert (event.actor_id, event.org.code) == (officer.pk, "520201G001")
    assert event.data["file"] == "花名册（六月）.csv"
    assert (event.data["created"], event.data["rejected"]) == (3, 1)

    # The list shows the job to its actor.
    listing = client.get("/imports/").content.decode()
    assert f'href="/imports/{job.pk}/"' in listing and "花名册（六月）.csv" in listing


def test_dry_run_checks_every_row_and_writes_nothing(officer, as_user, django_capture_on_commit_callbacks) -> None:
    client = as_user(officer)
    resp = post_upload(client, name="r.csv", content=roster_csv(roster_lines(4)), dry_run="on")
    assert "只校验不写入" in client.get(resp.url).content.decode()
    start(client, resp.url, django_capture_on_commit_callbacks)
    job = BulkJob.all_objects.get()
    assert job.dry_run and job.status == BulkJob.Status.DONE
    assert (job.summary["created"], job.summary["dry_run"]) == (4, True)
    with unscoped():
        assert not Person.objects.exists()
        assert not AuditEvent.objects.filter(action="members.import").exists()
    assert "只校验，未写入任何数据" in client.get(f"/imports/{job.pk}/").content.decode()


def test_the_same_file_again_is_all_unchanged(officer, as_user, django_capture_on_commit_callbacks) -> None:
    client = as_user(officer)
    for expected in ((3, 0), (0, 3)):
        resp = post_upload(client, name="r.csv", content=roster_csv(roster_lines(3)))
        start(client, resp.url, django_capture_on_commit_callbacks)
        job = BulkJob.all_objects.order_by("-pk").first()
        assert job is not None
        assert (job.summary["created"], job.summary["unchanged"]) == expected
        assert job.report_path == ""
        assert "所有行均已通过校验" in client.get(f"/imports/{job.pk}/").content.decode()


# --- refusals of the upload -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("roster.xlsx", b"PK\x03\x04 this is no workbook" * 10, "无法读取该工作簿"),
        ("roster.csv", b"\x00\x01\x02binary" * 100, "这不是表格文件"),
        ("roster.csv", "随便写点什么\n没有表头\n".encode(), "没有找到表头行"),
        ("roster.csv", "姓名,手机号码\n张三,13800138000\n".encode(), "缺少必填列：公民身份号码"),
    ],
    ids=["broken-xlsx", "binary", "no-header", "missing-column"],
)
def test_an_unreadable_file_gets_a_chinese_error_and_no_job(
    officer, as_user, data_dir, name: str, content: bytes, message: str
) -> None:
    client = as_user(officer)
    before = snapshot()
    resp = post_upload(client, name=name, content=content)
    assert resp.status_code == 200
    page = resp.content.decode()
    assert 'data-testid="error-file">无法导入该文件：' in page
    assert message in page
    assert snapshot() == before
    assert not pending_files(data_dir)  # the upload was deleted


def test_only_tables_are_accepted(officer, as_user, data_dir) -> None:
    resp = post_upload(as_user(officer), name="roster.pdf", content=roster_csv(roster_lines(1)))
    assert resp.status_code == 200
    assert "只接受 .xlsx、.xls、.ods、.csv 或 .txt（制表符分隔文本、银行回盘）文件。" in resp.content.decode()
    assert not pending_files(data_dir)
    assert not BulkJob.all_objects.exists()


def test_uploads_over_the_limit_are_refused(officer, as_user, settings, data_dir) -> None:
    settings.GONGHUI_UPLOAD_MAX_MB = 1
    client = as_user(officer)
    lines = roster_lines(1) * 15_000  # about 1.3 MB: read, then dropped at the limit
    resp = post_upload(client, name="big.csv", content=roster_csv(lines))
    assert resp.status_code == 200
    assert "文件超过 1 MB 的上限" in resp.content.decode()
    # Far over the limit: refused from the Content-Length, before the body is read.
    resp = post_upload(client, name="huge.csv", content=roster_csv(lines * 3))
    assert resp.status_code == 413
    assert "文件超过 1 MB 的上限" in resp.content.decode()
    assert not pending_files(data_dir)
    assert not BulkJob.all_objects.exists()


def test_cancel_deletes_the_upload(officer, as_user, data_dir) -> None:
    client = as_user(officer)
    resp = post_upload(client, name="r.csv", content=roster_csv(roster_lines(2)))
    preview = resp.url
    assert len(pending_files(data_dir)) == 1
    resp = client.post(preview + "cancel/")
    assert resp.status_code == 302 and resp.url == "/imports/"
    assert not pending_files(data_dir)
    assert client.get(preview).status_code == 404
    assert client.post(preview + "start/").status_code == 404
    assert not BulkJob.all_objects.exists()


# --- confinement to the chosen union ----------------------------------------------------------


def test_rows_for_unions_outside_the_chosen_one_are_refused(
    officer, as_user, django_capture_on_commit_callbacks
) -> None:
    # 520200KD01 is the officer's too, but the file was brought to 520201G001.
    lines = [*roster_lines(2), *roster_lines(1, org="520200KD01", start=10), *roster_lines(1, org="621100", start=20)]
    client = as_user(officer)
    resp = post_upload(client, name="r.csv", content=roster_csv(lines))
    start(client, resp.url, django_capture_on_commit_callbacks)
    job = BulkJob.all_objects.get()
    assert (job.summary["created"], job.summary["rejected"]) == (2, 2)
    with unscoped():
        assert set(Membership.objects.values_list("org__code", flat=True)) == {"520201G001"}


def test_an_orgs_file_cannot_reach_past_the_chosen_union(
    tree, make_user, as_user, django_capture_on_commit_callbacks
) -> None:
    user = make_user("zs_officer", ("officer", "520201"))
    header = "工会代码,工会名称,上级工会代码,组织类型,新就业形态"
    lines = [
        "520201G002,钟山区外卖骑手工会,,联合基层工会,是",  # new, under the chosen 520201
        "520201G003,钟山区网约车司机工会,520201G002,基层工会,是",  # under the row above
        "520201G001,钟山区快递员工会,520201,联合基层工会,是",  # in scope: updated
        "520102,南明区总工会（改）,520100,县（市、区）总工会,否",  # exists elsewhere: refused
        "520102X01,南明区某工会,520102,基层工会,否",  # a parent elsewhere: refused
        "520201X09,某工会,NOPE01,基层工会,否",  # an unknown parent: refused
    ]
    content = "\n".join([header, *lines]).encode()
    client = as_user(user)
    before = snapshot()
    resp = post_upload(client, kind="orgs", org="520201", name="orgs.csv", content=content)
    assert resp.status_code == 302, resp.content.decode()[:2000]
    start(client, resp.url, django_capture_on_commit_callbacks)
    job = BulkJob.all_objects.get()
    assert job.status == BulkJob.Status.DONE, job.error
    assert {k: job.summary[k] for k in ("created", "updated", "rejected")} == {
        "created": 2,
        "updated": 1,
        "rejected": 3,
    }
    with unscoped():
        assert Org.objects.get(code="520201G003").parent.code == "520201G002"
        assert Org.objects.get(code="520201G001").name == "钟山区快递员工会"
        nanming = Org.objects.get(code="520102")
        assert (nanming.name, nanming.path) == ("南明区总工会", tree.nanming.path)
        assert not Org.objects.filter(code__in=["520102X01", "520201X09"]).exists()
    assert [o for o in snapshot()["orgs"] if o[1].startswith("5201")] == [
        o for o in before["orgs"] if o[1].startswith("5201")
    ]
    ws = load_workbook(io.BytesIO(b"".join(client.get(f"/imports/{job.pk}/download/").streaming_content))).active
    assert ws is not None
    reasons = {row[1]: row[-1] for row in ws.iter_rows(min_row=2, values_only=True)}
    assert "您无权修改该工会" in reasons["520102"]
    assert "您无权在其下新建工会" in reasons["520102X01"]
    assert "未找到上级工会“NOPE01”" in reasons["520201X09"]


def test_an_orgs_file_without_parents_lands_under_the_chosen_union(
    tree, make_user, as_user, django_capture_on_commit_callbacks
) -> None:
    user = make_user("zs_officer", ("officer", "520201"))
    content = "\n".join(
        [
            "工会代码,工会名称,组织类型",
            "520201G002,钟山区外卖骑手工会,联合基层工会",
            "520201G001,钟山区快递员联合工会,联合基层工会",
            "",
        ]
    )
    client = as_user(user)
    resp = post_upload(client, kind="orgs", org="520201", name="orgs.csv", content=content.encode())
    start(client, resp.url, django_capture_on_commit_callbacks)
    job = BulkJob.all_objects.get()
    assert {k: job.summary[k] for k in ("created", "unchanged", "rejected")} == {
        "created": 1,
        "unchanged": 1,
        "rejected": 0,
    }
    with unscoped():
        assert Org.objects.get(code="520201G002").parent_id == tree.zhongshan.pk


# --- the job: progress, failure, re-run -------------------------------------------------------


def test_progress_is_committed_batch_by_batch(officer, as_user, monkeypatch, django_capture_on_commit_callbacks):
    seen: list[int] = []
    real = engine.run_import

    def small_batches(kind, path, *, dry_run, progress, renames, seal_report):
        def spy(rows, summary):
            progress(rows, summary)
            seen.append(BulkJob.all_objects.get().rows_done)  # what the job page reads now

        return real(kind, path, dry_run=dry_run, progress=spy, batch_size=2, renames=renames, seal_report=seal_report)

    monkeypatch.setattr(jobs, "run_import", small_batches)
    client = as_user(officer)
    resp = post_upload(client, name="r.csv", content=roster_csv(roster_lines(5)))
    start(client, resp.url, django_capture_on_commit_callbacks)
    assert seen == [2, 4, 5]
    job = BulkJob.all_objects.get()
    assert (job.status, job.rows_done, job.summary["created"]) == ("done", 5, 5)


def test_a_running_job_polls_and_shows_its_progress(officer, as_user) -> None:
    job = _queued_job(officer)
    BulkJob.all_objects.filter(pk=job.pk).update(
        status="running", rows_done=250, rows_total=1000, heartbeat_at=timezone.now()
    )
    client = as_user(officer)
    fragment = client.get(f"/imports/{job.pk}/status/").content.decode()
    assert f'hx-get="/imports/{job.pk}/status/" hx-trigger="every 1s"' in fragment
    assert 'aria-valuenow="25"' in fragment and "width: 25%" in fragment
    assert "已处理 250 行（约 1,000 行）" in fragment
    assert "<html" not in fragment  # a fragment, not a page
    assert 'data-testid="rerun"' not in fragment  # alive: not to be re-run
    assert client.post(f"/imports/{job.pk}/rerun/").status_code == 302
    assert BulkJob.all_objects.get(pk=job.pk).attempt == 1


def _queued_job(actor: User, lines: int = 3) -> BulkJob:
    """A job queued but not run (its task never delivered)."""
    from gonghui.core.bulk.files import new_pending_path, relative

    path = new_pending_path(".csv")
    path.write_bytes(roster_csv(roster_lines(lines)))
    with unscoped():
        org = Org.objects.get(code="520201G001")
    from gonghui.accounts.scope import scope_for_user

    return jobs.bulk_import_start(
        actor=actor,
        scope=scope_for_user(actor),
        kind=get_kind("members"),
        org=org,
        stored=relative(path),
        file_name="r.csv",
        dry_run=False,
    )


def test_a_stuck_job_is_rerun_from_its_page_and_resumes(
    officer, as_user, monkeypatch, django_capture_on_commit_callbacks
) -> None:
    job = _queued_job(officer, lines=4)
    # The worker ran it to the end of its batches, then was killed before recording the
    # outcome (so before it deleted the upload, which a re-run needs).
    with monkeypatch.context() as m:
        m.setattr(jobs, "_drop_upload", lambda job: None)
        assert jobs.bulk_job_execute(job.pk, 1) == "done"
    an_hour_ago = timezone.now() - timedelta(hours=1)
    BulkJob.all_objects.filter(pk=job.pk).update(status="running", summary=None, heartbeat_at=an_hour_ago)

    client = as_user(officer)
    page = client.get(f"/imports/{job.pk}/").content.decode()
    assert 'data-testid="stale"' in page and 'data-testid="rerun"' in page
    with django_capture_on_commit_callbacks(execute=True):
        resp = client.post(f"/imports/{job.pk}/rerun/")
    assert resp.status_code == 302 and resp.url == f"/imports/{job.pk}/"
    job.refresh_from_db()
    assert (job.status, job.attempt) == ("done", 2)
    assert (job.summary["created"], job.summary["unchanged"]) == (0, 4)  # nothing doubled
    # The first attempt's task, delivered late, does nothing.
    assert jobs.bulk_job_execute(job.pk, 1) == "skipped"
    with unscoped():
        assert Membership.objects.count() == 4


def test_a_file_that_turns_unreadable_fails_the_job_with_the_reason(officer, as_user, data_dir) -> None:
    job = _queued_job(officer)
    (data_dir / job.file_path).write_bytes(b"\x00\x00 no longer a table")
    assert jobs.bulk_job_execute(job.pk, 1) == "failed"
    job.refresh_from_db()
    assert job.status == "failed"
    assert job.error.startswith("这不是表格文件")
    # The same file would fail the same way: it is deleted, and the job is not offered again.
    assert not (data_dir / job.file_path).exists()
    assert not jobs.bulk_job_rerunnable(job)
    page = as_user(officer).get(f"/imports/{job.pk}/").content.decode()
    assert 'data-testid="upload-gone"' in page and 'data-testid="rerun"' not in page


def test_an_unexpected_error_fails_the_job_and_is_raised(officer, monkeypatch) -> None:
    job = _queued_job(officer)

    def broken(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(jobs, "run_import", broken)
    with pytest.raises(RuntimeError):
        jobs.bulk_job_execute(job.pk, 1)
    job.refresh_from_db()
    assert (job.status, job.error) == ("failed", jobs.INTERNAL_ERROR)


def test_a_job_runs_with_the_rights_its_actor_has_when_it_starts(officer) -> None:
    job = _queued_job(officer)
    Grant.objects.filter(user=officer).delete()
    grant_role(actor=None, actor_scope=None, user=officer, role_name="viewer", org_code="520200")
    assert jobs.bulk_job_execute(job.pk, 1) == "failed"
    job.refresh_from_db()
    assert job.error == "您没有执行此操作的权限。"
    with unscoped():
        assert not Person.objects.exists()


def test_a_job_moves_with_its_union(officer, tree) -> None:
    job = _queued_job(officer)
    org_move(actor=None, scope=None, org=tree.zhongshan, new_parent=tree.guiyang)
    job.refresh_from_db()
    with unscoped():
        assert job.org_path == Org.objects.get(code="520201G001").path
    assert job.org_path.startswith(tree.guiyang.path)


# --- templates --------------------------------------------------------------------------------


def test_members_template_has_drop_downs_from_the_code_tables(officer, as_user, data_dir) -> None:
    resp = as_user(officer).get("/imports/templates/members/")
    assert resp.status_code == 200
    assert resp["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    content = b"".join(resp.streaming_content)
    wb = load_workbook(io.BytesIO(content))
    assert wb.sheetnames == ["会员花名册", "代码表"]
    codes = wb["代码表"]
    assert codes.sheet_state == "hidden"
    sheet = wb["会员花名册"]
    headers = [c.value for c in sheet[2]]
    assert headers[:2] == ["姓名*", "公民身份号码*"]
    assert "会员卡号" not in headers  # not imported yet: not offered
    example = dict(zip(headers, [c.value for c in sheet[3]], strict=True))
    assert example["姓名*"] == "张三" and example["民族"] == "汉族"
    assert sheet.column_dimensions["B"].number_format == "@"  # 18 digits stay text

    lists = {str(codes.cell(row=1, column=c).value): [] for c in range(1, codes.max_column + 1)}
    for c, title in enumerate(lists, start=1):
        lists[title] = [
            codes.cell(row=r, column=c).value for r in range(2, codes.max_row + 1) if codes.cell(row=r, column=c).value
        ]
    assert set(lists) == {"民族", "学历", "政治面貌", "户籍类型", "是否农民工", "就业状况", "新就业形态类别"}
    assert lists["民族"][0] == "汉族" and len(lists["民族"]) >= 56
    assert "外卖配送员" in lists["新就业形态类别"] and lists["是否农民工"] == ["是", "否"]

    validations = {str(dv.sqref).split(":")[0].rstrip("0123456789"): dv for dv in sheet.data_validations.dataValidation}
    column_of = {h.rstrip("*"): chr(ord("A") + i) for i, h in enumerate(headers)}
    assert set(validations) == {column_of[t] for t in lists}
    for title, values in lists.items():
        dv = validations[column_of[title]]
        assert dv.type == "list"
        assert not dv.formula1.startswith('"')  # a range, never an inline list (255 characters at most)
        code_column = chr(ord("A") + list(lists).index(title))
        assert dv.formula1 == f"{quote_sheetname('代码表')}!${code_column}$2:${code_column}${len(values) + 1}"
        assert str(dv.sqref) == f"{column_of[title]}3:{column_of[title]}100000"

    # The engine reads the template back: header on row 2, every column known, the example a row.
    path = data_dir / "template.xlsx"
    path.write_bytes(content)
    from gonghui.core.bulk import open_table

    table = open_table(path, get_kind("members").columns)
    assert (table.header_row, table.unknown, table.missing) == (2, [], [])
    assert [cells[0] for _n, cells in table.rows] == ["张三"]


def test_orgs_template_offers_the_org_kinds(tree, make_user, as_user) -> None:
    user = make_user("zs", ("officer", "520201"))
    wb = load_workbook(io.BytesIO(b"".join(as_user(user).get("/imports/templates/orgs/").streaming_content)))
    codes = wb["代码表"]
    kinds = [codes.cell(row=r, column=1).value for r in range(2, codes.max_row + 1)]
    assert codes.cell(row=1, column=1).value == "组织类型"
    assert "联合基层工会" in kinds and "省级总工会" in kinds
    headers = [c.value for c in wb["工会组织"][2]]
    assert headers[:2] == ["工会代码*", "工会名称*"]


# --- exports ----------------------------------------------------------------------------------


@pytest.fixture
def members(tree: Tree) -> list[Membership]:
    return [
        member_register(
            actor=None,
            scope=None,
            org=tree.courier_union,
            id_number=number(i),
            fields={"name": n, "mobile": f"1380000000{i}"},
        )
        for i, n in enumerate(["王一", "王二"])
    ]


def _exported_rows(client: Client, job: BulkJob) -> list[tuple[Any, ...]]:
    resp = client.get(f"/imports/{job.pk}/download/")
    assert resp.status_code == 200
    ws = load_workbook(io.BytesIO(b"".join(resp.streaming_content))).active
    assert ws is not None
    return list(ws.iter_rows(values_only=True))


def test_export_is_masked_by_default(officer, members, as_user, django_capture_on_commit_callbacks) -> None:
    client = as_user(officer)
    page = client.get("/imports/export/?kind=members&org=520200").content.decode()
    assert "包含完整证件号码" not in page  # officers do not hold members.person.view_id
    with django_capture_on_commit_callbacks(execute=True):
        resp = client.post("/imports/export/", {"kind": "members", "org": "520200", "fmt": "xlsx", "unmasked": "on"})
    job = BulkJob.all_objects.get()
    assert resp.url == f"/imports/{job.pk}/"
    assert (job.status, job.direction, job.unmasked, job.summary) == ("done", "export", False, {"rows": 2})
    assert job.file_name.startswith("会员名册-520200-") and job.file_name.endswith(".xlsx")
    rows = _exported_rows(client, job)
    assert rows[0][2] == "公民身份号码"
    ids = {r[2] for r in rows[1:]}
    assert ids == {number(0)[:6] + "********" + number(0)[-4:], number(1)[:6] + "********" + number(1)[-4:]}
    with unscoped():
        event = AuditEvent.objects.get(action__startswith="members.export")
    assert (event.action, event.actor_id, event.data["rows"], event.data["unmasked"]) == (
        "members.export",
        officer.pk,
        2,
        False,
    )


def test_unmasked_export_needs_the_permission_and_is_audited(
    officer, members, make_user, as_user, django_capture_on_commit_callbacks
) -> None:
    admin = make_user("lps_admin", ("admin", "520200"))
    body = {"kind": "members", "org": "520201G001", "fmt": "xlsx", "unmasked": "on"}
    # With view_id elsewhere only (贵阳), the request is refused and nothing is queued.
    split = make_user("split", ("admin", "520100"), ("officer", "520200"))
    before = snapshot()
    assert as_user(split).post("/imports/export/", body).status_code == 403
    assert snapshot() == before

    client = as_user(admin)
    assert "包含完整证件号码" in client.get("/imports/export/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/imports/export/", body)
    job = BulkJob.all_objects.get()
    assert job.unmasked and job.status == "done"
    assert {r[2] for r in _exported_rows(client, job)[1:]} == {number(0), number(1)}
    with unscoped():
        event = AuditEvent.objects.get(action="members.export.unmasked")
    assert (event.actor_id, event.data["unmasked"], event.org.code) == (admin.pk, True, "520201G001")
    # The officer sees the job (they may export the roster) but not its file of full numbers.
    officer_client = as_user(officer)
    page = officer_client.get(f"/imports/{job.pk}/").content.decode()
    assert "已导出 <strong>2</strong> 行" in page and 'data-testid="download"' not in page
    assert officer_client.get(f"/imports/{job.pk}/download/").status_code == 403
    # Nor may the admin once the permission is withdrawn: the file holds full numbers.
    Grant.objects.filter(user=admin).delete()
    grant_role(actor=None, actor_scope=None, user=admin, role_name="officer", org_code="520200")
    assert client.get(f"/imports/{job.pk}/download/").status_code == 403


def test_orgs_export_from_the_org_page(officer, as_user, django_capture_on_commit_callbacks) -> None:
    client = as_user(officer)
    page = client.get("/orgs/520201/").content.decode()
    assert 'data-testid="org-export"' in page and 'value="orgs"' in page and 'value="members"' in page
    assert 'data-testid="export-unmasked"' not in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/imports/export/", {"kind": "orgs", "org": "520201", "fmt": "csv"})
    job = BulkJob.all_objects.get()
    assert job.file_name.endswith(".csv") and job.summary == {"rows": 2}
    text = b"".join(client.get(f"/imports/{job.pk}/download/").streaming_content).decode("utf-8-sig")
    assert text.splitlines()[0].startswith("工会代码,工会名称,上级工会代码")
    assert "520201G001" in text and "520200KD01" not in text


def test_roster_offers_the_export_of_the_filtered_union(officer, make_user, as_user) -> None:
    page = as_user(officer).post("/members/", {"org": "520201"}).content.decode()
    assert 'data-testid="roster-export"' in page and 'name="org" value="520201"' in page
    assert 'data-testid="roster-export-unmasked"' not in page
    admin = make_user("lps_admin", ("admin", "520200"))
    page = as_user(admin).get("/members/").content.decode()
    assert 'name="org" value="520200"' in page and 'data-testid="roster-export-unmasked"' in page


def test_the_navigation_has_the_bulk_entry(officer, make_user, as_user) -> None:
    assert 'href="/imports/">批量导入导出</a>' in as_user(officer).get("/imports/").content.decode()
    nobody = make_user("nobody")
    page = as_user(nobody).get("/accounts/me/").content.decode()
    assert "批量导入导出" not in page


def test_estimate_rows(tmp_path: Path) -> None:
    csv = tmp_path / "a.csv"
    csv.write_bytes(b"a,b\n1,2\n3,4")
    assert estimate_rows(csv) == 3
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    for i in range(7):
        ws.append([i, i])
    wb.save(tmp_path / "a.xlsx")
    assert estimate_rows(tmp_path / "a.xlsx") == 7
