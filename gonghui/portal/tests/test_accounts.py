"""Member accounts: 实名激活, signing in and out from a phone, and who may use the member pages.

Activation refuses a wrong name, a wrong mobile, an unknown ID number and a
membership not in good standing with one and the same message, and creates
nothing. The ID number never reaches the audit trail, the logs or the page.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.test import Client

from gonghui.accounts.models import Grant, User
from gonghui.conftest import PASSWORD
from gonghui.core.errors import MESSAGES, DomainError
from gonghui.core.models import AuditEvent
from gonghui.core.scoping import unscoped
from gonghui.core.tests.clients import client as new_client
from gonghui.core.tests.forms import field_values, password_values
from gonghui.members.models import Membership
from gonghui.members.services import membership_withdraw
from gonghui.members.tests.factories import apply as join_apply
from gonghui.members.tests.factories import id_number, register
from gonghui.portal.models import MemberAccount
from gonghui.portal.services import member_account_activate, member_account_create
from gonghui.portal.tests.factories import NEW_ID, NEW_MOBILE, NEW_PASSWORD, WORKER_MOBILE, PortalWorld
from gonghui.student_aid.tests.factories import WORKER_ID

pytestmark = pytest.mark.django_db

REFUSAL = str(MESSAGES["portal.activation_refused"])
ACTIVATE = "/m/activate/"
LOGIN = "/m/login/"


def body(**changes: str) -> dict[str, str]:
    data = {
        "name": "张三",
        "id_number": NEW_ID,
        "mobile": NEW_MOBILE,
        "password": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
    }
    return data | changes


def state() -> tuple[Any, ...]:
    with unscoped():
        return (
            list(User.objects.order_by("pk").values_list("pk", "username")),
            list(MemberAccount.objects.order_by("pk").values_list("pk", "person_id")),
            AuditEvent.all_objects.count(),
        )


def audit_text(action: str) -> str:
    with unscoped():
        return " ".join(
            f"{e.actor_label} {e.target_label} {e.data}" for e in AuditEvent.all_objects.filter(action=action)
        )


# --- activation ------------------------------------------------------------------------------------


def test_activation_creates_a_grantless_account_signs_in_and_audits_without_the_id(
    pw_world: PortalWorld, sql_logging: None, id_number_log_guard: Any
) -> None:
    client = new_client(csrf=True)
    page = client.get(ACTIVATE)
    assert page.status_code == 200
    html = page.content.decode()
    for text in ("激活会员账户", "姓名", "身份证号码", "手机号码", "设置密码"):
        assert text in html
    token = page.cookies[settings.CSRF_COOKIE_NAME].value
    resp = client.post(ACTIVATE, body(csrfmiddlewaretoken=token))
    assert resp.status_code == 302 and resp["Location"] == "/m/"

    account = MemberAccount.objects.select_related("user", "person").get(person=pw_world.newcomer.person)
    assert account.user.username == NEW_MOBILE and account.user.display_name == "张三"
    assert account.user.check_password(NEW_PASSWORD) and account.activated_at is not None
    assert not Grant.objects.filter(user=account.user).exists()
    assert client.session[SESSION_KEY] == str(account.user.pk)
    home = client.get("/m/").content.decode()
    assert "张三" in home and "会员账户已激活" in home

    with unscoped():
        event = AuditEvent.all_objects.get(action="portal.member_account.activate")
    assert event.org_id == pw_world.newcomer.org_id and event.target_id == str(account.pk)
    assert event.data == {"name": "张三", "mobile": "138****8001"}
    text = audit_text("portal.member_account.activate")
    assert "张三" in text and NEW_ID not in text and NEW_ID[:6] + "********" + NEW_ID[-4:] not in text
    # The member acted with their mobile as username: the log names them by it masked, never in clear.
    assert event.actor_label == "138****8001" and NEW_MOBILE not in text
    # The SQL the activation ran was logged with its parameters: the ID number is not among them.
    assert id_number_log_guard.records and not id_number_log_guard.leaks


@pytest.mark.parametrize(
    "changes",
    [
        pytest.param({"name": "张四"}, id="wrong-name"),
        pytest.param({"mobile": "13900139000"}, id="wrong-mobile"),
        pytest.param({"id_number": id_number(721, birth="19850615")}, id="unknown-id"),
        pytest.param({"id_number": id_number(707, birth="19800101")}, id="someone-elses-id"),
    ],
)
def test_a_mismatch_is_one_refusal_and_creates_nothing(pw_world: PortalWorld, changes: dict[str, str]) -> None:
    before = state()
    resp = new_client().post(ACTIVATE, body(**changes))
    assert resp.status_code == 200
    html = resp.content.decode()
    assert REFUSAL in html
    assert "姓名不" not in html and "手机号码不" not in html  # nothing says which one was wrong
    assert state() == before
    # What was typed comes back for correction (the ID number as its input's value); the passwords do not.
    typed = field_values(html)
    assert (typed["name"], typed["id_number"], typed["mobile"]) == (
        changes.get("name", "张三"),
        changes.get("id_number", NEW_ID),
        changes.get("mobile", NEW_MOBILE),
    )
    assert password_values(html) == {"password": "", "password2": ""}


def test_no_membership_in_good_standing_gets_the_same_refusal(pw_world: PortalWorld) -> None:
    tree = pw_world.aid.tree
    # A join application still waiting for the union…
    pending = id_number(722, birth="19870101")
    join_apply(tree.courier_union, pending, name="钱七", mobile="13700137000")
    # …and a member who has left.
    left = id_number(723, birth="19870101")
    ms = register(tree.courier_union, left, name="孙八", mobile="13600136000")
    membership_withdraw(actor=None, scope=None, membership=ms, reason="voluntary")
    before = state()
    for name, number, mobile in (("钱七", pending, "13700137000"), ("孙八", left, "13600136000")):
        with pytest.raises(DomainError) as refused:
            member_account_activate(name=name, id_number=number, mobile=mobile, password=NEW_PASSWORD)
        assert refused.value.code == "portal.activation_refused" and refused.value.message == REFUSAL
    assert state() == before


def test_malformed_values_and_a_weak_password_are_field_errors(pw_world: PortalWorld) -> None:
    before = state()
    html = new_client().post(ACTIVATE, body(id_number="52010219850615123", mobile="12345")).content.decode()
    assert "公民身份号码应为 18 位" in html and "手机号码应为 11 位数字" in html
    assert 'data-testid="error-id_number"' in html and 'data-testid="error-mobile"' in html
    html = new_client().post(ACTIVATE, body(password="13800138001", password2="13800138001")).content.decode()
    assert 'data-testid="error-password"' in html
    html = new_client().post(ACTIVATE, body(password2="Another-pass-2026")).content.decode()
    assert "两次输入的密码不一致" in html
    assert state() == before


def test_activating_twice_is_the_one_refusal(pw_world: PortalWorld) -> None:
    # Told apart, "already activated" would confirm that a name, ID number and mobile belong together.
    member_account_activate(name="张三", id_number=NEW_ID, mobile=NEW_MOBILE, password=NEW_PASSWORD)
    before = state()
    with pytest.raises(DomainError) as twice:
        member_account_activate(name="张三", id_number=NEW_ID, mobile=NEW_MOBILE, password="Other-password-2026")
    assert (twice.value.code, twice.value.message) == ("portal.activation_refused", REFUSAL)
    assert state() == before


def test_a_mobile_already_used_as_a_username_is_the_one_refusal(pw_world: PortalWorld, make_user: Any) -> None:
    make_user(NEW_MOBILE)
    with pytest.raises(DomainError) as taken:
        member_account_activate(name="张三", id_number=NEW_ID, mobile=NEW_MOBILE, password=NEW_PASSWORD)
    assert (taken.value.code, taken.value.message) == ("portal.activation_refused", REFUSAL)
    assert not MemberAccount.objects.filter(person=pw_world.newcomer.person).exists()


def test_the_right_details_of_an_activated_member_answer_as_a_wrong_id_and_count(pw_world: PortalWorld) -> None:
    """The page: a correct name + ID + mobile (already activated) and a wrong ID number get the same
    page, and both count toward the mobile's lockout."""
    from axes.models import AccessAttempt

    member_account_activate(name="张三", id_number=NEW_ID, mobile=NEW_MOBILE, password=NEW_PASSWORD)
    right = new_client().post(ACTIVATE, body(password="Other-password-2026", password2="Other-password-2026"))
    wrong_id = id_number(777, birth="19850615")
    wrong = new_client().post(
        ACTIVATE, body(id_number=wrong_id, password="Other-password-2026", password2="Other-password-2026")
    )
    assert right.status_code == wrong.status_code == 200
    assert REFUSAL in right.content.decode()
    csrf = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')
    # Each page keeps the number its caller typed, in its own box (forms keep what was typed);
    # apart from that echo the two answers are the same, byte for byte.
    page_right = csrf.sub("", right.content.decode()).replace(NEW_ID, "<typed>")
    page_wrong = csrf.sub("", wrong.content.decode()).replace(wrong_id, "<typed>")
    assert page_right == page_wrong
    assert AccessAttempt.objects.get(username=NEW_MOBILE).failures_since_start == 2


