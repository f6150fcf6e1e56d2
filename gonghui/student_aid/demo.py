"""Demo: 祁阳市总工会's ten years of 金秋助学 (DOMAIN §4, §10; the page).

The page: in ten years 祁阳市总工会 aided 1,246 students with ¥223.6万; a worker's
son, ill with leukaemia since 2019 when he was in 高二, was aided every year from
high school into university, ¥4,000 this year and ¥1.6万 in all. At `--scale seed`
`gonghui stats --org 431181` reports exactly 1,246 students and ¥2,236,000; at
`small` 2% of each (25 students; ¥44,700: the money is scaled in whole hundreds,
as every standard is a whole hundred). The son (a synthetic name) is in both.

Everything goes through the services, as the unions would have done it: a few
grassroots unions under 431181 (`org_bulk_create`), their members (the roster
through the bulk engine), service cards of a local bank (applied, the bank's
issuance file imported, activated), the standard table (`aid_standard_set`), and
for each school year 2017–2026 the applications (new, or continued from last
year's), the grassroots review, the county approval, the 公示, its close and a
payout batch made, checked, sent and answered by the bank (which marks the
applications paid). Dates are then set back to the school year they belong to.

Left for the live demo (2026): applications waiting for the grassroots review
and for the county's approval, and an open 公示 with one objection recorded.
The cross-check demo (order 56) reads `ctx.shared[SHARED]` for the students
waiting for approval.
"""

from __future__ import annotations

import csv
import tempfile
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from random import Random
from typing import Any

from django.utils import timezone
from stdnum import luhn

from gonghui.accounts.demo import DEMO_PASSWORD
from gonghui.accounts.models import User
from gonghui.accounts.scope import scope_for_user
from gonghui.accounts.services import grant_role, user_create
from gonghui.aid.models import SubsistenceStandard
from gonghui.aid.services import FamilyIn, file_apply, file_authorize, file_decide
from gonghui.cards.models import BankPartner, CardStatus, ServiceCard
from gonghui.cards.services import card_apply, card_transition
from gonghui.core.bulk.engine import run_import
from gonghui.core.bulk.kinds import get_kind
from gonghui.core.demo import DemoAccount, DemoContext, demo_step
from gonghui.core.idnumbers import id_number_with_check
from gonghui.core.scoping import Scope, unscoped
from gonghui.core.validators import USCC_CHARSET, uscc_with_check
from gonghui.members.models import Membership, MembershipStatus
from gonghui.members.validation import identity_index
from gonghui.orgs.models import Org, OrgKind
from gonghui.orgs.services import OrgSpec, org_bulk_create
from gonghui.payouts.models import PayoutBatch, PayoutItem
from gonghui.payouts.services import (
    ItemResult,
    payout_bank_file,
    payout_batch_decide,
    payout_batch_submit,
    payout_results_apply,
)
from gonghui.student_aid.applications import StudentIn, application_continue, application_decide
from gonghui.student_aid.disbursement import disbursement_create
from gonghui.student_aid.member_side import member_application_apply
from gonghui.student_aid.models import (
    AidStandard,
    Publication,
    StudentAidApplication,
    StudentLevel,
)
from gonghui.student_aid.publication import objection_record, publication_close, publication_create
from gonghui.student_aid.standards import aid_standard_set

QIYANG = "431181"
STUDENTS = 1_246  # "近 10 年来……先后资助困难职工子女 1246 人"
AID_YUAN = 2_236_000  # "发放助学金 223.6万元"
SPECIAL_TOTAL_YUAN = 16_000  # the son's ¥1.6万 since 2019
SPECIAL_THIS_YEAR_YUAN = 4_000  # and ¥4,000 this year
SMALL_RATIO = 0.02
FIRST_YEAR, THIS_YEAR = 2017, 2026
YEARS = range(FIRST_YEAR, THIS_YEAR + 1)
SHARED = "student_aid.qiyang"

HS, VOC, UG, GRAD = (
    StudentLevel.HIGH_SCHOOL,
    StudentLevel.VOCATIONAL,
    StudentLevel.UNDERGRADUATE,
    StudentLevel.GRADUATE,
)
COURSE: dict[str, int] = {HS: 3, VOC: 3, UG: 4, GRAD: 3}  # years of study
AGE_AT_ENROLMENT: dict[str, int] = {HS: 15, VOC: 18, UG: 18, GRAD: 22}
TUITION_FEN: dict[str, int] = {HS: 1_800_00, VOC: 4_500_00, UG: 5_500_00, GRAD: 8_000_00}  # a year's fees
LEVEL_WEIGHTS: dict[str, int] = {HS: 45, VOC: 20, UG: 30, GRAD: 5}

