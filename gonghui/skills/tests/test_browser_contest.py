"""Browser test: two clerks type the judges' scores on a tablet (800×1280, touch), the double entry catches a
slip the reviewer settles, the ranking follows, the winners' 公示 runs and ends, certificates are issued and
their PDF link and verification page work."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, Playwright, expect

from gonghui.accounts.models import User
from gonghui.accounts.services import grant_role
from gonghui.conftest import PASSWORD, build_tree
from gonghui.core.scoping import unscoped
from gonghui.notices.models import Certificate, Publication
from gonghui.skills.models import Contest, Entry
from gonghui.skills.tests.factories import enter, make_contest, member

pytestmark = pytest.mark.browser

TABLET = {"viewport": {"width": 800, "height": 1280}, "has_touch": True, "is_mobile": False}


@pytest.fixture
def world(transactional_db: None) -> dict[str, object]:
    tree = build_tree()
    world = make_contest(tree.lps)
    entries = [enter(world, member(tree.courier_union, 30 + i)) for i in range(3)]
    for username, role in (("clerk_a", "officer"), ("clerk_b", "reviewer")):
        user = User.objects.create_user(username=username, password=PASSWORD)
        grant_role(actor=None, actor_scope=None, user=user, role_name=role, org_code="520200")
    return {"world": world, "entries": entries}


@pytest.fixture
def tablets(pw: Playwright, browser: Browser, live_server) -> Iterator[dict[str, Page]]:  # type: ignore[no-untyped-def]
    errors: list[str] = []
    contexts = []
    pages = {}
    for username in ("clerk_a", "clerk_b"):
        context = browser.new_context(base_url=live_server.url, locale="zh-CN", accept_downloads=True, **TABLET)
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto("/accounts/login/")
        page.get_by_label("用户名").fill(username)
        page.get_by_label("密码").fill(PASSWORD)
        with page.expect_navigation():
            page.get_by_role("button", name="登录").click()
        pages[username] = page
    yield pages
    for context in contexts:
        context.close()
    assert not errors, errors


def _type_sheet(page: Page, values: dict[str, str]) -> None:
    for name, value in values.items():
        field = page.get_by_test_id(name)
        field.tap()
        field.fill(value)
    page.get_by_test_id("submit").tap()


def test_judges_scores_on_a_tablet_make_the_ranking_and_the_certificates(world, tablets) -> None:  # type: ignore[no-untyped-def]
    w, entries = world["world"], world["entries"]
    contest_url = f"/skills/contests/{w.contest.pk}"
    sheet_url = f"{contest_url}/events/{w.event.pk}/scores/"
    theory = {f"s-{e.pk}-theory": v for e, v in zip(entries, ("78", "91", "85"), strict=True)}
    practical = {  # judge → cells: contestant i scores (cut, weld) = (30 + i, 50 + 2i) with every judge
        j.pk: {
            f"s-{e.pk}-p{item.pk}-j{j.pk}": str((30 + i) if n == 0 else (50 + 2 * i))
            for i, e in enumerate(entries)
            for n, item in enumerate(w.items)
        }
        for j in w.judges
    }
    a, b = tablets["clerk_a"], tablets["clerk_b"]
    assert a.evaluate("() => window.innerWidth") == 800
    for clerk, slip in ((a, False), (b, True)):
        clerk.goto(sheet_url + "?part=theory")
        typed = dict(theory, **({f"s-{entries[0].pk}-theory": "87"} if slip else {}))  # 87 for 78
        _type_sheet(clerk, typed)
        expect(clerk.get_by_role("alert").first).to_contain_text("已保存 3 个成绩")
        for judge in w.judges:
            clerk.get_by_test_id(f"part-{judge.pk}").tap()
            _type_sheet(clerk, practical[judge.pk])
            expect(clerk.get_by_role("alert").first).to_contain_text("已保存 6 个成绩")
    # The second clerk's slip is caught: the sheet shows the dispute, the ranking waits for it.
    b.goto(sheet_url + "?part=theory")
    expect(b.get_by_test_id(f"s-{entries[0].pk}-theory")).to_have_text("两次录入不一致，待裁定")
    a.goto(f"{contest_url}/ranking/")
    a.get_by_test_id("rank").tap()
    expect(a.get_by_test_id("blockers")).to_contain_text("两次录入不一致")
    b.goto(f"{contest_url}/check/")
    expect(b.get_by_test_id("mismatches")).to_contain_text("87.00")
    b.get_by_label("裁定成绩").fill("78")
    b.get_by_label("裁定依据").fill("核对原始评分表")
    b.get_by_role("button", name="裁定").tap()
    expect(b.get_by_role("alert").first).to_contain_text("已裁定")
    # Ranked: 003 (85, practical 86: 85.7) first, 002 (91, 83: 85.4) and 001 (78, 80: 79.4) 二等.
    a.goto(f"{contest_url}/ranking/")
    a.get_by_test_id("rank").tap()
    table = a.get_by_test_id(f"ranking-{w.event.pk}")
    expect(table.locator("tbody tr").first).to_contain_text("一等奖")
    expect(table.locator("tbody tr").first).to_contain_text("003")
    expect(table.locator("tbody tr").nth(1)).to_contain_text("二等奖")
    # The winners' 公示; its period passes; it ends and the awards are final.
    a.get_by_test_id("publish").tap()
    expect(a.get_by_test_id("listed")).to_contain_text("一等奖")
    expect(a.get_by_test_id("close-refusal")).to_be_visible()
    with unscoped():
        contest = Contest.all_objects.get(pk=w.contest.pk)
        start = timezone.localdate() - timedelta(days=20)
        Publication.all_objects.filter(pk=contest.publication_id).update(
            starts_on=start, ends_on=start + timedelta(days=7)
        )
    a.reload()
    a.get_by_test_id("close").tap()
    expect(a.get_by_role("alert").first).to_contain_text("获奖结果已确认")
    a.get_by_test_id("certificates").tap()
    expect(a.get_by_role("alert").first).to_contain_text("证书已颁发")
    with unscoped():
        first = Entry.all_objects.get(pk=entries[2].pk)
        cert = Certificate.all_objects.get(pk=first.certificate_id)
    with a.expect_download() as download:
        a.get_by_test_id(f"cert-{first.number}").tap()
    assert download.value.suggested_filename == f"{cert.serial}.pdf"
    with a.expect_download() as batch:
        a.get_by_test_id("certificates-pdf").tap()
    assert batch.value.suggested_filename == "certificates-3.pdf"
    a.goto(f"/notices/certificates/verify/{cert.token}/")
    expect(a.locator("body")).to_contain_text(cert.holder_name)
    expect(a.locator("body")).to_contain_text("一等奖")
