"""金秋助学 from the phone: only for the member's own child, and a duplicate tells nothing (issue 15, items 1 and 3).

    李师傅  born 1976, member of 520201G001, account on the phone; his son 李小龙 (SON, born 2004)
    赵师傅  born 1980, member of the same union, account on the phone

The platform has no children registry: from the phone the relation is 儿子 or
女儿 and must agree with the sex in the student's ID number, the number is not
the member's own, the ages fit a parent and a child (16 years or more between
them, the student under 30 when the school year starts), a household on file
lists the student, and no one else has a standing application for the student.
A refusal caused by someone else's application names no one.
"""

from __future__ import annotations

import re
from dataclasses import replace

import pytest
from django.test import Client

from gonghui.aid.models import FamilyMember, SubsistenceStandard
from gonghui.aid.services import FamilyIn, file_apply
from gonghui.core.errors import MESSAGES, DomainError
from gonghui.core.scoping import unscoped
from gonghui.members.tests.factories import id_number
from gonghui.portal.selectors import aid_course
from gonghui.portal.tests.factories import PortalWorld
from gonghui.portal.tests.test_aid_pages import YEAR, applications, apply_body
from gonghui.student_aid.member_side import check_own_child, member_application_apply
from gonghui.student_aid.models import StudentAidApplication
from gonghui.student_aid.tests.factories import SON, STUDENT, WORKER_ID, apply

pytestmark = pytest.mark.django_db

NEUTRAL = str(MESSAGES["member.handled_elsewhere"])
LEAKS = ("李师傅", "赵师傅", "钟山区快递员联合工会", "待基层工会审核", "待县级总工会审批", "已发放", "未通过")
DAUGHTER = id_number(702, birth="20050601")  # an even sequence digit: female


def field_error(html: str, field: str) -> str:
    found = re.search(rf'data-testid="error-{field}">([^<]+)<', html)
    return found.group(1) if found else ""


def form_error(html: str) -> str:
    found = re.search(r'data-testid="form-error"[^>]*>(.*?)</', html, re.S)
    return found.group(1).strip() if found else ""


def post(client: Client, **changes: object) -> str:
    resp = client.post("/m/aid/new/", apply_body(**changes))
    assert resp.status_code == 200  # refused: the form again
    return resp.content.decode()


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        pytest.param({"id_number": DAUGHTER}, "relation", "性别不符", id="a daughter declared as a son"),
        pytest.param({"id_number": WORKER_ID}, "id_number", "这是您本人的证件号码", id="the member's own number"),
        pytest.param(
            {"id_number": id_number(703, birth="19700101")},
            "id_number",
            "不是您的子女年龄",
            id="an adult older than the member",
        ),
        pytest.param(
            {"id_number": id_number(705, birth="19910101")},
            "id_number",
            "须比您小 16 岁以上",
            id="born when the member was 14",
        ),
        pytest.param({"relation": "侄"}, "relation", "", id="a relation the phone does not offer"),
    ],
)
def test_a_member_cannot_apply_for_an_arbitrary_child(pw_world: PortalWorld, changes, field: str, words: str) -> None:
    client = pw_world.member_client(pw_world.worker)
    html = post(client, **changes)
    assert field_error(html, field), html[:0]
    assert words in field_error(html, field)
    assert applications() == []


def _son(birth: str) -> str:
    """A valid number for a boy born on `birth` (an odd sequence digit)."""
    return id_number(701, birth=birth)


def test_the_student_must_be_under_30_when_the_school_year_starts(pw_world: PortalWorld) -> None:
    zhao = pw_world.other.person  # born 1980-01-01
    # 30 on 1 January 2026; 29 on 1 September 2026; 29 until 1 October 2026.
    for born, refused in (("19960101", True), ("19970101", False), ("19961001", False)):
        student = replace(STUDENT, id_number=_son(born))
        if refused:
            with pytest.raises(DomainError) as caught:
                check_own_child(person=zhao, student=student, school_year=2026)
            assert caught.value.code == "student_aid.child_age"
        else:
            check_own_child(person=zhao, student=student, school_year=2026)


