"""A membership's life over HTTP: register, apply, approve or reject, retain, resume, withdraw,
expel, reinstate.

Every transition writes exactly one audit event and its membership events in the
same transaction; every refusal is a Chinese message naming the current state and
leaves the registry as it was.
"""

from __future__ import annotations

from typing import Any

import pytest

from gonghui.accounts.models import User
from gonghui.core.errors import DomainError
from gonghui.core.models import AuditEvent
from gonghui.core.tests.clients import client
from gonghui.members.models import Membership, MembershipEvent, MembershipStatus, Person
from gonghui.members.tests.factories import (
    Api,
    apply,
    assert_error,
    full_width,
    id_number,
    id_number_ending_in_x,
    live_memberships,
    register,
    registry_state,
    reload,
    today_iso,
)
from gonghui.orgs.services import org_close

pytestmark = pytest.mark.django_db

NUMBER = id_number_ending_in_x()
OTHER = id_number(201)
LIVE_MESSAGE = "该证件号码已有有效会籍；如需变更所属工会，请办理会籍接转。"


@pytest.fixture
def officer(tree, make_user, bearer) -> Api:
    return Api(bearer(make_user("lps_officer", ("officer", "520200"))))


def create(api: Api, number: str = NUMBER, org: str = "520201G001", **fields: Any):
    return api.post("/api/v1/members", {"org_code": org, "id_number": number, "name": "王小明", **fields})


def act(api: Api, ms: Membership | int, action: str, **body: Any):
    pk = ms if isinstance(ms, int) else ms.pk
    return api.post(f"/api/v1/members/{pk}/{action}", body)


def events_since(before: dict[str, Any]) -> list[tuple[int, str]]:
    seen = {row["id"] for row in before["events"]}
    return [(e.membership_id, e.event_type) for e in MembershipEvent.all_objects.order_by("pk") if e.pk not in seen]


def audit_since(before: dict[str, Any]) -> list[AuditEvent]:
    seen = {row[0] for row in before["audit"]}
    return [e for e in AuditEvent.all_objects.order_by("pk") if e.pk not in seen]


# --- registration and detail ---------------------------------------------------------------------


def test_register_then_detail_shows_only_the_masked_number(tree, officer: Api) -> None:
    resp = create(officer, NUMBER.lower(), mobile="13800138000", new_employment_type="快递员")
    assert resp.status_code == 201, resp.content.decode()
    created = resp.json()
    assert created["id_number_masked"] == f"{NUMBER[:6]}********{NUMBER[-4:]}"
    assert created["id_number_masked"].endswith("X")
    assert created["status"] == "active"
    assert created["status_label"] == "正常"
    assert created["org_code"] == "520201G001"
    assert created["started_on"] == created["joined_on"] == today_iso()

    detail = officer.get(f"/api/v1/members/{created['id']}")
    assert detail.status_code == 200
    assert detail.json() == created
    for resp in (detail, officer.get("/api/v1/members"), officer.get(f"/api/v1/members/{created['id']}/history")):
        text = resp.content.decode()
        assert NUMBER not in text
        assert NUMBER[:17] not in text
        assert NUMBER.lower() not in text
    # Stored: ciphertext, blind index and the masked form; never the number.
    row = Person.objects.values().get()
    assert all(NUMBER not in str(v) for v in row.values())
    assert NUMBER.encode() not in bytes(row["id_cipher"])


def test_detail_does_not_let_a_viewer_rebuild_the_number(tree, make_user, bearer) -> None:
    ms = register(tree.courier_union, NUMBER)
    viewer = Api(bearer(make_user("lps_viewer", ("viewer", "520200"))))
    out = viewer.get(f"/api/v1/members/{ms.pk}").json()
    rebuilt = out["id_number_masked"][:6] + (out["birth_date"] or "").replace("-", "") + out["id_number_masked"][-4:]
    assert rebuilt != NUMBER


def test_a_member_of_another_part_of_the_tree_is_refused_without_a_status(
    tree, officer: Api, make_user, bearer
) -> None:
    """Registering an ID number held by a member outside the caller's scope names no union and no status."""
    assert create(officer).status_code == 201  # a member of 六盘水's courier union
    foreign = Api(bearer(make_user("gy_officer", ("officer", "520100"))))
    before = registry_state()
    resp = create(foreign, NUMBER, org="520102", name="王小明")
    body = assert_error(resp, 409, "member.handled_elsewhere", "该人员已在其他工会办理相关事项，请联系上级工会核实。")
    assert "会籍" not in body["message"] and "六盘水" not in resp.content.decode()
    assert registry_state() == before


