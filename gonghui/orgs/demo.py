"""Demo organizations of the reference page (DOMAIN.md §10), with synthetic details.

Federation codes are the GB/T 2260 codes of their regions so that figures can be
asked for by region. At `--scale seed` Guizhou holds exactly the page's 1,388
new-employment-form unions; at `small` a proportionate few hundred.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

from gonghui.core.demo import DemoContext, demo_step
from gonghui.core.regions import region_children, region_get
from gonghui.core.scoping import unscoped
from gonghui.core.validators import USCC_CHARSET, uscc_with_check
from gonghui.orgs.models import Org, OrgKind
from gonghui.orgs.services import OrgSpec, org_bulk_create

GUIZHOU = "520000"
NE_GROUPS = [
    "外卖配送员",
    "快递员",
    "网约车司机",
    "货车司机",
    "家政服务员",
    "护工护理员",
    "房产中介员",
    "保安员",
    "商场信息员",
]
TRANSPORT_FEDERATIONS = 64
NE_INDUSTRY_FEDERATIONS = 103
SF_OUTLETS = 280
GUIZHOU_NE_UNIONS = 1388
DINGXI_CHAIN_UNIONS = 58


def _uscc(rng: random.Random, authority: str, region: str) -> str:
    body = "".join(rng.choice(USCC_CHARSET) for _ in range(9))
    return uscc_with_check(f"{authority}{region}{body}")


def _founded(rng: random.Random, start: int = 2015) -> date:
    return date(start, 1, 1) + timedelta(days=rng.randrange(0, (date(2023, 6, 30) - date(start, 1, 1)).days))


def _federation_name(code: str) -> str:
    region = region_get(code)
    assert region is not None, code
    return f"{region.name}总工会"


class _Builder:
    def __init__(self, ctx: DemoContext) -> None:
        self.ctx = ctx
        self.rng = ctx.rng
        self.specs: list[OrgSpec] = []
        self.used_uscc: set[str] = set()

    def add(
        self,
        code: str,
        name: str,
        kind: str,
        parent: str | None,
        *,
        region: str,
        authority: str = "81",
        link: str | None = None,
        **fields: Any,
    ) -> str:
        uscc = _uscc(self.rng, authority, region)
        while uscc in self.used_uscc:
            uscc = _uscc(self.rng, authority, region)
        self.used_uscc.add(uscc)
        fields.setdefault("founded_on", _founded(self.rng))
        self.specs.append(
            OrgSpec(
                code=code,
                name=name,
                kind=kind,
                parent_code=parent,
                industry_federation_code=link,
                fields={"region_code": region, "uscc": uscc, **fields},
            )
        )
        return code

    def federation(self, code: str, kind: str, parent: str | None, **fields: Any) -> str:
        region = region_get(code)
        short = region.name if region else ""
        return self.add(
            code,
            _federation_name(code),
            kind,
            parent,
            region=code,
            authority="89",
            short_name=f"{short}总工会",
            form="committee",
            **fields,
        )


def build_specs(ctx: DemoContext) -> list[OrgSpec]:
    b = _Builder(ctx)
    rng = b.rng

    # 贵州: province → 9 cities/prefectures → their counties.
    b.federation(GUIZHOU, OrgKind.PROVINCE_FEDERATION, None, chair="（示例）省总工会主席")
    counties: list[tuple[str, str, str]] = []  # (county code, name, city code)
    cities = [r for r in region_children(GUIZHOU)]
    for city in cities:
        b.federation(city.code, OrgKind.CITY_FEDERATION, GUIZHOU)
        for county in region_children(city.code):
            b.federation(county.code, OrgKind.COUNTY_FEDERATION, city.code)
            counties.append((county.code, county.name, city.code))
    ctx.shared["guizhou_counties"] = [c[0] for c in counties]

    # 交通运输行业工会联合会 ×64, spread over the counties.
    for i in range(TRANSPORT_FEDERATIONS):
        code, name, _city = counties[i % len(counties)]
        seq = i // len(counties) + 1
        b.add(
            f"{code}JT{seq:02d}",
            f"{name}交通运输行业工会联合会",
            OrgKind.SECTOR_FEDERATION,
            code,
            region=code,
            employee_count=rng.randint(300, 3000),
        )

    # 103 县市级行业工会联合会 covering new-employment-form workers (counted as 新业态 unions).
    hosts = [(c, n) for c, n, _ in counties] + [(city.code, city.name) for city in cities]
    ne_feds: dict[str, str] = {}
    for i in range(NE_INDUSTRY_FEDERATIONS):
        code, name = hosts[i % len(hosts)]
        seq = i // len(hosts) + 1
        fed = b.add(
            f"{code}XY{seq:02d}",
            f"{name}新就业形态劳动者行业工会联合会" + (f"（{seq}）" if seq > 1 else ""),
            OrgKind.SECTOR_FEDERATION,
            code,
            region=code,
            is_new_employment=True,
            employee_count=rng.randint(200, 2500),
        )
        ne_feds.setdefault(code, fed)

    # 六盘水市快递行业工会联合会, founded 20 July 2023.
    b.add(
        "520200KD01",
        "六盘水市快递行业工会联合会",
        OrgKind.SECTOR_FEDERATION,
        "520200",
        region="520200",
        is_new_employment=True,
        founded_on=date(2023, 7, 20),
        employee_count=1800,
    )

    # 贵州顺丰: the 重点建 pilot, one union with outlet branches across the province.
    outlets = ctx.scaled(SF_OUTLETS)
    b.add(
        "520000SF",
        "贵州顺丰速运有限公司工会委员会",
        OrgKind.GRASSROOTS,
        GUIZHOU,
        region="520100",
        short_name="顺丰工会",
        is_new_employment=True,
        form="committee",
        unit_name="贵州顺丰速运有限公司",
        employee_count=10000 if ctx.is_seed else 2000,
    )
    for i in range(outlets):
        code, name, _city = counties[i % len(counties)]
        b.add(
            f"520000SF{i + 1:04d}",
            f"顺丰速运{name}营业网点工会小组（{i + 1}）",
            OrgKind.BRANCH,
            "520000SF",
            region=code,
            is_new_employment=True,
            employee_count=rng.randint(15, 60),
        )

    # The remaining new-employment-form grassroots unions, up to the page's 1,388 at seed.
    fixed = NE_INDUSTRY_FEDERATIONS + 1 + 1 + SF_OUTLETS
    grassroots = ctx.scaled(GUIZHOU_NE_UNIONS - fixed)
    for i in range(grassroots):
        code, name, city_code = counties[i % len(counties)]
        group = NE_GROUPS[i % len(NE_GROUPS)]
        b.add(
            f"{code}NE{i // len(counties) + 1:04d}",
            f"{name}{group}联合工会（{i // len(counties) + 1}）",
            OrgKind.JOINT_GRASSROOTS,
            code,
            region=code,
            is_new_employment=True,
            link=ne_feds.get(code) or ne_feds.get(city_code),
            employee_count=rng.randint(25, 400),
        )

    # Units the page names.
    b.add(
        "5223010001",
        "南方电网兴义供电局工会委员会",
        OrgKind.GRASSROOTS,
        "522301",
        region="522301",
        unit_name="南方电网兴义供电局",
        employee_count=860,
    )
    b.add(
        "5201000001",
        "贵阳职业技术学院工会委员会",
        OrgKind.GRASSROOTS,
        "520100",
        region="520100",
        unit_name="贵阳职业技术学院",
        employee_count=720,
    )
    b.add(
        "5206020001",
        "铜仁华联超市工会委员会",
        OrgKind.GRASSROOTS,
        "520602",
        region="520602",
        unit_name="铜仁华联超市",
        employee_count=430,
    )

    # 甘肃定西: potato industry-chain unions, 58 in all.
    b.federation("620000", OrgKind.PROVINCE_FEDERATION, None)
    b.federation("621100", OrgKind.CITY_FEDERATION, "620000")
    dingxi_counties = region_children("621100")
    for county in dingxi_counties:
        b.federation(county.code, OrgKind.COUNTY_FEDERATION, "621100")
    b.add(
        "621100MLS",
        "定西市马铃薯产业链工会联合会",
        OrgKind.INDUSTRY_UNION,
        "621100",
        region="621100",
        is_industry_chain=True,
        employee_count=52000,
    )
    chain_feds = []
    for county in dingxi_counties:
        extra: dict[str, Any] = {}
        if county.code == "621122":  # 陇西: 73 cooperatives, 523 workers in one federation
            extra = {"employee_count": 523, "unit_name": "陇西县 73 家马铃薯专业合作社"}
        elif county.code == "621123":  # 渭源: 12 cooperatives and 1 factory, 1,460 households
            extra = {"employee_count": 1460, "unit_name": "渭源县 12 家合作社和 1 家加工厂"}
        chain_feds.append(
            b.add(
                f"{county.code}MLS",
                f"{county.name}马铃薯产业链工会联合会",
                OrgKind.SECTOR_FEDERATION,
                county.code,
                region=county.code,
                is_industry_chain=True,
                link="621100MLS",
                **extra,
            )
        )
    for i in range(DINGXI_CHAIN_UNIONS - 1 - len(chain_feds)):
        fed = chain_feds[i % len(chain_feds)]
        region = fed[:6]
        b.add(
            f"{region}MLS{i + 1:03d}",
            f"{region_get(region).name}马铃薯专业合作社工会（{i + 1}）",  # type: ignore[union-attr]
            OrgKind.GRASSROOTS,
            fed,
            region=region,
            is_industry_chain=True,
            employee_count=rng.randint(20, 120),
        )

    # 宜昌夷陵: 万达商圈工会 and its riders' station (stations arrive with their issue).
    b.federation("420000", OrgKind.PROVINCE_FEDERATION, None)
    b.federation("420500", OrgKind.CITY_FEDERATION, "420000")
    b.federation("420506", OrgKind.COUNTY_FEDERATION, "420500")
    b.add(
        "420506WD01",
        "夷陵区万达商圈工会联合会",
        OrgKind.REGIONAL_FEDERATION,
        "420506",
        region="420506",
        is_new_employment=True,
        employee_count=1200,
    )
    # 湖南祁阳 (金秋助学), 临沂 (职工发展基金), 吉林 (新电商工匠学院), 温岭 (管工大赛).
    b.federation("430000", OrgKind.PROVINCE_FEDERATION, None)
    b.federation("431100", OrgKind.CITY_FEDERATION, "430000")
    b.federation("431181", OrgKind.COUNTY_FEDERATION, "431100")
    b.federation("370000", OrgKind.PROVINCE_FEDERATION, None)
    b.federation("371300", OrgKind.CITY_FEDERATION, "370000")
    b.federation("220000", OrgKind.PROVINCE_FEDERATION, None)
    b.federation("330000", OrgKind.PROVINCE_FEDERATION, None)
    b.federation("331000", OrgKind.CITY_FEDERATION, "330000")
    b.federation("331081", OrgKind.COUNTY_FEDERATION, "331000")
    return b.specs


@demo_step(order=10)
def load_orgs(ctx: DemoContext) -> None:
    with unscoped():
        if Org.objects.filter(code=GUIZHOU).exists():
            ctx.log("组织树已存在，跳过。")
            return
    specs = build_specs(ctx)
    created = org_bulk_create(actor=None, specs=specs, action="orgs.demo.load")
    with unscoped():
        # The demo publishes every union's join page (/m/join/CODE/); a real union opts in on its page.
        Org.objects.update(join_published=True)
    ctx.log(f"已创建 {created} 个工会组织。")
