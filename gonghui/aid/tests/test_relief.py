"""Relief visits within the province's caps, and the aid statistics."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from gonghui.accounts.scope import scope_for_user
from gonghui.aid.models import ReliefCampaign, ReliefVisit, WelfareRule
from gonghui.aid.relief import relief_visit_record, welfare_rule
from gonghui.core.errors import DomainError
from gonghui.core.models import AuditEvent
from gonghui.core.stats import stats_collect
from gonghui.members.tests.factories import id_number, register

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(tree, make_user) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    # Guizhou: 春节 ≤ ¥500, other festivals ≤ ¥200 (DOMAIN §4).
    WelfareRule.objects.create(region_code="520000", event="spring_festival", cap_fen=500_00)
    WelfareRule.objects.create(region_code="520000", event="festival", cap_fen=200_00)
    officer = make_user("lps_officer", ("officer", "520200"))
    return {
        "officer": officer,
        "scope": scope_for_user(officer),
        "a": register(tree.courier_union, id_number(500), name="张师傅"),
        "b": register(tree.courier_union, id_number(501), name="李师傅"),
        "foreign": make_user("nm_officer", ("officer", "520102")),
    }


def visit(world: dict[str, Any], who: str = "a", **kw: Any) -> ReliefVisit:
    args: dict[str, Any] = {"event": "spring_festival", "visited_on": date(2026, 2, 10), "cash_fen": 300_00}
    return relief_visit_record(actor=world["officer"], scope=world["scope"], membership=world[who], **{**args, **kw})


def test_the_cap_holds_per_person_event_and_year(world, tree) -> None:
    assert welfare_rule("520201", "spring_festival").cap_fen == 500_00  # type: ignore[union-attr]
    visit(world)
    visit(world, goods_fen=200_00, cash_fen=0, goods_note="米、油")  # ¥500 in all: at the cap
    with pytest.raises(DomainError) as over:
        visit(world, cash_fen=1)
    assert over.value.code == "aid.relief_over_cap"
    assert "春节慰问每人每年不超过 500.00 元" in over.value.message and "已领 500.00 元" in over.value.message
    visit(world, visited_on=date(2025, 1, 28))  # another year
    visit(world, event="festival", cash_fen=200_00)  # another kind of visit has its own cap
    visit(world, who="b", cash_fen=500_00)  # another person
    visit(world, event="hospital", cash_fen=2000_00)  # no rule for 住院 in Guizhou: uncapped
    assert ReliefVisit.all_objects.count() == 6
    assert AuditEvent.all_objects.filter(action="aid.relief.record").count() == 6


def test_a_visit_is_not_recorded_before_it_is_made(world) -> None:
    from datetime import timedelta

    from django.utils import timezone

    with pytest.raises(DomainError) as ahead:
        visit(world, visited_on=timezone.localdate() + timedelta(days=1))
    assert (ahead.value.code, ahead.value.message) == ("aid.relief_in_future", "慰问日期不能晚于今天")
    assert not ReliefVisit.all_objects.exists()
    visit(world, visited_on=timezone.localdate())


def test_refusals_change_nothing(world) -> None:
    with pytest.raises(DomainError):
        visit(world, cash_fen=0)  # nothing given
    with pytest.raises(DomainError):
        visit(world, event="party")
    with pytest.raises(DomainError):
        relief_visit_record(
            actor=world["foreign"],
            scope=scope_for_user(world["foreign"]),
            membership=world["a"],
            event="festival",
            visited_on=date(2026, 5, 1),
            cash_fen=100_00,
        )
    campaign = ReliefCampaign.all_objects.create(
        org=world["a"].org,
        org_path=world["a"].org_path,
        name="温暖服务季",
        starts_on=date(2026, 1, 1),
        ends_on=date(2026, 2, 28),
    )
    with pytest.raises(DomainError):
        visit(world, campaign=campaign, visited_on=date(2026, 3, 1))
    assert ReliefVisit.all_objects.count() == 0


def test_statistics(world, tree) -> None:
    visit(world, insurance_policies=1)
    visit(world, who="b", event="hardship", cash_fen=1000_00, housing=True)
    figures = stats_collect([tree.lps.path])
    assert (figures["relief_yuan"], figures["relief_members"]) == (1300.0, 2)
    assert (figures["insurance_policies"], figures["housing_households"]) == (1, 1)
    assert stats_collect([tree.nanming.path])["relief_yuan"] == 0