@pytest.mark.parametrize(
    "second",
    [
        pytest.param(NUMBER, id="same"),
        pytest.param(NUMBER.lower(), id="lowercase-x"),
        pytest.param(full_width(NUMBER), id="full-width"),
        pytest.param(f"{NUMBER[:6]} {NUMBER[6:14]} {NUMBER[14:]}", id="spaces"),
    ],
)
@pytest.mark.parametrize("org", ["520201G001", "520200KD01"])
def test_duplicate_registration_is_refused(tree, officer: Api, second: str, org: str) -> None:
    assert create(officer).status_code == 201
    before = registry_state()
    resp = create(officer, second, org=org, name="王小明二")
    body = assert_error(resp, 409, "member.live_membership", LIVE_MESSAGE)
    assert NUMBER[:17] not in resp.content.decode()
    assert body["details"] is None
    assert registry_state() == before


def test_a_pending_application_blocks_no_registration_or_transfer_elsewhere(
    tree, officer: Api, make_user, bearer
) -> None:
    # Anyone may file applications with someone's ID number on the public join page: at 南明区
    # (outside this officer's scope) and again at 六盘水 快递行业工会联合会. Neither is a membership.
    fake = apply(tree.nanming, NUMBER, name="冒名者")
    second = apply(tree.express_federation, NUMBER.lower())
    assert (fake.status, second.status) == (MembershipStatus.APPLIED, MembershipStatus.APPLIED)
    assert live_memberships(fake.person_id) == []
    # The real registration goes through.
    resp = create(officer)
    assert resp.status_code == 201, resp.content.decode()
    # And so does a transfer-in by another union: the person is not hidden behind the applications.
    dingxi = Api(bearer(make_user("dx_officer", ("officer", "621100"))))
    moved = dingxi.post("/api/v1/transfers", {"to_code": "621100", "id_number": NUMBER, "reason": "job_change"})
    assert moved.status_code == 201, moved.content.decode()
    # The unions sort the applications out when they review: the person is a member now, so the one
    # in scope is refused as such, the other without naming the union or the status.
    nanming = Api(bearer(make_user("nm_officer", ("officer", "520102"))))
    before = registry_state()
    assert_error(act(officer, second, "approve"), 409, "member.live_membership", LIVE_MESSAGE)
    body = assert_error(act(nanming, fake, "approve"), 409, "member.handled_elsewhere")
    assert "钟山区" not in str(body) and "接转中" not in str(body)
    assert registry_state() == before


def test_an_application_shows_what_was_typed_never_whose_number_it_is(tree, officer: Api, make_user) -> None:
    # 王小明 is a member of 南明区 (outside this officer's scope). Someone files an application to a
    # union of the officer's with his ID number: the union sees what was typed, not his record.
    real = register(tree.nanming, NUMBER, name="王小明", mobile="13800001111", employer="南明某厂")
    ms = apply(tree.courier_union, NUMBER, name="冒名者", mobile="13911112222")
    detail = officer.get(f"/api/v1/members/{ms.pk}").json()
    assert (detail["name"], detail["mobile_masked"], detail["member_no"]) == ("冒名者", "139****2222", None)
    assert detail["id_number_masked"] == real.person.id_masked  # what the applicant typed, masked
    listed = officer.get("/api/v1/members", status="applied").json()["items"]
    assert [(r["name"], r["member_no"], r["employer"]) for r in listed] == [("冒名者", None, "")]
    page = client()
    page.force_login(User.objects.get(username="lps_officer"))
    for url in (
        f"/members/{ms.pk}/",
        "/members/applications/",
        f"/members/{ms.pk}/approve/",
        "/members/?status=applied",
    ):
        html = page.get(url).content.decode()
        assert "王小明" not in html and "南明某厂" not in html and "138****1111" not in html, url
        assert "13800001111" not in html, url
        assert real.person.member_no not in html, url


