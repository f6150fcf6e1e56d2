"""Lecture tours (劳模工匠宣讲): recorded and corrected by the hosting union, the speaker a 劳模 or 工匠 on the
register; the list with filters and totals, its Excel export, the speaker's history, the API, the statistics."""

from __future__ import annotations

import io
import json
from datetime import date

import openpyxl
import pytest
from django.test import Client

from gonghui.core.errors import DomainError
from gonghui.core.models import AuditEvent
from gonghui.core.scoping import unscoped
from gonghui.core.stats import stats_collect
from gonghui.core.tests.clients import client as new_client
from gonghui.honors.lectures import LectureIn, lecture_record, lecture_update
from gonghui.honors.models import CampaignKind, Lecture
from gonghui.honors.services import HonorIn, honor_record
from gonghui.honors.tests.conftest import HonorWorld

pytestmark = pytest.mark.django_db


@pytest.fixture
def speakers(hw: HonorWorld) -> HonorWorld:
    """陈 holds a 五一劳动奖章, 周 a 劳动模范; 吴 only a 最美劳动者 (not a 劳模 or 工匠)."""
    for ms, kind, title in (
        (hw.members[0], CampaignKind.MAY_DAY_MEDAL, "贵州省五一劳动奖章"),
        (hw.members[1], CampaignKind.MODEL_WORKER, "六盘水市劳动模范"),
        (hw.members[2], CampaignKind.MOST_BEAUTIFUL, "六盘水市最美劳动者"),
    ):
        honor_record(**hw.as_("city_officer"), membership=ms, honor=HonorIn(kind, title, "省级", "贵州省总工会", 2024))
    return hw


def login(hw: HonorWorld, who: str) -> Client:
    c = new_client()
    c.force_login(hw.users[who])
    return c


def record(hw: HonorWorld, i: int, day: date, audience: int, org: str = "zhongshan") -> Lecture:
    return lecture_record(
        **hw.as_("city_officer"), org=getattr(hw.tree, org), speaker_id=hw.members[i].person_id,
        facts=LectureIn(day, "钟山区快递服务中心", audience, topic="匠心筑梦", host="顺丰速运钟山营业部"),
    )  # fmt: skip


def test_only_a_model_worker_speaks_and_the_union_in_scope_records(speakers: HonorWorld) -> None:
    hw = speakers
    with pytest.raises(DomainError) as not_model:
        record(hw, 2, date(2026, 3, 1), 50)
    assert not_model.value.code == "honors.lecture_not_model_worker"
    with pytest.raises(DomainError) as foreign:
        lecture_record(**hw.as_("foreign"), org=hw.tree.zhongshan, speaker_id=hw.members[0].person_id,
                       facts=LectureIn(date(2026, 3, 1), "x", 10))  # fmt: skip
    assert foreign.value.code == "permission_denied"
    lecture = record(hw, 0, date(2026, 3, 1), 120)
    lecture = lecture_update(
        **hw.as_("city_officer"), lecture=lecture, org=hw.tree.courier_union,
        facts=LectureIn(date(2026, 3, 2), "快递员之家", 150, topic="安全配送"),
    )  # fmt: skip
    assert (lecture.org_id, lecture.audience, lecture.place, lecture.speaker_name) == (
        hw.tree.courier_union.pk, 150, "快递员之家", "陈师傅",
    )  # fmt: skip
    with unscoped():
        update = AuditEvent.objects.get(action="honors.lecture_update")
    assert update.data["before"]["audience"] == 120 and update.data["after"]["audience"] == 150
    figures = stats_collect([hw.tree.lps.path])
    assert (figures["lectures"], figures["lecture_audience"]) == (1, 150)
    assert stats_collect([hw.tree.nanming.path])["lectures"] == 0


