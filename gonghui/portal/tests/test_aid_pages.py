"""金秋助学 from a phone: apply, follow the status as a timeline, withdraw, continue next year; only one's own.

The member pages call the 金秋助学 member services; the officers move the
application on with the same services their pages will use.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from gonghui.core.errors import DomainError
from gonghui.core.models import AuditEvent
from gonghui.core.scoping import unscoped
from gonghui.core.tests.forms import field_values
from gonghui.portal.selectors import intake_school_year
from gonghui.portal.tests.factories import WORKER_MOBILE, PortalWorld
from gonghui.student_aid.applications import application_decide
from gonghui.student_aid.member_side import member_application_apply, member_application_continue
from gonghui.student_aid.models import AidStandard, ApplicationStatus, StudentAidApplication, StudentLevel
from gonghui.student_aid.tests.factories import SON, STUDENT, approve, close, publish, reload

pytestmark = pytest.mark.django_db

YEAR = intake_school_year()


def apply_body(**changes: Any) -> dict[str, Any]:
    data = {
        "school_year": YEAR,
        "name": "李小龙",
        "id_number": SON,
        "relation": "子",
        "school": "贵州大学",
        "level": StudentLevel.UNDERGRADUATE,
        "major": "计算机科学与技术",
        "enrolment_kind": "regular",
        "enrolment_year": YEAR,
        "graduation_year": YEAR + 4,
        "tuition": "5200",
        "loan": "",
        "promise": "on",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def applications() -> list[tuple[Any, ...]]:
    with unscoped():
        return list(
            StudentAidApplication.all_objects.order_by("pk").values_list("pk", "person_id", "status", "school_year")
        )


def steps(html: str) -> dict[str, str]:
    """The timeline's steps and their states, as the page marks them."""
    return dict(re.findall(r'data-step="(\w+)" data-state="(\w+)"', html))


def test_apply_list_status_and_withdraw_over_http(pw_world: PortalWorld) -> None:
    client = pw_world.member_client(pw_world.worker)
    page = client.get("/m/aid/new/")
    html = page.content.decode()
    assert page.status_code == 200
    for text in (
        "申请金秋助学",
        "学生姓名",
        "学生身份证号码",
        "就读院校",
        "学段",
        "预计毕业年份",
        "每年学杂费（元）",
        "本人承诺",
    ):
        assert text in html
    assert 'name="viewport" content="width=device-width, initial-scale=1"' in html

    resp = client.post("/m/aid/new/", apply_body())
    assert resp.status_code == 302
    application = StudentAidApplication.all_objects.get()
    assert resp["Location"] == f"/m/aid/{application.pk}/"
    assert application.person_id == pw_world.worker.person_id and application.school_year == YEAR
    assert (application.tuition_fen, application.loan_fen, application.amount_fen) == (5200_00, 0, 4000_00)
    assert application.created_by_id == pw_world.worker.user_id and application.promise_signed
    assert application.student_id_masked == SON[:6] + "********" + SON[-4:]

    listing = client.get("/m/aid/").content.decode()
    assert "李小龙的金秋助学申请已提交" in listing  # the message of the redirect, shown on the next page
    assert "待基层工会审核" in listing and "¥4,000.00" in listing
    assert f"/m/aid/{application.pk}/" in listing

    detail = client.get(f"/m/aid/{application.pk}/").content.decode()
    assert steps(detail) == {
        "submitted": "done", "unit": "current", "county": "todo", "published": "todo", "paid": "todo",
    }  # fmt: skip
    assert "¥4,000.00" in detail and SON not in detail and application.student_id_masked in detail
    assert 'data-testid="aid-withdraw"' in detail

    # The grassroots union reviews: the timeline moves on, withdrawing is still allowed.
    application_decide(**pw_world.aid.as_("unit"), application=application, approve=True)
    detail = client.get(f"/m/aid/{application.pk}/").content.decode()
    assert steps(detail)["unit"] == "done" and steps(detail)["county"] == "current"
    assert "待县级总工会审批" in detail

    resp = client.post(f"/m/aid/{application.pk}/withdraw/", {"reason": "孩子已获奖学金"})
    assert resp.status_code == 302 and resp["Location"] == f"/m/aid/{application.pk}/"
    application = reload(application)
    assert (application.status, application.status_note) == (ApplicationStatus.WITHDRAWN, "孩子已获奖学金")
    detail = client.get(f"/m/aid/{application.pk}/").content.decode()
    assert "申请已撤回" in detail and "孩子已获奖学金" in detail
    assert steps(detail)["county"] == "stopped" and "aid-withdraw" not in detail
    with unscoped():
        withdrawn = AuditEvent.all_objects.get(action="student_aid.withdraw")
    assert withdrawn.actor_id == pw_world.worker.user_id
    assert withdrawn.actor_label == WORKER_MOBILE[:3] + "****" + WORKER_MOBILE[-4:]  # the username, masked
    # Withdrawing again is refused by the service, and nothing changes.
    before = applications()
    resp = client.post(f"/m/aid/{application.pk}/withdraw/", {"reason": "再撤一次"}, follow=True)
    assert "不能撤回" in resp.content.decode() and applications() == before


