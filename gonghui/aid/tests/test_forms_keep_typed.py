"""A refused hardship-file or relief form comes back as typed, ID numbers too, with every error at once.

Regression tests for what cadres found: the worker's and the family's ID numbers were emptied by
试算 and by any refusal, the relief form's member by a cap refusal, and an unknown member hid the
other mistakes until it was mended.
"""

from __future__ import annotations

from typing import Any

import pytest

from gonghui.aid.models import WelfareRule
from gonghui.aid.tests.test_files import world  # noqa: F401  (the fixture)
from gonghui.aid.tests.test_pages import SON, WORKER, applied, form_data, pages, state  # noqa: F401  (pages: the fixture)
from gonghui.core.tests.forms import field_values
from gonghui.members.tests.factories import id_number

pytestmark = pytest.mark.django_db

UNKNOWN = id_number(699)


def test_a_trial_computation_keeps_every_field_as_typed(pages) -> None:  # noqa: F811
    resp = pages["c"]["officer"].post("/aid/files/new/", form_data(pages, preview="1"))
    assert resp.context["preview"]["category"] == "深度困难"
    typed = field_values(resp.content.decode())
    assert typed["member"] == WORKER
    assert typed["family-0-id_number"] == SON
    assert (typed["family-0-name"], typed["family-0-health"], typed["family-1-name"]) == ("王小明", "白血病", "李芳")
    assert (typed["worker_monthly_income"], typed["housing_area"], typed["causes"]) == (
        "2000",
        "42.5",
        "family_illness|schooling",
    )


def test_a_refused_file_shows_every_error_at_once_and_keeps_the_ids(pages) -> None:  # noqa: F811
    before = state()
    bad_son = SON[:-1] + ("0" if SON[-1] != "0" else "1")
    resp = pages["c"]["officer"].post(
        "/aid/files/new/",
        form_data(
            pages,
            member=UNKNOWN,
            worker_monthly_income="两千",
            main_cause="",
            **{"family-0-id_number": bad_son, "family-2-name": "王小红"},
        ),
    )
    assert resp.status_code == 200
    html = resp.content.decode()
    # The unknown member, the bad amount, the missing cause and the half-filled row: all on one page.
    for message in (
        "本工会范围内没有这名在册会员，请核对会员编号或证件号码。",
        "应为金额（元），如 1200.00",
        "这个字段是必填项。",
        "家庭成员须填写关系和姓名",
    ):
        assert message in html, message
    assert resp.context["family"].forms[0].errors["id_number"]  # the family's check ran too
    typed = field_values(html)
    assert (typed["member"], typed["worker_monthly_income"], typed["family-0-id_number"]) == (UNKNOWN, "两千", bad_son)
    assert typed["family-2-name"] == "王小红"
    assert state() == before


def test_a_relief_visit_over_the_cap_keeps_the_member_as_typed(pages) -> None:  # noqa: F811
    WelfareRule.objects.create(region_code="520000", event="spring_festival", cap_fen=500_00, note="黔工发")
    officer = pages["c"]["officer"]
    visit: dict[str, Any] = {"member": WORKER, "event": "spring_festival", "visited_on": "2026-02-10", "cash": "300"}
    assert officer.post("/aid/relief/new/", visit).status_code == 302
    before = state()
    resp = officer.post("/aid/relief/new/", {**visit, "cash": "150", "goods": "100", "goods_note": "米、油"})
    assert resp.status_code == 200
    html = resp.content.decode()
    assert "春节慰问每人每年不超过 500.00 元" in html
    typed = field_values(html)
    assert (typed["member"], typed["cash"], typed["goods"], typed["goods_note"]) == (WORKER, "150", "100", "米、油")
    assert state() == before


def test_an_unknown_member_and_a_bad_amount_are_refused_together(pages) -> None:  # noqa: F811
    resp = pages["c"]["officer"].post(
        "/aid/relief/new/",
        {"member": UNKNOWN, "event": "spring_festival", "visited_on": "2026-02-30", "cash": "三百"},
    )
    html = resp.content.decode()
    errors = resp.context["form"].errors
    assert set(errors) == {"member", "visited_on", "cash"}
    for field in errors:
        assert errors[field][0] in html
    typed = field_values(html)
    assert (typed["member"], typed["visited_on"], typed["cash"]) == (UNKNOWN, "2026-02-30", "三百")


def test_a_note_too_long_is_refused_beside_it_not_dropped(pages) -> None:  # noqa: F811
    """It used to be dropped in silence, and the service then asked for a note."""
    file = applied(pages)
    before = state()
    note = "缺少票据" * 51  # 204 characters
    resp = pages["c"]["unit"].post(f"/aid/files/{file.pk}/return/", {"note": note})
    assert resp.status_code == 200 and state() == before
    html = resp.content.decode()
    assert 'data-testid="error-note"' in html and "退回或不予建档时请填写审核意见" not in html
    assert field_values(html)["note"] == note
