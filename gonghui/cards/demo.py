"""Demo: 贵州银行's 工会会员服务卡 and 黔优信用卡 referrals (DOMAIN §3, §10; the page).

At `--scale seed` 372,000 approved credit cards carry ¥105.3亿 of credit lines;
at `small` 2% of it (7,440 cards, ¥2.106亿). Cards go to most of 贵州's members;
the year of payouts to them is `payouts/demo.py`'s.

History is bulk-inserted in its final states (the services' rules hold on the
rows: one live card per person).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from stdnum import luhn

from gonghui.cards.credit import NewReferral, credit_referrals_bulk_create
from gonghui.cards.models import BankPartner, CardEvent, CardEventType, CardStatus, ReferralStatus, ServiceCard
from gonghui.cards.numbers import CARD_PURPOSE, mask_card_number
from gonghui.core import crypto
from gonghui.core.demo import DemoContext, demo_step
from gonghui.core.scoping import subtree_q, unscoped
from gonghui.members.models import LIVE_STATUSES, Membership, MembershipStatus, Person
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


# --- 黔优信用卡 referrals -----------------------------------------------------------------------


def split_credit_lines(
    total_yuan: int, count: int, *, rng: Any, step_yuan: int = 1_000, low_yuan: int = 5_000, high_yuan: int = 50_000
) -> list[int]:
    """`count` credit lines in fen, each a multiple of `step_yuan` in [low, high], summing to `total_yuan` exactly.

    Drawn from a triangular distribution whose mean is the total's average, then
    nudged by single steps until the sum is exact (¥105.3亿 over 37.2万 cards).
    """
    units, low, high = total_yuan // step_yuan, low_yuan // step_yuan, high_yuan // step_yuan
    if total_yuan % step_yuan or not low * count <= units <= high * count:
        raise ValueError("total cannot be split into such lines")
    mode = min(high, max(low, 3 * units / count - low - high))
    lines = [round(rng.triangular(low, high, mode)) for _ in range(count)]
    gap = units - sum(lines)
    i = 0
    while gap:
        # Walk the lines, nudging each by one unit towards the total within its bounds.
        j = i % count
        if gap > 0 and lines[j] < high:
            lines[j] += 1
            gap -= 1
        elif gap < 0 and lines[j] > low:
            lines[j] -= 1
            gap += 1
        i += 1
    return [u * step_yuan * 100 for u in lines]


def demo_credit_referrals(
    *,
    bank: BankPartner,
    root: Org,
    approved: int,
    total_line_yuan: int,
    rng: Any,
    pending: int = 0,
    rejected: int = 0,
    member_share: float = 0.6,
    first_day: date = date(2023, 1, 1),
    last_day: date = date(2023, 7, 31),
) -> int:
    """The demo's 黔优信用卡: `approved` granted cards whose lines sum to `total_line_yuan` exactly,
    plus `pending` and `rejected` applications, referred by unions of `root`'s subtree.

    About `member_share` of the applicants are members (their live memberships in
    the subtree, nothing decrypted), the rest synthetic non-members whose numbers
    match no person. Dates fall between `first_day` and `last_day`. Set-based; the
    caller owns the transaction. Returns the number of referrals written.
    """
    from gonghui.core.idnumbers import id_number_with_check
    from gonghui.members.validation import identity_index

    total = approved + pending + rejected
    with unscoped():
        members = list(
            Membership.objects.filter(subtree_q("org_path", root.path), status__in=LIVE_STATUSES)
            .order_by("pk")
            .values_list("person_id", "person__id_index", "person__id_masked", "person__name", "org_id", "org_path")[
                : round(total * member_share)
            ]
        )
        taken = set(Person.objects.values_list("id_index", flat=True)) if len(members) < total else set()
        orgs = [(o.pk, o.path, o.region_code or "520102") for o in Org.objects.filter(subtree_q("path", root.path))]
    lines = split_credit_lines(total_line_yuan, approved, rng=rng) if approved else []
    statuses = [ReferralStatus.APPROVED] * approved + [ReferralStatus.APPLIED] * pending
    statuses += [ReferralStatus.REJECTED] * rejected
    rng.shuffle(statuses)
    span = (last_day - first_day).days
    names = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
    given = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华玉萍红玲芬建国林波斌宇浩凯鹏辉俊帅飞鑫晨欣怡佳琪雪梅婷燕"

    def referrals() -> Any:
        line = iter(lines)
        for i, status in enumerate(statuses):
            applied_on = first_day + timedelta(days=rng.randrange(span + 1))
            decided_on = min(last_day, applied_on + timedelta(days=rng.randrange(3, 16)))
            common: dict[str, Any] = {
                "bank_reference": f"QY{applied_on:%Y%m%d}{i:08d}",
                "applied_on": applied_on,
                "status": status,
                "credit_line_fen": next(line) if status == ReferralStatus.APPROVED else 0,
                "decided_on": None if status == ReferralStatus.APPLIED else decided_on,
            }
            if i < len(members):
                person_id, index, masked, name, org_id, org_path = members[i]
                yield NewReferral(
                    org_id=org_id,
                    org_path=org_path,
                    name=name,
                    person_id=person_id,
                    id_index=index,
                    id_masked=masked,
                    **common,
                )
                continue
            org_id, org_path, region = orgs[rng.randrange(len(orgs))]
            while True:
                born = date(1965, 1, 1) + timedelta(days=rng.randrange(365 * 38))
                area = region if region.isdigit() and len(region) == 6 else "520102"
                number = id_number_with_check(f"{area}{born:%Y%m%d}{rng.randrange(1000):03d}")
                index = identity_index("1", number)
                if index not in taken:
                    taken.add(index)
                    break
            name = rng.choice(names) + rng.choice(given) + (rng.choice(given) if rng.random() < 0.7 else "")
            yield NewReferral(org_id=org_id, org_path=org_path, name=name, id_number=number, **common)

    return credit_referrals_bulk_create(bank=bank, referrals=referrals())
