"""A federation loads its own tree from a file (issue 14, item 2).

The file is as a federation keeps it: a title row, the province with no parent,
cities and counties listed before their own parents, now and then a row that
cannot go in. Each refusal is on its own row, naming its own codes.
"""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from openpyxl import Workbook, load_workbook

from gonghui.core.bulk.engine import run_import
from gonghui.core.scoping import unscoped
from gonghui.orgs.bulk import OrgsKind
from gonghui.orgs.models import Org, OrgKind
from gonghui.orgs.services import org_tree_check

pytestmark = pytest.mark.django_db

HEADER = ["序号", "工会代码*", "工会名称*", "上级工会代码", "组织类型*", "行政区划代码", "职工人数"]

# (code, name, parent, kind): parents come after their children in places.
TREE_ROWS = [
    ("520302", "红花岗区总工会", "520300", "县（市、区）总工会"),  # its city is the file's last row
    ("520201", "钟山区总工会", "520200", "县（市、区）总工会"),  # before its city…
    ("520200", "六盘水市总工会", "520000", "市（州）总工会"),  # …which comes before the province
    ("520000", "贵州省总工会", "", "省级总工会"),  # the root: no parent
    ("520201G00101", "城东小组", "520201G001", "工会分会（小组）"),  # before its union
    ("520201G001", "钟山区快递员联合工会", "520201", "联合基层工会"),
    ("520100", "贵阳市总工会", "520000", "市（州）总工会"),
    ("520102", "南明区总工会", "520100", "县（市、区）总工会"),
    ("520102J0101", "花果园社区工会", "520102J01", "村（社区）工会"),
    ("520102J01", "花果园街道工会", "520102", "乡镇（街道）工会"),
    ("520200KD0101", "顺丰六盘水分公司工会", "520200KD01", "基层工会"),
    ("520200KD01", "六盘水市快递行业工会联合会", "520200", "行业性工会联合会"),
    ("520201X01", "某某工会", "529999", "基层工会"),  # refused: the parent is nowhere
    ("520201X02", "钟山区某省总工会", "520201", "省级总工会"),  # refused: not under a county
    ("520300", "遵义市总工会", "520000", "市（州）总工会"),
]
GOOD = 13


def write_xlsx(path: Path, rows: list[tuple[str, str, str, str]], *, title: str = "贵州省工会组织名录") -> Path:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append([title])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(HEADER))
    ws.append(HEADER)
    for n, (code, name, parent, kind) in enumerate(rows, start=1):
        region = code[:6] if code[:6].isdigit() else ""
        ws.append([n, code, name, parent or None, kind, region, None])
    wb.save(path)
    return path


def cli(*args: str) -> dict[str, Any]:
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO())
    return json.loads(out.getvalue().strip().splitlines()[-1])


def reasons_by_code(report: str | None) -> dict[str, str]:
    assert report is not None
    ws = load_workbook(report).active
    assert ws is not None
    header = [c.value for c in ws[1]]
    code_at = next(i for i, h in enumerate(header) if str(h).startswith("工会代码"))
    # The reason follows the row's cells; a row whose last cells are blank comes back shorter
    # (core's ErrorWorkbook does not pad it), so the reason is the row's last filled cell.
    return {
        str(row[code_at]): str([c for c in row if c is not None][-1])
        for row in ws.iter_rows(min_row=2, values_only=True)
    }


def tree_shape() -> dict[str, tuple[str | None, str, int]]:
    with unscoped():
        return {
            o.code: (o.parent.code if o.parent else None, o.kind, o.depth)
            for o in Org.objects.select_related("parent").all()
        }


