"""Forms of the 普惠 management pages; the services validate again and have the last word.

Amounts are typed in yuan and leave as fen. Field names are the API's (`budget`,
`threshold`, `uscc`…), which the services' refusals name, so each refusal lands
on its field.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django import forms
from django.utils import timezone

from gonghui.benefits.campaigns import AMOUNTS, FIELDS, MAX_COUNT, MODEL_FIELDS, CampaignAmount
from gonghui.benefits.models import Campaign, MerchantCategory, Recurrence, RuleType, Store
from gonghui.core.errors import DomainError
from gonghui.core.money import fen_to_yuan
from gonghui.core.pickers import RegionCodeField
from gonghui.orgs.fields import OrgCodeField

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
OCCURRENCE_MONTHS = [
    (1, "第 1 个月（1、4、7、10 月）"),
    (2, "第 2 个月（2、5、8、11 月）"),
    (3, "第 3 个月（3、6、9、12 月）"),
]


class Styled(forms.Form):
    """Bootstrap's classes on every widget, so a form renders alike on its own page and inline."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if not widget.is_hidden and not isinstance(widget, forms.CheckboxInput):
                widget.attrs.setdefault("class", "form-select" if isinstance(widget, forms.Select) else "form-control")


class YuanField(forms.Field):
    """A campaign's amount in yuan as typed ("158", "19.90", "1,200"), cleaned to fen; None when left empty.

    Its label, whether it is required, its bounds and its refusals are the amount's (`campaigns.CAMPAIGN_AMOUNTS`),
    as in the API.
    """

    widget = forms.TextInput(attrs={"inputmode": "decimal"})

    def __init__(self, amount: CampaignAmount, *, help_text: str = "") -> None:
        self.amount = amount
        super().__init__(label=f"{amount.label}（元）", required=amount.required, help_text=help_text)

    def to_python(self, value: Any) -> int | None:
        text = str(value or "").strip()
        if not text:
            return None
        try:
            return self.amount.to_fen(text)
        except DomainError as exc:
            raise forms.ValidationError(exc.message) from exc


def _yuan(name: str, help_text: str = "") -> YuanField:
    return YuanField(AMOUNTS[name], help_text=help_text)


def _count(label: str, help_text: str) -> forms.IntegerField:
    return forms.IntegerField(label=label, min_value=1, max_value=MAX_COUNT, required=False, help_text=help_text)


def _midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def last_day(campaign: Campaign) -> date:
    """The campaign's last day (its `ends_at` is the exclusive end)."""
    return timezone.localtime(campaign.ends_at - timedelta(microseconds=1)).date()


