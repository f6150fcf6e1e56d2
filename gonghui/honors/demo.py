"""Demo honors (DOMAIN §5): Guizhou's two rounds of 最美劳动者 (21,000 selected at `seed`, at least 85%
front-line, more than 200 new-employment-form workers), seven new-employment-form workers with the
贵州省五一劳动奖章, 定西's 71 劳模工匠 and their lecture tours; a current campaign with a city's list
waiting at the province, and a 公示 (the shared one) with an objection.

At `small`, 2% of the counts; the seven and the 71 are kept whole. The register is written
set-based; the current campaign's 公示 goes through the services.
"""

from __future__ import annotations

import math
from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from gonghui.core.audit import audit_record
from gonghui.core.demo import DemoContext, demo_step
from gonghui.core.scoping import subtree_q, unscoped
from gonghui.honors.models import (
    AllowancePeriod,
    AllowanceStandard,
    Campaign,
    CampaignKind,
    CampaignStatus,
    HonorHeld,
    Lecture,
    LevelFloor,
    Nomination,
    NominationStatus,
    QuotaRule,
)
from gonghui.honors.services import campaign_publish
from gonghui.members.models import Membership, MembershipStatus
from gonghui.notices.models import DayBasis
from gonghui.notices.selectors import listed_entries
from gonghui.notices.services import objection_record
from gonghui.orgs.models import Org, OrgKind

MOST_BEAUTIFUL = 21_000
NEW_EMPLOYMENT_SELECTED = 216
MEDALS = 7
DINGXI_MODEL_WORKERS = 71
LECTURES = 12

ROW = ("pk", "person_id", "org_id", "org_path", "person__name")
# Where 定西's 劳模工匠 spoke (place, host) and on what.
PLACES = [
    ("马铃薯产业链工会职工之家", ""),
    ("安定区马铃薯加工园区会议室", "定西马铃薯淀粉加工企业"),
    ("陇西县中药材交易中心", "陇西中药材产业园"),
    ("定西职业技术学院报告厅", "定西职业技术学院"),
]
TOPICS = ["劳模工匠进基层", "弘扬劳模精神、劳动精神、工匠精神", "马铃薯种植技术与增收经验", "安全生产从我做起"]


def _members(qs, n: int) -> list[tuple]:  # type: ignore[no-untyped-def]
    return list(qs.filter(status=MembershipStatus.ACTIVE).order_by("pk").values_list(*ROW)[:n]) if n > 0 else []


def _held(row: tuple, **fields: object) -> HonorHeld:
    _pk, person_id, org_id, org_path, name = row
    return HonorHeld(person_id=person_id, org_id=org_id, org_path=org_path, holder_name=name, **fields)


@demo_step(order=70)
def load_honors(ctx: DemoContext) -> None:
    with unscoped():
        if HonorHeld.all_objects.exists():
            ctx.log("荣誉数据已存在，跳过。")
            return
        guizhou = Org.all_objects.get(code="520000")
        dingxi = Org.all_objects.get(code="621100")
    total = ctx.scaled(MOST_BEAUTIFUL, 0.02)
    with transaction.atomic(), unscoped():
        in_guizhou = Membership.all_objects.filter(subtree_q("org_path", guizhou.path))
        ne_count = max(ctx.scaled(NEW_EMPLOYMENT_SELECTED, 0.02) + 1, 0)
        general = _members(in_guizhou.filter(person__new_employment_type=""), total - ne_count)
        ne_all = _members(in_guizhou.exclude(person__new_employment_type=""), total - len(general) + MEDALS)
        selected, medalists = general + ne_all[: total - len(general)], ne_all[total - len(general) :]
        ctx.rng.shuffle(selected)
        front = math.ceil(len(selected) * 0.86)
        rounds = [
            Campaign.all_objects.create(
                org=guizhou,
                org_path=guizhou.path,
                kind=CampaignKind.MOST_BEAUTIFUL,
                title="贵州省最美劳动者",
                level="省级",
                awarding_body="贵州省总工会",
                year=year,
                status=CampaignStatus.ANNOUNCED,
            )
            for year in (2021, 2023)
        ]
        ne_people = {r[1] for r in ne_all}
        held = [
            _held(
                row,
                kind=CampaignKind.MOST_BEAUTIFUL,
                title="贵州省最美劳动者",
                level="省级",
                awarding_body="贵州省总工会",
                year=rounds[i % 2].year,
                campaign=rounds[i % 2],
                front_line=i < front,
                new_employment=row[1] in ne_people,
            )
            for i, row in enumerate(selected)
        ]
        medal = Campaign.all_objects.create(
            org=guizhou,
            org_path=guizhou.path,
            kind=CampaignKind.MAY_DAY_MEDAL,
            title="贵州省五一劳动奖章",
            level="省级",
            awarding_body="贵州省总工会",
            year=2025,
            status=CampaignStatus.ANNOUNCED,
        )
        held += [
            _held(
                row,
                kind=CampaignKind.MAY_DAY_MEDAL,
                title="贵州省五一劳动奖章",
                level="省级",
                awarding_body="贵州省总工会",
                year=2025,
                campaign=medal,
                front_line=True,
                new_employment=True,
            )
            for row in medalists
        ]
        in_dingxi = Membership.all_objects.filter(subtree_q("org_path", dingxi.path))
        craftsmen = _members(in_dingxi, DINGXI_MODEL_WORKERS)
        held += [
            _held(
                row,
                kind=CampaignKind.MODEL_WORKER,
                title="定西市劳模工匠",
                level="市级",
                awarding_body="定西市总工会",
                year=2024,
                front_line=True,
                new_employment=False,
            )
            for row in craftsmen
        ]
        HonorHeld.all_objects.bulk_create(held, batch_size=5_000)
        today = timezone.localdate()
        Lecture.all_objects.bulk_create(
            Lecture(
                speaker_id=row[1],
                speaker_name=row[4],
                org_id=row[2],
                org_path=row[3],
                held_on=today - timedelta(days=20 * i + 3),
                place=PLACES[i % len(PLACES)][0],
                host=PLACES[i % len(PLACES)][1],
                topic=TOPICS[i % len(TOPICS)],
                audience=ctx.rng.randint(40, 300),
            )
            for i, row in enumerate(craftsmen[:LECTURES])
        )
        current = _current_campaign(ctx, guizhou, in_guizhou, {r[1] for r in selected + medalists})
        # 劳模津贴: 定西 pays its 劳模工匠 (市级 and above) monthly; the page makes the batch.
        AllowanceStandard.all_objects.create(
            org=dingxi,
            org_path=dingxi.path,
            level_floor=LevelFloor.CITY,
            period=AllowancePeriod.MONTH,
            amount_fen=20_000,
        )
        audit_record(actor=None, action="honors.demo", org=guizhou, data={"honors": len(held)})
    ctx.log(
        f"已生成荣誉登记 {len(held):,} 条（最美劳动者 {len(selected):,} 人，五一劳动奖章 {len(medalists)} 人，"
        f"定西劳模工匠 {len(craftsmen)} 人），宣讲 {min(LECTURES, len(craftsmen))} 场；"
        f"“{current}”有一个市的名单待省总审核，另有一个公示收到一条异议。"
    )


