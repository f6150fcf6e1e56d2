"""Pickers: a text box for a code that also suggests, as one types, by name, code or pinyin.

The box is an ordinary text input: the code (or a name the field resolves) is what is
submitted, and the form works without script. `gonghui/picker.js` (loaded by the base
template) finds every input carrying `data-picker-source`, asks that JSON endpoint
for suggestions (`[{"code", "label"}]`, label 名称（代码）) and shows them in a listbox
driven by the arrow keys, Enter and Escape. The org picker lives in orgs (`orgs/fields.py`);
the region picker is here, beside the GB/T 2260 table.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from django import forms
from django.urls import reverse_lazy

from gonghui.core.regions import Region, region_search

# "贵州省六盘水市钟山区（520201）", as the picker's label shows a choice: the code in the brackets.
_LABELLED = re.compile(r".*[（(]\s*([A-Za-z0-9-]{2,32})\s*[)）]")
NAME_LIMIT = 80  # what a box that takes a name as well as a code may hold


def labelled_code(text: str) -> str | None:
    """The code of a "名称（代码）" label, None when the text is not one."""
    match = _LABELLED.fullmatch(text)
    return match.group(1) if match else None


def typed_text(value: Any) -> str:
    """A box's value as typed: NFKC (full-width digits and brackets become plain), trimmed."""
    return unicodedata.normalize("NFKC", "" if value is None else str(value)).strip()


class PickerInput(forms.TextInput):
    """A text input that `picker.js` gives a search-as-you-type list fed by `source` (a URL)."""

    def __init__(self, source: Any, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs)
        self.source = source

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        widget_attrs = context["widget"]["attrs"]
        widget_attrs["data-picker-source"] = str(self.source)
        widget_attrs["autocomplete"] = "off"  # the browser's own history list would cover ours
        widget_attrs.setdefault("placeholder", "输入名称、代码或拼音")
        return context


class RegionPickerInput(PickerInput):
    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(reverse_lazy("api:region_suggest"), attrs)


def region_label(region: Region) -> str:
    return f"{region.full_name}（{region.code}）"


class RegionCodeField(forms.CharField):
    """A 行政区划代码 typed as the code, picked from the list, or written as a unique place name.

    "520201", "贵州省六盘水市钟山区（520201）", "钟山区" and "六盘水市钟山区" all clean to "520201";
    a name several places share (朝阳区) is refused with them listed. The format check of the
    code itself stays with the form or service that takes it (a code missing from the table
    may still be kept, DESIGN §2).
    """

    widget = RegionPickerInput

    def to_python(self, value: Any) -> str:
        text = typed_text(value)
        if not text or text.isdigit():
            return text
        code = labelled_code(text)
        if code is not None:
            return code
        if len(text) > NAME_LIMIT:
            raise forms.ValidationError("行政区划代码应为 6 位数字，或填写地区名称")
        matches = [
            r for r in region_search(text, limit=50) if text in (r.name, r.full_name) or r.full_name.endswith(text)
        ]
        if len(matches) == 1:
            return matches[0].code
        if not matches:
            raise forms.ValidationError(f"未找到地区“{text}”；请填写 6 位行政区划代码或从列表中选择")
        listed = "、".join(region_label(r) for r in matches[:8])
        raise forms.ValidationError(f"名为“{text}”的地区不止一个：{listed}；请填写代码或从列表中选择")

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        # A name is longer than the code's 6 characters: the box must take it.
        attrs = super().widget_attrs(widget)
        attrs.pop("maxlength", None)
        return attrs
