from __future__ import annotations

import re
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.utils import timezone

from gonghui.core.money import AmountError, parse_yuan
from gonghui.honors import formfields, scoring
from gonghui.honors.models import (
    AllowancePeriod,
    CampaignField,
    CampaignKind,
    Decision,
    FieldType,
    LevelFloor,
    NomineeType,
)
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
    fields_text = forms.CharField(
        label="推荐表附加项",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="每行一项：名称|类型|必填或选填|选项（类型：文字、数字、日期、选项；选项用顿号分隔），"
        "如 技能等级|选项|必填|初级工、中级工、高级工、技师",
    )

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
        specs, problems = formfields.specs_parse(self.data.get("fields_text", "") or "")
        for problem in problems:
            self.add_error("fields_text", problem)
        data["fields"] = specs
        return data


def criteria_parse(text: str) -> tuple[list[tuple[str, int]], list[str]]:
    """Lines “名称 权重” (or 名称：40、名称 40%) → the criteria, and every problem with its line number."""
    criteria: list[tuple[str, int]] = []
    problems: list[str] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        m = re.match(r"^\s*(.+?)[\s:：|｜,，]+(\d+)\s*[%％分]?\s*$", line)
        if m is None:
            problems.append(f"第 {number} 行：应为“评分项名称 权重”，如 先进事迹 40")
            continue
        criteria.append((m[1].strip(), int(m[2])))
    if not criteria and not problems:
        problems.append("请至少填写一个评分项")
    return criteria, problems + scoring.weights_problems(criteria)


class CriteriaForm(forms.Form):
    org_code = forms.CharField(label="评审工会代码", max_length=20, help_text="评选工会或其下级的审核工会")
    criteria = forms.CharField(
        label="评分项及权重",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="每行一项：名称 权重，权重合计 100，如 先进事迹 40",
    )

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        parsed, problems = criteria_parse(self.data.get("criteria", "") or "")
        for problem in problems:
            self.add_error("criteria", problem)
        data["parsed"] = parsed
        return data


class AnswerField(forms.CharField):
    """One of the campaign's own questions, checked by `formfields.answer_clean` (as the service does)."""

    def __init__(self, spec: formfields.FieldSpec, **kwargs: object) -> None:
        self.spec = spec
        widget: forms.Widget = forms.TextInput()
        if spec.field_type == FieldType.DATE:
            widget = forms.DateInput(attrs={"type": "date"})
        elif spec.field_type == FieldType.NUMBER:
            widget = forms.TextInput(attrs={"inputmode": "decimal"})
        elif spec.field_type == FieldType.CHOICE:
            widget = forms.Select(choices=[("", "请选择")] + [(c, c) for c in spec.choices])
        super().__init__(label=spec.label, required=False, widget=widget, **kwargs)  # type: ignore[arg-type]

    def clean(self, value: object) -> str:
        text, error = formfields.answer_clean(self.spec, str(value or ""))
        if error:
            raise forms.ValidationError(error)
        return text


class NominationForm(forms.Form):
    """A member's nomination, or for a collective honor a union or a team; then the campaign's own questions."""

    org_code = forms.CharField(label="推荐工会代码", max_length=20)
    member = forms.CharField(label="会员编号或证件号码", max_length=20)
    nominee_type = forms.ChoiceField(
        label="推荐对象", choices=[(NomineeType.UNION, "工会（单位）"), (NomineeType.TEAM, "班组、团队")]
    )
    collective_code = forms.CharField(label="集体所在工会代码", max_length=20, help_text="推荐工会或其下级工会")
    team_name = forms.CharField(
        label="班组、团队名称", max_length=100, required=False, help_text="推荐班组、团队时填写"
    )
    deeds = forms.CharField(label="主要事迹", widget=forms.Textarea(attrs={"rows": 5}))
    employer = forms.CharField(label="工作单位", max_length=200, required=False, help_text="空着即取会员登记的单位")
    position = forms.CharField(label="职务/岗位", max_length=100, required=False)
    front_line = forms.BooleanField(label="一线职工", required=False)
    enterprise_head = forms.BooleanField(label="企业负责人", required=False)

    def __init__(
        self, *args: object, collective: bool = False, questions: Sequence[CampaignField] = (), **kwargs: object
    ) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.collective = collective
        drop = ("member", "employer", "position", "front_line", "enterprise_head") if collective else (
            "nominee_type", "collective_code", "team_name",
        )  # fmt: skip
        for name in drop:
            del self.fields[name]
        self.questions = list(questions)
        for q in self.questions:
            spec = formfields.FieldSpec(q.label, q.field_type, q.required, tuple(q.choices))
            self.fields[f"q{q.pk}"] = AnswerField(spec)
            if q.required:
                # Checked by `answer_clean` (one message with the label); the star tells it before.
                self.fields[f"q{q.pk}"].widget.attrs["aria-required"] = "true"
                self.fields[f"q{q.pk}"].label = f"{q.label}（必填）"

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if self.collective and data.get("nominee_type") == NomineeType.TEAM and not data.get("team_name"):
            self.add_error("team_name", "推荐班组、团队时请填写其名称")
        return data

    def answers(self) -> dict[str, str]:
        """The answers by the question's label (the service checks them again)."""
        return {q.label: self.cleaned_data.get(f"q{q.pk}", "") for q in self.questions}


class ScoreForm(forms.Form):
    """0–100 for each criterion of the level holding the nomination."""

    def __init__(self, *args: object, criteria: Sequence[object] = (), **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.criteria = list(criteria)
        for c in self.criteria:
            self.fields[f"c{c.pk}"] = forms.IntegerField(  # type: ignore[attr-defined]
                label=f"{c.name}（权重 {c.weight}%）",  # type: ignore[attr-defined]
                min_value=0,
                max_value=100,
                error_messages={"required": "请打分（0 到 100）", "invalid": "应为 0 到 100 的整数"},
            )

    def marks(self) -> dict[int, int]:
        return {c.pk: self.cleaned_data[f"c{c.pk}"] for c in self.criteria}  # type: ignore[attr-defined]


class ConflictForm(forms.Form):
    reason = forms.CharField(label="回避理由", max_length=200, help_text="如 与被推荐人系亲属、同一单位")


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
