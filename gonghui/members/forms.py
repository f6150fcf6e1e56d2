"""Forms of the registry pages. Choices come from the code tables (data), read per form."""

from __future__ import annotations

from typing import Any

from django import forms

from gonghui.core.pickers import RegionCodeField
from gonghui.members.models import MembershipStatus
from gonghui.members.validation import FieldError, clean_person, code_labels, parse_identity
from gonghui.orgs.fields import OrgCodeField


def code_choices(table: str, blank: str = "—") -> list[tuple[str, str]]:
    return [("", blank), *code_labels(table).items()]


class IdNumberChecked:
    """`clean_id_number` for a form with `id_type` before `id_number`: a mistyped number is named with the
    form's other mistakes, not alone after them (the service checks it again and has the last word)."""

    cleaned_data: dict[str, Any]

    def clean_id_number(self) -> str:
        raw = str(self.cleaned_data.get("id_number", "")).strip()
        id_type = self.cleaned_data.get("id_type")
        if raw and id_type:  # an unknown type is refused on its own field
            try:
                parse_identity(raw, id_type)
            except FieldError as exc:
                raise forms.ValidationError(str(exc)) from exc
        return raw


class PersonForm(forms.Form):
    name = forms.CharField(label="姓名", max_length=60)
    mobile = forms.CharField(label="手机号码", max_length=20, required=False)
    ethnicity = forms.ChoiceField(label="民族", required=False)
    education = forms.ChoiceField(label="学历", required=False)
    degree = forms.ChoiceField(label="学位", required=False)
    political_status = forms.ChoiceField(label="政治面貌", required=False)
    hukou_type = forms.ChoiceField(label="户籍类型", required=False)
    is_migrant_worker = forms.BooleanField(label="农民工", required=False)
    hukou_region = RegionCodeField(label="户籍所在地（行政区划代码）", max_length=6, required=False)
    residence_region = RegionCodeField(label="现居住地（行政区划代码）", max_length=6, required=False)
    residence_address = forms.CharField(label="现居住详细地址", max_length=200, required=False)
    employment_status = forms.ChoiceField(label="就业状况", required=False)
    skill_level = forms.ChoiceField(label="技能等级", required=False)
    new_employment_type = forms.ChoiceField(label="新就业形态类别", required=False)
    employer = forms.CharField(label="工作单位", max_length=200, required=False)
    employer_uscc = forms.CharField(label="工作单位统一社会信用代码", max_length=24, required=False)
    position = forms.CharField(label="职务", max_length=60, required=False)
    is_model_worker = forms.BooleanField(label="劳模", required=False)
    emergency_contact = forms.CharField(label="紧急联系人", max_length=60, required=False)
    emergency_phone = forms.CharField(label="紧急联系电话", max_length=20, required=False)

    CODE_FIELDS = (
        "ethnicity",
        "education",
        "degree",
        "political_status",
        "hukou_type",
        "employment_status",
        "skill_level",
        "new_employment_type",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in self.CODE_FIELDS:
            field = self.fields[name]
            assert isinstance(field, forms.ChoiceField)
            field.choices = code_choices(name)

    def clean(self) -> dict[str, Any]:
        """The registry's own checks of what was typed (mobile, region codes, credit code …), beside each field.

        The service makes them again and has the last word; here they run with the form's,
        so every mistake shows at once instead of the service's only after the form's.
        """
        data = super().clean() or {}
        typed = {k: data[k] for k in PersonForm.base_fields if k in data and k in self.changed_data}
        _cleaned, errors = clean_person(typed, partial=True)
        for field, reason in errors.items():
            if field in self.fields and field not in self.errors:
                self.add_error(field, reason)
        return data


class PersonEditForm(PersonForm):
    """A member's details on the edit page, with the 入会日期 a cadre may correct (same rules as the import)."""

    joined_on = forms.DateField(
        label="入会日期",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="首次入会的日期；留空则不变。",
    )


class RegisterForm(IdNumberChecked, PersonForm):
    org_code = OrgCodeField(label="所属工会代码", max_length=32)
    id_type = forms.ChoiceField(label="证件类型")
    id_number = forms.CharField(label="证件号码", max_length=40)
    joined_on = forms.DateField(label="入会日期", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    field_order = ["org_code", "id_type", "id_number", "name", "mobile"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        id_type = self.fields["id_type"]
        assert isinstance(id_type, forms.ChoiceField)
        id_type.choices = list(code_labels("id_type").items())


class RosterFilterForm(forms.Form):
    q = forms.CharField(label="检索", required=False)
    org = OrgCodeField(label="工会代码", required=False)
    status = forms.ChoiceField(
        label="会籍状态",
        required=False,
        choices=[("", "会员（正常、接转中、保留）"), ("all", "全部"), *MembershipStatus.choices],
    )
    new_employment_type = forms.ChoiceField(label="新就业形态", required=False)
    migrant = forms.ChoiceField(label="农民工", required=False, choices=[("", "不限"), ("1", "是"), ("0", "否")])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        ne = self.fields["new_employment_type"]
        assert isinstance(ne, forms.ChoiceField)
        ne.choices = [("", "不限"), ("any", "全部新就业形态"), *code_labels("new_employment_type").items()]


class ReasonForm(forms.Form):
    """A transition's reason (from a code table) and a free note."""

    reason = forms.ChoiceField(label="原因")
    note = forms.CharField(label="说明", max_length=200, required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, table: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        reason = self.fields["reason"]
        assert isinstance(reason, forms.ChoiceField)
        reason.choices = list(code_labels(table).items())


class NoteForm(forms.Form):
    note = forms.CharField(label="理由或说明", max_length=200, required=False, widget=forms.Textarea(attrs={"rows": 2}))


class TransferOutForm(forms.Form):
    to_code = OrgCodeField(label="转入工会代码", max_length=32)
    reason = forms.ChoiceField(label="接转原因")
    note = forms.CharField(label="说明", max_length=200, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        reason = self.fields["reason"]
        assert isinstance(reason, forms.ChoiceField)
        reason.choices = list(code_labels("transfer_reason").items())


class TransferInForm(IdNumberChecked, TransferOutForm):
    to_code = OrgCodeField(label="接收工会代码（本辖区）", max_length=32)
    id_type = forms.ChoiceField(label="证件类型")
    id_number = forms.CharField(label="会员证件号码", max_length=40)
    field_order = ["to_code", "id_type", "id_number", "reason", "note"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        id_type = self.fields["id_type"]
        assert isinstance(id_type, forms.ChoiceField)
        id_type.choices = list(code_labels("id_type").items())


class JoinForm(IdNumberChecked, forms.Form):
    """The worker's own application, on a phone."""

    name = forms.CharField(label="姓名", max_length=60)
    id_type = forms.ChoiceField(label="证件类型")
    id_number = forms.CharField(label="证件号码", max_length=40, widget=forms.TextInput(attrs={"autocomplete": "off"}))
    mobile = forms.CharField(
        label="手机号码", max_length=20, widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"})
    )
    new_employment_type = forms.ChoiceField(label="职业（新就业形态）", required=False)
    employer = forms.CharField(label="工作单位或平台", max_length=200, required=False)
    ethnicity = forms.ChoiceField(label="民族", required=False)
    is_migrant_worker = forms.BooleanField(label="我是农民工（农业户籍，进城务工）", required=False)
    accept_charter = forms.BooleanField(label="我承认《中国工会章程》，自愿申请加入工会", required=True)
    consent = forms.BooleanField(
        label="我同意工会为办理入会收集和使用我的身份证件号码等个人信息（仅用于会员管理，加密保存）",
        required=True,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, table in (("id_type", "id_type"), ("new_employment_type", "new_employment_type")):
            field = self.fields[name]
            assert isinstance(field, forms.ChoiceField)
            field.choices = (
                list(code_labels(table).items()) if name == "id_type" else code_choices(table, "非新就业形态")
            )
        ethnicity = self.fields["ethnicity"]
        assert isinstance(ethnicity, forms.ChoiceField)
        ethnicity.choices = code_choices("ethnicity", "请选择")
