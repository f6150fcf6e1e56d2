"""`gonghui import orgs` and `gonghui export orgs`: the tree in a spreadsheet and back."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

from django.core.management import call_command

from gonghui.core.models import AuditEvent
from gonghui.core.scoping import unscoped
from gonghui.core.validators import uscc_with_check
from gonghui.orgs.models import Org, OrgKind

HEADER = "工会代码,工会名称,上级工会代码,组织类型,行政区划代码,统一社会信用代码,新就业形态,成立日期,职工人数"
USCC = uscc_with_check("81520201MA6DXXXX1")


def run(command: str, *args: str) -> tuple[int, dict[str, object]]:
    out = StringIO()
    try:
        call_command(command, *args, stdout=out, stderr=StringIO())
    except SystemExit as exc:
        return int(exc.code or 0), json.loads(out.getvalue().strip().splitlines()[-1])
    return 0, json.loads(out.getvalue().strip().splitlines()[-1])


def write(path: Path, *lines: str) -> Path:
    path.write_text("\n".join(["六盘水市新建工会（2023年8月）", HEADER, *lines]) + "\n", encoding="gb18030")
    return path


def test_new_unions_under_parents_in_the_tree_or_the_file(tree, tmp_path: Path) -> None:
    path = write(
        tmp_path / "orgs.csv",
        f"520201KD02,钟山区外卖骑手联合工会,520201,联合基层工会,520201,{USCC},是,2023年7月20日,120",
        "520201KD0201,美团钟山站点工会小组,520201KD02,基层工会,520201,,是,2023/8/1,30",
    )
    code, summary = run("import", "orgs", str(path))
    assert code == 0
    assert {k: summary[k] for k in ("rows", "created", "rejected")} == {"rows": 2, "created": 2, "rejected": 0}
    with unscoped():
        child = Org.objects.select_related("parent").get(code="520201KD0201")
        assert child.parent is not None and child.parent.code == "520201KD02"
        assert child.path.startswith(Org.objects.get(code="520201").path)
        parent = Org.objects.get(code="520201KD02")
        assert (parent.kind, parent.is_new_employment, parent.employee_count) == (OrgKind.JOINT_GRASSROOTS, True, 120)
    _code, again = run("import", "orgs", str(path))
    assert (again["created"], again["unchanged"]) == (0, 2)


def test_bad_rows_and_refused_moves(tree, tmp_path: Path) -> None:
    path = write(
        tmp_path / "bad.csv",
        "bad code!,名称,520201,基层工会,,,否,,",
        "520201Z001,无上级工会,NOPE,基层工会,,,否,,",
        "520201G001,钟山区快递员联合工会,520102,联合基层工会,520201,,是,,",
        "520201Z002,未知类型,520201,外星工会,5202,,否,2999-01-01,-5",
    )
    _code, summary = run("import", "orgs", str(path))
    assert (summary["created"], summary["rejected"]) == (0, 4)
    from openpyxl import load_workbook

    ws = load_workbook(str(summary["report"])).active
    assert ws is not None
    reasons = [str(r[-1]) for r in list(ws.iter_rows(values_only=True))[1:]]
    assert "工会代码：" in reasons[0]
    assert "未找到上级工会“NOPE”" in reasons[1]
    assert "不能通过导入调整隶属关系" in reasons[2]
    for part in ("组织类型：", "行政区划代码：", "成立日期：", "职工人数："):
        assert part in reasons[3]


def test_export_reimports_as_unchanged(tree, tmp_path: Path) -> None:
    code, exported = run("export", "orgs", str(tmp_path / "tree.xlsx"), "--org", "520200")
    assert code == 0 and exported["rows"] == 4  # 六盘水, 钟山区, its couriers' union, the express federation
    _code, summary = run("import", "orgs", str(tmp_path / "tree.xlsx"))
    assert (summary["unchanged"], summary["created"], summary["rejected"]) == (4, 0, 0)
    with unscoped():
        assert AuditEvent.objects.filter(action="orgs.export").count() == 1
