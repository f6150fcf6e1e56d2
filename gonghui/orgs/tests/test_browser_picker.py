"""Browser test of the union picker: a cadre types pinyin, picks a union from the list with the keyboard."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from gonghui.accounts.models import User
from gonghui.accounts.services import grant_role
from gonghui.conftest import PASSWORD, Tree, build_tree
from gonghui.orgs.models import Org

pytestmark = pytest.mark.browser


@pytest.fixture
def world(transactional_db: None) -> Tree:
    tree = build_tree()
    user = User.objects.create_user(username="gz_admin", password=PASSWORD)
    grant_role(actor=None, actor_scope=None, user=user, role_name="admin", org_code="520000")
    return tree


def test_an_admin_moves_a_union_by_typing_the_new_parents_pinyin(world: Tree, browser: Browser, live_server) -> None:
    context = browser.new_context(base_url=live_server.url, locale="zh-CN", viewport={"width": 1366, "height": 900})
    context.set_default_timeout(15_000)
    errors: list[str] = []
    page = context.new_page()
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        page.goto("/accounts/login/")
        page.get_by_label("用户名").fill("gz_admin")
        page.get_by_label("密码").fill(PASSWORD)
        with page.expect_navigation():
            page.get_by_role("button", name="登录").click()

        page.goto("/orgs/520200KD01/move/")
        box = page.get_by_role("combobox", name="新上级工会代码")
        box.press_sequentially("gys", delay=30)  # 贵阳市 by its initials
        options = page.get_by_role("listbox").get_by_role("option")
        expect(options.first).to_have_text("贵阳市总工会（520100）市（州）总工会")
        expect(box).to_have_attribute("aria-expanded", "true")
        box.press("ArrowDown")
        expect(options.first).to_have_attribute("aria-selected", "true")
        box.press("Enter")  # picks; the list closes, the box holds the code
        expect(box).to_have_value("520100")
        expect(box).to_have_attribute("aria-expanded", "false")
        expect(page.get_by_text("已选：贵阳市总工会（520100）")).to_be_visible()
        with page.expect_navigation():
            page.get_by_role("button", name="提交").click()
        expect(page.get_by_text("已将“六盘水市快递行业工会联合会”迁至“贵阳市总工会”之下。")).to_be_visible()
        assert Org.all_objects.get(code="520200KD01").parent_id == world.guiyang.pk
    finally:
        context.close()
    assert not errors, errors
