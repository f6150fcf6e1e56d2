"""The yearly inspection (六有, stars, 最美驿站) and the station's photos, through the pages and services."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from gonghui.core.errors import DomainError, PermissionDeniedError
from gonghui.core.models import AuditEvent
from gonghui.core.scoping import unscoped
from gonghui.stations.models import StationInspection, StationPhoto
from gonghui.stations.photos import photo_folder
from gonghui.stations.services import inspection_record
from gonghui.stations.tests.factories import make_station

pytestmark = pytest.mark.django_db
YEAR = timezone.localdate().year
SIX = ("has_sign", "has_layout", "has_facilities", "has_functions", "has_rules", "has_map")


@pytest.fixture(autouse=True)
def data_dir(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.DATA_DIR = tmp_path
    return tmp_path


@pytest.fixture
def station(tree):  # type: ignore[no-untyped-def]
    return make_station(tree.zhongshan, "YX-001", name="夷新驿站")


@pytest.fixture
def officer(make_user, login):  # type: ignore[no-untyped-def]
    return login(make_user("officer", ("officer", "520200")))


@pytest.fixture
def viewer(make_user, login):  # type: ignore[no-untyped-def]
    return login(make_user("viewer", ("viewer", "520200")))


@pytest.fixture
def foreign(make_user, login):  # type: ignore[no-untyped-def]
    return login(make_user("foreign", ("admin", "621100")))


def png(size: tuple[int, int] = (40, 30)) -> io.BytesIO:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, format="PNG")
    out.seek(0)
    out.name = "front.png"
    return out


# --- inspections ----------------------------------------------------------------------------------


def test_recording_an_inspection_shows_it_on_the_station_page(tree, station, officer) -> None:
    url = reverse("stations:inspection", args=["YX-001"])
    form = officer.get(url).content.decode()
    for label in ("统一标识名称", "合理布局", "健全设施", "完善功能", "规范制度", "地图查询"):
        assert label in form
    data = {"year": YEAR, "stars": "5", "is_best": "on", "notes": "整洁明亮"} | {f: "on" for f in SIX[:5]}
    assert officer.post(url, data).status_code == 302
    inspection = StationInspection.all_objects.get(station=station, year=YEAR)
    assert inspection.six_count == 5 and not inspection.has_map
    assert inspection.stars == 5 and inspection.is_best and inspection.inspector is not None
    page = officer.get(reverse("stations:detail", args=["YX-001"])).content.decode()
    assert f"{YEAR} 最美驿站" in page and "5/6" in page and "★★★★★" in page and "整洁明亮" in page
    event = AuditEvent.all_objects.get(action="stations.inspection_record")
    assert event.data["stars"] == 5 and event.data["six"] == 5 and event.data["replaced"] is False


def test_the_form_starts_from_what_the_station_record_shows(tree, station, officer) -> None:
    form = officer.get(reverse("stations:inspection", args=["YX-001"])).context["form"]
    # The factory's station has three of the five base facilities and no map listing.
    assert form.initial == {"year": YEAR, "has_map": False, "has_facilities": False}
    full = make_station(
        tree.zhongshan, "YX-009", facilities=["桌椅", "饮水", "微波炉", "药箱", "空调"], map_published=["amap"]
    )
    form = officer.get(reverse("stations:inspection", args=[full.code])).context["form"]
    assert form.initial == {"year": YEAR, "has_map": True, "has_facilities": True}


def test_a_second_inspection_the_same_year_replaces_the_first(tree, station, officer) -> None:
    url = reverse("stations:inspection", args=["YX-001"])
    officer.post(url, {"year": YEAR, "stars": "3"})
    officer.post(url, {"year": YEAR, "stars": "4", "has_map": "on"})
    officer.post(url, {"year": YEAR - 1, "stars": "2"})
    rows = list(StationInspection.all_objects.filter(station=station).values_list("year", "stars", "has_map"))
    assert sorted(rows) == [(YEAR - 1, 2, False), (YEAR, 4, True)]
    assert AuditEvent.all_objects.filter(action="stations.inspection_record").count() == 3


def test_an_inspection_without_stars_or_in_a_wrong_year_is_refused_on_its_fields(tree, station, officer) -> None:
    response = officer.post(reverse("stations:inspection", args=["YX-001"]), {"year": "1999", "notes": "无"})
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="error-stars"' in html and 'data-testid="error-year"' in html
    assert "无</textarea>" in html
    assert not StationInspection.all_objects.exists()


def test_the_service_checks_stars_year_and_scope(tree, station, make_user) -> None:
    from gonghui.accounts.scope import scope_for_user

    with pytest.raises(DomainError) as stars:
        inspection_record(actor=None, scope=None, station=station, year=YEAR, checks={}, stars=6)
    assert stars.value.code == "station.inspection_stars"
    with pytest.raises(DomainError) as year:
        inspection_record(actor=None, scope=None, station=station, year=YEAR + 2, checks={}, stars=3)
    assert year.value.code == "station.inspection_year"
    viewer = make_user("v", ("viewer", "520200"))
    with pytest.raises(PermissionDeniedError):
        inspection_record(actor=viewer, scope=scope_for_user(viewer), station=station, year=YEAR, checks={}, stars=3)
    assert not StationInspection.all_objects.exists()


def test_only_managers_in_scope_record_inspections(tree, station, viewer, foreign) -> None:
    url = reverse("stations:inspection", args=["YX-001"])
    assert viewer.get(url).status_code == 403
    assert viewer.post(url, {"year": YEAR, "stars": "3"}).status_code == 403
    assert foreign.post(url, {"year": YEAR, "stars": "3"}).status_code == 404
    assert not StationInspection.all_objects.exists()


# --- photos ---------------------------------------------------------------------------------------


def test_a_photo_is_checked_stored_shown_and_deleted(
    tree, station, officer, foreign, data_dir, django_capture_on_commit_callbacks
) -> None:
    response = officer.post(reverse("stations:photo_add", args=["YX-001"]), {"photo": png(), "caption": "门头"})
    assert response.status_code == 302
    photo = StationPhoto.all_objects.get(station=station)
    assert photo.caption == "门头"
    stored = photo_folder() / photo.stored_name
    assert stored.exists() and str(stored).startswith(str(data_dir))
    page = officer.get(reverse("stations:detail", args=["YX-001"])).content.decode()
    src = reverse("stations:photo", args=["YX-001", photo.pk])
    assert src in page and "门头" in page
    served = officer.get(src)
    assert served.status_code == 200 and served["Content-Type"] == "image/png"
    assert b"".join(served.streaming_content) == stored.read_bytes()
    assert foreign.get(src).status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        assert officer.post(reverse("stations:photo_delete", args=["YX-001", photo.pk])).status_code == 302
    assert not StationPhoto.all_objects.exists()
    assert not stored.exists()  # removed once the deletion was committed
    actions = AuditEvent.all_objects.filter(action__startswith="stations.photo").values_list("action", flat=True)
    assert sorted(actions) == ["stations.photo_add", "stations.photo_remove"]


def test_a_file_that_is_not_an_image_is_refused_and_nothing_is_kept(tree, station, officer, data_dir) -> None:
    fake = io.BytesIO(b"\x89PNG\r\n\x1a\n<html>not an image</html>")
    fake.name = "front.png"
    response = officer.post(reverse("stations:photo_add", args=["YX-001"]), {"photo": fake, "caption": "假图"})
    html = response.content.decode()
    assert response.status_code == 200 and 'data-testid="error-photo"' in html and "照片无法读取" in html
    pdf = io.BytesIO(b"%PDF-1.4")
    pdf.name = "scan.pdf"
    html = officer.post(reverse("stations:photo_add", args=["YX-001"]), {"photo": pdf}).content.decode()
    assert "JPG 或 PNG" in html
    assert not StationPhoto.all_objects.exists()
    folder = photo_folder()
    assert not folder.exists() or list(folder.iterdir()) == []


def test_a_photo_too_large_is_refused(tree, station, officer, monkeypatch) -> None:
    from gonghui.stations import photos

    monkeypatch.setattr(photos, "PHOTO_MAX_BYTES", 100)
    response = officer.post(reverse("stations:photo_add", args=["YX-001"]), {"photo": png((200, 200))})
    assert 'data-testid="error-photo"' in response.content.decode()
    assert not StationPhoto.all_objects.exists()


def test_only_managers_upload_and_delete_photos(tree, station, officer, viewer, foreign) -> None:
    assert viewer.post(reverse("stations:photo_add", args=["YX-001"]), {"photo": png()}).status_code == 403
    assert foreign.post(reverse("stations:photo_add", args=["YX-001"]), {"photo": png()}).status_code == 404
    assert not StationPhoto.all_objects.exists()
    officer.post(reverse("stations:photo_add", args=["YX-001"]), {"photo": png()})
    photo = StationPhoto.all_objects.get()
    assert viewer.post(reverse("stations:photo_delete", args=["YX-001", photo.pk])).status_code == 403
    assert viewer.get(reverse("stations:photo", args=["YX-001", photo.pk])).status_code == 200
    other = make_station(tree.zhongshan, "YX-002")
    # A photo reached through another station's address is not found.
    assert officer.get(reverse("stations:photo", args=[other.code, photo.pk])).status_code == 404
    with unscoped():
        assert StationPhoto.objects.count() == 1
