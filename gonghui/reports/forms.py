"""The audit log's filter form."""

from __future__ import annotations

from typing import Any

from django import forms

from gonghui.core.ui import audit_actions
from gonghui.orgs.fields import OrgCodeField, OrgPickerInput

INPUT = {"class": "form-control form-control-sm"}


class AuditFilterForm(forms.Form):
    kind = forms.ChoiceField(
        label="操作", required=False, widget=forms.Select(attrs={"class": "form-select form-select-sm"})
    )
    action = forms.CharField(
        label="操作（名称或代码前缀）",
        required=False,
        widget=forms.TextInput(attrs={**INPUT, "placeholder": "如 慰问 或 aid.relief"}),
    )
    actor = forms.CharField(label="操作人（账号）", required=False, widget=forms.TextInput(attrs=INPUT))
    org = OrgCodeField(label="工会代码（含下级）", required=False, widget=OrgPickerInput(attrs=INPUT))
    since = forms.DateField(label="起始日期", required=False, widget=forms.DateInput(attrs={**INPUT, "type": "date"}))
    until = forms.DateField(label="截止日期", required=False, widget=forms.DateInput(attrs={**INPUT, "type": "date"}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Read at each request: the apps register their labels when Django starts.
        self.fields["kind"].choices = [("", "全部操作"), *((code, label) for code, label in audit_actions())]  # type: ignore[attr-defined]
