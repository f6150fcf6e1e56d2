"""The registry's pages and the members' join pages, for every kind of caller.

Callers (grants on 520200 六盘水市总工会 unless said otherwise):

    anon      nobody
    viewer    built-in viewer
    reviewer  built-in reviewer
    officer   built-in officer
    outsider  officer on 520100 贵阳市总工会 (the same province, another city)
    admin     built-in admin (the only one holding members.person.view_id)

Every member of the world sits under 六盘水 except 吴南明 (南明区, the outsider's).
A request that is refused (login redirect, 403, 404, a form error, a redirect
with an error message) must leave the registry and the audit log exactly as
they were, and a caller without scope must never see an 六盘水 member's name.
"""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
import segno
from django.conf import settings
from django.core import signing

from gonghui.accounts.models import User
from gonghui.accounts.services import grant_role
from gonghui.conftest import Tree, build_tree, make_org
from gonghui.core.idnumbers import id_number_with_check
from gonghui.core.models import AuditEvent
from gonghui.core.scoping import unscoped
from gonghui.core.tests.clients import client as new_client
from gonghui.core.tests.forms import field_values
from gonghui.core.tests.worlds import class_world_fixtures
from gonghui.members import services
from gonghui.members.models import (
    Membership,
    MembershipEvent,
    MembershipStatus,
    MemberTally,
    Person,
    Transfer,
    TransferStatus,
)
from gonghui.members.validation import identity_index
from gonghui.orgs.models import OrgKind
from gonghui.orgs.services import org_close
from gonghui.portal.views import REF_SALT

pytestmark = pytest.mark.django_db

GRANTS: dict[str, tuple[str, str]] = {
    "viewer": ("viewer", "520200"),
    "reviewer": ("reviewer", "520200"),
    "officer": ("officer", "520200"),
    "outsider": ("officer", "520100"),
    "admin": ("admin", "520200"),
}
ACTORS = ["anon", *GRANTS]

OK = "ok"
LOGIN = "login"  # 302 to the login page
FORM_ERROR = "form-error"  # 200: the form again, with "not found or not yours" on the org code

NO_ORG = "未找到该工会，或您无权访问。"
NO_PERMISSION = "您没有执行此操作的权限。"
LIVE_REFUSAL = "该证件号码已有有效会籍；如需变更所属工会，请办理会籍接转。"
NOT_FOUND_TEXT = "未找到该页面或记录，或它不在您的管辖范围内。"

# Policies: the outcome per actor (anything not listed is OK).
POLICY: dict[str, dict[str, object]] = {
    "public": {},
    "view": {"anon": LOGIN},
    "view_member": {"anon": LOGIN, "outsider": 404},
    "register_form": {"anon": LOGIN, "viewer": 403, "reviewer": 403},
    "register": {"anon": LOGIN, "viewer": 403, "reviewer": 403, "outsider": FORM_ERROR},
    "approve_list": {"anon": LOGIN, "viewer": 403},
    "approve_member": {"anon": LOGIN, "viewer": 403, "outsider": 404},
    "change_member": {"anon": LOGIN, "viewer": 403, "reviewer": 403, "outsider": 404},
    "reveal": {"anon": LOGIN, "viewer": 403, "reviewer": 403, "officer": 403, "outsider": 404},
    # A workflow button the caller may not press is a 403, as on every page and in the API.
    "decide": {"anon": LOGIN, "viewer": 403, "outsider": 404},
    "cancel": {"anon": LOGIN, "viewer": 403, "reviewer": 403, "outsider": 404},
}


def id_number(seq: int, area: str = "520201") -> str:
    return id_number_with_check(f"{area}19900307{seq:03d}")


# The members of the world: key → (name, id seq).
PEOPLE = {
    "active": ("王小明", 1),
    "applied": ("李申请", 2),
    "retained": ("赵保留", 3),
    "withdrawn": ("钱退会", 4),
    "tr_in": ("孙转入", 5),
    "tr_out": ("周转出", 6),
    "nanming": ("吴南明", 7),
}
LPS_NAMES = tuple(name for key, (name, _) in PEOPLE.items() if key != "nanming")
NEW_ID = id_number(50)


# ---------------------------------------------------------------------------
# The world, built once per class inside a transaction; each test runs in a
# savepoint of it (pytest-django's `db`), so every write is rolled back.


@dataclass
class World:
    tree: Tree
    users: dict[str, User]
    session_keys: dict[str, str]
    ms: dict[str, Membership]
    transfers: dict[str, Transfer]
    actor: str = ""

    @property
    def user(self) -> User | None:
        return self.users.get(self.actor)

    def fmt(self, url: str) -> str:
        ids = {key: ms.pk for key, ms in self.ms.items()}
        return url.format(**ids, tr_in_id=self.transfers["in"].pk, tr_out_id=self.transfers["out"].pk)

    def client(self):
        c = new_client()
        if self.actor in self.session_keys:
            c.cookies[settings.SESSION_COOKIE_NAME] = self.session_keys[self.actor]
        return c


def _register(org, key: str, **fields: Any) -> Membership:
    name, seq = PEOPLE[key]
    return services.member_register(
        actor=None, scope=None, org=org, id_number=id_number(seq), fields={"name": name, **fields}
    )


