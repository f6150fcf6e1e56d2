"""The intake form of the 12351 pages. Choices are text boxes with suggestions (datalists): a
code, a label or an everyday word is read by the service, which names every mistake at once;
the form only gives back what was typed."""

from __future__ import annotations

from typing import Any

from django import forms

from gonghui.core.formfields import YuanField
from gonghui.orgs.fields import OrgCodeField

WORD_FIELDS = {
    "source": "rights_source",
    "kind": "rights_kind",
    "cause": "rights_cause",
    "person_type": "rights_person_type",
    "tier": "rights_tier",
}


def _word(label: str, table: str, *, help_text: str = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        max_length=40,
        help_text=help_text,
        widget=forms.TextInput(attrs={"list": f"dl-{table}", "autocomplete": "off"}),
    )


class IntakeForm(forms.Form):
    org = OrgCodeField(label="受理工会", max_length=200)
    source = _word("来源", "rights_source", help_text="电话、来信、来访、APP、网络")
    kind = _word("类型", "rights_kind", help_text="投诉、求助、咨询、建议")
    cause = _word("事由", "rights_cause", help_text="如：工资（欠薪）、劳动合同、工伤、社保")
    person_type = _word("人员类型", "rights_person_type", help_text="如：农民工、骑手、女职工（可不填）")
    tier = _word("难度", "rights_tier", help_text="一般、难点、特别复杂（不填为一般）")
    caller_name = forms.CharField(label="来电人", required=False, max_length=200)
    caller_phone = forms.CharField(
        label="联系电话", required=False, max_length=40, help_text="会员的手机号可关联到本会范围内的会员"
    )
    caller_id_number = forms.CharField(
        label="公民身份号码",
        required=False,
        max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        help_text="可不填；只用于关联本会范围内的会员，不保存",
    )
    employer_name = forms.CharField(label="用人单位", required=False, max_length=200)
    employer_uscc = forms.CharField(label="用人单位统一社会信用代码", required=False, max_length=40)
    summary = forms.CharField(label="诉求内容", required=False, widget=forms.Textarea(attrs={"rows": 4}))
    answered = forms.BooleanField(label="咨询已当场答复，直接结案", required=False)
    answer = forms.CharField(label="答复内容", required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                widget.attrs.setdefault("class", "form-check-input")
            else:
                widget.attrs.setdefault("class", "form-control")


class NoteForm(forms.Form):
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))


DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ContractForm(forms.Form):
    """A collective contract as typed: the service checks the rules and names every mistake at once."""

    org = OrgCodeField(label="签约工会", max_length=200)
    number = forms.CharField(
        label="合同编号", required=False, max_length=40, help_text="备案编号或本会编号（可不填；续订时据此找到原合同）"
    )
    negotiation = forms.TypedChoiceField(
        label="协商要约",
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", "（不关联）")],
        help_text="本合同由哪一份要约协商而来（本工会尚未关联合同的要约）",
    )
    title = forms.CharField(label="合同名称", required=False, max_length=200)
    kind = _word("合同种类", "rights_contract_kind", help_text="综合、工资专项、女职工专项、劳动安全卫生专项")
    scope = _word("合同范围", "rights_contract_scope", help_text="企业、行业性、区域性")
    signed_on = forms.DateField(label="签订日期", required=False, widget=DATE)
    starts_on = forms.DateField(label="生效起始日", required=False, widget=DATE)
    ends_on = forms.DateField(label="期满日", required=False, widget=DATE, help_text="期限 1 至 3 年")
    union_chief = forms.CharField(label="职工方首席代表", required=False, max_length=60)
    employer_chief = forms.CharField(label="企业方首席代表", required=False, max_length=60)
    vote_body = _word("审议方式", "rights_vote_body", help_text="职代会或全体职工大会")
    voted_on = forms.DateField(label="审议日期", required=False, widget=DATE)
    votes_for = forms.IntegerField(label="赞成票", required=False, min_value=0)
    votes_against = forms.IntegerField(label="反对票", required=False, min_value=0)
    filed_on = forms.DateField(
        label="报送备案日期", required=False, widget=DATE, help_text="签订后 10 日内报送劳动行政部门；未报送可不填"
    )
    women_workers = forms.IntegerField(label="覆盖女职工人数", required=False, min_value=0)
    wage_increase_pct = forms.CharField(label="工资增长幅度（%）", required=False, max_length=12)
    minimum_wage = YuanField(label="最低工资标准（元/月）", required=False, max_fen=10_000_000)
    employers = forms.CharField(
        label="覆盖企业",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="每行一家：企业名称、统一社会信用代码、职工人数（用逗号或空格分隔）",
    )
    renews = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if not field.widget.is_hidden:
                css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
                field.widget.attrs.setdefault("class", css)

    def offer_requests(self, requests: list[Any]) -> None:
        """The 要约 the contract may have come from (open ones of the unions the caller manages)."""
        field = self.fields["negotiation"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [
            ("", "（不关联）"),
            *[(r.pk, f"{r.org.name}：{r.employer_name} {r.subject}（{r.requested_on:%Y-%m-%d}）") for r in requests],
        ]


def parse_employer_lines(text: str) -> tuple[list[Any], str]:
    """Lines "名称, USCC, 人数" → EmployerIn rows, and the first line's refusal ("" when all read)."""
    import re

    from gonghui.rights.contracts import EmployerIn

    rows: list[Any] = []
    for n, line in enumerate((text or "").splitlines(), start=1):
        parts = [p for p in re.split(r"[,，\t;；]+|\s{1,}", line.strip()) if p]
        if not parts:
            continue
        if len(parts) < 2:
            return rows, f"第 {n} 行应为：企业名称、统一社会信用代码、职工人数"
        workers = 0
        if len(parts) >= 3:
            digits = parts[-1].removesuffix("人")
            if not digits.isdigit():
                return rows, f"第 {n} 行的职工人数“{parts[-1]}”不是数字"
            workers = int(digits)
            parts = parts[:-1]
        rows.append(EmployerIn(" ".join(parts[:-1]), parts[-1], workers))
    return rows, ""


class RequestForm(forms.Form):
    """A 要约 as typed; the service names every mistake at once."""

    org = OrgCodeField(label="工会", max_length=200)
    side = forms.ChoiceField(label="提出方", choices=[("union", "工会（职工方）"), ("employer", "企业方")])
    employer_name = forms.CharField(label="企业名称", required=False, max_length=200)
    employer_uscc = forms.CharField(label="统一社会信用代码", required=False, max_length=40)
    subject = forms.CharField(label="协商事项", required=False, max_length=200)
    requested_on = forms.DateField(label="要约日期", widget=DATE)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs.setdefault(
                "class", "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            )
