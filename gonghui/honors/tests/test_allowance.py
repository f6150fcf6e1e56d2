"""劳模津贴 through a payout batch: the holders of a level and above under a union, the configured amount,
once per period (a second run is refused with the existing batch), audited, through the payouts' services."""

from __future__ import annotations

import pytest
from django.test import Client

from gonghui.cards.models import BankPartner
from gonghui.cards.services import card_apply, card_issue, card_transition
from gonghui.cards.tests.test_lifecycle import card_number
from gonghui.core.errors import DomainError
from gonghui.core.models import AuditEvent
from gonghui.core.scoping import unscoped
from gonghui.core.tests.clients import client as new_client
from gonghui.honors.allowance import allowance_batch_create, allowance_holders, allowance_standard_set, level_rank
from gonghui.honors.models import AllowancePeriod, AllowanceStandard, CampaignKind, LevelFloor
from gonghui.honors.services import HonorIn, honor_record
from gonghui.honors.tests.conftest import HonorWorld
from gonghui.members.models import Membership
from gonghui.payouts.models import BatchStatus, PayoutBatch, PayoutItem, PayoutPurpose
from gonghui.payouts.services import payout_batch_cancel

pytestmark = pytest.mark.django_db


def give_card(membership: Membership, bank: BankPartner, seq: int) -> None:
    card = card_apply(actor=None, scope=None, membership=membership, bank=bank, consented=True)
    card_issue(actor=None, scope=None, card=card, card_number=card_number(seq))
    card_transition(actor=None, scope=None, card=card, action="activate")


@pytest.fixture
def bank() -> BankPartner:
    return BankPartner.objects.create(code="GZB", name="贵州银行", bin_prefixes="621795")


def holders(hw: HonorWorld, bank: BankPartner) -> None:
    """陈 省级 五一劳动奖章 (card), 周 市级 劳动模范 (card), 吴 全国劳动模范 (no card), 郑 省级 最美 (not a 劳模)."""
    honors = [
        (CampaignKind.MAY_DAY_MEDAL, "贵州省五一劳动奖章", "省级"),
        (CampaignKind.MODEL_WORKER, "六盘水市劳动模范", "市级"),
        (CampaignKind.MODEL_WORKER, "全国劳动模范", "全国"),
        (CampaignKind.MOST_BEAUTIFUL, "贵州省最美劳动者", "省级"),
    ]
    for ms, (kind, title, level) in zip(hw.members, honors, strict=True):
        honor_record(**hw.as_("city_officer"), membership=ms, honor=HonorIn(kind, title, level, "授予单位", 2024))
    give_card(hw.members[0], bank, 1)
    give_card(hw.members[1], bank, 2)


def test_levels_rank_as_typed() -> None:
    typed = ("全国", "国家级", "省部级", "省级", "自治区级", "市级", "州级", "县级", "区级", "")
    assert [level_rank(t) for t in typed] == [4, 4, 3, 3, 3, 2, 2, 1, 1, 0]


def test_the_period_is_paid_once_to_the_holders_of_the_level_and_above(hw: HonorWorld, bank: BankPartner) -> None:
    holders(hw, bank)
    standard = allowance_standard_set(
        **hw.as_("city_officer"), org=hw.tree.lps, level_floor=LevelFloor.PROVINCE,
        period=AllowancePeriod.MONTH, amount_fen=30_000,
    )  # fmt: skip
    # 省级 and 全国 劳模/工匠 only: not the 市级 劳模, not the 最美劳动者.
    assert sorted(h.name for h in allowance_holders(standard)) == ["吴师傅", "陈师傅"]

    batch, refusals = allowance_batch_create(**hw.as_("city_officer"), standard=standard, period="2026-03", bank=bank)
    assert (batch.purpose, batch.status, batch.org_id) == (
        PayoutPurpose.MODEL_WORKER,
        BatchStatus.DRAFT,
        hw.tree.lps.pk,
    )
    assert batch.reference == "2026年3月劳模津贴（520200·省部级及以上）"
    with unscoped():
        items = list(PayoutItem.all_objects.filter(batch=batch).values_list("person_id", "amount_fen"))
    assert items == [(hw.members[0].person_id, 30_000)]
    assert [(r.name, "服务卡" in r.reason) for r in refusals] == [("吴师傅", True)]
    with unscoped():
        audit = AuditEvent.objects.filter(action="honors.allowance_batch").get()
    assert audit.data["holders"] == 2 and audit.data["paid"] == 1 and audit.data["refused"] == 1

    # The same period again (typed another way): refused with the existing batch; nothing new.
    with pytest.raises(DomainError) as again:
        allowance_batch_create(**hw.as_("city_officer"), standard=standard, period="2026年3月", bank=bank)
    assert again.value.code == "honors.allowance_exists" and f"（{batch.pk}号）" in again.value.message
    with unscoped():
        assert PayoutBatch.all_objects.count() == 1

    # Another month is its own batch; a cancelled batch frees its period.
    april, _ = allowance_batch_create(**hw.as_("city_officer"), standard=standard, period="2026-04", bank=bank)
    assert april.reference.startswith("2026年4月")
    payout_batch_cancel(**hw.as_("city_officer"), batch=batch, note="金额有误")
    redo, _ = allowance_batch_create(**hw.as_("city_officer"), standard=standard, period="2026-03", bank=bank)
    assert redo.pk not in (batch.pk, april.pk)


