"""Stations through their services: registration, update, close and reopen, each audited and scoped."""

from __future__ import annotations

from datetime import time

import pytest

from gonghui.accounts.scope import scope_for_user
from gonghui.core.errors import DomainError, PermissionDeniedError
from gonghui.core.models import AuditEvent
from gonghui.core.scoping import unscoped
from gonghui.stations.coords import gcj02_to_wgs84, wgs84_to_gcj02
from gonghui.stations.models import BuildMode, Station
from gonghui.stations.services import station_close, station_create, station_reopen, station_update
from gonghui.stations.tests.factories import make_station

pytestmark = pytest.mark.django_db


def test_create_stores_gcj02_codes_and_facilities_and_audits(tree, make_user) -> None:
    officer = make_user("officer", ("officer", "520200"))
    station = station_create(
        actor=officer,
        scope=scope_for_user(officer),
        org=tree.zhongshan,
        code="yx-001",
        name="夷新驿站",
        address="万达商圈",
        lat=30.77,
        lng=111.32,
        datum="wgs84",
        facilities=["饮用水", "空调", "WiFi", "饮水"],
        build_mode=BuildMode.COBUILT,
        partner_kind="bank",
        partner_name="贵州银行钟山支行",
        area_m2="15.25",
    )
    assert station.code == "YX-001" and station.org_path == tree.zhongshan.path
    assert (station.lat, station.lng) == pytest.approx(wgs84_to_gcj02(30.77, 111.32))
    assert station.facility_codes == ["water", "cooling", "wifi"]
    assert str(station.area_m2) == "15.2"  # to one decimal, half to even
    event = AuditEvent.all_objects.get(action="stations.create")
    assert (event.org_id, event.target_id, event.actor_id) == (tree.zhongshan.pk, str(station.pk), officer.pk)


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"code": "x"}, "station.code_invalid"),
        ({"facilities": ["游泳池"]}, "station.facility_invalid"),
        ({"build_mode": "cobuilt"}, "station.partner_required"),
        ({"weekday_opens": time(8), "weekday_closes": None}, "station.hours_incomplete"),
        ({"lat": 95.0}, "station.coords_invalid"),
        ({"region_code": "4205"}, "station.region_invalid"),
        ({"area_m2": "-3"}, "station.area_invalid"),
        ({"is_closed": True}, "station.field_not_editable"),
        ({"build_mode": "mall"}, "station.build_mode_invalid"),
        ({"build_mode": "cobuilt", "partner_kind": "mall", "partner_name": "某商场"}, "station.partner_kind_invalid"),
    ],
)
def test_create_refuses_with_its_own_code_and_writes_nothing(tree, fields, code) -> None:
    with pytest.raises(DomainError) as refused:
        make_station(tree.zhongshan, fields.pop("code", "YX-002"), **fields)
    assert refused.value.code == code
    assert not Station.all_objects.exists() and not AuditEvent.all_objects.filter(action="stations.create").exists()


def test_code_is_unique(tree) -> None:
    make_station(tree.zhongshan, "YX-001")
    with pytest.raises(DomainError) as refused:
        make_station(tree.nanming, "yx-001")
    assert (refused.value.code, refused.value.status) == ("station.code_taken", 409)


def test_outside_scope_or_without_the_right_is_refused(tree, make_user) -> None:
    foreign = make_user("foreign", ("admin", "621100"))
    viewer = make_user("viewer", ("viewer", "520200"))
    for user in (foreign, viewer):
        with pytest.raises(PermissionDeniedError):
            station_create(
                actor=user,
                scope=scope_for_user(user),
                org=tree.zhongshan,
                code="A1",
                name="n",
                address="a",
                lat=26,
                lng=104,
            )
    station = make_station(tree.zhongshan, "YX-001")
    with pytest.raises(PermissionDeniedError):
        station_update(actor=viewer, scope=scope_for_user(viewer), station=station, name="改名")
    with unscoped():
        assert Station.objects.get().name == "YX-001驿站"


def test_update_audits_the_changes_and_converts_a_phone_position(tree) -> None:
    station = make_station(tree.zhongshan, "YX-001")
    station_update(actor=None, scope=None, station=station, name="夷新驿站", lat=30.78, lng=111.33, datum="wgs84")
    station.refresh_from_db()
    assert station.name == "夷新驿站"
    assert (station.lat, station.lng) == pytest.approx(wgs84_to_gcj02(30.78, 111.33))
    changes = AuditEvent.all_objects.get(action="stations.update").data["changes"]
    assert set(changes) == {"name", "lat", "lng"}


def test_close_and_reopen(tree) -> None:
    station = make_station(tree.zhongshan, "YX-001")
    station_close(actor=None, scope=None, station=station, reason="装修")
    with pytest.raises(DomainError) as twice:
        station_close(actor=None, scope=None, station=station)
    assert twice.value.code == "station.already_closed"
    station_reopen(actor=None, scope=None, station=station)
    station.refresh_from_db()
    assert (station.is_closed, station.closed_reason) == (False, "")
    assert list(
        AuditEvent.all_objects.filter(action__startswith="stations.").values_list("action", flat=True).order_by("id")
    ) == [
        "stations.create",
        "stations.close",
        "stations.reopen",
    ]


def test_facilities_typed_as_one_text(tree) -> None:
    station = make_station(tree.zhongshan, "YX-001")
    station_update(actor=None, scope=None, station=station, facilities="厕所、风扇/空调，无线网 饮水")
    station.refresh_from_db()
    assert station.facility_codes == ["toilet", "cooling", "wifi", "water"]
    station_update(actor=None, scope=None, station=station, facilities="")
    station.refresh_from_db()
    assert (station.facilities, station.facility_codes) == ("", [])


def test_moving_one_coordinate_from_a_phone_keeps_the_other_in_place(tree) -> None:
    station = make_station(tree.zhongshan, "YX-001", lat=30.77, lng=111.32)  # given in GCJ-02
    station_update(actor=None, scope=None, station=station, lat=30.78, datum="wgs84")
    station.refresh_from_db()
    wgs_lng = gcj02_to_wgs84(30.77, 111.32)[1]
    assert (station.lat, station.lng) == pytest.approx(wgs84_to_gcj02(30.78, wgs_lng))
