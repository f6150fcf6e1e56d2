"""The stations' staff forms: each checks what it can on its own and shows every mistake at once;
the services check again (and the rules only they know land on the fields they name)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone

from gonghui.core.pickers import RegionCodeField
from gonghui.orgs.fields import OrgCodeField
from gonghui.stations.models import SIX_HAVES, BuildMode, MapService, PartnerKind
from gonghui.stations.rotation import RotationKind
from gonghui.stations.services import HOUR_KINDS, MAX_PEOPLE_PER_SHIFT
from gonghui.stations.words import FACILITIES

DATUMS = [("gcj02", "GCJ-02（高德、腾讯地图上取的点）"), ("wgs84", "WGS-84（GPS、手机定位、奥维等）")]
TIME = forms.TimeInput(attrs={"type": "time", "class": "form-control"}, format="%H:%M")
DATE = forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d")
CHECKS = forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"})


def _styled(form: forms.Form) -> None:
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxSelectMultiple | forms.RadioSelect):
            continue
        if isinstance(widget, forms.CheckboxInput):
            widget.attrs.setdefault("class", "form-check-input")
        elif isinstance(widget, forms.Select):
            widget.attrs.setdefault("class", "form-select")
        else:
            widget.attrs.setdefault("class", "form-control")


class StationForm(forms.Form):
    """Register a station (with its code and union) or, with `editing`, change one."""

    code = forms.CharField(label="驿站编号", max_length=32, help_text="2–32 位数字、大写字母或连字符，登记后不能修改")
    org_code = OrgCodeField(label="运营工会", max_length=32, help_text="输入工会名称、代码或拼音，从列表中选择")
    name = forms.CharField(label="驿站名称", max_length=100)
    address = forms.CharField(label="地址", max_length=200)
    region_code = RegionCodeField(label="行政区划", required=False, help_text="区县的 6 位代码或地名")
    datum = forms.ChoiceField(label="坐标系", choices=DATUMS, initial="gcj02", widget=forms.RadioSelect)
    lat = forms.FloatField(label="纬度", min_value=-90, max_value=90)
    lng = forms.FloatField(label="经度", min_value=-180, max_value=180)
    build_mode = forms.ChoiceField(label="建设方式", choices=BuildMode.choices, initial=BuildMode.UNION)
    partner_kind = forms.ChoiceField(label="共建单位类型", choices=[("", "—"), *PartnerKind.choices], required=False)
    partner_name = forms.CharField(label="共建单位", max_length=100, required=False)
    area_m2 = forms.DecimalField(label="面积（平方米）", required=False, min_value=0.1, max_digits=7, decimal_places=1)
    facilities = forms.MultipleChoiceField(label="设施与服务", choices=FACILITIES, required=False, widget=CHECKS)
    map_published = forms.MultipleChoiceField(
        label="已上线地图", choices=MapService.choices, required=False, widget=CHECKS
    )
    manager_name = forms.CharField(label="负责人", max_length=60, required=False)
    manager_phone = forms.CharField(label="负责人电话", max_length=20, required=False)
    weekday_opens = forms.TimeField(label="工作日开门", required=False, widget=TIME)
    weekday_closes = forms.TimeField(label="工作日关门", required=False, widget=TIME)
    weekend_opens = forms.TimeField(label="周末开门", required=False, widget=TIME)
    weekend_closes = forms.TimeField(label="周末关门", required=False, widget=TIME)
    holiday_opens = forms.TimeField(label="节假日开门", required=False, widget=TIME)
    holiday_closes = forms.TimeField(
        label="节假日关门",
        required=False,
        widget=TIME,
        help_text="关门早于开门即营业到次日（如 18:00–02:00）；00:00–00:00 为全天；留空为当天不开放",
    )

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.editing = editing
        if editing:
            del self.fields["code"], self.fields["org_code"]
        _styled(self)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for kind, label in HOUR_KINDS.items():
            opens, closes = data.get(f"{kind}_opens"), data.get(f"{kind}_closes")
            both_typed = not self.has_error(f"{kind}_opens") and not self.has_error(f"{kind}_closes")
            if (opens is None) != (closes is None) and both_typed:
                field = f"{kind}_opens" if opens is None else f"{kind}_closes"
                self.add_error(field, f"{label}的开门和关门时间须同时填写")
        if data.get("build_mode") == BuildMode.COBUILT:
            for field in ("partner_kind", "partner_name"):
                if not data.get(field) and not self.has_error(field):
                    self.add_error(field, "社会共建的驿站请填写共建单位类型和名称")
        return data

    def values(self) -> dict[str, Any]:
        """The service's keywords (without code, union and the datum)."""
        data = self.cleaned_data
        keys: tuple[str, ...] = (
            "name",
            "address",
            "region_code",
            "lat",
            "lng",
            "build_mode",
            "partner_kind",
            "partner_name",
        )
        keys += ("area_m2", "facilities", "map_published", "manager_name", "manager_phone")
        keys += tuple(f"{kind}_{end}" for kind in HOUR_KINDS for end in ("opens", "closes"))
        return {key: data.get(key) for key in keys}


