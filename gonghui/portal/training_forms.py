"""Forms of the phone's training pages: enrolment (a member, or a villager with name, mobile and ID
number) and a check-in by ID number for whoever is not signed in."""

from __future__ import annotations

from typing import Any

from django import forms

from gonghui.core.formfields import YuanField
from gonghui.members.validation import FieldError, clean_mobile, parse_identity
from gonghui.skills.forms import MAX_INCOME_FEN


class _Phone(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "form-control form-control-lg")


class PhoneEnrolForm(_Phone):
    """For a signed-in member the name and ID come from the registry: only the income and a mobile."""

    name = forms.CharField(label="姓名", max_length=60)
    mobile = forms.CharField(
        label="手机号码", max_length=11, widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "tel"})
    )
    id_number = forms.CharField(
        label="身份证号码",
        max_length=18,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        help_text="加密保存，只用于签到和结业证书。",
    )
    income_before = YuanField(
        label="去年全年收入（元）",
        required=False,
        max_fen=MAX_INCOME_FEN,
        help_text="用于计算培训后收入的变化，可不填。",
    )

    def __init__(self, *args: Any, member: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if member:
            for name in ("name", "id_number"):
                del self.fields[name]
            self.fields["mobile"].required = False
            self.fields["mobile"].help_text = "不填则用会员登记的手机号码。"

    # Checked here too, so a refused form names every wrong field at once (the service checks again).
    def clean_mobile(self) -> str:
        value = str(self.cleaned_data.get("mobile", "")).strip()
        if value:
            try:
                return clean_mobile(value)
            except FieldError as exc:
                raise forms.ValidationError(str(exc)) from exc
        return value

    def clean_id_number(self) -> str:
        value = str(self.cleaned_data.get("id_number", "")).strip()
        try:
            parse_identity(value)
        except FieldError as exc:
            raise forms.ValidationError(str(exc)) from exc
        return value


class CheckinIdForm(_Phone):
    id_number = forms.CharField(
        label="报名时填写的身份证号码", max_length=18, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )
