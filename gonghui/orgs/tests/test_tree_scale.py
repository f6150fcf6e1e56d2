"""The tree browser stays flat in queries and page size at 10,000 orgs."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gonghui.orgs.models import OrgKind
from gonghui.orgs.services import OrgSpec, org_bulk_create
from gonghui.orgs.views import CHILDREN_PAGE

pytestmark = pytest.mark.django_db

CITIES = 10
UNIONS_PER_CITY = 999  # 10 + 9,990 + the root = 10,001 orgs


@pytest.fixture
def big_tree(db):
    specs = [OrgSpec("900000", "测试省总工会", OrgKind.PROVINCE_FEDERATION, None)]
    for c in range(CITIES):
        city = f"9{c + 1:02d}000"
        specs.append(OrgSpec(city, f"测试市{c}总工会", OrgKind.CITY_FEDERATION, "900000"))
        specs += [
            OrgSpec(
                f"{city}U{u:04d}",
                f"测试基层工会{c}-{u}",
                OrgKind.GRASSROOTS,
                city,
                fields={"is_new_employment": u % 3 == 0},
            )
            for u in range(UNIONS_PER_CITY)
        ]
    assert org_bulk_create(actor=None, specs=specs) == 1 + CITIES * (UNIONS_PER_CITY + 1)


def test_opening_a_large_level_is_paged_and_query_count_is_constant(big_tree, make_user, login):
    client = login(make_user("prov", ("viewer", "900000")))
    with CaptureQueriesContext(connection) as first:
        resp = client.get("/orgs/901000/children/")
    assert resp.status_code == 200
    html = resp.content.decode()
    assert html.count('data-code="901000U') == CHILDREN_PAGE
    assert "显示更多" in html
    with CaptureQueriesContext(connection) as later:
        resp = client.get(f"/orgs/901000/children/?offset={CHILDREN_PAGE * 4}")
    html = resp.content.decode()
    assert html.count('data-code="901000U') == UNIONS_PER_CITY - CHILDREN_PAGE * 4
    assert "显示更多" not in html
    # Same handful of queries whatever the page: no per-row lookups.
    assert len(first) == len(later) <= 8


def test_subtree_figures_at_scale(big_tree, make_user):
    from gonghui.reports.selectors import stats_for

    figures = stats_for(scope=None, org_code="900000")
    assert {k: figures[k] for k in ("orgs", "orgs_new_employment")} == {
        "orgs": 10_001,
        "orgs_new_employment": CITIES * len(range(0, UNIONS_PER_CITY, 3)),
    }
    assert stats_for(scope=None, org_code="905000")["orgs"] == UNIONS_PER_CITY + 1
