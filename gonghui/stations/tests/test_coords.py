"""WGS-84 ↔ GCJ-02 against published vectors (hujiulong/gcoord test/unit/crs/WGS84.spec.ts, GCJ02.spec.ts)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gonghui.stations.coords import gcj02_to_wgs84, haversine_m, wgs84_to_gcj02


def test_forward_matches_the_reference_vector() -> None:
    lat, lng = wgs84_to_gcj02(45.0, 123.0)
    assert lat == pytest.approx(45.00197815, abs=1e-7)
    assert lng == pytest.approx(123.00607541, abs=1e-7)


def test_inverse_matches_the_reference_vector() -> None:
    # gcoord inverts with one step (to 1e-5); ours iterates, so it agrees to that and round-trips exactly.
    lat, lng = gcj02_to_wgs84(45.0, 123.0)
    assert lat == pytest.approx(44.99804071, abs=1e-5)
    assert lng == pytest.approx(122.99395597, abs=1e-5)


def test_outside_china_nothing_moves() -> None:
    assert wgs84_to_gcj02(48.8566, 2.3522) == (48.8566, 2.3522)
    assert gcj02_to_wgs84(48.8566, 2.3522) == (48.8566, 2.3522)


@given(st.floats(min_value=18.0, max_value=53.0), st.floats(min_value=74.0, max_value=134.0))
def test_round_trip_is_within_a_millimetre(lat: float, lng: float) -> None:
    back = gcj02_to_wgs84(*wgs84_to_gcj02(lat, lng))
    assert haversine_m(lat, lng, *back) < 0.001


def test_the_offset_in_yichang_is_a_few_hundred_metres() -> None:
    # 宜昌 (夷陵): the shift is what a station put on the map from a phone's fix would be off by.
    assert 100 < haversine_m(30.77, 111.32, *wgs84_to_gcj02(30.77, 111.32)) < 700


def test_haversine_one_degree_of_latitude() -> None:
    assert haversine_m(30.0, 111.0, 31.0, 111.0) == pytest.approx(111_195, rel=1e-3)
