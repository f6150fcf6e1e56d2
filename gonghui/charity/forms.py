"""Forms of the charity pages; the services validate again and have the last word.

Amounts are typed in yuan (`YuanField`) and leave as fen. A refused form comes back
with everything as typed; an ID number typed for a donor goes back only into the
refused form of who typed it, and no form is given a stored one as its initial value.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone

from gonghui.charity.models import Channel, DonorKind, FundKind, Industry, Purpose, RecipientKind
from gonghui.core.formfields import YuanField
from gonghui.core.pickers import RegionCodeField
from gonghui.core.validators import InvalidIdentifier, clean_uscc
from gonghui.members.validation import FieldError, parse_identity
from gonghui.orgs.fields import OrgCodeField

MAX_FEN = 10_000_000_000_00  # 100 亿元: far above any fund, within the columns
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class Styled(forms.Form):
    """Bootstrap's classes on every widget."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput | forms.RadioSelect):
                widget.attrs.setdefault("class", "form-check-input")
            elif not widget.is_hidden:
                widget.attrs.setdefault("class", "form-select" if isinstance(widget, forms.Select) else "form-control")


def _today() -> Any:
    return timezone.localdate()


class FundForm(Styled):
    org = OrgCodeField(label="管理工会", help_text="填写工会代码或全称，或从列表中选择。")
    name = forms.CharField(label="基金名称", max_length=100)
    kind = forms.ChoiceField(label="基金类型", choices=FundKind.choices)
    foundation = forms.CharField(
        label="所在基金会", max_length=100, required=False, help_text="专项基金填写，如中国职工发展基金会。"
    )
    restricted = forms.BooleanField(label="限定用途", required=False)
    purpose = forms.ChoiceField(
        label="用途", choices=[("", "—"), *Purpose.choices], required=False, help_text="限定用途的基金必选。"
    )
    opened_on = forms.DateField(label="设立日期", widget=DATE, initial=_today)
    opening_balance = YuanField(label="期初余额（元）", required=False, max_fen=MAX_FEN)
    note = forms.CharField(label="说明", max_length=200, required=False)


class DonationForm(Styled):
    donor_kind = forms.ChoiceField(label="捐赠人类型", choices=DonorKind.choices, widget=forms.RadioSelect)
    donor_name = forms.CharField(label="捐赠人（企业名称或姓名）", max_length=200, required=False)
    uscc = forms.CharField(label="统一社会信用代码", max_length=30, required=False, help_text="企业捐赠必填。")
    id_number = forms.CharField(
        label="公民身份号码",
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        help_text="个人捐赠选填：会员按身份号码关联，非会员加密保存，页面只显示脱敏号码。",
    )
    anonymous = forms.BooleanField(label="匿名捐赠（公开显示为“爱心人士”）", required=False)
    channel = forms.ChoiceField(label="捐赠方式", choices=Channel.choices)
    amount = YuanField(label="金额（元）", allow_zero=False, max_fen=MAX_FEN)
    received_on = forms.DateField(label="到账日期", widget=DATE, initial=_today)
    agreement = forms.FileField(
        label="捐赠协议", required=False, help_text="企业捐赠请上传签字盖章的协议：PDF、JPG 或 PNG，10 MB 以内。"
    )
    note = forms.CharField(label="备注", max_length=200, required=False)

    def clean_uscc(self) -> str:
        try:
            return clean_uscc(self.cleaned_data.get("uscc"))
        except InvalidIdentifier as exc:
            raise forms.ValidationError(f"统一社会信用代码无效：{exc}") from exc

    def clean_id_number(self) -> str:
        raw = (self.cleaned_data.get("id_number") or "").strip()
        if raw:
            try:
                parse_identity(raw)
            except FieldError as exc:
                raise forms.ValidationError(str(exc)) from exc
        return raw

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind = data.get("donor_kind")
        if kind == DonorKind.ENTERPRISE:
            if not data.get("donor_name", "").strip():
                self.add_error("donor_name", "请填写捐赠企业名称")
            if "uscc" in data and not data["uscc"]:
                self.add_error("uscc", "企业捐赠请填写统一社会信用代码")
        elif kind == DonorKind.INDIVIDUAL and not (
            data.get("anonymous") or data.get("donor_name", "").strip() or data.get("id_number")
        ):
            self.add_error("donor_name", "请填写捐赠人姓名（不愿具名请勾选匿名捐赠）")
        return data


class RefundForm(Styled):
    amount = YuanField(label="退还金额（元）", allow_zero=False, max_fen=MAX_FEN)
    on = forms.DateField(label="退还日期", widget=DATE, initial=_today)
    note = forms.CharField(label="退还原因", max_length=200)


class ProjectForm(Styled):
    name = forms.CharField(label="项目名称", max_length=200)
    purpose = forms.ChoiceField(label="用途", choices=Purpose.choices)
    budget = YuanField(label="预算（元）", allow_zero=False, max_fen=MAX_FEN)
    industry = forms.ChoiceField(label="受益行业", choices=[("", "—"), *Industry.choices], required=False)
    region_code = RegionCodeField(label="实施地区", max_length=6, required=False)
    starts_on = forms.DateField(label="开始日期", widget=DATE)
    ends_on = forms.DateField(label="结束日期", widget=DATE)
    note = forms.CharField(label="说明", max_length=200, required=False)


class DisbursementForm(Styled):
    recipient_kind = forms.ChoiceField(label="受助方", choices=RecipientKind.choices, widget=forms.RadioSelect)
    recipient_name = forms.CharField(
        label="受助组织", max_length=200, required=False, help_text="支付给组织时填写，如学校、基层工会。"
    )
    member = forms.CharField(
        label="受助会员",
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        help_text="支付给会员时填写会员编号或公民身份号码。",
    )
    amount = YuanField(label="金额（元）", allow_zero=False, max_fen=MAX_FEN)
    paid_on = forms.DateField(label="支付日期", widget=DATE, initial=_today)
    note = forms.CharField(label="说明", max_length=200, required=False)


class StudentGrantForm(Styled):
    """A grant to a 金秋助学 student beside the county's, by the application's number (shown on its page)."""

    application = forms.IntegerField(
        label="金秋助学申请编号",
        min_value=1,
        help_text="金秋助学申请页上的编号；申请须已经县级总工会审批。",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    amount = YuanField(label="资助金额（元）", allow_zero=False, max_fen=MAX_FEN)
    paid_on = forms.DateField(label="支付日期", widget=DATE, initial=_today)
    note = forms.CharField(label="说明", max_length=200, required=False)


class ActivityForm(Styled):
    name = forms.CharField(label="活动名称", max_length=200)
    held_on = forms.DateField(label="举办日期", widget=DATE, initial=_today)
    region_code = RegionCodeField(label="举办地区", max_length=6, required=False)
    participants = forms.IntegerField(label="参与人数", min_value=0, max_value=10_000_000, required=False)
    note = forms.CharField(label="说明", max_length=200, required=False)
