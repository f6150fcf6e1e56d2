"""Browser test: a maker builds a payout batch and submits it, a checker approves it, the maker gets the bank file."""

from __future__ import annotations

from collections.abc import Iterator
from io import BytesIO

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Browser, Playwright, expect

from gonghui.accounts.models import User
from gonghui.accounts.services import grant_role
from gonghui.cards.models import BankPartner
from gonghui.cards.services import card_apply, card_issue, card_transition
from gonghui.cards.tests.test_lifecycle import card_number
from gonghui.conftest import PASSWORD, build_tree
from gonghui.core.models import AuditEvent
from gonghui.core.tests.browser import SHOTS, open_nav
from gonghui.members.tests.factories import id_number, register
from gonghui.members.tests.test_browser_members import Pages
from gonghui.payouts.models import BatchStatus, PayoutBatch, PayoutItem

pytestmark = pytest.mark.browser


@pytest.fixture
def world(transactional_db: None) -> dict[str, object]:
    tree = build_tree()
    bank = BankPartner.objects.create(code="GZB", name="贵州银行", bin_prefixes="621795")
    members = []
    for i, name in enumerate(["王一", "李二", "张三"]):
        ms = register(tree.courier_union, id_number(900 + i), name=name)
        card = card_apply(actor=None, scope=None, membership=ms, bank=bank, consented=True)
        card_issue(actor=None, scope=None, card=card, card_number=card_number(60 + i))
        card_transition(actor=None, scope=None, card=card, action="activate")
        members.append(ms)
    for username, role in (("zs_officer", "officer"), ("zs_reviewer", "reviewer")):
        user = User.objects.create_user(username=username, password=PASSWORD)
        grant_role(actor=None, actor_scope=None, user=user, role_name=role, org_code="520201")
    return {"members": members}


@pytest.fixture
def pages(pw: Playwright, browser: Browser, live_server) -> Iterator[Pages]:
    p = Pages(browser, live_server.url, {})
    yield p
    p.close()
    assert not p.js_errors, p.js_errors


def test_maker_creates_a_batch_and_a_checker_approves_it(world, pages: Pages) -> None:
    members = world["members"]
    maker = pages.desktop("zs_officer")
    open_nav(maker, "资金代发")
    maker.get_by_test_id("new-batch").click()
    maker.get_by_label("发放工会代码").fill("520201")
    maker.get_by_label("用途").select_option(label="节日慰问金")
    maker.get_by_label("发放事项").fill("2026年春节慰问")
    maker.get_by_test_id("submit").click()
    expect(maker.get_by_test_id("batch-status")).to_have_text("草稿")

    # Two members by number, then everyone with a card at one amount (only the third is new).
    maker.get_by_label("逐人添加明细").fill(f"{members[0].person.member_no} 500\n{members[1].person.member_no} 300.5")
    maker.get_by_test_id("add-lines").click()
    expect(maker.get_by_text("已添加 2 条明细。")).to_be_visible()
    maker.get_by_label("全体持卡会员同一金额").fill("200")
    maker.get_by_test_id("add-all").click()
    expect(maker.get_by_test_id("total-items")).to_have_text("3")
    expect(maker.get_by_test_id("total-yuan")).to_have_text("1,000.50")
    expect(maker.get_by_test_id("items")).to_contain_text("**** ****")
    maker.get_by_test_id("submit-batch").click()
    expect(maker.get_by_test_id("batch-status")).to_have_text("待复核")
    expect(maker.get_by_test_id("approve")).to_have_count(0)  # never the maker's own check
    batch_url = maker.url

    checker = pages.desktop("zs_reviewer")
    open_nav(checker, "资金代发")
    expect(checker.get_by_text("待您复核")).to_be_visible()
    checker.get_by_role("link", name="2026年春节慰问 节日慰问金").click()
    checker.get_by_label("复核意见（退回时必填）").fill("金额与审批表一致")
    checker.get_by_test_id("approve").click()
    expect(checker.get_by_test_id("batch-status")).to_have_text("已复核")
    SHOTS.mkdir(parents=True, exist_ok=True)
    checker.screenshot(path=str(SHOTS / "payout-approved.png"), full_page=True)

    maker.goto(batch_url)
    with maker.expect_download() as info:
        maker.get_by_test_id("bank-file").click()
    download = info.value
    assert download.suggested_filename.endswith(".xlsx")
    with open(download.path(), "rb") as fh:
        rows = list(load_workbook(BytesIO(fh.read())).active.iter_rows(values_only=True))
    assert sorted(r[2] for r in rows[1:]) == sorted(card_number(60 + i) for i in range(3))
    maker.reload()
    expect(maker.get_by_test_id("batch-status")).to_have_text("已生成银行文件")

    batch = PayoutBatch.all_objects.get()
    assert batch.status == BatchStatus.SENT and batch.check_note == "金额与审批表一致"
    assert batch.made_by.username == "zs_officer" and batch.checked_by.username == "zs_reviewer"
    assert sorted(PayoutItem.all_objects.values_list("amount_fen", flat=True)) == [20000, 30050, 50000]
    assert list(
        AuditEvent.all_objects.filter(action__startswith="payouts.").order_by("pk").values_list("action", flat=True)
    ) == [
        "payouts.create",
        "payouts.items_add",
        "payouts.items_add",
        "payouts.submit",
        "payouts.approve",
        "payouts.bank_file",
    ]