def _build_world() -> World:
    tree = build_tree()
    users: dict[str, User] = {}
    session_keys: dict[str, str] = {}
    for actor, (role, code) in GRANTS.items():
        user = User.objects.create_user(username=actor, password="Test-password-2026")
        grant_role(actor=None, actor_scope=None, user=user, role_name=role, org_code=code)
        users[actor] = user
        c = new_client()
        c.force_login(user)
        session_keys[actor] = c.cookies[settings.SESSION_COOKIE_NAME].value

    courier, zhongshan = tree.courier_union, tree.zhongshan
    ms = {
        "active": _register(courier, "active", mobile="13800138001", ethnicity="01", new_employment_type="02"),
        "applied": services.join_apply(
            org=courier, id_number=id_number(2), fields={"name": "李申请", "mobile": "13800138002"}
        ),
        "retained": _register(zhongshan, "retained"),
        "withdrawn": _register(zhongshan, "withdrawn"),
        "tr_in": _register(courier, "tr_in"),
        "tr_out": _register(zhongshan, "tr_out"),
        "nanming": _register(tree.nanming, "nanming"),
    }
    services.membership_retain(actor=None, scope=None, membership=ms["retained"], reason="retired")
    services.membership_withdraw(actor=None, scope=None, membership=ms["withdrawn"], reason="voluntary")
    transfers = {
        # Asked for by the express federation: the sending side (钟山区快递员联合工会) has to agree.
        "in": services.transfer_in(
            actor=None,
            scope=None,
            to_org=tree.express_federation,
            id_number=id_number(5),
            reason="job_change",
        ),
        # Started by 钟山区总工会: it may withdraw it while pending.
        "out": services.transfer_out(
            actor=None, scope=None, membership=ms["tr_out"], to_code="520200KD01", reason="job_change"
        ),
    }
    return World(tree=tree, users=users, session_keys=session_keys, ms=ms, transfers=transfers)


world, world_for = class_world_fixtures(_build_world)


def snapshot() -> dict[str, Any]:
    """Everything a refused request must leave alone."""
    with unscoped():
        return {
            "persons": list(Person.objects.order_by("pk").values()),
            "memberships": list(Membership.all_objects.order_by("pk").values()),
            "events": list(MembershipEvent.all_objects.order_by("pk").values()),
            "transfers": list(Transfer.all_objects.order_by("pk").values()),
            "tallies": list(MemberTally.objects.order_by("pk").values()),
            "audit": list(AuditEvent.all_objects.order_by("pk").values_list("pk", "action", "org_path", "data")),
        }


def new_audit(before: dict[str, Any]) -> list[AuditEvent]:
    seen = {row[0] for row in before["audit"]}
    return [e for e in AuditEvent.all_objects.order_by("pk") if e.pk not in seen]


def reload(ms: Membership) -> Membership:
    return Membership.all_objects.select_related("person", "org").get(pk=ms.pk)


# ---------------------------------------------------------------------------
# Effects of the successful writes.


def _audited(w: World, before: dict[str, Any], action: str) -> AuditEvent:
    events = new_audit(before)
    assert [e.action for e in events] == [action]
    assert w.user is not None
    assert events[0].actor_id == w.user.pk
    return events[0]


def effect_register(w: World, before: dict[str, Any], resp) -> None:
    person = Person.objects.get(id_index=identity_index("1", NEW_ID))
    ms = Membership.all_objects.get(person=person)
    assert resp.url == f"/members/{ms.pk}/"
    assert (ms.org_id, ms.status) == (w.tree.courier_union.pk, MembershipStatus.ACTIVE)
    assert (person.name, person.mobile, person.ethnicity, person.new_employment_type) == (
        "郑登记",
        "13900139000",
        "09",
        "02",
    )
    assert (person.name_pinyin, person.name_initials) == ("zhengdengji", "zdj")
    assert person.member_no
    assert NEW_ID not in str(_audited(w, before, "members.membership.register").data)


def effect_edit(w: World, before: dict[str, Any], resp) -> None:
    assert resp.url == f"/members/{w.ms['active'].pk}/"
    person = reload(w.ms["active"]).person
    assert person.mobile == "13800138009"
    assert person.ethnicity == "01"  # fields posted unchanged stay as they were
    event = _audited(w, before, "members.person.update")
    assert set(event.data["changes"]) == {"mobile"}


def _status_effect(key: str, status: str, action: str, **checks: Any) -> Callable[[World, dict[str, Any], Any], None]:
    def _effect(w: World, before: dict[str, Any], resp) -> None:
        ms = reload(w.ms[key])
        assert resp.url == f"/members/{ms.pk}/"
        assert ms.status == status
        for attr, expected in checks.items():
            assert getattr(ms, attr) == expected
        _audited(w, before, action)
        assert len(Membership.all_objects.all()) == len(before["memberships"])

    return _effect


def effect_approve(w: World, before: dict[str, Any], resp) -> None:
    _status_effect("applied", MembershipStatus.ACTIVE, "members.join.approve")(w, before, resp)
    assert reload(w.ms["applied"]).person.member_no


def effect_transfer_out(w: World, before: dict[str, Any], resp) -> None:
    ms = reload(w.ms["active"])
    assert ms.status == MembershipStatus.TRANSFER_PENDING
    tr = Transfer.all_objects.get(membership=ms, status=TransferStatus.PENDING)
    assert resp.url == f"/members/transfers/{tr.pk}/"
    assert (tr.from_org_id, tr.to_org_id, tr.initiated_by) == (w.tree.courier_union.pk, w.tree.nanming.pk, "out")
    assert (tr.out_state, tr.in_state) == ("approved", "pending")
    _audited(w, before, "members.transfer.request_out")


