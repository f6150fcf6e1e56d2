"""Browser tests of the registry: Debian's Chromium, driven by Playwright, against the live server.

The stories of the member registry, as people go through them:

    registration   an officer registers a member, is stopped by a mistyped ID number,
                   then finds the member by the pinyin initials of their name;
    transfer       the officer transfers the member to a union in another city, whose
                   officer (in a browser of their own) approves it;
    joining        a worker applies on a phone, with no account, and the union approves;
    full ID        an admin shows a member's full ID number (audited); an officer cannot.

Each test builds its own small world (the suite's tree and a few users) in a real
database; `make test-browser` runs them (`pytest -m browser`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, expect

from gonghui.accounts.models import User
from gonghui.accounts.services import grant_role
from gonghui.conftest import PASSWORD, Tree, build_tree
from gonghui.core.idnumbers import id_number_with_check
from gonghui.core.models import AuditEvent
from gonghui.members import services
from gonghui.members.models import Membership, MembershipStatus, Person, Transfer, TransferStatus

pytestmark = pytest.mark.browser

USERS = {
    "lps_officer": ("officer", "520200"),  # 六盘水市总工会
    "lps_admin": ("admin", "520200"),
    "gy_officer": ("officer", "520100"),  # 贵阳市总工会, another city
}
NO_HORIZONTAL_SCROLL = "() => document.documentElement.scrollWidth <= window.innerWidth"


def id_number(seq: int, *, area: str = "520201", birth: str = "19900307") -> str:
    return id_number_with_check(f"{area}{birth}{seq:03d}")


def masked(number: str) -> str:
    return number[:6] + "*" * 8 + number[-4:]


def _path(page: Page) -> str:
    return re.sub(r"^https?://[^/]+", "", page.url)


@pytest.fixture
def world(transactional_db: None) -> Tree:
    """The suite's tree and the users of the stories, committed for the live server to see."""
    tree = build_tree()
    for username, (role, code) in USERS.items():
        user = User.objects.create_user(username=username, password=PASSWORD)
        grant_role(actor=None, actor_scope=None, user=user, role_name=role, org_code=code)
    return tree


class Pages:
    """Browser contexts on the live server (one per person), and what their scripts threw."""

    def __init__(self, browser: Browser, base_url: str, phone: dict[str, Any]) -> None:
        self.browser = browser
        self.base_url = base_url
        self.phone_options = phone
        self.contexts: list[BrowserContext] = []
        self.js_errors: list[str] = []

    def _page(self, **options: Any) -> Page:
        context = self.browser.new_context(base_url=self.base_url, locale="zh-CN", **options)
        context.set_default_timeout(15_000)
        self.contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda exc: self.js_errors.append(str(exc)))
        return page

    def desktop(self, username: str) -> Page:
        """A desktop browser, logged in through the login form."""
        page = self._page(viewport={"width": 1366, "height": 900})
        page.goto("/accounts/login/")
        page.get_by_label("用户名").fill(username)
        page.get_by_label("密码").fill(PASSWORD)
        with page.expect_navigation():
            page.get_by_role("button", name="登录").click()
        assert _path(page) == "/", f"{username} should land on the dashboard"
        return page

    def phone(self) -> Page:
        """A phone (iPhone 13's screen, touch, mobile viewport), not logged in."""
        return self._page(**self.phone_options)

    def close(self) -> None:
        for context in self.contexts:
            context.close()


@pytest.fixture
def pages(pw: Playwright, browser: Browser, live_server) -> Iterator[Pages]:
    phone = {k: v for k, v in pw.devices["iPhone 13"].items() if k != "default_browser_type"}
    p = Pages(browser, live_server.url, phone)
    yield p
    p.close()
    assert not p.js_errors, p.js_errors


def register(org, number: str, name: str, **fields: Any) -> Membership:
    return services.member_register(actor=None, scope=None, org=org, id_number=number, fields={"name": name, **fields})


