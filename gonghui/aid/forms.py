"""Forms of the hardship-file and relief pages; the services validate again and have the last word.

Amounts are typed in yuan and leave as fen. A refused or trial-computed form comes
back with everything as typed, ID numbers too (the worker's key, family members):
they go back, as the inputs' values, only to the user who has just typed them, and
no form here is ever given a stored ID number as its initial value.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django import forms
from django.utils import timezone

from gonghui.aid.models import Cause, FileLevel, HousingType, ReliefEvent
from gonghui.core.formfields import YuanField
from gonghui.core.pickers import RegionCodeField
from gonghui.core.validators import InvalidIdentifier, clean_region_code
from gonghui.members.validation import FieldError, parse_identity
from gonghui.orgs.fields import OrgCodeField

MAX_FEN = 100_000_000_00  # 1 亿元: far above any household's figures, within the columns
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class IdNumberInput(forms.TextInput):
    """A text box for an ID number: the browser keeps no history of it; a refused form shows it as typed."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__({"autocomplete": "off", **(attrs or {})})


class Styled(forms.Form):
    """Bootstrap's classes on every widget, so a form renders alike on its own page and inline."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput | forms.CheckboxSelectMultiple | forms.RadioSelect):
                widget.attrs.setdefault("class", "form-check-input")
            elif not widget.is_hidden:
                widget.attrs.setdefault("class", "form-select" if isinstance(widget, forms.Select) else "form-control")


def member_field(label: str = "会员") -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=40,
        widget=IdNumberInput(),
        help_text="填写会员编号或公民身份号码。",
    )


class FileForm(Styled):
    member = member_field("困难职工")
    level = forms.ChoiceField(label="建档标准", choices=FileLevel.choices)
    region_code = RegionCodeField(
        label="低保标准所在地",
        max_length=6,
        required=False,
        help_text="6 位行政区划代码；不填按职工所在工会的行政区划。",
    )
    year = forms.IntegerField(label="认定年度", min_value=2000, max_value=2100)
    household_size = forms.IntegerField(label="家庭人口", min_value=1, max_value=30)
    worker_monthly_income = YuanField(label="本人月收入（元）", max_fen=MAX_FEN)
    other_income_year = YuanField(label="家庭其他年收入（元）", required=False, max_fen=MAX_FEN)
    necessary_expense_year = YuanField(
        label="年度必要支出（元）", required=False, help_text="医疗、教育等刚性支出", max_fen=MAX_FEN
    )
    hardship_cost_year = YuanField(
        label="年度致困支出（元）", required=False, help_text="超过家庭年收入 80% 的认定为意外致困", max_fen=MAX_FEN
    )
    accident = forms.BooleanField(label="因灾、因意外事故致困", required=False)
    main_cause = forms.ChoiceField(label="主要致困原因", choices=[("", "—"), *Cause.choices])
    causes = forms.MultipleChoiceField(
        label="其他致困原因",
        choices=Cause.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="可多选。",
    )
    housing_type = forms.ChoiceField(label="住房类型", choices=[("", "—"), *HousingType.choices], required=False)
    housing_area = forms.DecimalField(
        label="住房面积（㎡）", max_digits=7, decimal_places=2, min_value=Decimal(0), required=False
    )
    health = forms.CharField(label="健康状况", max_length=100, required=False)
    zero_employment = forms.BooleanField(label="零就业家庭", required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["year"].initial = timezone.localdate().year

    def clean_region_code(self) -> str:
        try:
            return clean_region_code(self.cleaned_data.get("region_code"))
        except InvalidIdentifier as exc:
            raise forms.ValidationError("行政区划代码应为 6 位数字") from exc

    def all_causes(self) -> list[str]:
        """The main cause first, then the others (as the file keeps them)."""
        main = self.cleaned_data["main_cause"]
        return [main, *(c for c in self.cleaned_data["causes"] if c != main)]

    def figures(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "household_size": data["household_size"],
            "worker_monthly_income_fen": data["worker_monthly_income"],
            "other_income_year_fen": data["other_income_year"],
            "necessary_expense_year_fen": data["necessary_expense_year"],
            "hardship_cost_year_fen": data["hardship_cost_year"],
            "accident": data["accident"],
        }

    def details(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "housing_type": data["housing_type"],
            "housing_area": data["housing_area"],
            "health": data["health"],
            "zero_employment": data["zero_employment"],
        }


class FamilyForm(Styled):
    relation = forms.CharField(label="与职工关系", max_length=20, required=False)
    name = forms.CharField(label="姓名", max_length=50, required=False)
    id_number = forms.CharField(label="公民身份号码", max_length=40, required=False, widget=IdNumberInput())
    health = forms.CharField(label="健康状况", max_length=100, required=False)
    monthly_income = YuanField(label="月收入（元）", required=False, max_fen=MAX_FEN)
    school_or_unit = forms.CharField(label="就读学校或工作单位", max_length=200, required=False)

    def clean_id_number(self) -> str:
        """Checked here too, so a mistyped number is named with the form's other mistakes (the service rechecks)."""
        raw = str(self.cleaned_data.get("id_number") or "").strip()
        if raw:
            try:
                parse_identity(raw)
            except FieldError as exc:
                raise forms.ValidationError(str(exc)) from exc
        return raw

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        typed = any(data.get(k) for k in ("relation", "name", "id_number", "health", "school_or_unit"))
        if (typed or data.get("monthly_income")) and not (data.get("relation") and data.get("name")):
            raise forms.ValidationError("家庭成员须填写关系和姓名")
        return data

    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        return not (data.get("relation") or data.get("name"))