def effect_reveal(w: World, before: dict[str, Any], resp) -> None:
    assert id_number(1) in resp.content.decode()
    assert 'data-testid="full-id"' in resp.content.decode()
    assert "no-store" in resp["Cache-Control"]
    event = _audited(w, before, "members.person.view_id")
    assert id_number(1) not in str(event.data)


def effect_transfer_approved(w: World, before: dict[str, Any], resp) -> None:
    tr = Transfer.all_objects.get(pk=w.transfers["in"].pk)
    assert resp.url == f"/members/transfers/{tr.pk}/"
    assert tr.status == TransferStatus.COMPLETED
    assert reload(w.ms["tr_in"]).status == MembershipStatus.TRANSFERRED
    assert tr.new_membership is not None
    new = tr.new_membership
    assert (new.org_id, new.status) == (w.tree.express_federation.pk, MembershipStatus.ACTIVE)
    _audited(w, before, "members.transfer.approve")


def effect_transfer_rejected(w: World, before: dict[str, Any], resp) -> None:
    tr = Transfer.all_objects.get(pk=w.transfers["in"].pk)
    assert tr.status == TransferStatus.REJECTED
    assert tr.decision_note == "人员信息有误"
    assert reload(w.ms["tr_in"]).status == MembershipStatus.ACTIVE
    _audited(w, before, "members.transfer.reject")


def effect_transfer_cancelled(w: World, before: dict[str, Any], resp) -> None:
    assert Transfer.all_objects.get(pk=w.transfers["out"].pk).status == TransferStatus.CANCELLED
    assert reload(w.ms["tr_out"]).status == MembershipStatus.ACTIVE
    _audited(w, before, "members.transfer.cancel")


def effect_transfer_requested(w: World, before: dict[str, Any], resp) -> None:
    ms = reload(w.ms["nanming"])
    assert ms.status == MembershipStatus.TRANSFER_PENDING
    tr = Transfer.all_objects.get(membership=ms, status=TransferStatus.PENDING)
    assert resp.url == f"/members/transfers/{tr.pk}/"
    assert (tr.to_org_id, tr.initiated_by, tr.out_state, tr.in_state) == (
        w.tree.express_federation.pk,
        "in",
        "pending",
        "approved",
    )
    _audited(w, before, "members.transfer.request_in")


# ---------------------------------------------------------------------------
# Checks of the successful reads.


def contains(*texts: str, absent: tuple[str, ...] = ()) -> Callable[[World, Any], None]:
    def _check(w: World, resp) -> None:
        content = resp.content.decode()
        for text in texts:
            assert text in content, text
        for text in absent:
            assert text not in content, text

    return _check


def check_roster(w: World, resp) -> None:
    content = resp.content.decode()
    if w.actor == "outsider":
        assert "吴南明" in content
    else:
        assert all(name in content for name in ("王小明", "赵保留", "孙转入", "周转出"))
        assert "吴南明" not in content
        assert "钱退会" not in content  # withdrawn: not a member by default
        assert "138****8001" in content  # mobiles are masked in the list
        assert "13800138001" not in content
    assert id_number(1) not in content


def check_search(w: World, resp) -> None:
    content = resp.content.decode()
    if w.actor != "outsider":
        assert "王小明" in content
    assert "孙转入" not in content
    assert "共 1 条" in content if w.actor != "outsider" else "共 0 条" in content


def check_id_search(w: World, resp) -> None:
    """An ID search is POSTed: the number stays out of URLs, pagination links included."""
    content = resp.content.decode()
    assert "共 0 条" in content if w.actor == "outsider" else "共 1 条" in content
    assert ("王小明" in content) == (w.actor != "outsider")
    assert f"q={id_number(1)}" not in content


def check_applications(w: World, resp) -> None:
    assert ("李申请" in resp.content.decode()) == (w.actor != "outsider")


def check_transfers(w: World, resp) -> None:
    content = resp.content.decode()
    if w.actor == "outsider":
        assert "没有记录" in content
        return
    assert "孙转入" in content
    assert "周转出" in content
    # The one waiting for 钟山区快递员联合工会's answer is marked for those who may give it.
    assert ("待您审批" in content) == (w.actor in ("reviewer", "officer", "admin"))


def check_member(w: World, resp) -> None:
    content = resp.content.decode()
    masked = id_number(1)[:6] + "********" + id_number(1)[-4:]
    assert "王小明" in content
    assert masked in content
    assert id_number(1) not in content
    assert ('data-testid="reveal-id"' in content) == (w.actor == "admin")
    actions = set(re.findall(r'data-testid="action-([a-z]+)"', content))
    expected = {"transfer", "retain", "withdraw", "expel"} if w.actor in ("officer", "admin") else set()
    assert actions == expected
    assert (f'href="/members/{w.ms["active"].pk}/edit/"' in content) == (w.actor in ("officer", "admin"))


def check_transfer_page(w: World, resp) -> None:
    content = resp.content.decode()
    assert "孙转入" in content
    assert ('data-testid="approve"' in content) == (w.actor in ("reviewer", "officer", "admin"))
    # The receiving side (六盘水市快递行业工会联合会) started it: its officers may withdraw it.
    assert ('data-testid="cancel"' in content) == (w.actor in ("officer", "admin"))


