"""组织关系接转 over HTTP, between officers of different subtrees.

    lps  officer at 520200 六盘水 (the member starts at 520201G001 钟山区快递员联合工会)
    gy   officer at 520100 贵阳 (receives at 520102 南明区总工会)
    dx   officer at 621100 定西 (not involved: every transfer id is a 404 to them)

Either side starts a transfer; the other side approves or refuses it; the side
that started it may withdraw it while it is pending.
"""

from __future__ import annotations

from typing import Any

import pytest

from gonghui.members.models import Membership, MembershipStatus, Transfer
from gonghui.members.tests.factories import (
    Api,
    apply,
    assert_error,
    id_number,
    id_number_ending_in_x,
    live_memberships,
    new_audit_actions,
    register,
    registry_state,
    reload,
    today_iso,
)
from gonghui.orgs.services import org_close

pytestmark = pytest.mark.django_db

NUMBER = id_number_ending_in_x()


class Officers:
    def __init__(self, lps: Api, gy: Api, dx: Api, province: Api) -> None:
        self.lps, self.gy, self.dx, self.province = lps, gy, dx, province


@pytest.fixture
def officers(tree, make_user, bearer) -> Officers:
    return Officers(
        lps=Api(bearer(make_user("lps", ("officer", "520200")))),
        gy=Api(bearer(make_user("gy", ("officer", "520100")))),
        dx=Api(bearer(make_user("dx", ("officer", "621100")))),
        province=Api(bearer(make_user("gz_viewer", ("viewer", "520000")))),
    )


@pytest.fixture
def member(tree) -> Membership:
    return register(tree.courier_union, NUMBER, new_employment_type="02", is_migrant_worker=True)


def stats(api: Api, org: str) -> dict[str, Any]:
    resp = api.get("/api/v1/stats", org=org)
    assert resp.status_code == 200, resp.content.decode()
    return resp.json()


def counts(o: Officers) -> tuple[int, int, int, int]:
    """(六盘水 members, 六盘水 接转中, 贵阳 members, 贵州 members)."""
    lps, gy = stats(o.lps, "520200"), stats(o.gy, "520100")
    return lps["members"], lps["members_transfer_pending"], gy["members"], stats(o.province, "520000")["members"]


def start_out(api: Api, ms: Membership, to_code: str = "520102", **extra: Any):
    return api.post(f"/api/v1/members/{ms.pk}/transfer", {"to_code": to_code, "reason": "job_change", **extra})


def start_in(api: Api, number: str = NUMBER, to_code: str = "520102", **extra: Any):
    body = {"to_code": to_code, "id_number": number, "reason": "no_union", **extra}
    return api.post("/api/v1/transfers", body)


def decide(api: Api, tid: int, verb: str, note: str = ""):
    return api.post(f"/api/v1/transfers/{tid}/{verb}", {"note": note})


def history(api: Api, member_id: int) -> list[tuple[str, str, str | None]]:
    resp = api.get(f"/api/v1/members/{member_id}/history")
    assert resp.status_code == 200, resp.content.decode()
    return [(e["event_type"], e["org_code"], e["other_org_code"]) for e in resp.json()]


def assert_third_officer_sees_nothing(o: Officers, tid: int, member_id: int) -> None:
    before = registry_state()
    for resp in (
        o.dx.get(f"/api/v1/transfers/{tid}"),
        decide(o.dx, tid, "approve"),
        decide(o.dx, tid, "reject", "不同意"),
        decide(o.dx, tid, "cancel"),
        o.dx.get(f"/api/v1/members/{member_id}"),
        o.dx.get(f"/api/v1/members/{member_id}/history"),
    ):
        body = assert_error(resp, 404, "not_found", "未找到该记录，或您无权访问。")
        assert body["details"] is None
    for status in ("pending", "completed", ""):
        assert o.dx.get("/api/v1/transfers", status=status).json() == []
    assert registry_state() == before


# --- both ways to completion ---------------------------------------------------------------------