def test_a_federation_loads_its_own_tree_through_the_cli_into_an_empty_database(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "名录.xlsx", TREE_ROWS)
    summary = cli("import", "orgs", str(path))
    counts = {k: summary[k] for k in ("rows", "created", "updated", "unchanged", "rejected")}
    assert counts == {"rows": 15, "created": GOOD, "updated": 0, "unchanged": 0, "rejected": 2}
    shape = tree_shape()
    assert len(shape) == GOOD
    assert shape["520000"] == (None, OrgKind.PROVINCE_FEDERATION, 0)
    assert shape["520300"] == ("520000", OrgKind.CITY_FEDERATION, 1)
    assert shape["520302"] == ("520300", OrgKind.COUNTY_FEDERATION, 2)
    assert shape["520201G00101"] == ("520201G001", OrgKind.BRANCH, 4)
    assert shape["520102J0101"] == ("520102J01", OrgKind.COMMUNITY, 4)
    assert org_tree_check() == []
    reasons = reasons_by_code(summary["report"])
    assert set(reasons) == {"520201X01", "520201X02"}
    assert reasons["520201X01"] == "上级工会代码：未找到上级工会“529999”（系统中不存在，且文件中也没有）"
    assert reasons["520201X02"].startswith("组织类型：县（市、区）总工会“钟山区总工会”之下不能设省级总工会")

    again = cli("import", "orgs", str(path))  # resumed or run twice: nothing doubled
    assert (again["created"], again["unchanged"], again["rejected"]) == (0, GOOD, 2)


@pytest.mark.parametrize("batch_size", [1, 2, 3, 7])
def test_parents_in_later_batches_give_the_same_tree(tmp_path: Path, batch_size: int) -> None:
    path = write_xlsx(tmp_path / "名录.xlsx", TREE_ROWS)
    dry = run_import(OrgsKind(actor=None, default_parent=None), path, batch_size=batch_size, dry_run=True)
    assert not Org.all_objects.exists()
    summary = run_import(OrgsKind(actor=None, default_parent=None), path, batch_size=batch_size)
    for s in (dry, summary):
        assert (s.rows, s.created, s.rejected) == (15, GOOD, 2)
    assert len(tree_shape()) == GOOD
    assert org_tree_check() == []
    assert set(reasons_by_code(summary.report)) == {"520201X01", "520201X02"}


def test_a_parent_refused_further_down_refuses_its_children_each_on_its_own_row(tmp_path: Path) -> None:
    rows = [
        ("520000", "贵州省总工会", "", "省级总工会"),
        ("520201G001", "钟山区快递员联合工会", "520201", "联合基层工会"),  # needs the county below
        ("520201G00101", "城东小组", "520201G001", "工会分会（小组）"),
        ("520201X01", "甲工会", "NOPE01", "基层工会"),
        ("520201X02", "乙工会", "NOPE02", "基层工会"),
        ("AAA001", "环甲", "AAA002", "基层工会"),  # a loop: AAA001 → AAA002 → AAA001
        ("AAA002", "环乙", "AAA001", "基层工会"),
        ("AAA003", "环下", "AAA001", "工会分会（小组）"),
        ("AAA004", "自己", "AAA004", "基层工会"),
        ("520200", "六盘水市总工会", "520000", "市（州）总工会"),
        ("520201", "钟山区总工会", "520200", "外星工会"),  # refused: the kind does not exist
    ]
    path = write_xlsx(tmp_path / "名录.xlsx", rows)
    summary = run_import(OrgsKind(actor=None, default_parent=None), path, batch_size=2)
    assert (summary.created, summary.rejected) == (2, 9)
    reasons = reasons_by_code(summary.report)
    assert reasons["520201"] == "组织类型：组织类型“外星工会”不存在。"
    assert reasons["520201G001"] == "上级工会代码：上级工会“520201”（第 13 行）未能导入，本行无法挂在它下面"
    assert reasons["520201G00101"] == "上级工会代码：上级工会“520201G001”（第 4 行）未能导入，本行无法挂在它下面"
    # Each missing parent on its own row, and only there.
    assert "NOPE01" in reasons["520201X01"] and "NOPE02" not in reasons["520201X01"]
    assert "NOPE02" in reasons["520201X02"] and "NOPE01" not in reasons["520201X02"]
    for code in ("AAA001", "AAA002"):
        assert "首尾相接成环" in reasons[code] and "AAA001 → AAA002 → AAA001" in reasons[code]
    assert "AAA004 → AAA004" in reasons["AAA004"]
    assert reasons["AAA003"].startswith("上级工会代码：上级工会“AAA001”（第 8 行）未能导入")
    assert set(tree_shape()) == {"520000", "520200"}