def check_join(w: World, resp) -> None:
    content = resp.content.decode()
    assert "钟山区快递员联合工会" in content
    assert 'data-testid="join-submit"' in content


def check_qr(w: World, resp) -> None:
    assert resp["Content-Type"] == "image/svg+xml"


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


REGISTER_BODY = {
    "org_code": "520201g001",
    "id_type": "1",
    "id_number": NEW_ID,
    "name": "郑登记",
    "mobile": "139 0013 9000",
    "ethnicity": "09",
    "new_employment_type": "02",
}
EDIT_BODY = {"name": "王小明", "mobile": "13800138009", "ethnicity": "01", "new_employment_type": "02"}
TRANSFER_IN_BODY = {"to_code": "520200KD01", "id_type": "1", "id_number": id_number(7), "reason": "job_change"}

ENDPOINTS = [
    Endpoint("roster", "get", "/members/", "view", check=check_roster),
    Endpoint("roster-search", "get", "/members/?q=wxm", "view", check=check_search),
    Endpoint("roster-search-post", "post", "/members/", "view", body={"q": "wxm"}, check=check_search),
    Endpoint("roster-id-search", "post", "/members/", "view", body={"q": id_number(1)}, check=check_id_search),
    Endpoint("register-form", "get", "/members/new/", "register_form", check=contains("登记会员", "所属工会代码")),
    Endpoint("register", "post", "/members/new/", "register", 302, REGISTER_BODY, effect_register),
    Endpoint("applications", "get", "/members/applications/", "approve_list", check=check_applications),
    Endpoint("transfers", "get", "/members/transfers/", "view", check=check_transfers),
    Endpoint("transfers-all", "get", "/members/transfers/?status=all", "view", check=check_transfers),
    Endpoint("transfer-request-form", "get", "/members/transfers/new/", "register_form"),
    Endpoint(
        "transfer-request",
        "post",
        "/members/transfers/new/",
        "register",
        302,
        TRANSFER_IN_BODY,
        effect_transfer_requested,
    ),
    Endpoint("transfer", "get", "/members/transfers/{tr_in_id}/", "view_member", check=check_transfer_page),
    Endpoint(
        "transfer-approve",
        "post",
        "/members/transfers/{tr_in_id}/approve/",
        "decide",
        302,
        {},
        effect_transfer_approved,
    ),
    Endpoint(
        "transfer-reject",
        "post",
        "/members/transfers/{tr_in_id}/reject/",
        "decide",
        302,
        {"note": "人员信息有误"},
        effect_transfer_rejected,
    ),
    Endpoint(
        "transfer-cancel",
        "post",
        "/members/transfers/{tr_out_id}/cancel/",
        "cancel",
        302,
        {},
        effect_transfer_cancelled,
    ),
    Endpoint("detail", "get", "/members/{active}/", "view_member", check=check_member),
    Endpoint("edit-form", "get", "/members/{active}/edit/", "change_member", check=contains("王小明", "13800138001")),
    Endpoint("edit", "post", "/members/{active}/edit/", "change_member", 302, EDIT_BODY, effect_edit),
    Endpoint("reveal-id", "post", "/members/{active}/reveal-id/", "reveal", 200, {}, effect_reveal),
    Endpoint("approve-form", "get", "/members/{applied}/approve/", "approve_member", check=contains("李申请")),
    Endpoint("approve", "post", "/members/{applied}/approve/", "approve_member", 302, {"note": ""}, effect_approve),
    Endpoint("reject-form", "get", "/members/{applied}/reject/", "approve_member"),
    Endpoint(
        "reject",
        "post",
        "/members/{applied}/reject/",
        "approve_member",
        302,
        {"note": "材料不全"},
        _status_effect("applied", MembershipStatus.REJECTED, "members.join.reject", status_reason="材料不全"),
    ),
    Endpoint("retain-form", "get", "/members/{active}/retain/", "change_member", check=contains("退休（含提前退休）")),
    Endpoint(
        "retain",
        "post",
        "/members/{active}/retain/",
        "change_member",
        302,
        {"reason": "retired"},
        _status_effect("active", MembershipStatus.RETAINED, "members.membership.retain"),
    ),
    Endpoint("resume-form", "get", "/members/{retained}/resume/", "change_member"),
    Endpoint(
        "resume",
        "post",
        "/members/{retained}/resume/",
        "change_member",
        302,
        {"note": ""},  # what a browser sends for the empty textarea
        _status_effect("retained", MembershipStatus.ACTIVE, "members.membership.resume"),
    ),
    Endpoint("withdraw-form", "get", "/members/{active}/withdraw/", "change_member", check=contains("本人申请退会")),
    Endpoint(
        "withdraw",
        "post",
        "/members/{active}/withdraw/",
        "change_member",
        302,
        {"reason": "voluntary", "note": "调离本市"},
        _status_effect("active", MembershipStatus.WITHDRAWN, "members.membership.withdraw"),
    ),
    Endpoint("expel-form", "get", "/members/{active}/expel/", "change_member"),
    Endpoint(
        "expel",
        "post",
        "/members/{active}/expel/",
        "change_member",
        302,
        {"note": "严重违反工会章程"},
        _status_effect("active", MembershipStatus.EXPELLED, "members.membership.expel"),
    ),
    Endpoint("reinstate-form", "get", "/members/{withdrawn}/reinstate/", "change_member"),
    Endpoint(
        "reinstate",
        "post",
        "/members/{withdrawn}/reinstate/",
        "change_member",
        302,
        {"note": "本人申请恢复"},
        _status_effect("withdrawn", MembershipStatus.ACTIVE, "members.membership.reinstate"),
    ),
    Endpoint(
        "transfer-out-form", "get", "/members/{active}/transfer/", "change_member", check=contains("转入工会代码")
    ),
    Endpoint(
        "transfer-out",
        "post",
        "/members/{active}/transfer/",
        "change_member",
        302,
        {"to_code": "520102", "reason": "job_change"},
        effect_transfer_out,
    ),
    Endpoint("join-find", "get", "/m/join/", "public", check=contains("工会代码")),
    Endpoint("join", "get", "/m/join/520201G001/", "public", check=check_join),
    Endpoint("join-qr", "get", "/m/join/520201G001/qr.svg", "public", check=check_qr),
]


