"""The hotline's statistics keys over a subtree, and the dashboard card."""

from __future__ import annotations

import pytest

from gonghui.core.stats import stats_collect
from gonghui.rights import services
from gonghui.rights.tests.conftest import act
from gonghui.rights.tests.factories import take_call

pytestmark = pytest.mark.django_db


def _close(people, case, satisfaction: str):  # type: ignore[no-untyped-def]
    tree = people["tree"]
    case = act(people, "operator", services.case_hand_down, case, to_org=tree.lps)
    case = act(people, "city", services.case_take, case)
    case = act(people, "city", services.case_reply, case, result="已办")
    case = act(people, "operator", services.case_follow_up, case, satisfaction=satisfaction)
    if case.status == "followed":
        case = act(people, "checker", services.case_check, case)
        case = act(people, "operator", services.case_close, case)
    return case


def test_cases_open_overdue_on_time_and_satisfied(people, clock) -> None:  # type: ignore[no-untyped-def]
    tree, op = people["tree"], people["users"]["operator"]
    _close(people, take_call(op, tree.province), "满意")
    late = take_call(op, tree.province)
    clock.advance(days=2)  # its dispatch step ends late
    _close(people, late, "基本满意")
    reopened = _close(people, take_call(op, tree.province), "不满意")  # reopened: open again
    take_call(op, tree.province, kind="咨询", answered=True, answer="已答复")
    pending = take_call(op, tree.province)
    act(people, "operator", services.case_hand_down, pending, to_org=tree.lps)
    clock.advance(days=1, seconds=1)  # the pending one at the city is now overdue

    figures = stats_collect([tree.province.path])
    assert figures["hotline_cases"] == 5
    assert figures["hotline_cases_open"] == 2  # the reopened one and the pending one
    assert figures["hotline_cases_overdue"] == 1  # the pending one; the reopened one has five days
    assert figures["hotline_on_time_rate"] == round(2 / 3, 4)  # 3 closed, one of them late
    assert figures["hotline_satisfaction_rate"] == round(2 / 3, 4)  # 满意, 基本满意, 不满意
    # The city counts the cases handed to it; the sibling city and 定西 count none.
    assert stats_collect([tree.lps.path])["hotline_cases"] == 4
    empty = stats_collect([tree.guiyang.path])
    assert empty["hotline_cases"] == 0 and empty["hotline_on_time_rate"] == 0.0
    assert reopened.status == "handling"


def test_the_dashboard_card(people, login, clock) -> None:  # type: ignore[no-untyped-def]
    take_call(people["users"]["operator"], people["tree"].province)
    html = login(people["users"]["operator"]).get("/").content.decode()
    assert 'data-testid="stat-hotline"' in html and "12351 热线工单" in html


def test_the_dashboard_charts_by_month_and_by_cause(people, clock) -> None:  # type: ignore[no-untyped-def]
    from gonghui.rights.stats import cases_by_cause_chart, cases_by_month_chart

    tree, op = people["tree"], people["users"]["operator"]
    assert cases_by_month_chart([tree.province.path])["labels"] == []
    take_call(op, tree.province)
    take_call(op, tree.province, cause="工伤")
    clock.advance(days=31)
    take_call(op, tree.province)
    month = cases_by_month_chart([tree.province.path])
    assert month["labels"][-2:] == ["2026-03", "2026-04"] and month["series"][0]["values"][-2:] == [2, 1]
    cause = cases_by_cause_chart([tree.province.path])
    assert dict(zip(cause["labels"], cause["series"][0]["values"], strict=True)) == {"工资": 2, "工伤": 1}
    assert cases_by_cause_chart([tree.dingxi.path])["labels"] == []


def test_the_overdue_cases_by_lower_union(people, clock) -> None:  # type: ignore[no-untyped-def]
    from gonghui.rights.stats import overdue_by_lower_union_chart

    tree, op = people["tree"], people["users"]["operator"]
    for _ in range(2):
        case = take_call(op, tree.province)
        case = act(people, "operator", services.case_hand_down, case, to_org=tree.lps)
        act(people, "city", services.case_hand_down, case, to_org=tree.zhongshan)
    case = take_call(op, tree.province)
    act(people, "operator", services.case_hand_down, case, to_org=tree.guiyang)
    take_call(op, tree.province)  # held by the province itself: not a lower union's
    assert overdue_by_lower_union_chart([tree.province.path])["labels"] == []
    clock.advance(days=2)
    chart = overdue_by_lower_union_chart([tree.province.path])
    assert dict(zip(chart["labels"], chart["series"][0]["values"], strict=True)) == {
        "六盘水市总工会": 2,
        "贵阳市总工会": 1,
    }
    city = overdue_by_lower_union_chart([tree.lps.path])
    assert dict(zip(city["labels"], city["series"][0]["values"], strict=True)) == {"钟山区总工会": 2}
