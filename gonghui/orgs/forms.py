from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms

from gonghui.core.pickers import RegionCodeField
from gonghui.orgs.fields import OrgCodeField
from gonghui.orgs.models import OrgForm, OrgKind


class OrgFieldsForm(forms.Form):
    name = forms.CharField(label="工会名称", max_length=200)
    short_name = forms.CharField(label="简称", max_length=60, required=False)
    kind = forms.ChoiceField(label="组织类型", choices=OrgKind.choices)
    form = forms.ChoiceField(label="组织形式", choices=[("", "—"), *OrgForm.choices], required=False)
    region_code = RegionCodeField(label="行政区划代码", max_length=6, required=False)
    uscc = forms.CharField(label="统一社会信用代码", max_length=24, required=False)
    is_new_employment = forms.BooleanField(label="新就业形态工会", required=False)
    is_industry_chain = forms.BooleanField(label="产业链工会", required=False)
    join_published = forms.BooleanField(
        label="公开入会页面", required=False, help_text="公开后职工可通过工会代码或二维码在手机上申请入会（/m/join/）"
    )
    industry_federation_code = OrgCodeField(label="归口产业（行业）工会代码", max_length=32, required=False)
    accepts_affiliates = forms.BooleanField(
        label="允许辖区外工会归口", required=False, help_text="产业（行业）工会：辖区以外的工会也可以把它填为归口工会"
    )
    founded_on = forms.DateField(label="成立日期", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    chair = forms.CharField(label="工会主席", max_length=60, required=False)
    contact_phone = forms.CharField(label="联系电话", max_length=30, required=False)
    employee_count = forms.IntegerField(label="职工人数", min_value=0, required=False)
    unit_name = forms.CharField(label="所在单位", max_length=200, required=False)
    address = forms.CharField(label="地址", max_length=200, required=False)

    def __init__(self, *args: Any, kinds: Sequence[str] | None = None, **kwargs: Any) -> None:
        """`kinds`: the kinds the drop-down offers (those the union's parent may hold), the first preselected."""
        super().__init__(*args, **kwargs)
        if kinds:
            field = self.fields["kind"]
            assert isinstance(field, forms.ChoiceField)
            labels = dict(OrgKind.choices)
            field.choices = [(k, labels.get(k, k)) for k in kinds]
            self.initial.setdefault("kind", kinds[0])


class OrgCreateForm(OrgFieldsForm):
    code = forms.CharField(label="工会代码", max_length=32)
    field_order = ["code"]


class OrgMoveForm(forms.Form):
    parent_code = OrgCodeField(label="新上级工会代码", max_length=32)


class OrgCloseForm(forms.Form):
    closed_on = forms.DateField(label="撤销日期", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    confirm = forms.BooleanField(label="确认撤销该工会", required=True)