def expected_outcome(endpoint: Endpoint, actor: str) -> object:
    return POLICY[endpoint.policy].get(actor, OK)


def _cases() -> list[Any]:
    return [pytest.param(ep, actor, id=f"{ep.id}-{actor}") for ep in ENDPOINTS for actor in ACTORS]


class TestPages:
    @pytest.mark.parametrize(("ep", "actor"), _cases())
    def test_page(self, world_for, ep: Endpoint, actor: str) -> None:
        check_page(world_for(actor), ep, actor)


def check_page(w: World, ep: Endpoint, actor: str) -> None:
    client = w.client()
    before = snapshot()
    url = w.fmt(ep.url)
    resp = client.post(url, data=ep.body) if ep.method == "post" else client.get(url)
    expected = expected_outcome(ep, actor)
    content = resp.content.decode()

    if expected == OK:
        assert resp.status_code == ep.ok_status, content[:2000]
        if ep.effect is not None:
            ep.effect(w, before, resp)
        else:
            assert snapshot() == before
        if ep.check is not None:
            ep.check(w, resp)
    elif expected == LOGIN:
        assert resp.status_code == 302
        assert resp.url.startswith(f"/accounts/login/?next={url.split('?')[0]}")
        assert snapshot() == before
    elif expected == FORM_ERROR:
        assert resp.status_code == 200
        assert NO_ORG in content
        assert snapshot() == before
    else:
        assert resp.status_code == expected, content[:2000]
        assert snapshot() == before
        if expected == 404:
            assert NOT_FOUND_TEXT in content
        if expected == 403 and ep.id == "reveal-id":
            assert content == NO_PERMISSION
    if actor == "outsider":
        assert not any(name in content for name in LPS_NAMES), content[:2000]
    # The full ID number reaches nobody but the one who asked for it.
    if ep.id not in ("reveal-id", "roster-id-search"):  # the one who asked; the number typed, echoed
        assert id_number(1) not in content


# ---------------------------------------------------------------------------
# Beyond the matrix: refusals inside a permitted form, the join pages, the QR code.


