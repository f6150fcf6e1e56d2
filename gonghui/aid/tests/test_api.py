"""`/api/v1/aid` over HTTP: a file from application to 建档, the authorization scan, relief, and who may."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from gonghui.aid.models import HardshipFile, ReliefVisit, WelfareRule
from gonghui.aid.tests.test_files import world  # noqa: F401  (the fixture)
from gonghui.core.tests.clients import client
from gonghui.core.tests.documents import image_bytes, pdf_bytes
from gonghui.members.tests.factories import Api, assert_error, id_number

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def files_in_tmp(settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    settings.DATA_DIR = tmp_path / "data"


@pytest.fixture
def apis(world, bearer) -> dict[str, Any]:  # type: ignore[no-untyped-def]  # noqa: F811
    return {who: Api(bearer(user)) for who, user in world["users"].items()} | {"anonymous": Api({})}


def body(w: dict[str, Any], **overrides: Any) -> dict[str, Any]:
    return {
        "member_id": w["worker"].pk,
        "level": "county",
        "region_code": "520201",
        "year": 2026,
        "household_size": 3,
        "worker_monthly_income": "2000.00",
        "causes": ["family_illness"],
        "family": [{"relation": "子", "name": "王小明", "id_number": id_number(601, birth="20080301")}],
        **overrides,
    }


def upload(headers: dict[str, str], file_id: int, name: str, content: bytes):  # type: ignore[no-untyped-def]
    return client(csrf=True).post(
        f"/api/v1/aid/files/{file_id}/authorization", {"scan": SimpleUploadedFile(name, content)}, **headers
    )


def test_a_file_over_http(world, apis, bearer, settings, django_capture_on_commit_callbacks) -> None:  # noqa: F811
    created = apis["officer"].post("/api/v1/aid/files", body(world))
    assert created.status_code == 201, created.content.decode()
    f = created.json()
    assert (f["category"], f["category_label"], f["per_capita_monthly"], f["status"]) == (
        "deep",
        "深度困难",
        "666.66",
        "applied",
    )
    assert f["family"][0]["id_masked"].startswith("520102********") and id_number(601) not in created.content.decode()
    url = f"/api/v1/aid/files/{f['id']}"
    assert apis["unit"].post(f"{url}/approve", {}).json()["status"] == "unit_approved"
    assert_error(apis["higher"].post(f"{url}/approve", {}), 400, "aid.authorization_required")
    officer = bearer(world["users"]["officer"])
    refused = upload(officer, f["id"], "auth.gif", b"GIF89a not a pdf")
    assert_error(refused, 400, "aid.scan_invalid", "请上传 10 MB 以内的 PDF、JPG 或 PNG 扫描件")
    refused = upload(officer, f["id"], "auth.pdf", b"GIF89a not a pdf")
    assert_error(refused, 400, "aid.scan_unreadable", "授权委托书扫描件无法读取：文件不是完整的 PDF，请重新扫描后上传")
    assert not list((Path(settings.DATA_DIR) / "aid" / "authorizations").glob("*"))
    assert upload(officer, f["id"], "auth.pdf", pdf_bytes()).json()["authorized"] is True
    folder = Path(settings.DATA_DIR) / "aid" / "authorizations"
    first = [p.name for p in folder.glob("*")]
    assert len(first) == 1 and first[0].endswith(".pdf")
    # A new scan replaces the old one on disk as well as on the file: one scan, the new one.
    with django_capture_on_commit_callbacks(execute=True):
        assert upload(officer, f["id"], "auth.jpg", image_bytes("JPEG")).json()["authorized"] is True
    second = [p.name for p in folder.glob("*")]
    assert len(second) == 1 and second[0].endswith(".jpg")
    assert apis["higher"].post(f"{url}/approve", {}).json()["status"] == "higher_approved"
    assert apis["center"].post(f"{url}/approve", {}).json()["status"] == "filed"
    assert apis["center"].post(f"{url}/close", {"reason": "脱困"}).json()["status"] == "closed"
    listed = (
        apis["viewer_like"].get("/api/v1/aid/files")
        if "viewer_like" in apis
        else apis["higher"].get("/api/v1/aid/files")
    )
    assert [x["id"] for x in listed.json()["items"]] == [f["id"]]


def test_outsiders_and_refusals(world, apis) -> None:  # noqa: F811
    assert apis["anonymous"].get("/api/v1/aid/files").status_code == 401
    assert_error(apis["foreign"].post("/api/v1/aid/files", body(world)), 404, "not_found")
    f = apis["officer"].post("/api/v1/aid/files", body(world)).json()
    assert_error(apis["foreign"].get(f"/api/v1/aid/files/{f['id']}"), 404, "not_found")
    assert apis["foreign"].get("/api/v1/aid/files").json()["items"] == []
    assert_error(apis["officer"].post("/api/v1/aid/files", body(world)), 409, "aid.household_on_file")
    assert_error(
        apis["unit"].post(f"/api/v1/aid/files/{f['id']}/reject", {"note": ""}), 400, "aid.decision_note_required"
    )
    bad = apis["officer"].post("/api/v1/aid/files", body(world, worker_monthly_income="两千"))
    out = assert_error(bad, 400, "aid.amount_invalid", "金额须为正数，最多两位小数。")
    assert out["details"] == {"worker_monthly_income": "金额须为正数，最多两位小数。"}
    assert HardshipFile.all_objects.count() == 1


def test_relief_over_http(world, apis) -> None:  # noqa: F811
    WelfareRule.objects.create(region_code="520000", event="spring_festival", cap_fen=500_00)
    visit = {"member_id": world["worker"].pk, "event": "spring_festival", "visited_on": "2026-02-10", "cash": "300"}
    assert apis["officer"].post("/api/v1/aid/relief-visits", visit).status_code == 201
    over = apis["officer"].post("/api/v1/aid/relief-visits", visit)
    assert_error(over, 400, "aid.relief_over_cap")
    assert [v["cash"] for v in apis["officer"].get("/api/v1/aid/relief-visits").json()] == ["300.00"]
    assert_error(apis["foreign"].post("/api/v1/aid/relief-visits", visit), 404, "not_found")
    assert ReliefVisit.all_objects.count() == 1
