"""The 公示 page's objection forms: a refusal shows the page again with the form as typed and every error
beside its field, instead of a flash message over an emptied form."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from gonghui.core.tests.forms import field_values
from gonghui.student_aid.models import ApplicationStatus
from gonghui.student_aid.tests.factories import SON, World, reload
from gonghui.student_aid.tests.test_crosscheck import youth_league_list
from gonghui.student_aid.tests.test_pages import (  # noqa: F401  (clients, records: the fixtures)
    clients,
    form_of,
    records,
    reviewed,
    state,
)

pytestmark = pytest.mark.django_db


def test_a_refused_objection_keeps_what_was_typed_and_names_every_mistake(
    clients: dict[str, Client],  # noqa: F811
    records: dict[str, Any],  # noqa: F811
) -> None:
    publication, objection = records["publication"], records["objection"]
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    before = state()
    resp = clients["county_officer"].post(
        f"/student-aid/publications/{publication.pk}/objections/",
        {"application": str(objection.application_id), "raised_by": "李某某", "reason": "", "received_on": tomorrow},
    )
    assert resp.status_code == 200 and state() == before
    html = resp.content.decode()
    assert set(resp.context["objection_form"].errors) == {"reason", "received_on"}
    assert 'data-testid="error-reason"' in html and "收到日期不能晚于今天" in html
    typed = field_values(html)
    assert (typed["application"], typed["raised_by"], typed["received_on"]) == (
        str(objection.application_id),
        "李某某",
        tomorrow,
    )


def test_a_resolution_without_a_note_keeps_the_decision(
    clients: dict[str, Client],  # noqa: F811
    records: dict[str, Any],  # noqa: F811
) -> None:
    publication, objection = records["publication"], records["objection"]
    before = state()
    resp = clients["county"].post(
        f"/student-aid/publications/{publication.pk}/objections/{objection.pk}/resolve/",
        {"decision": "upheld", "note": ""},
    )
    assert resp.status_code == 200 and state() == before
    html = resp.content.decode()
    assert 'data-testid="error-note"' in html
    assert field_values(html)["decision"] == "upheld"


def test_an_unknown_member_and_a_mistyped_student_id_are_named_together(
    world: World,
    clients: dict[str, Client],  # noqa: F811
) -> None:
    bad = SON[:-1] + ("0" if SON[-1] != "0" else "1")
    before = state()
    resp = clients["officer"].post(
        "/student-aid/new/", form_of(world, member="0000999999", id_number=bad, tuition="五千", promise_signed="")
    )
    assert resp.status_code == 200 and state() == before
    errors = resp.context["form"].errors
    assert set(errors) == {"member", "id_number", "tuition", "promise_signed"}
    html = resp.content.decode()
    for field in errors:
        assert f'data-testid="error-{field}"' in html, field
    typed = field_values(html)
    assert (typed["member"], typed["id_number"], typed["tuition"], typed["school"]) == (
        "0000999999",
        bad,
        "五千",
        "贵州大学",
    )


def test_an_approval_stopped_by_a_pending_crosscheck_keeps_the_note(
    world: World,
    clients: dict[str, Client],  # noqa: F811
) -> None:
    youth_league_list(world)
    application = reviewed(world)
    resp = clients["county"].post(f"/student-aid/{application.pk}/approve/", {"note": "材料齐全，同意资助"})
    assert resp.status_code == 200 and reload(application).status == ApplicationStatus.UNIT_REVIEWED
    html = resp.content.decode()
    assert "请先在名单比对中复核后再审批" in html
    assert field_values(html)["note"] == "材料齐全，同意资助"
