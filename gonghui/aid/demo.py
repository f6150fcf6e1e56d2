"""Demo: Guizhou's 低保 standards and 慰问 caps, hardship files, and the 温暖服务季 (DOMAIN §4, §10).

The page: Guizhou's 温暖服务季 gave ¥236万, visited nearly 2万 workers, handed out
1.4万 insurance policies and, in 凯里, found 20 public-rental flats for 22
households. At `--scale seed` the statistics report exactly ¥2,360,000 of relief
(`relief_yuan`), 19,800 members visited, 14,000 policies and 22 housing households;
at `small` 2% of each (the 凯里 flats stay whole). Some hundreds of households
hold hardship files, made through the services and filed.
"""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone

from gonghui.aid.models import (
    FileStatus,
    HardshipFile,
    ReliefCampaign,
    ReliefEvent,
    ReliefVisit,
    WelfareRule,
)
from gonghui.aid.services import file_apply
from gonghui.aid.standards import subsistence_standard_set, welfare_rule_set
from gonghui.core.demo import DemoContext, demo_step, split_exactly
from gonghui.core.scoping import subtree_q, unscoped
from gonghui.members.models import Membership, MembershipStatus
from gonghui.orgs.models import Org

RELIEF_FEN = 2_360_000_00  # ¥236万
VISITED = 19_800  # "nearly 2万"
POLICIES = 14_000  # 1.4万
HOUSING = 22  # 凯里: 20 public-rental flats for 22 households
KAILI = "522601"
SMALL_RATIO = 0.02
# Illustrative monthly 城乡低保 standards (fen per person), per city: the demo's, not official figures.
STANDARDS = {"520000": 68_000, "520100": 80_000, "520200": 72_000, "520600": 70_000}


@demo_step(order=50)
def load_hardship_aid(ctx: DemoContext) -> None:
    if WelfareRule.objects.filter(region_code="520000").exists():
        ctx.log("帮扶数据已存在，跳过。")
        return
    year = timezone.localdate().year
    with unscoped():
        federations = {o.code: o for o in Org.objects.filter(code__in=STANDARDS)}
        guizhou = federations["520000"]
    # Each federation sets its region's standard, as its staff would on the standards page.
    for code, fen in STANDARDS.items():
        subsistence_standard_set(
            actor=None, scope=None, org=federations[code], year=year, monthly_fen=fen, note="示例数据"
        )
    # Guizhou's caps (DOMAIN §4): 春节 ≤ ¥500, other festivals ≤ ¥200 per member a year.
    for event, cap_fen in ((ReliefEvent.SPRING_FESTIVAL, 500_00), (ReliefEvent.FESTIVAL, 200_00)):
        welfare_rule_set(actor=None, scope=None, org=guizhou, event=event, cap_fen=cap_fen, note="黔工发")
    with unscoped():
        members = list(
            Membership.objects.filter(subtree_q("org_path", guizhou.path), status=MembershipStatus.ACTIVE)
            .exclude(org__region_code="")
            .order_by("pk")
            .values_list("pk", "person_id", "org_id", "org_path", "org__region_code")
        )
    files = _files(ctx, members, year)
    visits = _warm_season(ctx, guizhou, members, year)
    ctx.log(f"帮扶：{files} 户困难职工档案；温暖服务季 {visits} 次慰问。")


def _files(ctx: DemoContext, members: list[tuple[int, int, int, str, str]], year: int) -> int:
    """Households on file, through the services (assessed, audited), then filed."""
    rng = ctx.rng
    chosen = rng.sample(members, ctx.scaled(600, 0.2))
    made = []
    for ms_id, _person, _org, _path, region in chosen:
        size = rng.randint(2, 5)
        membership = Membership.all_objects.get(pk=ms_id)
        made.append(
            file_apply(
                actor=None,
                scope=None,
                membership=membership,
                level="county",
                region_code=region,
                year=year,
                figures={
                    "household_size": size,
                    "worker_monthly_income_fen": rng.randint(800, 2600) * 100,
                    "necessary_expense_year_fen": rng.choice([0, 6000_00, 12000_00]),
                    "accident": rng.random() < 0.1,
                    "hardship_cost_year_fen": 0,
                },
                causes=rng.sample(["illness", "family_illness", "schooling", "disability", "low_income"], 2),
            ).pk
        )
    HardshipFile.all_objects.filter(pk__in=made).update(
        status=FileStatus.FILED, filed_on=date(year, 3, 1), authorized_at=timezone.now(), authorization_file="示例数据"
    )
    return len(made)


def _warm_season(ctx: DemoContext, guizhou: Org, members: list[tuple[int, int, int, str, str]], year: int) -> int:
    """The 温暖服务季's visits: ¥236万 to 19,800 members, 14,000 policies, 凯里's 22 housing households."""
    rng = ctx.rng
    ratio = 1 if ctx.is_seed else SMALL_RATIO
    campaign = ReliefCampaign.all_objects.create(
        org=guizhou,
        org_path=guizhou.path,
        name=f"{year}年温暖服务季",
        starts_on=date(year, 1, 1),
        ends_on=date(year, 2, 28),
    )
    kaili = [m for m in members if m[4] == KAILI]
    others = [m for m in members if m[4] != KAILI]
    visited = round(VISITED * ratio)
    housed = rng.sample(kaili, min(HOUSING, len(kaili)))
    picked = housed + rng.sample(others, visited - len(housed))
    # Hardship visits (no provincial cap): amounts in whole yuan, adding up to the page's total exactly.
    amounts = split_exactly(round(RELIEF_FEN * ratio) // 100, [rng.uniform(0.5, 1.5) for _ in picked])
    policies = set(rng.sample(range(len(picked)), round(POLICIES * ratio)))
    rows = [
        ReliefVisit(
            campaign=campaign,
            org_id=org_id,
            org_path=path,
            person_id=person_id,
            event=ReliefEvent.HARDSHIP,
            visited_on=date(year, 1 + i % 2, 1 + i % 28),
            cash_fen=yuan * 100,
            insurance_policies=1 if i in policies else 0,
            housing=i < len(housed),
            note="公租房安置（示例数据）" if i < len(housed) else "",
        )
        for i, ((_ms, person_id, org_id, path, _region), yuan) in enumerate(zip(picked, amounts, strict=True))
    ]
    with transaction.atomic():
        ReliefVisit.all_objects.bulk_create(rows, batch_size=5_000)
    return len(rows)
