"""Demo: 临沂's special fund under the 中国职工发展基金会 (issue 20; the page).

The page: in three years the fund ran more than 80 projects and 100 activities, with 1,260
enterprises and 2.29 million workers donating ¥2.6亿, benefiting 10 industries in 25 provinces.
At `--scale seed` `gonghui stats --org 371300` reports exactly that: ¥260,000,000 given, 1,260
enterprises, 2,290,000 workers, 84 projects and 108 activities across 10 industries and 25
provinces. At `small` the money and the workers are 2% (¥5,200,000 from 45,800 workers and the
same 1,260 enterprises); the projects and activities are kept whole.

`plan` is the arithmetic, without the database (a unit test checks the seed figures on it);
`load_linyi` writes it. The workers' deductions (一日捐, one day's wage, one deduction per worker
in one of the three years) are written by the payroll import's own writer
(`charity.bulk.book_donations`: plain tuples, COPY on PostgreSQL) a batch at a time, as the
enterprises' files would have come in; so are the enterprises' own gifts. Projects, activities and
payments go through the services, so they are audited and checked against the fund's balance. Each
year's money comes in before that year's projects pay out, so the ledger reads in order.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from random import Random

from django.db import transaction

from gonghui.charity import services
from gonghui.charity.bulk import PayrollCells, book_donations, people_by_index
from gonghui.charity.models import Channel, DonorKind, Fund, FundKind, RecipientKind
from gonghui.core import crypto
from gonghui.core.demo import DemoContext, demo_step, split_exactly
from gonghui.core.idnumbers import id_number_with_check
from gonghui.core.masking import mask_id_number
from gonghui.core.regions import region_name
from gonghui.core.scoping import unscoped
from gonghui.core.validators import uscc_with_check
from gonghui.members.validation import ID_PURPOSE, identity_index
from gonghui.orgs.models import Org

LINYI = "371300"
FUND_NAME = "中国职工发展基金会临沂职工发展专项基金"
FOUNDATION = "中国职工发展基金会"
TOTAL_YUAN = 260_000_000  # "捐款2.6亿元"
ENTERPRISES = 1_260  # "1260家企业"
WORKERS = 2_290_000  # "229万名职工"
ENTERPRISE_SHARE_YUAN = 160_000_000  # of the ¥2.6亿 the enterprises' own gifts; the workers' 一日捐 the rest
YEARS = (2023, 2024, 2025)  # "三年来"
PROJECTS_PER_YEAR = 28  # 84 projects: "80余个"
SECOND_ACTIVITY = 24  # projects with a second activity: 84 + 24 = 108 activities, "100余场"
SPEND_SHARE = 0.8  # of each year's income paid out that year
BATCH = 20_000  # worker deductions written per call to the import's writer

# The ten industries the fund's projects served (GB/T 4754 sections) and the 25 provinces they reached.
INDUSTRIES = ("B", "C", "D", "E", "F", "G", "H", "N", "O", "Q")
PROVINCES = [
    "110000",
    "120000",
    "130000",
    "140000",
    "150000",
    "210000",
    "220000",
    "230000",
    "310000",
    "320000",
    "330000",
    "340000",
    "350000",
    "360000",
    "370000",
    "410000",
    "420000",
    "430000",
    "440000",
    "450000",
    "500000",
    "510000",
    "520000",
    "530000",
    "620000",
]
PURPOSES = ("hardship", "medical", "student_aid", "relief", "new_employment", "women", "skills", "disaster")
# 临沂's districts and counties: the workers' ID numbers are synthetic numbers of these areas.
AREAS = [
    "371302",
    "371311",
    "371312",
    "371321",
    "371322",
    "371323",
    "371324",
    "371325",
    "371326",
    "371327",
    "371328",
    "371329",
]
BIRTH_FROM = date(1966, 1, 1)
BIRTH_DAYS = 14_600  # born 1966–2005
TRADES = {
    "B": "矿业",
    "C": "机械制造",
    "D": "电力",
    "E": "建工",
    "F": "商贸",
    "G": "物流",
    "H": "餐饮",
    "N": "环卫",
    "O": "家政服务",
    "Q": "医养",
}
WORDS = {
    "hardship": "困难职工帮扶",
    "medical": "大病医疗救助",
    "student_aid": "金秋助学",
    "relief": "送温暖慰问",
    "new_employment": "新就业形态劳动者关爱",
    "women": "女职工关爱",
    "skills": "职工技能提升",
    "disaster": "灾害救助",
}


@dataclass(frozen=True)
class EnterprisePlan:
    seq: int
    uscc: str
    name: str
    gift_yuan: int  # the enterprise's own gift
    year: int
    workers: int  # its workers who gave by payroll deduction
    workers_yuan: int  # what they gave in all


@dataclass(frozen=True)
class ProjectPlan:
    year: int
    name: str
    purpose: str
    industry: str
    region_code: str
    activities: int


@dataclass(frozen=True)
class Plan:
    enterprises: list[EnterprisePlan]
    projects: list[ProjectPlan]

    @property
    def total_yuan(self) -> int:
        return sum(e.gift_yuan + e.workers_yuan for e in self.enterprises)

    @property
    def workers(self) -> int:
        return sum(e.workers for e in self.enterprises)


def plan(scale: str, rng: Random) -> Plan:
    """What the fund holds at this scale: every figure exact, nothing drawn from the database."""
    seed = scale == "seed"
    total = TOTAL_YUAN if seed else round(TOTAL_YUAN * 0.02)
    gifts_total = ENTERPRISE_SHARE_YUAN if seed else round(ENTERPRISE_SHARE_YUAN * 0.02)
    workers = WORKERS if seed else round(WORKERS * 0.02)
    # Enterprises differ in size (workers) and in wages (a day's pay), and give in proportion.
    size = [rng.lognormvariate(0, 0.9) for _ in range(ENTERPRISES)]
    wage = [rng.uniform(0.6, 1.6) for _ in range(ENTERPRISES)]
    heads = split_exactly(workers, size)
    workers_yuan = split_exactly(total - gifts_total, [h * w for h, w in zip(heads, wage, strict=True)])
    gifts = split_exactly(gifts_total, [s * rng.uniform(0.5, 1.5) for s in size])
    enterprises = []
    for i in range(ENTERPRISES):
        industry = INDUSTRIES[i % len(INDUSTRIES)]
        # Every worker gives at least a yuan: the rounding of the split may leave a small firm short.
        while workers_yuan[i] < heads[i]:
            j = max(range(ENTERPRISES), key=lambda k: workers_yuan[k] - heads[k])
            workers_yuan[j] -= 1
            workers_yuan[i] += 1
        enterprises.append(
            EnterprisePlan(
                seq=i + 1,
                uscc=uscc_with_check(f"91371300MA{i + 1:07d}"),
                name=f"临沂{AREA_NAMES[i % len(AREA_NAMES)]}{TRADES[industry]}第{i // len(AREA_NAMES) + 1}有限公司",
                gift_yuan=gifts[i],
                year=YEARS[i % len(YEARS)],
                workers=heads[i],
                workers_yuan=workers_yuan[i],
            )
        )
    projects = []
    for n in range(PROJECTS_PER_YEAR * len(YEARS)):
        year, industry = YEARS[n // PROJECTS_PER_YEAR], INDUSTRIES[n % len(INDUSTRIES)]
        purpose, province = PURPOSES[n % len(PURPOSES)], PROVINCES[n % len(PROVINCES)]
        place = region_name(province).removesuffix("省").removesuffix("市").removesuffix("自治区")
        projects.append(
            ProjectPlan(
                year=year,
                name=f"{year} 年{place}{TRADES[industry]}职工{WORDS[purpose]}",
                purpose=purpose,
                industry=industry,
                region_code=province,
                activities=2 if n < SECOND_ACTIVITY else 1,
            )
        )
    return Plan(enterprises, projects)


AREA_NAMES = ("兰山", "罗庄", "河东", "沂南", "郯城", "沂水", "兰陵", "费县", "平邑", "莒南", "蒙阴", "临沭")


def worker_amounts(e: EnterprisePlan) -> Iterator[int]:
    """Each worker's deduction in yuan: a day's wage the enterprise's size of gift divides evenly, to the yuan."""
    each, more = divmod(e.workers_yuan, e.workers)
    for j in range(e.workers):
        yield each + (1 if j < more else 0)


