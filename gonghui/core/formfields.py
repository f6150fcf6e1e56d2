"""Form fields every app's pages share."""

from __future__ import annotations

from typing import Any

from django import forms

from gonghui.core.money import AmountError, amount_refusal, parse_yuan


class YuanField(forms.CharField):
    """An amount in yuan as cadres type it ("3000", "3,000", "￥300", "300元", "1,200.50"), cleaned to fen.

    Empty is 0 unless the field is required; `allow_zero=False` refuses 0; `max_fen` bounds it.
    The value typed stays in the box when the form is refused (a CharField keeps its text).
    """

    def __init__(self, *, allow_zero: bool = True, max_fen: int | None = None, **kwargs: Any) -> None:
        self.allow_zero, self.max_fen = allow_zero, max_fen
        kwargs.setdefault("max_length", 30)
        super().__init__(**kwargs)
        self.widget.attrs.setdefault("inputmode", "decimal")

    def clean(self, value: Any) -> int:
        text = super().clean(value)
        if not text:
            return 0
        try:
            return parse_yuan(text, allow_zero=self.allow_zero, max_fen=self.max_fen)
        except AmountError as exc:
            raise forms.ValidationError(amount_refusal(exc, allow_zero=self.allow_zero)) from exc
