"""Signing in and out: the login page, lockout (django-axes), password hashing, the session cookie."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.test import Client, override_settings

from gonghui.accounts.models import User
from gonghui.accounts.services import user_create
from gonghui.conftest import PASSWORD

pytestmark = pytest.mark.django_db

LOGIN_URL = "/accounts/login/"
TOKEN_URL = "/api/v1/auth/token"


@pytest.fixture
def user(tree, make_user) -> User:
    return make_user("lps_officer", ("officer", "520200"))


def _post_login(client: Client, username: str, password: str):
    return client.post(LOGIN_URL, {"username": username, "password": password})


def _fail_until_locked(client: Client, username: str) -> None:
    """The configured number of failed logins, each answered by the form or the lockout page."""
    for attempt in range(1, settings.AXES_FAILURE_LIMIT + 1):
        resp = _post_login(client, username, "wrong-password-1")
        assert SESSION_KEY not in client.session
        if attempt < settings.AXES_FAILURE_LIMIT:
            assert resp.status_code == 200
            assert "用户名或密码不正确" in resp.content.decode()


def test_login_page_renders_in_chinese() -> None:
    resp = Client().get(LOGIN_URL)
    assert resp.status_code == 200
    html = resp.content.decode()
    assert '<html lang="zh-CN">' in html
    for text in ("登录工会服务平台", "用户名", "密码", "登录"):
        assert text in html
    assert 'name="csrfmiddlewaretoken"' in html


def test_successful_login_with_csrf(user: User, tree) -> None:
    client = Client(enforce_csrf_checks=True)
    page = client.get(LOGIN_URL).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert token is not None
    resp = client.post(
        LOGIN_URL, {"username": "lps_officer", "password": PASSWORD, "csrfmiddlewaretoken": token.group(1)}
    )
    assert resp.status_code == 302
    assert resp["Location"] == "/"
    assert client.session[SESSION_KEY] == str(user.pk)
    assert client.get("/").status_code == 200


def test_login_without_csrf_token_is_refused(user: User) -> None:
    client = Client(enforce_csrf_checks=True)
    resp = _post_login(client, "lps_officer", PASSWORD)
    assert resp.status_code == 403
    assert SESSION_KEY not in client.session


def test_wrong_password_shows_chinese_error(user: User) -> None:
    client = Client()
    resp = _post_login(client, "lps_officer", "not-the-password")
    assert resp.status_code == 200
    assert "用户名或密码不正确，请重试。" in resp.content.decode()
    assert SESSION_KEY not in client.session


def test_lockout_after_five_failures_refuses_even_the_right_password(user: User) -> None:
    assert settings.AXES_FAILURE_LIMIT == 5
    client = Client()
    _fail_until_locked(client, "lps_officer")

    resp = _post_login(client, "lps_officer", PASSWORD)
    assert resp.status_code in (403, 429)
    html = resp.content.decode()
    assert "登录失败次数过多" in html
    assert "账户已被暂时锁定" in html
    assert SESSION_KEY not in client.session
    # The cool-off is shown in words, not as an ISO 8601 duration.
    assert "PT15M" not in html
    assert "15 分钟" in html


def test_four_failures_then_success_is_not_locked(user: User) -> None:
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _post_login(client, "lps_officer", "wrong-password-1")
    resp = _post_login(client, "lps_officer", PASSWORD)
    assert resp.status_code == 302
    assert client.session[SESSION_KEY] == str(user.pk)


def test_lockout_is_per_username(user: User, make_user) -> None:
    other = make_user("gz_admin", ("admin", "520000"))
    client = Client()
    _fail_until_locked(client, "lps_officer")
    resp = _post_login(client, "gz_admin", PASSWORD)
    assert resp.status_code == 302
    assert client.session[SESSION_KEY] == str(other.pk)


def test_token_endpoint_issues_and_refuses_bad_credentials(user: User) -> None:
    client = Client()
    resp = client.post(TOKEN_URL, {"username": "lps_officer", "password": PASSWORD}, content_type="application/json")
    assert resp.status_code == 200
    assert resp.json()["token"].startswith("gh_")
    resp = client.post(
        TOKEN_URL, {"username": "lps_officer", "password": "nope-nope-1"}, content_type="application/json"
    )
    assert resp.status_code == 401
    assert resp.json() == {"code": "bad_credentials", "message": "用户名或密码不正确。", "details": None}


def test_token_endpoint_refuses_when_locked_by_web_logins(user: User) -> None:
    client = Client()
    _fail_until_locked(client, "lps_officer")
    resp = Client().post(TOKEN_URL, {"username": "lps_officer", "password": PASSWORD}, content_type="application/json")
    assert resp.status_code == 429
    assert resp["Content-Type"].startswith("application/json")
    body = resp.json()
    assert body["code"] == "locked_out"
    assert body["message"] == "登录失败次数过多，账户已暂时锁定，请稍后再试。"
    assert set(body) == {"code", "message", "details"}


def test_token_endpoint_failures_lock_the_account_too(user: User) -> None:
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(TOKEN_URL, {"username": "lps_officer", "password": "wrong-1234"}, content_type="application/json")
    resp = client.post(TOKEN_URL, {"username": "lps_officer", "password": PASSWORD}, content_type="application/json")
    assert resp.status_code == 429
    assert resp.json()["code"] == "locked_out"
    # …and the web login as well.
    resp = _post_login(Client(), "lps_officer", PASSWORD)
    assert resp.status_code in (403, 429)


def test_production_hasher_is_argon2() -> None:
    assert settings.GONGHUI_PRODUCTION_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    with override_settings(PASSWORD_HASHERS=settings.GONGHUI_PRODUCTION_HASHERS):
        created = user_create(username="new_cadre", password="Lps-express-2026")
        stored = User.objects.get(pk=created.pk)
        assert stored.password.startswith("argon2$")
        assert "Lps-express-2026" not in stored.password
        assert stored.check_password("Lps-express-2026")
        assert not stored.check_password("Lps-express-2027")


def test_user_create_refuses_a_weak_password() -> None:
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        user_create(username="weak", password="12345678")
    assert not User.objects.filter(username="weak").exists()


def test_session_cookie_is_httponly_and_samesite_lax(user: User) -> None:
    client = Client()
    resp = _post_login(client, "lps_officer", PASSWORD)
    assert resp.status_code == 302
    cookie = resp.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    assert cookie.value


def test_logout_by_post_ends_the_session(user: User, tree) -> None:
    client = Client()
    _post_login(client, "lps_officer", PASSWORD)
    assert client.get("/").status_code == 200
    old_key = client.session.session_key

    assert client.get("/accounts/logout/").status_code == 405  # GET does not log out
    assert client.session[SESSION_KEY] == str(user.pk)

    resp = client.post("/accounts/logout/")
    assert resp.status_code == 302
    assert resp["Location"] == LOGIN_URL
    assert SESSION_KEY not in client.session
    from django.contrib.sessions.models import Session

    assert not Session.objects.filter(session_key=old_key).exists()
    resp = client.get("/")
    assert resp.status_code == 302
    assert resp["Location"].startswith(LOGIN_URL)


@override_settings(AXES_COOLOFF_TIME=timedelta(minutes=30))
def test_locked_page_shows_the_configured_cool_off(user: User) -> None:
    client = Client()
    _fail_until_locked(client, "lps_officer")
    html = _post_login(client, "lps_officer", PASSWORD).content.decode()
    assert "请 30 分钟后再试" in html