class TestForms:
    def test_register_with_a_bad_check_digit_shows_the_reason_and_saves_nothing(self, world_for) -> None:
        w = world_for("officer")
        good = NEW_ID
        bad = good[:17] + ("0" if good[17] != "0" else "1")
        before = snapshot()
        resp = w.client().post("/members/new/", data={**REGISTER_BODY, "id_number": bad})
        assert resp.status_code == 200
        content = resp.content.decode()
        assert 'data-testid="error-id_number"' in content
        assert "公民身份号码校验位不正确，请核对是否抄错" in content
        assert snapshot() == before

    def test_a_refused_registration_keeps_every_field_as_typed_and_names_every_mistake(self, world_for) -> None:
        w = world_for("officer")
        bad = NEW_ID[:17] + ("0" if NEW_ID[17] != "0" else "1")
        before = snapshot()
        body = {**REGISTER_BODY, "org_code": "999999", "id_number": bad, "name": "", "hukou_region": "52020"}
        resp = w.client().post("/members/new/", data=body)
        assert resp.status_code == 200 and snapshot() == before
        content = resp.content.decode()
        # The form's, the ID number's, the registry's and the unknown union: all at once.
        for field in ("org_code", "id_number", "name", "hukou_region"):
            assert f'data-testid="error-{field}"' in content, field
        typed = field_values(content)
        assert {k: typed[k] for k in ("org_code", "id_number", "mobile", "ethnicity", "new_employment_type")} == {
            k: body[k] for k in ("org_code", "id_number", "mobile", "ethnicity", "new_employment_type")
        }

    def test_a_transfer_note_too_long_is_refused_beside_it_not_dropped(self, world_for) -> None:
        w = world_for("reviewer")
        before = snapshot()
        note = "人员信息有误" * 34  # 204 characters
        resp = w.client().post(w.fmt("/members/transfers/{tr_in_id}/reject/"), data={"note": note})
        assert resp.status_code == 200 and snapshot() == before
        content = resp.content.decode()
        assert 'data-testid="error-note"' in content and "请填写不同意的理由" not in content
        assert field_values(content)["note"] == note

    def test_register_an_id_with_a_live_membership_is_refused(self, world_for) -> None:
        w = world_for("officer")
        before = snapshot()
        resp = w.client().post("/members/new/", data={**REGISTER_BODY, "id_number": id_number(3)})
        assert resp.status_code == 200
        assert LIVE_REFUSAL in resp.content.decode()
        assert snapshot() == before

    def test_transfer_out_to_an_unknown_union_is_a_form_error(self, world_for) -> None:
        w = world_for("officer")
        before = snapshot()
        resp = w.client().post(w.fmt("/members/{active}/transfer/"), data={"to_code": "999999", "reason": "other"})
        assert resp.status_code == 200
        assert "未找到工会代码“999999”。" in resp.content.decode()
        assert snapshot() == before

    def test_expel_without_a_reason_is_refused(self, world_for) -> None:
        w = world_for("officer")
        before = snapshot()
        resp = w.client().post(w.fmt("/members/{active}/expel/"), data={"note": "  "})
        assert resp.status_code == 200
        assert "请填写除名理由。" in resp.content.decode()
        assert snapshot() == before

    def test_unknown_action_is_404(self, world_for) -> None:
        w = world_for("admin")
        before = snapshot()
        assert w.client().post(w.fmt("/members/{active}/delete/")).status_code == 404
        assert w.client().post(w.fmt("/members/transfers/{tr_in_id}/delete/")).status_code == 404
        assert snapshot() == before

    def test_reveal_id_is_post_only(self, world_for) -> None:
        w = world_for("admin")
        before = snapshot()
        assert w.client().get(w.fmt("/members/{active}/reveal-id/")).status_code == 405
        assert snapshot() == before

    def test_reveal_id_needs_the_csrf_token(self, world_for) -> None:
        w = world_for("admin")
        client = new_client(csrf=True)
        client.cookies[settings.SESSION_COOKIE_NAME] = w.session_keys["admin"]
        before = snapshot()
        resp = client.post(w.fmt("/members/{active}/reveal-id/"))
        assert resp.status_code == 403
        assert id_number(1) not in resp.content.decode()
        assert snapshot() == before

    def test_sender_is_not_offered_a_link_to_the_receivers_membership(self, world_for) -> None:
        w = world_for("officer")
        tr = services.transfer_out(
            actor=None, scope=None, membership=w.ms["active"], to_code="520102", reason="job_change"
        )
        tr = services.transfer_decide(actor=None, scope=None, transfer=tr, approve=True)
        assert tr.status == TransferStatus.COMPLETED
        client = w.client()
        content = client.get(f"/members/transfers/{tr.pk}/").content.decode()
        assert "已完成" in content
        assert client.get(f"/members/{tr.new_membership_id}/").status_code == 404  # 南明区: not the officer's
        assert f'href="/members/{tr.new_membership_id}/"' not in content

    def test_foreign_member_id_is_404_on_every_member_page(self, world_for) -> None:
        w = world_for("officer")
        before = snapshot()
        pk = w.ms["nanming"].pk
        for url in (f"/members/{pk}/", f"/members/{pk}/edit/", f"/members/{pk}/transfer/", f"/members/{pk}/retain/"):
            resp = w.client().get(url)
            assert resp.status_code == 404, url
            assert "吴南明" not in resp.content.decode()
        resp = w.client().post(f"/members/{pk}/reveal-id/")
        assert resp.status_code == 404
        assert "吴南明" not in resp.content.decode()
        assert snapshot() == before

    def test_roster_with_an_org_out_of_scope_reads_as_unknown(self, world_for) -> None:
        resp = world_for("officer").client().get("/members/?org=520102")
        assert resp.status_code == 200
        content = resp.content.decode()
        assert NO_ORG in content
        assert "吴南明" not in content
        assert "共 0 条" in content

    @pytest.mark.parametrize(
        ("url", "body", "perm"),
        [
            ("/members/new/", {**REGISTER_BODY, "org_code": "520102"}, "members.membership.register"),
            ("/members/transfers/new/", {**TRANSFER_IN_BODY, "to_code": "520102"}, "members.membership.transfer"),
        ],
        ids=["register", "transfer-request"],
    )
    def test_write_where_only_viewing_is_allowed_refuses_in_chinese(
        self, world_for, url: str, body: dict[str, str], perm: str
    ) -> None:
        # Officer of 钟山 (may write there) and viewer of 贵阳 (may only look): 南明区 is visible, not writable.
        w = world_for("anon")
        user = User.objects.create_user(username="split", password="Test-password-2026")
        grant_role(actor=None, actor_scope=None, user=user, role_name="officer", org_code="520201")
        grant_role(actor=None, actor_scope=None, user=user, role_name="viewer", org_code="520100")
        client = w.client()
        client.force_login(user)
        if "transfers" in url:  # someone from 六盘水 to ask for: 王小明
            body = {**body, "id_number": id_number(1)}
        before = snapshot()
        resp = client.post(url, data=body)
        assert snapshot() == before
        content = resp.content.decode()
        assert perm not in content
        # The union reads as unknown for this write, as an out-of-scope one does.
        assert resp.status_code == 403 or NO_PERMISSION in content or NO_ORG in content


