"""Demo: 祁阳's enterprise charity money for students, beside 金秋助学 (DOMAIN §10; the page).

The page: in 祁阳 more than ¥300万 reached students through enterprises' charity funds on top of
金秋助学. 祁阳市总工会 holds 祁阳市企业爱心助学基金 (restricted to 助学); each school year from
2017 local enterprises give to it, and a project of that year pays every 金秋助学 student the county
approved a grant beside it, through `services.student_grant_record`, so each grant shows on the
student's whole course. At `--scale seed` the grants come to ¥3,050,000 (`gonghui stats --org 431181`
gives `charity_spent_yuan` 3050000); at `small` 2% (¥61,000), in whole hundreds.

Runs after 金秋助学's demo (order 55), whose approved and paid applications it reads; the 临沂
special fund is another step (`charity/demo.py`). Registered from the app's `ready()`.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from django.utils import timezone

from gonghui.charity import services
from gonghui.charity.models import Fund
from gonghui.core.demo import DemoContext, demo_step, split_exactly
from gonghui.core.scoping import unscoped
from gonghui.core.validators import uscc_with_check
from gonghui.orgs.models import Org, OrgKind
from gonghui.orgs.services import org_create
from gonghui.student_aid.models import StudentAidApplication

QIYANG = "431181"
FUND_NAME = "祁阳市企业爱心助学基金"
SPENT_YUAN = 3_050_000  # "超过 300 万元" reached students through enterprise charity funds
SMALL_RATIO = 0.02
OPENED = date(2017, 1, 1)

# Synthetic enterprises of 祁阳 that give every year (names invented for the demo).
DONORS = [
    "祁阳市湘江纺织有限公司",
    "祁阳市浯溪建材有限公司",
    "祁阳市金盆电力有限公司",
    "祁阳市潇湘食品有限公司",
    "祁阳市祁山机械制造有限公司",
    "祁阳市永祁物流有限公司",
    "祁阳市陶铸商贸有限公司",
    "祁阳市白水农业开发有限公司",
]


def _donor_uscc(seq: int) -> str:
    return uscc_with_check(f"91{QIYANG}MA{seq:07d}")


def _qiyang() -> Org:
    """祁阳市总工会: the org tree's demo makes it; added here under 永州 (or at the root) when missing."""
    with unscoped():
        org = Org.all_objects.filter(code=QIYANG).first()
        if org is not None:
            return org
        parent = Org.all_objects.filter(code="431100").first()
    return org_create(
        actor=None,
        scope=None,
        code=QIYANG,
        name="祁阳市总工会",
        kind=OrgKind.COUNTY_FEDERATION,
        parent=parent,
        region_code=QIYANG,
    )


@demo_step(order=59)
def load_qiyang_charity(ctx: DemoContext) -> None:
    org = _qiyang()
    with unscoped():
        if Fund.all_objects.filter(org=org, name=FUND_NAME).exists():
            ctx.log("祁阳企业爱心助学基金已存在，跳过。")
            return
        grantable = list(
            StudentAidApplication.all_objects.filter(org_path__startswith=org.path, status__in=services.GRANTABLE)
            .order_by("school_year", "pk")
            .only("pk", "school_year", "amount_fen", "status")
        )
    if not grantable:
        ctx.log("祁阳没有已审批的金秋助学申请，企业爱心助学基金未载入。")
        return
    total_yuan = ctx.scaled(SPENT_YUAN // 100, SMALL_RATIO) * 100
    # Each grant in whole hundreds, in proportion to the student's 金秋助学 amount.
    grants = [h * 100 for h in split_exactly(total_yuan // 100, [a.amount_fen for a in grantable])]
    by_year: dict[int, list[tuple[StudentAidApplication, int]]] = defaultdict(list)
    for application, yuan in zip(grantable, grants, strict=True):
        by_year[application.school_year].append((application, yuan))
    fund = services.fund_create(
        actor=None,
        scope=None,
        org=org,
        name=FUND_NAME,
        kind="own",
        restricted=True,
        purpose="student_aid",
        opened_on=OPENED,
        note="本地企业捐赠，在金秋助学之外资助困难职工子女（示例数据）",
    )
    today = timezone.localdate()
    rng = ctx.rng
    for year, rows in sorted(by_year.items()):
        spend = sum(y for _, y in rows)
        gift_on, pay_on = min(date(year, 9, 1), today), min(date(year, 10, 20), today)
        # The year's gifts cover its grants with a little to spare, from some of the enterprises.
        givers = rng.sample(range(len(DONORS)), k=min(len(DONORS), 3 + rng.randrange(4)))
        for seq, hundreds in zip(givers, split_exactly((spend * 21 // 20) // 100, [1.0] * len(givers)), strict=True):
            services.donation_record(
                actor=None,
                scope=None,
                fund=fund,
                donor=services.DonorIn(kind="enterprise", name=DONORS[seq], uscc=_donor_uscc(seq + 1)),
                amount_fen=hundreds * 100_00,
                received_on=gift_on,
                note=f"{year} 年企业爱心助学捐赠",
            )
        project = services.project_create(
            actor=None,
            scope=None,
            fund=fund,
            name=f"{year} 年企业爱心助学",
            purpose="student_aid",
            budget_fen=spend * 100,
            starts_on=date(year, 9, 1),
            ends_on=date(year + 1, 8, 31),
            industry="P",
            region_code=QIYANG,
        )
        for application, yuan in rows:
            services.student_grant_record(
                actor=None,
                scope=None,
                project=project,
                application=application,
                amount_fen=yuan * 100,
                paid_on=pay_on,
                note="与金秋助学同期发放",
            )
        services.activity_record(
            actor=None,
            scope=None,
            project=project,
            name=f"{year} 年企业爱心助学金发放仪式",
            held_on=pay_on,
            region_code=QIYANG,
            participants=len(rows),
        )
    ctx.log(
        f"祁阳企业爱心助学基金：{min(by_year)}–{max(by_year)} 学年资助 {len(grantable)} 人次，"
        f"合计 ¥{total_yuan:,}（与金秋助学并列，记入学生全程资助）。"
    )
