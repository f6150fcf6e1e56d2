"""Contests: creation rules, registration and eligibility, judges' conflicts, double entry, settling, ranking, scope."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from gonghui.core.errors import DomainError, PermissionDeniedError
from gonghui.core.models import AuditEvent
from gonghui.core.scoping import unscoped
from gonghui.members.services import membership_transition
from gonghui.skills import selectors, services
from gonghui.skills.models import Contest, ContestStatus, Entry, Score, ScoreState
from gonghui.skills.scoring import FIRST, SECOND, THIRD
from gonghui.skills.services import ScoreCell
from gonghui.skills.tests.factories import enter, full_sheet, make_contest, member, scope_of

pytestmark = pytest.mark.django_db

GOOD = [["36", "38", "37"], ["55", "54", "58"]]  # item × judge


@pytest.fixture
def world(tree):  # type: ignore[no-untyped-def]
    return make_contest(tree.lps)


@pytest.fixture
def clerks(make_user):  # type: ignore[no-untyped-def]
    return make_user("clerk_a", ("officer", "520200")), make_user("clerk_b", ("reviewer", "520200"))


def twice(clerks, world, cells):  # type: ignore[no-untyped-def]
    a, b = clerks
    services.scores_enter(actor=a, scope=scope_of(a), event=world.event, cells=cells)
    services.scores_enter(actor=b, scope=scope_of(b), event=world.event, cells=cells)


# --- contests --------------------------------------------------------------------------------------


def test_a_contest_keeps_its_rules_as_data_and_is_audited(tree) -> None:  # type: ignore[no-untyped-def]
    world = make_contest(tree.lps, theory_weight=20, practical_weight=80, judge_rule="median", min_age=18, max_age=55)
    c = world.contest
    assert (c.theory_weight, c.practical_weight, c.judge_rule, c.min_age, c.max_age) == (20, 80, "median", 18, 55)
    assert (c.first_prizes, c.second_prizes, c.third_prizes) == (1, 2, 3)
    assert c.status == ContestStatus.OPEN and c.org_path == tree.lps.path
    assert AuditEvent.all_objects.filter(action="skills.contest.create", org_path=tree.lps.path).count() == 1


def test_every_wrong_field_of_a_contest_is_named_at_once(tree) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(DomainError) as refused:
        services.contest_create(
            actor=None,
            scope=None,
            org=tree.lps,
            name="",
            trade="",
            level="national",
            held_on=date(2026, 1, 1),
            theory_weight=40,
            practical_weight=70,
            min_age=50,
            max_age=30,
        )
    assert set(refused.value.details) == {"name", "trade", "level", "theory_weight", "max_age"}
    with unscoped():
        assert not Contest.objects.exists()


def test_practical_items_must_sum_to_100(world) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(DomainError) as refused:
        services.event_add(
            actor=None, scope=None, contest=world.contest, name="阀门", items=[("a", Decimal(50)), ("b", Decimal(40))]
        )
    assert "100" in refused.value.details["items"]


def test_a_contest_needs_the_manage_permission_at_its_union(tree, make_user) -> None:  # type: ignore[no-untyped-def]
    viewer = make_user("v", ("viewer", "520200"))
    with pytest.raises(PermissionDeniedError):
        services.contest_create(
            actor=viewer,
            scope=scope_of(viewer),
            org=tree.lps,
            name="x",
            trade="管工",
            level="city",
            held_on=date.today(),
        )


# --- registration ----------------------------------------------------------------------------------


def test_a_union_below_registers_its_member(tree, world, make_user) -> None:  # type: ignore[no-untyped-def]
    officer = make_user("courier_officer", ("officer", "520201G001"))
    ms = member(tree.courier_union, 1)
    entry = services.entry_register(
        actor=officer,
        scope=scope_of(officer),
        contest=world.contest,
        event=world.event,
        membership=ms,
        trade_years=6,
    )
    assert (entry.number, entry.org_path, entry.contest_path) == (1, tree.courier_union.path, tree.lps.path)
    assert entry.enterprise == "钟山建安公司" and entry.age == 36  # born 1990-03-07, contest 2026-09-20
    second = enter(world, member(tree.courier_union, 2))
    assert second.number == 2


def test_a_union_cannot_register_someone_elses_member(tree, world, make_user) -> None:  # type: ignore[no-untyped-def]
    officer = make_user("courier_officer", ("officer", "520201G001"))
    other = member(tree.express_federation, 3)
    with pytest.raises(PermissionDeniedError):
        services.entry_register(
            actor=officer,
            scope=scope_of(officer),
            contest=world.contest,
            event=world.event,
            membership=other,
            trade_years=5,
        )
    with unscoped():
        assert not Entry.objects.exists()


def test_members_outside_the_contests_union_are_refused(tree, world) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(DomainError) as refused:
        enter(world, member(tree.nanming, 4))
    assert refused.value.code == "skills.not_under_contest"


@pytest.mark.parametrize(
    "rules,years,reason",
    [
        ({"max_age": 35}, 5, "超过最高年龄 35 岁"),
        ({"min_age": 40}, 5, "低于最低年龄 40 岁"),
        ({"min_trade_years": 3}, 2, "不足 3 年"),
    ],
)
def test_eligibility_rules_are_checked(tree, rules, years, reason) -> None:  # type: ignore[no-untyped-def]
    world = make_contest(tree.lps, **rules)
    with pytest.raises(DomainError) as refused:
        enter(world, member(tree.courier_union, 5), trade_years=years)
    assert refused.value.code == "skills.not_eligible" and reason in refused.value.message


def test_a_member_enters_an_event_once_and_only_a_live_member(tree, world) -> None:  # type: ignore[no-untyped-def]
    ms = member(tree.courier_union, 6)
    enter(world, ms)
    with pytest.raises(DomainError) as refused:
        enter(world, ms)
    assert refused.value.code == "skills.already_entered"
    gone = member(tree.courier_union, 7)
    membership_transition(actor=None, scope=None, membership=gone, action="withdraw", reason="本人申请退会")
    with pytest.raises(DomainError) as refused:
        enter(world, gone)
    assert refused.value.code == "skills.not_active_member"


# --- judges, double entry --------------------------------------------------------------------------


def test_a_judge_never_scores_a_contestant_of_their_own_enterprise(tree, world, clerks) -> None:  # type: ignore[no-untyped-def]
    entry = enter(world, member(tree.courier_union, 8, employer="盘州电厂"))  # 钱裁判's enterprise
    a, _b = clerks
    cells = full_sheet(world, entry, "80", GOOD)
    with pytest.raises(DomainError) as refused:
        services.scores_enter(actor=a, scope=scope_of(a), event=world.event, cells=cells)
    conflicted = [c.field for c in cells if c.judge_id == world.judges[1].pk]
    assert set(refused.value.details) == set(conflicted)
    assert "回避" in refused.value.message
    with unscoped():
        assert not Score.objects.exists()  # nothing of the sheet is saved


def test_every_wrong_cell_is_reported_at_once(tree, world, clerks) -> None:  # type: ignore[no-untyped-def]
    entry = enter(world, member(tree.courier_union, 9))
    cells = full_sheet(world, entry, "101", [["41", "abc", "37"], ["55", "54", "58.555"]])
    a, _b = clerks
    with pytest.raises(DomainError) as refused:
        services.scores_enter(actor=a, scope=scope_of(a), event=world.event, cells=cells)
    assert len(refused.value.details) == 4  # theory over 100, 41 over the item's 40, "abc", three decimals


def test_two_clerks_agree_and_the_score_counts(tree, world, clerks) -> None:  # type: ignore[no-untyped-def]
    entry = enter(world, member(tree.courier_union, 10))
    cells = full_sheet(world, entry, "８８分", GOOD)  # full-width digits and 分 are read
    a, b = clerks
    services.scores_enter(actor=a, scope=scope_of(a), event=world.event, cells=cells)
    with unscoped():
        assert set(Score.objects.values_list("state", flat=True)) == {ScoreState.FIRST}
        assert Contest.objects.get(pk=world.contest.pk).status == ContestStatus.SCORING
    services.scores_enter(actor=b, scope=scope_of(b), event=world.event, cells=cells)
    with unscoped():
        assert set(Score.objects.values_list("state", flat=True)) == {ScoreState.MATCHED}
        assert Score.objects.get(slot="theory").value == Decimal("88.00")


def test_the_first_clerk_may_correct_their_entry_until_the_second_types(tree, world, clerks) -> None:  # type: ignore[no-untyped-def]
    entry = enter(world, member(tree.courier_union, 11))
    a, b = clerks
    theory = [ScoreCell(field="t", entry_id=entry.pk, raw="70")]
    services.scores_enter(actor=a, scope=scope_of(a), event=world.event, cells=theory)
    services.scores_enter(actor=a, scope=scope_of(a), event=world.event, cells=[ScoreCell("t", entry.pk, "75")])
    with unscoped():
        score = Score.objects.get()
    assert (score.first_value, score.state, score.second_value) == (Decimal(75), ScoreState.FIRST, None)
    services.scores_enter(actor=b, scope=scope_of(b), event=world.event, cells=[ScoreCell("t", entry.pk, "75")])
    score.refresh_from_db()
    assert score.state == ScoreState.MATCHED


def test_a_mismatch_is_flagged_blocks_the_ranking_and_is_settled_by_a_reviewer(tree, world, clerks, make_user) -> None:  # type: ignore[no-untyped-def]
    entry = enter(world, member(tree.courier_union, 12))
    a, b = clerks
    services.scores_enter(actor=a, scope=scope_of(a), event=world.event, cells=full_sheet(world, entry, "80", GOOD))
    services.scores_enter(actor=b, scope=scope_of(b), event=world.event, cells=full_sheet(world, entry, "86", GOOD))
    with unscoped():
        disputed = Score.objects.get(slot="theory")
    assert disputed.state == ScoreState.MISMATCH and disputed.value is None
    with pytest.raises(DomainError) as refused:
        services.contest_rank(actor=None, scope=None, contest=world.contest)
    assert "不一致" in refused.value.message
    # Typing it again does not settle it: a reviewer does, with a note.
    with pytest.raises(DomainError):
        services.scores_enter(actor=a, scope=scope_of(a), event=world.event, cells=[ScoreCell("t", entry.pk, "80")])
    with pytest.raises(PermissionDeniedError):
        services.score_resolve(actor=a, scope=scope_of(a), score=disputed, value="80", note="核对原始评分表")
    with pytest.raises(DomainError) as refused:
        services.score_resolve(actor=b, scope=scope_of(b), score=disputed, value="", note="")
    assert set(refused.value.details) == {"value", "note"}
    services.score_resolve(actor=b, scope=scope_of(b), score=disputed, value="80", note="核对原始评分表")
    disputed.refresh_from_db()
    assert (disputed.state, disputed.value) == (ScoreState.RESOLVED, Decimal(80))
    assert AuditEvent.all_objects.filter(action="skills.score.resolve").count() == 1


def test_a_clerk_outside_the_organiser_cannot_enter_scores(tree, world, make_user) -> None:  # type: ignore[no-untyped-def]
    entry = enter(world, member(tree.courier_union, 13))
    local = make_user("local", ("officer", "520201G001"))
    with pytest.raises(PermissionDeniedError):
        services.scores_enter(
            actor=local, scope=scope_of(local), event=world.event, cells=[ScoreCell("t", entry.pk, "80")]
        )


# --- ranking ---------------------------------------------------------------------------------------


def test_ranking_weights_trims_breaks_ties_and_awards(tree, world, clerks) -> None:  # type: ignore[no-untyped-def]
    sheets = {
        # theory, [[cut by 3 judges], [weld by 3 judges]]
        1: ("90", [["36", "38", "37"], ["55", "54", "58"]]),  # practical 37 + 55 = 92; total 27 + 64.4 = 91.4
        2: ("70", [["40", "40", "1"], ["60", "60", "60"]]),  # 40 + 60 = 100 (1 and 40 trimmed); 21 + 70 = 91
        3: ("100", [["30", "30", "30"], ["57", "57", "57"]]),  # 87; 30 + 60.9 = 90.9
        4: ("80", [["38", "38", "38"], ["51", "51", "51"]]),  # 89; 24 + 62.3 = 86.3
        5: ("94", [["36", "36", "36"], ["50", "50", "50"]]),  # 86; 28.2 + 60.2 = 88.4
        6: ("66", [["38", "38", "38"], ["51", "51", "51"]]),  # 89; 19.8 + 62.3 = 82.1
        7: ("80", [["38", "38", "38"], ["51", "51", "51"]]),  # same as 4 in every paper: shares the rank
    }
    entries = {n: enter(world, member(tree.courier_union, 20 + n)) for n in sheets}
    cells = [c for n, (t, p) in sheets.items() for c in full_sheet(world, entries[n], t, p)]
    twice(clerks, world, cells)
    assert services.contest_rank(actor=None, scope=None, contest=world.contest) == 7
    with unscoped():
        rows = {e.number: e for e in Entry.objects.filter(contest=world.contest)}
    assert rows[1].total == Decimal("91.40") and rows[2].practical == Decimal("100.00")
    assert [(n, rows[n].rank, rows[n].award) for n in (1, 2, 3, 5, 4, 7, 6)] == [
        (1, 1, FIRST),
        (2, 2, SECOND),
        (3, 3, SECOND),
        (5, 4, THIRD),
        (4, 5, THIRD),
        (7, 5, THIRD),
        (6, 7, ""),
    ]
    winners = selectors.contest_winners(scope=scope_of(clerks[0]), contest=world.contest)
    assert [e.number for e in winners] == [1, 2, 3, 5, 4, 7]
    # Once ranked, scores are final.
    with pytest.raises(DomainError) as refused:
        services.scores_enter(
            actor=clerks[0], scope=scope_of(clerks[0]), event=world.event, cells=[ScoreCell("t", entries[1].pk, "1")]
        )
    assert refused.value.code == "skills.contest_ranked"


def test_ranking_lists_every_missing_score(tree, world, clerks) -> None:  # type: ignore[no-untyped-def]
    one = enter(world, member(tree.courier_union, 30))
    enter(world, member(tree.courier_union, 31))
    a, _b = clerks
    services.scores_enter(actor=a, scope=scope_of(a), event=world.event, cells=full_sheet(world, one, "80", GOOD))
    with pytest.raises(DomainError) as refused:
        services.contest_rank(actor=None, scope=None, contest=world.contest)
    blockers = refused.value.details["blockers"]
    assert any("只录入了一次" in b for b in blockers)
    assert any("002号" in b and "缺理论成绩" in b for b in blockers)


# --- scope -----------------------------------------------------------------------------------------


def test_who_sees_the_contest_and_its_contestants(tree, world, make_user) -> None:  # type: ignore[no-untyped-def]
    mine = enter(world, member(tree.courier_union, 40))
    theirs = enter(world, member(tree.express_federation, 41))
    organiser = make_user("org", ("viewer", "520200"))
    courier = make_user("courier", ("viewer", "520201G001"))
    stranger = make_user("dx", ("viewer", "621100"))
    assert [c.pk for c in selectors.contest_list(scope=scope_of(courier))] == [world.contest.pk]
    assert {e.pk for e in selectors.entry_list(scope=scope_of(organiser), contest=world.contest)} == {
        mine.pk,
        theirs.pk,
    }
    assert {e.pk for e in selectors.entry_list(scope=scope_of(courier), contest=world.contest)} == {mine.pk}
    assert not selectors.contest_list(scope=scope_of(stranger)).exists()
    with pytest.raises(DomainError):
        selectors.contest_get(scope=scope_of(stranger), pk=world.contest.pk)
