"""Forms of the contest and training pages; the services validate again and have the last word.

A refused form comes back as typed (the member's key too, only to who typed it). Choices
typed in everyday words (县 for 县级, 去掉最高最低 for the trimmed mean) are read through
`core.words`, as imports and the API read them.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms

from gonghui.core import words
from gonghui.core.formfields import YuanField
from gonghui.notices.models import DayBasis
from gonghui.orgs.fields import OrgCodeField
from gonghui.skills.models import ActivityKind, ContestLevel, InnovationKind, LeaderHonor
from gonghui.skills.scoring import TIE_BREAK_CHOICES, JudgeRule

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
MAX_INCOME_FEN = 10_000_000_00  # 1000 万元 a year: far above any trainee's income


class Styled(forms.Form):
    """Bootstrap's classes on every widget."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                widget.attrs.setdefault("class", "form-check-input")
            elif not widget.is_hidden:
                widget.attrs.setdefault("class", "form-select" if isinstance(widget, forms.Select) else "form-control")


class WordChoiceField(forms.ChoiceField):
    """A choice given by its code, its label or an everyday word of the registered table."""

    def __init__(self, *, table: str, **kwargs: Any) -> None:
        self.table = table
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> str:
        text = super().to_python(value)
        if not text or text in {str(k) for k, _v in self.choices}:  # type: ignore[misc, union-attr]
            return text
        try:
            return words.match(self.table, text, title=str(self.label))
        except words.ChoiceError as exc:
            raise forms.ValidationError(str(exc)) from exc


def member_field(label: str = "会员") -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        help_text="填写会员编号或公民身份号码。",
    )


class ContestForm(Styled):
    org = OrgCodeField(label="主办工会", max_length=200)
    name = forms.CharField(label="竞赛名称", max_length=200)
    trade = forms.CharField(label="工种", max_length=60, help_text="如：管工、电工、焊工、农村电商")
    level = WordChoiceField(label="级别", table="contest_level", choices=ContestLevel.choices)
    held_on = forms.DateField(label="比赛日期", widget=DATE)
    venue = forms.CharField(label="比赛地点", max_length=200, required=False)
    theory_weight = forms.IntegerField(label="理论成绩权重（%）", min_value=0, max_value=100, initial=30)
    practical_weight = forms.IntegerField(label="实操成绩权重（%）", min_value=0, max_value=100, initial=70)
    judge_rule = WordChoiceField(
        label="裁判评分合成方式", table="contest_judge_rule", choices=JudgeRule.CHOICES, initial=JudgeRule.TRIMMED_MEAN
    )
    tie_break = WordChoiceField(
        label="同分规则", table="contest_tie_break", choices=TIE_BREAK_CHOICES, initial="practical,theory"
    )
    first_prizes = forms.IntegerField(label="一等奖名额（每个项目）", min_value=0, max_value=100, initial=1)
    second_prizes = forms.IntegerField(label="二等奖名额（每个项目）", min_value=0, max_value=100, initial=2)
    third_prizes = forms.IntegerField(label="三等奖名额（每个项目）", min_value=0, max_value=100, initial=3)
    min_age = forms.IntegerField(label="最低年龄", min_value=16, max_value=80, required=False)
    max_age = forms.IntegerField(label="最高年龄", min_value=16, max_value=80, required=False)
    min_trade_years = forms.IntegerField(label="本工种最少从业年限", min_value=0, max_value=60, required=False)


def parse_items(text: str) -> list[tuple[str, Decimal]]:
    """Practical items typed one a line, "名称 满分" ("管道焊接 60"); a blank text is one item of 100."""
    items = []
    for n, line in enumerate((ln.strip() for ln in text.splitlines()), start=1):
        if not line:
            continue
        name, _sep, points = line.replace("\u3000", " ").rpartition(" ")
        try:
            value = Decimal(points.removesuffix("分"))
        except InvalidOperation as exc:
            raise forms.ValidationError(f"第 {n} 行应为“考核内容 满分”，如“管道焊接 60”") from exc
        if not name.strip():
            raise forms.ValidationError(f"第 {n} 行缺少考核内容名称")
        items.append((name.strip(), value))
    return items


class EventForm(Styled):
    name = forms.CharField(label="项目名称", max_length=100)
    items = forms.CharField(
        label="实操考核内容",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="每行一项：考核内容 满分（合计 100 分），如“管道切割 40”。不填为一项 100 分。",
    )

    def clean_items(self) -> list[tuple[str, Decimal]]:
        return parse_items(self.cleaned_data.get("items", ""))


class JudgeForm(Styled):
    name = forms.CharField(label="裁判姓名", max_length=60)
    enterprise = forms.CharField(label="所在单位", max_length=200, help_text="裁判不为本单位的选手评分")


