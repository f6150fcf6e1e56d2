"""Forms of the card pages; the services validate again and have the last word."""

from __future__ import annotations

from typing import Any

from django import forms

from gonghui.cards.models import BankPartner
from gonghui.cards.selectors import bank_list


def _bank_choices() -> list[tuple[str, str]]:
    return [(b.code, b.name) for b in bank_list()]


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
