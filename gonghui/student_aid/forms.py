"""Forms of the 金秋助学 pages; the services validate again and have the last word."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.conf import settings
from django.utils import timezone

from gonghui.cards.selectors import bank_list
from gonghui.core.formfields import YuanField
from gonghui.members.validation import FieldError, parse_identity
from gonghui.orgs.fields import OrgCodeField
from gonghui.student_aid.models import ApplicationStatus, EnrolmentKind, ObjectionStatus, StudentLevel

MAX_FEN = 10_000_000_00  # ¥1,000万: beyond any school's fees or any aid standard
PROMISE_MESSAGE = "请先由职工签署未获得其他同类资助的承诺书。"


def default_publication_days() -> int:
    """The 公示 period offered by default (`STUDENT_AID_PUBLICATION_DAYS`, else 7 days)."""
    return int(settings.STUDENT_AID_PUBLICATION_DAYS)


def _year_field(label: str, **kwargs: Any) -> forms.IntegerField:
    return forms.IntegerField(label=label, min_value=1990, max_value=2100, **kwargs)


class ApplicationForm(forms.Form):
    """An officer registers a member's application for a student."""

    member = forms.CharField(
        label="申请会员",
        max_length=40,
        help_text="会员编号或职工证件号码（本工会及下级工会的在册会员）。",
    )
    school_year = _year_field("学年", help_text="学年开始的年份：2026 即 2026 年秋季至 2027 年夏季。")
    name = forms.CharField(label="学生姓名", max_length=60)
    id_number = forms.CharField(
        label="学生证件号码", max_length=40, help_text="18 位居民身份证号码，加密保存，只显示脱敏号码。"
    )
    relation = forms.CharField(label="与职工关系", max_length=20, help_text="如 子、女")
    school = forms.CharField(label="就读院校", max_length=200)
    major = forms.CharField(label="专业", max_length=200, required=False)
    level = forms.ChoiceField(label="学段", choices=StudentLevel.choices)
    enrolment_kind = forms.ChoiceField(
        label="录取类型",
        choices=EnrolmentKind.choices,
        initial=EnrolmentKind.REGULAR,
        help_text="军事院校、公费师范生和定向生不在资助范围内。",
    )
    enrolment_year = _year_field("入学年份")
    graduation_year = _year_field("预计毕业年份")
    tuition = YuanField(label="学杂费（元/年）", required=False, max_fen=MAX_FEN)
    loan = YuanField(label="助学贷款（元/年）", required=False, max_fen=MAX_FEN)
    family_on_subsistence = forms.BooleanField(label="低保户", required=False)
    promise_signed = forms.BooleanField(
        label="职工已签署未获得其他同类资助的承诺书",
        required=False,  # the refusal below words it; the service checks it again
    )

    def clean_id_number(self) -> str:
        """Checked here too, so a mistyped number is named with the form's other mistakes (the service rechecks)."""
        raw = str(self.cleaned_data.get("id_number", "")).strip()
        try:
            parse_identity(raw)
        except FieldError as exc:
            raise forms.ValidationError(str(exc)) from exc
        return raw

    def clean_promise_signed(self) -> bool:
        if not self.cleaned_data.get("promise_signed"):
            raise forms.ValidationError(PROMISE_MESSAGE)
        return True


class ContinueForm(forms.Form):
    """Next school year's application from the last one: what may change, and the promise signed again."""

    major = forms.CharField(label="专业", max_length=200, required=False)
    tuition = YuanField(label="学杂费（元/年）", required=False, max_fen=MAX_FEN)
    loan = YuanField(label="助学贷款（元/年）", required=False, max_fen=MAX_FEN)
    family_on_subsistence = forms.BooleanField(label="低保户", required=False)
    promise_signed = forms.BooleanField(label="职工已重新签署未获得其他同类资助的承诺书", required=False)

    def clean_promise_signed(self) -> bool:
        if not self.cleaned_data.get("promise_signed"):
            raise forms.ValidationError(PROMISE_MESSAGE)
        return True


class NoteForm(forms.Form):
    note = forms.CharField(label="意见", max_length=200, required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ApplicationFilterForm(forms.Form):
    status = forms.ChoiceField(label="状态", choices=[("", "全部状态"), *ApplicationStatus.choices], required=False)
    school_year = forms.IntegerField(label="学年", required=False, min_value=1990, max_value=2100)


class PublicationForm(forms.Form):
    """Publish approved applications of a union and school year for a number of days."""

    org_code = OrgCodeField(label="公示工会代码", max_length=40, help_text="公示名单由该工会发布，含其下级工会的申请。")
    school_year = _year_field("学年")
    days = forms.IntegerField(label="公示天数", min_value=1, max_value=60)
    starts_on = forms.DateField(label="公示开始日期", required=False, help_text="不填为今天。")
    title = forms.CharField(
        label="公示标题", max_length=200, required=False, help_text="不填按“工会+学年+金秋助学拟资助名单公示”生成。"
    )
    applications = forms.MultipleChoiceField(
        label="公示的申请",
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "请至少选择一份已审批的申请"},
    )

    def __init__(self, *args: Any, choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["applications"].choices = choices  # type: ignore[attr-defined]
        self.fields["days"].initial = default_publication_days()


class ObjectionForm(forms.Form):
    application = forms.ChoiceField(label="异议针对的学生")
    raised_by = forms.CharField(label="异议人", max_length=60, required=False, help_text="可匿名，不填即可。")
    reason = forms.CharField(label="异议内容", max_length=500, widget=forms.Textarea(attrs={"rows": 3}))
    received_on = forms.DateField(label="收到日期", required=False, help_text="不填为今天；须在公示期内。")

    def __init__(self, *args: Any, choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["application"].choices = choices  # type: ignore[attr-defined]

    def clean_received_on(self) -> dt.date | None:
        day = self.cleaned_data.get("received_on")
        if day is not None and day > timezone.localdate():
            raise forms.ValidationError("收到日期不能晚于今天")
        return day


class ObjectionResolveForm(forms.Form):
    decision = forms.ChoiceField(
        label="处理结果", choices=[(ObjectionStatus.UPHELD, "异议成立"), (ObjectionStatus.DISMISSED, "异议不成立")]
    )
    note = forms.CharField(label="处理意见", max_length=200)


class DisbursementForm(forms.Form):
    bank = forms.ChoiceField(label="代发银行")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["bank"].choices = [(b.code, b.name) for b in bank_list()]  # type: ignore[attr-defined]


class StandardForm(forms.Form):
    org_code = OrgCodeField(
        label="工会代码", max_length=40, help_text="按该工会的行政区划设置；下级地区未单独设置的沿用上级标准。"
    )
    year = _year_field("学年")
    level = forms.ChoiceField(label="学段", choices=StudentLevel.choices)
    on_file = forms.TypedChoiceField(
        label="对象",
        choices=[("1", "建档困难职工子女"), ("0", "非建档职工子女")],
        coerce=lambda v: v == "1",
    )
    amount = YuanField(label="资助标准（元）", allow_zero=False, max_fen=MAX_FEN)
