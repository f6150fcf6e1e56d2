"""Demo: 铜仁华联超市's nine stores with the 五一 满减 campaign, and a year of 普惠周 (DOMAIN §3, §10).

华联超市 runs 致敬劳动者·五一促消费 (满158减20) for 铜仁市总工会's members with
their 贵州银行 service cards (issued by the cards step), a cashier account works
its till and 40 sales are on record. Then each city's quarterly 职工普惠周 and
its past weeks' sales (`demo_year`) bring the year to the page's ¥4,287.43万
spent by 122,500 members at `--scale seed`.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from gonghui.accounts.demo import DEMO_PASSWORD
from gonghui.accounts.models import User
from gonghui.accounts.services import user_create
from gonghui.benefits.models import Campaign, CampaignStatus, Merchant, MerchantOperator, RuleType, Store
from gonghui.benefits.services import transaction_record
from gonghui.cards.models import BankPartner, CardStatus, ServiceCard
from gonghui.cards.numbers import CARD_PURPOSE
from gonghui.core import crypto
from gonghui.core.demo import DemoAccount, DemoContext, demo_step
from gonghui.core.scoping import unscoped
from gonghui.orgs.models import Org

TONGREN_STORES = ["碧江店", "万山店", "松桃店", "玉屏店", "江口店", "石阡店", "思南店", "印江店", "德江店"]
CASHIER = "hl_cashier"


@demo_step(order=40)
def load_cards_and_benefits(ctx: DemoContext) -> None:
    if Merchant.all_objects.filter(name="铜仁华联超市").exists():
        ctx.log("普惠数据已存在，跳过。")
        return
    bank = BankPartner.objects.get(code="GZB")  # the cards step (order 35) issued 贵州银行's cards
    with unscoped():
        tongren = Org.objects.get(code="520600")
        cards = list(
            ServiceCard.objects.filter(
                bank=bank, status=CardStatus.ACTIVATED, org_path__startswith=tongren.path
            ).order_by("id")[:40]
        )

    merchant = Merchant.all_objects.create(
        org=tongren,
        org_path=tongren.path,
        name="铜仁华联超市",
        category="supermarket",
        region_code="520602",
        address="贵州省铜仁市碧江区",
    )
    for name in TONGREN_STORES:
        Store.objects.create(merchant=merchant, name=f"华联超市{name}", region_code="520602")
    now = timezone.now()
    campaign = Campaign.all_objects.create(
        org=tongren,
        org_path=tongren.path,
        name="致敬劳动者·五一促消费",
        status=CampaignStatus.ACTIVE,
        starts_at=now - timedelta(days=2),
        ends_at=now + timedelta(days=30),
        rule_type=RuleType.FULL_REDUCTION,
        threshold_fen=15800,
        reduction_fen=2000,
        budget_fen=ctx.scaled(2_000_000_00, 0.01),
        per_member_count=5,
        per_day_count=1,
    )
    campaign.merchants.add(merchant)
    cashier = User.objects.filter(username=CASHIER).first() or user_create(
        username=CASHIER, password=DEMO_PASSWORD, display_name="华联超市碧江店收银员"
    )
    MerchantOperator.objects.get_or_create(merchant=merchant, user=cashier, store=merchant.stores.first())
    ctx.accounts.append(DemoAccount(CASHIER, DEMO_PASSWORD, "收银员", "商户：铜仁华联超市（/benefits/till/）"))

    for i, card in enumerate(cards):
        transaction_record(
            operator=cashier,
            merchant=merchant,
            idempotency_key=f"demo-{i:04d}",
            member_code=crypto.decrypt(bytes(card.card_cipher or b""), purpose=CARD_PURPOSE),
            amount_fen=10000 + (i * 2371) % 30000,
        )
    ctx.log(f"普惠：华联超市 9 家门店，{len(cards)} 笔演示交易。")


@demo_step(order=41)
def load_year_of_benefits(ctx: DemoContext) -> None:
    from gonghui.benefits.demo_year import load_year_of_benefits as load

    if Campaign.all_objects.filter(name__endswith="职工普惠周").exists():
        ctx.log("普惠周数据已存在，跳过。")
        return
    load(ctx)