def test_withdraw_needs_a_post(pw_world: PortalWorld) -> None:
    client = pw_world.member_client(pw_world.worker)
    client.post("/m/aid/new/", apply_body())
    pk = StudentAidApplication.all_objects.get().pk
    assert client.get(f"/m/aid/{pk}/withdraw/").status_code == 405
    assert reload(StudentAidApplication.all_objects.get()).status == ApplicationStatus.APPLIED


def test_errors_show_next_to_their_fields_and_save_nothing(pw_world: PortalWorld) -> None:
    client = pw_world.member_client(pw_world.worker)
    cases = [
        (apply_body(promise=None), "promise", "请阅读并勾选承诺"),
        (apply_body(id_number="52010220040301701"), "id_number", "公民身份号码应为 18 位"),
        (apply_body(graduation_year=YEAR - 1), "graduation_year", "预计毕业年份应晚于入学年份"),
        (apply_body(tuition="五千"), "tuition", "应为金额（元），如 1200.00"),
        (apply_body(tuition="-5"), "tuition", "金额不能为负数"),
        (apply_body(enrolment_kind="military"), "enrolment_kind", "军事院校学生不在金秋助学资助范围内"),
        (apply_body(enrolment_year=YEAR + 1, graduation_year=YEAR + 5), "school_year", "不在该学生的在读期间"),
        (apply_body(name=""), "name", "必填"),
    ]
    for data, field, words in cases:
        resp = client.post("/m/aid/new/", data)
        assert resp.status_code == 200, field
        html = resp.content.decode()
        error = re.search(rf'data-testid="error-{field}">([^<]+)<', html)
        assert error is not None and words in error.group(1), (field, html[:0])
        # What was typed comes back, the ID number too (as its input's value, to who typed it).
        typed = field_values(html)
        assert {k: typed[k] for k in ("id_number", "school", "tuition")} == {
            k: str(data[k]) for k in ("id_number", "school", "tuition")
        }
    assert applications() == []


def test_a_second_application_for_the_same_year_is_refused_without_details(pw_world: PortalWorld) -> None:
    client = pw_world.member_client(pw_world.worker)
    client.post("/m/aid/new/", apply_body())
    before = applications()
    # The same member again: told only that they have applied already.
    html = client.post("/m/aid/new/", apply_body()).content.decode()
    assert f"您已为该学生申请了 {YEAR} 学年的金秋助学" in html and 'data-testid="form-error"' in html
    # Another member (the other parent?) for the same child: the neutral refusal, nothing of the first one.
    other = pw_world.member_client(pw_world.other)
    html = other.post("/m/aid/new/", apply_body()).content.decode()
    assert "该人员已在其他工会办理相关事项" in html and 'data-testid="form-error"' in html
    for leak in ("李师傅", "钟山区快递员联合工会", "待基层工会审核", "李小龙的"):
        assert leak not in html
    assert applications() == before