def worker_number(n: int) -> str:
    """The n-th synthetic GB 11643 number of a 临沂 area: distinct for n below 12 × 14,600 × 1,000."""
    area, rest = AREAS[n % len(AREAS)], n // len(AREAS)
    born = BIRTH_FROM + timedelta(days=rest % BIRTH_DAYS)
    return id_number_with_check(f"{area}{born:%Y%m%d}{rest // BIRTH_DAYS:03d}")


SURNAMES = "王张李刘陈杨赵孙徐高"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚"


@demo_step(order=75)
def load_linyi(ctx: DemoContext) -> None:
    with unscoped():
        linyi = Org.all_objects.get(code=LINYI)
        if Fund.all_objects.filter(org=linyi, name=FUND_NAME).exists():
            ctx.log("临沂职工发展专项基金已存在，跳过。")
            return
    the_plan = plan(ctx.scale, ctx.rng)
    with transaction.atomic(), unscoped():
        fund = services.fund_create(
            actor=None,
            scope=None,
            org=linyi,
            name=FUND_NAME,
            kind=FundKind.SPECIAL,
            foundation=FOUNDATION,
            opened_on=date(YEARS[0], 1, 1),
            note="三年来开展项目 80 余个、活动 100 余场",
        )
        numbers = 0
        for year in YEARS:
            # Read again each year: the services moved its balance when the last year's projects paid.
            fund = Fund.all_objects.select_for_update().get(pk=fund.pk)
            income = _gifts(fund, [e for e in the_plan.enterprises if e.year == year], year)
            count, worker_fen = _deductions(fund, the_plan.enterprises, year, numbers)
            numbers += count
            _projects(fund, [p for p in the_plan.projects if p.year == year], income + worker_fen)
    ctx.log(
        f"临沂职工发展专项基金：{len(the_plan.enterprises):,} 家企业、{the_plan.workers:,} 名职工捐款 "
        f"{the_plan.total_yuan:,} 元，{len(the_plan.projects)} 个项目。"
    )


