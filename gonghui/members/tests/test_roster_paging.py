"""The roster's page size and page jump (`?page_size=`, `?page=`), and the audit log's, on real rows."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from gonghui.core.viewutils import PAGE_SIZE_MAX
from gonghui.members.tests.factories import id_number, register

MEMBERS = 45


@pytest.fixture
def roster(tree, make_user, login):
    for seq in range(MEMBERS):
        name = "会员" + "甲乙丙丁戊己庚辛壬癸"[seq % 10] + "子丑寅卯辰"[seq // 10]  # names take no digits
        register(tree.zhongshan, id_number(seq), name=name)
    return login(make_user("root", superuser=True))


def _roster_rows(html: str) -> int:
    table = html.split('data-testid="roster"', 1)[1].split("</table>", 1)[0]
    return len(re.findall(r'<a href="/members/\d+/">', table))


def test_page_size_20_shows_20_rows_and_three_pages(roster) -> None:
    html = roster.get(reverse("members:roster"), {"page_size": "20"}).content.decode()
    assert _roster_rows(html) == 20
    assert "第 1 / 3 页，共 45 条" in html
    assert 'data-testid="page-sizes">每页 <strong>20</strong>' in html
    # The search form carries the size along, so a search keeps it.
    assert '<input type="hidden" name="page_size" value="20">' in html


def test_page_jump_goes_to_the_page_asked(roster) -> None:
    html = roster.get(reverse("members:roster"), {"page_size": "20", "page": "3"}).content.decode()
    assert _roster_rows(html) == MEMBERS - 40
    assert "第 3 / 3 页" in html
    assert 'name="page" min="1" max="3" value="3"' in html  # the jump box


def test_posted_search_keeps_its_page_size(roster) -> None:
    html = roster.post(reverse("members:roster"), {"q": "", "page_size": "20", "page": "2"}).content.decode()
    assert _roster_rows(html) == 20
    assert "第 2 / 3 页" in html


@pytest.mark.parametrize(("asked", "rows"), [("abc", MEMBERS), ("1" + "0" * 30, MEMBERS), ("0", 1), ("-3", MEMBERS)])
def test_garbage_or_huge_page_size_is_bounded(roster, asked, rows) -> None:
    resp = roster.get(reverse("members:roster"), {"page_size": asked})
    assert resp.status_code == 200
    assert _roster_rows(resp.content.decode()) == rows
    assert resp.context["page_size"] in (1, 50, PAGE_SIZE_MAX)


def test_audit_log_pages_by_the_size_asked(roster) -> None:
    # Each registration wrote an audit event: 45 events at least.
    url = reverse("reports:audit")
    full = roster.get(url, {"page_size": "100"})
    events = full.context["count"]
    assert events >= MEMBERS
    resp = roster.get(url, {"page_size": "20", "page": "2"})
    assert len(resp.context["rows"]) == 20
    assert resp.context["pages"] == -(-events // 20)
    assert f"第 2 / {-(-events // 20)} 页" in resp.content.decode()
