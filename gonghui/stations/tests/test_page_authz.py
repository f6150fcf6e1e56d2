"""Every station page and button for every kind of caller: anonymous (sent to sign in), another
province (404), the right scope without the permission (403), with it (served) — and a refused
POST changes nothing (no row, no audit event)."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from PIL import Image

from gonghui.core.models import AuditEvent
from gonghui.members.tests.factories import id_number, register
from gonghui.stations.models import Station, StationPhoto
from gonghui.stations.rotation import RotationKind, RotationRule
from gonghui.stations.services import (
    calendar_generate,
    group_create,
    group_join,
    shift_take,
    swap_answer,
    swap_request,
    volunteer_decide,
)
from gonghui.stations.tests.factories import make_station

pytestmark = pytest.mark.django_db
MONDAY = date.today() + timedelta(days=7 - date.today().weekday())


@pytest.fixture
def world(tree, settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.DATA_DIR = tmp_path
    station = make_station(tree.zhongshan, "YX-001")
    group = group_create(actor=None, scope=None, station=station, name="第一组")
    riders = [
        register(tree.courier_union, id_number(800 + i), name=["张一", "李二", "王三"][i]).person for i in range(3)
    ]
    approved = [
        volunteer_decide(actor=None, scope=None, volunteer=group_join(actor=None, person=p, group=group), approve=True)
        for p in riders[:2]
    ]
    pending = group_join(actor=None, person=riders[2], group=group)
    rule = RotationRule(RotationKind.DAILY, MONDAY, (group.pk,))
    monday, tuesday = calendar_generate(
        actor=None, scope=None, station=station, rule=rule, first=MONDAY, last=MONDAY + timedelta(days=1)
    )
    mine = shift_take(actor=None, person=riders[0], shift=monday)
    theirs = shift_take(actor=None, person=riders[1], shift=tuesday)
    swap = swap_request(actor=None, person=riders[0], assignment=mine, counterpart=riders[1], counter_assignment=theirs)
    swap_answer(actor=None, person=riders[1], swap=swap, accept=True)
    photo = io.BytesIO()
    Image.new("RGB", (8, 8)).save(photo, format="PNG")
    from django.core.files.uploadedfile import SimpleUploadedFile

    from gonghui.stations.photos import photo_store

    stored = photo_store(
        actor=None, scope=None, station=station, image=SimpleUploadedFile("a.png", photo.getvalue()), caption="门头"
    )
    return {"station": station, "pending": pending, "approved": approved, "swap": swap, "photo": stored}


def png() -> io.BytesIO:
    out = io.BytesIO()
    Image.new("RGB", (8, 8)).save(out, format="PNG")
    out.seek(0)
    out.name = "b.png"
    return out


# (name, url args from the world, POST data or None for a GET, the permission it needs)
def pages(w):  # type: ignore[no-untyped-def]
    code = "YX-001"
    return [
        ("list", reverse("stations:list"), None, "view"),
        ("map", reverse("stations:map"), None, "view"),
        ("detail", reverse("stations:detail", args=[code]), None, "view"),
        ("qr", reverse("stations:qr", args=[code]), None, "view"),
        ("poster", reverse("stations:poster", args=[code]), None, "view"),
        ("roster", reverse("stations:roster", args=[code]), None, "view"),
        ("photo", reverse("stations:photo", args=[code, w["photo"].pk]), None, "view"),
        ("new", reverse("stations:new"), None, "manage"),
        ("edit", reverse("stations:edit", args=[code]), None, "manage"),
        ("inspection", reverse("stations:inspection", args=[code]), None, "manage"),
        ("swaps", reverse("stations:swaps"), None, "roster"),
    ]


def posts(w):  # type: ignore[no-untyped-def]
    code = "YX-001"
    return [
        (
            "edit",
            reverse("stations:edit", args=[code]),
            {"name": "改名", "address": "新址", "lat": "30", "lng": "111", "datum": "gcj02", "build_mode": "union"},
            "manage",
        ),
        ("closed_day", reverse("stations:closed_day", args=[code]), {"day": MONDAY.isoformat()}, "manage"),
        (
            "inspection",
            reverse("stations:inspection", args=[code]),
            {"year": date.today().year, "stars": "3"},
            "manage",
        ),
        ("photo_add", reverse("stations:photo_add", args=[code]), {"photo": png}, "manage"),
        ("photo_delete", reverse("stations:photo_delete", args=[code, w["photo"].pk]), {}, "manage"),
        ("group_new", reverse("stations:group_new", args=[code]), {"name": "第二组"}, "roster"),
        ("volunteer", reverse("stations:volunteer_decide", args=[code, w["pending"].pk, "approve"]), {}, "roster"),
        (
            "calendar",
            reverse("stations:calendar", args=[code]),
            {
                "kind": "daily",
                "first": (MONDAY + timedelta(days=7)).isoformat(),
                "last": (MONDAY + timedelta(days=7)).isoformat(),
                "people_per_shift": "1",
            },
            "roster",
        ),
        ("swap", reverse("stations:swap_decide", args=[code, w["swap"].pk, "approve"]), {}, "roster"),
        (
            "close",
            reverse("stations:close", args=[code]),
            {"close-reason": "装修"},
            "manage",
        ),  # last: a closed station takes no roster changes
    ]


CALLERS = {
    "anonymous": None,
    "foreign": ("admin", "621100"),
    "viewer": ("viewer", "520200"),
    "reviewer": ("reviewer", "520200"),
    "officer": ("officer", "520200"),
}
# What each caller gets for a page needing view / manage / roster.
EXPECTED = {
    "anonymous": {"view": 302, "manage": 302, "roster": 302},
    "foreign": {"view": 404, "manage": 404, "roster": 404},
    "viewer": {"view": 200, "manage": 403, "roster": 403},
    "reviewer": {"view": 200, "manage": 403, "roster": 403},
    "officer": {"view": 200, "manage": 200, "roster": 200},
}


def caller(name: str, make_user, login) -> Client:  # type: ignore[no-untyped-def]
    grant = CALLERS[name]
    return Client() if grant is None else login(make_user(name, grant))


@pytest.mark.parametrize("who", list(CALLERS))
def test_pages_answer_each_caller_as_their_grant_allows(world, make_user, login, who) -> None:
    client = caller(who, make_user, login)
    for name, url, _data, perm in pages(world):
        expected = EXPECTED[who][perm]
        if who == "foreign" and name in ("list", "map"):
            expected = 200  # their own (empty) part of the tree
        if who == "foreign" and name in ("new", "swaps"):
            expected = 200  # a form and a list of their own union's stations, naming nothing of 六盘水
        status = client.get(url).status_code
        assert status == expected, (name, who, status)
        if who == "foreign" and status == 200:
            assert "YX-001" not in client.get(url).content.decode(), name


@pytest.mark.parametrize("who", ["anonymous", "foreign", "viewer", "reviewer"])
def test_refused_posts_change_nothing(world, make_user, login, who) -> None:
    client = caller(who, make_user, login)
    before = (
        AuditEvent.all_objects.count(),
        list(Station.all_objects.values_list("name", "is_closed")),
        StationPhoto.all_objects.count(),
    )
    for name, url, data, perm in posts(world):
        payload = {k: (v() if callable(v) else v) for k, v in data.items()}
        status = client.post(url, payload).status_code
        assert status == EXPECTED[who][perm], (name, who, status)
    after = (
        AuditEvent.all_objects.count(),
        list(Station.all_objects.values_list("name", "is_closed")),
        StationPhoto.all_objects.count(),
    )
    assert after == before


def test_the_officer_presses_every_button(world, make_user, login) -> None:
    client = caller("officer", make_user, login)
    before = AuditEvent.all_objects.count()
    for name, url, data, _perm in posts(world):
        payload = {k: (v() if callable(v) else v) for k, v in data.items()}
        response = client.post(url, payload)
        assert response.status_code == 302, (name, response.content.decode()[:2000])
    assert AuditEvent.all_objects.count() - before == len(posts(world))


def test_a_viewer_sees_no_buttons_they_cannot_press(world, make_user, login) -> None:
    client = caller("viewer", make_user, login)
    page = client.get(reverse("stations:detail", args=["YX-001"])).content.decode()
    for testid in ("edit-link", "inspection-link", "close-form", "photo-form", "closed-day-form"):
        assert f'data-testid="{testid}"' not in page, testid
    roster = client.get(reverse("stations:roster", args=["YX-001"])).content.decode()
    assert "swap-approve-" not in roster and "approve-" not in roster and "group-form" not in roster