def test_a_root_row_needs_the_consoles_authority_or_the_org_given(tree, tmp_path: Path) -> None:
    rows = [
        ("630000", "青海省总工会", "", "省级总工会"),  # a root: the console may
        ("520201G002", "钟山区外卖骑手工会", "", "联合基层工会"),  # --org 520201 may hold it: lands there
    ]
    path = write_xlsx(tmp_path / "名录.xlsx", rows)
    summary = cli("import", "orgs", str(path), "--org", "520201")
    assert (summary["created"], summary["rejected"]) == (2, 0)
    shape = tree_shape()
    assert shape["630000"] == (None, OrgKind.PROVINCE_FEDERATION, 0)
    assert shape["520201G002"][0] == "520201"


def test_kind_refused_under_the_parent_in_the_import(tree, tmp_path: Path) -> None:
    rows = [
        ("520201S01", "钟山区某市总工会", "520201", "市（州）总工会"),
        ("520201S02", "钟山区某街道工会", "520201", "乡镇（街道）工会"),
        ("520201S0201", "某小组", "520201S02", "县（市、区）总工会"),  # under a new row: refused too
        ("520200", "六盘水市总工会", "520000", "产业工会"),  # a kind change its counties refuse
    ]
    path = write_xlsx(tmp_path / "名录.xlsx", rows)
    summary = cli("import", "orgs", str(path))
    assert (summary["created"], summary["updated"], summary["rejected"]) == (1, 0, 3)
    reasons = reasons_by_code(summary["report"])
    assert reasons["520201S01"].startswith(
        "组织类型：县（市、区）总工会“钟山区总工会”之下不能设市（州）总工会；可设：基层工会"
    )
    assert reasons["520201S0201"].startswith("组织类型：乡镇（街道）工会“钟山区某街道工会”之下不能设县（市、区）总工会")
    assert reasons["520200"].startswith(
        "组织类型：组织类型改为产业工会后，现有下级工会中的县（市、区）总工会不能设在其下"
    )


# --- on the web: the job is filed under a union ----------------------------------------------


@pytest.fixture
def data_dir(settings, tmp_path: Path) -> Path:
    settings.DATA_DIR = tmp_path
    return tmp_path


def web_import(client, capture, path: Path, org: str) -> Any:
    from gonghui.core.models import BulkJob

    with path.open("rb") as f:
        resp = client.post("/imports/new/", {"kind": "orgs", "org": org, "file": f})
    assert resp.status_code == 302, resp.content.decode()[:2000]
    with capture(execute=True):
        client.post(resp.url + "start/")
    job = BulkJob.all_objects.latest("pk")
    assert job.status == BulkJob.Status.DONE, job.error
    return job


ROOT_FILE = [
    ("630000", "青海省总工会", "", "省级总工会"),  # a root row
    ("630100", "西宁市总工会", "630000", "市（州）总工会"),  # under the root row
    ("520201G002", "钟山区外卖骑手工会", "", "联合基层工会"),  # fits under the job's union: lands there
]


def job_reasons(job: Any) -> dict[str, str]:
    from gonghui.core.bulk.files import clear_copy, resolve

    report = resolve(job.report_path)
    if report is None:
        return {}
    with clear_copy(report) as clear:  # a job's error workbook is sealed on disk
        return reasons_by_code(str(clear))


