"""A 金秋助学 application refused because of another union's application names no one (issue 15, item 1).

李师傅 (520201G001 钟山区快递员联合工会) has applied for his son 李小龙 for 2026.
南明区总工会's officer (520102) registers 李小龙 for a member of theirs:
refused with the neutral message, nothing of 李师傅, his union or the status.
The county federation above 李师傅's union sees that application, and is told
where it is and how far it got.
"""

from __future__ import annotations

from typing import Any

import pytest

from gonghui.core.errors import MESSAGES, DomainError
from gonghui.members.tests.factories import Api, assert_error, id_number, register
from gonghui.student_aid.applications import application_apply
from gonghui.student_aid.models import StudentAidApplication
from gonghui.student_aid.tests.factories import STUDENT, World, apply
from gonghui.student_aid.tests.test_api import body

pytestmark = pytest.mark.django_db

BASE = "/api/v1/student-aid"
NEUTRAL = str(MESSAGES["member.handled_elsewhere"])
LEAKS = ("李师傅", "钟山区快递员联合工会", "钟山区", "六盘水", "待基层工会审核", "待县级总工会审批", "已发放")


def assert_neutral(message: str) -> None:
    assert message == NEUTRAL
    for leak in LEAKS:
        assert leak not in message, leak


@pytest.fixture
def nanming_member(world: World):  # type: ignore[no-untyped-def]
    return register(world.tree.nanming, id_number(810, birth="19750101"), name="陈师傅")


def test_outside_scope_the_refusal_names_no_one(world: World, nanming_member: Any, bearer: Any) -> None:
    apply(world)  # 李师傅 for 李小龙, 2026, at 钟山区快递员联合工会
    before = list(StudentAidApplication.all_objects.values_list("pk", flat=True))
    api = Api(bearer(world.users["foreign"]))
    refused = api.post(f"{BASE}/applications", body(world, member_id=nanming_member.pk))
    out = assert_error(refused, 409, "member.handled_elsewhere", NEUTRAL)
    assert out["details"] is None
    assert_neutral(out["message"])
    with pytest.raises(DomainError) as service:
        apply(world, who="foreign", membership=nanming_member)
    assert (service.value.code, service.value.status) == ("member.handled_elsewhere", 409)
    assert_neutral(service.value.message)
    assert list(StudentAidApplication.all_objects.values_list("pk", flat=True)) == before


def test_inside_scope_the_details_stay(world: World, bearer: Any) -> None:
    apply(world)
    other = register(world.tree.courier_union, id_number(811, birth="19780101"), name="赵师傅")
    # The county federation (520201) sees the grassroots union's application: where it is and its status.
    with pytest.raises(DomainError) as refused:
        apply(world, who="county_officer", membership=other)
    assert refused.value.code == "student_aid.already_applied"
    assert "钟山区快递员联合工会" in refused.value.message and "待基层工会审核" in refused.value.message
    api = Api(bearer(world.users["officer"]))
    again = assert_error(api.post(f"{BASE}/applications", body(world)), 409, "student_aid.already_applied")
    assert "钟山区快递员联合工会" in again["message"]


def test_the_console_keeps_the_details(world: World, nanming_member: Any) -> None:
    apply(world)
    with pytest.raises(DomainError) as refused:
        application_apply(
            actor=None,
            scope=None,
            membership=nanming_member,
            student=STUDENT,
            school_year=2026,
            promise_signed=True,
        )
    assert refused.value.code == "student_aid.already_applied" and "钟山区快递员联合工会" in refused.value.message


def test_the_same_student_in_another_school_year_is_no_refusal_for_an_officer(world: World) -> None:
    apply(world, school_year=2025, enrolment_year=2025)
    assert apply(world, school_year=2026, enrolment_year=2025).school_year == 2026  # the whole course