class TestJoin:
    JOIN_BODY = {
        "name": "陈骑手",
        "id_type": "1",
        "id_number": id_number(60, area="520102"),
        "mobile": "13700137000",
        "new_employment_type": "06",
        "employer": "某外卖平台",
        "ethnicity": "01",
        "accept_charter": "on",
        "consent": "on",
    }

    def test_join_applies_and_shows_the_confirmation(self, world_for) -> None:
        w = world_for("anon")
        client = w.client()
        before = snapshot()
        resp = client.post("/m/join/520201G001/", data=self.JOIN_BODY)
        assert resp.status_code == 302
        assert resp.url.startswith("/m/join/520201G001/done/")
        person = Person.objects.get(id_index=identity_index("1", self.JOIN_BODY["id_number"]))
        ms = Membership.all_objects.get(person=person)
        assert (ms.org_id, ms.status) == (w.tree.courier_union.pk, MembershipStatus.APPLIED)
        assert ms.application["employer"] == "某外卖平台"
        assert person.member_no is None
        assert [e.action for e in new_audit(before)] == ["members.join.apply"]
        done = client.get(resp.url)
        assert done.status_code == 200
        assert "入会申请已提交" in done.content.decode()
        assert f"RH{ms.pk:08d}" in done.content.decode()

    def test_join_needs_both_consents_and_saves_nothing_without_them(self, world_for) -> None:
        before = snapshot()
        body = {k: v for k, v in self.JOIN_BODY.items() if k not in ("accept_charter", "consent")}
        resp = world_for("anon").client().post("/m/join/520201G001/", data=body)
        assert resp.status_code == 200
        assert resp.content.decode().count("这个字段是必填项。") == 2
        assert snapshot() == before

    def _answer(self, resp) -> tuple[int, str]:
        """What the worker sees: the status and the page it leads to, with the application's own
        number (RH…) taken out, which differs by design from one application to the next."""
        assert resp.status_code == 302, resp.content.decode()
        done = self.client_done.get(resp.url)
        return done.status_code, re.sub(r"RH\d{8}", "RH…", done.content.decode())

    def test_join_gives_the_same_answer_for_a_member_and_a_stranger(self, world_for) -> None:
        # 王小明 is an active member of 钟山区快递员联合工会; the JOIN_BODY's number belongs to nobody.
        w = world_for("anon")
        self.client_done = w.client()
        member = {**self.JOIN_BODY, "id_number": id_number(1), "name": "王小明"}
        stranger = self.JOIN_BODY
        answers = [self._answer(w.client().post("/m/join/520102/", data=body)) for body in (member, stranger)]
        assert answers[0] == answers[1]
        assert answers[0][0] == 200
        for hidden in ("钟山区快递员联合工会", "钟山区总工会", "六盘水市总工会", LIVE_REFUSAL):
            assert hidden not in answers[0][1]
        # Both are recorded for 南明区总工会 to review; the member's stays a pending application.
        member_ms = Membership.all_objects.filter(
            org=w.tree.nanming, person__id_index=identity_index("1", id_number(1))
        )
        assert [m.status for m in member_ms] == [MembershipStatus.APPLIED]

    def test_join_applying_twice_is_the_same_answer(self, world_for) -> None:
        w = world_for("anon")
        self.client_done = w.client()
        first = self._answer(w.client().post("/m/join/520201G001/", data=self.JOIN_BODY))
        second = self._answer(w.client().post("/m/join/520201G001/", data=self.JOIN_BODY))
        assert first == second
        person = Person.objects.get(id_index=identity_index("1", self.JOIN_BODY["id_number"]))
        assert Membership.all_objects.filter(person=person, status=MembershipStatus.APPLIED).count() == 2

    def test_join_with_a_bad_id_number_is_a_field_error(self, world_for) -> None:
        before = snapshot()
        body = {**self.JOIN_BODY, "id_number": self.JOIN_BODY["id_number"][:17] + "Y"}
        resp = world_for("anon").client().post("/m/join/520201G001/", data=body)
        assert resp.status_code == 200
        assert 'data-testid="join-error-id_number"' in resp.content.decode()
        assert snapshot() == before

    @pytest.mark.parametrize("code", ["999999", "520201G999", "nonsense"])
    def test_unknown_code_is_404(self, world_for, code: str) -> None:
        client = world_for("anon").client()
        before = snapshot()
        assert client.get(f"/m/join/{code}/").status_code == 404
        assert client.post(f"/m/join/{code}/", data=self.JOIN_BODY).status_code == 404
        assert client.get(f"/m/join/{code}/qr.svg").status_code == 404
        assert snapshot() == before

    def test_closed_union_is_404(self, world_for) -> None:
        w = world_for("anon")
        org = make_org(
            "520102G001", "南明区环卫工人联合工会", OrgKind.JOINT_GRASSROOTS, w.tree.nanming, join_published=True
        )
        client = w.client()
        assert client.get("/m/join/520102G001/").status_code == 200
        org_close(actor=None, scope=None, org=org)
        before = snapshot()
        for resp in (
            client.get("/m/join/520102G001/"),
            client.post("/m/join/520102G001/", data=self.JOIN_BODY),
            client.get("/m/join/520102G001/qr.svg"),
        ):
            assert resp.status_code == 404
            assert "南明区环卫工人联合工会" not in resp.content.decode()
        assert snapshot() == before
        resp = client.get("/m/join/", {"code": "520102G001"})
        assert resp.status_code == 200
        assert "未找到该工会代码，请向工会工作人员确认。" in resp.content.decode()

    def test_unpublished_union_answers_as_an_unknown_code(self, world_for) -> None:
        # 六盘水市总工会 exists and is open, but has not published its join page.
        client = world_for("anon").client()
        before = snapshot()
        for code in ("520200", "999999"):
            assert client.get(f"/m/join/{code}/").status_code == 404
            assert client.post(f"/m/join/{code}/", data=self.JOIN_BODY).status_code == 404
            assert client.get(f"/m/join/{code}/qr.svg").status_code == 404
        unpublished, unknown = (client.get("/m/join/", {"code": code}) for code in ("520200", "999999"))
        assert unpublished.status_code == unknown.status_code == 200
        assert unpublished.content.decode().replace("520200", "999999") == unknown.content.decode()
        assert "六盘水市总工会" not in unpublished.content.decode()
        assert snapshot() == before

    def test_join_find_redirects_a_known_code(self, world_for) -> None:
        resp = world_for("anon").client().get("/m/join/", {"code": " 520201g001 "})
        assert resp.status_code == 302
        assert resp.url == "/m/join/520201G001/"

    def test_done_page_needs_a_signed_reference(self, world_for) -> None:
        w = world_for("anon")
        client = w.client()
        assert client.get("/m/join/520201G001/done/123/").status_code == 404
        forged = signing.dumps([w.ms["applied"].pk, "520201G001"], salt="another-salt")
        assert client.get(f"/m/join/520201G001/done/{forged}/").status_code == 404
        good = signing.dumps([w.ms["applied"].pk, "520201G001"], salt=REF_SALT)
        assert client.get(f"/m/join/520201G001/done/{good}/").status_code == 200

    def test_done_page_of_one_union_does_not_open_under_another(self, world_for) -> None:
        w = world_for("anon")
        ref = signing.dumps([w.ms["applied"].pk, "520201G001"], salt=REF_SALT)  # an application to 钟山区快递员联合工会
        assert w.client().get(f"/m/join/520201G001/done/{ref}/").status_code == 200
        assert w.client().get(f"/m/join/520102/done/{ref}/").status_code == 404

    def test_logged_in_users_join_as_anyone_does(self, world_for) -> None:
        w = world_for("officer")
        resp = w.client().post("/m/join/520201G001/", data=self.JOIN_BODY)
        assert resp.status_code == 302
        ms = Membership.all_objects.get(person__id_index=identity_index("1", self.JOIN_BODY["id_number"]))
        assert ms.status == MembershipStatus.APPLIED


