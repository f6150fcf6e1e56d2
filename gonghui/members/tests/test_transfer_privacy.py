"""转入 by ID number tells the asking union nothing of a person outside its scope (issue 15, items 1 and 2).

    王小明  member of 520201G001 钟山区快递员联合工会 (六盘水)
    gy      officer at 520100 贵阳: asks for him at 520102 南明区总工会 by his ID number
    dx      officer at 621100 定西: asks for him too while gy's request is pending
    lps     officer at 520200 六盘水: the releasing side (and, for a move inside 六盘水, both sides)

Until the releasing union agrees the person is 王*明 and the releasing union is
withheld, in the API's answers and on the pages; a refusal caused by his
membership elsewhere is the neutral `member.handled_elsewhere`.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from gonghui.core.errors import MESSAGES
from gonghui.core.masking import mask_name
from gonghui.core.models import AuditEvent
from gonghui.members.models import Transfer
from gonghui.members.tests.factories import Api, assert_error, id_number_ending_in_x, register

pytestmark = pytest.mark.django_db

NUMBER = id_number_ending_in_x()
NEUTRAL = str(MESSAGES["member.handled_elsewhere"])
# What the asking union must not learn: the name, the releasing union (name, code, city) and the status.
LEAKS = ("王小明", "钟山区快递员联合工会", "520201G001", "钟山区", "六盘水", "接转中", "正常")


@pytest.fixture
def member(tree):  # type: ignore[no-untyped-def]
    return register(tree.courier_union, NUMBER, name="王小明")


@pytest.fixture
def users(tree, make_user) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    return {
        "gy": make_user("gy", ("officer", "520100")),
        "dx": make_user("dx", ("officer", "621100")),
        "lps": make_user("lps", ("officer", "520200")),
    }


@pytest.fixture
def apis(users, bearer) -> dict[str, Api]:  # type: ignore[no-untyped-def]
    return {who: Api(bearer(user)) for who, user in users.items()}


def ask(api: Api, to_code: str = "520102", number: str = NUMBER):  # type: ignore[no-untyped-def]
    return api.post("/api/v1/transfers", {"to_code": to_code, "id_number": number, "reason": "job_change"})


def page(user: Any, url: str) -> str:
    c = Client()
    c.force_login(user)
    resp = c.get(url)
    assert resp.status_code == 200, url
    return resp.content.decode()


def assert_no_leak(text: str) -> None:
    for leak in LEAKS:
        assert leak not in text, leak


def test_mask_name() -> None:
    assert [mask_name(n) for n in ("王小明", "王明", "欧阳小明", "王", "")] == ["王*明", "王*", "欧**明", "*", ""]


def test_transfer_in_answers_carry_no_name_or_union_until_the_releasing_union_agrees(tree, member, users, apis) -> None:
    resp = ask(apis["gy"])
    assert resp.status_code == 201, resp.content.decode()
    tr = resp.json()
    assert (tr["name"], tr["person_withheld"], tr["from_code"], tr["from_name"]) == ("王*明", True, "", "")
    assert (tr["to_code"], tr["to_name"], tr["status"]) == ("520102", "南明区总工会", "pending")
    assert_no_leak(resp.content.decode())
    # Read again: the list, the transfer, and the pages.
    listed = apis["gy"].get("/api/v1/transfers")
    assert [t["name"] for t in listed.json()] == ["王*明"]
    assert_no_leak(listed.content.decode())
    one = apis["gy"].get(f"/api/v1/transfers/{tr['id']}")
    assert (one.json()["name"], one.json()["from_name"]) == ("王*明", "")
    assert_no_leak(one.content.decode())
    for url in ("/members/transfers/", "/members/transfers/?status=all", f"/members/transfers/{tr['id']}/"):
        html = page(users["gy"], url)
        assert "王*明" in html
        assert_no_leak(html)
    assert 'data-testid="withheld"' in page(users["gy"], f"/members/transfers/{tr['id']}/")
    # The releasing union sees whom it is asked for.
    theirs = apis["lps"].get(f"/api/v1/transfers/{tr['id']}").json()
    assert (theirs["name"], theirs["person_withheld"], theirs["from_code"]) == ("王小明", False, "520201G001")
    assert "王小明" in page(users["lps"], f"/members/transfers/{tr['id']}/")
    # The audit of the request, filed under the asking union, keeps the name masked and the releasing union out.
    event = AuditEvent.all_objects.get(action="members.transfer.request_in")
    assert event.org_id == tree.nanming.pk
    assert event.data == {"name": "王*明", "to": "520102", "reason": "劳动（工作）关系发生变化"}
    # So does the label every audit event on the transfer carries (the transfer's own name).
    labels = AuditEvent.all_objects.filter(target_type="members.Transfer").values_list("target_label", flat=True)
    assert labels and all("王小明" not in label and label.startswith("王*明") for label in labels)
    # Once the releasing union agrees, the member is the receiving union's: shown in full.
    done = apis["lps"].post(f"/api/v1/transfers/{tr['id']}/approve", {})
    assert done.json()["status"] == "completed"
    after = apis["gy"].get(f"/api/v1/transfers/{tr['id']}").json()
    assert (after["name"], after["person_withheld"], after["from_code"], after["from_name"]) == (
        "王小明",
        False,
        "520201G001",
        "钟山区快递员联合工会",
    )
    assert "钟山区快递员联合工会" in page(users["gy"], f"/members/transfers/{tr['id']}/")


def test_a_refused_transfer_in_stays_masked(member, users, apis) -> None:
    tid = ask(apis["gy"]).json()["id"]
    refused = apis["lps"].post(f"/api/v1/transfers/{tid}/reject", {"note": "劳动关系尚未解除"})
    assert refused.json()["status"] == "rejected"
    seen = apis["gy"].get(f"/api/v1/transfers/{tid}")
    assert (seen.json()["name"], seen.json()["from_name"], seen.json()["decision_note"]) == (
        "王*明",
        "",
        "劳动关系尚未解除",
    )
    assert_no_leak(seen.content.decode())
    assert_no_leak(page(users["gy"], f"/members/transfers/{tid}/"))


def test_the_transfer_in_page_answers_with_the_masked_person(member, users) -> None:
    c = Client()
    c.force_login(users["gy"])
    resp = c.post(
        "/members/transfers/new/",
        {"to_code": "520102", "id_type": "1", "id_number": NUMBER, "reason": "job_change", "note": ""},
        follow=True,
    )
    assert resp.status_code == 200
    html = resp.content.decode()
    assert "已发起转入申请" in html and "王*明" in html
    assert_no_leak(html)


def test_a_refusal_caused_by_a_membership_outside_scope_is_neutral(member, apis) -> None:
    assert ask(apis["gy"]).status_code == 201
    before = list(Transfer.all_objects.values_list("pk", "status"))
    body = assert_error(ask(apis["dx"], to_code="621100"), 409, "member.handled_elsewhere", NEUTRAL)
    assert body["details"] is None
    assert_no_leak(body["message"])
    assert "接转" not in body["message"]  # not even that a transfer is pending
    assert list(Transfer.all_objects.values_list("pk", "status")) == before


def test_inside_the_callers_scope_the_details_stay(tree, member, apis) -> None:
    # 六盘水's officer moves the member between two unions of its own: it sees him, and why it is refused.
    resp = ask(apis["lps"], to_code="520200KD01")
    assert resp.status_code == 201, resp.content.decode()
    tr = resp.json()
    assert (tr["name"], tr["person_withheld"], tr["from_code"]) == ("王小明", False, "520201G001")
    assert_error(ask(apis["lps"], to_code="520200"), 409, "member.transfer_pending", "该会员已有办理中的会籍接转。")
    event = AuditEvent.all_objects.get(action="members.transfer.request_in")
    assert (event.data["name"], event.data["from"]) == ("王小明", "520201G001")