# ---------------------------------------------------------------------------


def test_officer_registers_a_member_and_finds_them_by_pinyin_initials(world: Tree, pages: Pages) -> None:
    register(world.courier_union, id_number(1), "李四")
    register(world.courier_union, id_number(3), "王小红")  # wxh: shares a prefix, not the initials
    number = id_number(5)
    typo = number[:17] + ("1" if number[17] != "1" else "2")
    people_before = Person.objects.count()

    page = pages.desktop("lps_officer")
    page.goto("/members/")
    page.get_by_test_id("register").click()
    expect(page.get_by_role("heading", name="登记会员")).to_be_visible()
    page.get_by_label("所属工会代码").fill("520201G001")
    page.get_by_label("证件号码").fill(typo)
    page.get_by_label("姓名").fill("王小明")
    page.get_by_label("手机号码").fill("13800138000")
    page.get_by_label("民族").select_option(label="布依族")
    page.get_by_label("新就业形态类别").select_option(label="快递员")
    page.get_by_test_id("submit").click()

    # The check digit is wrong: the reason sits under the ID field, nothing is saved.
    assert _path(page) == "/members/new/"
    field_row = page.locator("form .row").filter(has=page.locator("#id_id_number"))
    expect(field_row.get_by_test_id("error-id_number")).to_have_text("公民身份号码校验位不正确，请核对是否抄错")
    expect(page.get_by_test_id("error-name")).to_have_count(0)
    expect(page.get_by_label("姓名")).to_have_value("王小明")  # what was typed is kept
    assert Person.objects.count() == people_before

    page.get_by_label("证件号码").fill(number)
    page.get_by_test_id("submit").click()
    expect(page.get_by_test_id("member-name")).to_have_text("王小明")
    expect(page.get_by_role("alert")).to_contain_text("已登记会员“王小明”")
    expect(page.get_by_test_id("status")).to_have_text("正常")
    expect(page.get_by_test_id("masked-id")).to_have_text(masked(number))
    expect(page.get_by_test_id("reveal-id")).to_have_count(0)  # officers never see the full number
    assert number not in page.content()
    ms = Membership.all_objects.select_related("person").get(person__name="王小明")
    assert _path(page) == f"/members/{ms.pk}/"
    assert (ms.org_id, ms.status, ms.person.ethnicity, ms.person.new_employment_type) == (
        world.courier_union.pk,
        MembershipStatus.ACTIVE,
        "09",
        "02",
    )

    # The roster's one search box takes pinyin initials.
    page.goto("/members/")
    expect(page.get_by_test_id("roster").locator("tbody tr")).to_have_count(3)
    page.get_by_test_id("search").fill("wxm")
    with page.expect_navigation():
        page.get_by_test_id("search").press("Enter")
    expect(page.get_by_test_id("count")).to_contain_text("共 1 条")
    rows = page.get_by_test_id("roster").locator("tbody tr")
    expect(rows).to_have_count(1)
    expect(rows).to_contain_text(ms.person.member_no or "")
    expect(rows).to_contain_text(masked(number))
    expect(rows).to_contain_text("138****8000")
    expect(rows).to_contain_text("快递员")

    # By ID number too; the number never lands in the address bar (nor the access log).
    page.get_by_test_id("search").fill(number)
    with page.expect_navigation():
        page.get_by_test_id("search").press("Enter")
    expect(rows).to_have_count(1)
    expect(rows).to_contain_text("王小明")
    assert number not in page.url
    rows.get_by_role("link", name="王小明").click()
    page.wait_for_url(f"**/members/{ms.pk}/")
    assert number not in page.content()


