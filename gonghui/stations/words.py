"""Facilities and services of a station (DOMAIN §7): a code table, with the words people type for them.

The first five are the base every station must have (桌椅, 饮水, 微波炉, 医药箱, 风扇/空调);
the others are optional. Codes are stable; labels may be reworded.
"""

from __future__ import annotations

FACILITIES: list[tuple[str, str]] = [
    ("seats", "桌椅"),
    ("water", "饮水"),
    ("microwave", "微波炉"),
    ("first_aid", "医药箱"),
    ("cooling", "风扇/空调"),
    ("fridge", "冰箱"),
    ("wifi", "WiFi"),
    ("charging", "充电"),
    ("rain_gear", "雨具"),
    ("toilet", "卫生间"),
    ("nursing", "母婴室"),
]
BASE_FACILITIES = ("seats", "water", "microwave", "first_aid", "cooling")

SYNONYMS: dict[str, str] = {
    "桌子": "seats",
    "椅子": "seats",
    "座椅": "seats",
    "休息座椅": "seats",
    "饮用水": "water",
    "热水": "water",
    "开水": "water",
    "饮水机": "water",
    "热饭": "microwave",
    "加热": "microwave",
    "药箱": "first_aid",
    "急救箱": "first_aid",
    "急救包": "first_aid",
    "常用药品": "first_aid",
    "空调": "cooling",
    "风扇": "cooling",
    "电扇": "cooling",
    "无线网": "wifi",
    "wi-fi": "wifi",
    "无线网络": "wifi",
    "手机充电": "charging",
    "充电宝": "charging",
    "电动车充电": "charging",
    "雨伞": "rain_gear",
    "雨衣": "rain_gear",
    "厕所": "toilet",
    "洗手间": "toilet",
    "哺乳室": "nursing",
}


# What the duty log counts as used and restocked, in each item's own unit.
SUPPLIES: list[tuple[str, str]] = [
    ("water", "饮用水（瓶）"),
    ("medicine", "药品（份）"),
    ("cooling", "防暑降温用品（份）"),
    ("warming", "防寒保暖用品（份）"),
    ("rain_gear", "雨具（件）"),
    ("masks", "口罩（个）"),
    ("other", "其他"),
]
SUPPLY_SYNONYMS: dict[str, str] = {
    "水": "water",
    "矿泉水": "water",
    "饮用水": "water",
    "纯净水": "water",
    "药": "medicine",
    "药品": "medicine",
    "常用药": "medicine",
    "创可贴": "medicine",
    "藿香正气水": "cooling",
    "清凉油": "cooling",
    "防暑用品": "cooling",
    "暖宝宝": "warming",
    "手套": "warming",
    "雨伞": "rain_gear",
    "雨衣": "rain_gear",
    "雨具": "rain_gear",
    "口罩": "masks",
}

SUPPLY_LABELS = dict(SUPPLIES)

INCIDENTS: list[tuple[str, str]] = [
    ("illness", "身体不适"),
    ("injury", "意外受伤"),
    ("equipment", "设备损坏"),
    ("safety", "安全隐患"),
    ("dispute", "纠纷"),
    ("other", "其他"),
]
INCIDENT_SYNONYMS: dict[str, str] = {
    "生病": "illness",
    "中暑": "illness",
    "不舒服": "illness",
    "受伤": "injury",
    "摔伤": "injury",
    "交通事故": "injury",
    "设备故障": "equipment",
    "坏了": "equipment",
    "损坏": "equipment",
    "隐患": "safety",
    "矛盾": "dispute",
    "争吵": "dispute",
}


INCIDENT_LABELS = dict(INCIDENTS)


def register() -> None:
    from gonghui.core.words import register_choice_table

    register_choice_table(key="station_facility", title="驿站设施", options=lambda: FACILITIES, synonyms=SYNONYMS)
    register_choice_table(key="station_supply", title="驿站物资", options=lambda: SUPPLIES, synonyms=SUPPLY_SYNONYMS)
    register_choice_table(
        key="station_incident", title="驿站值班事件", options=lambda: INCIDENTS, synonyms=INCIDENT_SYNONYMS
    )
