"""The intake form of the 12351 pages. Choices are text boxes with suggestions (datalists): a
code, a label or an everyday word is read by the service, which names every mistake at once;
the form only gives back what was typed."""

from __future__ import annotations

from typing import Any

from django import forms

from gonghui.orgs.fields import OrgCodeField

WORD_FIELDS = {
    "source": "rights_source",
    "kind": "rights_kind",
    "cause": "rights_cause",
    "person_type": "rights_person_type",
    "tier": "rights_tier",
}


def _word(label: str, table: str, *, help_text: str = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        max_length=40,
        help_text=help_text,
        widget=forms.TextInput(attrs={"list": f"dl-{table}", "autocomplete": "off"}),
    )


class IntakeForm(forms.Form):
    org = OrgCodeField(label="受理工会", max_length=200)
    source = _word("来源", "rights_source", help_text="电话、来信、来访、APP、网络")
    kind = _word("类型", "rights_kind", help_text="投诉、求助、咨询、建议")
    cause = _word("事由", "rights_cause", help_text="如：工资（欠薪）、劳动合同、工伤、社保")
    person_type = _word("人员类型", "rights_person_type", help_text="如：农民工、骑手、女职工（可不填）")
    tier = _word("难度", "rights_tier", help_text="一般、难点、特别复杂（不填为一般）")
    caller_name = forms.CharField(label="来电人", required=False, max_length=200)
    caller_phone = forms.CharField(
        label="联系电话", required=False, max_length=40, help_text="会员的手机号可关联到本会范围内的会员"
    )
    employer_name = forms.CharField(label="用人单位", required=False, max_length=200)
    employer_uscc = forms.CharField(label="用人单位统一社会信用代码", required=False, max_length=40)
    summary = forms.CharField(label="诉求内容", required=False, widget=forms.Textarea(attrs={"rows": 4}))
    answered = forms.BooleanField(label="咨询已当场答复，直接结案", required=False)
    answer = forms.CharField(label="答复内容", required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                widget.attrs.setdefault("class", "form-check-input")
            else:
                widget.attrs.setdefault("class", "form-control")


class NoteForm(forms.Form):
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
