"""Demo: 贵州银行's 工会会员服务卡 and 黔优信用卡 referrals (DOMAIN §3, §10; the page).

At `--scale seed` 372,000 approved credit cards carry ¥105.3亿 of credit lines;
at `small` 2% of it (7,440 cards, ¥2.106亿). Cards go to most of 贵州's members;
the year of payouts to them is `payouts/demo.py`'s.

History is bulk-inserted in its final states (the services' rules hold on the
rows: one live card per person).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone
from stdnum import luhn

from gonghui.cards.credit import demo_credit_referrals
from gonghui.cards.models import BankPartner, CardEvent, CardEventType, CardStatus, ServiceCard
from gonghui.cards.numbers import CARD_PURPOSE, mask_card_number
from gonghui.core import crypto
from gonghui.core.demo import DemoContext, demo_step
from gonghui.core.scoping import subtree_q, unscoped
from gonghui.members.models import Membership, MembershipStatus
from gonghui.orgs.models import Org

GUIZHOU = "520000"
CREDIT_CARDS = 372_000  # 黔优信用卡 granted through the unions: 37.2万 cards
CREDIT_LINE_YUAN = 10_530_000_000  # with ¥105.3亿 of credit lines
SMALL_RATIO = 0.02
CARD_SHARE = 0.72  # of 贵州's active members hold an activated card
BATCH = 5_000


def demo_card_number(seq: int) -> str:
    body = f"621795{seq:012d}"
    return body + luhn.calc_check_digit(body)


def _aware(day: date, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


@demo_step(order=35)
def load_cards(ctx: DemoContext) -> None:
    if BankPartner.objects.filter(code="GZB").exists():
        ctx.log("服务卡数据已存在，跳过。")
        return
    bank = BankPartner.objects.create(code="GZB", name="贵州银行", bin_prefixes="621795,623668")
    holders = _issue_cards(ctx, bank)
    # The payouts' demo (payouts/demo.py) pays these cardholders: (person, membership, org path, card).
    ctx.shared["card_holders"] = holders
    ctx.log(f"服务卡：{len(holders)} 张已激活。")
    ratio = 1 if ctx.is_seed else SMALL_RATIO
    with transaction.atomic(), unscoped():
        written = demo_credit_referrals(
            bank=bank,
            root=Org.objects.get(code=GUIZHOU),
            approved=round(CREDIT_CARDS * ratio),
            total_line_yuan=round(CREDIT_LINE_YUAN * ratio),
            pending=round(20_000 * ratio),
            rejected=round(40_000 * ratio),
            rng=ctx.rng,
        )
    ctx.log(f"黔优信用卡：{written} 笔推荐，其中 {round(CREDIT_CARDS * ratio)} 张获批。")


def _issue_cards(ctx: DemoContext, bank: BankPartner) -> list[tuple[int, int, str, int]]:
    """Cards for most of 贵州's active members; (person, membership, org path, card id) of the activated ones."""
    with unscoped():
        guizhou = Org.objects.get(code=GUIZHOU)
        members = list(
            Membership.objects.filter(subtree_q("org_path", guizhou.path), status=MembershipStatus.ACTIVE)
            .order_by("pk")
            .values_list("person_id", "pk", "org_id", "org_path")
        )
    rng = ctx.rng
    wanted = round(len(members) * CARD_SHARE)
    chosen = sorted(rng.sample(range(len(members)), wanted))
    today = timezone.localdate()
    cards: list[ServiceCard] = []
    for seq, i in enumerate(chosen, start=1):
        person_id, _ms, org_id, path = members[i]
        number = demo_card_number(seq)
        applied = today - timedelta(days=rng.randint(400, 1500))
        waiting = seq % 50 == 0  # one in fifty still waits for the bank
        cards.append(
            ServiceCard(
                person_id=person_id,
                bank=bank,
                org_id=org_id,
                org_path=path,
                status=CardStatus.APPLIED if waiting else CardStatus.ACTIVATED,
                card_cipher=None if waiting else crypto.encrypt(number, purpose=CARD_PURPOSE),
                card_index=None if waiting else crypto.blind_index(number, purpose=CARD_PURPOSE),
                card_masked="" if waiting else mask_card_number(number),
                consented_at=_aware(applied),
                consent_note="纸质同意书（示例数据）",
                issued_on=None if waiting else applied + timedelta(days=14),
                activated_at=None if waiting else _aware(applied + timedelta(days=20)),
            )
        )
    with transaction.atomic():
        for start in range(0, len(cards), BATCH):
            ServiceCard.all_objects.bulk_create(cards[start : start + BATCH])
        created = list(
            ServiceCard.all_objects.filter(bank=bank).values_list("pk", "org_path", "status", "consented_at")
        )
        CardEvent.all_objects.bulk_create(
            (
                CardEvent(
                    card_id=pk,
                    org_path=path,
                    event_type=CardEventType.APPLY if status == CardStatus.APPLIED else CardEventType.ACTIVATE,
                    to_status=status,
                    reason="示例数据",
                )
                for pk, path, status, _at in created
            ),
            batch_size=BATCH,
        )
    card_of = {
        person_id: pk
        for pk, person_id in ServiceCard.all_objects.filter(bank=bank, status=CardStatus.ACTIVATED).values_list(
            "pk", "person_id"
        )
    }
    return [
        (members[i][0], members[i][1], members[i][3], card_of[members[i][0]])
        for i in chosen
        if members[i][0] in card_of
    ]
