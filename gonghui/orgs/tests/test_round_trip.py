"""The org list export imports back (issue 14, item 5: "导出的文件可以修改后再导入").

An export read back unchanged changes nothing and refuses nothing, whatever the
fields hold (dates, a USCC, 是/否, a count, a name Excel would take for a formula),
from the console or from a cadre's own job; an edited cell changes exactly that
field of exactly that union.
"""

from __future__ import annotations

import json
from datetime import date
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from gonghui.accounts.scope import scope_for_user
from gonghui.conftest import Tree, make_org
from gonghui.core.bulk.engine import run_import
from gonghui.core.bulk.kinds import get_kind
from gonghui.core.scoping import unscoped
from gonghui.core.validators import uscc_with_check
from gonghui.orgs.models import Org, OrgKind
from gonghui.orgs.services import org_close

FIELDS = (
    "code",
    "name",
    "parent_id",
    "kind",
    "region_code",
    "uscc",
    "is_new_employment",
    "founded_on",
    "employee_count",
    "closed_on",
    "path",
)


def snapshot() -> dict[str, dict[str, Any]]:
    with unscoped():
        return {row["code"]: row for row in Org.all_objects.values(*FIELDS)}


def cli(*args: str) -> dict[str, Any]:
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO())
    return json.loads(out.getvalue().strip().splitlines()[-1])


@pytest.fixture
def full_tree(tree: Tree) -> Tree:
    """The suite's tree with every field of the export filled somewhere, and a closed union."""
    make_org(
        "520201G002",
        "=钟山区外卖骑手工会",  # Excel would take it for a formula: the export neutralizes it
        OrgKind.JOINT_GRASSROOTS,
        tree.zhongshan,
        region_code="520201",
        uscc=uscc_with_check("81520201MA6DXXXX1"),
        is_new_employment=True,
        founded_on=date(2023, 7, 20),
        employee_count=0,
    )
    make_org("520201G003", "钟山区某某公司工会", OrgKind.GRASSROOTS, tree.zhongshan, employee_count=1250)
    gone = make_org("520201G004", "已撤销的工会", OrgKind.GRASSROOTS, tree.zhongshan)
    org_close(actor=None, scope=None, org=gone, closed_on=date(2024, 1, 31))
    return tree


COUNTS = ("rows", "created", "updated", "unchanged", "rejected")


@pytest.mark.parametrize("suffix", ["xlsx", "csv"])
def test_the_whole_tree_exported_from_the_console_imports_back_unchanged(full_tree, tmp_path: Path, suffix) -> None:
    before = snapshot()
    path = tmp_path / f"工会组织.{suffix}"
    assert cli("export", "orgs", str(path))["rows"] == 10  # every open union, the roots included
    summary = cli("import", "orgs", str(path))
    assert {k: summary[k] for k in COUNTS} == {"rows": 10, "created": 0, "updated": 0, "unchanged": 10, "rejected": 0}
    assert summary["warnings"] == []
    assert snapshot() == before


def test_a_cadres_own_export_imports_back_unchanged_in_their_job(full_tree, tmp_path: Path, make_user) -> None:
    user = make_user("lps_admin", ("admin", "520200"))
    kind = get_kind("orgs")
    scope = scope_for_user(user)
    path = tmp_path / "六盘水.xlsx"
    kind.export(str(path), actor=user, org=full_tree.lps, unmasked=False, scope=scope)
    before = snapshot()
    assert kind.build is not None
    summary = run_import(kind.build(actor=user, scope=scope, org=full_tree.lps), path)
    assert (summary.rows, summary.unchanged, summary.created, summary.updated, summary.rejected) == (6, 6, 0, 0, 0)
    assert snapshot() == before


def test_an_edited_cell_changes_exactly_that_field(full_tree, tmp_path: Path) -> None:
    path = tmp_path / "工会组织.xlsx"
    cli("export", "orgs", str(path), "--org", "520201")
    wb = load_workbook(path)
    ws = wb.active
    assert ws is not None
    header = [c.value for c in ws[1]]
    rows = {r[0].value: r for r in ws.iter_rows(min_row=2)}
    rows["520201G003"][header.index("职工人数")].value = 1300
    rows["520201G002"][header.index("成立日期")].value = "2023.8.1"
    wb.save(path)
    before = snapshot()

    summary = cli("import", "orgs", str(path))

    assert {k: summary[k] for k in COUNTS} == {"rows": 4, "created": 0, "updated": 2, "unchanged": 2, "rejected": 0}
    after = snapshot()
    assert after["520201G003"] == {**before["520201G003"], "employee_count": 1300}
    assert after["520201G002"] == {**before["520201G002"], "founded_on": date(2023, 8, 1)}
    assert {k: v for k, v in after.items() if k not in ("520201G002", "520201G003")} == {
        k: v for k, v in before.items() if k not in ("520201G002", "520201G003")
    }
