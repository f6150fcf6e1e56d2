"""Forms of the card and payout pages; the services validate again and have the last word."""

from __future__ import annotations

from typing import Any

from django import forms

from gonghui.cards.models import BankPartner, PayoutPurpose
from gonghui.cards.selectors import bank_list


def _bank_choices() -> list[tuple[str, str]]:
    return [(b.code, b.name) for b in bank_list()]


class BatchCreateForm(forms.Form):
    org_code = forms.CharField(label="发放工会代码", max_length=40)
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
        self.fields["bank"].choices = _bank_choices()  # type: ignore[attr-defined]


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


class CardReasonForm(forms.Form):
    reason = forms.CharField(label="原因", max_length=200, required=False)


class CardIssueForm(forms.Form):
    card_number = forms.CharField(label="卡号", max_length=30)


class CardApplyForm(forms.Form):
    bank = forms.ChoiceField(label="发卡银行")
    consented = forms.BooleanField(label="会员本人已书面同意办卡并同意向银行提供其身份信息")
    consent_note = forms.CharField(label="同意书说明", max_length=200, required=False, help_text="如“纸质同意书已存档”")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["bank"].choices = _bank_choices()  # type: ignore[attr-defined]

    def clean_bank(self) -> BankPartner:
        bank = BankPartner.objects.filter(code=self.cleaned_data["bank"]).first()
        if bank is None:
            raise forms.ValidationError("请选择发卡银行")
        return bank
