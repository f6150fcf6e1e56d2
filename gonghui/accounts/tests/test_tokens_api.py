"""API tokens through HTTP: issue, use, list, revoke, expire; only a SHA-256 is stored."""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.sessions.models import Session
from django.utils import timezone

from gonghui.accounts.models import ApiToken, User
from gonghui.accounts.services import token_create
from gonghui.conftest import PASSWORD
from gonghui.core.models import AuditEvent
from gonghui.core.tests.clients import client

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/v1/auth/token"
TOKENS_URL = "/api/v1/auth/tokens"


def issue(username: str, password: str, **extra: str):
    body = {"username": username, "password": password, **extra}
    # A real integration carries no CSRF token.
    return client(csrf=True).post(TOKEN_URL, data=json.dumps(body), content_type="application/json")


def auth(raw: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def every_stored_row() -> list[str]:
    """Every row of every table the project's models know, as text (sessions decoded)."""
    rows = []
    for model in apps.get_models():
        rows.extend(repr(row) for row in model._base_manager.values_list())
    rows.extend(repr(s.get_decoded()) for s in Session.objects.all())
    return rows


@pytest.fixture
def officer(tree, make_user) -> User:
    return make_user("lps_officer", ("officer", "520200"))


@pytest.fixture
def other(tree, make_user) -> User:
    return make_user("dx_viewer", ("viewer", "621100"))


def test_good_credentials_issue_a_token(officer: User) -> None:
    before = timezone.now()
    resp = issue("lps_officer", PASSWORD, name="收银系统")
    assert resp.status_code == 200
    assert set(resp.json()) == {"token"}
    raw = resp.json()["token"]
    assert raw.startswith("gh_")
    assert len(raw) > 40

    token = ApiToken.objects.get(user=officer)
    assert token.name == "收银系统"
    assert token.prefix == raw[:10]
    assert token.revoked_at is None
    days = timedelta(days=settings.GONGHUI_API_TOKEN_DAYS)
    assert before + days <= token.expires_at <= timezone.now() + days
    event = AuditEvent.all_objects.get(action="accounts.token.create")
    assert event.actor_id == officer.pk
    assert event.data == {"name": "收银系统"}


def test_token_name_defaults_to_api(officer: User) -> None:
    assert issue("lps_officer", PASSWORD).status_code == 200
    assert ApiToken.objects.get(user=officer).name == "API"


@pytest.mark.parametrize(
    ("username", "password"),
    [
        ("lps_officer", "wrong-password-2026"),
        ("lps_officer", ""),
        ("nobody", PASSWORD),
        ("LPS_OFFICER", PASSWORD),
    ],
)
def test_bad_credentials_are_401(officer: User, username: str, password: str) -> None:
    resp = issue(username, password)
    assert resp.status_code == 401
    assert resp.json() == {"code": "bad_credentials", "message": "用户名或密码不正确。", "details": None}
    assert not ApiToken.objects.exists()


def test_inactive_user_gets_no_token(officer: User) -> None:
    User.objects.filter(pk=officer.pk).update(is_active=False)
    resp = issue("lps_officer", PASSWORD)
    assert resp.status_code == 401
    assert resp.json()["code"] == "bad_credentials"
    assert not ApiToken.objects.exists()


def test_missing_field_is_422_in_the_error_format(officer: User) -> None:
    resp = client().post(TOKEN_URL, data=json.dumps({"username": "lps_officer"}), content_type="application/json")
    assert resp.status_code == 422
    body = resp.json()
    assert body["code"] == "invalid"
    assert body["message"] == "提交的数据有误，请检查后重试。"
    assert any("password" in (d["field"] or "") for d in body["details"])


def test_token_works_as_bearer_and_carries_the_users_scope(officer: User) -> None:
    raw = issue("lps_officer", PASSWORD).json()["token"]
    resp = client(csrf=True).get("/api/v1/orgs", **auth(raw))
    assert resp.status_code == 200
    assert {o["code"] for o in resp.json()["items"]} == {"520200", "520201", "520201G001", "520200KD01"}
    assert client().get("/api/v1/orgs/621100", **auth(raw)).status_code == 404
    # Writes work too, with no CSRF token: a bearer caller has no session to protect.
    resp = client(csrf=True).patch(
        "/api/v1/orgs/520201", data=json.dumps({"chair": "张三"}), content_type="application/json", **auth(raw)
    )
    assert resp.status_code == 200
    assert resp.json()["chair"] == "张三"
    assert ApiToken.objects.get(user=officer).last_used_at is not None


def test_token_is_stored_only_as_its_sha256(officer: User) -> None:
    raw = issue("lps_officer", PASSWORD, name="银行对接").json()["token"]
    token = ApiToken.objects.get(user=officer)
    assert token.key_hash == hashlib.sha256(raw.encode()).hexdigest()
    secret = raw[len(token.prefix) :]
    assert len(secret) >= 32
    # Use it once, so every place a use could leave a trace has had the chance.
    assert client().get(TOKENS_URL, **auth(raw)).status_code == 200
    for row in every_stored_row():
        assert raw not in row
        assert secret not in row
        assert PASSWORD not in row


def test_stored_hash_alone_does_not_authenticate(officer: User) -> None:
    issue("lps_officer", PASSWORD)
    token = ApiToken.objects.get(user=officer)
    for guess in (token.key_hash, f"gh_{token.key_hash}", token.prefix):
        assert client().get(TOKENS_URL, **auth(guess)).status_code == 401


@pytest.mark.parametrize(
    "header",
    ["", "Bearer", "Bearer ", "Bearer gh_", "Bearer not-a-gonghui-token", "Token {raw}", "Basic {raw}", "{raw}"],
)
def test_malformed_authorization_is_401(officer: User, header: str) -> None:
    raw = token_create(user=officer, name="t").raw
    extra = {"HTTP_AUTHORIZATION": header.format(raw=raw)} if header else {}
    resp = client(csrf=True).get(TOKENS_URL, **extra)
    assert resp.status_code == 401
    assert resp.json()["code"] == "unauthenticated"


def test_list_shows_only_the_owners_tokens(officer: User, other: User) -> None:
    mine = [token_create(user=officer, name=f"mine-{i}") for i in range(3)]
    theirs = token_create(user=other, name="theirs")
    resp = client().get(TOKENS_URL, **auth(mine[0].raw))
    assert resp.status_code == 200
    listed = resp.json()
    assert [t["id"] for t in listed] == [t.token.pk for t in reversed(mine)]  # newest first
    assert theirs.token.pk not in {t["id"] for t in listed}
    assert set(listed[0]) == {"id", "name", "prefix", "created_at", "expires_at", "last_used_at", "revoked_at"}
    assert not any(t.raw in json.dumps(listed) for t in mine)
    # The other user sees only theirs.
    assert [t["name"] for t in client().get(TOKENS_URL, **auth(theirs.raw)).json()] == ["theirs"]


def test_list_through_the_session_matches(officer: User) -> None:
    token_create(user=officer, name="a")
    c = client()
    c.force_login(officer)
    assert [t["name"] for t in c.get(TOKENS_URL).json()] == ["a"]


def test_delete_revokes_and_the_token_stops_working(officer: User) -> None:
    issued = token_create(user=officer, name="to-revoke")
    spare = token_create(user=officer, name="spare")
    resp = client(csrf=True).delete(f"{TOKENS_URL}/{issued.token.pk}", **auth(issued.raw))
    assert resp.status_code == 200
    assert resp.json()["id"] == issued.token.pk
    assert resp.json()["revoked_at"] is not None

    issued.token.refresh_from_db()
    revoked_at = issued.token.revoked_at
    assert revoked_at is not None
    resp = client().get("/api/v1/orgs", **auth(issued.raw))
    assert resp.status_code == 401
    assert resp.json()["code"] == "unauthenticated"
    assert AuditEvent.all_objects.filter(action="accounts.token.revoke").count() == 1

    # Revoking again is harmless: same stamp, no second audit event.
    resp = client().delete(f"{TOKENS_URL}/{issued.token.pk}", **auth(spare.raw))
    assert resp.status_code == 200
    issued.token.refresh_from_db()
    assert issued.token.revoked_at == revoked_at
    assert AuditEvent.all_objects.filter(action="accounts.token.revoke").count() == 1
    # The list still shows it, marked revoked; the spare still works.
    listed = {t["id"]: t for t in client().get(TOKENS_URL, **auth(spare.raw)).json()}
    assert listed[issued.token.pk]["revoked_at"] is not None
    assert listed[spare.token.pk]["revoked_at"] is None


def test_revoking_someone_elses_token_is_404_and_changes_nothing(officer: User, other: User) -> None:
    victim = token_create(user=other, name="theirs")
    mine = token_create(user=officer, name="mine")
    events = AuditEvent.all_objects.count()
    resp = client(csrf=True).delete(f"{TOKENS_URL}/{victim.token.pk}", **auth(mine.raw))
    assert resp.status_code == 404
    assert resp.json() == {"code": "token.not_found", "message": "未找到该访问令牌。", "details": None}
    # Same answer as for an id that does not exist: nothing is revealed.
    missing = client().delete(f"{TOKENS_URL}/{victim.token.pk + 1000}", **auth(mine.raw))
    assert missing.status_code == 404
    assert missing.json() == resp.json()
    victim.token.refresh_from_db()
    assert victim.token.revoked_at is None
    assert AuditEvent.all_objects.count() == events
    assert client().get(TOKENS_URL, **auth(victim.raw)).status_code == 200


def test_revoking_someone_elses_token_from_the_profile_page_is_refused(officer: User, other: User) -> None:
    victim = token_create(user=other, name="theirs")
    c = client()
    c.force_login(officer)
    resp = c.post(f"/accounts/me/tokens/{victim.token.pk}/revoke/", follow=True)
    assert resp.status_code == 200
    assert "未找到该访问令牌。" in resp.content.decode()
    victim.token.refresh_from_db()
    assert victim.token.revoked_at is None


def test_expired_token_is_401(officer: User) -> None:
    issued = token_create(user=officer, name="old")
    ApiToken.objects.filter(pk=issued.token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    resp = client(csrf=True).get(TOKENS_URL, **auth(issued.raw))
    assert resp.status_code == 401
    assert resp.json()["code"] == "unauthenticated"
    # A write with an expired token is a 401 as well, not a CSRF refusal.
    resp = client(csrf=True).post(
        "/api/v1/orgs/520201G001/close", data="{}", content_type="application/json", **auth(issued.raw)
    )
    assert resp.status_code == 401
    assert resp.json()["code"] == "unauthenticated"
    assert not ApiToken.objects.filter(pk=issued.token.pk, last_used_at__isnull=False).exists()


def test_token_without_expiry_and_just_before_expiry_work(officer: User) -> None:
    forever = token_create(user=officer, name="forever")
    ApiToken.objects.filter(pk=forever.token.pk).update(expires_at=None)
    soon = token_create(user=officer, name="soon")
    ApiToken.objects.filter(pk=soon.token.pk).update(expires_at=timezone.now() + timedelta(minutes=1))
    assert client().get(TOKENS_URL, **auth(forever.raw)).status_code == 200
    assert client().get(TOKENS_URL, **auth(soon.raw)).status_code == 200


def test_last_used_is_stamped_at_most_every_five_minutes(officer: User) -> None:
    issued = token_create(user=officer, name="busy")
    client().get(TOKENS_URL, **auth(issued.raw))
    issued.token.refresh_from_db()
    first = issued.token.last_used_at
    assert first is not None
    client().get(TOKENS_URL, **auth(issued.raw))
    issued.token.refresh_from_db()
    assert issued.token.last_used_at == first
    stale = timezone.now() - timedelta(minutes=10)
    ApiToken.objects.filter(pk=issued.token.pk).update(last_used_at=stale)
    client().get(TOKENS_URL, **auth(issued.raw))
    issued.token.refresh_from_db()
    assert issued.token.last_used_at > stale + timedelta(minutes=9)


def test_token_of_a_deactivated_user_stops_working(officer: User) -> None:
    issued = token_create(user=officer, name="t")
    assert client().get(TOKENS_URL, **auth(issued.raw)).status_code == 200
    User.objects.filter(pk=officer.pk).update(is_active=False)
    assert client().get(TOKENS_URL, **auth(issued.raw)).status_code == 401


def test_token_made_on_the_profile_page_is_shown_once_and_works(officer: User) -> None:
    c = client()
    c.force_login(officer)
    resp = c.post("/accounts/me/tokens/new/", {"name": "页面令牌"})
    assert resp.status_code == 302
    page = c.get("/accounts/me/").content.decode()
    token = ApiToken.objects.get(user=officer, name="页面令牌")
    start = page.index('data-testid="new-token">') + len('data-testid="new-token">')
    raw = page[start : page.index("<", start)]
    assert raw.startswith(token.prefix)
    assert hashlib.sha256(raw.encode()).hexdigest() == token.key_hash
    assert raw not in c.get("/accounts/me/").content.decode()  # shown once
    assert client().get(TOKENS_URL, **auth(raw)).status_code == 200
    for row in every_stored_row():
        assert raw not in row