class EntryForm(Styled):
    event = forms.ChoiceField(label="比赛项目")
    member = member_field("选手")
    trade_years = forms.IntegerField(label="本工种从业年限", min_value=0, max_value=60)
    enterprise = forms.CharField(label="工作单位", max_length=200, required=False, help_text="不填按会员登记的工作单位")

    def __init__(self, *args: Any, events: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["event"].choices = events  # type: ignore[attr-defined]


class ResolveForm(Styled):
    value = forms.CharField(label="裁定成绩", max_length=10)
    note = forms.CharField(label="裁定依据", max_length=200)


# --- training --------------------------------------------------------------------------------------


class ClassForm(Styled):
    org = OrgCodeField(label="举办工会或学院", max_length=200)
    name = forms.CharField(label="培训班名称", max_length=200)
    trade = forms.CharField(label="培训工种/内容", max_length=100, required=False)
    teacher = forms.CharField(label="授课老师", max_length=60)
    teacher_title = forms.CharField(label="老师称号", max_length=60, required=False, help_text="如：全国劳模、省级工匠")
    starts_on = forms.DateField(label="开班日期", widget=DATE)
    ends_on = forms.DateField(label="结业日期", widget=DATE)
    schedule = forms.CharField(label="上课安排", max_length=200, required=False)
    venue = forms.CharField(label="上课地点", max_length=200, required=False)
    capacity = forms.IntegerField(label="名额", min_value=1, max_value=10000)


class EnrolForm(Styled):
    member = forms.CharField(
        label="会员编号或公民身份号码",
        max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        help_text="会员填会员编号或身份证号；尚未入会的村民填身份证号并填写姓名。",
    )
    name = forms.CharField(label="姓名（非会员必填）", max_length=60, required=False)
    mobile = forms.CharField(label="手机号码", max_length=11, required=False)
    income_before = YuanField(label="培训前年收入（元）", required=False, max_fen=MAX_INCOME_FEN)


class IncomeForm(Styled):
    income_after = YuanField(label="培训一年后年收入（元）", max_fen=MAX_INCOME_FEN)


class PlanForm(Styled):
    org = OrgCodeField(label="学院或工会", max_length=200)
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    trainee_times = forms.IntegerField(label="计划培训人次", min_value=0, max_value=10_000_000)
    contests_planned = forms.IntegerField(label="计划举办竞赛（场）", min_value=0, max_value=1000, required=False)


# --- studios, 五小, activities ----------------------------------------------------------------------


class StudioForm(Styled):
    org = OrgCodeField(label="所属工会", max_length=200)
    name = forms.CharField(label="工作室名称", max_length=200)
    leader_name = forms.CharField(label="领办人", max_length=60)
    leader_honor = WordChoiceField(label="领办人荣誉", table="leader_honor", choices=LeaderHonor.choices)
    founded_on = forms.DateField(label="成立日期", widget=DATE)
    premises = forms.CharField(label="固定场所", max_length=200, required=False)
    equipment = forms.CharField(label="设备", max_length=500, required=False)
    funds = YuanField(label="年度经费（元）", required=False, max_fen=MAX_INCOME_FEN)
    has_rules = forms.BooleanField(label="有管理制度", required=False)
    members = forms.IntegerField(label="成员人数", min_value=0, max_value=1000, required=False)
    members_promoted = forms.IntegerField(label="成员晋升人数", min_value=0, max_value=1000, required=False)


class InnovationForm(Styled):
    org = OrgCodeField(label="申报工会", max_length=200)
    kind = WordChoiceField(label="类别", table="innovation_kind", choices=InnovationKind.choices)
    title = forms.CharField(label="名称", max_length=200)
    authors = forms.CharField(label="完成人（团队）", max_length=300)
    is_team = forms.BooleanField(label="团队成果", required=False)
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    problem = forms.CharField(label="解决的问题", widget=forms.Textarea(attrs={"rows": 2}))
    solution = forms.CharField(label="方法", widget=forms.Textarea(attrs={"rows": 2}))
    money_saved = YuanField(label="节约或创收（元/年）", required=False, max_fen=MAX_INCOME_FEN)
    hours_saved = forms.IntegerField(label="节约工时（小时/年）", min_value=0, max_value=10_000_000, required=False)
    government_funded = forms.BooleanField(label="政府财政资金资助", required=False)
    already_awarded = forms.BooleanField(label="已获得其他奖励", required=False)
    secret_or_disputed = forms.BooleanField(label="涉密或有知识产权争议", required=False)


class ActivityForm(Styled):
    org = OrgCodeField(label="主办工会", max_length=200)
    name = forms.CharField(label="活动名称", max_length=200)
    kind = WordChoiceField(label="类别", table="activity_kind", choices=ActivityKind.choices)
    held_on = forms.DateField(label="日期", widget=DATE)
    venue = forms.CharField(label="地点", max_length=200, required=False)
    capacity = forms.IntegerField(label="人数上限", min_value=1, max_value=100000, required=False)


# --- after the ranking: the results' 公示 and a winner's recommendation ---


class PublishForm(Styled):
    days = forms.IntegerField(label="公示天数", min_value=1, max_value=60, initial=5)
    day_basis = forms.ChoiceField(label="计日方式", choices=DayBasis.choices, initial=DayBasis.WORKING)


class RecommendForm(Styled):
    campaign = forms.TypedChoiceField(label="推荐参加的评选", coerce=int)
    deeds = forms.CharField(
        label="主要事迹", required=False, widget=forms.Textarea(attrs={"rows": 4}), help_text="留空则以竞赛成绩为事迹"
    )

    def __init__(self, *args: Any, campaigns: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["campaign"].choices = [("", "请选择"), *campaigns]  # type: ignore[attr-defined]
