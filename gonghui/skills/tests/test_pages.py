"""The contest pages through real HTTP: list, create, events and judges, registration, the score sheet, the check
of disputed scores and the ranking; scope (a foreign id is a 404) and forms that keep what was typed."""

from __future__ import annotations

import pytest
from django.test import Client

from gonghui.core.models import AuditEvent
from gonghui.core.scoping import unscoped
from gonghui.members.tests.factories import id_number
from gonghui.skills.models import Contest, ContestStatus, Entry, Score, ScoreState
from gonghui.skills.tests.factories import enter, make_contest, member

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(tree):  # type: ignore[no-untyped-def]
    return make_contest(tree.lps)


@pytest.fixture
def officer(make_user, login):  # type: ignore[no-untyped-def]
    return login(make_user("lps_officer", ("officer", "520200")))


@pytest.fixture
def reviewer(make_user, login):  # type: ignore[no-untyped-def]
    return login(make_user("lps_reviewer", ("reviewer", "520200")))


def test_the_list_is_in_the_honors_area_and_scoped(tree, world, officer, make_user, login) -> None:  # type: ignore[no-untyped-def]
    page = officer.get("/skills/contests/")
    html = page.content.decode()
    assert page.status_code == 200 and world.contest.name in html
    assert 'data-testid="nav-area-honors"' in html and "技能竞赛" in html
    stranger = login(make_user("dx", ("officer", "621100")))
    assert world.contest.name not in stranger.get("/skills/contests/").content.decode()
    assert stranger.get(f"/skills/contests/{world.contest.pk}/").status_code == 404
    assert stranger.get(f"/skills/contests/{world.contest.pk}/ranking/").status_code == 404
    assert Client().get("/skills/contests/").status_code == 302


def test_a_union_below_sees_the_contest_and_only_its_contestants(tree, world, make_user, login) -> None:  # type: ignore[no-untyped-def]
    enter(world, member(tree.courier_union, 1))
    enter(world, member(tree.express_federation, 2))
    courier = login(make_user("courier", ("officer", "520201G001")))
    html = courier.get(f"/skills/contests/{world.contest.pk}/").content.decode()
    assert "选手一" in html and "选手二" not in html
    assert 'data-testid="register"' in html and 'data-testid="score-' not in html
    assert courier.get(f"/skills/contests/{world.contest.pk}/events/{world.event.pk}/scores/").status_code == 403


def test_creating_a_contest_shows_every_error_and_keeps_what_was_typed(tree, officer) -> None:  # type: ignore[no-untyped-def]
    form = {
        "org": "520200",
        "name": "六盘水市焊工技能大赛",
        "trade": "",
        "level": "市",  # an everyday word for 市级
        "held_on": "2026-10-01",
        "theory_weight": "40",
        "practical_weight": "70",
        "judge_rule": "去掉最高最低",
        "tie_break": "practical,theory",
        "first_prizes": "1",
        "second_prizes": "2",
        "third_prizes": "3",
        "min_age": "50",
        "max_age": "30",
    }
    page = officer.post("/skills/contests/new/", form)
    html = page.content.decode()
    assert page.status_code == 200
    assert 'data-testid="error-trade"' in html  # the form's own check
    assert "六盘水市焊工技能大赛" in html
    with unscoped():
        assert not Contest.objects.exists()
    form["trade"] = "焊工"
    page = officer.post("/skills/contests/new/", form)
    html = page.content.decode()
    assert 'data-testid="error-theory_weight"' in html and 'data-testid="error-max_age"' in html  # the service's, both
    form.update(theory_weight="30", min_age="", max_age="")
    page = officer.post("/skills/contests/new/", form)
    with unscoped():
        contest = Contest.objects.get()
    assert page.status_code == 302 and page["Location"] == f"/skills/contests/{contest.pk}/"
    assert (contest.level, contest.judge_rule) == ("city", "trimmed_mean")


def test_a_contest_outside_the_officers_unions_is_refused(tree, officer) -> None:  # type: ignore[no-untyped-def]
    page = officer.post(
        "/skills/contests/new/",
        {"org": "621100", "name": "x", "trade": "y", "level": "city", "held_on": "2026-10-01", "theory_weight": "30",
         "practical_weight": "70", "judge_rule": "mean", "tie_break": "practical", "first_prizes": "1",
         "second_prizes": "2", "third_prizes": "3"},
    )  # fmt: skip
    assert page.status_code == 200 and 'data-testid="error-org"' in page.content.decode()
    with unscoped():
        assert not Contest.objects.exists()


def test_events_and_judges_are_added_from_the_contest_page(tree, world, officer) -> None:  # type: ignore[no-untyped-def]
    url = f"/skills/contests/{world.contest.pk}/"
    bad = officer.post(url + "events/new/", {"name": "阀门安装", "items": "拆装 50\n试压 40"})
    assert bad.status_code == 400 and "100 分" in bad.content.decode() and "试压 40" in bad.content.decode()
    assert officer.post(url + "events/new/", {"name": "阀门安装", "items": "拆装 60\n试压 40"}).status_code == 302
    assert officer.post(url + "judges/new/", {"name": "李裁判", "enterprise": "钟山建安公司"}).status_code == 302
    html = officer.get(url).content.decode()
    assert "阀门安装" in html and "拆装 60 分" in html and "李裁判（钟山建安公司）" in html