def test_member_account_create_validates_the_password_and_refuses_a_second_account(pw_world: PortalWorld) -> None:
    person = pw_world.newcomer.person
    with pytest.raises(DomainError) as weak:
        member_account_create(actor=None, person=person, username="zhangsan", password="12345678")
    assert weak.value.code == "portal.password_rejected"
    assert weak.value.details == {"password": weak.value.message}
    with pytest.raises(DomainError) as second:
        member_account_create(actor=None, person=pw_world.worker.person, username="someone", password=PASSWORD)
    assert second.value.code == "portal.already_activated"
    account = member_account_create(actor=None, person=person, username="zhangsan", password=PASSWORD)
    with unscoped():
        assert AuditEvent.all_objects.filter(action="portal.member_account.create", target_id=str(account.pk)).exists()


# --- signing in and out ----------------------------------------------------------------------------


def test_login_with_mobile_and_password_goes_home(pw_world: PortalWorld) -> None:
    client = new_client(csrf=True)
    page = client.get(LOGIN)
    html = page.content.decode()
    assert page.status_code == 200 and "会员登录" in html and "手机号码" in html and "实名激活" in html
    token = page.cookies[settings.CSRF_COOKIE_NAME].value
    resp = client.post(LOGIN, {"username": WORKER_MOBILE, "password": PASSWORD, "csrfmiddlewaretoken": token})
    assert resp.status_code == 302 and resp["Location"] == "/m/"
    assert client.session[SESSION_KEY] == str(pw_world.worker.user_id)
    # The mobile may be typed as people write it.
    other = new_client()
    resp = other.post(LOGIN, {"username": "+86 138-0000-0700", "password": PASSWORD})
    assert resp.status_code == 302 and other.session[SESSION_KEY] == str(pw_world.worker.user_id)
    # Signed in, the login page sends the member home.
    assert client.get(LOGIN)["Location"] == "/m/"


