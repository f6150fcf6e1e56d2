"""Stations for tests: one near 宜昌 by default, hours 08:00–22:00 weekdays and 18:00–02:00 weekends."""

from __future__ import annotations

from datetime import time
from typing import Any

from gonghui.orgs.models import Org
from gonghui.stations.models import Station
from gonghui.stations.services import station_create

HOURS: dict[str, Any] = {
    "weekday_opens": time(8),
    "weekday_closes": time(22),
    "weekend_opens": time(18),
    "weekend_closes": time(2),
}


def make_station(org: Org, code: str, *, lat: float = 30.77, lng: float = 111.32, **fields: Any) -> Station:
    values: dict[str, Any] = {
        "name": f"{code}驿站",
        "address": "宜昌市夷陵区万达商圈",
        "region_code": "420506",
        "facilities": ["饮水", "空调", "药箱"],
        "manager_name": "张站长",
        "manager_phone": "13912345678",
        **HOURS,
        **fields,
    }
    return station_create(actor=None, scope=None, org=org, code=code, lat=lat, lng=lng, **values)
