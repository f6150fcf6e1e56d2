"""Forms of the legal-aid pages. Every box is text as typed (choices with suggestions): the services
read codes, labels and everyday words and name every mistake at once; the forms give back what was
typed."""

from __future__ import annotations

from typing import Any

from django import forms

from gonghui.orgs.fields import OrgCodeField

DATE = forms.DateInput(attrs={"type": "date"})


def _text(label: str, *, help_text: str = "", rows: int = 0, datalist: str = "") -> forms.CharField:
    if rows:
        widget: forms.Widget = forms.Textarea(attrs={"rows": rows})
    elif datalist:
        widget = forms.TextInput(attrs={"list": f"dl-{datalist}", "autocomplete": "off"})
    else:
        widget = forms.TextInput()
    return forms.CharField(label=label, required=False, help_text=help_text, widget=widget)


class _Styled(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(widget, forms.Select):
                widget.attrs.setdefault("class", "form-select")
            else:
                widget.attrs.setdefault("class", "form-control")


class LawyerForm(_Styled):
    org = OrgCodeField(label="所属工会", max_length=200)
    name = _text("姓名")
    firm = _text("律师事务所")
    licence_no = _text("执业证号", help_text="17 位数字")
    areas = _text(
        "执业领域", datalist="rights_law_area", help_text="可填多个，用顿号或逗号分隔，如：劳动合同、欠薪、工伤、仲裁"
    )
    phone = _text("联系电话", help_text="保存后只显示脱敏号码")
    active = forms.BooleanField(label="在册（可承办援助与体检）", required=False, initial=True)


class LawyerEditForm(LawyerForm):
    """The union of a roster line does not change: a lawyer who moves is entered on the other roster."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["org"]


class AidOpenForm(_Styled):
    form = _text("援助形式", datalist="rights_aid_form", help_text="协商调解代理、文书代写、仲裁代理、诉讼代理")
    lawyer = forms.ChoiceField(label="承办律师", required=False, help_text="本工会或上级工会律师库中在册的律师")
    opened_on = forms.CharField(label="受理援助日期", required=False, widget=DATE)
    note = _text("援助事项", rows=3)

    def __init__(self, *args: Any, lawyers: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["lawyer"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "—— 请选择 ——")] + [
            (str(lw.pk), f"{lw.name}（{lw.firm}，{lw.org.name}）") for lw in lawyers
        ]


class HearingForm(_Styled):
    held_on = forms.CharField(label="日期", required=False, widget=DATE)
    body = _text("机构", datalist="hearing-bodies", help_text="如：劳动人事争议仲裁委员会、人民法院")
    result = _text("结果", rows=2)


class CloseForm(_Styled):
    closed_on = forms.CharField(label="结案日期", required=False, widget=DATE)
    recovered = _text("为职工挽回金额（元）", help_text="没有挽回的填 0，并在结案情况中说明原因")
    outcome = _text("结案情况", rows=2)


class VisitForm(_Styled):
    org = OrgCodeField(label="组织工会", max_length=200)
    lawyer = forms.ChoiceField(label="律师", required=False)
    enterprise_name = _text("企业名称")
    enterprise_uscc = _text("统一社会信用代码")
    visited_on = forms.CharField(label="体检日期", required=False, widget=DATE)
    issues = _text("发现的问题", rows=4, help_text="每行一个问题；登记后逐项跟进整改")
    note = _text("说明", rows=2)

    def __init__(self, *args: Any, lawyers: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["lawyer"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "—— 请选择 ——")] + [
            (str(lw.pk), f"{lw.name}（{lw.firm}，{lw.org.name}）") for lw in lawyers
        ]