def test_transfer_out_is_approved_by_the_receiving_union(world: Tree, pages: Pages) -> None:
    ms = register(world.courier_union, id_number(7), "张转出", mobile="13600136000")

    sender = pages.desktop("lps_officer")
    sender.goto(f"/members/{ms.pk}/")
    sender.get_by_test_id("action-transfer").click()
    sender.get_by_label("转入工会代码").fill("520102")
    sender.get_by_label("接转原因").select_option(label="劳动（工作）关系发生变化")
    sender.get_by_test_id("submit").click()
    expect(sender.get_by_role("alert")).to_have_text("已发起会籍接转，等待转入方工会审批。")
    expect(sender.get_by_test_id("transfer-status")).to_have_text("办理中")
    expect(sender.get_by_test_id("out-state")).to_have_text("已同意")
    expect(sender.get_by_test_id("in-state")).to_have_text("待审批")
    expect(sender.get_by_test_id("approve")).to_have_count(0)  # the other side decides now
    tr = Transfer.all_objects.get(membership=ms)
    assert (tr.to_org_id, tr.status) == (world.nanming.pk, TransferStatus.PENDING)

    receiver = pages.desktop("gy_officer")  # 贵阳, in a browser of their own
    receiver.goto("/members/transfers/")
    row = receiver.get_by_test_id("transfers").locator("tbody tr").filter(has_text="张转出")
    expect(row).to_contain_text("待您审批")
    expect(row).to_contain_text("南明区总工会")
    row.get_by_role("link", name="张转出").click()
    receiver.wait_for_url(f"**/members/transfers/{tr.pk}/")
    receiver.get_by_test_id("approve").click()
    expect(receiver.get_by_role("alert")).to_have_text("接转已完成。")
    expect(receiver.get_by_test_id("transfer-status")).to_have_text("已完成")

    receiver.goto("/members/")
    row = receiver.get_by_test_id("roster").locator("tbody tr").filter(has_text="张转出")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("南明区总工会")
    expect(row.locator(".badge")).to_have_text("正常")

    # The sender keeps the old membership, closed as 已转出; it has left their roster.
    sender.goto(f"/members/{ms.pk}/")
    expect(sender.get_by_test_id("status")).to_have_text("已转出")
    expect(sender.get_by_role("heading", name="张转出")).to_be_visible()
    expect(sender.locator("main")).to_contain_text("转至南明区总工会")
    sender.goto("/members/")
    expect(sender.get_by_test_id("roster")).not_to_contain_text("张转出")
    sender.goto("/members/?status=transferred")
    row = sender.get_by_test_id("roster").locator("tbody tr").filter(has_text="张转出")
    expect(row.locator(".badge")).to_have_text("已转出")
    expect(row).to_contain_text("钟山区快递员联合工会")

    new = Membership.all_objects.get(person_id=ms.person_id, status=MembershipStatus.ACTIVE)
    assert new.org_id == world.nanming.pk
    assert Membership.all_objects.get(pk=ms.pk).status == MembershipStatus.TRANSFERRED


