from __future__ import annotations

from django import forms


class PublicObjectionForm(forms.Form):
    """The public page's objection: anyone, with a name and a contact (kept from the public list)."""

    entry = forms.TypedChoiceField(label="对谁有异议", coerce=int)
    raised_by = forms.CharField(label="您的姓名", max_length=60)
    contact = forms.CharField(label="联系电话或其他联系方式", max_length=60)
    reason = forms.CharField(label="异议内容", max_length=500, widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args: object, choices: list[tuple[int, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["entry"].choices = [("", "请选择"), *choices]  # type: ignore[attr-defined]