def test_member_no_is_assigned_on_activation_and_kept(tree, officer: Api) -> None:
    registered = register(tree.courier_union, OTHER)
    person = registered.person
    assert person.member_no == f"{person.pk:010d}"

    applied = apply(tree.courier_union, NUMBER)
    assert applied.person.member_no is None
    out = act(officer, applied, "approve").json()
    applicant = Person.objects.get(pk=applied.person_id)
    assert out["member_no"] == applicant.member_no == f"{applicant.pk:010d}"
    assert applicant.member_no != person.member_no

    # Leaving and joining elsewhere keeps the number: it belongs to the person.
    assert act(officer, applied, "withdraw", reason="voluntary").status_code == 200
    again = create(officer, NUMBER, org="520200KD01").json()
    assert again["member_no"] == applicant.member_no
    assert again["id"] != applied.pk


# --- join applications ---------------------------------------------------------------------------


def test_apply_then_approve(tree, officer: Api) -> None:
    ms = apply(tree.courier_union, NUMBER, name="李四", mobile="+86 139 0000 1111", new_employment_type="06")
    assert ms.status == MembershipStatus.APPLIED
    assert ms.started_on is None
    before = registry_state()
    resp = act(officer, ms, "approve")
    assert resp.status_code == 200, resp.content.decode()
    out = resp.json()
    assert (out["status"], out["status_label"]) == ("active", "正常")
    assert out["started_on"] == out["joined_on"] == today_iso()
    assert out["mobile_masked"] == "139****1111"
    assert out["new_employment_type_label"] == "网约送餐员"
    assert [e.action for e in audit_since(before)] == ["members.join.approve"]
    assert events_since(before) == [(ms.pk, "join")]


def test_an_application_by_a_known_person_changes_them_only_on_approval(tree, officer: Api) -> None:
    old = register(tree.express_federation, NUMBER, name="王小明", mobile="13800000000")
    act(officer, old, "withdraw", reason="voluntary")
    ms = apply(tree.courier_union, NUMBER, name="王晓明", mobile="13911112222", is_migrant_worker=True)
    person = Person.objects.get(pk=old.person_id)
    assert (person.name, person.mobile, person.is_migrant_worker) == ("王小明", "13800000000", False)
    assert ms.application["name"] == "王晓明"

    act(officer, ms, "approve")
    person.refresh_from_db()
    assert (person.name, person.mobile, person.is_migrant_worker) == ("王晓明", "13911112222", True)
    assert person.name_initials == "wxm"


def test_reject_needs_a_reason_then_ends_the_application(tree, officer: Api) -> None:
    ms = apply(tree.courier_union, NUMBER)
    before = registry_state()
    for body in ({}, {"reason": "   "}, {"note": ""}):
        assert_error(act(officer, ms, "reject", **body), 400, "member.reason_required", "请填写不予通过的理由。")
    assert registry_state() == before

    resp = act(officer, ms, "reject", reason="非本单位职工")
    assert resp.status_code == 200, resp.content.decode()
    out = resp.json()
    assert (out["status"], out["status_label"]) == ("rejected", "入会未通过")
    assert out["status_reason"] == "非本单位职工"
    assert out["ended_on"] == today_iso()
    assert out["member_no"] is None
    assert [e.action for e in audit_since(before)] == ["members.join.reject"]
    assert events_since(before) == [(ms.pk, "reject")]
    # A rejected application is not live: the worker may apply again, or be registered.
    assert create(officer).status_code == 201


def test_apply_requires_a_mobile_and_an_open_union(tree) -> None:
    with pytest.raises(DomainError) as info:
        apply(tree.courier_union, NUMBER, mobile="")
    assert info.value.details == {"mobile": "请填写手机号码，以便工会联系您"}
    org_close(actor=None, scope=None, org=tree.express_federation)
    with pytest.raises(DomainError) as info:
        apply(tree.express_federation, NUMBER)
    assert info.value.message == "工会“六盘水市快递行业工会联合会”已撤销，不能办理入会或转入。"
    assert not Person.objects.exists()


def test_a_union_with_a_pending_application_cannot_close(tree, officer: Api) -> None:
    ms = apply(tree.express_federation, NUMBER)
    before = registry_state()
    with pytest.raises(DomainError) as info:
        org_close(actor=None, scope=None, org=tree.express_federation)
    assert info.value.code == "member.org_has_members"
    assert registry_state() == before
    # Once the application is decided, the union may close.
    act(officer, ms, "reject", reason="单位注销")
    assert org_close(actor=None, scope=None, org=tree.express_federation).closed_on is not None


# --- retain, resume, withdraw, expel, reinstate -----------------------------------------------------


