"""The station list as an Excel workbook: the rows a list page shows (all of its pages), audited.

Written with openpyxl's write-only workbook (rows streamed from the database, not held as
cells); the manager's phone is masked unless the reader may see it in full at that station.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import QuerySet

from gonghui.accounts.models import User
from gonghui.core.audit import audit_record
from gonghui.core.masking import mask_mobile
from gonghui.core.regions import region_name
from gonghui.core.scoping import Scope
from gonghui.stations.models import MapService, Station
from gonghui.stations.permissions import StationPerm
from gonghui.stations.words import FACILITIES

HEADERS = [
    "驿站编号",
    "驿站名称",
    "地址",
    "行政区划代码",
    "行政区划",
    "运营工会",
    "建设方式",
    "共建单位类型",
    "共建单位",
    "面积（平方米）",
    "设施与服务",
    "已上线地图",
    "负责人",
    "负责人电话",
    "工作日",
    "周末",
    "节假日",
    "纬度（GCJ-02）",
    "经度（GCJ-02）",
    "状态",
]
FACILITY_LABELS = dict(FACILITIES)
MAP_LABELS: dict[str, str] = {code: str(label) for code, label in MapService.choices}


def hours_text(opens: Any, closes: Any) -> str:
    if opens is None or closes is None:
        return "不开放"
    return f"{opens:%H:%M}–{closes:%H:%M}"


def _row(station: Station, *, full_phone: bool) -> list[Any]:
    return [
        station.code,
        station.name,
        station.address,
        station.region_code,
        region_name(station.region_code) if station.region_code else "",
        station.org.name,
        station.get_build_mode_display(),
        station.get_partner_kind_display() if station.partner_kind else "",
        station.partner_name,
        float(station.area_m2) if station.area_m2 is not None else None,
        "、".join(FACILITY_LABELS.get(c, c) for c in station.facility_codes),
        "、".join(MAP_LABELS.get(c, c) for c in station.map_codes),
        station.manager_name,
        station.manager_phone if full_phone else mask_mobile(station.manager_phone),
        hours_text(station.weekday_opens, station.weekday_closes),
        hours_text(station.weekend_opens, station.weekend_closes),
        hours_text(station.holiday_opens, station.holiday_closes),
        station.lat,
        station.lng,
        "已关闭" if station.is_closed else "开放",
    ]


def station_workbook(
    *, actor: User | None, scope: Scope, stations: QuerySet[Station], filters: dict[str, Any]
) -> bytes:
    """The workbook of `stations` (a scoped list), and one audit event naming its filters and row count."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("驿站")
    sheet.append(HEADERS)
    count = 0
    rows: Iterable[Station] = stations.select_related("org").iterator(chunk_size=2000)
    for station in rows:
        sheet.append(_row(station, full_phone=scope.has_perm(StationPerm.VIEW_PHONE, station.org_path)))
        count += 1
    out = io.BytesIO()
    book.save(out)
    with transaction.atomic():
        audit_record(actor=actor, action="stations.export", data={"rows": count, **filters})
    return out.getvalue()
