"""`/api/v1/skills`: anonymous, wrong scope, right scope without the permission, right scope with it."""

from __future__ import annotations

from datetime import date

import pytest

from gonghui.core.scoping import unscoped
from gonghui.members.tests.factories import Api, assert_error, id_number
from gonghui.skills import training
from gonghui.skills.models import Contest, Entry, Score
from gonghui.skills.tests.factories import enter, make_contest, member

pytestmark = pytest.mark.django_db

BODY = {"org": "520200", "name": "六盘水市电工技能大赛", "trade": "电工", "level": "市", "held_on": "2026-11-01"}


@pytest.fixture
def world(tree):  # type: ignore[no-untyped-def]
    return make_contest(tree.lps)


def api(make_user, bearer, name, *grants):  # type: ignore[no-untyped-def]
    return Api(bearer(make_user(name, *grants)))


def test_anonymous_is_refused(world) -> None:  # type: ignore[no-untyped-def]
    assert_error(Api({}).get("/api/v1/skills/contests"), 401, "unauthenticated")
    assert_error(Api({}).post("/api/v1/skills/contests", BODY), 401, "unauthenticated")


def test_create_list_and_detail(tree, make_user, bearer) -> None:  # type: ignore[no-untyped-def]
    officer = api(make_user, bearer, "o", ("officer", "520200"))
    resp = officer.post("/api/v1/skills/contests", {**BODY, "judge_rule": "去掉最高最低", "prizes": [1, 3, 5]})
    assert resp.status_code == 201, resp.content
    body = resp.json()
    assert (body["level"], body["judge_rule"], body["prizes"], body["theory_weight"]) == (
        "city",
        "trimmed_mean",
        [1, 3, 5],
        30,
    )
    listed = officer.get("/api/v1/skills/contests").json()
    assert listed["count"] == 1 and listed["items"][0]["id"] == body["id"]
    assert officer.get(f"/api/v1/skills/contests/{body['id']}").json()["events"] == []


def test_wrong_scope_is_a_404_and_changes_nothing(world, make_user, bearer) -> None:  # type: ignore[no-untyped-def]
    stranger = api(make_user, bearer, "dx", ("officer", "621100"))
    cid = world.contest.pk
    assert_error(stranger.get(f"/api/v1/skills/contests/{cid}"), 404, "not_found")
    assert_error(stranger.get(f"/api/v1/skills/contests/{cid}/entries"), 404, "not_found")
    assert_error(stranger.post(f"/api/v1/skills/contests/{cid}/rank"), 404, "not_found")
    assert_error(stranger.post("/api/v1/skills/contests", BODY), 404, "not_found")
    assert stranger.get("/api/v1/skills/contests").json()["count"] == 0
    with unscoped():
        assert Contest.objects.count() == 1


def test_right_scope_without_the_permission_is_a_403(tree, world, make_user, bearer) -> None:  # type: ignore[no-untyped-def]
    viewer = api(make_user, bearer, "v", ("viewer", "520200"))
    assert viewer.get(f"/api/v1/skills/contests/{world.contest.pk}").status_code == 200
    assert_error(viewer.post("/api/v1/skills/contests", BODY), 403, "permission_denied")
    entry = enter(world, member(tree.courier_union, 1))
    cells = {"event_id": world.event.pk, "scores": [{"entry_id": entry.pk, "value": "80"}]}
    assert_error(viewer.post(f"/api/v1/skills/contests/{world.contest.pk}/scores", cells), 403, "permission_denied")
    assert_error(viewer.post(f"/api/v1/skills/contests/{world.contest.pk}/rank"), 403, "permission_denied")
    with unscoped():
        assert Contest.objects.count() == 1 and not Score.objects.exists()


def test_register_score_twice_rank_and_winners(tree, world, make_user, bearer) -> None:  # type: ignore[no-untyped-def]
    courier = api(make_user, bearer, "courier", ("officer", "520201G001"))
    ms = member(tree.courier_union, 2)
    url = f"/api/v1/skills/contests/{world.contest.pk}"
    foreign = member(tree.express_federation, 3)
    assert_error(
        courier.post(f"{url}/entries", {"event_id": world.event.pk, "member_id": foreign.pk, "trade_years": 3}),
        404,
        "not_found",
    )
    resp = courier.post(f"{url}/entries", {"event_id": world.event.pk, "member_id": ms.pk, "trade_years": 3})
    assert resp.status_code == 201, resp.content
    entry_id = resp.json()["id"]
    scores = [{"entry_id": entry_id, "value": "90"}] + [
        {"entry_id": entry_id, "value": str(i.max_points - 2), "item_id": i.pk, "judge_id": j.pk}
        for i in world.items
        for j in world.judges
    ]
    a = api(make_user, bearer, "a", ("officer", "520200"))
    b = api(make_user, bearer, "b", ("reviewer", "520200"))
    bad = a.post(f"{url}/scores", {"event_id": world.event.pk, "scores": [{"entry_id": entry_id, "value": "120"}]})
    assert assert_error(bad, 400, "skills.scores_invalid")["details"] == {"scores.0": "001号：应为 0 至 100 分"}
    assert a.post(f"{url}/scores", {"event_id": world.event.pk, "scores": scores}).json() == {"changed": 7}
    assert_error(a.post(f"{url}/rank"), 400, "skills.rank_blocked")
    assert b.post(f"{url}/scores", {"event_id": world.event.pk, "scores": scores}).json() == {"changed": 7}
    assert a.post(f"{url}/rank").json() == {"contestants": 1}
    winners = courier.get(f"{url}/winners").json()
    assert [(w["number"], w["total"], w["award_label"]) for w in winners] == [
        (1, "94.20", "一等奖")
    ]  # 27 + (38 + 58) × 70%
    with unscoped():
        assert Entry.objects.get().rank == 1