def test_out_initiated_transfer_completes_when_the_receiving_side_approves(tree, officers: Officers, member) -> None:
    o = officers
    assert counts(o) == (1, 0, 0, 1)
    before = registry_state()

    resp = start_out(o.lps, member, note="调入南明区某公司")
    assert resp.status_code == 201, resp.content.decode()
    tr = resp.json()
    assert (tr["initiated_by"], tr["out_state"], tr["in_state"], tr["status"]) == (
        "out",
        "approved",
        "pending",
        "pending",
    )
    assert (tr["from_code"], tr["to_code"], tr["member_id"]) == ("520201G001", "520102", member.pk)
    assert (tr["reason"], tr["reason_label"], tr["note"]) == (
        "job_change",
        "劳动（工作）关系发生变化",
        "调入南明区某公司",
    )
    assert tr["id_number_masked"] == f"{NUMBER[:6]}********{NUMBER[-4:]}"
    assert NUMBER[:17] not in resp.content.decode()
    tid = tr["id"]
    assert reload(member).status == MembershipStatus.TRANSFER_PENDING
    assert counts(o) == (1, 1, 0, 1)

    # Both sides see it; the receiving side cannot read the member until it arrives.
    assert [t["id"] for t in o.gy.get("/api/v1/transfers").json()] == [tid]
    assert [t["id"] for t in o.lps.get("/api/v1/transfers").json()] == [tid]
    assert o.gy.get(f"/api/v1/transfers/{tid}").json() == tr
    assert_error(o.gy.get(f"/api/v1/members/{member.pk}"), 404, "not_found")
    assert_third_officer_sees_nothing(o, tid, member.pk)
    # The sending side has already said yes.
    assert_error(
        decide(o.lps, tid, "approve"), 409, "member.transfer_nothing_to_decide", "该接转没有等待您审批的一方。"
    )

    resp = decide(o.gy, tid, "approve", "同意接收")
    assert resp.status_code == 200, resp.content.decode()
    done = resp.json()
    assert (done["status"], done["in_state"], done["decision_note"]) == ("completed", "approved", "同意接收")
    assert done["decided_at"] is not None
    assert new_audit_actions(before) == ["members.transfer.request_out", "members.transfer.approve"]

    old, new = reload(member), Membership.all_objects.get(pk=done["new_member_id"])
    assert (old.status, old.ended_on.isoformat(), old.status_reason) == ("transferred", today_iso(), "转至南明区总工会")
    assert (new.status, new.org_id, new.org_path, new.started_on.isoformat()) == (
        "active",
        tree.nanming.pk,
        tree.nanming.path,
        today_iso(),
    )
    assert live_memberships(member.person_id) == [new]
    assert counts(o) == (0, 0, 1, 1)
    assert stats(o.gy, "520102")["members_new_employment"] == 1
    assert stats(o.gy, "520102")["members_migrant"] == 1

    # Each side reads the history it holds; the province reads both.
    assert history(o.lps, member.pk) == [("join", "520201G001", None), ("transfer_out", "520201G001", "520102")]
    assert history(o.gy, new.pk) == [("transfer_in", "520102", "520201G001")]
    assert history(o.province, new.pk) == [
        ("join", "520201G001", None),
        ("transfer_out", "520201G001", "520102"),
        ("transfer_in", "520102", "520201G001"),
    ]
    detail = o.gy.get(f"/api/v1/members/{new.pk}").json()
    assert (detail["org_code"], detail["status"], detail["member_no"]) == ("520102", "active", member.person.member_no)
    assert_error(o.lps.get(f"/api/v1/members/{new.pk}"), 404, "not_found")
    # Done: out of the pending lists, in the completed ones.
    assert o.gy.get("/api/v1/transfers").json() == []
    assert [t["id"] for t in o.lps.get("/api/v1/transfers", status="completed").json()] == [tid]
    assert_third_officer_sees_nothing(o, tid, new.pk)


def test_in_initiated_transfer_completes_when_the_sending_side_approves(tree, officers: Officers, member) -> None:
    o = officers
    before = registry_state()
    resp = start_in(o.gy, NUMBER.lower(), note="本人已入职南明区")
    assert resp.status_code == 201, resp.content.decode()
    tr = resp.json()
    assert (tr["initiated_by"], tr["out_state"], tr["in_state"], tr["status"]) == (
        "in",
        "pending",
        "approved",
        "pending",
    )
    # 贵阳 does not see the releasing union (outside its scope) until 六盘水 agrees (issue 15).
    assert (tr["member_id"], tr["from_code"], tr["to_code"], tr["reason"], tr["person_withheld"]) == (
        member.pk,
        "",
        "520102",
        "no_union",
        True,
    )
    assert NUMBER[:17] not in resp.content.decode()
    tid = tr["id"]
    assert counts(o) == (1, 1, 0, 1)
    assert_third_officer_sees_nothing(o, tid, member.pk)
    assert_error(decide(o.gy, tid, "approve"), 409, "member.transfer_nothing_to_decide")

    done = decide(o.lps, tid, "approve").json()
    assert (done["status"], done["out_state"]) == ("completed", "approved")
    assert new_audit_actions(before) == ["members.transfer.request_in", "members.transfer.approve"]
    assert reload(member).status == MembershipStatus.TRANSFERRED
    assert Membership.all_objects.get(pk=done["new_member_id"]).status == MembershipStatus.ACTIVE
    assert counts(o) == (0, 0, 1, 1)
    assert [e[0] for e in history(o.province, done["new_member_id"])] == ["join", "transfer_out", "transfer_in"]


