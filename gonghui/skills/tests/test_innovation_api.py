"""`/api/v1/skills` studios, 五小 and activities: anonymous 401, another union's record 404, a missing
permission 403; a studio's application lists every unmet criterion; 五小 exclusions refused at once."""

from __future__ import annotations

import pytest
from django.utils import timezone

from gonghui.members.tests.factories import Api, assert_error

pytestmark = pytest.mark.django_db

STUDIO = {
    "org": "621100",
    "name": "马铁军劳模创新工作室",
    "leader_name": "马铁军",
    "leader_honor": "全国劳动模范（先进工作者）",
    "founded_on": "2025-05-01",
    "members": 8,
}
ENTRY = {
    "org": "621100",
    "kind": "小发明",
    "title": "山地型马铃薯收获机",
    "authors": "王小农、李铁匠",
    "year": 2025,
    "problem": "坡地小块田大型农机进不去",
    "solution": "拖拉机牵引的小型收获机",
    "money_saved_fen": 3_000_000,
}


def api(make_user, bearer, name, *grants):  # type: ignore[no-untyped-def]
    return Api(bearer(make_user(name, *grants)))


def test_anonymous_is_refused() -> None:
    for path in ("/api/v1/skills/studios", "/api/v1/skills/innovations", "/api/v1/skills/activities"):
        assert_error(Api({}).get(path), 401, "unauthenticated")


def test_a_studio_applies_and_hears_every_unmet_criterion(tree, make_user, bearer) -> None:  # type: ignore[no-untyped-def]
    officer = api(make_user, bearer, "dx", ("officer", "621100"))
    resp = officer.post("/api/v1/skills/studios", STUDIO)
    assert resp.status_code == 201, resp.content
    studio = resp.json()
    assert studio["leader_honor"] == "national_model" and studio["level"] == ""
    applied = officer.post(f"/api/v1/skills/studios/{studio['id']}/apply", {"level": "省级"})
    assert applied.status_code == 201, applied.content
    body = applied.json()
    assert body["granted"] is False and body["level"] == "province"
    assert any("不足 3 年" in u for u in body["unmet"]) and any("缺少固定场所" in u for u in body["unmet"])
    assert len(body["unmet"]) == 5  # the leader's honour is met
    assert officer.get(f"/api/v1/skills/studios/{studio['id']}").json()["level"] == ""
    bad = officer.post(f"/api/v1/skills/studios/{studio['id']}/apply", {"level": "宇宙级"})
    assert_error(bad, 400, "skills.studio_invalid")
    other = api(make_user, bearer, "gz", ("officer", "520000"))
    assert other.get(f"/api/v1/skills/studios/{studio['id']}").status_code == 404
    assert other.post(f"/api/v1/skills/studios/{studio['id']}/apply", {"level": "市级"}).status_code == 404
    assert other.get("/api/v1/skills/studios").json() == []
    viewer = api(make_user, bearer, "dxv", ("viewer", "621100"))
    assert viewer.post(f"/api/v1/skills/studios/{studio['id']}/apply", {"level": "市级"}).status_code == 403


def test_an_innovation_is_submitted_reviewed_and_exclusions_refused_at_once(tree, make_user, bearer) -> None:  # type: ignore[no-untyped-def]
    officer = api(make_user, bearer, "dx", ("officer", "621100"))
    refused = officer.post(
        "/api/v1/skills/innovations",
        {**ENTRY, "exclusions": {"government_funded": True, "secret_or_disputed": True}},
    )
    body = assert_error(refused, 400, "skills.innovation_invalid")
    assert "政府财政资金" in body["message"] and "知识产权" in body["message"]
    resp = officer.post("/api/v1/skills/innovations", ENTRY)
    assert resp.status_code == 201, resp.content
    entry = resp.json()
    assert (entry["kind"], entry["status"], entry["money_saved_yuan"]) == ("invention", "submitted", "30000.00")
    reviewer = api(make_user, bearer, "dxr", ("reviewer", "621100"))
    reviewed = reviewer.post(f"/api/v1/skills/innovations/{entry['id']}/review", {"accept": True, "award": "一等奖"})
    assert reviewed.status_code == 200, reviewed.content
    assert (reviewed.json()["status"], reviewed.json()["award"]) == ("awarded", "一等奖")
    listed = officer.get("/api/v1/skills/innovations").json()
    assert listed["count"] == 1 and listed["items"][0]["title"] == "山地型马铃薯收获机"
    assert api(make_user, bearer, "gz", ("officer", "520000")).get("/api/v1/skills/innovations").json()["count"] == 0


def test_activities_are_published_and_count_check_ins(tree, make_user, bearer) -> None:  # type: ignore[no-untyped-def]
    officer = api(make_user, bearer, "dx", ("officer", "621100"))
    today = timezone.localdate().isoformat()
    resp = officer.post(
        "/api/v1/skills/activities", {"org": "621100", "name": "健步走", "kind": "文体", "held_on": today}
    )
    assert resp.status_code == 201, resp.content
    assert (resp.json()["kind"], resp.json()["participations"]) == ("sports", 0)
    assert_error(
        officer.post("/api/v1/skills/activities", {"org": "621100", "name": "x", "kind": "打牌", "held_on": today}),
        400,
        "skills.activity_invalid",
    )
    assert officer.get("/api/v1/skills/activities").json()["count"] == 1
    outsider = api(make_user, bearer, "gz", ("officer", "520000"))
    assert outsider.post(
        "/api/v1/skills/activities", {"org": "621100", "name": "健步走", "kind": "文体", "held_on": today}
    ).status_code in (403, 404)
