"""The 普惠 management pages over HTTP: campaigns, merchants with their stores and cashiers, the daily settlement.

The world: 华联超市 (signed by 520200 六盘水) with its cashier (no grant) and an
active campaign, from `make_world`; 别家超市 of 520102 南明. Callers hold grants
on 520200 except `foreign`, an officer of 520102, and `cashier_staff`, a viewer on
520102 bound to 华联超市's till before cashier accounts were made by binding (such
a binding makes no cashier: staff are never cashiers). A refused request changes
nothing: every 普惠 row and the audit log stay as they were.
"""

from __future__ import annotations

from datetime import date, timedelta
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from gonghui.accounts.scope import scope_for_user
from gonghui.benefits import selectors
from gonghui.benefits.models import Campaign, CampaignStatus, Merchant, MerchantOperator, Recurrence, RuleType, Store
from gonghui.benefits.services import transaction_reverse
from gonghui.benefits.settlement import settlement_rows
from gonghui.benefits.tests.helpers import add_stores, audit_actions, local, sell, snapshot
from gonghui.benefits.tests.test_transactions import make_world
from gonghui.core.errors import NotFoundError
from gonghui.core.models import AuditEvent
from gonghui.core.tests.clients import client as new_client
from gonghui.core.validators import uscc_with_check

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def files_in_tmp(settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    settings.DATA_DIR = tmp_path / "data"


@pytest.fixture
def world(tree, make_user) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    w = make_world(tree, make_user)
    stores = add_stores(w["merchant"], "碧江店", "万山店", "水城店")
    theirs = Merchant.all_objects.create(
        org=tree.nanming, org_path=tree.nanming.path, name="别家超市", category="supermarket"
    )
    their_store = add_stores(theirs, "南明门店")[0]
    users = {
        "officer": make_user("lps_officer", ("officer", "520200")),
        "viewer": make_user("lps_viewer", ("viewer", "520200")),
        "foreign": make_user("nm_officer", ("officer", "520102")),
        "cashier_staff": make_user("cashier2", ("viewer", "520102")),
        "cashier": w["cashier"],
    }
    MerchantOperator.objects.create(merchant=w["merchant"], user=users["cashier_staff"])
    clients: dict[str, Client] = {}
    for who, user in users.items():
        c = new_client()
        c.force_login(user)
        clients[who] = c
    return {**w, "stores": stores, "theirs": theirs, "their_store": their_store, "users": users, "clients": clients}


def messages_of(resp: Any) -> list[str]:
    return [str(m) for m in resp.context["messages"]] if resp.context else []


def campaign_form(**changes: Any) -> dict[str, Any]:
    today = timezone.localdate()
    form = {
        "org_code": "520200",
        "name": "六盘水职工普惠周",
        "starts_at": today.isoformat(),
        "ends_at": (today + timedelta(days=400)).isoformat(),
        "recurrence": "quarterly",
        "occurrence_month": "1",
        "occurrence_start_day": "1",
        "occurrence_days": "7",
        "rule_type": "full_reduction",
        "threshold": "158",
        "reduction": "20",
        "discount_percent": "",
        "max_discount": "",
        "budget": "50,000",
        "per_member_count": "3",
        "per_member_amount": "",
        "per_day_count": "1",
        "per_day_amount": "",
    }
    return {**form, **changes}


# --- campaigns -------------------------------------------------------------------------------------


def test_an_officer_creates_edits_staffs_activates_and_closes_a_campaign(world) -> None:
    officer: Client = world["clients"]["officer"]
    page = officer.get("/benefits/campaigns/new/").content.decode()
    assert 'value="520200"' in page  # the officer's union, filled in

    resp = officer.post("/benefits/campaigns/new/", campaign_form())
    campaign = Campaign.all_objects.get(name="六盘水职工普惠周")
    assert resp.status_code == 302 and resp["Location"] == f"/benefits/campaigns/{campaign.pk}/"
    today = timezone.localdate()
    assert (campaign.status, campaign.recurrence, campaign.org.code) == (CampaignStatus.DRAFT, "quarterly", "520200")
    assert (campaign.threshold_fen, campaign.reduction_fen, campaign.budget_fen) == (15800, 2000, 5_000_000)
    assert (campaign.discount_percent, campaign.per_member_count, campaign.per_day_count) == (100, 3, 1)
    assert campaign.max_discount_fen is None and campaign.per_member_fen is None
    assert timezone.localtime(campaign.starts_at) == local(f"{today.isoformat()} 00:00")
    assert timezone.localtime(campaign.ends_at) == local(f"{(today + timedelta(days=401)).isoformat()} 00:00")
    url = resp["Location"]

    page = officer.get(url).content.decode()
    assert "满 158.00 元减 20.00 元" in page and "每季度第1个月1日起，连续7天" in page
    assert "每人每期普惠周最多 3 次；每人每日最多 1 次" in page
    # No merchant yet: 开始活动 would be refused, so it is not offered; the page says why.
    assert "下一期" in page and 'data-testid="activate"' not in page and 'data-testid="edit-campaign"' in page
    assert "还没有参与商户" in page and 'data-testid="activate-refusal"' in page

    # Edit the draft: the name and the budget change; the days left alone keep their times.
    form = officer.get(f"{url}edit/").context["form"]
    assert form.initial["budget"] == "50000.00" and form.initial["ends_at"] == today + timedelta(days=400)
    resp = officer.post(f"{url}edit/", campaign_form(name="六盘水职工普惠周（2026）", budget="60000"))
    assert resp.status_code == 302
    campaign.refresh_from_db()
    assert (campaign.name, campaign.budget_fen) == ("六盘水职工普惠周（2026）", 6_000_000)
    event = AuditEvent.all_objects.get(action="benefits.campaign.update")
    assert set(event.data["changes"]) == {"name", "budget_fen"}

    # Activation needs a merchant: refused, nothing changed.
    before = snapshot()
    resp = officer.post(f"{url}activate/", follow=True)
    assert any("还没有参与商户" in m for m in messages_of(resp)) and snapshot() == before

    # Two of 华联超市's three stores take part.
    a, b, _c = world["stores"]
    resp = officer.post(f"{url}participants/", {"merchant": [world["merchant"].pk], "store": [a.pk, b.pk]}, follow=True)
    assert "已保存参与商户和门店。" in messages_of(resp)
    assert list(campaign.merchants.through.objects.filter(campaign=campaign).values_list("merchant_id", flat=True)) == [
        world["merchant"].pk
    ]
    assert sorted(s.pk for s in Store.objects.filter(campaigns=campaign)) == [a.pk, b.pk]
    assert "华联超市</a>：碧江店、万山店" in resp.content.decode()
    page = resp.content.decode()
    assert 'data-testid="activate"' in page and 'data-testid="activate-refusal"' not in page

    resp = officer.post(f"{url}activate/", follow=True)
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.ACTIVE and "已办理：开始活动。" in messages_of(resp)
    page = resp.content.decode()
    assert 'data-testid="activate"' not in page and 'data-testid="edit-campaign"' not in page
    assert 'data-testid="participants-form"' in page  # participants may still change while it runs
    resp = officer.get(f"{url}edit/", follow=True)
    assert "只有筹备中的活动可以修改。" in messages_of(resp)
    before = snapshot()
    assert "当前状态为“进行中”" in " ".join(messages_of(officer.post(f"{url}activate/", follow=True)))
    assert snapshot() == before

    resp = officer.post(f"{url}close/", {"reason": "预算调整"}, follow=True)
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.CLOSED
    assert AuditEvent.all_objects.get(action="benefits.campaign.close").data["reason"] == "预算调整"
    page = resp.content.decode()
    assert 'data-testid="close"' not in page and 'data-testid="participants-form"' not in page
    assert [a for a in audit_actions() if a.startswith("benefits.campaign")] == [
        "benefits.campaign.create",
        "benefits.campaign.update",
        "benefits.campaign.participants",
        "benefits.campaign.activate",
        "benefits.campaign.close",
    ]


def test_the_campaign_list_with_its_tabs_budget_and_participants(world) -> None:
    officer: Client = world["clients"]["officer"]
    sell(world, "list-1")  # 20.00 off the active campaign's budget of 10,000.00
    page = officer.get("/benefits/campaigns/").content.decode()
    assert "致敬劳动者·五一促消费" in page and "活动期内每天" in page and "满 158.00 元减 20.00 元" in page
    assert "10,000.00" in page and "20.00 / 9,980.00" in page and "1 家商户" in page
    assert 'data-testid="new-campaign"' in page
    officer.post("/benefits/campaigns/new/", campaign_form())
    drafts = officer.get("/benefits/campaigns/?status=draft").content.decode()
    assert "六盘水职工普惠周" in drafts and "致敬劳动者" not in drafts
    assert "六盘水职工普惠周" not in officer.get("/benefits/campaigns/?status=active").content.decode()
    assert "六盘水职工普惠周" in officer.get("/benefits/campaigns/?status=bogus").content.decode()  # 全部

    # The detail: the occurrence running now is marked, the sale is listed, the budget bar moved.
    page = officer.get(f"/benefits/campaigns/{world['campaign'].pk}/").content.decode()
    assert "本期" in page and "已用 <strong>20.00</strong> 元" in page
    assert "200.00" in page  # the recent sale


@pytest.mark.parametrize(
    ("changes", "field", "reason"),
    [
        ({"rule_type": "discount"}, "discount_percent", "折扣活动请填写折扣"),
        ({"threshold": "10"}, "threshold", "“满”金额不能小于“减”金额"),
        ({"budget": "abc"}, "budget", "应为大于 0 的金额"),
        ({"budget": "0.001"}, "budget", "最多两位小数"),
        ({"per_day_count": "0"}, "per_day_count", ""),
        ({"occurrence_start_day": "29"}, "occurrence_start_day", ""),
        ({"org_code": "520102"}, "org_code", "不在您的管理范围内"),
        ({"org_code": "999999"}, "org_code", "不在您的管理范围内"),
    ],
)
def test_a_campaign_form_refusal_lands_on_its_field(world, changes: dict[str, str], field: str, reason: str) -> None:
    before = snapshot()
    resp = world["clients"]["officer"].post("/benefits/campaigns/new/", campaign_form(**changes))
    assert resp.status_code == 200
    errors = resp.context["form"].errors
    assert field in errors and reason in " ".join(errors[field]), errors
    assert snapshot() == before


def test_a_quarterly_campaign_without_a_week_in_its_period_is_refused(world) -> None:
    today = timezone.localdate()
    # Ten days with no 1st–7th of a quarter's first month in them.
    start = date(today.year + 1, 2, 10)
    form = campaign_form(starts_at=start.isoformat(), ends_at=(start + timedelta(days=10)).isoformat())
    before = snapshot()
    resp = world["clients"]["officer"].post("/benefits/campaigns/new/", form)
    assert "活动期内没有任何一期普惠周" in " ".join(resp.context["form"].errors["starts_at"])
    assert snapshot() == before
    # The same days without recurrence are a campaign of their own; a discount rule needs only its percent.
    form = campaign_form(
        starts_at=start.isoformat(),
        ends_at=(start + timedelta(days=10)).isoformat(),
        recurrence="none",
        occurrence_start_day="",
        rule_type="discount",
        discount_percent="90",
        threshold="",
        reduction="",
        max_discount="5",
    )
    assert world["clients"]["officer"].post("/benefits/campaigns/new/", form).status_code == 302
    made = Campaign.all_objects.get(name="六盘水职工普惠周")
    assert (made.rule_type, made.discount_percent, made.threshold_fen, made.max_discount_fen) == (
        RuleType.DISCOUNT,
        90,
        0,
        500,
    )
    assert (made.recurrence, made.occurrence_start_day) == (Recurrence.NONE, 1)
    page = world["clients"]["officer"].get(f"/benefits/campaigns/{made.pk}/").content.decode()
    assert "按原价的 90% 付款（9 折），单笔最多优惠 5.00 元" in page


def test_participants_name_only_merchants_in_sight(world) -> None:
    officer: Client = world["clients"]["officer"]
    url = f"/benefits/campaigns/{world['campaign'].pk}/"
    page = officer.get(url).content.decode()
    assert "碧江店" in page and "别家超市" not in page  # 南明's merchant is not offered
    before = snapshot()
    assert officer.post(f"{url}participants/", {"merchant": [world["theirs"].pk]}).status_code == 404
    assert officer.post(f"{url}participants/", {"store": [world["their_store"].pk]}).status_code == 404
    resp = officer.post(f"{url}participants/", {"merchant": ["x"]}, follow=True)
    assert "勾选的商户或门店有误。" in messages_of(resp)
    assert snapshot() == before
    # The search narrows the candidates; the campaign's own merchants stay listed.
    other = Merchant.all_objects.create(
        org=world["campaign"].org, org_path=world["campaign"].org_path, name="红星餐饮", category="catering"
    )
    page = officer.get(f"{url}?mq=红星").content.decode()
    assert f'id="merchant-{other.pk}"' in page and f'id="merchant-{world["merchant"].pk}"' in page
    assert f'id="merchant-{other.pk}"' not in officer.get(f"{url}?mq=碧江").content.decode()


# --- merchants -------------------------------------------------------------------------------------


def test_a_merchant_from_sign_up_to_the_end_of_the_partnership(world, make_user) -> None:
    officer: Client = world["clients"]["officer"]
    uscc = uscc_with_check("91520201MA6H12345")
    body = {
        "org_code": "520200",
        "name": "钟山红星餐饮",
        "category": "catering",
        "uscc": uscc[:-1] + ("0" if uscc[-1] != "0" else "1"),
        "region_code": "520201",
        "address": "钟山区人民路 1 号",
    }
    before = snapshot()
    resp = officer.post("/benefits/merchants/new/", body)
    assert resp.status_code == 200 and "uscc" in resp.context["form"].errors and snapshot() == before
    resp = officer.post("/benefits/merchants/new/", {**body, "uscc": uscc, "region_code": "12"})
    assert "region_code" in resp.context["form"].errors and snapshot() == before
    resp = officer.post("/benefits/merchants/new/", {**body, "uscc": uscc})
    merchant = Merchant.all_objects.get(name="钟山红星餐饮")
    url = f"/benefits/merchants/{merchant.pk}/"
    assert resp["Location"] == url and merchant.uscc == uscc and merchant.org.code == "520200"
    page = officer.get(url).content.decode()
    assert uscc in page and "餐饮" in page and "钟山区人民路 1 号" in page and 'data-testid="deactivate"' in page

    # The list finds it by name and by USCC; the category and status tabs filter.
    assert "钟山红星餐饮" in officer.get("/benefits/merchants/", {"q": "红星"}).content.decode()
    assert "钟山红星餐饮" in officer.get("/benefits/merchants/", {"q": uscc.lower()}).content.decode()
    assert "钟山红星餐饮" not in officer.get("/benefits/merchants/", {"category": "supermarket"}).content.decode()
    assert "钟山红星餐饮" not in officer.get("/benefits/merchants/", {"active": "0"}).content.decode()

    resp = officer.post(f"{url}edit/", {**body, "uscc": uscc, "address": "钟山区人民路 2 号"})
    merchant.refresh_from_db()
    assert resp.status_code == 302 and merchant.address == "钟山区人民路 2 号"

    # Stores: add (a bad region refused on its field), edit, close, reopen.
    resp = officer.post(f"{url}stores/new/", {"name": "人民路店", "region_code": "99"})
    assert resp.status_code == 200 and "region_code" in resp.context["form"].errors
    resp = officer.post(f"{url}stores/new/", {"name": "人民路店", "address": "人民路 2 号", "region_code": "520201"})
    store = Store.objects.get(merchant=merchant)
    assert resp.status_code == 302 and store.region_code == "520201"
    officer.post(f"{url}stores/{store.pk}/edit/", {"name": "人民路旗舰店", "address": "人民路 2 号"})
    store.refresh_from_db()
    assert store.name == "人民路旗舰店"
    officer.post(f"{url}stores/{store.pk}/close/")
    store.refresh_from_db()
    assert not store.is_active
    assert 'data-testid="reopen-store-' in officer.get(url).content.decode()
    officer.post(f"{url}stores/{store.pk}/reopen/")
    store.refresh_from_db()
    assert store.is_active
    assert officer.post(f"{url}stores/{store.pk}/explode/").status_code == 404
    assert officer.post(f"{url}stores/{world['stores'][0].pk}/close/").status_code == 404  # another merchant's

    # Cashier accounts: made for the merchant (a weak password is refused on the form), moved to a
    # store, unbound (and so deactivated).
    body = {"display_name": "人民路1号台", "password": "12345678", "store": ""}
    resp = officer.post(f"{url}operators/", body)
    assert resp.status_code == 200 and "password" in resp.context["form"].errors
    assert not MerchantOperator.objects.filter(merchant=merchant).exists()
    body["password"] = "Till-password-2026"
    resp = officer.post(f"{url}operators/", body, follow=True)
    link = MerchantOperator.objects.select_related("user").get(merchant=merchant)
    username = f"cashier{merchant.pk}-1"
    assert link.user.username == username and link.user.display_name == "人民路1号台"
    assert f"已新建收银员账户，用户名“{username}”" in " ".join(messages_of(resp))
    resp = officer.post(f"{url}operators/{link.pk}/store/", {"store": store.pk}, follow=True)
    link.refresh_from_db()
    assert link.store_id == store.pk and f"收银员账户“{username}”已改为门店“人民路旗舰店”。" in messages_of(resp)
    assert officer.post(f"{url}operators/{link.pk}/store/", {"store": world["stores"][0].pk}).status_code == 404
    assert officer.post(f"{url}operators/{link.pk}/store/", {"store": "9" * 30}).status_code == 404
    resp = officer.post(f"{url}operators/", {**body, "store": world["stores"][0].pk})
    assert resp.status_code == 200 and "store" in resp.context["form"].errors  # not this merchant's store
    officer.post(f"{url}operators/{link.pk}/unbind/")
    assert not MerchantOperator.objects.filter(merchant=merchant).exists()
    link.user.refresh_from_db()
    assert not link.user.is_active

    resp = officer.post(f"{url}deactivate/", {"reason": "合同到期"}, follow=True)
    merchant.refresh_from_db()
    assert not merchant.is_active and "已停止合作" in resp.content.decode()
    page = resp.content.decode()
    assert 'data-testid="deactivate"' not in page and 'data-testid="store-form"' not in page
    before = snapshot()
    assert "已经停止合作" in " ".join(messages_of(officer.post(f"{url}deactivate/", follow=True)))
    assert snapshot() == before
    assert [a for a in audit_actions() if a.startswith(("benefits.merchant", "benefits.store", "benefits.op"))] == [
        "benefits.merchant.create",
        "benefits.merchant.update",
        "benefits.store.create",
        "benefits.store.update",
        "benefits.store.update",
        "benefits.store.update",
        "benefits.operator.bind",
        "benefits.operator.move",
        "benefits.operator.unbind",
        "benefits.merchant.deactivate",
    ]


# --- the daily settlement --------------------------------------------------------------------------


def test_the_settlement_page_and_its_download(world) -> None:
    officer: Client = world["clients"]["officer"]
    a, b, _c = world["stores"]
    sell(world, "s-1", store=a)
    sell(world, "s-2", card=1, store=b, amount=30000)
    refund = sell(world, "s-3", card=2, store=b).transaction
    transaction_reverse(operator=world["cashier"], merchant=world["merchant"], sale=refund)

    resp = officer.get("/benefits/settlement/")
    today = timezone.localdate()
    assert resp.context["form"]["date_from"].value() == (today - timedelta(days=6)).isoformat()
    found = resp.context["settlement"]
    assert (found.date_from, found.date_to) == (today - timedelta(days=6), today)
    assert [(r.store, r.sales, r.discount_fen, r.reversals, r.settle_fen) for r in found.rows] == [
        ("万山店", 2, 4000, 1, 2000),
        ("碧江店", 1, 2000, 0, 2000),
    ]
    page = resp.content.decode()
    assert "700.00" in page and 'data-testid="total-settle">40.00' in page

    # One merchant, and a period of one earlier day: nothing in it.
    resp = officer.get("/benefits/settlement/", {"merchant": world["merchant"].pk})
    assert len(resp.context["settlement"].rows) == 2
    day = (today - timedelta(days=30)).isoformat()
    resp = officer.get("/benefits/settlement/", {"date_from": day, "date_to": day})
    assert resp.context["settlement"].rows == [] and "这段时间没有普惠交易" in resp.content.decode()
    # Refusals: a period backwards, a merchant not in sight.
    resp = officer.get("/benefits/settlement/", {"date_from": today.isoformat(), "date_to": day})
    assert resp.context["settlement"] is None and "结束日期早于开始日期" in resp.content.decode()
    resp = officer.get("/benefits/settlement/", {"merchant": world["theirs"].pk})
    assert resp.context["settlement"] is None and "merchant" in resp.context["form"].errors

    # The download: every row, the totals line, audited once.
    download = officer.get("/benefits/settlement/export/", {"merchant": world["merchant"].pk})
    assert download.status_code == 200 and download["Content-Disposition"].startswith("attachment")
    rows = list(load_workbook(BytesIO(b"".join(download.streaming_content))).active.iter_rows(values_only=True))
    assert rows[0][0] == "商户" and [r[2] for r in rows[1:-1]] == ["万山店", "碧江店"]
    assert rows[-1][0] == "合计" and float(rows[-1][9]) == 40.0
    event = AuditEvent.all_objects.get(action="benefits.settlement.export")
    assert (event.actor_id, event.data["rows"], event.data["settle_fen"]) == (world["users"]["officer"].pk, 2, 4000)
    before = snapshot()
    resp = officer.get("/benefits/settlement/export/", {"date_from": today.isoformat(), "date_to": day})
    assert resp.status_code == 302 and resp["Location"].startswith("/benefits/settlement/?")
    assert snapshot() == before


def test_the_pages_cost_the_same_queries_for_one_row_or_many(world, tree, make_user) -> None:
    officer: Client = world["clients"]["officer"]
    campaign, merchant = world["campaign"], world["merchant"]
    urls = [
        "/benefits/campaigns/",
        f"/benefits/campaigns/{campaign.pk}/",
        "/benefits/merchants/",
        f"/benefits/merchants/{merchant.pk}/",
        "/benefits/settlement/",
    ]

    def counts() -> list[int]:
        found = []
        for url in urls:
            with CaptureQueriesContext(connection) as queries:
                assert officer.get(url).status_code == 200
            found.append(len(queries))
        return found

    campaign.stores.add(world["stores"][0])  # with none named, no query looks them up
    sell(world, "q-0", store=world["stores"][0])
    few = counts()
    for i in range(4):
        other = Merchant.all_objects.create(org=tree.lps, org_path=tree.lps.path, name=f"商户{i}", category="other")
        shop = add_stores(other, f"门店{i}甲", f"门店{i}乙")[0]
        more = Campaign.all_objects.create(
            org=tree.lps,
            org_path=tree.lps.path,
            name=f"活动{i}",
            starts_at=campaign.starts_at,
            ends_at=campaign.ends_at,
            rule_type=RuleType.FIXED,
            reduction_fen=100,
            budget_fen=10_000,
        )
        more.merchants.add(other)
        more.stores.add(shop)
        campaign.merchants.add(other)
        campaign.stores.add(shop)
        add_stores(merchant, f"新店{i}")
        MerchantOperator.objects.create(merchant=merchant, user=make_user(f"till{i}"))
        sell(world, f"q-{i + 1}", card=i % 3, store=world["stores"][i % 3])
    assert counts() == few


# --- who may do what -------------------------------------------------------------------------------


def _urls(world: dict[str, Any]) -> tuple[list[str], list[str]]:
    c, m = world["campaign"].pk, world["merchant"].pk
    store = world["stores"][0].pk
    op = MerchantOperator.objects.get(merchant=world["merchant"], user=world["cashier"]).pk
    pages = [
        "/benefits/campaigns/",
        f"/benefits/campaigns/{c}/",
        "/benefits/merchants/",
        f"/benefits/merchants/{m}/",
        "/benefits/settlement/",
    ]
    posts = [
        "/benefits/campaigns/new/",
        f"/benefits/campaigns/{c}/edit/",
        f"/benefits/campaigns/{c}/participants/",
        f"/benefits/campaigns/{c}/activate/",
        f"/benefits/campaigns/{c}/close/",
        "/benefits/merchants/new/",
        f"/benefits/merchants/{m}/edit/",
        f"/benefits/merchants/{m}/deactivate/",
        f"/benefits/merchants/{m}/stores/new/",
        f"/benefits/merchants/{m}/stores/{store}/edit/",
        f"/benefits/merchants/{m}/stores/{store}/close/",
        f"/benefits/merchants/{m}/operators/",
        f"/benefits/merchants/{m}/operators/{op}/store/",
        f"/benefits/merchants/{m}/operators/{op}/unbind/",
    ]
    return pages, posts


BODY = {
    "name": "改",
    "merchant": [],
    "reason": "x",
    "display_name": "收银台",
    "password": "Till-password-2026",
    "org_code": "520200",
    "category": "other",
}


def test_a_viewer_sees_everything_and_changes_nothing(world) -> None:
    viewer: Client = world["clients"]["viewer"]
    sell(world, "v-1")
    pages, posts = _urls(world)
    for url in pages:
        resp = viewer.get(url)
        assert resp.status_code == 200, url
        page = resp.content.decode()
        for button in ("new-campaign", "new-merchant", "activate", "close", "participants-form", "deactivate", "bind"):
            assert f'data-testid="{button}"' not in page, (url, button)
    assert viewer.get("/benefits/settlement/export/").status_code == 200  # a download is a read
    before = snapshot()
    for url in posts:
        assert viewer.post(url, BODY).status_code == 403, url
    for url in ("/benefits/campaigns/new/", "/benefits/merchants/new/", pages[1] + "edit/"):
        assert viewer.get(url).status_code == 403, url
    assert snapshot() == before


def test_cashiers_strangers_and_anonymous_callers_reach_no_management_page(world) -> None:
    pages, posts = _urls(world)
    sell(world, "x-1")
    before = snapshot()
    cashier: Client = world["clients"]["cashier"]
    assert cashier.get("/benefits/till/").status_code == 200  # the till is theirs
    for url in [*pages, "/benefits/settlement/export/", "/benefits/campaigns/new/"]:
        assert cashier.get(url).status_code == 403, url
    for url in posts:
        assert cashier.post(url, BODY).status_code == 403, url
    # Another union's officer: its lists are empty of ours, and our records are not found.
    foreign: Client = world["clients"]["foreign"]
    for url in (pages[1], pages[3], *posts[1:5], *posts[6:]):
        assert foreign.get(url).status_code in (404, 405) and foreign.post(url, BODY).status_code == 404, url
    assert "华联超市" not in foreign.get("/benefits/merchants/").content.decode()
    assert "别家超市" in foreign.get("/benefits/merchants/").content.decode()
    assert "致敬劳动者" not in foreign.get("/benefits/campaigns/").content.decode()
    assert foreign.get("/benefits/settlement/").context["settlement"].rows == []
    # 南明 cannot own a campaign or a merchant of 六盘水.
    resp = foreign.post("/benefits/campaigns/new/", campaign_form())
    assert resp.status_code == 200 and "不在您的管理范围内" in resp.content.decode()
    # A cashier who is staff elsewhere manages nothing of its own merchant through these pages.
    both: Client = world["clients"]["cashier_staff"]
    assert both.get(pages[1]).status_code == 404 and both.get(pages[3]).status_code == 404
    assert "华联超市" not in both.get("/benefits/merchants/").content.decode()
    assert "致敬劳动者" not in both.get("/benefits/campaigns/").content.decode()
    assert both.get("/benefits/settlement/").context["settlement"].rows == []
    anon = new_client()
    for url in [*pages, *posts, "/benefits/settlement/export/"]:
        assert anon.get(url).status_code == 302, url
        assert anon.post(url, BODY).status_code == 302, url
    assert snapshot() == before


def test_staff_only_reads_leave_out_what_the_caller_sees_as_a_cashier(world) -> None:
    sale = sell(world, "so-1").transaction
    scope = scope_for_user(world["users"]["cashier"])  # 华联超市's cashier account, no grant
    merchant, campaign = world["merchant"], world["campaign"]
    assert merchant in selectors.merchant_list(scope=scope)
    assert merchant not in selectors.merchant_list(scope=scope, staff_only=True)
    assert campaign in selectors.campaign_list(scope=scope)
    assert campaign not in selectors.campaign_list(scope=scope, staff_only=True)
    assert sale in selectors.sale_list(scope=scope)
    assert sale not in selectors.sale_list(scope=scope, staff_only=True)
    assert selectors.store_lookup(scope=scope, pk=world["stores"][0].pk) == world["stores"][0]
    with pytest.raises(NotFoundError):
        selectors.store_lookup(scope=scope, pk=world["stores"][0].pk, staff_only=True)
    with pytest.raises(NotFoundError):
        selectors.campaign_get(scope=scope, pk=campaign.pk, staff_only=True)
    today = timezone.localdate()
    assert len(settlement_rows(scope=scope, date_from=today, date_to=today).rows) == 1
    assert settlement_rows(scope=scope, date_from=today, date_to=today, staff_only=True).rows == []
    # Staff of another union bound to the till (before the rule) see nothing of the merchant through it.
    staff = scope_for_user(world["users"]["cashier_staff"])
    assert merchant not in selectors.merchant_list(scope=staff)
    assert campaign not in selectors.campaign_list(scope=staff)
    assert sale not in selectors.sale_list(scope=staff)
    with pytest.raises(NotFoundError):
        selectors.store_lookup(scope=staff, pk=world["stores"][0].pk)
    assert settlement_rows(scope=staff, date_from=today, date_to=today).rows == []
    scope = staff
    # The participants form's candidates: the campaign's own merchants (stopped ones too), then active ones.
    officer = scope_for_user(world["users"]["officer"])
    stopped = Merchant.all_objects.create(org=merchant.org, org_path=merchant.org_path, name="停业", category="other")
    idle = Merchant.all_objects.create(
        org=merchant.org, org_path=merchant.org_path, name="闲置商户", category="other", is_active=False
    )
    campaign.merchants.add(stopped)
    Merchant.all_objects.filter(pk=stopped.pk).update(is_active=False)
    found = selectors.participant_candidates(scope=officer, campaign=campaign)
    assert {m.name for m in found} == {"华联超市", "停业"}  # 闲置商户: inactive and not taking part
    assert [s.name for m in found if m == merchant for s in m.stores.all()] == ["碧江店", "万山店", "水城店"]
    assert idle not in found
    # The cashier who is a viewer on 南明 is offered 南明's merchant, not its own (seen only from the till).
    assert [m.name for m in selectors.participant_candidates(scope=scope, campaign=campaign)] == ["别家超市"]


def test_the_navigation_leads_staff_to_the_campaigns(world) -> None:
    assert 'href="/benefits/campaigns/">普惠服务' in world["clients"]["viewer"].get("/").content.decode()
    cashier_home = world["clients"]["cashier"].get("/", follow=True).content.decode()
    assert "普惠服务" not in cashier_home


def test_a_superuser_manages_any_union(world, make_user, tree) -> None:
    root = new_client()
    root.force_login(make_user("root", superuser=True))
    resp = root.post("/benefits/campaigns/new/", campaign_form(org_code="520102"))
    assert resp.status_code == 302
    assert Campaign.all_objects.get(name="六盘水职工普惠周").org == tree.nanming
    assert root.get(f"/benefits/merchants/{world['theirs'].pk}/").status_code == 200


def test_a_wider_unions_participants_stay_out_of_a_narrower_officers_hands(world, tree, make_user) -> None:
    # The province names 南明's merchant in 六盘水's campaign: 六盘水's officer,
    # who cannot see that merchant, cannot change the list.
    province = make_user("gz_officer", ("officer", "520000"))
    c = new_client()
    c.force_login(province)
    url = f"/benefits/campaigns/{world['campaign'].pk}/"
    c.post(f"{url}participants/", {"merchant": [world["merchant"].pk, world["theirs"].pk]})
    officer: Client = world["clients"]["officer"]
    page = officer.get(url).content.decode()
    assert "别家超市" in page and 'data-testid="participants-form"' not in page and "请由上级工会调整" in page
    before = snapshot()
    resp = officer.post(f"{url}participants/", {"merchant": [world["merchant"].pk]}, follow=True)
    assert any("别家超市" in m for m in messages_of(resp)) and snapshot() == before
