"""The score sheet and the ranking read set-wise: more contestants cost no more queries."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gonghui.skills import services
from gonghui.skills.tests.factories import enter, full_sheet, make_contest, member

pytestmark = pytest.mark.django_db


def counted(client, url: str, method: str = "get", data=None) -> int:  # type: ignore[no-untyped-def]
    getattr(client, method)(url, data or {})  # warm the session
    with CaptureQueriesContext(connection) as ctx:
        resp = getattr(client, method)(url, data or {})
    assert resp.status_code in (200, 302, 400)
    return len(ctx.captured_queries)


@pytest.mark.parametrize("page", ["sheet", "ranking", "detail"])
def test_pages_cost_the_same_for_two_or_eight_contestants(tree, make_user, login, page: str) -> None:  # type: ignore[no-untyped-def]
    client = login(make_user("lps", ("officer", "520200")))
    a, b = make_user("a", ("officer", "520200")), make_user("b", ("reviewer", "520200"))
    costs = []
    for size, offset in ((2, 0), (8, 100)):
        world = make_contest(tree.lps, name=f"竞赛{size}")
        entries = [enter(world, member(tree.courier_union, offset + i)) for i in range(size)]
        cells = [c for e in entries for c in full_sheet(world, e, "80", [["30"] * 3, ["50"] * 3])]
        for clerk in (a, b):
            services.scores_enter(actor=clerk, scope=None, event=world.event, cells=cells)
        base = f"/skills/contests/{world.contest.pk}/"
        url = {
            "sheet": f"{base}events/{world.event.pk}/scores/?part={world.judges[0].pk}",
            "ranking": f"{base}ranking/",
            "detail": base,
        }[page]
        costs.append(counted(client, url))
    assert costs[0] == costs[1]