def test_a_household_on_file_must_list_the_student(pw_world: PortalWorld) -> None:
    SubsistenceStandard.objects.create(region_code="520200", year=YEAR, monthly_fen=700_00)
    file = file_apply(
        actor=None,
        scope=None,
        membership=pw_world.aid.worker,
        level="county",
        region_code="520201",
        year=YEAR,
        figures={"household_size": 3, "worker_monthly_income_fen": 2000_00},
        causes=["schooling"],
        family=[FamilyIn("子", "李小虎", id_number(703, birth="20060101"))],
    )
    with unscoped():
        row = FamilyMember.objects.get(file=file)
    client = pw_world.member_client(pw_world.worker)
    html = post(client)
    assert "不在您的困难职工档案登记的家庭成员中" in field_error(html, "id_number")
    assert applications() == []
    # Listed in the household's file: the application goes in (at the on-file amount).
    from gonghui.members.validation import parse_identity

    with unscoped():
        FamilyMember.objects.filter(pk=row.pk).update(id_index=parse_identity(SON).index, name="李小龙")
    resp = client.post("/m/aid/new/", apply_body())
    assert resp.status_code == 302, field_error(resp.content.decode(), "id_number")
    with unscoped():
        assert StudentAidApplication.all_objects.get().is_on_file


def test_someone_elses_child_is_refused_without_details(pw_world: PortalWorld) -> None:
    # 李小龙 was applied for last school year by 李师傅 (through the union).
    apply(pw_world.aid, school_year=YEAR - 1, enrolment_year=YEAR - 1, graduation_year=YEAR + 3)
    before = applications()
    other = pw_world.member_client(pw_world.other)
    for year in (YEAR, YEAR - 1):  # another school year, and the same one
        html = post(other, school_year=year, enrolment_year=YEAR - 1, graduation_year=YEAR + 3)
        assert form_error(html) == NEUTRAL
        for leak in LEAKS:
            assert leak not in html, leak
    assert applications() == before


def test_a_duplicate_student_is_refused_tersely(pw_world: PortalWorld) -> None:
    client = pw_world.member_client(pw_world.worker)
    assert client.post("/m/aid/new/", apply_body()).status_code == 302
    before = applications()
    html = post(client)
    message = form_error(html)
    assert message == str(MESSAGES["student_aid.already_applied_own"]).format(year=YEAR)
    for leak in ("钟山区快递员联合工会", "待基层工会审核"):
        assert leak not in message
    assert applications() == before
    # The service says the same, and to anyone else the neutral refusal.
    with pytest.raises(DomainError) as again:
        member_application_apply(
            actor=None,
            person=pw_world.aid.worker.person,
            membership=pw_world.aid.worker,
            student=replace(STUDENT, enrolment_year=YEAR, graduation_year=YEAR + 4),
            school_year=YEAR,
            promise_signed=True,
        )
    assert (again.value.code, again.value.status) == ("student_aid.already_applied_own", 409)


def test_the_phone_shows_only_the_members_own_years_of_a_students_course(pw_world: PortalWorld) -> None:
    # Through the union, 赵师傅 was registered for 李小龙 two years ago (the union saw the papers).
    from gonghui.members.models import Membership

    with unscoped():
        zhao = Membership.all_objects.get(person=pw_world.other.person)
    apply(pw_world.aid, membership=zhao, school_year=YEAR - 2, enrolment_year=YEAR - 2, graduation_year=YEAR + 2)
    with unscoped():
        StudentAidApplication.all_objects.update(status="withdrawn")  # no longer standing
    mine = member_application_apply(
        actor=None,
        person=pw_world.aid.worker.person,
        membership=pw_world.aid.worker,
        student=replace(STUDENT, enrolment_year=YEAR - 2, graduation_year=YEAR + 2),
        school_year=YEAR,
        promise_signed=True,
    )
    assert [y["school_year"] for y in aid_course(mine)["years"]] == [YEAR]
    html = pw_world.member_client(pw_world.worker).get(f"/m/aid/{mine.pk}/").content.decode()
    assert f"{YEAR - 2} 学年" not in html


def test_the_relation_is_recorded(pw_world: PortalWorld) -> None:
    client = pw_world.member_client(pw_world.worker)
    assert client.post("/m/aid/new/", apply_body(id_number=DAUGHTER, relation="女", name="李小凤")).status_code == 302
    with unscoped():
        assert StudentAidApplication.all_objects.get().relation == "女"
