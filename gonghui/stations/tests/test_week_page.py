"""The manager's week at a glance and its Excel export, through real HTTP."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from gonghui.accounts.models import Role
from gonghui.core.models import AuditEvent
from gonghui.core.scoping import unscoped
from gonghui.members.models import Membership
from gonghui.members.permissions import MemberPerm
from gonghui.stations.models import DutyIncident
from gonghui.stations.services import checkin, incident_report, log_write, supply_record, visit_record
from gonghui.stations.tests.test_duty import MONDAY, at, on_duty, setup, shift_on, station  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db


@pytest.mark.django_db(transaction=True)  # as a server runs it: no test transaction around the export's audit
def test_the_week_shows_each_shift_with_check_ins_logs_and_missed_duties(station, setup, make_user, login) -> None:  # noqa: F811
    shift = shift_on(station, MONDAY)
    rider = on_duty(setup, shift)
    checkin(actor=None, person=rider, station=station, at=at(MONDAY, 8, 40))
    log_write(actor=None, shift=shift, visitors=20, handover="冰箱门关不严")
    supply_record(actor=None, shift=shift, item="矿泉水", used=24, restocked=48)
    incident_report(actor=None, shift=shift, kind="中暑", description="骑手中暑，已送医")
    visit_record(station=station, device_token="a", at=at(MONDAY, 12))
    officer = login(make_user("officer", ("officer", "520200")))
    page = officer.get(f"/stations/{station.code}/week/", {"monday": (MONDAY + timedelta(days=3)).isoformat()})
    assert page.status_code == 200
    html = page.content.decode()
    assert html.count('data-testid="shift-') == 7
    assert "冰箱门关不严" in html and "饮用水（瓶） 24" in html and "迟到" in html
    assert page.context["totals"] == {"shifts": 7, "missed": 6, "late": 1, "visitors": 21}
    assert "骑手中暑" in html and "办结" in html

    export = officer.get(f"/stations/{station.code}/week.xlsx", {"monday": MONDAY.isoformat()})
    assert export.status_code == 200
    assert "attachment" in export["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(export.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "日期" and len(rows) == 8
    monday_row = dict(zip(rows[0], rows[1], strict=True))
    assert monday_row["状态"] == "已签到" and monday_row["迟到"] == "是"
    assert monday_row["扫码到访（人次）"] == 1 and monday_row["手工登记（人次）"] == 20
    assert monday_row["值班人"] == shift.group.name
    assert [dict(zip(rows[0], r, strict=True))["状态"] for r in rows[2:]] == ["漏岗"] * 6
    with unscoped():
        event = AuditEvent.objects.get(action="stations.week_export")
    assert event.data["shifts"] == 7


def test_staff_resolve_an_incident_and_others_cannot(station, setup, make_user, login) -> None:  # noqa: F811
    shift = shift_on(station, MONDAY)
    incident = incident_report(actor=None, shift=shift, kind="设备损坏", description="空调不制冷")
    url = f"/stations/{station.code}/incidents/{incident.pk}/resolve/"
    viewer = login(make_user("viewer", ("viewer", "520200")))
    assert viewer.post(url, {"follow_up": "已修"}).status_code == 403
    foreign = login(make_user("foreign", ("officer", "520100")))
    assert foreign.post(url, {"follow_up": "已修"}).status_code == 404
    officer = login(make_user("officer", ("officer", "520200")))
    blank = officer.post(url, {"follow_up": " ", "monday": MONDAY.isoformat()}, follow=True)
    assert "请填写后续处理情况" in blank.content.decode()
    done = officer.post(url, {"follow_up": "已联系维修", "monday": MONDAY.isoformat()})
    assert done.status_code == 302 and done["Location"].endswith(f"?monday={MONDAY.isoformat()}")
    with unscoped():
        assert DutyIncident.objects.get(pk=incident.pk).follow_up == "已联系维修"
    # Resolved: no longer offered, a second post is not found.
    assert officer.post(url, {"follow_up": "again"}).status_code == 404


def test_a_foreign_station_is_not_found_and_a_bad_week_falls_back(station, make_user, login) -> None:  # noqa: F811
    foreign = login(make_user("foreign", ("officer", "520100")))
    assert foreign.get(f"/stations/{station.code}/week/").status_code == 404
    assert foreign.get(f"/stations/{station.code}/week.xlsx").status_code == 404
    assert foreign.get("/stations/NOPE/week/").status_code == 404
    officer = login(make_user("officer", ("officer", "520200")))
    page = officer.get(f"/stations/{station.code}/week/", {"monday": "9999-99-99"})
    assert page.status_code == 200 and page.context["rows"] == []
    today = timezone.localdate()
    assert page.context["monday"] == today - timedelta(days=today.weekday())  # this week, not an error


def test_the_members_page_shows_their_volunteer_service(station, setup, make_user, login) -> None:  # noqa: F811
    shift = shift_on(station, MONDAY)
    rider = on_duty(setup, shift)
    checkin(actor=None, person=rider, station=station, at=at(MONDAY, 8, 40))
    with unscoped():
        ms = Membership.objects.get(person=rider)
    officer = login(make_user("officer", ("officer", "520200")))
    html = officer.get(f"/members/{ms.pk}/").content.decode()
    assert 'data-testid="member-volunteer"' in html
    assert station.name in html and "（组长）" in html and "近一年签到值班 1 次，其中迟到 1 次" in html
    # Without the stations right (a custom role may lack it), the panel is not there.
    Role.objects.create(name="会员管理员", permissions=[MemberPerm.VIEW])
    members_only = login(make_user("clerk", ("会员管理员", "520200")))
    other = members_only.get(f"/members/{ms.pk}/").content.decode()
    assert 'data-testid="member-volunteer"' not in other