def test_a_retained_membership_arrives_retained(tree, officers: Officers, member) -> None:
    o = officers
    o.lps.post(f"/api/v1/members/{member.pk}/retain", {"reason": "unemployed"})
    tid = start_out(o.lps, member, reason="no_union").json()["id"]
    assert Transfer.all_objects.get(pk=tid).prior_status == MembershipStatus.RETAINED
    done = decide(o.gy, tid, "approve").json()
    new = Membership.all_objects.get(pk=done["new_member_id"])
    # It arrives retained for the reason it was kept, not with the transfer's note as its reason.
    assert (new.status, new.status_reason) == ("retained", "失业")
    assert reload(member).status_reason == "转至南明区总工会"
    assert stats(o.gy, "520100")["members_retained"] == 1
    assert stats(o.lps, "520200")["members_retained"] == 0


def test_a_transfer_may_leave_the_province(tree, officers: Officers, member) -> None:
    o = officers
    tid = start_out(o.lps, member, to_code="621100").json()["id"]
    done = decide(o.dx, tid, "approve").json()
    assert done["status"] == "completed"
    assert stats(o.dx, "621100")["members"] == 1
    assert stats(o.province, "520000")["members"] == 0


# --- refusals, rejection, cancellation -----------------------------------------------------------


@pytest.mark.parametrize(
    ("initiator", "decider", "prior"),
    [("out", "gy", "active"), ("in", "lps", "active"), ("out", "gy", "retained"), ("in", "lps", "retained")],
)
def test_rejection_with_a_note_restores_the_prior_status(
    tree, officers: Officers, member, initiator: str, decider: str, prior: str
) -> None:
    o = officers
    if prior == "retained":
        o.lps.post(f"/api/v1/members/{member.pk}/retain", {"reason": "laid_off"})
    counts_before = counts(o)
    tid = (start_out(o.lps, member) if initiator == "out" else start_in(o.gy)).json()["id"]
    api = getattr(o, decider)

    before = registry_state()
    assert_error(decide(api, tid, "reject"), 400, "member.reason_required", "请填写不同意的理由。")
    assert registry_state() == before

    resp = decide(api, tid, "reject", "劳动关系尚未解除")
    assert resp.status_code == 200, resp.content.decode()
    out = resp.json()
    side = "in_state" if initiator == "out" else "out_state"
    assert (out["status"], out[side], out["decision_note"], out["new_member_id"]) == (
        "rejected",
        "rejected",
        "劳动关系尚未解除",
        None,
    )
    assert reload(member).status == prior
    assert new_audit_actions(before) == ["members.transfer.reject"]
    assert counts(o) == counts_before
    assert_error(decide(api, tid, "approve"), 409, "member.transfer_not_pending", "该接转已办结，不能再审批或撤回。")
    # The member may be transferred again.
    assert start_out(o.lps, member).status_code == 201


@pytest.mark.parametrize("initiator", ["out", "in"])
def test_the_initiator_may_cancel_a_pending_transfer(tree, officers: Officers, member, initiator: str) -> None:
    o = officers
    own, other = (o.lps, o.gy) if initiator == "out" else (o.gy, o.lps)
    tid = (start_out(o.lps, member) if initiator == "out" else start_in(o.gy)).json()["id"]

    before = registry_state()
    body = assert_error(decide(other, tid, "cancel"), 403, "permission_denied")
    assert body["details"] == {"permission": "members.membership.transfer"}
    assert_error(decide(o.dx, tid, "cancel"), 404, "not_found")
    assert registry_state() == before

    out = decide(own, tid, "cancel").json()
    assert (out["status"], out["new_member_id"]) == ("cancelled", None)
    assert reload(member).status == MembershipStatus.ACTIVE
    assert new_audit_actions(before) == ["members.transfer.cancel"]
    assert counts(o) == (1, 0, 0, 1)

    before = registry_state()
    assert_error(decide(own, tid, "cancel"), 409, "member.transfer_not_pending")
    assert_error(decide(other, tid, "approve"), 409, "member.transfer_not_pending")
    assert registry_state() == before


