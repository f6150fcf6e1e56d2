"""Seed the local monthly minimum wage standards (最低工资标准) of six provinces.

Each province's lowest tier (最低档), so a contract below it is below every tier of the province;
a city's or county's own tier can be added as a row with its longer code prefix. Figures and
dates as the provinces published them (summarized in the Ministry of Human Resources and Social
Security's table 全国各地区月最低工资标准情况); see docs/rights.md. A later standard is a new row.
"""

from datetime import date

from django.db import migrations

SOURCE = "人力资源社会保障部《全国各地区月最低工资标准情况》（省政府发布的标准，取最低档）"
STANDARDS = [
    # prefix, region, effective, yuan per month (lowest tier), the tiers as published
    ("52", "贵州省", date(2023, 2, 1), 1660, "一类 1890、二类 1760、三类 1660"),
    ("62", "甘肃省", date(2021, 9, 1), 1670, "一类 1820、二类 1770、三类 1720、四类 1670"),
    ("33", "浙江省", date(2021, 8, 1), 1840, "一档 2280、二档 2070、三档 1840"),
    ("37", "山东省", date(2023, 10, 1), 1820, "一档 2200、二档 2010、三档 1820"),
    ("43", "湖南省", date(2022, 4, 1), 1550, "一档 1930、二档 1740、三档 1550"),
    ("22", "吉林省", date(2021, 12, 1), 1540, "一档 1880、二档 1760、三档 1640、四档 1540"),
]


def seed(apps, schema_editor):
    MinimumWage = apps.get_model("rights", "MinimumWage")
    for prefix, region, effective, yuan, tiers in STANDARDS:
        MinimumWage.objects.get_or_create(
            region_prefix=prefix,
            effective_on=effective,
            defaults={"region_name": region, "monthly_fen": yuan * 100, "source": f"{SOURCE}：{tiers}"[:200]},
        )


def unseed(apps, schema_editor):
    MinimumWage = apps.get_model("rights", "MinimumWage")
    for prefix, _region, effective, _yuan, _tiers in STANDARDS:
        MinimumWage.objects.filter(region_prefix=prefix, effective_on=effective).delete()


class Migration(migrations.Migration):
    dependencies = [("rights", "0005_contract_number_minimum_wage")]
    operations = [migrations.RunPython(seed, unseed)]
