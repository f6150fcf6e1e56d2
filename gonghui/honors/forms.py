from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.utils import timezone

from gonghui.core.money import AmountError, parse_yuan
from gonghui.honors.models import AllowancePeriod, CampaignKind, Decision, LevelFloor
from gonghui.notices.models import DayBasis
from gonghui.orgs.fields import OrgCodeField


def _share(value: str | None) -> Decimal | None:
    text = (value or "").strip().rstrip("%％")
    if not text:
        return None
    try:
        number = Decimal(text)
    except InvalidOperation as exc:
        raise forms.ValidationError("应为百分比，如 85 或 85%") from exc
    share = number / 100 if number > 1 else number
    if not 0 <= share <= 1:
        raise forms.ValidationError("应在 0 到 100% 之间")
    return share.quantize(Decimal("0.001"))


class CampaignForm(forms.Form):
    org_code = forms.CharField(label="评选工会代码", max_length=20)
    kind = forms.ChoiceField(label="荣誉类别", choices=CampaignKind.choices)
    title = forms.CharField(label="荣誉名称", max_length=100)
    level = forms.CharField(label="级别", max_length=20, help_text="如 省级、市级、县级")
    awarding_body = forms.CharField(label="授予单位", max_length=200)
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    places_default = forms.IntegerField(label="每个下级工会名额", min_value=0, initial=0, help_text="0 为不限")
    front_line = forms.CharField(label="一线职工比例不低于", required=False, help_text="如 85%")
    migrant = forms.CharField(label="农民工比例不低于", required=False)
    woman = forms.CharField(label="女性比例不低于", required=False)
    minority = forms.CharField(label="少数民族比例不低于", required=False)
    enterprise_head = forms.CharField(label="企业负责人比例不高于", required=False)
    new_employment = forms.IntegerField(label="新就业形态劳动者不少于（人）", min_value=0, required=False)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["year"].initial = timezone.localdate().year

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        for name in ("front_line", "migrant", "woman", "minority", "enterprise_head"):
            try:
                data[name] = _share(self.data.get(name))
            except forms.ValidationError as exc:
                self.add_error(name, exc)
        return data


class NominationForm(forms.Form):
    org_code = forms.CharField(label="推荐工会代码", max_length=20)
    member = forms.CharField(label="会员编号或证件号码", max_length=20)
    deeds = forms.CharField(label="主要事迹", widget=forms.Textarea(attrs={"rows": 5}))
    employer = forms.CharField(label="工作单位", max_length=200, required=False, help_text="空着即取会员登记的单位")
    position = forms.CharField(label="职务/岗位", max_length=100, required=False)
    front_line = forms.BooleanField(label="一线职工", required=False)
    enterprise_head = forms.BooleanField(label="企业负责人", required=False)


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(label="审核结论", choices=Decision.choices)
    reason = forms.CharField(label="意见", max_length=200, required=False)


class PublishForm(forms.Form):
    days = forms.IntegerField(label="公示天数", min_value=1, max_value=60, initial=5)
    day_basis = forms.ChoiceField(label="计日方式", choices=DayBasis.choices, initial=DayBasis.WORKING)


class AttachmentForm(forms.Form):
    label = forms.CharField(
        label="材料名称", max_length=60, help_text="如 先进事迹材料、纪检意见、税务证明、安全生产证明"
    )
    file = forms.FileField(label="文件（PDF、JPG、PNG，10 MB 以内）")


class LectureForm(forms.Form):
    speaker = forms.CharField(
        label="宣讲人（会员编号或证件号码）", max_length=20, help_text="须是荣誉登记中的劳模或工匠"
    )
    org_code = OrgCodeField(label="组织工会", max_length=40)
    host = forms.CharField(label="承办单位", max_length=200, required=False, help_text="如企业、学校；空着即组织工会")
    held_on = forms.DateField(label="日期", help_text="如 2026-05-20")
    place = forms.CharField(label="地点", max_length=200)
    topic = forms.CharField(label="主题", max_length=200, required=False)
    audience = forms.IntegerField(label="听众人数", min_value=0)

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if editing:
            # A lecture keeps its speaker; a wrong speaker is a new record.
            del self.fields["speaker"]


class AllowanceStandardForm(forms.Form):
    org_code = OrgCodeField(label="发放工会", max_length=40)
    level_floor = forms.ChoiceField(label="荣誉级别（及以上）", choices=LevelFloor.choices)
    period = forms.ChoiceField(label="发放周期", choices=AllowancePeriod.choices)
    amount = forms.CharField(label="每人金额（元）", max_length=20, help_text="如 300 或 1,200.00")

    def clean_amount(self) -> int:
        try:
            return parse_yuan(self.cleaned_data["amount"])
        except AmountError as exc:
            raise forms.ValidationError("请填写大于 0 的金额，如 300 或 1,200.00") from exc


class AllowanceBatchForm(forms.Form):
    standard = forms.ChoiceField(label="津贴标准")
    period = forms.CharField(label="发放期间", max_length=7, help_text="按月如 2026-03，按年如 2026")
    bank = forms.ChoiceField(label="代发银行")

    def __init__(self, *args: Any, standards: list[Any], banks: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["standard"].choices = [(s.pk, f"{s.org.name}：{s}") for s in standards]  # type: ignore[attr-defined]
        self.fields["bank"].choices = [(b.code, b.name) for b in banks]  # type: ignore[attr-defined]
