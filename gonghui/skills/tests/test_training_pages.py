"""Training pages through real HTTP: open a class, enrol a villager and a member, the waiting list, attendance,
completion, incomes a year on, plans; scope (404) and refused forms that keep what was typed."""

from __future__ import annotations

from datetime import date

import pytest

from gonghui.core.scoping import unscoped
from gonghui.members.tests.factories import id_number
from gonghui.skills import training
from gonghui.skills.models import Enrolment, EnrolmentStatus, TrainingClass, TrainingPlan
from gonghui.skills.tests.factories import member

pytestmark = pytest.mark.django_db


@pytest.fixture
def dx(make_user, login):  # type: ignore[no-untyped-def]
    return login(make_user("dx_officer", ("officer", "621100")))


def new_class(dx, **extra):  # type: ignore[no-untyped-def]
    form = {
        "org": "621100",
        "name": "马铃薯种植技术培训班",
        "teacher": "王劳模",
        "teacher_title": "甘肃省劳动模范",
        "starts_on": "2025-04-01",
        "ends_on": "2025-04-02",
        "capacity": "1",
        **extra,
    }
    return dx.post("/skills/classes/new/", form)


def test_a_class_is_opened_listed_and_hidden_from_other_unions(tree, dx, make_user, login) -> None:  # type: ignore[no-untyped-def]
    bad = new_class(dx, ends_on="2025-03-01", teacher="")
    html = bad.content.decode()
    assert 'data-testid="error-teacher"' in html and "马铃薯种植技术培训班" in html
    resp = new_class(dx, ends_on="2025-03-01")
    assert 'data-testid="error-ends_on"' in resp.content.decode()
    resp = new_class(dx)
    with unscoped():
        c = TrainingClass.objects.get()
    assert resp.status_code == 302 and resp["Location"] == f"/skills/classes/{c.pk}/"
    page = dx.get("/skills/classes/").content.decode()
    assert "马铃薯种植技术培训班" in page and 'data-testid="nav-area-honors"' in page and "技能培训" in page
    gz = login(make_user("gz", ("officer", "520000")))
    assert "马铃薯" not in gz.get("/skills/classes/").content.decode()
    assert gz.get(f"/skills/classes/{c.pk}/").status_code == 404
    assert gz.post(f"/skills/classes/{c.pk}/complete/").status_code == 404


def test_enrolment_waiting_list_attendance_completion_and_income(tree, dx) -> None:  # type: ignore[no-untyped-def]
    new_class(dx)
    with unscoped():
        c = TrainingClass.objects.get()
    url = f"/skills/classes/{c.pk}/"
    number = id_number(1, area="621102")
    refused = dx.post(url + "enrol/", {"member": number, "name": "", "income_before": "abc"})
    html = refused.content.decode()
    assert 'data-testid="error-income_before"' in html and number in html  # typed back to who typed it
    assert dx.post(url + "enrol/", {"member": number, "name": "张村民", "income_before": "24000"}).status_code == 302
    assert dx.post(url + "enrol/", {"member": id_number(2, area="621102"), "name": "李村民"}).status_code == 302
    page = dx.get(url).content.decode()
    assert "候补" in page and number not in page and number[:6] + "********" + number[-4:] in page
    with unscoped():
        first, second = Enrolment.objects.order_by("pk")
    assert (first.status, second.status) == (EnrolmentStatus.ENROLLED, EnrolmentStatus.WAITING)
    dx.post(url + f"enrolments/{first.pk}/withdraw/")
    second.refresh_from_db()
    assert second.status == EnrolmentStatus.ENROLLED
    for session in c.sessions.all():
        assert dx.post(url + f"sessions/{session.pk}/attendance/", {"present": [second.pk]}).status_code == 302
    dx.post(url + "complete/")
    second.refresh_from_db()
    assert second.status == EnrolmentStatus.COMPLETED
    dx.post(url + f"enrolments/{second.pk}/income/", {"income_after": "36000.50"})
    second.refresh_from_db()
    assert second.income_after_fen == 36000_50


def test_a_member_enrols_by_member_key(tree, make_user, login) -> None:  # type: ignore[no-untyped-def]
    lps = login(make_user("lps", ("officer", "520200")))
    c = training.class_create(
        actor=None, scope=None, org=tree.lps, name="快递员技能提升班", teacher="陈工匠", capacity=5,
        starts_on=date(2025, 5, 1), ends_on=date(2025, 5, 1),
    )  # fmt: skip
    ms = member(tree.courier_union, 3)
    assert lps.post(f"/skills/classes/{c.pk}/enrol/", {"member": id_number(3)}).status_code == 302
    with unscoped():
        e = Enrolment.objects.get()
    assert (e.membership_id, e.name) == (ms.pk, "选手三")


def test_plans_against_delivery(tree, dx, make_user, login) -> None:  # type: ignore[no-untyped-def]
    assert dx.post("/skills/plans/", {"org": "621100", "year": "2025", "trainee_times": "-1"}).status_code == 200
    resp = dx.post(
        "/skills/plans/", {"org": "621100", "year": "2025", "trainee_times": "1200", "contests_planned": "3"}
    )
    assert resp.status_code == 302
    with unscoped():
        assert TrainingPlan.objects.get().trainee_times == 1200
    assert "1200" in dx.get("/skills/plans/").content.decode()
    viewer = login(make_user("v", ("viewer", "621100")))
    assert viewer.post("/skills/plans/", {"org": "621100", "year": "2026", "trainee_times": "5"}).status_code == 403
    assert 'data-testid="plan-form"' not in viewer.get("/skills/plans/").content.decode()