class CampaignForm(Styled):
    """A campaign's fields; `org_code` only when creating."""

    org_code = OrgCodeField(
        label="主办工会代码",
        max_length=40,
        help_text="本工会及下级工会持已激活会员服务卡的在册会员可享受优惠",
    )
    name = forms.CharField(label="活动名称", max_length=200)
    starts_at = forms.DateField(label="开始日期", widget=DATE)
    ends_at = forms.DateField(label="结束日期", widget=DATE, help_text="活动的最后一天（含当天）")
    recurrence = forms.ChoiceField(label="重复方式", choices=Recurrence.choices)
    occurrence_month = forms.TypedChoiceField(
        label="普惠周所在月份", choices=OCCURRENCE_MONTHS, coerce=int, initial=1, required=False
    )
    occurrence_start_day = forms.IntegerField(
        label="普惠周开始日", min_value=1, max_value=28, initial=1, required=False, help_text="当月几日起（1–28）"
    )
    occurrence_days = forms.IntegerField(label="每期天数", min_value=1, max_value=31, initial=7, required=False)
    rule_type = forms.ChoiceField(label="优惠方式", choices=RuleType.choices)
    threshold = _yuan("threshold", "满减：消费满此金额；定额立减：门槛，不设请留空")
    reduction = _yuan("reduction", "满减或定额立减的优惠金额")
    discount_percent = forms.IntegerField(
        label="折扣（%）", min_value=1, max_value=99, required=False, help_text="按原价的百分之几付款，如 90 即九折"
    )
    max_discount = _yuan("max_discount", "不限请留空")
    budget = _yuan("budget")
    per_member_count = _count("每人次数上限", "每期普惠周（不重复时为整个活动期）；不限请留空")
    per_member_amount = _yuan("per_member_amount", "同上；不限请留空")
    per_day_count = _count("每人每日次数上限", "不限请留空")
    per_day_amount = _yuan("per_day_amount", "不限请留空")

    def __init__(self, *args: Any, creating: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not creating:
            del self.fields["org_code"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("rule_type") == RuleType.DISCOUNT:
            if data.get("discount_percent") is None and "discount_percent" not in self.errors:
                self.add_error("discount_percent", "折扣活动请填写折扣")
            data["threshold"], data["reduction"] = 0, 0
        else:
            data["discount_percent"] = 100
            data["threshold"] = data.get("threshold") or 0
            data["reduction"] = data.get("reduction") or 0  # the service says what a rule needs
        for field, default in (("occurrence_month", 1), ("occurrence_start_day", 1), ("occurrence_days", 7)):
            if data.get(field) in (None, ""):
                data[field] = default
        return data

    def values(self, current: Campaign | None = None) -> dict[str, Any]:
        """The campaign's fields (amounts in fen): a day is its local midnight, except a day left as it was."""
        data = self.cleaned_data
        values = {MODEL_FIELDS[k]: v for k, v in data.items() if k in MODEL_FIELDS}
        values["starts_at"] = _midnight(data["starts_at"])
        values["ends_at"] = _midnight(data["ends_at"] + timedelta(days=1))
        if current is not None:
            if data["starts_at"] == timezone.localtime(current.starts_at).date():
                values["starts_at"] = current.starts_at
            if data["ends_at"] == last_day(current):
                values["ends_at"] = current.ends_at
        return values

    @staticmethod
    def initial_of(campaign: Campaign) -> dict[str, Any]:
        initial: dict[str, Any] = {}
        for field, api in FIELDS.items():
            value = getattr(campaign, field)
            initial[api] = fen_to_yuan(value) if api in AMOUNTS and value is not None else value
        initial["starts_at"] = timezone.localtime(campaign.starts_at).date()
        initial["ends_at"] = last_day(campaign)
        if campaign.rule_type != RuleType.DISCOUNT:
            initial["discount_percent"] = None
        return initial


class IdsField(forms.Field):
    """The ids of the ticked checkboxes of one name."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value: Any) -> list[int]:
        try:
            return list(dict.fromkeys(int(v) for v in value or []))
        except (TypeError, ValueError) as exc:
            raise forms.ValidationError("勾选的商户或门店有误") from exc


class ParticipantsForm(forms.Form):
    merchant = IdsField(required=False)
    store = IdsField(required=False)


class ReasonForm(Styled):
    reason = forms.CharField(label="原因", max_length=200, required=False)


class MerchantForm(Styled):
    """A merchant's fields; `org_code` only when signing one up."""

    org_code = OrgCodeField(label="签约工会代码", max_length=40)
    name = forms.CharField(label="商户名称", max_length=200)
    category = forms.ChoiceField(label="类别", choices=MerchantCategory.choices)
    uscc = forms.CharField(label="统一社会信用代码", max_length=30, required=False, help_text="18 位，校验位会核对")
    region_code = RegionCodeField(label="行政区划代码", max_length=10, required=False, help_text="6 位，如 520201")
    address = forms.CharField(label="地址", max_length=200, required=False)

    def __init__(self, *args: Any, creating: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not creating:
            del self.fields["org_code"]


class StoreForm(Styled):
    name = forms.CharField(label="门店名称", max_length=200)
    address = forms.CharField(label="地址", max_length=200, required=False)
    region_code = RegionCodeField(label="行政区划代码", max_length=10, required=False, help_text="6 位，如 520201")


class OperatorForm(Styled):
    """A new cashier account for the merchant: its username is made by the system and shown once made."""

    display_name = forms.CharField(
        label="收银员名称", max_length=100, help_text="收银台或岗位，如“碧江店1号收银台”（不填个人姓名）"
    )
    password = forms.CharField(
        label="登录密码",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="至少 10 位，不能是常用密码或纯数字；请告知商户并提醒其妥善保管",
    )
    store = forms.TypedChoiceField(
        label="绑定门店",
        coerce=int,
        empty_value=None,
        required=False,
        help_text="绑定门店后只能在该门店收银",
    )

    def __init__(self, *args: Any, stores: list[Store], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", "（不限门店）"), *((s.pk, s.name) for s in stores if s.is_active)]
        self.fields["store"].choices = choices  # type: ignore[attr-defined]


class SettlementForm(Styled):
    date_from = forms.DateField(label="起始日", widget=DATE, required=False)
    date_to = forms.DateField(label="截止日", widget=DATE, required=False)
    merchant = forms.TypedChoiceField(label="商户", coerce=int, empty_value=None, required=False)

    def __init__(self, *args: Any, merchants: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["merchant"].choices = [("", "全部商户"), *merchants]  # type: ignore[attr-defined]
