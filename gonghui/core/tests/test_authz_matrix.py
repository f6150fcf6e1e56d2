"""The authorization matrix: every API endpoint and every page, for every kind of caller.

Callers (all grants but `foreign` and `sibling` sit on 520200 六盘水市总工会):

    anon       nobody (API: no credentials, or a bearer token that is not one)
    foreign    admin on 621100 定西 (another province)
    sibling    admin on 520100 贵阳 (the same province, another city)
    blind      custom role holding every permission except orgs.org.view
    view_only  custom role holding orgs.org.view only (no statistics)
    viewer     built-in viewer
    reviewer   built-in reviewer
    officer    built-in officer
    admin      built-in admin

API calls are made with a bearer token and with a session; bearer and anonymous
calls go through a CSRF-enforcing client, as a real integration would. Every
response that is not a successful write must leave the database exactly as it
was (orgs, audit events, tokens, grants).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.conf import settings

from gonghui.accounts.models import ApiToken, Grant, Role, User
from gonghui.accounts.services import grant_role, token_create
from gonghui.conftest import Tree, build_tree
from gonghui.core.models import AuditEvent
from gonghui.core.permissions import builtin_role_permissions
from gonghui.core.tests.clients import client as new_client
from gonghui.core.tests.worlds import api_client, class_world_fixtures
from gonghui.orgs.models import Org
from gonghui.orgs.permissions import OrgPerm

pytestmark = pytest.mark.django_db

LPS_CODES = {"520200", "520201", "520201G001", "520200KD01"}
GRANTS: dict[str, tuple[str, str]] = {
    "foreign": ("admin", "621100"),
    "sibling": ("admin", "520100"),
    "blind": ("no_view", "520200"),
    "view_only": ("view_only", "520200"),
    "viewer": ("viewer", "520200"),
    "reviewer": ("reviewer", "520200"),
    "officer": ("officer", "520200"),
    "admin": ("admin", "520200"),
}
ACTORS = list(GRANTS)
OUT_OF_SCOPE = ("foreign", "sibling")
TARGET_TOKEN_NAME = "目标令牌-officer"
# Text that must never reach a caller whose scope does not cover 六盘水.
LPS_MARKERS = ("六盘水市总工会", "钟山区总工会", "钟山区快递员联合工会", "六盘水市快递行业工会联合会")

OK = "ok"
REFUSED_REDIRECT = "refused-redirect"  # the page answers with a redirect and a message, changing nothing

# Policies: the outcome per actor (anything not listed is OK).
HIDDEN = {"foreign": 404, "sibling": 404, "blind": 404}
POLICY: dict[str, dict[str, object]] = {
    "authenticated": {},
    "view": HIDDEN,
    "create_change": {**HIDDEN, "viewer": 403, "reviewer": 403, "view_only": 403},
    "move_close": {**HIDDEN, "viewer": 403, "reviewer": 403, "view_only": 403, "officer": 403},
    "stats_org": {**HIDDEN, "view_only": 403},
    "stats_any": {"view_only": 403},
    "view_anywhere": {"blind": 403},
    "audit": {"viewer": 403, "reviewer": 403, "view_only": 403, "officer": 403},
    "token_owner_api": {a: 404 for a in ACTORS if a != "officer"},
    "token_owner_page": {a: REFUSED_REDIRECT for a in ACTORS if a != "officer"},
}


# ---------------------------------------------------------------------------
# The world, built once for the matrix class: the shared tree (as in conftest's
# `tree`), two custom roles, one user per actor with a bearer token, and a token
# of the officer's for the others to try to revoke. Each test runs in a
# savepoint inside the class's transaction, so every write is rolled back.


@dataclass
class World:
    tree: Tree
    users: dict[str, User]
    raw_tokens: dict[str, str]
    session_keys: dict[str, str]
    target_token_id: int
    actor: str = ""

    @property
    def user(self) -> User | None:
        return self.users.get(self.actor)

    def fmt(self, url: str) -> str:
        return url.format(target_token=self.target_token_id)

    def client(self, *, csrf: bool = False, logged_in: bool = False):
        """A client, logged in as the actor through the session made for the class."""
        c = new_client(csrf=csrf)
        if logged_in and self.actor in self.session_keys:
            c.cookies[settings.SESSION_COOKIE_NAME] = self.session_keys[self.actor]
        return c


def _build_world() -> World:
    tree = build_tree()

    every = builtin_role_permissions()["admin"]
    Role.objects.create(name="no_view", label="无查看权", permissions=sorted(every - {OrgPerm.VIEW}))
    Role.objects.create(name="view_only", label="仅查看", permissions=[OrgPerm.VIEW.value])
    users: dict[str, User] = {}
    raw_tokens: dict[str, str] = {}
    session_keys: dict[str, str] = {}
    for actor, (role, code) in GRANTS.items():
        user = User.objects.create_user(username=actor, password="Test-password-2026")
        grant_role(actor=None, actor_scope=None, user=user, role_name=role, org_code=code)
        token_create(user=user, name=f"{actor}-own")
        raw_tokens[actor] = token_create(user=user, name=f"{actor}-bearer").raw
        users[actor] = user
        c = new_client()
        c.force_login(user)
        session_keys[actor] = c.cookies[settings.SESSION_COOKIE_NAME].value
    target = token_create(user=users["officer"], name=TARGET_TOKEN_NAME).token
    return World(tree=tree, users=users, raw_tokens=raw_tokens, session_keys=session_keys, target_token_id=target.pk)


world, world_for = class_world_fixtures(_build_world)


def snapshot() -> dict[str, Any]:
    """Everything a refused request must leave alone (token use stamps aside)."""
    return {
        "orgs": list(Org.all_objects.order_by("pk").values()),
        "audit": list(AuditEvent.all_objects.order_by("pk").values_list("pk", "action", "org_path")),
        "tokens": list(
            ApiToken.objects.order_by("pk").values_list("pk", "user_id", "name", "key_hash", "expires_at", "revoked_at")
        ),
        "grants": list(Grant.objects.order_by("pk").values_list("pk", "user_id", "role_id", "org_id")),
    }


def org_row(code: str) -> Org:
    return Org.all_objects.get(code=code)


def new_audit(before: dict[str, Any]) -> list[AuditEvent]:
    seen = {row[0] for row in before["audit"]}
    return [e for e in AuditEvent.all_objects.order_by("pk") if e.pk not in seen]


def body_text(resp) -> str:
    if resp.get("Content-Type", "").startswith("application/json"):
        return json.dumps(resp.json(), ensure_ascii=False)
    return resp.content.decode()


# ---------------------------------------------------------------------------
# Effects of the successful writes and checks of the successful reads.


def effect_create(w: World, before: dict[str, Any], resp) -> None:
    org = org_row("520201G002")
    assert org.parent_id == w.tree.zhongshan.pk
    assert org.path == f"{w.tree.zhongshan.path}{org.pk}/"
    assert org.depth == 3
    events = new_audit(before)
    assert [e.action for e in events] == ["orgs.org.create"]
    assert events[0].actor_id == w.user.pk
    assert events[0].org_path == org.path
    assert len(Org.all_objects.all()) == len(before["orgs"]) + 1


def effect_change(w: World, before: dict[str, Any], resp) -> None:
    org = org_row("520201")
    assert org.name == "钟山区总工会（改）"
    assert org.path == w.tree.zhongshan.path
    events = new_audit(before)
    assert [e.action for e in events] == ["orgs.org.update"]
    assert events[0].data["changes"]["name"] == ["钟山区总工会", "钟山区总工会（改）"]
    assert events[0].actor_id == w.user.pk


def effect_move(w: World, before: dict[str, Any], resp) -> None:
    org = org_row("520201G001")
    assert org.parent_id == w.tree.lps.pk
    assert org.path == f"{w.tree.lps.path}{org.pk}/"
    assert org.depth == 2
    events = new_audit(before)
    assert [e.action for e in events] == ["orgs.org.move"]
    assert events[0].data == {"from": "520201", "to": "520200", "subtree_size": 1}
    # Nothing else moved.
    others = {r["code"]: (r["path"], r["depth"]) for r in before["orgs"] if r["code"] != "520201G001"}
    assert {o.code: (o.path, o.depth) for o in Org.all_objects.exclude(code="520201G001")} == others


def effect_close(w: World, before: dict[str, Any], resp) -> None:
    org = org_row("520201G001")
    assert org.closed_on is not None
    assert org.path == w.tree.courier_union.path
    assert [e.action for e in new_audit(before)] == ["orgs.org.close"]


def effect_token_revoked(w: World, before: dict[str, Any], resp) -> None:
    assert ApiToken.objects.get(pk=w.target_token_id).revoked_at is not None
    assert [e.action for e in new_audit(before)] == ["accounts.token.revoke"]


def effect_token_created(w: World, before: dict[str, Any], resp) -> None:
    assert resp.url == "/accounts/me/"
    assert ApiToken.objects.filter(user=w.user).count() == sum(1 for t in before["tokens"] if t[1] == w.user.pk) + 1
    assert [e.action for e in new_audit(before)] == ["accounts.token.create"]


def check_list(w: World, resp) -> None:
    visible = {
        "foreign": {"621100"},
        "sibling": {"520100", "520102"},
        "blind": set(),
    }.get(w.actor, LPS_CODES)
    body = resp.json()
    assert {o["code"] for o in body["items"]} == visible
    assert body["count"] == len(visible)


def check_suggest(w: World, resp) -> None:
    # "gonghui" is in every union's pinyin: the picker offers exactly what the caller may see.
    visible = {"foreign": {"621100"}, "sibling": {"520100", "520102"}, "blind": set()}.get(w.actor, LPS_CODES)
    assert {o["code"] for o in resp.json()} == visible


def check_regions(w: World, resp) -> None:
    assert resp.json()[0]["code"] == "520201"


def check_lps_subtree(w: World, resp) -> None:
    assert {o["code"] for o in resp.json()["items"]} == LPS_CODES


def check_detail(w: World, resp) -> None:
    assert resp.json()["code"] == "520200"
    assert resp.json()["name"] == "六盘水市总工会"


def check_children(w: World, resp) -> None:
    assert {o["code"] for o in resp.json()} == {"520201", "520200KD01"}


def check_stats_lps(w: World, resp) -> None:
    assert resp.json()["orgs"] == 4
    assert resp.json()["orgs_new_employment"] == 2


def check_stats_any(w: World, resp) -> None:
    expected = {"foreign": 1, "sibling": 2}.get(w.actor, 4)
    assert resp.json()["orgs"] == expected


def check_tokens(w: World, resp) -> None:
    assert w.user is not None
    assert {t["id"] for t in resp.json()} == set(ApiToken.objects.filter(user=w.user).values_list("pk", flat=True))
    assert all("key_hash" not in t for t in resp.json())


def contains(*texts: str) -> Callable[[World, Any], None]:
    def _check(w: World, resp) -> None:
        content = resp.content.decode()
        for text in texts:
            assert text in content

    return _check


def check_tree_search(w: World, resp) -> None:
    if w.actor not in OUT_OF_SCOPE:
        assert "钟山区总工会" in resp.content.decode()


def check_audit(w: World, resp) -> None:
    content = resp.content.decode()
    if w.actor in ("admin", "blind"):  # both hold core.audit.view on 520200
        assert "钟山区快递员联合工会" in content
    assert "定西市总工会" in content if w.actor == "foreign" else "定西市总工会" not in content
    assert "贵阳市总工会" in content if w.actor == "sibling" else "贵阳市总工会" not in content


def check_profile(w: World, resp) -> None:
    content = resp.content.decode()
    assert f"{w.actor}-own" in content
    assert (TARGET_TOKEN_NAME in content) == (w.actor == "officer")


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


CREATE_BODY = {"code": "520201G002", "name": "钟山区外卖骑手工会", "kind": "joint_grassroots"}

API_ENDPOINTS = [
    Endpoint("list", "get", "/api/v1/orgs", "authenticated", check=check_list),
    Endpoint("list-within", "get", "/api/v1/orgs?within=520200", "view", check=check_lps_subtree),
    Endpoint("suggest", "get", "/api/v1/orgs/suggest?q=gonghui", "authenticated", check=check_suggest),
    Endpoint("regions", "get", "/api/v1/regions/suggest?q=520201", "authenticated", check=check_regions),
    Endpoint("detail", "get", "/api/v1/orgs/520200", "view", check=check_detail),
    Endpoint("children", "get", "/api/v1/orgs/520200/children", "view", check=check_children),
    Endpoint(
        "create", "post", "/api/v1/orgs", "create_change", 201, {**CREATE_BODY, "parent_code": "520201"}, effect_create
    ),
    Endpoint(
        "update", "patch", "/api/v1/orgs/520201", "create_change", 200, {"name": "钟山区总工会（改）"}, effect_change
    ),
    Endpoint("move", "post", "/api/v1/orgs/520201G001/move", "move_close", 200, {"parent_code": "520200"}, effect_move),
    Endpoint("close", "post", "/api/v1/orgs/520201G001/close", "move_close", 200, {}, effect_close),
    Endpoint("stats-org", "get", "/api/v1/stats?org=520200", "stats_org", check=check_stats_lps),
    Endpoint("stats", "get", "/api/v1/stats", "stats_any", check=check_stats_any),
    Endpoint("tokens", "get", "/api/v1/auth/tokens", "authenticated", check=check_tokens),
    Endpoint(
        "token-revoke", "delete", "/api/v1/auth/tokens/{target_token}", "token_owner_api", effect=effect_token_revoked
    ),
]

PAGE_ENDPOINTS = [
    Endpoint("dashboard", "get", "/", "stats_any"),
    Endpoint("dashboard-org", "get", "/?org=520200", "stats_org", check=contains("六盘水市总工会")),
    Endpoint("tree", "get", "/orgs/?q=5202", "view_anywhere", check=check_tree_search),
    Endpoint("detail", "get", "/orgs/520200/", "view", check=contains("六盘水市总工会", "钟山区总工会")),
    Endpoint("children", "get", "/orgs/520200/children/", "view", check=contains("钟山区总工会")),
    Endpoint("create-form", "get", "/orgs/520201/new/", "create_change"),
    Endpoint("create", "post", "/orgs/520201/new/", "create_change", 302, CREATE_BODY, effect_create),
    Endpoint("edit-form", "get", "/orgs/520201/edit/", "create_change", check=contains("钟山区总工会")),
    Endpoint(
        "edit",
        "post",
        "/orgs/520201/edit/",
        "create_change",
        302,
        {"name": "钟山区总工会（改）", "kind": "county_federation", "region_code": "520201"},
        effect_change,
    ),
    Endpoint("move-form", "get", "/orgs/520201G001/move/", "move_close"),
    Endpoint("move", "post", "/orgs/520201G001/move/", "move_close", 302, {"parent_code": "520200"}, effect_move),
    Endpoint("close-form", "get", "/orgs/520201G001/close/", "move_close"),
    Endpoint("close", "post", "/orgs/520201G001/close/", "move_close", 302, {"confirm": "on"}, effect_close),
    Endpoint("audit", "get", "/audit/", "audit", check=check_audit),
    Endpoint("profile", "get", "/accounts/me/", "authenticated", check=check_profile),
    Endpoint(
        "token-new", "post", "/accounts/me/tokens/new/", "authenticated", 302, {"name": "新令牌"}, effect_token_created
    ),
    Endpoint(
        "token-revoke",
        "post",
        "/accounts/me/tokens/{target_token}/revoke/",
        "token_owner_page",
        302,
        {},
        effect_token_revoked,
    ),
]


def expected_outcome(endpoint: Endpoint, actor: str) -> object:
    return POLICY[endpoint.policy].get(actor, OK)


def _api_cases() -> list[Any]:
    cases = []
    for ep in API_ENDPOINTS:
        cases.append(pytest.param(ep, "anon", "none", id=f"{ep.id}-anon"))
        cases.append(pytest.param(ep, "anon", "bad-token", id=f"{ep.id}-anon-bad-token"))
        for actor in ACTORS:
            for mode in ("bearer", "session"):
                cases.append(pytest.param(ep, actor, mode, id=f"{ep.id}-{actor}-{mode}"))
    return cases


def _page_cases() -> list[Any]:
    return [pytest.param(ep, actor, id=f"{ep.id}-{actor}") for ep in PAGE_ENDPOINTS for actor in ["anon", *ACTORS]]


def _api_request(w: World, ep: Endpoint, mode: str):
    client, headers = api_client(w, mode)
    before = snapshot()
    url = w.fmt(ep.url)
    if ep.method == "get":
        resp = client.get(url, **headers)
    elif ep.body is None:
        resp = getattr(client, ep.method)(url, **headers)
    else:
        resp = getattr(client, ep.method)(url, data=json.dumps(ep.body), content_type="application/json", **headers)
    return before, resp


class TestMatrix:
    @pytest.mark.parametrize(("ep", "actor", "mode"), _api_cases())
    def test_api(self, world_for, ep: Endpoint, actor: str, mode: str) -> None:
        check_api(world_for(actor), ep, actor, mode)

    @pytest.mark.parametrize(("ep", "actor"), _page_cases())
    def test_page(self, world_for, ep: Endpoint, actor: str) -> None:
        check_page(world_for(actor), ep, actor)


def check_api(w: World, ep: Endpoint, actor: str, mode: str) -> None:
    before, resp = _api_request(w, ep, mode)
    expected = 401 if actor == "anon" else expected_outcome(ep, actor)

    assert resp["Content-Type"].startswith("application/json")
    if expected == OK:
        assert resp.status_code == ep.ok_status, resp.content
        if ep.effect is not None:
            ep.effect(w, before, resp)
        else:
            assert snapshot() == before
        if ep.check is not None:
            ep.check(w, resp)
    else:
        assert resp.status_code == expected, resp.content
        body = resp.json()
        assert set(body) == {"code", "message", "details"}
        code = {401: "unauthenticated", 403: "permission_denied", 404: ("not_found", "token.not_found")}[expected]
        assert body["code"] in (code if isinstance(code, tuple) else (code,))
        assert any("\u4e00" <= ch <= "\u9fff" for ch in body["message"]), "messages are Chinese"
        assert snapshot() == before
    if actor in OUT_OF_SCOPE:
        text = body_text(resp)
        assert not any(marker in text for marker in LPS_MARKERS)


def check_page(w: World, ep: Endpoint, actor: str) -> None:
    client = w.client(logged_in=True)
    before = snapshot()
    url = w.fmt(ep.url)
    resp = client.post(url, data=ep.body) if ep.method == "post" else client.get(url)
    expected = "login" if actor == "anon" else expected_outcome(ep, actor)

    if expected == OK:
        assert resp.status_code == ep.ok_status, resp.content.decode()[:2000]
        if ep.effect is not None:
            ep.effect(w, before, resp)
        else:
            assert snapshot() == before
        if ep.check is not None:
            ep.check(w, resp)
    elif expected == "login":
        assert resp.status_code == 302
        assert resp.url.startswith("/accounts/login/?next=")
        assert snapshot() == before
    elif expected == REFUSED_REDIRECT:
        assert resp.status_code == 302
        assert resp.url == "/accounts/me/"
        assert snapshot() == before
        follow = client.get(resp.url)
        assert "未找到该访问令牌。" in follow.content.decode()
    else:
        assert resp.status_code == expected
        assert snapshot() == before
    if actor in OUT_OF_SCOPE:
        assert not any(marker in resp.content.decode() for marker in LPS_MARKERS)


# ---------------------------------------------------------------------------
# Beyond the matrix: the assumptions it rests on, and corners of each rule.


def test_builtin_roles_hold_the_documented_permissions(db: None) -> None:
    perms = {r.name: set(r.permissions) for r in Role.objects.filter(is_builtin=True)}
    view_stats = {
        "orgs.org.view",
        "reports.stats.view",
        "members.membership.view",
        "cards.card.view",
        "cards.payout.view",
        "benefits.campaign.view",
        "aid.file.view",
        "student_aid.application.view",
        "crosscheck.list.view",
        "stations.station.view",
        "rights.case.view",
        "rights.contract.view",
        "rights.legal.view",
        "charity.fund.view",
        "honors.campaign.view",
        "skills.contest.view",
        "skills.training.view",
    }
    admin_only = {
        "orgs.org.move",
        "orgs.org.close",
        "core.audit.view",
        "accounts.grant.manage",
        "members.person.view_id",
        "cards.card.view_number",
        "benefits.transaction.record",
        "aid.file.approve",
        "student_aid.standard.manage",
        "aid.standard.manage",
        "stations.station.view_phone",
        "charity.fund.manage",
    }
    assert view_stats | admin_only <= perms["admin"]
    assert perms["officer"] == view_stats | {
        "orgs.org.create",
        "orgs.org.change",
        "accounts.user.view",
        "members.membership.register",
        "members.membership.approve",
        "members.membership.transfer",
        "members.membership.change",
        "members.person.change",
        "cards.card.apply",
        "cards.card.manage",
        "cards.payout.make",
        "benefits.campaign.manage",
        "aid.file.apply",
        "aid.relief.record",
        "student_aid.application.apply",
        "student_aid.publication.manage",
        "crosscheck.list.import",
        "stations.station.manage",
        "stations.roster.manage",
        "rights.case.intake",
        "rights.case.handle",
        "rights.case.supervise",
        "rights.contract.manage",
        "rights.legal.manage",
        "charity.donation.record",
        "charity.disbursement.record",
        "charity.activity.record",
        "honors.campaign.manage",
        "honors.nomination.submit",
        "skills.contest.manage",
        "skills.contest.register",
        "skills.score.enter",
        "skills.training.manage",
    }
    assert perms["reviewer"] == view_stats | {
        "members.membership.approve",
        "cards.payout.check",
        "aid.file.review",
        "student_aid.application.review",
        "student_aid.application.approve",
        "crosscheck.review.decide",
        "rights.case.check",
        "rights.case.supervise",
        "charity.donation.refund",
        "honors.nomination.review",
        "skills.score.enter",
        "skills.score.resolve",
    }
    assert perms["viewer"] == view_stats


@pytest.mark.parametrize(
    ("role", "actions"),
    [
        ("viewer", set()),
        ("officer", {"create", "edit"}),
        ("admin", {"create", "edit", "move", "close"}),
    ],
)
def test_detail_page_offers_only_permitted_actions(tree, make_user, role: str, actions: set[str]) -> None:
    client = new_client()
    client.force_login(make_user("u", (role, "520200")))
    content = client.get("/orgs/520201/").content.decode()
    links = {"create": "/orgs/520201/new/", "edit": "/orgs/520201/edit/", "move": "/orgs/520201/move/"}
    links["close"] = "/orgs/520201/close/"
    assert {name for name, href in links.items() if f'href="{href}"' in content} == actions


def test_move_into_a_parent_outside_scope_is_404_and_changes_nothing(tree, make_user, bearer) -> None:
    admin = make_user("lps_admin", ("admin", "520200"))
    headers = bearer(admin)
    before = snapshot()
    for parent in ("520100", "621100", "520000"):
        resp = new_client(csrf=True).post(
            "/api/v1/orgs/520201/move", data={"parent_code": parent}, content_type="application/json", **headers
        )
        assert resp.status_code == 404
        assert resp.json()["code"] == "not_found"
    assert snapshot() == before


def test_move_needs_the_permission_at_the_new_parent_too(tree, make_user, bearer) -> None:
    # Admin of 钟山 and officer of 六盘水: may move inside 钟山, not up into 六盘水.
    user = make_user("split", ("admin", "520201"), ("officer", "520200"))
    headers = bearer(user)
    before = snapshot()
    resp = new_client().post(
        "/api/v1/orgs/520201G001/move", data={"parent_code": "520200"}, content_type="application/json", **headers
    )
    assert resp.status_code == 403
    assert resp.json()["details"] == {"permission": "orgs.org.move"}
    assert snapshot() == before


def test_grant_on_a_descendant_does_not_reach_up(tree, make_user, bearer) -> None:
    officer = make_user("zs", ("officer", "520201"))
    headers = bearer(officer)
    for url in ("/api/v1/orgs/520200", "/api/v1/orgs/520000", "/api/v1/stats?org=520200"):
        assert new_client().get(url, **headers).status_code == 404
    resp = new_client().get("/api/v1/orgs/520201/children", **headers)
    assert [o["code"] for o in resp.json()] == ["520201G001"]


def test_superuser_sees_every_root(tree, make_user, bearer) -> None:
    root = make_user("root", superuser=True)
    body = new_client().get("/api/v1/orgs", **bearer(root)).json()
    assert body["count"] == Org.all_objects.count()
    assert new_client().get("/api/v1/orgs/621100", **bearer(root)).status_code == 200


@pytest.mark.parametrize("via", ["bearer", "session"])
def test_inactive_user_is_unauthenticated(tree, make_user, via: str) -> None:
    user = make_user("gone", ("admin", "520200"))
    client = new_client(csrf=True)
    headers: dict[str, str] = {}
    if via == "bearer":
        headers["HTTP_AUTHORIZATION"] = f"Bearer {token_create(user=user, name='t').raw}"
    else:
        client.force_login(user)
    User.objects.filter(pk=user.pk).update(is_active=False)
    before = snapshot()
    assert client.get("/api/v1/orgs/520200", **headers).status_code == 401
    resp = client.post("/api/v1/orgs/520201G001/close", data={}, content_type="application/json", **headers)
    assert resp.status_code == 401
    assert resp.json()["code"] == "unauthenticated"
    assert snapshot() == before


def test_grant_on_a_closed_org_gives_nothing(tree, make_user, bearer) -> None:
    from gonghui.orgs.services import org_close

    user = make_user("closed", ("admin", "520201G001"))
    org_close(actor=None, scope=None, org=tree.courier_union)
    resp = new_client().get("/api/v1/orgs/520201G001", **bearer(user))
    assert resp.status_code == 404
    assert new_client().get("/api/v1/orgs", **bearer(user)).json()["count"] == 0


def test_session_write_to_the_api_needs_the_csrf_token(tree, make_user) -> None:
    officer = make_user("csrf", ("officer", "520200"))
    client = new_client(csrf=True)
    client.force_login(officer)
    before = snapshot()
    resp = client.patch("/api/v1/orgs/520201", data={"name": "钟山区总工会（改）"}, content_type="application/json")
    assert resp.status_code == 403
    assert resp.json()["code"] == "csrf_failed"
    assert any("\u4e00" <= ch <= "\u9fff" for ch in resp.json()["message"])
    assert snapshot() == before
    # With the token a page would send, the same write goes through.
    client.get("/accounts/me/")
    token = client.cookies["csrftoken"].value
    resp = client.patch(
        "/api/v1/orgs/520201",
        data={"name": "钟山区总工会（改）"},
        content_type="application/json",
        HTTP_X_CSRFTOKEN=token,
    )
    assert resp.status_code == 200
    assert org_row("520201").name == "钟山区总工会（改）"


def test_page_posts_by_anonymous_callers_change_nothing_even_without_csrf(tree, make_user) -> None:
    owner = make_user("owner", ("officer", "520200"))
    token = token_create(user=owner, name="t").token
    client = new_client(csrf=True)
    before = snapshot()
    for url, data in [
        ("/orgs/520201/new/", CREATE_BODY),
        ("/orgs/520201/close/", {"confirm": "on"}),
        (f"/accounts/me/tokens/{token.pk}/revoke/", {}),
        ("/accounts/me/tokens/new/", {}),
    ]:
        resp = client.post(url, data=data)
        assert resp.status_code in (302, 403)
    assert snapshot() == before


def test_token_pages_refuse_get(tree, make_user) -> None:
    client = new_client()
    client.force_login(make_user("u", ("viewer", "520200")))
    before = snapshot()
    assert client.get("/accounts/me/tokens/new/").status_code == 405
    assert client.get("/accounts/me/tokens/1/revoke/").status_code == 405
    assert snapshot() == before


def test_edit_page_never_names_an_org_outside_scope(tree, make_user) -> None:
    client = new_client()
    client.force_login(make_user("lps_officer", ("officer", "520200")))
    before = snapshot()
    form = {"name": "钟山区总工会", "kind": "county_federation", "region_code": "520201"}
    resp = client.post("/orgs/520201/edit/", {**form, "industry_federation_code": "621100"})
    assert resp.status_code == 200  # the form again, with the error
    content = resp.content.decode()
    assert "未找到上级工会“621100”" in content
    assert "定西市总工会" not in content
    assert snapshot() == before
