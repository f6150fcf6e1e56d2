"""Forms of the phone's station pages. They only read what was typed: the stations' services judge it
(everyday words for supplies and incidents, quantities, times), and their refusals land on these fields."""

from __future__ import annotations

from typing import Any

from django import forms

from gonghui.core.errors import DomainError, PermissionDeniedError

MIN_SUPPLY_ROWS = 3
MAX_SUPPLY_ROWS = 12


def _text(label: str, *, datalist: str = "", **attrs: Any) -> forms.CharField:
    widget_attrs = {"class": "form-control", "autocomplete": "off", **attrs}
    if datalist:
        widget_attrs["list"] = datalist
    return forms.CharField(label=label, required=False, max_length=200, widget=forms.TextInput(attrs=widget_attrs))


def _count(label: str) -> forms.CharField:
    # Read as text: the service says what a wrong quantity is, in the words of the duty log.
    return _text(label, inputmode="numeric", pattern="[0-9]*")


class DutyLogForm(forms.Form):
    """One shift's log: times, visitors, handover, several supply rows and one new incident."""

    opened_at = forms.TimeField(
        label="开门时间",
        required=False,
        widget=forms.TimeInput(attrs={"type": "time", "class": "form-control"}, format="%H:%M"),
        error_messages={"invalid": "请按“时:分”填写，如 08:30。"},
    )
    closed_at = forms.TimeField(
        label="关门时间",
        required=False,
        widget=forms.TimeInput(attrs={"type": "time", "class": "form-control"}, format="%H:%M"),
        error_messages={"invalid": "请按“时:分”填写，如 22:00。"},
    )
    visitors = forms.IntegerField(
        label="接待人次（未扫码的，手工登记）",
        required=False,
        widget=forms.NumberInput(attrs={"class": "form-control", "inputmode": "numeric", "min": "0"}),
        error_messages={"invalid": "请填写整数。"},
    )
    handover = forms.CharField(
        label="交接事项",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"class": "form-control", "rows": 3}),
    )
    incident_kind = _text("事件类型", datalist="incident-words")
    incident_description = forms.CharField(
        label="经过",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"class": "form-control", "rows": 2}),
    )
    incident_action = _text("当场处置")

    def __init__(self, *args: Any, supply_rows: int = MIN_SUPPLY_ROWS, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.supply_rows = min(max(supply_rows, MIN_SUPPLY_ROWS), MAX_SUPPLY_ROWS)
        for i in range(self.supply_rows):
            self.fields[f"supply_{i}_item"] = _text("物资", datalist="supply-words")
            self.fields[f"supply_{i}_used"] = _count("消耗")
            self.fields[f"supply_{i}_restocked"] = _count("补充")

    @staticmethod
    def rows_posted(data: Any) -> int:
        """How many supply rows a posted form carried (the page may have added some)."""
        n = 0
        while n < MAX_SUPPLY_ROWS and f"supply_{n}_item" in data:
            n += 1
        return n

    def supply_fields(self) -> list[tuple[int, forms.BoundField, forms.BoundField, forms.BoundField]]:
        return [
            (i, self[f"supply_{i}_item"], self[f"supply_{i}_used"], self[f"supply_{i}_restocked"])
            for i in range(self.supply_rows)
        ]

    def put_error(self, exc: DomainError, *, prefix: str = "") -> None:
        """A service's refusal on the fields it names (`prefix` places a supply row's or the incident's)."""
        if isinstance(exc.details, dict) and exc.details and not isinstance(exc, PermissionDeniedError):
            for key, reason in exc.details.items():
                name = f"{prefix}{key}"
                if name in self.fields:
                    if name not in self.errors or str(reason) not in self.errors[name]:
                        self.add_error(name, str(reason))
                else:
                    self.add_error(None, str(reason))
        else:
            self.add_error(None, exc.message)


class GroupJoinForm(forms.Form):
    group = forms.TypedChoiceField(label="值班小组", coerce=int, widget=forms.Select(attrs={"class": "form-select"}))

    def __init__(self, *args: Any, groups: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["group"].choices = groups  # type: ignore[attr-defined]


class SwapAskForm(forms.Form):
    counterpart = forms.TypedChoiceField(
        label="换给谁", coerce=int, widget=forms.Select(attrs={"class": "form-select form-select-sm"})
    )
    note = forms.CharField(
        label="说明（选填）",
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"class": "form-control form-control-sm"}),
    )

    def __init__(self, *args: Any, volunteers: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["counterpart"].choices = [("", "请选择志愿者"), *volunteers]  # type: ignore[attr-defined]