def test_a_root_row_on_the_web_is_refused_on_its_own_row_for_a_cadre(
    tree, make_user, login, data_dir, django_capture_on_commit_callbacks
) -> None:
    path = write_xlsx(data_dir / "名录.xlsx", ROOT_FILE)
    client = login(make_user("zs_officer", ("officer", "520201")))
    job = web_import(client, django_capture_on_commit_callbacks, path, "520201")
    assert {k: job.summary[k] for k in ("created", "rejected")} == {"created": 1, "rejected": 2}
    reasons = job_reasons(job)
    assert reasons["630000"] == (
        "上级工会代码：工会“630000”没有填写上级工会代码，而省级总工会不能设在“钟山区总工会”之下，只能作为顶级工会新建；"
        "新建顶级工会只能由平台管理员导入或在服务器控制台导入，请填写上级工会代码"
    )
    assert reasons["630100"] == "上级工会代码：上级工会“630000”（第 3 行）未能导入，本行无法挂在它下面"
    shape = tree_shape()
    assert "630000" not in shape and "630100" not in shape
    assert shape["520201G002"][0] == "520201"


def test_a_platform_administrator_may_add_a_root_on_the_web(
    tree, make_user, login, data_dir, django_capture_on_commit_callbacks
) -> None:
    path = write_xlsx(data_dir / "名录.xlsx", ROOT_FILE)
    client = login(make_user("root", superuser=True))
    job = web_import(client, django_capture_on_commit_callbacks, path, "520201")
    assert {k: job.summary[k] for k in ("created", "rejected")} == {"created": 3, "rejected": 0}
    shape = tree_shape()
    assert shape["630000"] == (None, OrgKind.PROVINCE_FEDERATION, 0)
    assert shape["630100"] == ("630000", OrgKind.CITY_FEDERATION, 1)
    assert shape["520201G002"][0] == "520201"
    # Still confined below the roots it adds: an existing parent outside the job's union is refused.
    path = write_xlsx(data_dir / "第二批.xlsx", [("520102X01", "南明区某工会", "520102", "基层工会")])
    job = web_import(client, django_capture_on_commit_callbacks, path, "520201")
    assert job.summary["rejected"] == 1
    assert "您无权在其下新建工会" in job_reasons(job)["520102X01"]


def test_a_missing_parent_and_a_misplaced_kind_on_the_web(
    tree, make_user, login, data_dir, django_capture_on_commit_callbacks
) -> None:
    rows = [
        ("520201X01", "甲工会", "NOPE01", "基层工会"),
        ("520201X02", "乙工会", "NOPE02", "基层工会"),
        ("520201X03", "丙工会", "520201", "市（州）总工会"),
    ]
    path = write_xlsx(data_dir / "名录.xlsx", rows)
    client = login(make_user("zs_officer", ("officer", "520201")))
    job = web_import(client, django_capture_on_commit_callbacks, path, "520201")
    reasons = job_reasons(job)
    assert reasons["520201X01"] == "上级工会代码：未找到上级工会“NOPE01”（系统中不存在，且文件中也没有）"
    assert reasons["520201X02"] == "上级工会代码：未找到上级工会“NOPE02”（系统中不存在，且文件中也没有）"
    assert reasons["520201X03"].startswith("组织类型：县（市、区）总工会“钟山区总工会”之下不能设市（州）总工会")


def test_a_tree_changed_under_the_job_refuses_the_new_rows_and_keeps_the_updates(
    tree, tmp_path: Path, monkeypatch
) -> None:
    from gonghui.core.errors import DomainError
    from gonghui.orgs import bulk

    def closed_meanwhile(**kwargs: Any) -> int:
        raise DomainError("org.parent_closed", parent="钟山区总工会")

    monkeypatch.setattr(bulk, "org_bulk_create", closed_meanwhile)
    rows = [
        ("520201X01", "甲工会", "520201", "基层工会"),
        ("520201G001", "钟山区快递员工会", "520201", "联合基层工会"),  # known: renamed
    ]
    summary = cli("import", "orgs", str(write_xlsx(tmp_path / "名录.xlsx", rows)))
    assert (summary["created"], summary["updated"], summary["rejected"]) == (0, 1, 1)
    assert reasons_by_code(summary["report"])["520201X01"].endswith("已撤销，不能在其下新建或迁入工会。")
    assert Org.all_objects.get(code="520201G001").name == "钟山区快递员工会"