def test_worker_joins_on_a_phone_and_the_union_approves(world: Tree, pages: Pages) -> None:
    number = id_number(9, area="520102", birth="19950612")
    phone = pages.phone()
    phone.goto("/m/join/520201G001/")
    expect(phone.get_by_test_id("join-org")).to_have_text("钟山区快递员联合工会")
    assert phone.evaluate("() => window.innerWidth") <= 430, "a phone-sized viewport"
    assert phone.evaluate(NO_HORIZONTAL_SCROLL)

    # Sent empty first: every required field says so, and the page still fits the screen.
    phone.get_by_test_id("join-submit").tap()
    expect(phone.get_by_test_id("join-error-name")).to_be_visible()
    expect(phone.locator(".invalid-feedback")).to_have_count(5)  # name, ID, mobile and the two consents
    assert phone.evaluate(NO_HORIZONTAL_SCROLL)

    phone.get_by_label("姓名").fill("陈骑手")
    phone.get_by_role("textbox", name="证件号码").fill(number)  # the consent mentions it too
    phone.get_by_label("手机号码").fill("13700137000")
    phone.get_by_label("职业（新就业形态）").select_option(label="网约送餐员")
    phone.get_by_label("工作单位或平台").fill("某外卖平台")
    phone.get_by_label("民族").select_option(label="苗族")
    phone.get_by_label("我承认《中国工会章程》").check()
    phone.get_by_label("我同意工会为办理入会收集和使用").check()
    phone.get_by_test_id("join-submit").tap()
    expect(phone.get_by_test_id("join-done")).to_have_text("入会申请已提交")
    expect(phone.locator("main")).to_contain_text("钟山区快递员联合工会将审核您的申请")
    assert phone.evaluate(NO_HORIZONTAL_SCROLL)
    applied = Membership.all_objects.select_related("person").get(person__name="陈骑手")
    assert applied.status == MembershipStatus.APPLIED
    expect(phone.locator("main")).to_contain_text(f"RH{applied.pk:08d}")
    assert number not in phone.content()

    officer = pages.desktop("lps_officer")
    officer.goto("/members/")
    expect(officer.get_by_test_id("pending-applications")).to_have_text("1")
    officer.goto("/members/applications/")
    row = officer.get_by_test_id("applications").locator("tbody tr").filter(has_text="陈骑手")
    expect(row).to_contain_text("钟山区快递员联合工会")
    expect(row).to_contain_text("某外卖平台")
    expect(row).to_contain_text(masked(number))
    row.get_by_role("link", name="通过", exact=True).click()
    expect(officer.get_by_role("heading", name="通过入会申请：陈骑手")).to_be_visible()
    officer.get_by_test_id("submit").click()
    officer.wait_for_url(f"**/members/{applied.pk}/")
    expect(officer.get_by_role("alert")).to_have_text("已办理：通过入会申请。")
    expect(officer.get_by_test_id("status")).to_have_text("正常")

    officer.goto("/members/applications/")
    expect(officer.get_by_test_id("applications")).to_contain_text("没有待审批的入会申请")
    expect(officer.get_by_test_id("pending-applications")).to_have_count(0)
    approved = Membership.all_objects.select_related("person").get(pk=applied.pk)
    assert approved.status == MembershipStatus.ACTIVE
    assert approved.person.member_no
    assert (approved.person.new_employment_type, approved.person.ethnicity) == ("06", "06")


def test_admin_reveals_the_full_id_number_and_the_view_is_audited(world: Tree, pages: Pages) -> None:
    number = id_number(11)
    ms = register(world.courier_union, number, "王小明")
    views: Callable[[], Any] = lambda: AuditEvent.all_objects.filter(action="members.person.view_id")  # noqa: E731

    officer = pages.desktop("lps_officer")
    officer.goto(f"/members/{ms.pk}/")
    expect(officer.get_by_test_id("masked-id")).to_have_text(masked(number))
    expect(officer.get_by_test_id("reveal-id")).to_have_count(0)
    expect(officer.get_by_text("显示完整号码")).to_have_count(0)

    admin = pages.desktop("lps_admin")
    admin.goto(f"/members/{ms.pk}/")
    expect(admin.get_by_test_id("masked-id")).to_have_text(masked(number))
    assert number not in admin.content()
    assert not views().exists()

    button = admin.get_by_role("button", name=re.compile("显示完整号码"))
    with admin.expect_response(f"**/members/{ms.pk}/reveal-id/") as answer:
        button.click()
    assert answer.value.status == 200
    expect(admin.get_by_test_id("full-id")).to_have_text(number)
    expect(admin.get_by_test_id("masked-id")).to_have_count(0)
    assert _path(admin) == f"/members/{ms.pk}/"  # swapped in place by htmx, no navigation

    event = views().get()
    assert event.actor_id == User.objects.get(username="lps_admin").pk
    assert event.org_id == world.courier_union.pk
    assert event.data == {"id_number": masked(number)}
    assert event.ip_address == "127.0.0.1"
