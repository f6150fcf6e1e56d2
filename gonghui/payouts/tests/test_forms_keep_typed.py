"""Refused payout lines are kept, every one, with the refused ones named by row; nothing is added until
all pass. Regression of the lines box emptied after a refusal (and the amount box, and the checker's note)."""

from __future__ import annotations

from typing import Any

import pytest

from gonghui.core.tests.forms import field_values
from gonghui.members.tests.factories import id_number
from gonghui.payouts.models import PayoutBatch, PayoutItem
from gonghui.payouts.services import payout_batch_create
from gonghui.payouts.tests.test_pages import files_in_tmp, state, world  # noqa: F401  (the fixtures)

pytestmark = pytest.mark.django_db


@pytest.fixture
def batch(world: dict[str, Any]) -> PayoutBatch:  # noqa: F811
    return payout_batch_create(
        actor=world["users"]["officer"],
        scope=None,
        org=world["tree"].zhongshan,
        bank=world["bank"],
        purpose="festival",
        reference="2026年春节慰问",
    )


def test_refused_lines_keep_every_line_and_name_each_refused_row(world, batch: PayoutBatch) -> None:  # noqa: F811
    m = world["members"]
    lines = "\n".join(
        [
            f"{id_number(800)} 500",  # good, by ID number
            f"{m[1].person.member_no} 三百",  # bad amount
            f"{m[2].person.member_no} 200",  # good
            f"{m[3].person.member_no} 100",  # no card: refused by the service
            f"{id_number(899)} 100",  # nobody
        ]
    )
    before = state()
    resp = world["officer"].post(f"/payouts/{batch.pk}/items/", {"lines": lines})
    assert resp.status_code == 200
    html = resp.content.decode()
    assert field_values(html)["lines"] == lines  # every line, ID numbers as typed
    assert [(n, why) for n, _text, why in resp.context["refusals"]] == [
        (2, "金额须为正数，最多两位小数。"),
        (4, "该会员没有贵州银行已激活的会员服务卡"),
        (5, "本批次发放工会范围内没有这名会员"),
    ]
    for reason in ("金额须为正数", "已激活的会员服务卡", "没有这名会员", "3 行未通过"):
        assert reason in html, reason
    assert id_number(899)[:6] + "********" in html  # masked in the table, beside the box that holds it
    assert state() == before and PayoutItem.all_objects.count() == 0

    # The refused rows mended (two taken out, one amount fixed): all go in at once.
    fixed = "\n".join(lines.splitlines()[:3]).replace("三百", "300")
    resp = world["officer"].post(f"/payouts/{batch.pk}/items/", {"lines": fixed})
    assert resp.status_code == 302
    assert sorted(PayoutItem.all_objects.values_list("amount_fen", flat=True)) == [200_00, 300_00, 500_00]


def test_an_empty_box_and_a_bad_amount_for_all_are_shown_on_their_forms(world, batch: PayoutBatch) -> None:  # noqa: F811
    officer = world["officer"]
    resp = officer.post(f"/payouts/{batch.pk}/items/", {"lines": "  "})
    assert resp.status_code == 200 and resp.context["lines_form"].errors["lines"]
    assert 'data-testid="error-lines"' in resp.content.decode()
    resp = officer.post(f"/payouts/{batch.pk}/items/all/", {"amount": "五百"})
    assert resp.status_code == 200
    html = resp.content.decode()
    assert 'data-testid="error-amount"' in html and "金额须为正数" in html
    assert field_values(html)["amount"] == "五百"
    assert PayoutItem.all_objects.count() == 0