def test_events_judges_and_settling_a_dispute(tree, world, make_user, bearer) -> None:  # type: ignore[no-untyped-def]
    officer = api(make_user, bearer, "o", ("officer", "520200"))
    reviewer = api(make_user, bearer, "r", ("reviewer", "520200"))
    url = f"/api/v1/skills/contests/{world.contest.pk}"
    bad = officer.post(f"{url}/events", {"name": "阀门", "items": [{"name": "拆装", "max_points": "50"}]})
    assert assert_error(bad, 400, "skills.event_invalid")["details"]["items"].endswith("100 分")
    done = officer.post(
        f"{url}/events",
        {"name": "阀门", "items": [{"name": "拆装", "max_points": "60"}, {"name": "试压", "max_points": "40"}]},
    )
    assert done.status_code == 201 and [e["name"] for e in done.json()["events"]] == ["管道安装", "阀门"]
    assert officer.post(f"{url}/judges", {"name": "周裁判", "enterprise": "钟山建安公司"}).status_code == 201
    entry = enter(world, member(tree.courier_union, 5))
    body = {"event_id": world.event.pk, "scores": [{"entry_id": entry.pk, "value": "80"}]}
    officer.post(f"{url}/scores", body)
    reviewer.post(f"{url}/scores", {"event_id": world.event.pk, "scores": [{"entry_id": entry.pk, "value": "86"}]})
    assert officer.get(f"{url}/mismatches").json() == []  # an officer does not settle: sees none
    [disputed] = reviewer.get(f"{url}/mismatches").json()
    assert_error(
        officer.post(f"{url}/scores/{disputed['id']}/resolve", {"value": "80", "note": "核对"}),
        403,
        "permission_denied",
    )
    settled = reviewer.post(f"{url}/scores/{disputed['id']}/resolve", {"value": "80", "note": "核对原始评分表"})
    assert settled.json()["state"] == "resolved" and settled.json()["value"] == "80.00"
    stranger = api(make_user, bearer, "dx", ("admin", "621100"))
    assert_error(stranger.post(f"{url}/judges", {"name": "x", "enterprise": "y"}), 404, "not_found")


def test_training_classes_and_enrolment(tree, make_user, bearer) -> None:  # type: ignore[no-untyped-def]
    c = training.class_create(
        actor=None, scope=None, org=tree.dingxi, name="电商直播班", teacher="王工匠", capacity=1,
        starts_on=date(2025, 4, 1), ends_on=date(2025, 4, 1),
    )  # fmt: skip
    dx = api(make_user, bearer, "dx", ("officer", "621100"))
    number = id_number(7, area="621102")
    resp = dx.post(
        f"/api/v1/skills/classes/{c.pk}/enrolments", {"id_number": number, "name": "张村民", "income_before": "24000"}
    )
    assert resp.status_code == 201, resp.content
    body = resp.json()
    assert (body["status"], body["member"], body["income_before"]) == ("enrolled", False, "24000.00")
    assert number not in resp.content.decode() and body["id_masked"].startswith("621102")
    second = dx.post(
        f"/api/v1/skills/classes/{c.pk}/enrolments", {"id_number": id_number(8, area="621102"), "name": "李村民"}
    )
    assert second.json()["status"] == "waiting"
    detail = dx.get(f"/api/v1/skills/classes/{c.pk}").json()
    assert (detail["enrolled"], detail["waiting"], len(detail["enrolments"])) == (1, 1, 2)
    gz = api(make_user, bearer, "gz", ("admin", "520000"))
    assert_error(gz.get(f"/api/v1/skills/classes/{c.pk}"), 404, "not_found")
    assert_error(
        gz.post(f"/api/v1/skills/classes/{c.pk}/enrolments", {"id_number": number, "name": "x"}), 404, "not_found"
    )
    viewer = api(make_user, bearer, "v", ("viewer", "621100"))
    assert_error(
        viewer.post(f"/api/v1/skills/classes/{c.pk}/enrolments", {"id_number": number, "name": "x"}),
        403,
        "permission_denied",
    )
    assert gz.get("/api/v1/skills/classes").json() == []