def test_home_shows_name_union_status_and_masked_cards(pw_world: PortalWorld) -> None:
    html = pw_world.member_client(pw_world.worker).get("/m/").content.decode()
    assert "李师傅" in html and "钟山区快递员联合工会" in html and "会籍：正常" in html
    assert "贵州银行" in html and "6217 **** **** " in html and "已激活" in html
    assert "/m/aid/" in html and 'data-testid="logout"' in html
    # The card number is on the page only masked, and the worker's ID number not at all.
    from gonghui.cards.tests.test_lifecycle import card_number

    assert card_number(70) not in html and WORKER_ID not in html
    other = pw_world.member_client(pw_world.other).get("/m/").content.decode()
    assert "赵师傅" in other and "李师傅" not in other and "暂无服务卡" in other


def test_wrong_password_then_lockout(pw_world: PortalWorld) -> None:
    client = new_client()
    for attempt in range(1, settings.AXES_FAILURE_LIMIT + 1):
        resp = client.post(LOGIN, {"username": WORKER_MOBILE, "password": "wrong-password-1"})
        assert SESSION_KEY not in client.session
        if attempt < settings.AXES_FAILURE_LIMIT:
            assert resp.status_code == 200 and "手机号码或密码不正确" in resp.content.decode()
    resp = client.post(LOGIN, {"username": WORKER_MOBILE, "password": PASSWORD})
    assert resp.status_code == 429
    assert_mobile_lockout_page(resp.content.decode())
    assert SESSION_KEY not in client.session


def assert_mobile_lockout_page(html: str) -> None:
    """The lockout in the phone layout: the staff page's words and cool-off, none of its navigation."""
    assert 'data-testid="locked"' in html and "<title>账户已锁定</title>" in html
    assert "登录失败次数过多" in html and "账户已被暂时锁定" in html and "15 分钟" in html and "PT15M" not in html
    assert "工会会员服务" in html and 'href="/m/login/"' in html
    assert 'name="viewport" content="width=device-width, initial-scale=1"' in html
    assert "navbar" not in html and "· Gonghui" not in html and "工会服务平台" not in html


def test_a_staff_account_cannot_sign_in_here(pw_world: PortalWorld) -> None:
    client = new_client()
    resp = client.post(LOGIN, {"username": "unit_officer", "password": PASSWORD})
    assert resp.status_code == 200
    assert "该账户不是会员账户" in resp.content.decode()
    assert SESSION_KEY not in client.session


def test_logout_is_a_post_and_ends_the_session(pw_world: PortalWorld) -> None:
    client = Client()
    client.post(LOGIN, {"username": WORKER_MOBILE, "password": PASSWORD})
    assert client.get("/m/").status_code == 200
    assert client.get("/m/logout/").status_code == 405
    assert client.session[SESSION_KEY] == str(pw_world.worker.user_id)
    resp = client.post("/m/logout/")
    assert resp.status_code == 302 and resp["Location"] == LOGIN
    assert SESSION_KEY not in client.session
    assert client.get("/m/")["Location"] == "/m/login/?next=/m/"


