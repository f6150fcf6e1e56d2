"""Studios, 五小 and activities pages through real HTTP: forms keep what was typed, scope, apply and review."""

from __future__ import annotations

from datetime import date

import pytest

from gonghui.core.scoping import unscoped
from gonghui.skills import innovation
from gonghui.skills.models import Activity, Innovation, InnovationStatus, Studio

pytestmark = pytest.mark.django_db


@pytest.fixture
def lps(make_user, login):  # type: ignore[no-untyped-def]
    return login(make_user("lps_officer", ("officer", "520200")))


def test_a_studio_is_registered_applies_and_is_told_what_is_missing(tree, lps, make_user, login) -> None:  # type: ignore[no-untyped-def]
    form = {
        "org": "520200",
        "name": "",
        "leader_name": "张师傅",
        "leader_honor": "craftsman",
        "founded_on": "2020-01-01",
    }
    page = lps.post("/skills/studios/", form)
    assert 'data-testid="error-name"' in page.content.decode() and "张师傅" in page.content.decode()
    assert lps.post("/skills/studios/", {**form, "name": "张师傅焊接创新工作室", "has_rules": "on"}).status_code == 302
    with unscoped():
        studio = Studio.objects.get()
    html = lps.get("/skills/studios/").content.decode()
    assert "张师傅焊接创新工作室" in html and 'data-testid="nav-area-honors"' in html
    lps.post(f"/skills/studios/{studio.pk}/apply/", {"level": "province"})
    html = lps.get("/skills/studios/").content.decode()
    assert "尚未达到条件" in html and "缺少固定场所、设备、经费" in html
    stranger = login(make_user("dx", ("officer", "621100")))
    assert "张师傅焊接创新工作室" not in stranger.get("/skills/studios/").content.decode()
    assert stranger.post(f"/skills/studios/{studio.pk}/apply/", {"level": "city"}).status_code == 404


def test_five_small_submitted_with_exclusions_then_reviewed(tree, make_user, login) -> None:  # type: ignore[no-untyped-def]
    dx = login(make_user("dx", ("officer", "621100")))
    form = {
        "org": "621100", "kind": "invention", "title": "马铃薯收获机", "authors": "李村民", "year": "2025",
        "problem": "人工挖马铃薯费时", "solution": "牵引式挖掘分离装置", "money_saved": "20000",
        "government_funded": "on",
    }  # fmt: skip
    page = dx.post("/skills/innovations/", form)
    assert 'data-testid="error-government_funded"' in page.content.decode() and "马铃薯收获机" in page.content.decode()
    del form["government_funded"]
    assert dx.post("/skills/innovations/", form).status_code == 302
    with unscoped():
        entry = Innovation.objects.get()
    assert (
        dx.post(f"/skills/innovations/{entry.pk}/review/", {"decision": "award", "award": "一等奖"}).status_code == 403
    )
    reviewer = login(make_user("dx_reviewer", ("reviewer", "621100")))
    reviewer.post(f"/skills/innovations/{entry.pk}/review/", {"decision": "award", "award": "一等奖"})
    entry.refresh_from_db()
    assert (entry.status, entry.award) == (InnovationStatus.AWARDED, "一等奖")
    gz = login(make_user("gz", ("reviewer", "520000")))
    assert gz.post(f"/skills/innovations/{entry.pk}/review/", {"decision": "reject", "note": "x"}).status_code == 404


def test_activities_are_published_and_their_participations_shown(tree, lps) -> None:  # type: ignore[no-untyped-def]
    assert (
        lps.post(
            "/skills/activities/", {"org": "520200", "name": "", "kind": "sports", "held_on": "2026-05-01"}
        ).status_code
        == 200
    )
    resp = lps.post(
        "/skills/activities/", {"org": "520200", "name": "职工篮球赛", "kind": "sports", "held_on": "2026-05-01"}
    )
    assert resp.status_code == 302
    with unscoped():
        activity = Activity.objects.get()
    assert activity.kind == "sports"  # 运动会, an everyday word
    assert activity.checkin_code and "职工篮球赛" in lps.get("/skills/activities/").content.decode()
    assert innovation.activity_create(
        actor=None, scope=None, org=tree.dingxi, name="定西宣讲", kind="lecture", held_on=date(2026, 5, 2)
    )
    assert "定西宣讲" not in lps.get("/skills/activities/").content.decode()
