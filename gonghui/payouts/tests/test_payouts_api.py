"""`/api/v1/payouts` over real HTTP: the whole maker–checker flow, the bank file, and who may do what."""

from __future__ import annotations

from io import BytesIO
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from django.conf import settings
from openpyxl import load_workbook

from gonghui.accounts.scope import scope_for_user
from gonghui.cards.models import BankPartner
from gonghui.cards.services import card_apply, card_issue, card_transition
from gonghui.cards.tests.test_lifecycle import card_number
from gonghui.core.models import AuditEvent
from gonghui.core.scoping import unscoped
from gonghui.members.tests.factories import Api, assert_error, id_number, register
from gonghui.payouts.models import PayoutBatch, PayoutItem
from gonghui.payouts.services import (
    ItemResult,
    payout_bank_file,
    payout_batch_create,
    payout_batch_decide,
    payout_batch_submit,
    payout_items_add,
    payout_results_apply,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def files_in_tmp(settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    settings.DATA_DIR = tmp_path / "data"


@pytest.fixture
def world(tree, make_user, bearer) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    bank = BankPartner.objects.create(code="GZB", name="贵州银行", bin_prefixes="621795")
    members = []
    for i, name in enumerate(["王一", "李二", "张三", "赵四"]):
        ms = register(tree.courier_union, id_number(700 + i), name=name)
        if i < 3:  # 赵四 has no card
            card = card_apply(actor=None, scope=None, membership=ms, bank=bank, consented=True)
            card_issue(actor=None, scope=None, card=card, card_number=card_number(70 + i))
            card_transition(actor=None, scope=None, card=card, action="activate")
        members.append(ms)
    users = {
        "officer": make_user("zs_officer", ("officer", "520201")),
        "reviewer": make_user("zs_reviewer", ("reviewer", "520201")),
        "viewer": make_user("zs_viewer", ("viewer", "520201")),
        "foreign": make_user("nm_officer", ("officer", "520102")),
    }
    return {
        "tree": tree,
        "bank": bank,
        "members": members,
        "users": users,
        **{who: Api(bearer(user)) for who, user in users.items()},
        "anonymous": Api({}),
    }


def create(api: Api, **body: Any):  # type: ignore[no-untyped-def]
    return api.post(
        "/api/v1/payouts",
        {"org_code": "520201", "bank": "gzb", "purpose": "festival", "reference": "2025年春节慰问", **body},
    )


def test_the_whole_flow_over_http(world) -> None:
    officer: Api = world["officer"]
    reviewer: Api = world["reviewer"]
    m = world["members"]
    created = create(officer)
    assert created.status_code == 201, created.content.decode()
    batch = created.json()
    assert (batch["status"], batch["status_label"], batch["purpose_label"]) == ("draft", "草稿", "节日慰问金")
    assert (batch["org_code"], batch["bank_code"], batch["made_by"], batch["title"]) == (
        "520201",
        "GZB",
        "zs_officer",
        "2025年春节慰问 节日慰问金",
    )
    assert batch["totals"] == {
        "items": 0,
        "total_yuan": "0.00",
        "paid_items": 0,
        "paid_yuan": "0.00",
        "failed_items": 0,
        "failed_yuan": "0.00",
        "pending_items": 0,
    }
    url = f"/api/v1/payouts/{batch['id']}"

    added = officer.post(
        f"{url}/items",
        {
            "items": [
                {"member_id": m[0].pk, "amount": "500.00"},
                {"member_id": m[1].pk, "amount": "500"},
                {"member_id": m[2].pk, "amount": "12.345"},  # a bad amount: refused for this item only
                {"member_id": m[3].pk, "amount": "100"},  # no card
            ]
        },
    )
    assert added.status_code == 200, added.content.decode()
    body = added.json()
    assert body["added"] == 2
    assert [r["member_id"] for r in body["refused"]] == [m[2].pk, m[3].pk]
    assert body["refused"][0]["reason"] == "金额须为正数，最多两位小数。"
    assert "没有贵州银行已激活的会员服务卡" in body["refused"][1]["reason"]
    again = officer.post(f"{url}/items", {"items": [{"member_id": m[2].pk, "amount": 300}]}).json()
    assert again == {"added": 1, "refused": []}

    assert officer.post(f"{url}/submit").json()["status"] == "submitted"
    # The maker is no checker: an officer holds no check permission…
    assert_error(officer.post(f"{url}/approve", {"note": "自己批"}), 403, "permission_denied")
    assert officer.get(url).json()["status"] == "submitted"
    approved = reviewer.post(f"{url}/approve", {"note": "同意"})
    assert approved.status_code == 200, approved.content.decode()
    assert (approved.json()["status"], approved.json()["checked_by"], approved.json()["check_note"]) == (
        "approved",
        "zs_reviewer",
        "同意",
    )

    assert officer.get(f"{url}/bank-file").status_code == 405  # it changes state: never a GET
    download = officer.post(f"{url}/bank-file", {})
    assert download.status_code == 200, download.content.decode()
    assert download["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    filename = f"代发文件-贵州银行-{batch['id']}.xlsx"
    assert f"filename*=utf-8''{quote(filename)}" in download["Content-Disposition"]
    sheet = load_workbook(BytesIO(b"".join(download.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("明细编号", "户名", "卡号", "金额（元）", "用途", "摘要")
    assert [(r[1], r[2], r[3]) for r in rows[1:]] == [
        ("王一", card_number(70), "500.00"),
        ("李二", card_number(71), "500.00"),
        ("张三", card_number(72), "300.00"),
    ]
    assert AuditEvent.all_objects.filter(action="payouts.bank_file").count() == 1
    assert officer.get(url).json()["status"] == "sent"

    ids = [r[0] for r in rows[1:]]
    posted = officer.post(
        f"{url}/results",
        {
            "results": [
                {"item_id": ids[0], "paid": True, "amount": "500.00"},
                {"item_id": ids[1], "paid": False, "amount": "500.00", "reason": "户名不符"},
                {"item_id": ids[2], "paid": True, "amount": "300"},
                {"item_id": 999999, "paid": True, "amount": "1.00"},
                {"item_id": ids[0], "paid": True, "amount": "-5"},
            ]
        },
    )
    assert posted.status_code == 200, posted.content.decode()
    outcome = posted.json()
    assert (outcome["paid"], outcome["failed"], outcome["unchanged"]) == (2, 1, 0)
    assert outcome["refused"] == [
        {"item_id": ids[0], "reason": "金额须为正数，最多两位小数。"},
        {"item_id": 999999, "reason": "本批次没有该明细编号"},
    ]
    assert (outcome["status"], outcome["status_label"]) == ("reconciled", "已对账")
    assert outcome["totals"] == {
        "items": 3,
        "total_yuan": "1300.00",
        "paid_items": 2,
        "paid_yuan": "800.00",
        "failed_items": 1,
        "failed_yuan": "500.00",
        "pending_items": 0,
    }
    twice = officer.post(f"{url}/results", {"results": [{"item_id": ids[0], "paid": True, "amount": "500.00"}]}).json()
    assert (twice["paid"], twice["unchanged"], twice["refused"]) == (0, 1, [])

    items = officer.get(f"{url}/items").json()
    assert items["count"] == 3
    first = items["items"][0]
    assert (first["person_name"], first["amount"], first["status"], first["status_label"]) == (
        "王一",
        "500.00",
        "paid",
        "已到账",
    )
    assert first["card_masked"] == f"{card_number(70)[:4]} **** **** {card_number(70)[-4:]}"
    failed = officer.get(f"{url}/items", status="failed").json()["items"]
    assert [(i["person_name"], i["failure_reason"]) for i in failed] == [("李二", "户名不符")]
    everything = officer.get(url).content.decode() + officer.get(f"{url}/items").content.decode()
    for i in range(3):
        assert card_number(70 + i) not in everything
        assert id_number(700 + i) not in everything

    retry = officer.post(f"{url}/retry")
    assert retry.status_code == 201, retry.content.decode()
    assert (retry.json()["retry_of_id"], retry.json()["status"], retry.json()["totals"]["total_yuan"]) == (
        batch["id"],
        "draft",
        "500.00",
    )
    carried = officer.get(f"/api/v1/payouts/{retry.json()['id']}/items").json()["items"]
    assert [(i["person_name"], i["status"]) for i in carried] == [("李二", "pending")]

    listed = officer.get("/api/v1/payouts").json()
    assert [b["id"] for b in listed["items"]] == [retry.json()["id"], batch["id"]]
    assert listed["items"][1]["totals"]["paid_yuan"] == "800.00"
    assert [b["id"] for b in officer.get("/api/v1/payouts", status="reconciled").json()["items"]] == [batch["id"]]


def test_no_bank_file_stays_on_disk(world, settings) -> None:
    batch = batch_in(world, "approved")
    assert world["officer"].post(f"/api/v1/payouts/{batch.pk}/bank-file", {}).status_code == 200
    assert list((Path(settings.DATA_DIR) / "exports").iterdir()) == []


def test_the_checker_is_never_the_maker_even_with_both_roles(world, make_user, bearer) -> None:
    both = Api(bearer(make_user("zs_both", ("officer", "520201"), ("reviewer", "520201"))))
    batch = create(both).json()
    both.post(f"/api/v1/payouts/{batch['id']}/items", {"items": [{"member_id": world["members"][0].pk, "amount": 1}]})
    both.post(f"/api/v1/payouts/{batch['id']}/submit")
    assert_error(both.post(f"/api/v1/payouts/{batch['id']}/approve"), 403, "payout.same_person")
    returned = world["reviewer"].post(f"/api/v1/payouts/{batch['id']}/return", {"note": ""})
    assert_error(returned, 400, "payout.return_note_required", "退回时请填写复核意见")
    returned = world["reviewer"].post(f"/api/v1/payouts/{batch['id']}/return", {"note": "金额有误"})
    assert returned.json()["status"] == "draft"
    cancelled = both.post(f"/api/v1/payouts/{batch['id']}/cancel", {"note": "重复建批"})
    assert (cancelled.json()["status"], cancelled.json()["totals"]["failed_items"]) == ("cancelled", 1)
    assert_error(both.post(f"/api/v1/payouts/{batch['id']}/submit"), 400, "payout.wrong_status")


def test_refusals_are_chinese_json(world) -> None:
    officer: Api = world["officer"]
    assert_error(create(officer, purpose="bonus"), 400, "payout.purpose_unknown", "用途不在代码表中")
    assert_error(create(officer, bank="NOPE"), 404, "not_found")
    assert_error(create(officer, org_code="NOPE"), 404, "not_found")
    batch = create(officer).json()
    assert_error(officer.post(f"/api/v1/payouts/{batch['id']}/submit"), 400, "payout.empty")
    assert_error(officer.post(f"/api/v1/payouts/{batch['id']}/bank-file", {}), 400, "payout.wrong_status")
    assert_error(officer.get("/api/v1/payouts/999999"), 404, "not_found")


# --- the authorization matrix -----------------------------------------------------------------------

REFERENCES = {
    "draft": "草稿批次",
    "submitted": "待复核批次",
    "approved": "已复核批次",
    "sent": "已生成文件批次",
    "reconciled": "已对账批次",
}


def batch_in(world: dict[str, Any], state: str) -> PayoutBatch:
    """A batch of the courier union's members brought to `state` through the services."""
    maker, checker = world["users"]["officer"], world["users"]["reviewer"]
    maker_scope = scope_for_user(maker)
    batch = payout_batch_create(
        actor=maker,
        scope=maker_scope,
        org=world["tree"].zhongshan,
        bank=world["bank"],
        purpose="festival",
        reference=REFERENCES[state],
    )
    payout_items_add(actor=maker, scope=maker_scope, batch=batch, items=[(m.pk, 10000) for m in world["members"][:2]])
    if state == "draft":
        return batch
    payout_batch_submit(actor=maker, scope=maker_scope, batch=batch)
    if state == "submitted":
        return batch
    payout_batch_decide(actor=checker, scope=scope_for_user(checker), batch=batch, approve=True)
    if state == "approved":
        return batch
    payout_bank_file(actor=maker, scope=maker_scope, batch=batch, path=Path(settings.DATA_DIR) / "bank.csv")
    if state == "sent":
        return batch
    with unscoped():
        items = list(PayoutItem.objects.filter(batch=batch).order_by("pk"))
    payout_results_apply(
        actor=maker,
        scope=maker_scope,
        batch=batch,
        results=[ItemResult(items[0].pk, True, 10000), ItemResult(items[1].pk, False, 10000, "卡已注销")],
    )
    return batch


ACTIONS: dict[str, tuple[str, str, str, Any]] = {
    # action: (batch state, method, path after /api/v1/payouts/{id}, body)
    "list": ("draft", "get", "", None),
    "create": ("draft", "post", "", None),
    "get": ("draft", "get", "/{id}", None),
    "items": ("draft", "get", "/{id}/items", None),
    "add-items": ("draft", "post", "/{id}/items", "items"),
    "submit": ("draft", "post", "/{id}/submit", None),
    "approve": ("submitted", "post", "/{id}/approve", {"note": "同意"}),
    "return": ("submitted", "post", "/{id}/return", {"note": "退回"}),
    "cancel": ("draft", "post", "/{id}/cancel", {"note": "作废"}),
    "retry": ("reconciled", "post", "/{id}/retry", None),
    "results": ("sent", "post", "/{id}/results", "results"),
    "bank-file": ("approved", "post", "/{id}/bank-file", {}),
}
READS = {"list", "get", "items"}
CASES = [(who, action) for who in ("anonymous", "foreign", "viewer") for action in ACTIONS] + [
    ("officer", "approve"),
    ("officer", "return"),
    *[("reviewer", action) for action in ACTIONS if action not in READS | {"approve", "return"}],
]


def payout_state() -> dict[str, Any]:
    with unscoped():
        return {
            "batches": list(PayoutBatch.all_objects.order_by("pk").values()),
            "items": list(PayoutItem.all_objects.order_by("pk").values()),
            "audit": list(AuditEvent.all_objects.order_by("pk").values_list("pk", "action")),
        }


@pytest.mark.parametrize(("who", "action"), CASES)
def test_the_authorization_matrix(world, settings, who: str, action: str) -> None:
    """Anonymous: 401. Another subtree: 404 for the batch (and its union), as if nothing were there.
    A viewer reads but never writes; an officer never checks; a reviewer never makes.
    Whatever is refused changes nothing (and leaves no bank file behind)."""
    state, method, suffix, body = ACTIONS[action]
    batch = batch_in(world, state)
    if body == "items":
        body = {"items": [{"member_id": world["members"][2].pk, "amount": "100.00"}]}
    elif body == "results":
        with unscoped():
            item_ids = list(PayoutItem.objects.filter(batch=batch).values_list("pk", flat=True))
        body = {"results": [{"item_id": pk, "paid": True, "amount": "100.00"} for pk in item_ids]}
    elif action == "create":
        body = {"org_code": "520201", "bank": "GZB", "purpose": "festival", "reference": "新批次"}
    before = payout_state()
    api: Api = world[who]
    url = "/api/v1/payouts" + suffix.format(id=batch.pk)
    resp = api.get(url) if method == "get" else api.post(url, body)
    if who == "anonymous":
        assert_error(resp, 401, "unauthenticated")
    elif action in READS and who == "viewer":
        assert resp.status_code == 200, resp.content.decode()
    elif action == "list":  # another subtree's officer: a list without the batch
        assert resp.status_code == 200 and resp.json()["items"] == [], resp.content.decode()
    elif who == "foreign":
        assert_error(resp, 404, "not_found")
    else:
        assert_error(resp, 403, "permission_denied")
    assert payout_state() == before
    exports = Path(settings.DATA_DIR) / "exports"
    assert not exports.exists() or list(exports.iterdir()) == []


def test_the_list_costs_the_same_queries_for_one_batch_or_many(world) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    officer: Api = world["officer"]
    batch_in(world, "reconciled")

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert officer.get("/api/v1/payouts").status_code == 200
        return len(ctx.captured_queries)

    queries()  # the token's first use of the test is recorded once
    one = queries()
    batch_in(world, "sent")
    batch_in(world, "draft")
    assert queries() == one
    listed = officer.get("/api/v1/payouts").json()["items"]
    assert [b["totals"]["paid_yuan"] for b in listed] == ["0.00", "0.00", "100.00"]


def test_a_moved_union_takes_its_batches_along(world, make_user, bearer) -> None:
    """Batches and items carry their union's path: a move rewrites it, so scope follows the tree."""
    from gonghui.orgs.services import org_move

    batch = batch_in(world, "submitted")
    city = Api(bearer(make_user("lps_viewer", ("viewer", "520200"))))
    assert city.get(f"/api/v1/payouts/{batch.pk}").status_code == 200
    org_move(actor=None, scope=None, org=world["tree"].zhongshan, new_parent=world["tree"].guiyang)
    assert_error(city.get(f"/api/v1/payouts/{batch.pk}"), 404, "not_found")
    guiyang = Api(bearer(make_user("gy_viewer", ("viewer", "520100"))))
    assert guiyang.get(f"/api/v1/payouts/{batch.pk}/items").json()["count"] == 2
    assert world["officer"].get("/api/v1/payouts").json()["count"] == 1