def test_refusals_a_yearly_standard_and_scope(hw: HonorWorld, bank: BankPartner) -> None:
    holders(hw, bank)
    yearly = allowance_standard_set(
        **hw.as_("city_officer"), org=hw.tree.lps, level_floor=LevelFloor.CITY,
        period=AllowancePeriod.YEAR, amount_fen=120_000,
    )  # fmt: skip
    with pytest.raises(DomainError) as bad:
        allowance_batch_create(**hw.as_("city_officer"), standard=yearly, period="2026-03", bank=bank)
    assert bad.value.code == "honors.allowance_period_invalid"
    batch, refusals = allowance_batch_create(**hw.as_("city_officer"), standard=yearly, period="2026", bank=bank)
    with unscoped():
        assert PayoutItem.all_objects.filter(batch=batch, amount_fen=120_000).count() == 2  # 陈 and 周
    assert [r.name for r in refusals] == ["吴师傅"]
    with pytest.raises(DomainError) as foreign:
        allowance_batch_create(**hw.as_("foreign"), standard=yearly, period="2025", bank=bank)
    assert foreign.value.code == "permission_denied"
    # Nobody of the level holds a card: no empty batch blocks the period.
    national = allowance_standard_set(
        **hw.as_("city_officer"), org=hw.tree.lps, level_floor=LevelFloor.NATIONAL,
        period=AllowancePeriod.MONTH, amount_fen=50_000,
    )  # fmt: skip
    with pytest.raises(DomainError) as nobody:
        allowance_batch_create(**hw.as_("city_officer"), standard=national, period="2026-03", bank=bank)
    assert nobody.value.code == "honors.allowance_nobody_paid" and "吴师傅" in nobody.value.message
    with unscoped():
        assert PayoutBatch.all_objects.count() == 1


def test_the_page_sets_a_standard_and_makes_the_batch_once(hw: HonorWorld, bank: BankPartner) -> None:
    holders(hw, bank)
    officer: Client = new_client()
    officer.force_login(hw.users["city_officer"])
    bad = officer.post(
        "/honors/allowance/standard/", {"org_code": "", "level_floor": "3", "period": "month", "amount": "三百"}
    )
    html = bad.content.decode()
    assert bad.status_code == 200 and "大于 0 的金额" in html and 'value="三百"' in html and "error-org_code" in html
    resp = officer.post(
        "/honors/allowance/standard/", {"org_code": "520200", "level_floor": "3", "period": "month", "amount": "300"}
    )
    assert resp.status_code == 302
    page = officer.get("/honors/allowance/").content.decode()
    assert "省部级及以上 300.00 元/月" in page
    with unscoped():
        standard_id = str(AllowanceStandard.all_objects.get().pk)
    data = {"standard": standard_id, "period": "2026-05", "bank": "GZB"}
    made = officer.post("/honors/allowance/batch/", data)
    with unscoped():
        batch = PayoutBatch.all_objects.get()
    assert made.status_code == 302 and made["Location"] == f"/payouts/{batch.pk}/"
    again = officer.post("/honors/allowance/batch/", data).content.decode()
    assert "不能重复发放" in again and f"{batch.pk}号" in again and 'value="2026-05"' in again
    # A foreign officer neither sees the standard nor may pay it.
    foreign = new_client()
    foreign.force_login(hw.users["foreign"])
    assert "省部级及以上" not in foreign.get("/honors/allowance/").content.decode()
    refused = foreign.post("/honors/allowance/batch/", data)
    assert refused.status_code == 200 and "选择一个有效的选项" in refused.content.decode()
    with unscoped():
        assert PayoutBatch.all_objects.count() == 1