def test_retain_on_retirement_then_resume(tree, officer: Api) -> None:
    ms = register(tree.courier_union, NUMBER)
    before = registry_state()
    out = act(officer, ms, "retain", reason="retired", note="2026年退休").json()
    assert (out["id"], out["status"], out["status_label"]) == (ms.pk, "retained", "保留会籍")
    assert out["status_reason"] == "退休（含提前退休）；2026年退休"
    assert out["ended_on"] is None
    assert [e.action for e in audit_since(before)] == ["members.membership.retain"]
    assert events_since(before) == [(ms.pk, "retain")]

    before = registry_state()
    out = act(officer, ms, "resume", note="返聘").json()
    assert (out["status"], out["status_reason"]) == ("active", "返聘")
    assert [e.action for e in audit_since(before)] == ["members.membership.resume"]
    assert events_since(before) == [(ms.pk, "resume")]


@pytest.mark.parametrize(
    "reason",
    [
        "employer_closed",
        "用人单位破产、关闭或撤销",
    ],
)
def test_employer_closed_moves_the_membership_to_the_higher_union(tree, officer: Api, reason: str) -> None:
    ms = register(tree.courier_union, NUMBER)
    before = registry_state()
    resp = act(officer, ms, "retain", reason=reason)
    assert resp.status_code == 200, resp.content.decode()
    out = resp.json()
    assert out["id"] != ms.pk
    assert (out["org_code"], out["status"]) == ("520201", "retained")
    assert out["status_reason"] == "用人单位破产、关闭或撤销"
    old = reload(ms)
    assert old.status == MembershipStatus.TRANSFERRED
    assert old.ended_on is not None
    assert old.status_reason == "用人单位破产、关闭或撤销，会籍转至钟山区总工会保留"
    new = Membership.all_objects.get(pk=out["id"])
    assert new.org_path == tree.zhongshan.path
    assert [m.pk for m in live_memberships(ms.person_id)] == [new.pk]
    assert [e.action for e in audit_since(before)] == ["members.membership.retain"]
    assert events_since(before) == [(ms.pk, "transfer_out"), (new.pk, "retain")]
    event = MembershipEvent.all_objects.get(membership=new)
    assert event.other_org_id == tree.courier_union.pk

    # Back at work: the retained membership at the higher union resumes there.
    out = act(officer, new, "resume").json()
    assert (out["org_code"], out["status"]) == ("520201", "active")


def test_employer_closed_at_a_root_union_is_refused(tree) -> None:
    ms = register(tree.dingxi, NUMBER)
    before = registry_state()
    with pytest.raises(DomainError) as info:
        from gonghui.members.services import membership_retain

        membership_retain(actor=None, scope=None, membership=ms, reason="employer_closed")
    assert info.value.message == "工会“定西市总工会”没有上级工会，无法把会籍转至上级工会保留。"
    assert registry_state() == before


def test_withdraw_then_reinstate(tree, officer: Api) -> None:
    ms = register(tree.courier_union, NUMBER)
    before = registry_state()
    out = act(officer, ms, "withdraw", reason="lapsed").json()
    assert (out["status"], out["status_label"]) == ("withdrawn", "已退会")
    assert out["status_reason"] == "连续6个月不交会费、不参加工会组织生活，经教育拒不改正"
    assert out["ended_on"] == today_iso()
    assert [e.action for e in audit_since(before)] == ["members.membership.withdraw"]
    assert events_since(before) == [(ms.pk, "withdraw")]

    before = registry_state()
    out = act(officer, ms, "reinstate", note="补交会费").json()
    assert (out["status"], out["ended_on"], out["status_reason"]) == ("active", None, "补交会费")
    assert [e.action for e in audit_since(before)] == ["members.membership.reinstate"]
    assert events_since(before) == [(ms.pk, "reinstate")]


def test_withdraw_from_retained(tree, officer: Api) -> None:
    ms = register(tree.courier_union, NUMBER)
    act(officer, ms, "retain", reason="unemployed")
    out = act(officer, ms, "withdraw", reason="deceased").json()
    assert (out["status"], out["status_reason"]) == ("withdrawn", "死亡")


