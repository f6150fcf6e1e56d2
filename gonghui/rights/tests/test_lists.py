"""The lists read branch by branch (`selectors.merged_page`): a case seen through both of its paths
once, the order kept across branches, the capped count, the 督办 list in deadline order."""

from __future__ import annotations

from typing import Any

import pytest

from gonghui.rights import selectors, services
from gonghui.rights.models import HotlineCase
from gonghui.rights.tests.conftest import act
from gonghui.rights.tests.factories import take_call

pytestmark = pytest.mark.django_db


def test_the_queue_merges_both_paths_newest_first_and_counts_once(people, clock, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    tree, users, scopes = people["tree"], people["users"], people["scopes"]
    made: list[HotlineCase] = []
    for i in range(4):
        clock.advance(hours=1)
        made.append(take_call(users["operator"], tree.province, caller_name=f"来电人{i}"))
    # Two handed down to the county (the city's subtree), one taken at the city itself.
    for case in made[:2]:
        act(people, "operator", services.case_hand_down, case, to_org=tree.lps)
    clock.advance(hours=1)
    city_own = take_call(users["city"], tree.lps, caller_name="市里受理")
    act(people, "city", services.case_hand_down, city_own, to_org=tree.zhongshan)  # both paths in the subtree
    page = selectors.case_page(scope=scopes["city"], filters=selectors.CaseFilters(status="open"))
    assert [c.pk for c in page.rows] == [city_own.pk, made[1].pk, made[0].pk]
    assert (page.count, page.capped, page.pages) == (3, False, 1)
    province = selectors.case_page(scope=scopes["operator"], page=2, size=2)
    assert [c.pk for c in province.rows] == [made[2].pk, made[1].pk] and province.pages == 3
    assert [c.pk for c in selectors.case_page(scope=scopes["sibling"]).rows] == []
    # Past the cap: the count stops there, says so, and later pages still come.
    monkeypatch.setattr(selectors, "COUNT_CAP", 2)
    capped = selectors.case_page(scope=scopes["operator"], page=3, size=2)
    assert (capped.count, capped.capped, capped.page, [c.pk for c in capped.rows]) == (2, True, 3, [made[0].pk])


def test_the_supervision_list_is_in_deadline_order_below_the_caller(people, clock, login) -> None:  # type: ignore[no-untyped-def]
    tree, users, scopes = people["tree"], people["users"], people["scopes"]
    first = take_call(users["operator"], tree.province, caller_name="早")
    act(people, "operator", services.case_hand_down, first, to_org=tree.lps)
    clock.advance(hours=5)
    second = take_call(users["operator"], tree.province, caller_name="晚")
    act(people, "operator", services.case_hand_down, second, to_org=tree.lps)
    clock.advance(days=10)
    at_province = take_call(users["operator"], tree.province)
    clock.advance(days=10)
    rows: Any = selectors.supervision_page(scope=scopes["operator"]).rows
    assert [c.pk for c in rows] == [first.pk, second.pk]  # not the province's own case
    api = login(users["operator"]).get("/api/v1/rights/supervision").json()
    assert [i["id"] for i in api["items"]] == [first.pk, second.pk] and api["count_capped"] is False
    assert at_province.pk not in [c.pk for c in selectors.supervision_page(scope=scopes["city"]).rows]