def test_another_members_application_is_not_found(pw_world: PortalWorld) -> None:
    mine = member_application_apply(
        actor=None,
        person=pw_world.aid.worker.person,
        membership=pw_world.aid.worker,
        student=STUDENT,
        school_year=2026,
        promise_signed=True,
    )
    other = pw_world.member_client(pw_world.other)
    assert other.get(f"/m/aid/{mine.pk}/").status_code == 404
    assert other.post(f"/m/aid/{mine.pk}/withdraw/", {"reason": "x"}).status_code == 404
    assert other.get(f"/m/aid/new/?from={mine.pk}").status_code == 404
    assert other.get(f"/m/aid/{mine.pk}/continue/").status_code == 404
    assert other.get("/m/aid/new/?from=abc").status_code == 404
    assert "李小龙" not in other.get("/m/aid/").content.decode()
    assert reload(mine).status == ApplicationStatus.APPLIED
    assert pw_world.member_client(pw_world.worker).get(f"/m/aid/{mine.pk}/").status_code == 200
    assert pw_world.member_client(pw_world.worker).get("/m/aid/999999/").status_code == 404


def _last_year(pw_world: PortalWorld, **changes: Any) -> StudentAidApplication:
    """Last school year's application, approved and published: the course runs on into this year."""
    from dataclasses import replace

    application = member_application_apply(
        actor=None,
        person=pw_world.aid.worker.person,
        membership=pw_world.aid.worker,
        student=replace(STUDENT, enrolment_year=YEAR - 1, graduation_year=YEAR + 3, **changes),
        school_year=YEAR - 1,
        promise_signed=True,
    )
    approve(pw_world.aid, application)
    close(pw_world.aid, publish(pw_world.aid, school_year=YEAR - 1))
    return reload(application)