def test_expel_needs_a_reason_then_reinstate(tree, officer: Api) -> None:
    ms = register(tree.courier_union, NUMBER)
    before = registry_state()
    for body in ({}, {"note": " "}):
        assert_error(act(officer, ms, "expel", **body), 400, "member.reason_required", "请填写除名理由。")
    assert registry_state() == before

    out = act(officer, ms, "expel", note="严重违反章程").json()
    assert (out["status"], out["status_label"], out["status_reason"]) == ("expelled", "已除名", "严重违反章程")
    assert [e.action for e in audit_since(before)] == ["members.membership.expel"]
    assert events_since(before) == [(ms.pk, "expel")]

    before = registry_state()
    assert_error(act(officer, ms, "reinstate"), 400, "member.reason_required", "请填写恢复会籍的理由。")
    assert registry_state() == before
    out = act(officer, ms, "reinstate", reason="经复议撤销除名").json()
    assert out["status"] == "active"
    assert [e.action for e in audit_since(before)] == ["members.membership.reinstate"]


def test_reinstate_is_refused_while_the_person_is_live_elsewhere(tree, officer: Api) -> None:
    ms = register(tree.courier_union, NUMBER)
    act(officer, ms, "withdraw", reason="voluntary")
    assert create(officer, NUMBER.lower(), org="520200KD01").status_code == 201
    before = registry_state()
    assert_error(
        act(officer, ms, "reinstate", note="误操作"),
        409,
        "member.reinstate_conflict",
        "该人员已在其他工会有有效会籍，不能恢复此会籍。",
    )
    assert registry_state() == before


@pytest.mark.parametrize(
    ("action", "body", "message"),
    [
        ("retain", {}, "请填写保留会籍原因。"),
        ("withdraw", {"reason": ""}, "请填写退会原因。"),
    ],
)
def test_reasons_from_code_tables_are_required(tree, officer: Api, action: str, body: dict, message: str) -> None:
    ms = register(tree.courier_union, NUMBER)
    before = registry_state()
    assert_error(act(officer, ms, action, **body), 400, "member.reason_required", message)
    assert registry_state() == before


def test_unknown_reason_codes_are_refused(tree, officer: Api) -> None:
    ms = register(tree.courier_union, NUMBER)
    before = registry_state()
    body = assert_error(act(officer, ms, "retain", reason="vacation"), 400, "member.reason_invalid")
    assert body["details"] == {
        "reason": "保留会籍原因“vacation”不在代码表中，可填："
        "退休（含提前退休）、失业、下岗待岗、用人单位破产、关闭或撤销、其他"
    }
    body = assert_error(act(officer, ms, "withdraw", reason="angry"), 400, "member.reason_invalid")
    assert body["details"]["reason"].startswith("退会原因“angry”不在代码表中，可填：本人申请退会、")
    assert registry_state() == before


# --- wrong states --------------------------------------------------------------------------------


def _in_state(tree, officer: Api, state: str) -> Membership:
    if state == "applied":
        return apply(tree.courier_union, NUMBER)
    ms = register(tree.courier_union, NUMBER)
    if state == "retained":
        act(officer, ms, "retain", reason="retired")
    elif state == "withdrawn":
        act(officer, ms, "withdraw", reason="voluntary")
    elif state == "expelled":
        act(officer, ms, "expel", note="违纪")
    elif state == "transfer_pending":
        resp = officer.post(f"/api/v1/members/{ms.pk}/transfer", {"to_code": "520200KD01", "reason": "job_change"})
        assert resp.status_code == 201
    elif state == "rejected":
        raise AssertionError("use applied")
    return reload(ms)


WRONG_STATES = [
    ("active", "approve", {}, "正常", "审批入会申请"),
    ("active", "reject", {"reason": "x"}, "正常", "审批入会申请"),
    ("retained", "approve", {}, "保留会籍", "审批入会申请"),
    ("active", "resume", {}, "正常", "恢复正常会籍"),
    ("withdrawn", "resume", {}, "已退会", "恢复正常会籍"),
    ("retained", "retain", {"reason": "retired"}, "保留会籍", "保留会籍"),
    ("applied", "retain", {"reason": "retired"}, "待审核", "保留会籍"),
    ("transfer_pending", "retain", {"reason": "retired"}, "接转中", "保留会籍"),
    ("withdrawn", "withdraw", {"reason": "voluntary"}, "已退会", "办理退会"),
    ("applied", "withdraw", {"reason": "voluntary"}, "待审核", "办理退会"),
    ("transfer_pending", "withdraw", {"reason": "voluntary"}, "接转中", "办理退会"),
    ("expelled", "expel", {"note": "再次"}, "已除名", "除名"),
    ("applied", "expel", {"note": "x"}, "待审核", "除名"),
    ("active", "reinstate", {"note": "x"}, "正常", "恢复会籍"),
    ("retained", "reinstate", {"note": "x"}, "保留会籍", "恢复会籍"),
    ("applied", "transfer", {"to_code": "520200KD01", "reason": "job_change"}, "待审核", "办理会籍接转"),
    ("withdrawn", "transfer", {"to_code": "520200KD01", "reason": "job_change"}, "已退会", "办理会籍接转"),
    ("transfer_pending", "transfer", {"to_code": "520102", "reason": "job_change"}, "接转中", "办理会籍接转"),
]


