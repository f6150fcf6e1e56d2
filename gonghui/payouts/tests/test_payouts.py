"""Payout batches: maker–checker, the bank file, the results, reconciliation, retries, never twice."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from django.db import IntegrityError, transaction

from gonghui.accounts.scope import scope_for_user
from gonghui.cards.models import BankPartner
from gonghui.cards.services import card_apply, card_issue, card_transition
from gonghui.cards.tests.test_lifecycle import card_number
from gonghui.core.errors import DomainError, PermissionDeniedError
from gonghui.core.models import AuditEvent
from gonghui.core.scoping import unscoped
from gonghui.core.stats import stats_collect
from gonghui.members.tests.factories import id_number, register
from gonghui.payouts.models import BatchStatus, ItemStatus, PayoutBatch, PayoutItem
from gonghui.payouts.selectors import batch_totals
from gonghui.payouts.services import (
    ItemResult,
    payout_bank_file,
    payout_batch_cancel,
    payout_batch_create,
    payout_batch_decide,
    payout_batch_retry,
    payout_batch_submit,
    payout_items_add,
    payout_results_apply,
    yuan_to_fen,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(tree, make_user):  # type: ignore[no-untyped-def]
    bank = BankPartner.objects.create(code="GZB", name="贵州银行", bin_prefixes="621795")
    members = []
    for i, name in enumerate(["王一", "李二", "张三", "赵四"]):
        ms = register(tree.courier_union, id_number(600 + i), name=name)
        if i < 3:  # 赵四 has no card
            card = card_apply(actor=None, scope=None, membership=ms, bank=bank, consented=True)
            card_issue(actor=None, scope=None, card=card, card_number=card_number(60 + i))
            card_transition(actor=None, scope=None, card=card, action="activate")
        members.append(ms)
    maker = make_user("maker", ("officer", "520201"))
    checker = make_user("checker", ("reviewer", "520201"))
    return {"tree": tree, "bank": bank, "members": members, "maker": maker, "checker": checker}


def new_batch(world, reference: str = "2025年春节慰问"):  # type: ignore[no-untyped-def]
    maker = world["maker"]
    return payout_batch_create(
        actor=maker,
        scope=scope_for_user(maker),
        org=world["tree"].courier_union,
        bank=world["bank"],
        purpose="festival",
        reference=reference,
    )


def as_maker(world, fn, **kw):  # type: ignore[no-untyped-def]
    return fn(actor=world["maker"], scope=scope_for_user(world["maker"]), **kw)


def approved(world, amounts=(50000, 50000, 30000)):  # type: ignore[no-untyped-def]
    batch = new_batch(world)
    refused = as_maker(
        world, payout_items_add, batch=batch, items=[(m.pk, a) for m, a in zip(world["members"], amounts, strict=False)]
    )
    assert refused == []
    as_maker(world, payout_batch_submit, batch=batch)
    return payout_batch_decide(
        actor=world["checker"], scope=scope_for_user(world["checker"]), batch=batch, approve=True
    )


def test_yuan_to_fen_is_exact() -> None:
    assert [yuan_to_fen(v) for v in ("500", "12.5", "1,200.05", 0.1)] == [50000, 1250, 120005, 10]
    for bad in ("0", "-1", "1.005", "abc"):
        with pytest.raises(DomainError):
            yuan_to_fen(bad)


def test_items_need_an_activated_card_and_refusals_are_by_member(world) -> None:
    batch = new_batch(world)
    members = world["members"]
    refused = as_maker(world, payout_items_add, batch=batch, items=[(members[0].pk, 50000), (members[3].pk, 50000)])
    assert [(r.membership_id, "没有贵州银行已激活的会员服务卡" in r.reason) for r in refused] == [(members[3].pk, True)]
    assert batch_totals(batch)["items"] == 1


def test_the_checker_is_never_the_maker(world) -> None:
    batch = new_batch(world)
    as_maker(world, payout_items_add, batch=batch, items=[(world["members"][0].pk, 100)])
    as_maker(world, payout_batch_submit, batch=batch)
    maker = world["maker"]
    with pytest.raises(PermissionDeniedError):  # an officer holds no check permission
        payout_batch_decide(actor=maker, scope=scope_for_user(maker), batch=batch, approve=True)
    with pytest.raises(DomainError) as same:  # and with it (console), still not the maker
        payout_batch_decide(actor=maker, scope=None, batch=batch, approve=True)
    assert same.value.code == "payout.same_person"
    returned = payout_batch_decide(
        actor=world["checker"], scope=scope_for_user(world["checker"]), batch=batch, approve=False, note="金额有误"
    )
    assert returned.status == BatchStatus.DRAFT and returned.check_note == "金额有误"


def test_a_member_is_never_paid_twice_for_one_reference(world) -> None:
    first = approved(world)
    second = new_batch(world)
    refused = as_maker(world, payout_items_add, batch=second, items=[(world["members"][0].pk, 50000)])
    assert "不能重复发放" in refused[0].reason
    other_reference = new_batch(world, reference="2025年中秋慰问")
    assert as_maker(world, payout_items_add, batch=other_reference, items=[(world["members"][0].pk, 50000)]) == []
    item = PayoutItem.all_objects.filter(batch=first).first()
    assert item is not None
    with pytest.raises(IntegrityError), transaction.atomic():  # the database's own rule, below the service
        PayoutItem.all_objects.create(
            batch=second,
            org_path=item.org_path,
            person_id=item.person_id,
            card_id=item.card_id,
            amount_fen=1,
            purpose=item.purpose,
            reference=item.reference,
        )


def test_bank_file_results_reconciliation_and_retry(world, tmp_path: Path) -> None:
    batch = approved(world)
    path = tmp_path / "gzb.csv"
    assert as_maker(world, payout_bank_file, batch=batch, path=path) == 3
    rows = list(csv.reader(path.open(encoding="utf-8-sig")))
    assert rows[0] == ["明细编号", "户名", "卡号", "金额（元）", "用途", "摘要"]
    assert [r[2] for r in rows[1:]] == [card_number(60 + i) for i in range(3)]  # the bank pays to full numbers
    assert [r[3] for r in rows[1:]] == ["500.00", "500.00", "300.00"]
    audit = AuditEvent.all_objects.get(action="payouts.bank_file")
    assert card_number(60) not in str(audit.data)
    ids = [int(r[0]) for r in rows[1:]]
    results = [
        ItemResult(ids[0], True, 50000),
        ItemResult(ids[1], False, 50000, "户名不符"),
        ItemResult(ids[2], True, 30000),
    ]
    outcome = as_maker(world, payout_results_apply, batch=batch, results=results)
    assert (outcome["paid"], outcome["failed"], outcome["paid_fen"], outcome["failed_fen"]) == (2, 1, 80000, 50000)
    batch.refresh_from_db()
    assert batch.status == BatchStatus.RECONCILED
    again = as_maker(world, payout_results_apply, batch=batch, results=results)
    assert (again["paid"], again["failed"], again["unchanged"]) == (0, 0, 3)
    contradicting = as_maker(world, payout_results_apply, batch=batch, results=[ItemResult(ids[1], True, 50000)])
    assert contradicting["refused"] == [(ids[1], "该明细已是“发放失败”")]
    assert stats_collect([world["tree"].courier_union.path])["payout_yuan"] == 800.0

    retry = as_maker(world, payout_batch_retry, batch=batch)
    with unscoped():
        carried = list(PayoutItem.objects.filter(batch=retry).values_list("person_id", "amount_fen", "status"))
    assert carried == [(world["members"][1].person_id, 50000, ItemStatus.PENDING)]
    # A paid member cannot be slipped into the retry: refused by row.
    refused = as_maker(world, payout_items_add, batch=retry, items=[(world["members"][0].pk, 50000)])
    assert len(refused) == 1 and "不能重复发放" in refused[0].reason
    with pytest.raises(DomainError) as nothing:  # and a batch without failures has nothing to retry
        as_maker(world, payout_batch_retry, batch=retry)
    assert nothing.value.code == "payout.wrong_status"
    # Pressed twice: the failed items already have their retry batch, so no second one (no double payment).
    with pytest.raises(DomainError) as twice:
        as_maker(world, payout_batch_retry, batch=batch)
    assert (twice.value.code, twice.value.status) == ("payout.retry_exists", 409)
    assert retry.title in twice.value.message
    with unscoped():
        assert PayoutBatch.all_objects.filter(retry_of=batch).count() == 1
    # Once that batch is cancelled, the failed items may be retried again.
    as_maker(world, payout_batch_cancel, batch=retry, note="重新生成")
    again_retry = as_maker(world, payout_batch_retry, batch=batch)
    assert again_retry.pk != retry.pk


def test_results_are_refused_for_unknown_items_and_wrong_amounts(world, tmp_path: Path) -> None:
    batch = approved(world)
    as_maker(world, payout_bank_file, batch=batch, path=tmp_path / "f.xlsx")
    with unscoped():
        first = PayoutItem.objects.filter(batch=batch).order_by("pk").first()
    assert first is not None
    outcome = as_maker(
        world, payout_results_apply, batch=batch, results=[ItemResult(first.pk, True, 1), ItemResult(999999, True, 5)]
    )
    assert outcome["refused"] == [(first.pk, "金额与明细不符"), (999999, "本批次没有该明细编号")]
    batch.refresh_from_db()
    assert batch.status == BatchStatus.SENT


def test_wrong_states_and_cancel(world) -> None:
    batch = new_batch(world)
    with pytest.raises(DomainError) as empty:
        as_maker(world, payout_batch_submit, batch=batch)
    assert empty.value.code == "payout.empty"
    as_maker(world, payout_items_add, batch=batch, items=[(world["members"][0].pk, 100)])
    with pytest.raises(DomainError) as early:
        as_maker(world, payout_bank_file, batch=batch, path="/tmp/never.csv")  # noqa: S108 - refused before writing
    assert early.value.code == "payout.wrong_status"
    cancelled = as_maker(world, payout_batch_cancel, batch=batch, note="重复建批")
    assert cancelled.status == BatchStatus.CANCELLED
    # A cancelled batch frees the reference: the member can be paid in a new batch.
    fresh = new_batch(world)
    assert as_maker(world, payout_items_add, batch=fresh, items=[(world["members"][0].pk, 100)]) == []