def test_the_pages_record_filter_export_and_the_speakers_history(speakers: HonorWorld) -> None:
    hw = speakers
    officer = login(hw, "city_officer")
    # Every error at once, what was typed kept.
    bad = officer.post(
        "/honors/lectures/new/",
        {"speaker": "不存在", "org_code": "520200", "held_on": "2026-13-01", "place": "", "audience": "-3"},
    ).content.decode()
    for field in ("held_on", "place", "audience"):
        assert f'data-testid="error-{field}"' in bad, field
    assert 'value="不存在"' in bad
    not_model = officer.post(
        "/honors/lectures/new/",
        {"speaker": hw.members[2].person.member_no, "org_code": "520201", "held_on": "2026-03-01",
         "place": "钟山区", "audience": "30"},
    ).content.decode()  # fmt: skip
    assert "须是荣誉登记中的劳模或工匠" in not_model
    made = officer.post(
        "/honors/lectures/new/",
        {"speaker": hw.members[0].person.member_no, "org_code": "钟山区总工会", "host": "顺丰速运",
         "held_on": "2026-03-01", "place": "钟山区快递服务中心", "topic": "匠心", "audience": "120"},
    )  # fmt: skip
    assert made.status_code == 302
    record(hw, 0, date(2025, 11, 5), 80, org="lps")
    record(hw, 1, date(2026, 4, 9), 200)

    listing = officer.get("/honors/lectures/").content.decode()
    assert "共 <strong>3</strong> 场，听众 <strong>400</strong> 人次" in listing
    by_year = officer.get("/honors/lectures/", {"year": "2026", "speaker": "陈"}).content.decode()
    assert "共 <strong>1</strong> 场，听众 <strong>120</strong> 人次" in by_year and "顺丰速运" in by_year
    by_org = officer.get("/honors/lectures/", {"org": "520201", "since": "2026-04-01"}).content.decode()
    assert "共 <strong>1</strong> 场，听众 <strong>200</strong> 人次" in by_org

    export = officer.get("/honors/lectures/export/", {"year": "2026"})
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = openpyxl.load_workbook(io.BytesIO(export.content)).active
    rows = list(sheet.iter_rows(values_only=True))  # type: ignore[union-attr]
    assert rows[0][:2] == ("日期", "宣讲人") and sorted(r[1] for r in rows[1:]) == ["周师傅", "陈师傅"]
    with unscoped():
        assert AuditEvent.objects.get(action="honors.lectures_export").data["rows"] == 2

    speaker = hw.members[0].person_id
    history = officer.get(f"/honors/speakers/{speaker}/").content.decode()
    assert "共宣讲 <strong>2</strong> 场，听众 <strong>200</strong> 人次" in history
    assert "2026年 1 场 120 人次" in history and "贵州省五一劳动奖章" in history
    with unscoped():
        lecture = Lecture.all_objects.get(speaker_id=speaker, held_on=date(2026, 3, 1))
    edited = officer.post(
        f"/honors/lectures/{lecture.pk}/edit/",
        {"org_code": "520201", "held_on": "2026-03-01", "place": "钟山区快递服务中心", "audience": "130"},
    )
    assert edited.status_code == 302 and edited["Location"] == f"/honors/speakers/{speaker}/"
    lecture.refresh_from_db()
    assert lecture.audience == 130

    # Outside the scope: the speaker, the lecture and its edit page are not found; a viewer may not record.
    foreign = login(hw, "foreign")
    assert foreign.get(f"/honors/speakers/{speaker}/").status_code == 404
    assert foreign.get(f"/honors/lectures/{lecture.pk}/edit/").status_code == 404
    assert "共 <strong>0</strong> 场" in foreign.get("/honors/lectures/").content.decode()
    viewer = login(hw, "viewer")
    assert viewer.get("/honors/lectures/new/").status_code == 403
    assert viewer.get(f"/honors/lectures/{lecture.pk}/edit/").status_code == 403
    assert new_client().get("/honors/lectures/").status_code == 302


def test_the_api(speakers: HonorWorld) -> None:
    hw = speakers
    officer = login(hw, "city_officer")
    body = {"speaker": hw.members[1].person.member_no, "org_code": "520201", "held_on": "2026-05-01",
            "place": "六盘水职业学院", "audience": 300, "topic": "工匠精神", "host": "六盘水职业学院"}  # fmt: skip
    made = officer.post("/api/v1/honors/lectures", json.dumps(body), content_type="application/json")
    assert made.status_code == 201, made.content
    lecture_id = made.json()["id"]
    assert made.json()["speaker_name"] == "周师傅" and made.json()["org_code"] == "520201"
    refused = officer.post(
        "/api/v1/honors/lectures",
        json.dumps({**body, "speaker": hw.members[2].person.member_no}),
        content_type="application/json",
    )
    assert refused.status_code == 400 and refused.json()["code"] == "honors.lecture_not_model_worker"
    listed = officer.get("/api/v1/honors/lectures", {"year": 2026, "org_code": "520201"}).json()
    assert (listed["count"], listed["lectures"], listed["audience"]) == (1, 1, 300)
    put = officer.put(
        f"/api/v1/honors/lectures/{lecture_id}",
        json.dumps({**body, "audience": 320}),
        content_type="application/json",
    )
    assert put.status_code == 200 and put.json()["audience"] == 320
    speaker = officer.get(f"/api/v1/honors/speakers/{hw.members[1].person_id}").json()
    assert (speaker["total_lectures"], speaker["total_audience"]) == (1, 320)
    assert [h["title"] for h in speaker["honors"]] == ["六盘水市劳动模范"]

    foreign = login(hw, "foreign")
    assert foreign.get(f"/api/v1/honors/lectures/{lecture_id}").status_code == 404
    assert foreign.get(f"/api/v1/honors/speakers/{hw.members[1].person_id}").status_code == 404
    assert (
        foreign.put(
            f"/api/v1/honors/lectures/{lecture_id}", json.dumps(body), content_type="application/json"
        ).status_code
        == 404
    )
