"""The member's edit page corrects 入会日期 under the rules of the import and the API (issue 14, item 3)."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client

from gonghui.core.scoping import unscoped
from gonghui.core.tests.forms import field_values
from gonghui.members.models import Person
from gonghui.members.tests.factories import id_number, register

pytestmark = pytest.mark.django_db


@pytest.fixture
def page(tree, make_user):  # type: ignore[no-untyped-def]
    ms = register(tree.courier_union, id_number(1, birth="19900307"), name="王小明", joined_on=date(2015, 6, 1))
    c = Client()
    c.force_login(make_user("lps_officer", ("officer", "520200")))
    return c, ms, f"/members/{ms.pk}/edit/"


def _joined(ms) -> date | None:  # type: ignore[no-untyped-def]
    with unscoped():
        return Person.objects.get(pk=ms.person_id).joined_on


def test_the_edit_page_shows_and_corrects_the_join_date(page) -> None:  # type: ignore[no-untyped-def]
    c, ms, url = page
    form = c.get(url).content.decode()
    assert field_values(form)["joined_on"] == "2015-06-01"
    resp = c.post(url, {"name": "王小明", "joined_on": "2016-07-01"})
    assert resp.status_code == 302 and _joined(ms) == date(2016, 7, 1)
    # Left empty: unchanged, not cleared.
    assert c.post(url, {"name": "王小明", "joined_on": ""}).status_code == 302
    assert _joined(ms) == date(2016, 7, 1)


@pytest.mark.parametrize(
    ("typed", "reason"),
    [("1989-01-01", "入会日期早于出生日期"), ("2004-01-01", "未满 16 周岁"), ("2099-01-01", "不能晚于今天")],
)
def test_an_impossible_join_date_is_refused_beside_the_field_and_kept(page, typed: str, reason: str) -> None:  # type: ignore[no-untyped-def]
    c, ms, url = page
    resp = c.post(url, {"name": "王小明", "joined_on": typed})
    assert resp.status_code == 200
    html = resp.content.decode()
    assert reason in html and field_values(html)["joined_on"] == typed
    assert _joined(ms) == date(2015, 6, 1)
