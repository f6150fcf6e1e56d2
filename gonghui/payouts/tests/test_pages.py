"""The payout pages: the maker–checker flow by hand, and who sees what.

Callers hold grants on 520201 钟山区总工会 (the members' courier union sits under
it) except `foreign`, an officer of 520102 南明区. A refused request changes
nothing: no batch moves, no item is added, no card changes state.
"""

from __future__ import annotations

from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from openpyxl import load_workbook

from gonghui.cards.models import BankPartner, CardStatus, ServiceCard
from gonghui.cards.services import card_apply, card_issue, card_transition
from gonghui.cards.tests.test_lifecycle import card_number
from gonghui.core.models import AuditEvent
from gonghui.core.scoping import unscoped
from gonghui.core.tests.clients import client as new_client
from gonghui.core.tests.forms import field_values
from gonghui.members.tests.factories import id_number, register
from gonghui.payouts.models import BatchStatus, PayoutBatch, PayoutItem
from gonghui.payouts.services import payout_batch_create

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def files_in_tmp(settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    settings.DATA_DIR = tmp_path / "data"


@pytest.fixture
def world(tree, make_user) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    bank = BankPartner.objects.create(code="GZB", name="贵州银行", bin_prefixes="621795")
    members = []
    for i, name in enumerate(["王一", "李二", "张三", "赵四"]):
        ms = register(tree.courier_union, id_number(800 + i), name=name)
        if i < 3:  # 赵四 has no card
            card = card_apply(actor=None, scope=None, membership=ms, bank=bank, consented=True)
            card_issue(actor=None, scope=None, card=card, card_number=card_number(80 + i))
            card_transition(actor=None, scope=None, card=card, action="activate")
        members.append(ms)
    outsider = register(tree.nanming, id_number(850), name="吴南明")
    users = {
        "officer": make_user("zs_officer", ("officer", "520201")),
        "reviewer": make_user("zs_reviewer", ("reviewer", "520201")),
        "viewer": make_user("zs_viewer", ("viewer", "520201")),
        "foreign": make_user("nm_officer", ("officer", "520102")),
    }
    clients = {}
    for who, user in users.items():
        c = new_client()
        c.force_login(user)
        clients[who] = c
    return {"tree": tree, "bank": bank, "members": members, "outsider": outsider, "users": users, **clients}


def state() -> tuple[Any, ...]:
    with unscoped():
        return (
            list(PayoutBatch.all_objects.order_by("pk").values_list("pk", "status", "checked_by_id")),
            list(PayoutItem.all_objects.order_by("pk").values_list("pk", "status", "amount_fen")),
            list(ServiceCard.all_objects.order_by("pk").values_list("pk", "status")),
            AuditEvent.all_objects.count(),
        )


def messages_of(resp: Any) -> list[str]:
    return [str(m) for m in resp.context["messages"]] if resp.context else []


def test_maker_fills_and_submits_checker_approves_maker_downloads_the_bank_file(world) -> None:
    officer: Client = world["officer"]
    reviewer: Client = world["reviewer"]
    m = world["members"]

    resp = officer.post(
        "/payouts/new/",
        {"org_code": "520201", "bank": "GZB", "purpose": "festival", "reference": "2026年春节慰问", "title": ""},
    )
    assert resp.status_code == 302, resp.content.decode()
    batch = PayoutBatch.all_objects.get()
    assert resp["Location"] == f"/payouts/{batch.pk}/"
    url = f"/payouts/{batch.pk}/"

    # Lines by member number and by ID number; a bad amount, an unknown key, a repeat and 赵四 (no card) refused.
    lines = "\n".join(
        [
            f"{m[0].person.member_no} 500",
            f"{id_number(801)}，300.50",
            "",
            f"{m[2].person.member_no} 五百",
            "0000999999 100",
            f"{m[0].person.member_no} 200",
            f"{m[3].person.member_no} 100",
        ]
    )
    before = state()
    resp = officer.post(f"{url}items/", {"lines": lines})
    assert resp.status_code == 200  # refused: nothing added, every line kept for correction
    refusals = resp.context["refusals"]
    assert [(n, why) for n, _text, why in refusals] == [
        (4, "金额须为正数，最多两位小数。"),
        (5, "本批次发放工会范围内没有这名会员"),
        (6, "与第 1 行是同一名会员"),
        (7, "该会员没有贵州银行已激活的会员服务卡"),
    ]
    assert refusals[0][1] == f"{m[2].person.member_no} 五百"
    assert state() == before
    # An ID number typed on a refused line is shown masked in the table, as typed in the box.
    lines2 = f"{id_number(899)} 100"
    resp = officer.post(f"{url}items/", {"lines": lines2})
    shown = resp.context["refusals"]
    assert shown == [(1, f"{id_number(899)[:6]}********{id_number(899)[-4:]} 100", "本批次发放工会范围内没有这名会员")]
    assert field_values(resp.content.decode())["lines"] == lines2
    good = "\n".join(lines.splitlines()[:2])
    resp = officer.post(f"{url}items/", {"lines": good}, follow=True)
    assert "已添加 2 条明细。" in messages_of(resp)
    assert sorted(PayoutItem.all_objects.values_list("amount_fen", flat=True)) == [30050, 50000]
    page = resp.content.decode()
    assert "800.50" in page and "王一" in page and card_number(80) not in page  # masked cards only
    assert ServiceCard.all_objects.get(person=m[0].person).card_masked in page

    # Everyone with a card, one amount: only 张三 is new.
    resp = officer.post(f"{url}items/all/", {"amount": "100"}, follow=True)
    assert "已为 1 名持卡会员添加明细，2 名已有本事项的发放记录或不符合条件，未添加。" in messages_of(resp)

    # The maker cannot approve their own batch: no button, and a hand-made POST is refused.
    resp = officer.post(f"{url}submit/", follow=True)
    assert resp.context["batch"].status == BatchStatus.SUBMITTED
    assert 'data-testid="approve"' not in resp.content.decode()
    before = state()
    resp = officer.post(f"{url}approve/", {"note": "自己批"})
    assert state() == before
    assert resp.status_code == 403

    # The viewer sees the batch but no buttons; a POST is refused and changes nothing.
    page = world["viewer"].get(url).content.decode()
    assert "待复核" in page and 'data-testid="approve"' not in page and 'data-testid="submit-batch"' not in page
    assert world["viewer"].post(f"{url}approve/", {"note": "x"}).status_code == 403
    assert state() == before

    # The checker sees the batch waiting for them and approves it.
    listing = reviewer.get("/payouts/").content.decode()
    assert "待您复核" in listing
    resp = reviewer.post(f"{url}return/", {"note": ""})
    assert state() == before and resp.status_code == 200
    assert "退回时请填写复核意见" in resp.context["note_form"].non_field_errors()[0]
    resp = reviewer.post(f"{url}approve/", {"note": "同意"}, follow=True)
    batch.refresh_from_db()
    assert (batch.status, batch.checked_by_id, batch.check_note) == (
        BatchStatus.APPROVED,
        world["users"]["reviewer"].pk,
        "同意",
    )

    # The bank file: a POST (a GET is refused), full card numbers inside, audited.
    assert officer.get(f"{url}bank-file/").status_code == 405
    assert world["reviewer"].post(f"{url}bank-file/").status_code == 403
    download = officer.post(f"{url}bank-file/")
    assert download.status_code == 200
    rows = list(load_workbook(BytesIO(b"".join(download.streaming_content))).active.iter_rows(values_only=True))
    assert sorted((r[1], r[2], r[3]) for r in rows[1:]) == [
        ("张三", card_number(82), "100.00"),
        ("李二", card_number(81), "300.50"),
        ("王一", card_number(80), "500.00"),
    ]
    batch.refresh_from_db()
    assert batch.status == BatchStatus.SENT
    assert AuditEvent.all_objects.filter(action="payouts.bank_file").count() == 1
    page = officer.get(url).content.decode()
    assert "payout_results" in page  # the way to the bank's answer


def test_foreign_and_anonymous_callers_see_nothing_and_change_nothing(world) -> None:
    with unscoped():
        batch = payout_batch_create(
            actor=world["users"]["officer"],
            scope=None,
            org=world["tree"].zhongshan,
            bank=world["bank"],
            purpose="festival",
            reference="2026年春节慰问",
        )
    card = ServiceCard.all_objects.filter(status=CardStatus.ACTIVATED).first()
    assert card is not None
    before = state()
    foreign: Client = world["foreign"]
    for url in (f"/payouts/{batch.pk}/", f"/cards/{card.pk}/", f"/cards/{card.pk}/freeze/"):
        assert foreign.get(url).status_code == 404
    for url in (f"/payouts/{batch.pk}/submit/", f"/payouts/{batch.pk}/items/all/", f"/payouts/{batch.pk}/bank-file/"):
        assert foreign.post(url, {"amount": "1"}).status_code == 404
    assert "王一" not in foreign.get("/cards/").content.decode()
    assert batch.title not in foreign.get("/payouts/").content.decode()
    anon = new_client()
    for url in ("/payouts/", f"/payouts/{batch.pk}/", "/cards/", f"/cards/{card.pk}/"):
        assert anon.get(url).status_code == 302
    assert anon.post(f"/payouts/{batch.pk}/cancel/").status_code == 302
    # A union outside the officer's scope cannot own a new batch.
    resp = world["officer"].post(
        "/payouts/new/", {"org_code": "520102", "bank": "GZB", "purpose": "festival", "reference": "x"}
    )
    assert resp.status_code == 200 and "不在您的管理范围内" in resp.content.decode()
    assert state() == before


def test_amounts_and_counts_are_grouped_by_thousands(world) -> None:
    officer: Client = world["officer"]
    m = world["members"]
    officer.post(
        "/payouts/new/",
        {"org_code": "520201", "bank": "GZB", "purpose": "festival", "reference": "大额慰问", "title": ""},
    )
    batch = PayoutBatch.all_objects.get()
    lines = f"{m[0].person.member_no} 12345.6\n{m[1].person.member_no} 3000"
    officer.post(f"/payouts/{batch.pk}/items/", {"lines": lines})
    detail = officer.get(f"/payouts/{batch.pk}/").content.decode()
    assert "12,345.60" in detail and "3,000.00" in detail  # each line
    assert '<td class="text-end font-monospace" data-testid="total-yuan">15,345.60</td>' in detail
    assert "15,345.60" in officer.get("/payouts/").content.decode()  # the list's total
