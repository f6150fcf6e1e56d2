"""The shared pager (`{% pagination %}`, `_pagination.html`) and the page-size helper (`viewutils.page_size`).

A small view in this module pages a list the way a list page does (Paginator, `page_size`,
`page_number`), so the page size and the page jump are checked end to end; every real list
page is then asked for garbage and huge `?page=` / `?page_size=` values and must not answer 500.
"""

from __future__ import annotations

import re

import pytest
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.template import Context, Template
from django.test import Client, RequestFactory
from django.urls import path, reverse

from gonghui.core.templatetags.money import thousands
from gonghui.core.viewutils import PAGE_SIZE_DEFAULT, PAGE_SIZE_MAX, page_number, page_size

ROWS = 237


def rows_view(request: HttpRequest) -> HttpResponse:
    size = page_size(request)
    page = Paginator(list(range(1, ROWS + 1)), size).get_page(page_number(request))
    body = Template(
        '{% load pagination %}<ul id="rows">{% for n in page %}<li>{{ n }}</li>{% endfor %}</ul>{% pagination page %}'
    ).render(Context({"page": page, "page_size": size, "request": request}))
    return HttpResponse(body)


urlpatterns = [path("rows/", rows_view, name="rows")]


def _rows(html: str) -> list[int]:
    return [int(n) for n in re.findall(r"<li>(\d+)</li>", html)]


@pytest.mark.parametrize(
    ("asked", "size"),
    [
        (None, PAGE_SIZE_DEFAULT),
        ("20", 20),
        ("100", 100),
        ("101", PAGE_SIZE_MAX),
        ("1" + "0" * 40, PAGE_SIZE_MAX),
        ("9" * 5000, PAGE_SIZE_MAX),
        ("0", 1),
        ("abc", PAGE_SIZE_DEFAULT),
        ("-5", PAGE_SIZE_DEFAULT),
        ("2.5", PAGE_SIZE_DEFAULT),
        ("２０", PAGE_SIZE_DEFAULT),  # full-width digits
        ("", PAGE_SIZE_DEFAULT),
    ],
)
def test_page_size_is_bounded_and_garbage_is_the_default(asked, size) -> None:
    request = RequestFactory().get("/", {} if asked is None else {"page_size": asked})
    assert page_size(request) == size


@pytest.mark.django_db  # the chosen size is remembered in the session
@pytest.mark.urls(__name__)
def test_page_size_and_page_jump_page_the_list(client) -> None:
    html = client.get("/rows/", {"q": "张", "page_size": "20", "page": "3"}).content.decode()
    assert _rows(html) == list(range(41, 61))
    assert "第 3 / 12 页，共 237 条" in html
    # The numbered links, first/last and the size choice keep the other parameters.
    assert 'href="?q=%E5%BC%A0&amp;page_size=20&amp;page=1" data-testid="first-page">首页' in html
    assert 'href="?q=%E5%BC%A0&amp;page_size=20&amp;page=12" data-testid="last-page">末页' in html
    assert 'href="?q=%E5%BC%A0&amp;page_size=20&amp;page=4" data-testid="next-page">下一页' in html
    assert 'href="?q=%E5%BC%A0&amp;page_size=100">100</a>' in html  # a new size starts on page 1
    # The jump box is a GET form that carries the other parameters along.
    assert '<input type="hidden" name="q" value="张">' in html
    assert '<input type="hidden" name="page_size" value="20">' in html
    assert 'name="page" min="1" max="12" value="3"' in html
    # What the jump box submits: ?q=张&page_size=20&page=7.
    jumped = client.get("/rows/", {"q": "张", "page_size": "20", "page": "7"}).content.decode()
    assert _rows(jumped) == list(range(121, 141))
    assert _rows(client.get("/rows/", {"page_size": "100"}).content.decode()) == list(range(1, 101))
    # The size chosen last stays chosen for a request that does not ask (a filter form, another list)…
    assert len(_rows(client.get("/rows/", {"q": "张"}).content.decode())) == 100
    # …in that session only: a new one starts at the default.
    assert len(_rows(Client().get("/rows/").content.decode())) == PAGE_SIZE_DEFAULT


