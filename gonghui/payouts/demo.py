"""Demo: a year of payouts to 贵州银行's 工会会员服务卡 (DOMAIN §3; the page).

At `--scale seed` the paid items add up to exactly ¥9.04亿 (the page's yearly
payout through the card); at `small` 2% of it (¥1,808万). A year of batches per
city (春节慰问, 困难补助, 劳模津贴, 医疗互助) were made, checked, sent and
reconciled, a few items failed and were paid by a retry batch. One batch of
六盘水 waits for its check, so the demo accounts can walk the maker–checker flow.

History is bulk-inserted in its final states (the services' rules hold on the
rows: one pending-or-paid item per reference); the batch waiting for its check
is made through the services, as a user would. The cardholders are those the
cards' demo step (order 35) has just issued.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from gonghui.accounts.models import User
from gonghui.cards.models import BankPartner, CardStatus, ServiceCard
from gonghui.core.demo import DemoContext, demo_step, split_exactly
from gonghui.core.scoping import subtree_q, unscoped
from gonghui.members.models import Membership, MembershipStatus
from gonghui.orgs.models import Org, OrgKind
from gonghui.payouts.models import BatchStatus, ItemStatus, PayoutBatch, PayoutItem, PayoutPurpose
from gonghui.payouts.services import payout_batch_create, payout_batch_submit, payout_items_add

GUIZHOU = "520000"
PAYOUT_YUAN = 904_000_000  # ¥9.04亿
SMALL_RATIO = 0.02
BATCH = 5_000

# (purpose, reference suffix, share of the city's cardholders, relative amount, month)
PAYOUT_PLAN = [
    (PayoutPurpose.FESTIVAL, "春节慰问金", 1.0, 1.0, 1),
    (PayoutPurpose.HARDSHIP, "困难职工生活补助", 0.08, 4.0, 3),
    (PayoutPurpose.MEDICAL, "职工医疗互助金", 0.05, 2.5, 6),
    (PayoutPurpose.MODEL_WORKER, "劳模津贴", 0.01, 10.0, 9),
    (PayoutPurpose.FESTIVAL, "中秋慰问金", 1.0, 0.8, 9),
]
FAILED_EVERY = 397  # about one item in 400 bounces (closed or frozen account) and is retried


def _aware(day: date, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


@demo_step(order=36)
def load_payouts(ctx: DemoContext) -> None:
    holders = ctx.shared.get("card_holders")
    bank = BankPartner.objects.filter(code="GZB").first()
    if not holders or bank is None or PayoutBatch.all_objects.exists():
        ctx.log("代发数据已存在（或没有新发的服务卡），跳过。")
        return
    paid = _payout_history(ctx, bank, holders)
    _batch_waiting_for_check(bank)
    ctx.log(f"资金代发：历年批次合计已到账 ¥{paid / 100:,.2f}。")


def _payout_history(ctx: DemoContext, bank: BankPartner, holders: list[tuple[int, int, str, int]]) -> int:
    """A year of reconciled batches per city; returns the fen paid (exactly the page's figure, scaled)."""
    rng = ctx.rng
    with unscoped():
        cities = list(
            Org.objects.filter(parent__code=GUIZHOU, kind=OrgKind.CITY_FEDERATION)
            .order_by("code")
            .values_list("pk", "path", "name")
        )
    maker = User.objects.filter(username="lps_officer").first()
    checker = User.objects.filter(username="gz_reviewer").first()
    today = timezone.localdate()
    plan: list[tuple[Any, ...]] = []  # (city…, purpose, reference, year, month, [(person, path, card)], weights)
    for city_pk, city_path, city_name in cities:
        mine = [(p, path, card) for p, _ms, path, card in holders if path.startswith(city_path)]
        for purpose, suffix, share, weight, month in PAYOUT_PLAN:
            picked = mine if share >= 1 else rng.sample(mine, max(1, round(len(mine) * share))) if mine else []
            if picked:
                weights = [weight * rng.uniform(0.8, 1.2) for _ in picked]
                # The last twelve months: this year's batches up to now, last year's after.
                year = today.year if month < today.month else today.year - 1
                plan.append((city_pk, city_path, city_name, purpose, f"{year}年{suffix}", year, month, picked, weights))
    total_yuan = round(PAYOUT_YUAN * (1 if ctx.is_seed else SMALL_RATIO))
    flat = [w for *_, weights in plan for w in weights]
    amounts = iter(split_exactly(total_yuan, flat))

    paid_fen = 0
    with transaction.atomic():
        for city_pk, city_path, city_name, purpose, reference, year, month, picked, _weights in plan:
            day = date(year, month, 10)
            batch = PayoutBatch.all_objects.create(
                org_id=city_pk,
                org_path=city_path,
                bank=bank,
                purpose=purpose,
                reference=reference,
                title=f"{city_name}{reference}",
                status=BatchStatus.RECONCILED,
                made_by=maker,
                checked_by=checker,
                check_note="同意（示例数据）",
                submitted_at=_aware(day, 9),
                checked_at=_aware(day, 15),
                sent_at=_aware(day + timedelta(days=1)),
                reconciled_at=_aware(day + timedelta(days=3)),
            )
            items: list[PayoutItem] = []
            retry: list[PayoutItem] = []
            for n, (person_id, path, card_id) in enumerate(picked, start=1):
                fen = next(amounts) * 100
                failed = n % FAILED_EVERY == 0
                item = PayoutItem(
                    batch=batch,
                    org_path=path,
                    person_id=person_id,
                    card_id=card_id,
                    amount_fen=fen,
                    purpose=purpose,
                    reference=reference,
                    status=ItemStatus.FAILED if failed else ItemStatus.PAID,
                    failure_reason="账户状态异常（示例数据）" if failed else "",
                    settled_at=_aware(day + timedelta(days=3)),
                )
                items.append(item)
                if failed:
                    retry.append(
                        PayoutItem(
                            org_path=path,
                            person_id=person_id,
                            card_id=card_id,
                            amount_fen=fen,
                            purpose=purpose,
                            reference=reference,
                            status=ItemStatus.PAID,
                            settled_at=_aware(day + timedelta(days=12)),
                        )
                    )
                paid_fen += fen
            for chunk in _chunks(items):
                PayoutItem.all_objects.bulk_create(chunk)
            if retry:
                again = PayoutBatch.all_objects.create(
                    org_id=city_pk,
                    org_path=city_path,
                    bank=bank,
                    purpose=purpose,
                    reference=reference,
                    title=f"{city_name}{reference}（失败重发）",
                    status=BatchStatus.RECONCILED,
                    retry_of=batch,
                    made_by=maker,
                    checked_by=checker,
                    submitted_at=_aware(day + timedelta(days=5), 9),
                    checked_at=_aware(day + timedelta(days=5), 15),
                    sent_at=_aware(day + timedelta(days=6)),
                    reconciled_at=_aware(day + timedelta(days=12)),
                )
                for item in retry:
                    item.batch = again
                PayoutItem.all_objects.bulk_create(retry)
    return paid_fen


def _chunks(items: list[PayoutItem]) -> Iterator[list[PayoutItem]]:
    for start in range(0, len(items), BATCH):
        yield items[start : start + BATCH]


def _batch_waiting_for_check(bank: BankPartner) -> None:
    """六盘水's 2026 送清凉 batch, made by lps_officer through the services, waiting for gz_reviewer."""
    maker = User.objects.filter(username="lps_officer").first()
    with unscoped():
        lps = Org.objects.get(code="520200")
        holders = ServiceCard.objects.filter(bank=bank, status=CardStatus.ACTIVATED).values("person_id")
        ids = list(
            Membership.objects.filter(
                subtree_q("org_path", lps.path), status=MembershipStatus.ACTIVE, person_id__in=holders
            )
            .order_by("pk")
            .values_list("pk", flat=True)[:30]
        )
    if not ids:
        return
    batch = payout_batch_create(
        actor=maker,
        scope=None,
        org=lps,
        bank=bank,
        purpose=PayoutPurpose.OTHER,
        reference=f"{timezone.localdate().year}年夏送清凉",
        title=f"六盘水市总工会{timezone.localdate().year}年夏送清凉慰问",
    )
    payout_items_add(actor=maker, scope=None, batch=batch, items=[(pk, 20000) for pk in ids])
    payout_batch_submit(actor=maker, scope=None, batch=batch)
