"""The authorization matrix of the 普惠 management endpoints: every endpoint, every kind of caller.

Callers (grants on 520200 六盘水市总工会 unless said otherwise):

    anon           no credentials
    foreign        admin on 621100 定西 (another province)
    sibling        admin on 520100 贵阳 (the same province, another city)
    viewer, reviewer, officer   the built-in roles
    cashier        the till account of 华联超市 (the merchant under test), no grant
    other_cashier  the till account of 别家超市 (another merchant of the same union), no grant

A cashier reads its own merchant's records (its stores, cashiers, campaigns,
sales and settlement) and writes nothing; anything of another merchant is not
found, as is anything outside a union's subtree. Every refused call, and every
read, leaves every 普惠 row and the audit log exactly as they were.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from gonghui.accounts.models import User
from gonghui.accounts.services import grant_role, token_create
from gonghui.benefits.models import Campaign, CampaignStatus, Merchant, MerchantOperator, RuleType
from gonghui.benefits.tests.helpers import add_stores, sell, snapshot
from gonghui.benefits.tests.test_transactions import make_world
from gonghui.conftest import PASSWORD, build_tree
from gonghui.core.models import AuditEvent
from gonghui.core.tests.clients import client
from gonghui.core.tests.worlds import class_world_fixtures

pytestmark = pytest.mark.django_db

GRANTS = {
    "foreign": ("admin", "621100"),
    "sibling": ("admin", "520100"),
    "viewer": ("viewer", "520200"),
    "reviewer": ("reviewer", "520200"),
    "officer": ("officer", "520200"),
}
ACTORS = ["anon", *GRANTS, "cashier", "other_cashier"]
STAFF = {"viewer", "reviewer", "officer"}
OK = "ok"

# What each caller gets, per policy (anything not listed: OK).
POLICIES: dict[str, dict[str, Any]] = {
    # Lists: everyone signed in gets 200, filtered to what they may see.
    "list": {},
    # Reads of 华联超市's records (or a campaign it takes part in).
    "read": {"foreign": 404, "sibling": 404, "other_cashier": 404},
    # Writes on them: staff without benefits.campaign.manage and the merchant's own cashier are forbidden.
    "write": {"foreign": 404, "sibling": 404, "other_cashier": 404, "viewer": 403, "reviewer": 403, "cashier": 403},
    # Creating under the union 520200: cashiers do not even see the union.
    "create": {
        "foreign": 404,
        "sibling": 404,
        "other_cashier": 404,
        "cashier": 404,
        "viewer": 403,
        "reviewer": 403,
    },
}
# Who sees each merchant's name in a list.
SEES_OURS = STAFF | {"cashier"}
SEES_THEIRS = STAFF | {"other_cashier"}


@dataclass
class World:
    tokens: dict[str, str]
    ids: dict[str, int]
    actor: str = ""

    def url(self, template: str) -> str:
        return "/api/v1/benefits" + template.format(**self.ids, today=timezone.localdate().isoformat())


def _build_world() -> World:
    tree = build_tree()

    def make_user(username: str) -> User:
        return User.objects.create_user(username=username, password=PASSWORD)

    w = make_world(tree, make_user)  # 华联超市 (520200) with its cashier and an active campaign
    ours: Merchant = w["merchant"]
    store_a, _store_b = add_stores(ours, "碧江店", "万山店")
    theirs = Merchant.all_objects.create(org=tree.lps, org_path=tree.lps.path, name="别家超市", category="supermarket")
    add_stores(theirs, "别家门店")
    MerchantOperator.objects.create(merchant=theirs, user=make_user("other_cashier"))
    spare = MerchantOperator.objects.create(merchant=ours, user=make_user("spare_cashier"), store=store_a)
    make_user("newbie")
    now = timezone.now()
    draft = Campaign.all_objects.create(
        org=tree.lps,
        org_path=tree.lps.path,
        name="六盘水普惠周",
        status=CampaignStatus.DRAFT,
        starts_at=now - timedelta(days=1),
        ends_at=now + timedelta(days=300),
        recurrence="quarterly",
        rule_type=RuleType.FIXED,
        reduction_fen=1000,
        budget_fen=500_000,
    )
    draft.merchants.add(ours)
    sell(w, "authz-1", store=store_a)

    tokens: dict[str, str] = {}
    for actor, (role, code) in GRANTS.items():
        user = make_user(actor)
        grant_role(actor=None, actor_scope=None, user=user, role_name=role, org_code=code)
        tokens[actor] = token_create(user=user, name="matrix").raw
    for actor in ("cashier", "other_cashier"):
        tokens[actor] = token_create(user=User.objects.get(username=actor), name="matrix").raw
    ids = {
        "M": ours.pk,
        "A": store_a.pk,
        "spare": spare.pk,
        "draft": draft.pk,
        "active": w["campaign"].pk,
    }
    return World(tokens=tokens, ids=ids)


world, world_for = class_world_fixtures(_build_world)


@dataclass(frozen=True)
class Endpoint:
    id: str
    method: str
    url: str
    policy: str
    body: Any = None
    ok_status: int = 200
    audit: str | None = None  # the audit event a successful call writes (None: a read, nothing changes)
    check: Callable[[str, Any], None] | None = field(default=None, compare=False)


def _names(actor: str, resp: Any) -> None:
    """A list names 华联超市 to those who see it, 别家超市 to those who see that one, nothing else."""
    text = resp.content.decode()
    assert ("华联超市" in text) == (actor in SEES_OURS), text[:500]


def _both_names(actor: str, resp: Any) -> None:
    _names(actor, resp)
    text = resp.content.decode()
    assert ("别家超市" in text) == (actor in SEES_THEIRS), text[:500]


CAMPAIGN_BODY = {
    "org_code": "520200",
    "name": "新活动",
    "starts_at": "2030-01-01T00:00:00+08:00",
    "ends_at": "2030-12-31T00:00:00+08:00",
    "rule_type": "discount",
    "discount_percent": 90,
    "budget": "1000",
    "merchant_ids": [],
}

ENDPOINTS = [
    Endpoint("merchants-list", "get", "/merchants", "list", check=_both_names),
    Endpoint(
        "merchants-create",
        "post",
        "/merchants",
        "create",
        body={"org_code": "520200", "name": "新商户", "category": "catering"},
        ok_status=201,
        audit="benefits.merchant.create",
    ),
    Endpoint("merchant-get", "get", "/merchants/{M}", "read"),
    Endpoint(
        "merchant-update",
        "patch",
        "/merchants/{M}",
        "write",
        body={"address": "钟山区新地址"},
        audit="benefits.merchant.update",
    ),
    Endpoint(
        "merchant-deactivate",
        "post",
        "/merchants/{M}/deactivate",
        "write",
        body={},
        audit="benefits.merchant.deactivate",
    ),
    Endpoint("stores-list", "get", "/merchants/{M}/stores", "read"),
    Endpoint(
        "store-create",
        "post",
        "/merchants/{M}/stores",
        "write",
        body={"name": "新店"},
        ok_status=201,
        audit="benefits.store.create",
    ),
    Endpoint(
        "store-update",
        "patch",
        "/merchants/{M}/stores/{A}",
        "write",
        body={"name": "碧江新店"},
        audit="benefits.store.update",
    ),
    Endpoint("operators-list", "get", "/merchants/{M}/operators", "read"),
    Endpoint(
        "operator-bind",
        "post",
        "/merchants/{M}/operators",
        "write",
        body={"display_name": "新收银台", "password": "Till-password-2026"},
        ok_status=201,
        audit="benefits.operator.bind",
    ),
    Endpoint(
        "operator-move",
        "patch",
        "/merchants/{M}/operators/{spare}",
        "write",
        body={"store_id": None},
        audit="benefits.operator.move",
    ),
    Endpoint(
        "operator-unbind",
        "delete",
        "/merchants/{M}/operators/{spare}",
        "write",
        ok_status=204,
        audit="benefits.operator.unbind",
    ),
    Endpoint("campaigns-list", "get", "/campaigns", "list", check=_names),
    Endpoint(
        "campaign-create",
        "post",
        "/campaigns",
        "create",
        body=CAMPAIGN_BODY,
        ok_status=201,
        audit="benefits.campaign.create",
    ),
    Endpoint("campaign-get", "get", "/campaigns/{draft}", "read"),
    Endpoint("campaign-occurrences", "get", "/campaigns/{draft}/occurrences", "read"),
    Endpoint(
        "campaign-update",
        "patch",
        "/campaigns/{draft}",
        "write",
        body={"name": "六盘水普惠周（二）"},
        audit="benefits.campaign.update",
    ),
    Endpoint(
        "campaign-participants",
        "put",
        "/campaigns/{draft}/participants",
        "write",
        body={"merchant_ids": [], "store_ids": ["{A}"]},
        audit="benefits.campaign.participants",
    ),
    Endpoint("campaign-activate", "post", "/campaigns/{draft}/activate", "write", audit="benefits.campaign.activate"),
    Endpoint("campaign-close", "post", "/campaigns/{active}/close", "write", body={}, audit="benefits.campaign.close"),
    Endpoint("sales-list", "get", "/sales", "list", check=_names),
    Endpoint("sales-of-merchant", "get", "/sales?merchant_id={M}", "list", check=_names),
    Endpoint("settlement", "get", "/settlement?day={today}", "list", check=_names),
    Endpoint("settlement-of-merchant", "get", "/settlement?day={today}&merchant_id={M}", "read"),
    Endpoint(
        "settlement-export",
        "get",
        "/settlement/export?day={today}&merchant_id={M}",
        "read",
        audit="benefits.settlement.export",
    ),
]


def expected(ep: Endpoint, actor: str) -> Any:
    if actor == "anon":
        return 401
    return POLICIES[ep.policy].get(actor, OK)


def _body(w: World, body: Any) -> Any:
    if body is None:
        return None
    text = json.dumps(body)
    for key, value in w.ids.items():
        text = text.replace(f'"{{{key}}}"', str(value))
    return text


def call(w: World, ep: Endpoint) -> Any:
    headers = {"HTTP_AUTHORIZATION": f"Bearer {w.tokens[w.actor]}"} if w.actor in w.tokens else {}
    c = client(csrf=True)  # integrations carry no CSRF token; the answer must not depend on one
    body = _body(w, ep.body if ep.method != "post" or ep.body is not None else {})
    if ep.method in ("get", "delete"):
        return getattr(c, ep.method)(w.url(ep.url), **headers)
    return getattr(c, ep.method)(w.url(ep.url), data=body, content_type="application/json", **headers)


class TestMatrix:
    @pytest.mark.parametrize(
        ("ep", "actor"), [pytest.param(ep, actor, id=f"{ep.id}-{actor}") for ep in ENDPOINTS for actor in ACTORS]
    )
    def test_endpoint(self, world_for, ep: Endpoint, actor: str) -> None:
        w = world_for(actor)
        before = snapshot()
        resp = call(w, ep)
        outcome = expected(ep, actor)
        if outcome == OK:
            assert resp.status_code == ep.ok_status, resp.content.decode()[:1000]
            if ep.audit is None:
                assert snapshot() == before
            else:
                after = snapshot()
                assert after != before
                assert AuditEvent.all_objects.order_by("-pk").values_list("action", flat=True)[0] == ep.audit
            if ep.check is not None:
                ep.check(actor, resp)
        else:
            assert resp.status_code == outcome, resp.content.decode()[:1000]
            body = resp.json()
            assert set(body) == {"code", "message", "details"}
            code = {401: "unauthenticated", 403: "permission_denied", 404: "not_found"}[outcome]
            assert body["code"] == code, body
            assert any("\u4e00" <= ch <= "\u9fff" for ch in body["message"]), "messages are Chinese"
            assert snapshot() == before
        if actor in ("foreign", "sibling", "other_cashier"):
            text = resp.content.decode() if not hasattr(resp, "streaming_content") else ""
            assert not any(marker in text for marker in ("华联超市", "碧江店", "spare_cashier")), text[:500]
        if actor in ("foreign", "sibling"):
            assert "六盘水" not in (resp.content.decode() if not hasattr(resp, "streaming_content") else "")