def continue_body(**changes: Any) -> dict[str, Any]:
    """What the continue page posts: the prefilled fields, confirmed, and the promise ticked."""
    data = {
        "school": "贵州大学",
        "major": "计算机科学与技术",
        "level": StudentLevel.UNDERGRADUATE,
        "tuition": "5200.00",
        "loan": "3000.00",
        "family_on_subsistence": "on",
        "promise": "on",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_continue_next_year_from_the_phone_never_shows_or_asks_for_the_id(pw_world: PortalWorld) -> None:
    last = _last_year(pw_world, loan_fen=3000_00, family_on_subsistence=True)
    url = f"/m/aid/{last.pk}/continue/"
    client = pw_world.member_client(pw_world.worker)
    listing = client.get("/m/aid/").content.decode()
    assert url in listing and f"可继续申请 {YEAR}–{YEAR + 1} 学年" in listing
    detail = client.get(f"/m/aid/{last.pk}/").content.decode()
    assert url in detail
    assert steps(detail)["published"] == "done" and "公示已结束，等待发放" in detail
    # The first version's link (`?from=`) goes on to the continue page.
    old = client.get(f"/m/aid/new/?from={last.pk}")
    assert old.status_code == 302 and old["Location"] == url

    page = client.get(url)
    html = page.content.decode()
    assert page.status_code == 200 and 'data-testid="aid-prefilled"' in html
    for value in (
        'value="贵州大学"',
        'value="计算机科学与技术"',
        'value="5200.00"',
        'value="3000.00"',
        f'<option value="{StudentLevel.UNDERGRADUATE}" selected>',
    ):
        assert value in html
    assert 'name="family_on_subsistence" class="form-check-input" id="id_family_on_subsistence" checked' in html
    # The student is the last year's: shown by name and masked ID number, and not asked for again.
    assert "李小龙（儿子）" in html and last.student_id_masked in html
    assert f"{YEAR}–{YEAR + 1} 学年" in html and f"{YEAR - 1} 年 / {YEAR + 3} 年" in html
    for field in ("id_number", "name", "school_year", "enrolment_year", "graduation_year"):
        assert f'name="{field}"' not in html
    assert SON not in html and "身份证号码" in html

    # Refusals come back on the form, still without the ID number, and save nothing.
    cases = [
        (continue_body(promise=None), "promise", "请阅读并勾选承诺"),
        (continue_body(tuition="五千"), "tuition", "应为金额（元），如 1200.00"),
        (continue_body(school=""), "school", "必填"),
        (continue_body(level="doctor"), "level", "选择一个有效的选项"),
    ]
    for data, field, words in cases:
        resp = client.post(url, data)
        assert resp.status_code == 200, field
        refused = resp.content.decode()
        error = re.search(rf'data-testid="error-{field}">([^<]+)<', refused)
        assert error is not None and words in error.group(1), field
        assert SON not in refused
    assert len(applications()) == 1

    resp = client.post(url, continue_body(major="软件工程", tuition="5800", loan="3000"))
    assert resp.status_code == 302
    nxt = StudentAidApplication.all_objects.exclude(pk=last.pk).get()
    assert resp["Location"] == f"/m/aid/{nxt.pk}/"
    assert (nxt.school_year, nxt.continued_from_id, nxt.person_id) == (YEAR, last.pk, last.person_id)
    assert (nxt.tuition_fen, nxt.loan_fen, nxt.major, nxt.family_on_subsistence) == (5800_00, 3000_00, "软件工程", True)
    assert (nxt.student_id_index, nxt.student_id_masked) == (last.student_id_index, last.student_id_masked)
    assert (nxt.student_name, nxt.enrolment_year, nxt.graduation_year) == ("李小龙", YEAR - 1, YEAR + 3)
    assert nxt.status == ApplicationStatus.APPLIED and nxt.amount_fen == 4000_00 and nxt.promise_signed
    assert nxt.created_by_id == pw_world.worker.user_id
    with unscoped():
        event = AuditEvent.all_objects.filter(action="student_aid.apply").latest("pk")
    assert event.actor_id == pw_world.worker.user_id and event.data["continued_from"] == last.pk
    assert SON not in str(event.data)
    # The course now shows both years; the offer to continue is gone until next year.
    detail = client.get(f"/m/aid/{nxt.pk}/").content.decode()
    assert "李小龙的金秋助学申请已提交" in detail and SON not in detail
    assert 'data-testid="aid-course"' in detail and f"{YEAR - 1} 学年" in detail and f"{YEAR} 学年" in detail
    assert "aid-continue" not in client.get("/m/aid/").content.decode()
    # Continuing the same year twice is refused with the reason (the member's own application), and nothing
    # more is created.
    again = client.post(url, continue_body()).content.decode()
    assert f"您已为该学生申请了 {YEAR} 学年的金秋助学" in again and 'data-testid="form-error"' in again
    assert len(applications()) == 2
    # Followed straight to the page now, the link answers with the reason, not a form that will be refused.
    resp = client.get(url)
    assert resp.status_code == 302 and resp["Location"] == f"/m/aid/{last.pk}/"
    assert f"您已为该学生申请了 {YEAR} 学年的金秋助学" in client.get(resp["Location"]).content.decode()
    assert len(applications()) == 2


def test_continuing_may_change_the_level_and_so_the_amount(pw_world: PortalWorld) -> None:
    last = _last_year(pw_world)
    url = f"/m/aid/{last.pk}/continue/"
    body = continue_body(level=StudentLevel.GRADUATE, school="贵州大学研究生院")
    client = pw_world.member_client(pw_world.worker)
    # No standard for 研究生 yet: the service's refusal is shown, nothing is saved.
    html = client.post(url, body).content.decode()
    assert f"尚未设置 {YEAR} 学年研究生的金秋助学资助标准" in html and 'data-testid="form-error"' in html
    assert len(applications()) == 1
    AidStandard.objects.create(
        region_code="520200", year=YEAR, level=StudentLevel.GRADUATE, on_file=False, amount_fen=6000_00
    )
    resp = client.post(url, body)
    assert resp.status_code == 302
    nxt = StudentAidApplication.all_objects.exclude(pk=last.pk).get()
    assert (nxt.level, nxt.school, nxt.amount_fen) == (StudentLevel.GRADUATE, "贵州大学研究生院", 6000_00)
    assert last.amount_fen == 4000_00


def test_a_foreign_members_continue_is_not_found_and_creates_nothing(pw_world: PortalWorld) -> None:
    last = _last_year(pw_world)
    url = f"/m/aid/{last.pk}/continue/"
    before = applications()
    other = pw_world.member_client(pw_world.other)
    assert other.get(url).status_code == 404
    assert other.post(url, continue_body()).status_code == 404
    assert other.get(f"/m/aid/new/?from={last.pk}").status_code == 404
    assert other.get("/m/aid/999999/continue/").status_code == 404
    # Anonymous: to the login; a staff account: the member-only page.
    anonymous = Client().post(url, continue_body())
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/m/login/?next=")
    staff = pw_world.staff_client("unit").post(url, continue_body())
    assert staff.status_code == 403 and "此页面仅限会员本人使用" in staff.content.decode()
    assert applications() == before
    # The service refuses it too, whoever calls it.
    with pytest.raises(DomainError) as refused:
        member_application_continue(
            actor=pw_world.other.user, person=pw_world.other.person, application=last, promise_signed=True
        )
    assert (refused.value.code, refused.value.status) == ("student_aid.not_own", 403)
    assert applications() == before


def test_no_continuation_after_graduation(pw_world: PortalWorld) -> None:
    # A high-school course ending this year: the last school year of it was last year's.
    last = member_application_apply(
        actor=None,
        person=pw_world.aid.worker.person,
        membership=pw_world.aid.worker,
        student=STUDENT.__class__(
            **{**STUDENT.__dict__, "level": StudentLevel.HIGH_SCHOOL, "enrolment_year": YEAR - 3,
               "graduation_year": YEAR, "school": "六盘水市第一中学", "major": ""}
        ),
        school_year=YEAR - 1,
        promise_signed=True,
    )  # fmt: skip
    client = pw_world.member_client(pw_world.worker)
    assert "aid-continue" not in client.get("/m/aid/").content.decode()
    for resp in (
        client.get(f"/m/aid/{last.pk}/continue/", follow=True),
        client.post(f"/m/aid/{last.pk}/continue/", continue_body(level=StudentLevel.HIGH_SCHOOL), follow=True),
    ):
        assert resp.redirect_chain == [(f"/m/aid/{last.pk}/", 302)]
        assert f"该学生预计 {YEAR} 年毕业" in resp.content.decode()
    assert len(applications()) == 1


def test_rejection_shows_where_it_stopped_and_the_note(pw_world: PortalWorld) -> None:
    client: Client = pw_world.member_client(pw_world.worker)
    client.post("/m/aid/new/", apply_body())
    application = StudentAidApplication.all_objects.get()
    application_decide(
        **pw_world.aid.as_("unit"), application=application, approve=False, note="材料不全，请补充学籍证明"
    )
    detail = client.get(f"/m/aid/{application.pk}/").content.decode()
    assert steps(detail) == {
        "submitted": "done", "unit": "stopped", "county": "todo", "published": "todo", "paid": "todo",
    }  # fmt: skip
    assert "基层工会审核：未通过" in detail and "材料不全，请补充学籍证明" in detail
    assert "aid-withdraw" not in detail