def _gifts(fund: Fund, enterprises: list[EnterprisePlan], year: int) -> int:
    """The enterprises' own gifts of the year (one each), through the import's writer; their sum in fen."""
    cells = [
        (
            PayrollCells(
                fund=fund.name,
                uscc=e.uscc,
                name=e.name,
                index="",
                cipher=None,
                masked="",
                amount_fen=e.gift_yuan * 100,
                day=date(year, 3 + e.seq % 9, 1 + e.seq % 28),
                anonymous=e.seq % 97 == 0,
            ),
            fund,
        )
        for e in enterprises
    ]
    book_donations(cells, {}, actor_id=None, donor_kind=DonorKind.ENTERPRISE, channel=Channel.ONE_OFF)
    return sum(e.gift_yuan for e in enterprises) * 100


def _deductions(fund: Fund, enterprises: list[EnterprisePlan], year: int, first: int) -> tuple[int, int]:
    """The year's payroll deductions: every enterprise's workers whose turn is this year (a third each)."""
    batch: list[tuple[PayrollCells, Fund]] = []
    written = fen = 0
    n = first
    year_index = YEARS.index(year)
    for e in enterprises:
        day = date(year, 4 + e.seq % 3, 1 + e.seq % 28)
        for j, amount in enumerate(worker_amounts(e)):
            if j % len(YEARS) != year_index:
                continue
            number = worker_number(n)
            n += 1
            batch.append(
                (
                    PayrollCells(
                        fund=fund.name,
                        uscc=e.uscc,
                        name=SURNAMES[n % len(SURNAMES)] + GIVEN[(n // 10) % len(GIVEN)],
                        index=identity_index("1", number),
                        cipher=crypto.encrypt(number, purpose=ID_PURPOSE),
                        masked=mask_id_number(number),
                        amount_fen=amount * 100,
                        day=day,
                        anonymous=n % 50 == 0,
                    ),
                    fund,
                )
            )
            fen += amount * 100
            if len(batch) >= BATCH:
                written += _write_batch(batch)
                batch = []
    if batch:
        written += _write_batch(batch)
    return written, fen


def _write_batch(batch: list[tuple[PayrollCells, Fund]]) -> int:
    # A worker who is a member is linked as their Person, as the import does.
    book_donations(batch, people_by_index([c.index for c, _f in batch]), actor_id=None)
    return len(batch)


def _projects(fund: Fund, projects: list[ProjectPlan], income_fen: int) -> None:
    """The year's projects, each paying its share of the year's income to unions of its province."""
    shares = split_exactly(int(income_fen * SPEND_SHARE) // 100, [1 + (i % 5) for i in range(len(projects))])
    for i, (p, share) in enumerate(zip(projects, shares, strict=True)):
        starts, ends = date(p.year, 3, 1), date(p.year, 12, 31)
        project = services.project_create(
            actor=None,
            scope=None,
            fund=fund,
            name=p.name,
            purpose=p.purpose,
            budget_fen=share * 110,  # a tenth more than it pays
            starts_on=starts,
            ends_on=ends,
            industry=p.industry,
            region_code=p.region_code,
        )
        province = region_name(p.region_code)
        first = share // 2
        for k, amount in enumerate((first, share - first)):
            services.disbursement_record(
                actor=None,
                scope=None,
                fund=fund,
                project=project,
                recipient=services.RecipientIn(kind=RecipientKind.ORG, name=f"{province}总工会"),
                amount_fen=amount * 100,
                paid_on=date(p.year, 7 + 3 * k, 1 + i % 28),
            )
        for k in range(p.activities):
            services.activity_record(
                actor=None,
                scope=None,
                project=project,
                name=("项目启动暨首批资助发放", "受助职工回访")[k],
                held_on=date(p.year, 7 + 3 * k, 1 + i % 28),
                region_code=p.region_code,
                participants=40 + (i * 7) % 160,
            )