# --- who may use the member pages ------------------------------------------------------------------

MEMBER_PAGES = ["/m/", "/m/aid/", "/m/aid/new/", "/m/aid/1/"]


@pytest.mark.parametrize("url", MEMBER_PAGES)
def test_member_required_sends_the_anonymous_to_login_with_next(pw_world: PortalWorld, url: str) -> None:
    resp = new_client().get(url)
    assert resp.status_code == 302
    assert resp["Location"] == f"/m/login/?next={url}"


def test_login_returns_to_next(pw_world: PortalWorld) -> None:
    client = new_client()
    assert client.get("/m/aid/")["Location"] == "/m/login/?next=/m/aid/"
    resp = client.post(LOGIN, {"username": WORKER_MOBILE, "password": PASSWORD, "next": "/m/aid/"})
    assert resp.status_code == 302 and resp["Location"] == "/m/aid/"


@pytest.mark.parametrize("url", MEMBER_PAGES)
def test_a_staff_user_without_a_member_account_is_refused(pw_world: PortalWorld, url: str) -> None:
    resp = pw_world.staff_client("officer").get(url)
    assert resp.status_code == 403
    assert "此页面仅限会员本人使用" in resp.content.decode()


def test_a_member_account_sees_nothing_of_the_staff_pages(pw_world: PortalWorld) -> None:
    """A member account holds no grants: the staff pages treat it as any grantless user.

    Lists answer 403; a record, even the member's own membership, is out of scope and so unknown (404).
    The staff home page sends the member to their own pages on the phone.
    """
    client = pw_world.member_client(pw_world.worker)
    home = client.get("/")
    assert (home.status_code, home["Location"]) == (302, "/m/")
    expected = {
        "/orgs/": 403,
        "/audit/": 403,
        "/members/": 403,
        f"/members/{pw_world.aid.worker.pk}/": 404,
        f"/members/{Membership.all_objects.get(person=pw_world.other.person).pk}/": 404,
        "/members/applications/": 403,
        "/cards/": 403,
        "/payouts/": 403,
    }
    for url, status in expected.items():
        resp = client.get(url)
        assert resp.status_code == status, url
        html = resp.content.decode()
        assert "赵师傅" not in html and "张三" not in html and "钟山区快递员联合工会" not in html
    roster = client.post("/members/", {"q": "李师傅"})
    assert roster.status_code == 403
    # The API refuses a member's session outright (an empty page was still an answer to probe).
    api = client.get("/api/v1/members")
    assert api.status_code == 403
    assert api.json()["code"] == "accounts.member_account"


def test_refused_activations_lock_the_mobile_out_like_failed_logins(pw_world: PortalWorld) -> None:
    """Trying ID numbers against a known name and mobile stops after the lockout's limit, even with the right one."""
    from axes.models import AccessAttempt

    client = new_client()
    for attempt in range(1, settings.AXES_FAILURE_LIMIT + 1):
        resp = client.post(ACTIVATE, body(id_number=id_number(730 + attempt, birth="19850615")))
        if attempt < settings.AXES_FAILURE_LIMIT:
            assert resp.status_code == 200 and REFUSAL in resp.content.decode()
    assert resp.status_code == 429
    assert_mobile_lockout_page(resp.content.decode())
    before = state()
    resp = client.post(ACTIVATE, body())
    assert resp.status_code == 429
    assert state() == before and SESSION_KEY not in client.session
    # The mobile's login is locked from that address as well.
    locked = client.post(LOGIN, {"username": NEW_MOBILE, "password": NEW_PASSWORD})
    assert locked.status_code == 429
    assert_mobile_lockout_page(locked.content.decode())
    # Axes keeps the attempt, but nothing that was typed: no ID number, no password.
    attempt_rows = " ".join(f"{a.username} {a.post_data} {a.get_data}" for a in AccessAttempt.objects.all())
    assert NEW_MOBILE in attempt_rows
    assert "1985061" not in attempt_rows and NEW_PASSWORD not in attempt_rows


def test_every_refused_activation_counts_even_a_malformed_one(pw_world: PortalWorld) -> None:
    from axes.models import AccessAttempt

    for attempt in range(settings.AXES_FAILURE_LIMIT):
        resp = new_client().post(ACTIVATE, body(id_number="123"))
        assert resp.status_code == (200 if attempt < settings.AXES_FAILURE_LIMIT - 1 else 429)
    assert AccessAttempt.objects.get(username=NEW_MOBILE).failures_since_start == settings.AXES_FAILURE_LIMIT
    # Locked: even the right details are refused from that address now.
    assert new_client().post(ACTIVATE, body()).status_code == 429
