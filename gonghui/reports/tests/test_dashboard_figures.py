"""Every figure on the dashboard is grouped by thousands, and its charts carry what the script needs.

zh-hans leaves Django's THOUSAND_SEPARATOR empty, so `intcomma` alone prints 1234567; the
dashboard prints 1,234,567 (counts) and ¥123.46万 (money) in its cards and its drill table.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from gonghui.core import stats

pytestmark = pytest.mark.django_db

BIG = {
    "orgs": 1_234_567,
    "orgs_new_employment": 23_456,
    "members": 7_654_321,
    "members_new_employment": 1_000_000,
    "members_migrant": 12_345,
    "members_retained": 4_321,
    "members_transfer_pending": 1_001,
    "members_applied": 2_002,
    "cards_active": 3_456_789,
    "payout_yuan": 1_234_567.8,
    "hardship_files": 98_765,
    "relief_members": 54_321,
    "benefit_members": 11_111,
    "credit_cards": 22_222,
    "student_aid_students": 33_333,
}


@pytest.fixture
def big_figures(monkeypatch) -> None:
    """The real figures of every provider, with large counts laid over them."""
    real = stats.stats_collect

    def collect(paths: list[str] | None) -> dict[str, Any]:
        return {**real(paths), **BIG}

    monkeypatch.setattr("gonghui.reports.views.stats_collect", collect)


def _json(html: str, element_id: str) -> Any:
    match = re.search(rf'<script id="{element_id}" type="application/json">(.*?)</script>', html)
    assert match, element_id
    return json.loads(match.group(1))


def _text(html: str, testid: str) -> str:
    match = re.search(rf'data-testid="{testid}"[^>]*>([^<]*)<', html)
    assert match, testid
    return match.group(1).strip()


def test_every_figure_has_thousands_separators(tree, make_user, login, big_figures) -> None:
    html = login(make_user("prov", ("admin", "520000"))).get("/").content.decode()
    assert _text(html, "stat-orgs") == "1,234,567"
    assert _text(html, "stat-orgs-ne") == "23,456"
    assert _text(html, "stat-members") == "7,654,321"
    assert _text(html, "stat-members-ne") == "1,000,000"
    assert _text(html, "stat-members-migrant") == "12,345"
    assert "4,321 / 1,001 / 2,002" in html
    assert _text(html, "stat-cards") == "3,456,789"
    assert _text(html, "stat-payout") == "¥123.46万"
    assert _text(html, "stat-hardship") == "98,765"
    assert _text(html, "stat-credit") == "22,222"
    assert "54,321 名职工" in html
    assert "11,111 名会员" in html
    assert "33,333 名学生" in html
    # The drill table: each lower union's row.
    drill = html.split('data-testid="drill"', 1)[1]
    assert '<td class="text-end">1,234,567</td><td class="text-end">23,456</td>' in drill
    assert '<td class="text-end">7,654,321</td>' in drill
    # No bare count of four digits or more is left in the figures and the table.
    figures = html.split('<div class="row g-3 mb-3">', 1)[1].split("{", 1)[0]
    assert not re.findall(r">\s*\d{4,}\s*<", figures)


def test_the_city_chart_names_each_union_to_drill_into(tree, make_user, login) -> None:
    html = login(make_user("prov", ("admin", "520000"))).get("/").content.decode()
    city = _json(html, "data-city")
    assert dict(zip(city["codes"], city["labels"], strict=True)) == {
        "520200": "六盘水市总工会",
        "520100": "贵阳市总工会",
    }
    assert 'id="chart-city"' in html
    # A union with no lower union still has the chart's box, which the script fills with 暂无数据.
    leaf = login(make_user("leaf", ("admin", "520201G001"))).get("/?org=520201G001").content.decode()
    assert 'id="chart-city"' in leaf
    empty = _json(leaf, "data-city")
    assert empty["labels"] == [] and empty["codes"] == []


def test_the_dashboard_has_no_inline_script(tree, make_user, login) -> None:
    html = login(make_user("prov", ("admin", "520000"))).get("/").content.decode()
    scripts = re.findall(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", html)
    assert scripts == []