@pytest.mark.parametrize(("state", "action", "body", "label", "what"), WRONG_STATES)
def test_wrong_state_refusals_name_the_state(
    tree, officer: Api, state: str, action: str, body: dict, label: str, what: str
) -> None:
    ms = _in_state(tree, officer, state)
    before = registry_state()
    assert_error(act(officer, ms, action, **body), 409, "member.wrong_status", f"当前会籍状态为“{label}”，不能{what}。")
    assert registry_state() == before


def test_closed_memberships_cannot_be_edited(tree, officer: Api) -> None:
    ms = _in_state(tree, officer, "withdrawn")
    before = registry_state()
    resp = officer.patch(f"/api/v1/members/{ms.pk}", {"mobile": "13900000000"})
    assert_error(resp, 409, "member.wrong_status", "当前会籍状态为“已退会”，不能修改会员信息。")
    assert registry_state() == before


# --- person updates ------------------------------------------------------------------------------


def test_patch_changes_the_person_and_audits_the_masked_diff(tree, officer: Api) -> None:
    ms = register(tree.courier_union, NUMBER, mobile="13800000000")
    before = registry_state()
    resp = officer.patch(f"/api/v1/members/{ms.pk}", {"mobile": "+86 139 1111 2222", "education": "大学专科"})
    assert resp.status_code == 200, resp.content.decode()
    assert resp.json()["education"] == "30"
    [event] = audit_since(before)
    assert event.action == "members.person.update"
    assert event.data["changes"] == {"mobile": ["138****0000", "139****2222"], "education": ["", "30"]}
    assert events_since(before) == []
    # Nothing changed, nothing audited.
    before = registry_state()
    assert officer.patch(f"/api/v1/members/{ms.pk}", {"education": "30"}).status_code == 200
    assert audit_since(before) == []


def test_patch_refuses_fields_that_are_not_the_persons(tree, officer: Api) -> None:
    ms = register(tree.courier_union, NUMBER)
    before = registry_state()
    resp = officer.patch(f"/api/v1/members/{ms.pk}", {"mobile": "123", "name": ""})
    body = assert_error(resp, 400, "member.fields_invalid", "手机号码应为 11 位数字，以 13–19 开头；姓名不能为空")
    assert body["details"] == {"mobile": "手机号码应为 11 位数字，以 13–19 开头", "name": "姓名不能为空"}
    assert registry_state() == before


def test_patch_null_on_a_yes_no_field_is_refused(tree, officer: Api) -> None:
    ms = register(tree.courier_union, NUMBER, is_migrant_worker=True)
    resp = officer.patch(f"/api/v1/members/{ms.pk}", {"is_migrant_worker": None})
    assert resp.status_code == 400
    assert Person.objects.get().is_migrant_worker is True


# --- the database's own rule ------------------------------------------------------------------


@pytest.mark.parametrize("status", ["active", "transfer_pending", "retained"])
def test_the_database_refuses_a_second_live_membership(tree, status: str) -> None:
    """Below every service: a second live membership is refused by the database itself (both engines)."""
    from django.db import IntegrityError, transaction

    from gonghui.core.scoping import unscoped

    first = register(tree.courier_union, NUMBER)
    other = tree.express_federation
    with unscoped():
        with pytest.raises(IntegrityError), transaction.atomic():
            Membership.all_objects.create(person=first.person, org=other, org_path=other.path, status=status)
        # An ended membership beside the live one is history, not a second membership; a pending
        # application is not one either (anyone can file one with any ID number).
        Membership.all_objects.create(person=first.person, org=other, org_path=other.path, status="withdrawn")
        Membership.all_objects.create(person=first.person, org=other, org_path=other.path, status="applied")