def test_a_completed_transfer_cannot_be_cancelled(tree, officers: Officers, member) -> None:
    o = officers
    tid = start_out(o.lps, member).json()["id"]
    decide(o.gy, tid, "approve")
    before = registry_state()
    assert_error(decide(o.lps, tid, "cancel"), 409, "member.transfer_not_pending")
    assert_error(decide(o.gy, tid, "reject", "晚了"), 409, "member.transfer_not_pending")
    assert registry_state() == before


@pytest.mark.parametrize(
    ("body", "status", "code", "message"),
    [
        ({"to_code": "520201G001"}, 400, "member.transfer_same_org", "转入工会与当前所属工会相同。"),
        ({"to_code": "NOPE0000"}, 400, "member.transfer_target_unknown", "未找到工会代码“NOPE0000”。"),
        (
            {"reason": "whim"},
            400,
            "member.reason_invalid",
            "接转原因“whim”不在代码表中，可填：劳动（工作）关系发生变化、新单位未建工会，转至居住地工会、工会组织调整、其他",
        ),
        ({"reason": ""}, 400, "member.reason_required", "请填写接转原因。"),
    ],
    ids=["same-org", "unknown-target", "unknown-reason", "no-reason"],
)
def test_out_refusals(tree, officers: Officers, member, body: dict, status: int, code: str, message: str) -> None:
    before = registry_state()
    assert_error(start_out(officers.lps, member, **body), status, code, message)
    assert registry_state() == before


def test_transfer_into_a_closed_union_is_refused(tree, officers: Officers, member) -> None:
    org_close(actor=None, scope=None, org=tree.express_federation)
    before = registry_state()
    assert_error(
        start_out(officers.lps, member, to_code="520200KD01"),
        400,
        "member.org_closed",
        "工会“六盘水市快递行业工会联合会”已撤销，不能办理入会或转入。",
    )
    assert registry_state() == before


def test_in_refusals(tree, officers: Officers, member) -> None:
    o = officers
    before = registry_state()
    no_membership = "未找到该证件号码的有效会籍；尚未入会的人员请直接登记入会。"
    assert_error(start_in(o.gy, id_number(1)), 404, "member.transfer_no_membership", no_membership)
    apply(tree.dingxi, id_number(2))
    before = registry_state()
    assert_error(start_in(o.gy, id_number(2)), 404, "member.transfer_no_membership", no_membership)
    # The receiving union must be the caller's own.
    assert_error(start_in(o.gy, to_code="520200KD01"), 404, "not_found")
    assert_error(start_in(o.gy, to_code="520201G001"), 404, "not_found")
    body = assert_error(start_in(o.gy, NUMBER[:17] + "0"), 400, "member.id_number_invalid")
    assert body["details"] == {"id_number": "公民身份号码校验位不正确，请核对是否抄错"}
    assert_error(start_in(o.lps, to_code="520201G001"), 400, "member.transfer_same_org")
    assert registry_state() == before


def test_only_one_pending_transfer_per_membership(tree, officers: Officers, member) -> None:
    o = officers
    assert start_in(o.gy).status_code == 201
    before = registry_state()
    # 定西 asks for a member outside its scope: the neutral refusal, not that a transfer is pending (issue 15).
    assert_error(
        start_in(o.dx, to_code="621100"),
        409,
        "member.handled_elsewhere",
        "该人员已在其他工会办理相关事项，请联系上级工会核实。",
    )
    assert_error(
        start_out(o.lps, member, to_code="621100"),
        409,
        "member.wrong_status",
        "当前会籍状态为“接转中”，不能办理会籍接转。",
    )
    assert registry_state() == before


def test_a_foreign_member_cannot_be_sent(tree, officers: Officers) -> None:
    ms = register(tree.dingxi, id_number(3))
    before = registry_state()
    assert_error(start_out(officers.lps, ms), 404, "not_found")
    assert registry_state() == before


def test_receiving_reviewer_may_decide_but_viewer_may_not(tree, officers: Officers, member, make_user, bearer) -> None:
    tid = start_out(officers.lps, member).json()["id"]
    viewer = Api(bearer(make_user("gy_viewer", ("viewer", "520100"))))
    reviewer = Api(bearer(make_user("gy_reviewer", ("reviewer", "520100"))))
    before = registry_state()
    body = assert_error(decide(viewer, tid, "approve"), 403, "permission_denied")
    assert body["details"] == {"permission": "members.membership.approve"}
    assert viewer.get(f"/api/v1/transfers/{tid}").status_code == 200
    assert registry_state() == before
    assert decide(reviewer, tid, "approve").json()["status"] == "completed"