FamilyFormSet = forms.formset_factory(FamilyForm, extra=4, max_num=12, validate_max=True)


class NoteForm(forms.Form):
    note = forms.CharField(label="审核意见", max_length=200, required=False)


class CloseForm(forms.Form):
    reason = forms.CharField(label="撤档原因", max_length=200, required=False)


class AuthorizationForm(forms.Form):
    scan = forms.FileField(
        label="授权委托书扫描件", help_text="职工签字的家庭经济状况核对授权委托书，PDF、JPG 或 PNG，10 MB 以内。"
    )


class MonthField(forms.DateField):
    """A month typed as 2026-03 (an <input type=month>), as its first day."""

    widget = forms.DateInput(attrs={"type": "month"}, format="%Y-%m")
    input_formats = ["%Y-%m", "%Y-%m-%d"]

    def to_python(self, value: Any) -> date | None:
        day = super().to_python(value)
        return day.replace(day=1) if day else None


class IncomeForm(Styled):
    month = MonthField(label="月份")
    per_capita = YuanField(label="人均月收入（元）", max_fen=MAX_FEN)


class ReviewOpenForm(Styled):
    org = OrgCodeField(label="工会代码", max_length=40)
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)


class ReviewRecordForm(forms.Form):
    still_eligible = forms.TypedChoiceField(
        label="复核结论",
        choices=[("1", "仍符合建档条件"), ("0", "不再符合")],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    note = forms.CharField(label="复核意见", max_length=200, required=False)


class VisitForm(Styled):
    member = member_field("慰问对象")
    event = forms.ChoiceField(label="慰问事项", choices=ReliefEvent.choices)
    visited_on = forms.DateField(label="慰问日期", widget=DATE)
    campaign = forms.TypedChoiceField(label="所属活动", required=False, coerce=int, empty_value=None)
    cash = YuanField(label="慰问金（元）", required=False, max_fen=MAX_FEN)
    goods = YuanField(label="慰问品折价（元）", required=False, max_fen=MAX_FEN)
    goods_note = forms.CharField(label="慰问品", max_length=200, required=False, help_text="如“米、油各一份”")
    insurance_policies = forms.IntegerField(label="赠送保险（份）", min_value=0, max_value=100, required=False)
    housing = forms.BooleanField(label="住房帮扶（公租房等）", required=False)
    note = forms.CharField(label="备注", max_length=200, required=False)

    def __init__(self, *args: Any, campaigns: list[tuple[int, str]] = (), **kwargs: Any) -> None:  # type: ignore[assignment]
        super().__init__(*args, **kwargs)
        self.fields["visited_on"].initial = timezone.localdate()
        self.fields["campaign"].choices = [("", "（不属于活动）"), *campaigns]  # type: ignore[attr-defined]


class StandardOrgField(OrgCodeField):
    def __init__(self) -> None:
        super().__init__(
            label="设置单位（工会代码）",
            max_length=40,
            help_text="按该工会所在行政区划设置；下级地区未单独设置的，沿用上级地区的标准。",
        )


class SubsistenceForm(Styled):
    org_code = StandardOrgField()
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    monthly = YuanField(label="低保标准（元/人·月）", max_fen=MAX_FEN)
    note = forms.CharField(label="依据", max_length=200, required=False, help_text="如民政部门的文件名、文号")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["year"].initial = timezone.localdate().year


class WelfareRuleForm(Styled):
    org_code = StandardOrgField()
    event = forms.ChoiceField(label="慰问事项", choices=ReliefEvent.choices)
    cap = YuanField(label="每人每年上限（元）", max_fen=MAX_FEN)
    note = forms.CharField(label="依据", max_length=200, required=False, help_text="如省总工会的文件名、文号")


def year_or_none(value: str) -> int | None:
    try:
        year = int(value)
    except (TypeError, ValueError):
        return None
    return year if 2000 <= year <= 2100 else None