def svg_modules(svg: bytes) -> set[tuple[int, int]]:
    """The dark modules (row, column) drawn by segno's SVG path (`M x y`, `m dx dy`, `h n`)."""
    root = ET.fromstring(svg)  # noqa: S314 - our own server's output
    path = root.find("{http://www.w3.org/2000/svg}path")
    assert path is not None
    match = re.fullmatch(r"scale\((\d+)\)", path.get("transform", "scale(1)"))
    assert match is not None
    assert int(root.get("width", "0")) % int(match.group(1)) == 0
    dark: set[tuple[int, int]] = set()
    x = y = 0.0
    for cmd, a, b in re.findall(r"([Mmh])(-?[\d.]+)(?: (-?[\d.]+))?", path.get("d", "")):
        if cmd == "M":
            x, y = float(a), float(b)
        elif cmd == "m":
            x, y = x + float(a), y + float(b)
        else:
            dark.update((int(y), int(x) + i) for i in range(int(a)))
            x += int(a)
    return dark


def qr_modules(data: str) -> set[tuple[int, int]]:
    rows = segno.make(data, error="m").matrix_iter(scale=1, border=2)
    return {(r, c) for r, row in enumerate(rows) for c, bit in enumerate(row) if bit}


class TestQr:
    def test_qr_svg_encodes_the_absolute_join_url(self, world_for) -> None:
        resp = world_for("anon").client().get("/m/join/520201g001/qr.svg")
        assert resp.status_code == 200
        assert resp["Content-Type"] == "image/svg+xml"
        assert "max-age=3600" in resp["Cache-Control"]
        root = ET.fromstring(resp.content)  # noqa: S314 - our own server's output
        assert root.tag == "{http://www.w3.org/2000/svg}svg"
        title = root.find("{http://www.w3.org/2000/svg}title")
        assert title is not None
        assert title.text == "钟山区快递员联合工会 入会二维码"
        drawn = svg_modules(resp.content)
        assert drawn == qr_modules("http://testserver/m/join/520201G001/")
        # The comparison tells URLs apart: a relative link or another union draws another code.
        assert drawn != qr_modules("/m/join/520201G001/")
        assert drawn != qr_modules("http://testserver/m/join/520201/")

    def test_qr_follows_the_host_the_page_was_asked_on(self, world_for, settings) -> None:
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "ghu.example.cn"]
        resp = world_for("anon").client().get("/m/join/520102/qr.svg", HTTP_HOST="ghu.example.cn", secure=True)
        assert resp.status_code == 200
        assert svg_modules(resp.content) == qr_modules("https://ghu.example.cn/m/join/520102/")

    def test_org_page_shows_the_join_qr_and_link(self, world_for) -> None:
        content = world_for("officer").client().get("/orgs/520201G001/").content.decode()
        assert 'src="/m/join/520201G001/qr.svg"' in content
        assert 'href="/m/join/520201G001/"' in content
        # A union that has not published its join page shows no QR code, and says how to publish it.
        unpublished = world_for("officer").client().get("/orgs/520200KD01/").content.decode()
        assert "/m/join/520200KD01/" not in unpublished and 'data-testid="join-unpublished"' in unpublished

    def test_qr_svg_is_valid_xml_with_a_size(self, world_for) -> None:
        content = world_for("anon").client().get("/m/join/520201G001/qr.svg").content
        root = ET.parse(io.BytesIO(content)).getroot()  # noqa: S314 - our own server's output
        assert int(root.get("width", "0")) == int(root.get("height", "0")) > 0
