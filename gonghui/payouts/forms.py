"""Forms of the payout pages; the services validate again and have the last word."""

from __future__ import annotations

from typing import Any

from django import forms

from gonghui.cards.selectors import bank_list
from gonghui.orgs.fields import OrgCodeField
from gonghui.payouts.models import PayoutPurpose


class BatchCreateForm(forms.Form):
    org_code = OrgCodeField(label="发放工会代码", max_length=40)
    bank = forms.ChoiceField(label="代发银行")
    purpose = forms.ChoiceField(label="用途", choices=PayoutPurpose.choices)
    reference = forms.CharField(
        label="发放事项",
        max_length=100,
        help_text="如“2026年春节慰问”。同一会员同一用途同一事项只发放一次。",
    )
    title = forms.CharField(label="批次名称", max_length=200, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["bank"].choices = [(b.code, b.name) for b in bank_list()]  # type: ignore[attr-defined]


class ItemLinesForm(forms.Form):
    lines = forms.CharField(
        label="发放明细",
        widget=forms.Textarea(attrs={"rows": 6, "placeholder": "0000012345 500\n520102199001011234 300.50"}),
        help_text="每行一名会员：会员编号或证件号码，空格或逗号，金额（元）。可直接从 Excel 复制两列粘贴。",
    )


class ItemsForAllForm(forms.Form):
    amount = forms.CharField(label="每人金额（元）", max_length=20)


class NoteForm(forms.Form):
    note = forms.CharField(label="意见", max_length=200, required=False, widget=forms.Textarea(attrs={"rows": 2}))
