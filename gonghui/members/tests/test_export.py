"""`gonghui export members`: masked by default, formulas neutralized, audited."""

from __future__ import annotations

import csv
import json
from io import StringIO
from pathlib import Path

from django.core.management import call_command
from openpyxl import load_workbook

from gonghui.core.idnumbers import id_number_with_check
from gonghui.core.models import AuditEvent
from gonghui.core.scoping import unscoped
from gonghui.members.services import member_register

NUMBER = id_number_with_check("52010219900307123")


def _members(tree) -> None:
    member_register(
        actor=None,
        scope=None,
        org=tree.courier_union,
        id_number=NUMBER,
        fields={"name": "王小明", "mobile": "13800138000", "employer": '=HYPERLINK("http://x","点我")'},
    )
    member_register(
        actor=None,
        scope=None,
        org=tree.nanming,
        id_number=id_number_with_check("52010219910101123"),
        fields={"name": "李四", "ethnicity": "汉族"},
    )


def _export(path: Path, *args: str) -> dict[str, object]:
    out = StringIO()
    call_command("export", "members", str(path), *args, stdout=out, stderr=StringIO())
    return json.loads(out.getvalue().strip().splitlines()[-1])


def test_xlsx_export_is_masked_and_formula_safe(tree, tmp_path: Path) -> None:
    _members(tree)
    assert _export(tmp_path / "m.xlsx", "--org", "520200")["rows"] == 1
    ws = load_workbook(tmp_path / "m.xlsx").active
    assert ws is not None
    header, row = [[c.value for c in r] for r in ws.iter_rows()]
    record = dict(zip(header, row, strict=True))
    assert record["姓名"] == "王小明"
    assert record["公民身份号码"] == NUMBER[:6] + "********" + NUMBER[-4:]
    assert record["手机号码"] == "138****8000"
    assert record["工作单位"] == '\'=HYPERLINK("http://x","点我")'
    assert record["所属工会代码"] == "520201G001"
    with unscoped():
        event = AuditEvent.objects.get(action="members.export")
    assert event.data["rows"] == 1


def test_csv_export_of_everything_opens_in_excel(tree, tmp_path: Path) -> None:
    _members(tree)
    assert _export(tmp_path / "m.csv")["rows"] == 2
    raw = (tmp_path / "m.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs for UTF-8
    rows = list(csv.DictReader(raw.decode("utf-8-sig").splitlines()))
    assert {r["姓名"] for r in rows} == {"王小明", "李四"}
    assert next(r for r in rows if r["姓名"] == "李四")["民族"] == "汉族"
    assert NUMBER not in raw.decode("utf-8-sig")


def test_unmasked_export_is_audited_as_such(tree, tmp_path: Path) -> None:
    _members(tree)
    _export(tmp_path / "full.csv", "--org", "520201G001", "--unmasked")
    text = (tmp_path / "full.csv").read_text(encoding="utf-8-sig")
    assert NUMBER in text and "13800138000" in text
    with unscoped():
        event = AuditEvent.objects.get(action="members.export.unmasked")
    assert event.data["unmasked"] is True
    assert NUMBER not in json.dumps(event.data)


def _import(path: Path, *args: str) -> dict[str, object]:
    out = StringIO()
    call_command("import", "members", str(path), *args, stdout=out, stderr=StringIO())
    return json.loads(out.getvalue().strip().splitlines()[-1])


def test_the_masked_export_imports_back_unchanged(tree, tmp_path: Path) -> None:
    # "导出的文件可以修改后再导入": 会员编号 carries the identity, the masked cells are left alone.
    _members(tree)
    _export(tmp_path / "m.xlsx", "--org", "520200")
    summary = _import(tmp_path / "m.xlsx")
    assert (summary["rows"], summary["unchanged"], summary["rejected"]) == (1, 1, 0)
    assert summary["warnings"] == [
        "有 1 行的证件号码为脱敏显示，已按会员编号找到本人，证件号码和脱敏的手机号码保持不变"
    ]
    with unscoped():
        from gonghui.members.models import Person

        person = Person.objects.get(name="王小明")
    assert (person.mobile, person.employer) == ("13800138000", '=HYPERLINK("http://x","点我")')


def test_an_edited_export_updates_only_what_was_edited(tree, tmp_path: Path) -> None:
    _members(tree)
    _export(tmp_path / "m.csv", "--org", "520200")
    text = (tmp_path / "m.csv").read_text("utf-8-sig").replace("138****8000", "13900000001")
    (tmp_path / "m.csv").write_text(text, "utf-8-sig")
    summary = _import(tmp_path / "m.csv")
    assert (summary["updated"], summary["rejected"]) == (1, 0)
    with unscoped():
        from gonghui.members.models import Person

        assert Person.objects.get(name="王小明").mobile == "13900000001"


def test_a_masked_row_without_a_known_member_number_is_refused(tree, tmp_path: Path) -> None:
    _members(tree)
    _export(tmp_path / "m.csv", "--org", "520200")
    lines = (tmp_path / "m.csv").read_text("utf-8-sig").splitlines()
    number = lines[1].split(",")[0]
    (tmp_path / "m.csv").write_text("\n".join([lines[0], lines[1].replace(number, "9999999999", 1)]), "utf-8-sig")
    summary = _import(tmp_path / "m.csv")
    assert summary["rejected"] == 1
    ws = load_workbook(str(summary["report"])).active
    assert ws is not None
    reason = next(r[-1] for r in ws.iter_rows(min_row=2, values_only=True))
    assert reason == "会员编号：会员编号“9999999999”不存在，证件号码为脱敏显示，无法登记"
