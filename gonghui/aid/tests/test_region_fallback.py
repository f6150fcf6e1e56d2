"""`core.regions.first_by_region`: the one county → city → province fallback, as 低保 standards and 慰问 caps use it."""

from __future__ import annotations

import pytest

from gonghui.aid.models import SubsistenceStandard, WelfareRule
from gonghui.aid.relief import welfare_rule
from gonghui.aid.services import subsistence_standard
from gonghui.core.regions import first_by_region, region_and_above, region_level

pytestmark = pytest.mark.django_db


def test_region_and_above_nearest_first() -> None:
    assert region_and_above("520201") == ["520201", "520200", "520000"]
    assert region_and_above("520200") == ["520200", "520000"]
    assert region_and_above("520000") == ["520000"]
    assert region_and_above("") == []


@pytest.mark.parametrize(("code", "level"), [("520000", "province"), ("520200", "prefecture"), ("520201", "county")])
def test_region_level_by_shape(code: str, level: str) -> None:
    assert region_level(code) == level


def test_the_nearest_region_wins_and_falls_back_upwards() -> None:
    SubsistenceStandard.objects.create(region_code="520000", year=2026, monthly_fen=60_000)
    SubsistenceStandard.objects.create(region_code="520200", year=2026, monthly_fen=70_000)
    SubsistenceStandard.objects.create(region_code="520201", year=2026, monthly_fen=75_000)
    SubsistenceStandard.objects.create(region_code="520201", year=2025, monthly_fen=1)
    rows = SubsistenceStandard.objects.filter(year=2026)
    picks = {code: first_by_region(rows, code) for code in ("520201", "520221", "520102", "530102", "")}
    assert {c: s.monthly_fen if s else None for c, s in picks.items()} == {
        "520201": 75_000,  # its own
        "520221": 70_000,  # its city's
        "520102": 60_000,  # its province's
        "530102": None,  # nothing set anywhere above it
        "": None,  # a union without a region code
    }
    # The two callers are the one function.
    assert subsistence_standard("520221", 2026).monthly_fen == 70_000  # type: ignore[union-attr]
    assert subsistence_standard("520201", 2025).monthly_fen == 1  # type: ignore[union-attr]


def test_caps_fall_back_alike() -> None:
    WelfareRule.objects.create(region_code="520000", event="spring_festival", cap_fen=500_00)
    WelfareRule.objects.create(region_code="520200", event="spring_festival", cap_fen=300_00)
    assert welfare_rule("520201", "spring_festival").cap_fen == 300_00  # type: ignore[union-attr]
    assert welfare_rule("520102", "spring_festival").cap_fen == 500_00  # type: ignore[union-attr]
    assert welfare_rule("520102", "festival") is None