# 祁阳's standard table (yuan), not on file / on file: raised for 高中 in 2021 and for all in 2026
# ("提高助学资助标准"). Illustrative figures, the demo's own.
STANDARD_ERAS: list[tuple[range, dict[str, tuple[int, int]]]] = [
    (range(2017, 2021), {HS: (800, 1_500), VOC: (1_500, 2_000), UG: (1_500, 2_000), GRAD: (2_000, 3_000)}),
    (range(2021, 2026), {HS: (1_000, 1_500), VOC: (1_500, 2_000), UG: (1_500, 2_000), GRAD: (2_000, 3_000)}),
    (range(2026, 2027), {HS: (1_500, 2_000), VOC: (2_500, 3_000), UG: (3_000, 4_000), GRAD: (4_000, 5_000)}),
]


def standard_yuan(level: str, year: int, on_file: bool = False) -> int:
    for years, table in STANDARD_ERAS:
        if year in years:
            return table[level][1 if on_file else 0]
    raise KeyError(year)


def targets(ctx: DemoContext) -> tuple[int, int]:
    """(students, yuan) paid in 祁阳 at this scale: the page's at seed; 2% at small, the yuan in whole hundreds."""
    return ctx.scaled(STUDENTS, SMALL_RATIO), ctx.scaled(AID_YUAN // 100, SMALL_RATIO) * 100


# The grassroots unions under 祁阳市总工会 (synthetic enterprises).
UNIONS = [
    ("431181G01", "祁阳市湘江纺织有限公司工会委员会", "祁阳市湘江纺织有限公司", 1.6),
    ("431181G02", "祁阳市人民医院工会委员会", "祁阳市人民医院", 1.0),
    ("431181G03", "祁阳市城市管理和综合执法局工会委员会", "祁阳市城市管理和综合执法局", 0.8),
    ("431181G04", "祁阳市浯溪建材有限公司工会委员会", "祁阳市浯溪建材有限公司", 1.2),
    ("431181G05", "祁阳市建筑业农民工联合工会委员会", "祁阳市建筑业农民工联合工会", 1.4),
    ("431181G06", "祁阳市快递物流行业工会联合会基层委员会", "祁阳市快递物流企业", 0.6),
]
OFFICER_UNION = "431181G01"

SCHOOLS: dict[str, list[str]] = {
    HS: ["祁阳市第一中学", "祁阳市第二中学", "祁阳市第四中学", "祁阳市职业中专", "祁阳市浯溪中学"],
    VOC: ["永州职业技术学院", "湖南工业职业技术学院", "长沙民政职业技术学院", "湖南铁道职业技术学院"],
    UG: ["中南大学", "湖南大学", "湖南师范大学", "湘潭大学", "湖南科技学院", "长沙理工大学", "南华大学"],
    GRAD: ["中南大学", "湖南大学", "湖南师范大学"],
}
MAJORS: dict[str, list[str]] = {
    HS: [""],
    VOC: ["机电一体化技术", "护理", "会计", "计算机应用技术", "汽车检测与维修技术"],
    UG: ["临床医学", "土木工程", "汉语言文学", "计算机科学与技术", "机械设计制造及其自动化", "会计学"],
    GRAD: ["材料科学与工程", "公共卫生", "马克思主义理论"],
}
SURNAMES = list("王李张刘陈杨黄赵吴周徐孙胡朱高林何郭马罗唐邓蒋谢曾彭肖田邹欧")
GIVEN = list("伟芳敏静强磊军洋勇艳杰娟涛明超霞平刚华玲建国林波斌宇浩凯鹏辉俊飞鑫晨欣怡佳琪雪梅婷燕志文春海兵荣亮")
GIVEN_CHILD = list("子梓浩宇轩涵萱雨欣一诺佳怡思睿博文嘉铭晨阳俊熙若彤可馨雅琪")

# The son of the page (synthetic names): 高二 in 2019 when leukaemia was found; a year out
# for treatment; then university. Aided every school year 2019–2026 (on file since 2019).
SPECIAL_FATHER = "周建华"
SPECIAL_SON = "周子航"
SPECIAL_UNION = "431181G01"
SPECIAL_FIRST_YEAR = 2019

BANK_CODE = "QYRCB"
BANK_BIN = "623090"


@dataclass
class Plan:
    """One student aided (paid) for `years` consecutive school years from `first`, at one level."""

    level: str
    first: int
    years: int
    offset: int  # school years already studied when first aided

    @property
    def enrolment(self) -> int:
        return self.first - self.offset

    @property
    def graduation(self) -> int:
        return self.enrolment + COURSE[self.level]

    def valid(self) -> bool:
        return (
            self.years >= 1
            and self.first >= FIRST_YEAR
            and self.first + self.years - 1 <= THIS_YEAR
            and self.offset + self.years <= COURSE[self.level]
        )

    def yuan(self) -> int:
        return sum(standard_yuan(self.level, y) for y in range(self.first, self.first + self.years))


def plan_students(rng: Random, count: int, total_yuan: int) -> list[Plan]:
    """`count` students whose paid years add up to exactly `total_yuan` under the standard table."""
    levels, weights = zip(*LEVEL_WEIGHTS.items(), strict=True)
    plans: list[Plan] = []
    for _ in range(count):
        level = rng.choices(levels, weights)[0]
        while True:
            plan = Plan(
                level,
                first=rng.choice(YEARS),
                years=rng.choices([1, 2, 3, 4], [70, 20, 8, 2])[0],
                offset=rng.randrange(COURSE[level]),
            )
            if plan.valid():
                break
        plans.append(plan)
    # A local search on the difference: lengthen, shorten, move or change a student's level;
    # now and then a step away (within ¥2,000) so that it does not stick short of the figure.
    gap = total_yuan - sum(p.yuan() for p in plans)
    for _ in range(500_000):
        if gap == 0:
            return plans
        i = rng.randrange(len(plans))
        p = plans[i]
        move = rng.randrange(4)
        if move == 0:
            q = Plan(p.level, p.first, p.years + (1 if gap > 0 else -1), p.offset)
        elif move == 1:
            q = Plan(p.level, p.first + rng.choice((-1, 1)), p.years, p.offset)
        elif move == 2:
            level = rng.choice(levels)
            q = Plan(level, p.first, p.years, min(p.offset, COURSE[level] - p.years))
        else:
            q = Plan(p.level, p.first, p.years, rng.randrange(COURSE[p.level]))
        if not q.valid():
            continue
        new_gap = gap - (q.yuan() - p.yuan())
        if abs(new_gap) <= abs(gap) or (abs(new_gap) <= 2_000 and rng.random() < 0.05):
            plans[i], gap = q, new_gap
    raise RuntimeError(f"no plan of {count} students adds up to ¥{total_yuan}")


class _Ids:
    """Synthetic, valid GB 11643 numbers of 祁阳 (431181), never repeated."""

    def __init__(self, rng: Random) -> None:
        self.rng = rng
        self.used: set[str] = set()

    def number(self, born: date, *, female: bool = False) -> str:
        """The 17th digit is odd for men, even for women."""
        while True:
            seq = self.rng.randrange(500) * 2 + (0 if female else 1)
            value = id_number_with_check(f"{QIYANG}{born:%Y%m%d}{seq:03d}")
            if value not in self.used:
                self.used.add(value)
                return value

    def born(self, year: int) -> date:
        return date(year, 1, 1) + timedelta(days=self.rng.randrange(365))


@dataclass
class Family:
    """A worker (the applicant) and the student aided."""

    union: str
    father: str
    father_id: str
    student: str
    student_id: str
    plan: Plan
    relation: str
    school: str
    major: str
    membership: Membership | None = None
    applications: dict[int, StudentAidApplication] = field(default_factory=dict)


def _aware(day: date, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


@demo_step(order=55)
def load_student_aid(ctx: DemoContext) -> None:
    with unscoped():
        if Org.objects.filter(code=SPECIAL_UNION).exists():
            ctx.log("金秋助学数据已存在，跳过。")
            ctx.accounts += [DemoAccount(u, DEMO_PASSWORD, role, where) for u, _d, role, _c, where in ACCOUNTS]
            return
    rng = ctx.rng
    students, yuan = targets(ctx)
    _unions(ctx)
    users = _accounts(ctx)
    _standards()
    ids = _Ids(rng)
    special = _special_family(ids)
    plans = plan_students(rng, students - 1, yuan - SPECIAL_TOTAL_YUAN)
    families = [_family(rng, ids, plan) for plan in plans]
    live = _live_families(rng, ids)
    everyone = [special, *families, *live]
    _register(everyone)
    bank = _cards(everyone)
    _hardship_file(special)
    with tempfile.TemporaryDirectory() as tmp:
        for year in YEARS:
            _school_year(year, [special, *families], users, bank, Path(tmp))
    left = _live_demo(ctx, live, families, users)
    ctx.shared[SHARED] = left
    ctx.log(
        f"金秋助学（祁阳）：{FIRST_YEAR}–{THIS_YEAR} 学年资助 {students} 名学生，合计 ¥{yuan:,}；"
        f"{SPECIAL_SON}（示例）{SPECIAL_FIRST_YEAR}–{THIS_YEAR} 年共 ¥{SPECIAL_TOTAL_YUAN:,}。"
    )


# --- unions, accounts, standards --------------------------------------------------------------------


def _unions(ctx: DemoContext) -> None:
    rng = ctx.rng
    specs = []
    for code, name, unit, _weight in UNIONS:
        body = "".join(rng.choice(USCC_CHARSET) for _ in range(9))
        specs.append(
            OrgSpec(
                code=code,
                name=name,
                kind=OrgKind.GRASSROOTS,
                parent_code=QIYANG,
                fields={
                    "region_code": QIYANG,
                    "uscc": uscc_with_check(f"81{QIYANG}{body}"),
                    "unit_name": unit,
                    "form": "committee",
                    "founded_on": date(2008 + rng.randrange(8), 1 + rng.randrange(12), 1),
                    "employee_count": rng.randint(150, 1500),
                },
            )
        )
    org_bulk_create(actor=None, specs=specs, action="student_aid.demo.unions")


# (username, display name, role, org code, where)
ACCOUNTS = [
    ("qy_officer", "祁阳市湘江纺织有限公司工会经办人", "officer", OFFICER_UNION, "基层：祁阳市湘江纺织有限公司工会"),
    ("qy_unit", "祁阳市湘江纺织有限公司工会审核人", "reviewer", OFFICER_UNION, "基层：祁阳市湘江纺织有限公司工会"),
    ("qy_reviewer", "祁阳市总工会审批人", "reviewer", QIYANG, "县级：祁阳市总工会"),
    ("qy_county", "祁阳市总工会经办人", "officer", QIYANG, "县级：祁阳市总工会"),
]


def _accounts(ctx: DemoContext) -> dict[str, tuple[User, Scope]]:
    """qy_officer applies and qy_unit reviews at a grassroots union; at 431181 qy_reviewer approves,
    decides cross-check matches, resolves objections and checks payout batches, and qy_county
    publishes the 公示, records objections and makes the payout batches."""
    users: dict[str, tuple[User, Scope]] = {}
    for username, display, role, code, where in ACCOUNTS:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = user_create(username=username, password=DEMO_PASSWORD, display_name=display)
        grant_role(actor=None, actor_scope=None, user=user, role_name=role, org_code=code)
        ctx.accounts.append(DemoAccount(username, DEMO_PASSWORD, role, where))
        users[username] = (user, scope_for_user(user))
    return users


def _standards() -> None:
    with unscoped():
        qiyang = Org.objects.get(code=QIYANG)
    for year in YEARS:
        for level in COURSE:
            for on_file in (False, True):
                aid_standard_set(
                    actor=None,
                    scope=None,
                    org=qiyang,
                    year=year,
                    level=level,
                    on_file=on_file,
                    amount_fen=standard_yuan(level, year, on_file) * 100,
                )
    AidStandard.objects.filter(region_code=QIYANG).update(note="祁阳市总工会金秋助学资助标准（示例数据）")


# --- people ------------------------------------------------------------------------------------------


def _union_codes(rng: Random) -> str:
    codes, weights = zip(*[(u[0], u[3]) for u in UNIONS], strict=True)
    return str(rng.choices(codes, weights)[0])


def _name(rng: Random, surname: str | None = None, given: list[str] = GIVEN) -> str:
    return (surname or rng.choice(SURNAMES)) + rng.choice(given) + (rng.choice(given) if rng.random() < 0.7 else "")


def _family(rng: Random, ids: _Ids, plan: Plan, union: str | None = None, *, daughter: bool | None = None) -> Family:
    surname = rng.choice(SURNAMES)
    student_born = ids.born(plan.enrolment - AGE_AT_ENROLMENT[plan.level])
    father_born = ids.born(student_born.year - rng.randint(22, 34))
    daughter = rng.random() < 0.48 if daughter is None else daughter
    return Family(
        union=union or _union_codes(rng),
        father=_name(rng, surname),
        father_id=ids.number(father_born),
        student=_name(rng, surname, GIVEN_CHILD),
        student_id=ids.number(student_born, female=daughter),
        plan=plan,
        relation="女" if daughter else "子",
        school=rng.choice(SCHOOLS[plan.level]),
        major=rng.choice(MAJORS[plan.level]),
    )


def _special_family(ids: _Ids) -> Family:
    return Family(
        union=SPECIAL_UNION,
        father=SPECIAL_FATHER,
        father_id=ids.number(date(1975, 6, 18)),
        student=SPECIAL_SON,
        student_id=ids.number(date(2002, 9, 3)),
        plan=Plan(HS, 2019, 8, 1),  # not a course plan: `_special_application` decides each year
        relation="子",
        school="祁阳市第一中学",
        major="",
    )


# 2026 applicants for the live demo: new students at the officer's union, mostly.
LIVE_REVIEW = 2  # waiting for the grassroots review (plus one continued from 2025)
LIVE_APPROVAL = 6  # waiting for the county's approval (the cross-check demo lists four of them)
LIVE_PUBLISHED = 5  # in the open 公示


def _live_families(rng: Random, ids: _Ids) -> list[Family]:
    out = []
    for i in range(LIVE_REVIEW + LIVE_APPROVAL + LIVE_PUBLISHED):
        level = (UG, HS, VOC, UG, HS)[i % 5]
        union = OFFICER_UNION if i < LIVE_REVIEW + LIVE_APPROVAL else _union_codes(rng)
        # The third waiting for approval is a girl (妇联's 春蕾计划 lists her).
        daughter = True if i == LIVE_REVIEW + 2 else None
        out.append(_family(rng, ids, Plan(level, THIS_YEAR, 1, 0), union, daughter=daughter))
    return out


def _register(families: list[Family]) -> None:
    """The workers on their unions' rosters, through the roster import (bulk engine)."""
    rng = Random(1181)  # noqa: S311 - synthetic data
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "祁阳会员花名册.csv"
        with path.open("w", encoding="utf-8-sig", newline="") as f:
            writer = csv.writer(f)
            writer.writerow(["姓名", "公民身份号码", "手机号码", "所属工会代码", "入会日期", "工作单位"])
            units = {code: unit for code, _name, unit, _w in UNIONS}
            for n, fam in enumerate(families):
                joined = date(2010 + rng.randrange(6), 1 + rng.randrange(12), 1 + rng.randrange(28))
                writer.writerow(
                    [fam.father, fam.father_id, f"1{rng.choice('3578')}{n:09d}", fam.union, joined, units[fam.union]]
                )
        with unscoped():
            qiyang = Org.objects.get(code=QIYANG)
        summary = _run_kind("members", path, qiyang)
    if summary.rejected:
        raise RuntimeError(f"祁阳会员导入有 {summary.rejected} 行未通过：{summary.report}")
    by_index = {identity_index("1", f.father_id): f for f in families}
    with unscoped():
        for ms in Membership.objects.filter(
            person__id_index__in=list(by_index), status=MembershipStatus.ACTIVE
        ).select_related("person"):
            by_index[ms.person.id_index].membership = ms


def _run_kind(name: str, path: Path, org: Org | None) -> Any:
    """A file through the bulk engine from the console (no actor, no scope), audited as the CLI does."""
    definition = get_kind(name)
    assert definition.build is not None
    kind: Any = definition.build(actor=None, scope=None, org=org)
    summary = run_import(kind, path)
    kind.audit(summary.as_json(), str(path))
    return summary


def _card_number(seq: int) -> str:
    body = f"{BANK_BIN}{seq:012d}"
    return body + luhn.calc_check_digit(body)


def _cards(families: list[Family]) -> BankPartner:
    """Each worker's service card at the local bank: applied, the bank's issuance file imported, activated."""
    bank = BankPartner.objects.create(code=BANK_CODE, name="祁阳农村商业银行", bin_prefixes=BANK_BIN)
    for fam in families:
        assert fam.membership is not None
        card_apply(
            actor=None, scope=None, membership=fam.membership, bank=bank, consented=True, consent_note="纸质同意书"
        )
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "祁阳农商行制卡结果.csv"
        with path.open("w", encoding="utf-8-sig", newline="") as f:
            writer = csv.writer(f)
            writer.writerow(["公民身份号码", "卡号", "银行代码"])
            for n, fam in enumerate(families, start=1):
                writer.writerow([fam.father_id, _card_number(n), BANK_CODE])
        summary = _run_kind("cards", path, None)
    if summary.rejected:
        raise RuntimeError(f"制卡结果有 {summary.rejected} 行未通过：{summary.report}")
    with unscoped():
        cards = list(ServiceCard.objects.filter(bank=bank, status=CardStatus.ISSUED))
    for card in cards:
        card_transition(actor=None, scope=None, card=card, action="activate")
    return bank


def _hardship_file(special: Family) -> None:
    """The son's family on file since 2019 (建档立卡): the county's standard, the file, its authorization, filed."""
    SubsistenceStandard.objects.get_or_create(
        region_code=QIYANG, year=2019, defaults={"monthly_fen": 480_00, "note": "示例数据"}
    )
    assert special.membership is not None
    hardship = file_apply(
        actor=None,
        scope=None,
        membership=special.membership,
        level="county",
        region_code=QIYANG,
        year=2019,
        figures={
            "household_size": 4,
            "worker_monthly_income_fen": 2_600_00,
            "necessary_expense_year_fen": 12_000_00,
            "hardship_cost_year_fen": 150_000_00,
        },
        causes=["family_illness", "schooling"],
        family=[
            FamilyIn("子", SPECIAL_SON, special.student_id, "急性B淋巴细胞白血病", 0, "祁阳市第一中学"),
            FamilyIn("妻", "刘桂兰", "", "健康", 1_200_00, "个体务农"),
            FamilyIn("女", "周雨欣", "", "健康", 0, "祁阳市浯溪中学"),
        ],
        details={"health": "儿子患急性B淋巴细胞白血病，长期化疗"},
    )
    hardship = file_authorize(actor=None, scope=None, file=hardship, stored_name="示例数据：家庭经济状况核对授权委托书")
    for _step in range(3):
        hardship = file_decide(actor=None, scope=None, file=hardship, decision="approve", note="")


# --- the school years ----------------------------------------------------------------------------------


def _special_student(year: int, special: Family) -> tuple[StudentIn, bool]:
    """The son's application for `year`, and whether it continues last year's as it stands."""
    if year <= 2022:
        # 高二 in 2019; a year out for treatment, so high school ends in 2023 instead of 2021.
        graduation = 2021 if year <= 2020 else 2023
        student = StudentIn(
            name=SPECIAL_SON,
            id_number=special.student_id,
            relation="子",
            school="祁阳市第一中学",
            level=HS,
            enrolment_year=2018,
            graduation_year=graduation,
            family_on_subsistence=True,
        )
        return student, year in (2020, 2022)
    student = StudentIn(
        name=SPECIAL_SON,
        id_number=special.student_id,
        relation="子",
        school="中南大学",
        major="临床医学",
        level=UG,
        enrolment_year=2023,
        graduation_year=2028,
        tuition_fen=6_000_00,
        loan_fen=8_000_00,
        family_on_subsistence=True,
    )
    return student, year > 2023


def _apply_year(year: int, families: list[Family], special: Family) -> list[StudentAidApplication]:
    made = []
    for fam in families:
        assert fam.membership is not None
        previous = fam.applications.get(year - 1)
        if fam is special:
            if year < SPECIAL_FIRST_YEAR:
                continue
            student, continues = _special_student(year, fam)
        else:
            plan = fam.plan
            if not plan.first <= year < plan.first + plan.years:
                continue
            continues = year > plan.first
            student = StudentIn(
                name=fam.student,
                id_number=fam.student_id,
                relation=fam.relation,
                school=fam.school,
                major=fam.major,
                level=plan.level,
                enrolment_year=plan.enrolment,
                graduation_year=plan.graduation,
                tuition_fen=TUITION_FEN[plan.level],
            )
        if continues and previous is not None:
            application = application_continue(actor=None, scope=None, application=previous, promise_signed=True)
        else:
            application = member_application_apply(
                actor=None,
                person=fam.membership.person,
                membership=fam.membership,
                student=student,
                school_year=year,
                promise_signed=True,
                continued_from=previous,
            )
        fam.applications[year] = application
        made.append(application)
    return made


def _review_and_approve(applications: list[StudentAidApplication], users: dict[str, tuple[User, Scope]]) -> None:
    reviewer, reviewer_scope = users["qy_reviewer"]
    for application in applications:
        # The grassroots unions' reviews (recorded from the console for the years before the platform).
        application_decide(actor=None, scope=None, application=application, approve=True, note="情况属实")
        application_decide(actor=reviewer, scope=reviewer_scope, application=application, approve=True, note="同意资助")


def _school_year(
    year: int, families: list[Family], users: dict[str, tuple[User, Scope]], bank: BankPartner, tmp: Path
) -> None:
    """A school year's round: applications, review, approval, 公示, close, payout batch, the bank's answer."""
    special = families[0]
    applications = _apply_year(year, families, special)
    if not applications:
        return
    _review_and_approve(applications, users)
    county, county_scope = users["qy_county"]
    checker, checker_scope = users["qy_reviewer"]
    with unscoped():
        qiyang = Org.objects.get(code=QIYANG)
    publication = publication_create(
        actor=county,
        scope=county_scope,
        org=qiyang,
        school_year=year,
        days=7,
        title=f"祁阳市总工会{year}年金秋助学拟资助名单公示",
        starts_on=date(year, 9, 20),
        application_ids=[a.pk for a in applications],
    )
    publication_close(actor=county, scope=county_scope, publication=publication, on=publication.ends_on + timedelta(1))
    batch, refused = disbursement_create(actor=county, scope=county_scope, publication=publication, bank=bank)
    if refused:
        raise RuntimeError(f"{year} 年金秋助学发放有 {len(refused)} 人未能列入批次：{refused[0].reason}")
    payout_batch_submit(actor=county, scope=county_scope, batch=batch)
    payout_batch_decide(actor=checker, scope=checker_scope, batch=batch, approve=True, note="同意")
    bank_file = tmp / f"batch-{batch.pk}.txt"
    payout_bank_file(actor=county, scope=county_scope, batch=batch, path=bank_file)
    bank_file.unlink()  # full card numbers: not kept
    with unscoped():
        items = list(PayoutItem.objects.filter(batch=batch).values_list("pk", "amount_fen"))
    payout_results_apply(
        actor=county,
        scope=county_scope,
        batch=batch,
        results=[ItemResult(pk, True, fen) for pk, fen in items],
    )
    _date_back(year, publication, batch, [a.pk for a in applications])


def _date_back(year: int, publication: Publication, batch: PayoutBatch, ids: list[int]) -> None:
    """The round happened in its school year: its dates are set back to September–October of `year`."""
    today = timezone.localdate()

    def day(month: int, d: int) -> date:
        return min(date(year, month, d), today)

    with unscoped():
        StudentAidApplication.all_objects.filter(pk__in=ids).update(
            created_at=_aware(day(9, 1)),
            promised_at=_aware(day(9, 1)),
            reviewed_at=_aware(day(9, 8)),
            approved_at=_aware(day(9, 15)),
            paid_at=_aware(day(10, 15)),
        )
        Publication.all_objects.filter(pk=publication.pk).update(
            created_at=_aware(publication.starts_on), closed_at=_aware(publication.ends_on + timedelta(1))
        )
        PayoutBatch.all_objects.filter(pk=batch.pk).update(
            created_at=_aware(day(10, 8)),
            submitted_at=_aware(day(10, 8), 11),
            checked_at=_aware(day(10, 9)),
            sent_at=_aware(day(10, 10)),
            reconciled_at=_aware(day(10, 15)),
        )
        PayoutItem.all_objects.filter(batch=batch).update(settled_at=_aware(day(10, 15)))
        persons = StudentAidApplication.all_objects.filter(pk__in=ids, continued_from__isnull=True).values("person_id")
        ServiceCard.all_objects.filter(person_id__in=persons, bank=batch.bank).filter(
            activated_at__gt=_aware(day(9, 1))
        ).update(consented_at=_aware(day(3, 1)), issued_on=day(3, 20), activated_at=_aware(day(4, 1)))


# --- what the live demo starts from ------------------------------------------------------------------------


def _live_demo(
    ctx: DemoContext, live: list[Family], families: list[Family], users: dict[str, tuple[User, Scope]]
) -> dict[str, Any]:
    """2026 applications waiting for the grassroots review and for approval; an open 公示 with an objection."""
    officer, officer_scope = users["qy_officer"]
    unit, unit_scope = users["qy_unit"]
    reviewer, reviewer_scope = users["qy_reviewer"]
    county, county_scope = users["qy_county"]
    made: dict[str, list[StudentAidApplication]] = defaultdict(list)
    for i, fam in enumerate(live):
        assert fam.membership is not None
        plan = fam.plan
        student = StudentIn(
            name=fam.student,
            id_number=fam.student_id,
            relation=fam.relation,
            school=fam.school,
            major=fam.major,
            level=plan.level,
            enrolment_year=plan.enrolment,
            graduation_year=plan.graduation,
            tuition_fen=TUITION_FEN[plan.level],
            family_on_subsistence=i % 4 == 1,
        )
        at_officer = fam.union == OFFICER_UNION
        application = (
            member_application_apply(
                actor=None,
                person=fam.membership.person,
                membership=fam.membership,
                student=student,
                school_year=THIS_YEAR,
                promise_signed=True,
            )
            if not at_officer
            else _officer_apply(officer, officer_scope, fam.membership, student)
        )
        fam.applications[THIS_YEAR] = application
        stage = "review" if i < LIVE_REVIEW else "approval" if i < LIVE_REVIEW + LIVE_APPROVAL else "published"
        made[stage].append(application)
    # Last year's student continuing (prefilled from 2025), at the officer's union if one is there.
    continuing = sorted(
        (f for f in families if f.plan.first + f.plan.years - 1 == THIS_YEAR - 1 and f.plan.graduation > THIS_YEAR),
        key=lambda f: (f.union != OFFICER_UNION, f.plan.level != UG),
    )
    if continuing:
        fam = continuing[0]
        made["review"].append(
            application_continue(
                actor=officer if fam.union == OFFICER_UNION else None,
                scope=officer_scope if fam.union == OFFICER_UNION else None,
                application=fam.applications[THIS_YEAR - 1],
                promise_signed=True,
            )
        )
    for application in made["approval"]:
        application_decide(actor=unit, scope=unit_scope, application=application, approve=True, note="经核实，家庭困难")
    for application in made["published"]:
        application_decide(actor=None, scope=None, application=application, approve=True, note="情况属实")
        application_decide(actor=reviewer, scope=reviewer_scope, application=application, approve=True, note="同意资助")
    with unscoped():
        qiyang = Org.objects.get(code=QIYANG)
    today = timezone.localdate()
    publication = publication_create(
        actor=county,
        scope=county_scope,
        org=qiyang,
        school_year=THIS_YEAR,
        days=7,
        title=f"祁阳市总工会{THIS_YEAR}年金秋助学拟资助名单公示（第二批）",
        starts_on=today - timedelta(days=2),
        application_ids=[a.pk for a in made["published"]],
    )
    objection = objection_record(
        actor=county,
        scope=county_scope,
        application=made["published"][0],
        reason="来电反映该生家庭在城区经营门面，收入较高，请核实是否符合资助条件。",
        raised_by="匿名来电",
        on=today,
    )
    by_pk = {f.applications[THIS_YEAR].pk: f for f in live}
    return {
        "publication": publication.pk,
        "objection": objection.pk,
        "awaiting_review": [a.pk for a in made["review"]],
        "awaiting_approval": [a.pk for a in made["approval"]],
        # The cross-check demo lists these students on other agencies' 2026 rolls.
        "students_awaiting_approval": [(a.pk, by_pk[a.pk].student, by_pk[a.pk].student_id) for a in made["approval"]],
    }


def _officer_apply(officer: User, scope: Scope, membership: Membership, student: StudentIn) -> StudentAidApplication:
    from gonghui.student_aid.applications import application_apply

    return application_apply(
        actor=officer, scope=scope, membership=membership, student=student, school_year=THIS_YEAR, promise_signed=True
    )


# The agency lists that flag some of these students live in their own module (their step runs after these).
from gonghui.student_aid import demo_lists  # noqa: E402, F401
