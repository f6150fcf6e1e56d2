"""Birth dates follow the ID number's permission (issue 15, item 4).

The masked number 520102********1234 hides the birth date and the sequence; a
full birth date beside it gives back eight of the hidden digits. So the roster
and the member's API and page give the birth year and the age, to everyone;
the full date comes only with the audited reveal of the number, which needs
`members.person.view_id` and returns both in one audit event.
"""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client
from django.utils import timezone

from gonghui.core.models import AuditEvent
from gonghui.members.tests.factories import Api, assert_error, id_number, register

pytestmark = pytest.mark.django_db

NUMBER = id_number(1, birth="19900307")
FULL_DATE = "1990-03-07"


def age_today() -> int:
    today = timezone.localdate()
    return today.year - 1990 - ((today.month, today.day) < (3, 7))


@pytest.fixture
def member(tree):  # type: ignore[no-untyped-def]
    return register(tree.courier_union, NUMBER, name="王小明", mobile="13800138000")


@pytest.fixture
def users(make_user):  # type: ignore[no-untyped-def]
    return {
        "viewer": make_user("lps_viewer", ("viewer", "520200")),
        "officer": make_user("lps_officer", ("officer", "520200")),
        "admin": make_user("lps_admin", ("admin", "520200")),
    }


def reveals(person_id: int) -> int:
    return AuditEvent.all_objects.filter(action="members.person.view_id", target_id=str(person_id)).count()


@pytest.mark.parametrize("who", ["viewer", "officer", "admin"])
def test_the_roster_and_the_member_give_the_year_and_age_only(member, users, bearer, who: str) -> None:
    api = Api(bearer(users[who]))
    listed = api.get("/api/v1/members").json()["items"]
    searched = api.post("/api/v1/members/search", {"q": "王小明"}).json()["items"]
    detail = api.get(f"/api/v1/members/{member.pk}").json()
    for out in (*listed, *searched, detail):
        assert (out["birth_year"], out["age"], out["birth_date"]) == (1990, age_today(), None)
        # The masked number and what the answer holds do not rebuild the number.
        assert "19900307" not in str(out) and FULL_DATE not in str(out)
    assert reveals(member.person_id) == 0  # reading the roster reveals nothing


def test_the_reveal_returns_the_number_and_the_birth_date_in_one_audited_event(member, users, bearer) -> None:
    resp = Api(bearer(users["admin"])).post(f"/api/v1/members/{member.pk}/reveal-id")
    assert resp.status_code == 200, resp.content.decode()
    assert resp.json() == {"id_number": NUMBER, "birth_date": FULL_DATE}
    assert reveals(member.person_id) == 1
    event = AuditEvent.all_objects.get(action="members.person.view_id")
    assert event.data == {"id_number": f"{NUMBER[:6]}********{NUMBER[-4:]}"}  # the number, masked, in the log


@pytest.mark.parametrize("who", ["viewer", "officer"])
def test_without_view_id_there_is_no_reveal(member, users, bearer, who: str) -> None:
    body = assert_error(
        Api(bearer(users[who])).post(f"/api/v1/members/{member.pk}/reveal-id"), 403, "permission_denied"
    )
    assert body["details"] == {"permission": "members.person.view_id"}
    assert reveals(member.person_id) == 0


def test_a_passport_holder_has_no_birth_date_to_reveal(tree, users, bearer) -> None:
    ms = register(tree.courier_union, "E12345678", id_type="2", name="John Smith")
    api = Api(bearer(users["admin"]))
    out = api.get(f"/api/v1/members/{ms.pk}").json()
    assert (out["birth_year"], out["age"], out["birth_date"]) == (None, None, None)
    assert api.post(f"/api/v1/members/{ms.pk}/reveal-id").json() == {"id_number": "E12345678", "birth_date": None}


@pytest.mark.parametrize("who", ["viewer", "officer", "admin"])
def test_the_member_page_shows_the_year_and_age(member, users, who: str) -> None:
    c = Client()
    c.force_login(users[who])
    html = c.get(f"/members/{member.pk}/").content.decode()
    assert f"1990 年（{age_today()} 岁）" in html
    assert FULL_DATE not in html and "1990-03" not in html and "19900307" not in html
    assert ('data-testid="reveal-id"' in html) == (who == "admin")
    # The mobile is masked as on the roster; the full number comes with the reveal.
    assert "138****8000" in html and "13800138000" not in html
    assert reveals(member.person_id) == 0


def test_the_page_reveal_shows_the_number_and_the_birth_date_audited(member, users) -> None:
    c = Client()
    c.force_login(users["admin"])
    resp = c.post(f"/members/{member.pk}/reveal-id/", HTTP_HX_REQUEST="true")
    assert resp.status_code == 200 and resp["Cache-Control"] == "no-store"
    html = resp.content.decode()
    assert NUMBER in html
    # The birth date replaces the year in its own cell (htmx out-of-band swap), from the same reveal.
    assert 'id="birth" hx-swap-oob="true"' in html and FULL_DATE in html
    assert 'id="mobile" hx-swap-oob="true"' in html and "13800138000" in html
    assert reveals(member.person_id) == 1


def test_the_page_reveal_is_refused_without_view_id(member, users) -> None:
    c = Client()
    c.force_login(users["officer"])
    resp = c.post(f"/members/{member.pk}/reveal-id/", HTTP_HX_REQUEST="true")
    assert resp.status_code == 403
    assert NUMBER not in resp.content.decode() and FULL_DATE not in resp.content.decode()
    assert reveals(member.person_id) == 0


def test_age_on_counts_full_years() -> None:
    from gonghui.members.selectors import age_on

    assert age_on(date(1990, 3, 7), date(2026, 3, 6)) == 35
    assert age_on(date(1990, 3, 7), date(2026, 3, 7)) == 36
    assert age_on(None, date(2026, 3, 7)) is None
