"""The phone's forms come back as typed after a refusal (the ID numbers too, never the passwords), with
every error at once: regressions of the activation's and the 金秋助学 form's emptied ID numbers."""

from __future__ import annotations

import pytest

from gonghui.core.tests.clients import client as new_client
from gonghui.core.tests.forms import field_values, password_values
from gonghui.members.tests.factories import id_number
from gonghui.portal.tests.factories import NEW_ID, NEW_MOBILE, NEW_PASSWORD, PortalWorld
from gonghui.portal.tests.test_aid_pages import applications, apply_body
from gonghui.student_aid.tests.factories import SON

pytestmark = pytest.mark.django_db


def test_a_refused_activation_keeps_the_name_id_and_mobile_but_not_the_passwords(pw_world: PortalWorld) -> None:
    other_id = id_number(721, birth="19850615")
    typed = {"name": "张三", "id_number": other_id, "mobile": NEW_MOBILE}
    resp = new_client().post("/m/activate/", {**typed, "password": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert resp.status_code == 200
    html = resp.content.decode()
    assert 'data-testid="form-error"' in html
    assert {k: field_values(html)[k] for k in typed} == typed
    assert password_values(html) == {"password": "", "password2": ""}


def test_an_activation_form_shows_every_field_error_at_once(pw_world: PortalWorld) -> None:
    resp = new_client().post(
        "/m/activate/",
        {"name": "", "id_number": NEW_ID, "mobile": NEW_MOBILE, "password": NEW_PASSWORD, "password2": "另一个密码123"},
    )
    errors = resp.context["form"].errors
    assert set(errors) == {"name", "password2"}
    html = resp.content.decode()
    assert "两次输入的密码不一致" in html and errors["name"][0] in html
    assert field_values(html)["id_number"] == NEW_ID


def test_a_refused_application_keeps_the_students_id_and_names_every_mistake(pw_world: PortalWorld) -> None:
    client = pw_world.member_client(pw_world.worker)
    bad = SON[:-1] + ("0" if SON[-1] != "0" else "1")
    resp = client.post("/m/aid/new/", apply_body(id_number=bad, school="", tuition="五千", promise=None))
    assert resp.status_code == 200
    errors = resp.context["form"].errors
    assert set(errors) == {"id_number", "school", "tuition", "promise"}
    html = resp.content.decode()
    for field in errors:
        assert f'data-testid="error-{field}"' in html, field
    typed = field_values(html)
    assert (typed["id_number"], typed["name"], typed["tuition"], typed["major"]) == (
        bad,
        "李小龙",
        "五千",
        "计算机科学与技术",
    )
    assert applications() == []
