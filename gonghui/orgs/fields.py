"""The union picker and the form field that takes a union by code or by name.

Every form that names a union (所属工会、转入工会、主办工会、上级工会…) declares an
`OrgCodeField`: the box suggests the unions of the user's part of the tree as one
types (`core/pickers.py`, `/api/v1/orgs/suggest`), and what is submitted may be the
code, the picker's "名称（代码）" label, or the union's exact name, which is resolved to
its code within the user's scope. The view then looks the code up as it always did,
so a code outside the scope is still refused where it was.
"""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.urls import reverse_lazy

from gonghui.core.pickers import NAME_LIMIT, PickerInput, labelled_code, typed_text
from gonghui.core.scoping import request_scope_now
from gonghui.orgs.models import Org
from gonghui.orgs.selectors import org_by_name

# A code as typed (its own rules are the service's: orgs.validation.clean_code); anything else is a name.
_CODE_LIKE = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]*")


def org_label(org: Org) -> str:
    return f"{org.name}（{org.code}）"


class OrgPickerInput(PickerInput):
    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(reverse_lazy("api:org_suggest"), attrs)


class OrgCodeField(forms.CharField):
    """A union's code, its picker label "名称（代码）", or its exact name (or short name) within the scope.

    A name two unions of the scope share is refused with both listed; a name no union of the
    scope has is refused too (a foreign union reads as unknown). Codes pass through as typed.
    """

    widget = OrgPickerInput

    def to_python(self, value: Any) -> str:
        text = typed_text(value)
        if not text or _CODE_LIKE.fullmatch(text):
            return text
        code = labelled_code(text)
        if code is not None:
            return code
        if len(text) > NAME_LIMIT:
            raise forms.ValidationError("请填写工会代码，或工会的全称")
        scope = request_scope_now()
        found = org_by_name(scope=scope, name=text) if scope is not None else []
        if len(found) == 1:
            return found[0].code
        if not found:
            raise forms.ValidationError(f"未找到名为“{text}”的工会；请填写工会代码，或从列表中选择")
        listed = "、".join(org_label(o) for o in found)
        raise forms.ValidationError(f"名为“{text}”的工会不止一个：{listed}；请填写工会代码，或从列表中选择")

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        # A union's full name is longer than most codes: the box must take it.
        attrs = super().widget_attrs(widget)
        attrs.pop("maxlength", None)
        return attrs
