"""`/api/v1/cards` over real HTTP: the lifecycle, masked numbers, and who may do what."""

from __future__ import annotations

from typing import Any

import pytest

from gonghui.cards.models import BankPartner, CardStatus, ServiceCard
from gonghui.cards.tests.test_lifecycle import card_number
from gonghui.core.scoping import unscoped
from gonghui.core.stats import stats_collect
from gonghui.members.tests.factories import Api, id_number, register

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(tree, make_user, bearer) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    bank = BankPartner.objects.create(code="GZB", name="贵州银行", bin_prefixes="621795")
    member = register(tree.courier_union, id_number(401), name="王小明")
    outsider_member = register(tree.nanming, id_number(402), name="李娟")
    callers = {
        "officer": Api(bearer(make_user("zs_officer", ("officer", "520201")))),
        "viewer": Api(bearer(make_user("zs_viewer", ("viewer", "520201")))),
        "foreign": Api(bearer(make_user("nm_officer", ("officer", "520102")))),
        "anonymous": Api({}),
    }
    return {"bank": bank, "member": member, "outsider_member": outsider_member, **callers}


def apply(api: Api, member_id: int, **body: Any):  # type: ignore[no-untyped-def]
    return api.post("/api/v1/cards", {"member_id": member_id, "bank": "gzb", "consented": True, **body})


def test_the_whole_lifecycle_over_http(world) -> None:
    officer: Api = world["officer"]
    created = apply(officer, world["member"].pk)
    assert created.status_code == 201, created.content.decode()
    card = created.json()
    assert (card["status"], card["status_label"], card["card_masked"]) == ("applied", "已申请", "")
    number = card_number(11)
    issued = officer.post(f"/api/v1/cards/{card['id']}/issue", {"card_number": number})
    assert issued.status_code == 200, issued.content.decode()
    assert issued.json()["card_masked"] == f"{number[:4]} **** **** {number[-4:]}"
    assert number not in issued.content.decode()
    for action, body in (("activate", None), ("freeze", {"reason": "风控"}), ("unfreeze", None)):
        resp = officer.post(f"/api/v1/cards/{card['id']}/{action}", body)
        assert resp.status_code == 200, (action, resp.content.decode())
    lost = officer.post(f"/api/v1/cards/{card['id']}/report-lost", {"reason": "遗失"})
    assert lost.json()["status"] == "lost"
    successor = officer.post(f"/api/v1/cards/{card['id']}/replace", {"reason": "补卡"})
    assert successor.status_code == 201 and successor.json()["replaces_id"] == card["id"]
    history = officer.get(f"/api/v1/cards/{card['id']}/history").json()
    assert [h["event_type"] for h in history] == [
        "apply",
        "issue",
        "activate",
        "freeze",
        "unfreeze",
        "report_lost",
        "replace",
    ]
    listed = officer.get("/api/v1/cards", status="applied").json()
    assert [c["id"] for c in listed["items"]] == [successor.json()["id"]]
    assert officer.get("/api/v1/banks").json() == [{"code": "GZB", "name": "贵州银行", "is_active": True}]


def test_refusals_are_chinese_json(world) -> None:
    officer: Api = world["officer"]
    no_consent = apply(officer, world["member"].pk, consented=False)
    assert no_consent.status_code == 422 or no_consent.status_code == 400
    assert no_consent.json()["code"] == "card.consent_required"
    card = apply(officer, world["member"].pk).json()
    twice = apply(officer, world["member"].pk)
    assert twice.status_code == 409 and "不能重复申请" in twice.json()["message"]
    bad = officer.post(f"/api/v1/cards/{card['id']}/issue", {"card_number": "6217950000"})
    assert bad.json()["code"] == "card.number_invalid" and "6217950000" not in bad.content.decode()
    early = officer.post(f"/api/v1/cards/{card['id']}/activate")
    assert early.json()["code"] == "card.wrong_status" and "已申请" in early.json()["message"]


def _state() -> list[tuple[Any, ...]]:
    with unscoped():
        return list(ServiceCard.objects.order_by("pk").values_list("pk", "status", "card_index"))


@pytest.mark.parametrize("who", ["anonymous", "foreign", "viewer"])
@pytest.mark.parametrize(
    "action",
    ["apply", "apply-outsider", "get", "history", "issue", "activate", "freeze", "report-lost", "cancel", "replace"],
)
def test_the_authorization_matrix(world, who: str, action: str) -> None:
    """Anonymous: 401. Another subtree: 404, as if nothing were there. A viewer reads but never writes.

    Whatever is refused changes nothing."""
    officer: Api = world["officer"]
    card = apply(officer, world["member"].pk).json()
    if action in ("activate", "freeze", "report-lost", "cancel", "replace"):
        officer.post(f"/api/v1/cards/{card['id']}/issue", {"card_number": card_number(21)})
    if action in ("freeze", "replace"):
        officer.post(f"/api/v1/cards/{card['id']}/activate")
    before = _state()
    api: Api = world[who]
    member_id = world["outsider_member"].pk if action == "apply-outsider" else world["member"].pk
    url = f"/api/v1/cards/{card['id']}"
    resp = {
        "apply": lambda: apply(api, member_id),
        "apply-outsider": lambda: apply(api, member_id),
        "get": lambda: api.get(url),
        "history": lambda: api.get(f"{url}/history"),
        "issue": lambda: api.post(f"{url}/issue", {"card_number": card_number(22)}),
        "activate": lambda: api.post(f"{url}/activate"),
        "freeze": lambda: api.post(f"{url}/freeze", {"reason": "x"}),
        "report-lost": lambda: api.post(f"{url}/report-lost", {"reason": "x"}),
        "cancel": lambda: api.post(f"{url}/cancel", {"reason": "x"}),
        "replace": lambda: api.post(f"{url}/replace", {"reason": "x"}),
    }[action]()
    if who == "anonymous":
        assert resp.status_code == 401
    elif who == "foreign":
        # The foreign officer may apply for the member of their own union (apply-outsider is theirs).
        if action == "apply-outsider":
            assert resp.status_code == 201
            return
        assert resp.status_code == 404, resp.content.decode()
    elif action in ("get", "history"):
        assert resp.status_code == 200
    else:
        # In scope without the right: 403; the outsider's member is not in sight at all: 404.
        expected = 404 if action == "apply-outsider" else 403
        assert resp.status_code == expected, resp.content.decode()
    assert _state() == before


def test_cards_active_in_the_statistics(world) -> None:
    officer: Api = world["officer"]
    card = apply(officer, world["member"].pk).json()
    officer.post(f"/api/v1/cards/{card['id']}/issue", {"card_number": card_number(31)})
    assert stats_collect([world["member"].org_path])["cards_active"] == 0
    officer.post(f"/api/v1/cards/{card['id']}/activate")
    assert stats_collect([world["member"].org_path])["cards_active"] == 1
    assert stats_collect([world["outsider_member"].org_path])["cards_active"] == 0
    assert stats_collect(None)["cards_active"] == 1
    with unscoped():
        assert ServiceCard.objects.get(pk=card["id"]).status == CardStatus.ACTIVATED
