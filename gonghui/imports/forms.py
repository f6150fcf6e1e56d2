"""Forms of the bulk import/export pages; kinds are offered as the actor's permissions allow."""

from __future__ import annotations

from typing import Any

from django import forms

from gonghui.core.bulk.files import UPLOAD_SUFFIXES
from gonghui.core.bulk.kinds import BulkKind
from gonghui.orgs.fields import OrgCodeField

ACCEPT = ",".join(UPLOAD_SUFFIXES)
EXPORT_FORMATS = [("xlsx", "Excel 工作簿（.xlsx）"), ("csv", "CSV（UTF-8，带 BOM）")]


class UploadForm(forms.Form):
    kind = forms.ChoiceField(label="导入内容", error_messages={"required": "请选择导入内容"})
    org = OrgCodeField(
        label="导入到工会（代码）",
        max_length=32,
        help_text="文件中没有“所属工会代码”（或“上级工会代码”）的行归入此工会；文件中的工会必须是它本身或它的下级。",
    )
    file = forms.FileField(
        label="文件",
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
        help_text=(
            "Excel（.xlsx、.xls）、WPS/LibreOffice（.ods）、CSV（UTF-8 或 GBK 编码）"
            "或文本（.txt：制表符分隔，或银行的回盘文件）。"
        ),
    )
    dry_run = forms.BooleanField(label="只校验不写入", required=False)

    def __init__(self, *args: Any, kinds: list[BulkKind], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["kind"]
        assert isinstance(field, forms.ChoiceField)
        # No default: a roster left on the first entry once went in as another agency's list.
        field.choices = [("", "请选择导入内容…"), *((k.name, k.label) for k in kinds)]

    def clean_org(self) -> str:
        return str(self.cleaned_data["org"]).strip().upper()


class ExportForm(forms.Form):
    kind = forms.ChoiceField(label="导出内容")
    org = OrgCodeField(label="工会代码（含下级）", max_length=32)
    fmt = forms.ChoiceField(label="格式", choices=EXPORT_FORMATS, initial="xlsx")
    unmasked = forms.BooleanField(
        label="包含完整证件号码",
        required=False,
        help_text="默认脱敏导出；完整证件号码和手机号码需要“查看完整证件号码”权限，并记入审计日志。",
    )

    def __init__(self, *args: Any, kinds: list[BulkKind], may_unmask: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["kind"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(k.name, k.label) for k in kinds]
        if not may_unmask:
            del self.fields["unmasked"]

    def clean_org(self) -> str:
        return str(self.cleaned_data["org"]).strip().upper()
