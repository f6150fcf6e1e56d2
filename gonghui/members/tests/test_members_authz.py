"""The authorization matrix of the registry API: every endpoint × every kind of caller.

Callers (grants on 520200 六盘水市总工会 unless said otherwise):

    anon      nobody (no credentials, or a bearer token that is not one)
    foreign   officer on 621100 定西 (another province)
    sibling   officer on 520100 贵阳 (the same province, another city)
    viewer    built-in viewer: reads; every write 403
    reviewer  built-in reviewer: reads and approvals
    officer   built-in officer: everything but the full ID number
    admin     built-in admin: everything, including reveal-id (members.person.view_id, audited)

Every endpoint in the OpenAPI under /api/v1/members, /api/v1/transfers and
/api/v1/codes is here (a test checks the list against the schema). The ids in the
URLs are 六盘水's; out-of-scope callers get 404, and a second matrix sends the
六盘水 callers 定西's ids, which are 404 to them. A refusal leaves every registry
row and audit event as it was; a write leaves exactly its own audit event.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import pytest
from django.conf import settings

from gonghui.accounts.models import User
from gonghui.accounts.services import grant_role, token_create
from gonghui.conftest import Tree, build_tree
from gonghui.core.models import AuditEvent
from gonghui.core.tests.clients import client as new_client
from gonghui.core.tests.worlds import api_client, class_world_fixtures
from gonghui.members import services
from gonghui.members.models import Membership, MembershipStatus, Person, Transfer, TransferStatus
from gonghui.members.tests.factories import apply, id_number, register, registry_state

pytestmark = pytest.mark.django_db

GRANTS: dict[str, tuple[str, str]] = {
    "foreign": ("officer", "621100"),
    "sibling": ("officer", "520100"),
    "viewer": ("viewer", "520200"),
    "reviewer": ("reviewer", "520200"),
    "officer": ("officer", "520200"),
    "admin": ("admin", "520200"),
}
ACTORS = list(GRANTS)
LPS_ACTORS = ["viewer", "reviewer", "officer", "admin"]
OUT_OF_SCOPE = ("foreign", "sibling")
NEW_NUMBER = id_number(900)
# Names and unions that must never reach a caller whose scope does not cover 六盘水.
LPS_MARKERS = ("六盘水甲", "六盘水乙", "六盘水丙", "六盘水丁", "六盘水戊", "六盘水市", "钟山区")

OK = "ok"
HIDDEN = {"foreign": 404, "sibling": 404}
POLICY: dict[str, dict[str, object]] = {
    "authenticated": {},
    "view": HIDDEN,
    "register": {**HIDDEN, "viewer": 403, "reviewer": 403},
    "person_change": {**HIDDEN, "viewer": 403, "reviewer": 403},
    "view_id": {**HIDDEN, "viewer": 403, "reviewer": 403, "officer": 403},
    "approve": {**HIDDEN, "viewer": 403},
    "change": {**HIDDEN, "viewer": 403, "reviewer": 403},
    "transfer": {**HIDDEN, "viewer": 403, "reviewer": 403},
}
PERMISSION_OF = {
    "register": "members.membership.register",
    "person_change": "members.person.change",
    "view_id": "members.person.view_id",
    "approve": "members.membership.approve",
    "change": "members.membership.change",
    "transfer": "members.membership.transfer",
}


# ---------------------------------------------------------------------------
# The world, built once for each matrix class and rolled back after it; each
# test runs in a savepoint inside it.


@dataclass
class World:
    tree: Tree
    users: dict[str, User]
    raw_tokens: dict[str, str]
    session_keys: dict[str, str]
    ids: dict[str, int]
    actor: str = ""

    @property
    def user(self) -> User | None:
        return self.users.get(self.actor)

    def fmt(self, url: str) -> str:
        return url.format(**self.ids)

    def client(self, *, csrf: bool = False, logged_in: bool = False):
        c = new_client(csrf=csrf)
        if logged_in and self.actor in self.session_keys:
            c.cookies[settings.SESSION_COOKIE_NAME] = self.session_keys[self.actor]
        return c


def _build_world() -> World:
    tree = build_tree()
    users: dict[str, User] = {}
    raw_tokens: dict[str, str] = {}
    session_keys: dict[str, str] = {}
    for actor, (role, code) in GRANTS.items():
        user = User.objects.create_user(username=actor, password="Test-password-2026")
        grant_role(actor=None, actor_scope=None, user=user, role_name=role, org_code=code)
        raw_tokens[actor] = token_create(user=user, name=f"{actor}-bearer").raw
        users[actor] = user
        c = new_client()
        c.force_login(user)
        session_keys[actor] = c.cookies[settings.SESSION_COOKIE_NAME].value

    none = {"actor": None, "scope": None}
    active = register(tree.courier_union, id_number(901), name="六盘水甲", mobile="13800000001")
    applied = apply(tree.courier_union, id_number(902), name="六盘水乙")
    retained = register(tree.courier_union, id_number(903), name="六盘水丙")
    services.membership_retain(**none, membership=retained, reason="retired")
    withdrawn = register(tree.courier_union, id_number(904), name="六盘水丁")
    services.membership_withdraw(**none, membership=withdrawn, reason="voluntary")
    moving = register(tree.courier_union, id_number(905), name="六盘水戊")
    transfer = services.transfer_out(**none, membership=moving, to_code="520200KD01", reason="job_change")
    register(tree.nanming, id_number(906), name="南明己")  # asked for by the in-transfer
    dx = register(tree.dingxi, id_number(907), name="定西庚")
    dx_applied = apply(tree.dingxi, id_number(908), name="定西辛")
    dx_moving = register(tree.dingxi, id_number(909), name="定西壬")
    dx_transfer = services.transfer_out(**none, membership=dx_moving, to_code="520102", reason="job_change")
    ids = {
        "active": active.pk,
        "applied": applied.pk,
        "retained": retained.pk,
        "withdrawn": withdrawn.pk,
        "transfer": transfer.pk,
        "dx": dx.pk,
        "dx_applied": dx_applied.pk,
        "dx_transfer": dx_transfer.pk,
    }
    return World(tree=tree, users=users, raw_tokens=raw_tokens, session_keys=session_keys, ids=ids)


world, world_for = class_world_fixtures(_build_world)


def new_audit(before: dict[str, Any]) -> list[AuditEvent]:
    seen = {row[0] for row in before["audit"]}
    return [e for e in AuditEvent.all_objects.order_by("pk") if e.pk not in seen]


def ms(w: World, key: str) -> Membership:
    return Membership.all_objects.select_related("person", "org").get(pk=w.ids[key])


def body_text(resp) -> str:
    return json.dumps(resp.json(), ensure_ascii=False)


# ---------------------------------------------------------------------------
# Effects of the successful writes and checks of the successful reads.


def audited(action: str, *, org: str | None = None) -> Callable[[World, dict[str, Any], Any], None]:
    def _effect(w: World, before: dict[str, Any], resp) -> None:
        events = new_audit(before)
        assert [e.action for e in events] == [action]
        assert events[0].actor_id == w.user.pk
        if org is not None:
            assert events[0].org_id == w.tree.__dict__[org].pk

    return _effect


def status_is(key: str, status: str, action: str) -> Callable[[World, dict[str, Any], Any], None]:
    def _effect(w: World, before: dict[str, Any], resp) -> None:
        assert ms(w, key).status == status
        audited(action)(w, before, resp)

    return _effect


def effect_create(w: World, before: dict[str, Any], resp) -> None:
    created = Membership.all_objects.get(pk=resp.json()["id"])
    assert (created.org_id, created.status) == (w.tree.courier_union.pk, MembershipStatus.ACTIVE)
    assert Person.objects.count() == len(before["persons"]) + 1
    audited("members.membership.register", org="courier_union")(w, before, resp)


def effect_patch(w: World, before: dict[str, Any], resp) -> None:
    assert ms(w, "active").person.mobile == "13900000009"
    audited("members.person.update")(w, before, resp)
    assert new_audit(before)[0].data["changes"] == {"mobile": ["138****0001", "139****0009"]}


def effect_reveal(w: World, before: dict[str, Any], resp) -> None:
    assert resp.json() == {"id_number": id_number(901), "birth_date": "1990-03-07"}
    audited("members.person.view_id", org="courier_union")(w, before, resp)
    event = new_audit(before)[0]
    assert event.data == {"id_number": f"{id_number(901)[:6]}********{id_number(901)[-4:]}"}
    assert event.ip_address == "127.0.0.1"
    assert id_number(901) not in json.dumps(event.data) + event.target_label
    # Only the audit row changed.
    after = registry_state()
    assert {k: v for k, v in after.items() if k != "audit"} == {k: v for k, v in before.items() if k != "audit"}


def effect_retain(w: World, before: dict[str, Any], resp) -> None:
    assert resp.json()["status"] == "retained"
    status_is("active", MembershipStatus.RETAINED, "members.membership.retain")(w, before, resp)


def effect_transfer_out(w: World, before: dict[str, Any], resp) -> None:
    tr = Transfer.all_objects.get(pk=resp.json()["id"])
    assert (tr.membership_id, tr.to_org_id, tr.initiated_by) == (w.ids["active"], w.tree.nanming.pk, "out")
    status_is("active", MembershipStatus.TRANSFER_PENDING, "members.transfer.request_out")(w, before, resp)


def effect_transfer_in(w: World, before: dict[str, Any], resp) -> None:
    tr = Transfer.all_objects.get(pk=resp.json()["id"])
    assert (tr.from_org_id, tr.to_org_id, tr.initiated_by) == (w.tree.nanming.pk, w.tree.express_federation.pk, "in")
    audited("members.transfer.request_in", org="express_federation")(w, before, resp)


def transfer_is(status: str, action: str) -> Callable[[World, dict[str, Any], Any], None]:
    def _effect(w: World, before: dict[str, Any], resp) -> None:
        assert Transfer.all_objects.get(pk=w.ids["transfer"]).status == status
        assert resp.json()["status"] == status
        audited(action)(w, before, resp)

    return _effect


VISIBLE_MEMBERS = {
    "foreign": {"定西庚", "定西壬"},
    "sibling": {"南明己"},
}
LPS_MEMBERS = {"六盘水甲", "六盘水丙", "六盘水戊"}  # 正常, 保留, 接转中; not 待审核 or 已退会


def check_list(w: World, resp) -> None:
    body = resp.json()
    assert {m["name"] for m in body["items"]} == VISIBLE_MEMBERS.get(w.actor, LPS_MEMBERS)
    assert body["count"] == len(body["items"])
    assert all("id_number" not in m for m in body["items"])


def check_search(w: World, resp) -> None:
    expected = [] if w.actor in OUT_OF_SCOPE else ["六盘水甲"]
    assert [m["name"] for m in resp.json()["items"]] == expected


def check_detail(w: World, resp) -> None:
    out = resp.json()
    assert (out["name"], out["org_code"], out["status"]) == ("六盘水甲", "520201G001", "active")
    assert id_number(901) not in body_text(resp)


def check_history(w: World, resp) -> None:
    assert [e["event_type"] for e in resp.json()] == ["join"]


def check_transfers(w: World, resp) -> None:
    names = {t["name"] for t in resp.json()}
    assert names == ({"定西壬"} if w.actor in OUT_OF_SCOPE else {"六盘水戊"})


def check_transfer(w: World, resp) -> None:
    assert (resp.json()["name"], resp.json()["status"]) == ("六盘水戊", "pending")


def check_codes(w: World, resp) -> None:
    assert {"code": "01", "label": "汉族"} in resp.json()


# ---------------------------------------------------------------------------
# The endpoints.


@dataclass(frozen=True)
class Endpoint:
    id: str
    method: str
    url: str
    policy: str
    ok_status: int = 200
    body: dict[str, Any] | None = None
    effect: Callable[[World, dict[str, Any], Any], None] | None = None
    check: Callable[[World, Any], None] | None = None


ENDPOINTS = [
    Endpoint("list", "get", "/api/v1/members", "authenticated", check=check_list),
    Endpoint("search", "get", f"/api/v1/members?q={id_number(901).lower()}", "authenticated", check=check_search),
    Endpoint(
        "search-post",
        "post",
        "/api/v1/members/search",
        "authenticated",
        body={"q": id_number(901).lower()},
        check=check_search,
    ),
    Endpoint(
        "create",
        "post",
        "/api/v1/members",
        "register",
        201,
        {"org_code": "520201G001", "id_number": NEW_NUMBER, "name": "新会员"},
        effect_create,
    ),
    Endpoint("detail", "get", "/api/v1/members/{active}", "view", check=check_detail),
    Endpoint(
        "patch", "patch", "/api/v1/members/{active}", "person_change", 200, {"mobile": "13900000009"}, effect_patch
    ),
    Endpoint("history", "get", "/api/v1/members/{active}/history", "view", check=check_history),
    Endpoint("reveal-id", "post", "/api/v1/members/{active}/reveal-id", "view_id", 200, {}, effect_reveal),
    Endpoint(
        "approve",
        "post",
        "/api/v1/members/{applied}/approve",
        "approve",
        200,
        {},
        status_is("applied", MembershipStatus.ACTIVE, "members.join.approve"),
    ),
    Endpoint(
        "reject",
        "post",
        "/api/v1/members/{applied}/reject",
        "approve",
        200,
        {"reason": "不符合条件"},
        status_is("applied", MembershipStatus.REJECTED, "members.join.reject"),
    ),
    Endpoint("retain", "post", "/api/v1/members/{active}/retain", "change", 200, {"reason": "retired"}, effect_retain),
    Endpoint(
        "resume",
        "post",
        "/api/v1/members/{retained}/resume",
        "change",
        200,
        {"note": "返岗"},
        status_is("retained", MembershipStatus.ACTIVE, "members.membership.resume"),
    ),
    Endpoint(
        "withdraw",
        "post",
        "/api/v1/members/{active}/withdraw",
        "change",
        200,
        {"reason": "voluntary"},
        status_is("active", MembershipStatus.WITHDRAWN, "members.membership.withdraw"),
    ),
    Endpoint(
        "expel",
        "post",
        "/api/v1/members/{active}/expel",
        "change",
        200,
        {"note": "违反章程"},
        status_is("active", MembershipStatus.EXPELLED, "members.membership.expel"),
    ),
    Endpoint(
        "reinstate",
        "post",
        "/api/v1/members/{withdrawn}/reinstate",
        "change",
        200,
        {"note": "补交会费"},
        status_is("withdrawn", MembershipStatus.ACTIVE, "members.membership.reinstate"),
    ),
    Endpoint(
        "transfer-out",
        "post",
        "/api/v1/members/{active}/transfer",
        "transfer",
        201,
        {"to_code": "520102", "reason": "job_change"},
        effect_transfer_out,
    ),
    Endpoint("transfers", "get", "/api/v1/transfers", "authenticated", check=check_transfers),
    Endpoint(
        "transfer-in",
        "post",
        "/api/v1/transfers",
        "transfer",
        201,
        {"to_code": "520200KD01", "id_number": id_number(906), "reason": "job_change"},
        effect_transfer_in,
    ),
    Endpoint("transfer", "get", "/api/v1/transfers/{transfer}", "view", check=check_transfer),
    Endpoint(
        "transfer-approve",
        "post",
        "/api/v1/transfers/{transfer}/approve",
        "approve",
        200,
        {"note": "同意"},
        transfer_is(TransferStatus.COMPLETED, "members.transfer.approve"),
    ),
    Endpoint(
        "transfer-reject",
        "post",
        "/api/v1/transfers/{transfer}/reject",
        "approve",
        200,
        {"note": "不同意"},
        transfer_is(TransferStatus.REJECTED, "members.transfer.reject"),
    ),
    Endpoint(
        "transfer-cancel",
        "post",
        "/api/v1/transfers/{transfer}/cancel",
        "transfer",
        200,
        {},
        transfer_is(TransferStatus.CANCELLED, "members.transfer.cancel"),
    ),
    Endpoint("codes", "get", "/api/v1/codes/ethnicity", "authenticated", check=check_codes),
]

# The same id-bearing endpoints with 定西's ids: 404 to every 六盘水 caller.
FOREIGN_IDS = {
    "{active}": "{dx}",
    "{applied}": "{dx_applied}",
    "{retained}": "{dx}",
    "{withdrawn}": "{dx}",
    "{transfer}": "{dx_transfer}",
}
FOREIGN_ENDPOINTS = [
    replace(ep, id=f"{ep.id}-foreign-id", url=ep.url.replace(key, value))
    for ep in ENDPOINTS
    for key, value in FOREIGN_IDS.items()
    if key in ep.url
]


def _cases() -> list[Any]:
    cases = []
    for ep in ENDPOINTS:
        cases.append(pytest.param(ep, "anon", "none", id=f"{ep.id}-anon"))
        cases.append(pytest.param(ep, "anon", "bad-token", id=f"{ep.id}-anon-bad-token"))
        for actor in ACTORS:
            for mode in ("bearer", "session"):
                cases.append(pytest.param(ep, actor, mode, id=f"{ep.id}-{actor}-{mode}"))
    return cases


def _request(w: World, ep: Endpoint, mode: str):
    client, headers = api_client(w, mode)
    before = registry_state()
    url = w.fmt(ep.url)
    if ep.method == "get":
        resp = client.get(url, **headers)
    else:
        body = json.dumps(ep.body if ep.body is not None else {})
        resp = getattr(client, ep.method)(url, data=body, content_type="application/json", **headers)
    return before, resp


def assert_refused(resp, status: int, before: dict[str, Any], policy: str) -> None:
    assert resp.status_code == status, resp.content.decode()
    body = resp.json()
    assert set(body) == {"code", "message", "details"}
    assert body["code"] == {401: "unauthenticated", 403: "permission_denied", 404: "not_found"}[status]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in body["message"]), "messages are Chinese"
    if status == 403:
        assert body["details"] == {"permission": PERMISSION_OF[policy]}
    assert registry_state() == before


class TestMatrix:
    @pytest.mark.parametrize(("ep", "actor", "mode"), _cases())
    def test_api(self, world_for, ep: Endpoint, actor: str, mode: str) -> None:
        w = world_for(actor)
        before, resp = _request(w, ep, mode)
        expected = 401 if actor == "anon" else POLICY[ep.policy].get(actor, OK)
        assert resp["Content-Type"].startswith("application/json")
        if expected == OK:
            assert resp.status_code == ep.ok_status, resp.content.decode()
            if ep.effect is not None:
                ep.effect(w, before, resp)
            else:
                assert registry_state() == before
            if ep.check is not None:
                ep.check(w, resp)
        else:
            assert_refused(resp, expected, before, ep.policy)  # type: ignore[arg-type]
        text = body_text(resp)
        for number in (id_number(n) for n in range(901, 910)):
            if not (ep.id == "reveal-id" and expected == OK):
                assert number not in text
        if actor in OUT_OF_SCOPE:
            assert not any(marker in text for marker in LPS_MARKERS)

    @pytest.mark.parametrize(
        ("ep", "actor"), [pytest.param(ep, a, id=f"{ep.id}-{a}") for ep in FOREIGN_ENDPOINTS for a in LPS_ACTORS]
    )
    def test_foreign_ids_are_404(self, world_for, ep: Endpoint, actor: str) -> None:
        w = world_for(actor)
        before, resp = _request(w, ep, "bearer")
        assert_refused(resp, 404, before, ep.policy)
        assert not any(name in body_text(resp) for name in ("定西", "621100"))


# ---------------------------------------------------------------------------
# Beyond the matrix.


def test_the_matrix_covers_every_registry_endpoint(db: None) -> None:
    schema = new_client().get("/api/v1/openapi.json").json()
    registry = {
        (method, path)
        for path, ops in schema["paths"].items()
        if path.startswith(("/api/v1/members", "/api/v1/transfers", "/api/v1/codes"))
        for method in ops
    }
    covered = set()
    for ep in ENDPOINTS:
        path = ep.url.split("?")[0]
        for key, name in (
            ("{active}", "{member_id}"),
            ("{applied}", "{member_id}"),
            ("{retained}", "{member_id}"),
            ("{withdrawn}", "{member_id}"),
            ("{transfer}", "{transfer_id}"),
            ("ethnicity", "{table}"),
        ):
            path = path.replace(key, name)
        covered.add((ep.method, path))
    assert covered == registry


def test_builtin_roles_hold_the_registry_permissions(db: None) -> None:
    from gonghui.core.permissions import builtin_role_permissions

    perms = {role: {p for p in held if p.startswith("members.")} for role, held in builtin_role_permissions().items()}
    assert perms["viewer"] == {"members.membership.view"}
    assert perms["reviewer"] == {"members.membership.view", "members.membership.approve"}
    assert perms["officer"] == set(PERMISSION_OF.values()) - {"members.person.view_id"} | {"members.membership.view"}
    assert perms["admin"] == set(PERMISSION_OF.values()) | {"members.membership.view"}


def test_an_officer_of_a_descendant_does_not_reach_up(tree, make_user, bearer) -> None:
    # 钟山区快递员联合工会's officer: its own members only, not 钟山区总工会's.
    own = register(tree.courier_union, id_number(910))
    above = register(tree.zhongshan, id_number(911))
    headers = bearer(make_user("courier", ("officer", "520201G001")))
    before = registry_state()
    assert new_client().get(f"/api/v1/members/{own.pk}", **headers).status_code == 200
    assert new_client().get(f"/api/v1/members/{above.pk}", **headers).status_code == 404
    resp = new_client().post(
        f"/api/v1/members/{above.pk}/withdraw",
        data=json.dumps({"reason": "voluntary"}),
        content_type="application/json",
        **headers,
    )
    assert resp.status_code == 404
    assert registry_state() == before


def test_retaining_at_the_higher_union_answers_even_outside_the_officers_scope(tree, make_user, bearer) -> None:
    # The courier union's officer may retain its member at 钟山区总工会 (employer closed), and is
    # told where the membership went, though it cannot read that union's members afterwards.
    own = register(tree.courier_union, id_number(912))
    headers = bearer(make_user("courier", ("officer", "520201G001")))
    resp = new_client().post(
        f"/api/v1/members/{own.pk}/retain",
        data=json.dumps({"reason": "employer_closed"}),
        content_type="application/json",
        **headers,
    )
    assert resp.status_code == 200, resp.content.decode()
    out = resp.json()
    assert (out["org_code"], out["status"]) == ("520201", "retained")
    assert new_client().get(f"/api/v1/members/{out['id']}", **headers).status_code == 404


def test_superuser_may_reveal_anywhere_and_it_is_audited(tree, make_user, bearer) -> None:
    dx = register(tree.dingxi, id_number(913))
    root = make_user("root", superuser=True)
    resp = new_client().post(f"/api/v1/members/{dx.pk}/reveal-id", **bearer(root))
    assert resp.json() == {"id_number": id_number(913), "birth_date": "1990-03-07"}
    event = AuditEvent.all_objects.get(action="members.person.view_id")
    assert (event.actor_id, event.org_id) == (root.pk, tree.dingxi.pk)


def test_each_reveal_is_audited(tree, make_user, bearer) -> None:
    ms = register(tree.courier_union, id_number(914))
    headers = bearer(make_user("lps_admin", ("admin", "520200")))
    for _ in range(3):
        assert new_client().post(f"/api/v1/members/{ms.pk}/reveal-id", **headers).status_code == 200
    assert AuditEvent.all_objects.filter(action="members.person.view_id", target_id=str(ms.person_id)).count() == 3


def test_a_reveal_by_get_is_refused(tree, make_user, bearer) -> None:
    ms = register(tree.courier_union, id_number(915))
    headers = bearer(make_user("lps_admin", ("admin", "520200")))
    before = registry_state()
    assert new_client().get(f"/api/v1/members/{ms.pk}/reveal-id", **headers).status_code == 405
    assert registry_state() == before


def test_session_writes_need_the_csrf_token(tree, make_user) -> None:
    ms = register(tree.courier_union, id_number(916))
    client = new_client(csrf=True)
    client.force_login(make_user("lps_officer", ("officer", "520200")))
    before = registry_state()
    resp = client.post(
        f"/api/v1/members/{ms.pk}/withdraw", data=json.dumps({"reason": "voluntary"}), content_type="application/json"
    )
    assert resp.status_code == 403
    assert resp.json()["code"] == "csrf_failed"
    assert registry_state() == before