def test_a_union_registers_a_member_by_id_number(tree, world, make_user, login) -> None:  # type: ignore[no-untyped-def]
    member(tree.courier_union, 3)
    courier = login(make_user("courier", ("officer", "520201G001")))
    url = f"/skills/contests/{world.contest.pk}/register/"
    refused = courier.post(url, {"event": world.event.pk, "member": id_number(99), "trade_years": "4"})
    assert "没有这名在册会员" in refused.content.decode() and id_number(99) in refused.content.decode()
    done = courier.post(url, {"event": world.event.pk, "member": id_number(3), "trade_years": "4"})
    assert done.status_code == 302
    with unscoped():
        entry = Entry.objects.get()
    assert (entry.number, entry.org_id, entry.trade_years) == (1, tree.courier_union.pk, 4)


def test_eligibility_refusals_show_on_the_member_field(tree, make_user, login) -> None:  # type: ignore[no-untyped-def]
    world = make_contest(tree.lps, min_trade_years=5)
    member(tree.courier_union, 4)
    courier = login(make_user("courier", ("officer", "520201G001")))
    page = courier.post(
        f"/skills/contests/{world.contest.pk}/register/",
        {"event": world.event.pk, "member": id_number(4), "trade_years": "2"},
    )
    assert 'data-testid="error-member"' in page.content.decode() and "不足 5 年" in page.content.decode()


def _sheet(world, entry, part):  # type: ignore[no-untyped-def]
    return f"/skills/contests/{world.contest.pk}/events/{world.event.pk}/scores/?part={part}"


def test_the_score_sheet_keeps_what_was_typed_and_shows_every_error(tree, world, officer) -> None:  # type: ignore[no-untyped-def]
    a = enter(world, member(tree.courier_union, 5))
    b = enter(world, member(tree.courier_union, 6))
    judge = world.judges[0]
    cut, weld = world.items
    url = _sheet(world, a, judge.pk)
    posted = {
        f"s-{a.pk}-p{cut.pk}-j{judge.pk}": "41",  # over the item's 40
        f"s-{a.pk}-p{weld.pk}-j{judge.pk}": "55",
        f"s-{b.pk}-p{cut.pk}-j{judge.pk}": "三十",
        f"s-{b.pk}-p{weld.pk}-j{judge.pk}": "50.5",
    }
    page = officer.post(url, posted)
    html = page.content.decode()
    assert page.status_code == 400
    assert html.count("invalid-feedback") == 2 and "“三十”不是分数" in html and "应为 0 至 40 分" in html
    for value in posted.values():
        assert f'value="{value}"' in html  # every typed value is back in its box
    with unscoped():
        assert not Score.objects.exists()


def test_two_clerks_enter_a_sheet_a_mismatch_is_settled_and_the_ranking_follows(tree, world, officer, reviewer) -> None:  # type: ignore[no-untyped-def]
    entries = [enter(world, member(tree.courier_union, 10 + i)) for i in range(3)]
    theory = _sheet(world, entries[0], "theory")
    typed = {f"s-{e.pk}-theory": str(80 + i) for i, e in enumerate(entries)}
    assert officer.post(theory, typed).status_code == 302
    second = dict(typed, **{f"s-{entries[2].pk}-theory": "28"})  # a slip: 28 for 82
    # The second clerk's sheet does not show the first clerk's figures.
    assert 'value="80"' not in reviewer.get(theory).content.decode()
    assert reviewer.post(theory, second).status_code == 302
    for judge in world.judges:
        sheet = {}
        for e in entries:
            for item in world.items:
                sheet[f"s-{e.pk}-p{item.pk}-j{judge.pk}"] = str(item.max_points - 5)
        url = _sheet(world, entries[0], judge.pk)
        assert officer.post(url, sheet).status_code == 302
        assert reviewer.post(url, sheet).status_code == 302
    ranking = f"/skills/contests/{world.contest.pk}/ranking/"
    blocked = officer.post(ranking)
    assert "不一致" in blocked.content.decode()
    with unscoped():
        disputed = Score.objects.get(state=ScoreState.MISMATCH)
    check = reviewer.get(f"/skills/contests/{world.contest.pk}/check/").content.decode()
    assert "28.00" in check and "82.00" in check
    assert officer.get(f"/skills/contests/{world.contest.pk}/check/").status_code == 403
    reviewer.post(
        f"/skills/contests/{world.contest.pk}/scores/{disputed.pk}/resolve/", {"value": "82", "note": "核对原始评分表"}
    )
    done = officer.post(ranking)
    assert done.status_code == 302
    html = officer.get(ranking).content.decode()
    with unscoped():
        assert Contest.objects.get(pk=world.contest.pk).status == ContestStatus.RANKED
        top = Entry.objects.get(pk=entries[2].pk)
    assert (top.rank, top.award, str(top.total)) == (1, "first", "87.60")  # 82 × 30% + (35 + 55) × 70%
    assert "一等奖" in html and "二等奖" in html
    assert AuditEvent.all_objects.filter(action="skills.contest.rank").count() == 1


def test_a_judge_of_the_contestants_enterprise_shows_as_stepping_aside(tree, world, officer) -> None:  # type: ignore[no-untyped-def]
    e = enter(world, member(tree.courier_union, 20, employer="水城钢铁公司"))  # 赵裁判's
    html = officer.get(_sheet(world, e, world.judges[0].pk)).content.decode()
    assert "回避" in html and f'name="s-{e.pk}-p' not in html