@pytest.mark.django_db
@pytest.mark.urls(__name__)
@pytest.mark.parametrize("page", ["abc", "0", "-1", "99999999999999999999999", "9" * 5000, "1e3", ""])
@pytest.mark.parametrize("size", ["abc", "1" + "0" * 30, "0", "-1"])
def test_garbage_and_huge_values_page_without_error(client, page, size) -> None:
    resp = client.get("/rows/", {"page": page, "page_size": size})
    assert resp.status_code == 200
    assert _rows(resp.content.decode())


def test_pager_for_a_page_number_and_a_count_without_a_size() -> None:
    request = RequestFactory().get("/x/", {"status": "active", "page": "5"})
    html = Template("{% load pagination %}{% pagination page pages count %}").render(
        Context({"page": 5, "pages": 40, "count": 1999, "request": request})
    )
    assert "共 1,999 条" in html
    assert "第 5 / 40 页" in html
    # A window of numbered pages around the current one, with gaps to first and last.
    numbers = re.findall(r'class="page-link" href="\?status=active&amp;page=(\d+)">\d+</a>', html)
    assert numbers == ["3", "4", "6", "7"]
    assert 'aria-current="page"><span class="page-link">5</span>' in html
    assert html.count("…") == 2
    assert 'data-testid="page-sizes"' not in html  # the view did not say which size it used


def test_pager_of_a_count_not_known_exactly_has_no_last_page() -> None:
    request = RequestFactory().get("/m/")
    html = Template("{% load pagination %}{% pagination 3 4 150 exact=False query='q=zl' %}").render(
        Context({"request": request})
    )
    assert "首页" in html and "下一页" in html
    assert "末页" not in html and "共" not in html
    assert 'href="?q=zl&amp;page=4" data-testid="next-page"' in html


def test_one_page_shows_no_pager() -> None:
    html = Template("{% load pagination %}{% pagination 1 1 7 %}").render(Context({}))
    assert html.strip() == ""


@pytest.mark.parametrize(
    ("value", "printed"),
    [(1234567, "1,234,567"), (0, "0"), (999, "999"), (-12000, "-12,000"), (1234.5, "1,234.5"), (None, "—")],
)
def test_thousands(value, printed) -> None:
    assert thousands(value) == printed


LIST_PAGES = [
    "reports:audit",
    "imports:bulk_jobs",
    "members:roster",
    "cards:cards",
    "payouts:payouts",
    "benefits:campaigns",
    "benefits:merchants",
    "aid:files",
    "aid:relief",
    "student_aid:applications",
    "student_aid:publications",
    "crosscheck:reviews",
    "crosscheck:lists",
]


@pytest.mark.parametrize("name", LIST_PAGES)
def test_list_pages_take_garbage_and_huge_page_values(tree, make_user, login, name) -> None:
    c = login(make_user("root", superuser=True))
    url = reverse(name)
    for query in (
        {"page": "abc"},
        {"page": "99999999999999999999999"},
        {"page": "9" * 5000},
        {"page": "-3", "page_size": "abc"},
        {"page": "2", "page_size": "1" + "0" * 30},
    ):
        assert c.get(url, query).status_code == 200, (url, query)


@pytest.mark.parametrize("name", LIST_PAGES)
def test_list_pages_page_by_the_size_asked(tree, make_user, login, name) -> None:
    # Each list reads ?page_size= and tells its pager, which then offers the size choice.
    c = login(make_user("root", superuser=True))
    assert c.get(reverse(name), {"page_size": "abc"}).context["page_size"] == PAGE_SIZE_DEFAULT
    assert c.get(reverse(name), {"page_size": "20"}).context["page_size"] == 20
    # Not asked (or garbage) from then on: the size chosen stays.
    assert c.get(reverse(name)).context["page_size"] == 20
    assert c.get(reverse(name), {"page_size": "abc"}).context["page_size"] == 20
    assert c.get(reverse(name), {"page_size": "9" * 40}).context["page_size"] == PAGE_SIZE_MAX
