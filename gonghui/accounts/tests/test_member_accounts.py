"""A member's own account (the member portal's, /m/) has no place on the staff side.

It is refused at the staff login with a pointer to the phone login, at the
profile page, and wherever an API token would be issued; a staff account is
not affected. Every refusal changes nothing: no session, no token.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.test import Client

from gonghui.accounts.models import ApiToken, User
from gonghui.accounts.services import token_create
from gonghui.conftest import PASSWORD
from gonghui.core.errors import DomainError
from gonghui.core.tests.clients import client as new_client
from gonghui.members.tests.factories import id_number, register
from gonghui.portal.models import MemberAccount
from gonghui.portal.services import member_account_create

pytestmark = pytest.mark.django_db

LOGIN_URL = "/accounts/login/"
PROFILE_URL = "/accounts/me/"
TOKEN_NEW_URL = "/accounts/me/tokens/new/"
TOKEN_URL = "/api/v1/auth/token"
MEMBER_MOBILE = "13800000731"
POINTER = "会员请使用手机端登录"
REFUSAL = "会员请使用手机端登录（/m/login/）：会员账户不能登录工作人员平台，也不能申请访问令牌。"


@pytest.fixture
def member(tree: Any) -> MemberAccount:
    ms = register(tree.courier_union, id_number(731, birth="19820202"), name="王师傅", mobile=MEMBER_MOBILE)
    return member_account_create(actor=None, person=ms.person, username=MEMBER_MOBILE, password=PASSWORD)


@pytest.fixture
def officer(tree: Any, make_user: Any) -> User:
    return make_user("lps_officer", ("officer", "520200"))


def signed_in(user: User) -> Client:
    c = new_client()
    c.force_login(user)
    return c


def issue(username: str, password: str) -> Any:
    body = json.dumps({"username": username, "password": password, "name": "对接"})
    return new_client(csrf=True).post(TOKEN_URL, data=body, content_type="application/json")


def test_the_staff_login_refuses_a_member_account_and_points_to_the_phone_login(member: MemberAccount) -> None:
    client = new_client()
    resp = client.post(LOGIN_URL, {"username": MEMBER_MOBILE, "password": PASSWORD})
    assert resp.status_code == 200
    html = resp.content.decode()
    assert 'data-testid="member-refused"' in html and REFUSAL in html and 'href="/m/login/"' in html
    assert "用户名或密码不正确" not in html
    assert SESSION_KEY not in client.session
    # A wrong password says only what it says to anybody: nothing about the account being a member's.
    wrong = client.post(LOGIN_URL, {"username": MEMBER_MOBILE, "password": "wrong-password-1"}).content.decode()
    assert "用户名或密码不正确" in wrong and POINTER not in wrong
    assert SESSION_KEY not in client.session
    # The same account signs in on the phone.
    phone = new_client()
    resp = phone.post("/m/login/", {"username": MEMBER_MOBILE, "password": PASSWORD})
    assert resp.status_code == 302 and phone.session[SESSION_KEY] == str(member.user_id)


def test_a_signed_in_member_is_shown_the_pointer_not_sent_to_the_dashboard(member: MemberAccount) -> None:
    resp = signed_in(member.user).get(LOGIN_URL)
    assert resp.status_code == 200
    assert REFUSAL in resp.content.decode()


def test_a_staff_account_still_signs_in_and_is_redirected_when_signed_in(officer: User) -> None:
    client = new_client()
    resp = client.post(LOGIN_URL, {"username": "lps_officer", "password": PASSWORD})
    assert resp.status_code == 302 and client.session[SESSION_KEY] == str(officer.pk)
    again = client.get(LOGIN_URL)
    assert again.status_code == 302 and again["Location"] == "/"


def test_the_profile_page_refuses_a_member_account(member: MemberAccount, officer: User) -> None:
    resp = signed_in(member.user).get(PROFILE_URL)
    assert resp.status_code == 403
    html = resp.content.decode()
    assert REFUSAL in html and "访问令牌（用于系统对接）" not in html
    assert signed_in(officer).get(PROFILE_URL).status_code == 200
    anonymous = Client().get(PROFILE_URL)
    assert anonymous.status_code == 302 and anonymous["Location"].startswith(LOGIN_URL)


def test_the_token_page_issues_no_token_to_a_member_account(member: MemberAccount, officer: User) -> None:
    resp = signed_in(member.user).post(TOKEN_NEW_URL, {"name": "试试"})
    assert resp.status_code == 403
    assert REFUSAL in resp.content.decode()
    assert not ApiToken.objects.exists()
    # A staff account gets its token as before.
    resp = signed_in(officer).post(TOKEN_NEW_URL, {"name": "收银系统"})
    assert resp.status_code == 302 and resp["Location"] == PROFILE_URL
    assert list(ApiToken.objects.values_list("user_id", "name")) == [(officer.pk, "收银系统")]


def test_the_token_api_refuses_a_member_account(member: MemberAccount, officer: User) -> None:
    resp = issue(MEMBER_MOBILE, PASSWORD)
    assert resp.status_code == 403
    assert resp.json() == {"code": "accounts.member_account", "message": REFUSAL, "details": None}
    assert not ApiToken.objects.exists()
    # A wrong password is the usual 401, whoever the account belongs to.
    resp = issue(MEMBER_MOBILE, "wrong-password-1")
    assert resp.status_code == 401 and resp.json()["code"] == "bad_credentials"
    assert not ApiToken.objects.exists()
    assert issue("lps_officer", PASSWORD).status_code == 200
    assert ApiToken.objects.get().user_id == officer.pk


def test_the_service_refuses_a_member_account_whoever_calls_it(member: MemberAccount) -> None:
    with pytest.raises(DomainError) as refused:
        token_create(user=member.user, name="console")
    assert (refused.value.code, refused.value.status, refused.value.message) == (
        "accounts.member_account",
        403,
        REFUSAL,
    )
    assert not ApiToken.objects.exists()


def test_the_staff_lockout_page_stays_the_desktop_one(officer: User) -> None:
    client = new_client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(LOGIN_URL, {"username": "lps_officer", "password": "wrong-password-1"})
    resp = client.post(LOGIN_URL, {"username": "lps_officer", "password": PASSWORD})
    assert resp.status_code == 429
    html = resp.content.decode()
    assert "登录失败次数过多" in html and "15 分钟" in html
    assert "· Gonghui</title>" in html and 'data-testid="locked"' not in html and "工会会员服务" not in html