class ReasonForm(forms.Form):
    reason = forms.CharField(label="原因", max_length=200, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _styled(self)


class ClosedDayForm(forms.Form):
    day = forms.DateField(label="闭站日期", widget=DATE)
    reason = forms.CharField(label="原因", max_length=200, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _styled(self)


class InspectionForm(forms.Form):
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    has_sign = forms.BooleanField(label="统一标识名称", required=False)
    has_layout = forms.BooleanField(label="合理布局", required=False)
    has_facilities = forms.BooleanField(label="健全设施", required=False)
    has_functions = forms.BooleanField(label="完善功能", required=False)
    has_rules = forms.BooleanField(label="规范制度", required=False)
    has_map = forms.BooleanField(label="地图查询", required=False)
    stars = forms.TypedChoiceField(
        label="星级", choices=[(n, "★" * n) for n in range(1, 6)], coerce=int, widget=forms.RadioSelect
    )
    is_best = forms.BooleanField(label="评为最美驿站", required=False)
    notes = forms.CharField(label="检查意见", max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"year": timezone.localdate().year})
        super().__init__(*args, **kwargs)
        _styled(self)

    def checks(self) -> dict[str, bool]:
        return {field: bool(self.cleaned_data.get(field)) for field, _label in SIX_HAVES}


class PhotoForm(forms.Form):
    photo = forms.FileField(label="照片（JPG 或 PNG）")
    caption = forms.CharField(label="说明", max_length=100, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _styled(self)
        self.fields["photo"].widget.attrs["accept"] = ".jpg,.jpeg,.png"


class GroupForm(forms.Form):
    name = forms.CharField(label="小组名称", max_length=60)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _styled(self)


class CalendarForm(forms.Form):
    kind = forms.ChoiceField(
        label="排班方式",
        choices=[
            (RotationKind.WEEKLY.value, "按周轮值（每组一周）"),
            (RotationKind.DAILY.value, "每日排班（每班若干人）"),
        ],
        initial=RotationKind.WEEKLY.value,
        widget=forms.RadioSelect,
    )
    first = forms.DateField(label="开始日期", widget=DATE, help_text="按周轮值须从星期一开始")
    last = forms.DateField(label="结束日期", widget=DATE)
    groups = forms.TypedMultipleChoiceField(label="轮值小组（按顺序）", coerce=int, required=False, widget=CHECKS)
    people_per_shift = forms.IntegerField(
        label="每班人数", min_value=1, max_value=MAX_PEOPLE_PER_SHIFT, initial=1, help_text="每日排班时每班的人数"
    )

    def __init__(self, *args: Any, groups: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["groups"].choices = groups  # type: ignore[attr-defined]
        _styled(self)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first, last = data.get("first"), data.get("last")
        if first and last and last < first:
            self.add_error("last", "结束日期不能早于开始日期")
        if data.get("kind") == RotationKind.WEEKLY:
            if first and first.weekday() != 0:
                self.add_error("first", "按周轮值须从星期一开始")
            if "groups" in data and not data["groups"]:
                self.add_error("groups", "按周轮值须至少选择一个值班小组")
        return data
