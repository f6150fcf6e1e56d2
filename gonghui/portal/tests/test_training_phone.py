"""The phone's training pages through real HTTP: open classes, a villager's enrolment (kept as typed when
refused, never saying whose an ID is), "my classes", the staff's QR page and the check-in it opens,
certificates as PDF, and scope of the staff pages."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from gonghui.conftest import PASSWORD
from gonghui.core.scoping import unscoped
from gonghui.core.tests.clients import client as new_client
from gonghui.members.tests.factories import id_number
from gonghui.portal.services import member_account_create
from gonghui.skills import training
from gonghui.skills.models import Attendance, ClassSession, Enrolment, EnrolmentStatus, TrainingClass
from gonghui.skills.tests.factories import member

pytestmark = pytest.mark.django_db

VILLAGER_ID = id_number(31, area="222426", birth="19780512")


def running_class(org, capacity: int = 2) -> TrainingClass:  # type: ignore[no-untyped-def]
    today = timezone.localdate()
    return training.class_create(
        actor=None, scope=None, org=org, name="边境村民直播电商班", teacher="金工匠", teacher_title="吉林工匠",
        capacity=capacity, starts_on=today - timedelta(days=1), ends_on=today + timedelta(days=1),
    )  # fmt: skip


def qr_url(staff, c: TrainingClass) -> str:  # type: ignore[no-untyped-def]
    today = ClassSession.objects.get(training_class=c, held_on=timezone.localdate())
    page = staff.get(f"/skills/classes/{c.pk}/sessions/{today.pk}/qr/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "<svg" in html and 'data-testid="session-qr"' in html
    found = re.search(r'data-testid="checkin-url">([^<]+)<', html)
    assert found is not None
    return found.group(1).replace("http://testserver", "")


def test_a_villager_enrols_on_the_phone_sees_the_class_and_checks_in_by_qr(tree, make_user, login) -> None:  # type: ignore[no-untyped-def]
    c = running_class(tree.dingxi, capacity=1)
    phone = new_client()
    listing = phone.get("/m/training/").content.decode()
    assert "边境村民直播电商班" in listing and "剩余名额 1 / 1" in listing
    # Refused: every error at once, and what was typed stays.
    bad = phone.post(
        f"/m/training/{c.pk}/", {"name": "", "mobile": "123", "id_number": "12345", "income_before": "2万"}
    )
    html = bad.content.decode()
    for field in ("name", "mobile", "id_number"):
        assert f'data-testid="error-{field}"' in html, field
    assert 'value="123"' in html and 'value="12345"' in html
    with unscoped():
        assert not Enrolment.objects.exists()
    ok = phone.post(
        f"/m/training/{c.pk}/",
        {"name": "金顺姬", "mobile": "13943300001", "id_number": VILLAGER_ID, "income_before": "18000"},
    )
    assert ok.status_code == 302 and ok["Location"] == "/m/training/"
    with unscoped():
        e = Enrolment.objects.get()
    assert (e.name, e.status, e.income_before_fen, e.membership_id) == ("金顺姬", "enrolled", 1_800_000, None)
    mine = phone.get("/m/training/").content.decode()
    assert 'data-testid="my-class"' in mine and "已签到 0 / 3 次课" in mine and VILLAGER_ID not in mine
    # The same ID again from another phone: refused without naming whoever enrolled with it.
    again = new_client().post(
        f"/m/training/{c.pk}/", {"name": "别人", "mobile": "13943300002", "id_number": VILLAGER_ID}
    )
    assert "这个身份证号码已经报名了本培训班" in again.content.decode() and "金顺姬" not in again.content.decode()
    # The class is now full: the next villager waits.
    new_client().post(
        f"/m/training/{c.pk}/",
        {"name": "朴大爷", "mobile": "13943300003", "id_number": id_number(32, area="222426")},
    )
    with unscoped():
        assert Enrolment.objects.get(name="朴大爷").status == EnrolmentStatus.WAITING

    # The officer shows today's QR code; the phone that enrolled opens it and checks in once.
    staff = login(make_user("dx_officer", ("officer", "621100")))
    url = qr_url(staff, c)
    assert url.startswith("/m/training/checkin/")
    page = phone.get(url).content.decode()
    assert "边境村民直播电商班" in page and 'name="id_number"' not in page  # the phone is known
    done = phone.post(url + "go/")
    assert done.status_code == 302
    after = phone.get("/m/training/").content.decode()
    assert "签到成功" in after and "已签到 1 / 3 次课" in after  # counted once, not once per session
    twice = phone.post(url + "go/", follow=True).content.decode()
    assert "已经签到过了" in twice
    assert Attendance.objects.filter(enrolment=e).count() == 1
    # Another phone: the ID number it enrolled with; the waiting trainee cannot check in.
    other = new_client()
    assert 'name="id_number"' in other.get(url).content.decode()
    refused = other.post(url + "go/", {"id_number": id_number(32, area="222426")}, follow=True).content.decode()
    assert "候补" in refused and "不能签到" in refused
    # A forged code is not found.
    assert phone.get(url.replace(":", ":x")).status_code == 404


def test_a_member_enrols_from_their_account_and_is_known_at_check_in(tree) -> None:  # type: ignore[no-untyped-def]
    c = running_class(tree.dingxi)
    ms = member(tree.dingxi, 41, mobile="13800000741")
    account = member_account_create(actor=None, person=ms.person, username="13800000741", password=PASSWORD)
    phone = new_client()
    phone.force_login(account.user)
    form = phone.get(f"/m/training/{c.pk}/").content.decode()
    assert 'name="id_number"' not in form and "以会员身份报名" in form
    assert phone.post(f"/m/training/{c.pk}/", {"mobile": "", "income_before": ""}).status_code == 302
    with unscoped():
        e = Enrolment.objects.get()
    assert e.membership_id == ms.pk and e.mobile == "13800000741"
    code = training.session_code(ClassSession.objects.get(training_class=c, held_on=timezone.localdate()))
    assert phone.post(f"/m/training/checkin/{code}/go/").status_code == 302
    assert Attendance.objects.filter(enrolment=e).count() == 1
    home = phone.get("/m/").content.decode()
    assert 'data-testid="link-training"' in home


def test_staff_pages_are_scoped_and_certificates_come_as_pdf(tree, make_user, login) -> None:  # type: ignore[no-untyped-def]
    c = running_class(tree.dingxi, capacity=3)
    e = training.enrolment_self(
        actor=None, training_class=c, id_number=VILLAGER_ID, name="金顺姬", mobile="13943300001"
    )
    for s in ClassSession.objects.filter(training_class=c):
        training.attendance_record(actor=None, scope=None, session=s, enrolments=[e])
    training.class_complete(actor=None, scope=None, training_class=c)
    session = ClassSession.objects.filter(training_class=c).first()
    assert session is not None
    gz = login(make_user("gz", ("officer", "520000")))
    assert gz.get(f"/skills/classes/{c.pk}/sessions/{session.pk}/qr/").status_code == 404
    assert gz.post(f"/skills/classes/{c.pk}/certificates/").status_code == 404
    staff = login(make_user("dx_officer", ("officer", "621100")))
    page = staff.get(f"/skills/classes/{c.pk}/").content.decode()
    assert 'data-testid="certificates"' in page and f'data-testid="certificate-{e.pk}"' in page
    resp = staff.post(f"/skills/classes/{c.pk}/certificates/", {"enrolment": [str(e.pk)]})
    assert resp.status_code == 302 and resp["Location"].startswith("/notices/certificates/pdf/?id=")
    pdf = staff.get(resp["Location"])
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf" and pdf.content[:4] == b"%PDF"


def test_a_member_signs_up_for_an_activity_and_checks_in_by_its_qr_code(tree, make_user, login) -> None:  # type: ignore[no-untyped-def]
    from gonghui.core.stats import stats_collect
    from gonghui.skills import innovation

    today = timezone.localdate()
    coming = innovation.activity_create(
        actor=None, scope=None, org=tree.dingxi, name="职工篮球赛", kind="sports", held_on=today + timedelta(days=3)
    )
    now = innovation.activity_create(
        actor=None, scope=None, org=tree.dingxi, name="劳模工匠进乡村宣讲", kind="lecture", held_on=today
    )
    elsewhere = innovation.activity_create(
        actor=None, scope=None, org=tree.province, name="贵州职工运动会", kind="sports", held_on=today
    )
    ms = member(tree.dingxi, 42, mobile="13800000742")
    account = member_account_create(actor=None, person=ms.person, username="13800000742", password=PASSWORD)
    phone = new_client()
    phone.force_login(account.user)
    listing = phone.get("/m/activities/").content.decode()
    assert "职工篮球赛" in listing and "劳模工匠进乡村宣讲" in listing and "贵州职工运动会" not in listing
    assert phone.post(f"/m/activities/{coming.pk}/signup/").status_code == 302
    assert "已报名，活动当天扫码签到" in phone.get("/m/activities/").content.decode()
    again = phone.post(f"/m/activities/{coming.pk}/signup/", follow=True).content.decode()
    assert "已报名：" not in again
    # The officer's QR page prints the URL its code encodes; on the day the member checks in once.
    staff = login(make_user("dx_officer", ("officer", "621100")))
    html = staff.get(f"/skills/activities/{now.pk}/qr/").content.decode()
    assert "<svg" in html
    found = re.search(r'data-testid="checkin-url">([^<]+)<', html)
    assert found is not None
    url = found.group(1).replace("http://testserver", "")
    assert "您还没有报名" in phone.get(url).content.decode()
    assert phone.post(url).status_code == 302
    assert 'data-testid="activity-done"' in phone.get(url).content.decode()
    phone.post(url)
    # The coming activity's code is not good today.
    early = phone.post(f"/m/a/{coming.checkin_code}/", follow=True).content.decode()
    assert "不是今天的活动" in early and "签到成功：职工篮球赛" not in early
    figures = stats_collect([tree.dingxi.path])
    assert (figures["activities"], figures["activity_participations"]) == (2, 1)
    # Another union's activity QR page is not found; anonymous phones are sent to log in.
    assert staff.get(f"/skills/activities/{elsewhere.pk}/qr/").status_code == 404
    assert new_client().get(url).status_code == 302
