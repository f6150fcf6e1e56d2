"""The everyday names of org kinds and forms (see `core.words`).

The matcher already reads the official labels without their brackets (市（州）总工会 →
市总工会, 市州总工会; 县（市、区）总工会 → 县总工会; 乡镇（街道）工会 → 乡镇工会) and unique
beginnings, so only the other words people write are listed.
"""

from __future__ import annotations

KIND_SYNONYMS = {
    "省总工会": "province_federation",
    "省总": "province_federation",
    "省工会": "province_federation",
    "自治区总工会": "province_federation",
    "直辖市总工会": "province_federation",
    "州总工会": "city_federation",
    "地区总工会": "city_federation",
    "地市总工会": "city_federation",
    "盟总工会": "city_federation",
    "市总": "city_federation",
    "区总工会": "county_federation",
    "县区总工会": "county_federation",
    "县市区总工会": "county_federation",
    "县级市总工会": "county_federation",
    "旗总工会": "county_federation",
    "县总": "county_federation",
    "街道工会": "township",
    "镇工会": "township",
    "乡工会": "township",
    "行业工会联合会": "sector_federation",
    "行业工联": "sector_federation",
    "行业联合会": "sector_federation",
    "行业工会": "sector_federation",
    "区域工会联合会": "regional_federation",
    "区域工联": "regional_federation",
    "区域联合会": "regional_federation",
    "开发区工会": "development_zone",
    "园区工会": "development_zone",
    "工业园区工会": "development_zone",
    "高新区工会": "development_zone",
    "社区工会": "community",
    "村工会": "community",
    "企业工会": "grassroots",
    "单位工会": "grassroots",
    "基层工会委员会": "grassroots",
    "联合工会": "joint_grassroots",
    "联合基层工会委员会": "joint_grassroots",
    "分会": "branch",
    "工会分会": "branch",
    "工会小组": "branch",
    "车间工会": "branch",
}

FORM_SYNONYMS = {
    "委员会": "committee",
    "工委": "working_committee",
    "工作委员会": "working_committee",
    "支会": "branch",
    "组织员": "organizer",
}