def _current_campaign(ctx: DemoContext, guizhou: Org, in_guizhou, taken: set[int]) -> Campaign:  # type: ignore[no-untyped-def]
    """2026's 最美劳动者: a city's list of ten waiting at the province; and 2026's 五一劳动奖章 in 公示, objected to."""
    year = timezone.localdate().year
    campaign = Campaign.all_objects.create(
        org=guizhou,
        org_path=guizhou.path,
        kind=CampaignKind.MOST_BEAUTIFUL,
        title="贵州省最美劳动者",
        level="省级",
        awarding_body="贵州省总工会",
        year=year,
        places_default=30,
    )
    QuotaRule.objects.create(campaign=campaign, attribute="front_line", bound="min_share", share=Decimal("0.85"))
    QuotaRule.objects.create(campaign=campaign, attribute="new_employment", bound="min_count", count=2)
    medal = Campaign.all_objects.create(
        org=guizhou,
        org_path=guizhou.path,
        kind=CampaignKind.MAY_DAY_MEDAL,
        title="贵州省五一劳动奖章",
        level="省级",
        awarding_body="贵州省总工会",
        year=year,
        places_default=5,
    )
    cities = list(Org.all_objects.filter(parent=guizhou, kind=OrgKind.CITY_FEDERATION).order_by("code"))
    # From the newest members back: at `seed` the oldest 21,000 of Guizhou are all on the register already.
    newest = in_guizhou.filter(status=MembershipStatus.ACTIVE).order_by("-pk").values_list(*ROW)
    free = [r for r in newest[: 2_000 + len(taken)] if r[1] not in taken][:2_000]
    by_city: dict[int, list[tuple]] = {}
    for row in free:
        city = next((c for c in cities if row[3].startswith(c.path)), None)
        if city is not None:
            by_city.setdefault(city.pk, []).append(row)
    (first_pk, first_rows), (second_pk, second_rows) = sorted(by_city.items(), key=lambda kv: -len(kv[1]))[:2]
    orgs = {c.pk: c for c in cities}

    def nominations(c: Campaign, city: Org, rows: list[tuple], status: str) -> None:
        Nomination.all_objects.bulk_create(
            Nomination(
                campaign=c,
                org=city,
                org_path=city.path,
                at_org=guizhou,
                at_path=guizhou.path,
                membership_id=row[0],
                person_id=row[1],
                nominee_name=row[4],
                employer=city.name,
                deeds="扎根一线，服务群众，多次获得用户表扬。",
                front_line=i < len(rows) - 1,
                new_employment=True,
                status=status,
            )
            for i, row in enumerate(rows)
        )

    nominations(campaign, orgs[first_pk], first_rows[:10], NominationStatus.SUBMITTED)
    nominations(medal, orgs[second_pk], second_rows[:5], NominationStatus.APPROVED)
    published = campaign_publish(actor=None, scope=None, campaign=medal, days=5, day_basis=DayBasis.WORKING)
    assert published.publication is not None
    entry = listed_entries(published.publication).first()
    if entry is not None:
        objection_record(actor=None, scope=None, entry=entry, reason="反映该同志不在一线岗位工作", raised_by="匿名群众")
    return campaign
