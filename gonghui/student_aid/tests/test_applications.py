"""金秋助学 applications: the standard table, exclusions, every transition, whole-course continuation, scope."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from gonghui.accounts.scope import scope_for_user
from gonghui.aid.models import SubsistenceStandard
from gonghui.aid.services import file_apply
from gonghui.core.errors import DomainError, NotFoundError
from gonghui.core.models import AuditEvent
from gonghui.core.scoping import unscoped
from gonghui.core.stats import stats_collect
from gonghui.members.tests.factories import id_number, register
from gonghui.student_aid.applications import (
    application_apply,
    application_continue,
    application_decide,
    application_withdraw,
    prefill_next_year,
)
from gonghui.student_aid.member_side import member_application_apply, member_application_withdraw
from gonghui.student_aid.models import (
    AidStandard,
    ApplicationStatus,
    EnrolmentKind,
    StudentAidApplication,
    StudentLevel,
)
from gonghui.student_aid.selectors import (
    aid_standard,
    application_get,
    application_list,
    member_applications,
    paid_by_school_year,
    student_course,
)
from gonghui.student_aid.standards import aid_standard_set
from gonghui.student_aid.tests.factories import (
    SON,
    STUDENT,
    WORKER_ID,
    World,
    apply,
    approve,
    close,
    pay,
    publish,
    reload,
)

pytestmark = pytest.mark.django_db


def count() -> int:
    return StudentAidApplication.all_objects.count()


def test_the_standard_of_the_county_else_its_city_else_its_province(db: None) -> None:
    hs = StudentLevel.HIGH_SCHOOL
    AidStandard.objects.create(region_code="430000", year=2026, level=hs, on_file=False, amount_fen=1500_00)
    AidStandard.objects.create(region_code="431100", year=2026, level=hs, on_file=False, amount_fen=1800_00)
    AidStandard.objects.create(region_code="431121", year=2026, level=hs, on_file=False, amount_fen=2000_00)
    AidStandard.objects.create(region_code="431121", year=2026, level=hs, on_file=True, amount_fen=3000_00)
    assert aid_standard("431121", 2026, hs, False).amount_fen == 2000_00  # type: ignore[union-attr]  # 祁阳县
    assert aid_standard("431121", 2026, hs, True).amount_fen == 3000_00  # type: ignore[union-attr]
    assert aid_standard("431102", 2026, hs, False).amount_fen == 1800_00  # type: ignore[union-attr]  # the city's
    assert aid_standard("430102", 2026, hs, False).amount_fen == 1500_00  # type: ignore[union-attr]  # the province's
    assert aid_standard("431121", 2025, hs, False) is None
    assert aid_standard("431121", 2026, StudentLevel.GRADUATE, False) is None


def test_the_amount_follows_level_and_file(world: World) -> None:
    assert apply(world).amount_fen == 4000_00  # 本科, not on file
    assert apply(world, id_number=id_number(702, birth="20090301"), level=StudentLevel.HIGH_SCHOOL).amount_fen == (
        2000_00
    )
    # The worker's household is filed: on file from now on.
    SubsistenceStandard.objects.create(region_code="520200", year=2026, monthly_fen=70_000)
    file_apply(
        actor=None,
        scope=None,
        membership=world.worker,
        level="county",
        region_code="520201",
        year=2026,
        figures={"household_size": 3, "worker_monthly_income_fen": 2000_00},
        causes=["schooling"],
    )
    third = apply(world, id_number=id_number(703, birth="20050301"))
    assert (third.is_on_file, third.amount_fen, third.region_code) == (True, 5000_00, "520200")
    # The table is set per region by a holder of the standard permission (admin), never by an officer.
    with pytest.raises(DomainError) as refused:
        aid_standard_set(
            **world.as_("county_officer"),
            org=world.tree.zhongshan,
            year=2026,
            level=StudentLevel.UNDERGRADUATE,
            on_file=False,
            amount_fen=4500_00,
        )
    assert refused.value.code == "permission_denied"
    aid_standard_set(
        actor=None,
        scope=None,
        org=world.tree.zhongshan,
        year=2026,
        level=StudentLevel.UNDERGRADUATE,
        on_file=True,
        amount_fen=5500_00,
    )
    assert apply(world, id_number=id_number(704, birth="20050301")).amount_fen == 5500_00  # the county's own


@pytest.mark.parametrize(
    ("kind", "words"),
    [
        (EnrolmentKind.MILITARY, "军事院校"),
        (EnrolmentKind.FREE_TEACHER, "公费师范生"),
        (EnrolmentKind.DIRECTED, "定向生"),
    ],
)
def test_excluded_students_are_refused_with_the_reason(world: World, kind: str, words: str) -> None:
    with pytest.raises(DomainError) as refused:
        apply(world, enrolment_kind=kind)
    assert refused.value.code == "student_aid.excluded" and refused.value.message.startswith(words)
    assert count() == 0


def test_refusals_explain_and_change_nothing(world: World) -> None:
    first = apply(world)
    # Already aided this school year: whoever applies (the mother, too) is refused.
    mother = register(world.tree.courier_union, id_number(705, birth="19780101"), name="王女士")
    with pytest.raises(DomainError) as twice:
        apply(world, membership=mother, relation="子")
    assert twice.value.code == "student_aid.already_applied" and "2026" in twice.value.message
    # The database holds the same rule.
    with pytest.raises(IntegrityError), unscoped(), transaction.atomic():
        StudentAidApplication.all_objects.create(
            **{
                f.attname: getattr(first, f.attname)
                for f in StudentAidApplication._meta.concrete_fields
                if f.name not in ("id", "created_at")
            }
        )
    with pytest.raises(DomainError) as nopromise:
        apply(world, school_year=2027, promise_signed=False)
    assert nopromise.value.code == "student_aid.promise_required"
    with pytest.raises(DomainError) as out:
        apply(world, school_year=2030)
    assert out.value.code == "student_aid.out_of_course" and "2030 年毕业" in out.value.message
    with pytest.raises(DomainError) as nostd:
        apply(world, school_year=2018, enrolment_year=2018, graduation_year=2022)
    assert nostd.value.code == "student_aid.no_standard"
    with pytest.raises(DomainError) as bad:
        apply(world, school_year=2027, id_number="520102200403011230", school="", level="primary")
    assert set(bad.value.details) == {"id_number", "school", "level"}
    # A foreign union's officer cannot apply for this union's member.
    with pytest.raises(DomainError) as foreign:
        apply(world, who="foreign", school_year=2027)
    assert foreign.value.code == "permission_denied"
    assert count() == 1
    # A rejected application frees the school year for a new one.
    application_decide(**world.as_("unit"), application=first, approve=False, note="材料不全")
    assert apply(world).status == ApplicationStatus.APPLIED


def test_every_transition_with_the_right_union(world: World) -> None:
    application = apply(world)
    assert application.status == ApplicationStatus.APPLIED and application.student_id_masked != SON
    assert application.student_id_masked == f"{SON[:6]}********{SON[-4:]}"
    # An officer applies, never reviews; the foreign union's reviewer cannot see it.
    for who in ("officer", "foreign"):
        with pytest.raises(DomainError) as refused:
            application_decide(**world.as_(who), application=application, approve=True)
        assert refused.value.code == "permission_denied"
    assert reload(application).status == ApplicationStatus.APPLIED
    reviewed = application_decide(**world.as_("unit"), application=application, approve=True)
    assert reviewed.status == ApplicationStatus.UNIT_REVIEWED
    # The grassroots reviewer holds the approve permission at its own union only: the county approves.
    with pytest.raises(DomainError) as refused:
        application_decide(**world.as_("unit"), application=application, approve=True)
    assert refused.value.code == "permission_denied"
    with pytest.raises(DomainError) as nonote:
        application_decide(**world.as_("county"), application=application, approve=False)
    assert "note" in nonote.value.details
    approved = application_decide(**world.as_("county"), application=application, approve=True, note="同意资助")
    assert (approved.status, approved.approved_by_id) == (ApplicationStatus.APPROVED, world.users["county"].pk)
    with pytest.raises(DomainError) as again:
        application_decide(**world.as_("county"), application=application, approve=True)
    assert again.value.code == "student_aid.wrong_status"
    # Withdrawn before 公示 (by the officer); a withdrawn one stays withdrawn.
    withdrawn = application_withdraw(**world.as_("officer"), application=application, reason="已获其他资助")
    assert withdrawn.status == ApplicationStatus.WITHDRAWN
    with pytest.raises(DomainError):
        application_withdraw(**world.as_("officer"), application=application)
    actions = list(
        AuditEvent.all_objects.filter(action__startswith="student_aid.").order_by("pk").values_list("action", flat=True)
    )
    assert actions == ["student_aid.apply", "student_aid.review", "student_aid.approve", "student_aid.withdraw"]
    assert not any(SON in str(e.data) for e in AuditEvent.all_objects.all())


def test_the_county_reviewer_cannot_approve_what_he_reviewed(world: World) -> None:
    application = apply(world)
    application_decide(**world.as_("county"), application=application, approve=True)  # the county may review too
    with pytest.raises(DomainError) as same:
        application_decide(**world.as_("county"), application=application, approve=True)
    assert same.value.code == "student_aid.same_person"
    rejected = application_decide(**world.as_("checker"), application=application, approve=False, note="不符合条件")
    assert (rejected.status, rejected.status_note) == (ApplicationStatus.REJECTED, "不符合条件")


def test_whole_course_from_2019_to_university(world: World, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """祁阳's student: aided from senior high school in 2019 on into university, every year until graduation."""
    school = {"school": "祁阳县第一中学", "level": StudentLevel.HIGH_SCHOOL, "major": ""}
    first = apply(world, school_year=2019, enrolment_year=2019, graduation_year=2022, **school)
    chain = [first]
    for year in (2019, 2020, 2021):
        approve(world, chain[-1])
        close(world, publish(world, school_year=year))
        if year < 2021:
            draft = prefill_next_year(chain[-1])
            assert draft["school_year"] == year + 1 and draft["student"]["school"] == "祁阳县第一中学"
            assert SON not in str(draft)
        # Paid after the 公示, before next year's continuation.
        publication = chain[-1]
        assert pay(world, reload(publication).publication, tmp_path) == 1  # type: ignore[arg-type]
        if year < 2021:
            chain.append(application_continue(**world.as_("officer"), application=chain[-1], promise_signed=True))
    # High school ends in 2022: no continuation of that course.
    with pytest.raises(DomainError) as graduated:
        prefill_next_year(chain[-1])
    assert graduated.value.code == "student_aid.graduated" and "2022 年毕业" in graduated.value.message
    # Admitted to university: a new course, linked to the last year of the old one.
    university = apply(world, school_year=2022, enrolment_year=2022, graduation_year=2026, continued_from=chain[-1])
    assert university.continued_from_id == chain[-1].pk and university.amount_fen == 4000_00
    approve(world, university)
    close(world, publish(world, school_year=2022))
    assert pay(world, reload(university).publication, tmp_path) == 1  # type: ignore[arg-type]
    nxt = application_continue(
        **world.as_("officer"), application=university, promise_signed=True, changes={"tuition_fen": 5800_00}
    )
    assert (nxt.school_year, nxt.tuition_fen, nxt.continued_from_id) == (2023, 5800_00, university.pk)
    course = student_course(nxt)
    assert [y["school_year"] for y in course["years"]] == [2019, 2020, 2021, 2022, 2023]
    assert course["paid_fen"] == 3 * 2000_00 + 4000_00
    by_year = paid_by_school_year([world.tree.zhongshan.path])
    assert by_year == {y: {"students": 1, "yuan": 2000.0} for y in (2019, 2020, 2021)} | {
        2022: {"students": 1, "yuan": 4000.0}
    }
    assert stats_collect(None)["student_aid_students"] == 1  # one student, four years
    # Another student cannot be linked to this course.
    with pytest.raises(DomainError) as mismatch:
        apply(
            world,
            school_year=2024,
            enrolment_year=2022,
            graduation_year=2026,
            id_number=id_number(706, birth="20050301"),
            continued_from=nxt,
        )
    assert mismatch.value.code == "student_aid.continuation_mismatch"


def test_a_member_applies_and_follows_the_status(world: World) -> None:
    person = world.worker.person
    mine = member_application_apply(
        actor=None, person=person, membership=world.worker, student=STUDENT, school_year=2026, promise_signed=True
    )
    other = register(world.tree.courier_union, id_number(707, birth="19800101"), name="赵师傅")
    with pytest.raises(DomainError) as not_own:
        member_application_apply(
            actor=None, person=other.person, membership=world.worker, student=STUDENT, school_year=2027,
            promise_signed=True,
        )  # fmt: skip
    assert not_own.value.code == "student_aid.not_own"
    application_decide(**world.as_("unit"), application=mine, approve=True)
    rows = member_applications(person=person)
    assert [(r["student_name"], r["status_label"], r["amount_yuan"]) for r in rows] == [
        ("李小龙", "待县级总工会审批", "4000.00")
    ]
    assert member_applications(person=other.person) == []
    with pytest.raises(DomainError):
        member_application_withdraw(actor=None, person=other.person, application=mine)
    member_application_withdraw(actor=None, person=person, application=mine, reason="孩子已获奖学金")
    assert member_applications(person=person)[0]["status"] == ApplicationStatus.WITHDRAWN


def test_selectors_keep_to_the_scope(world: World, make_user) -> None:  # type: ignore[no-untyped-def]
    application = apply(world)
    # A viewer of the union sees it but cannot apply, review or withdraw; the foreign officer cannot withdraw.
    viewer = make_user("unit_viewer", ("viewer", "520201G001"))
    seen = scope_for_user(viewer)
    assert application_get(scope=seen, pk=application.pk).pk == application.pk
    refused_calls = [
        lambda: application_apply(
            actor=viewer, scope=seen, membership=world.worker, student=STUDENT, school_year=2027, promise_signed=True
        ),
        lambda: application_decide(actor=viewer, scope=seen, application=application, approve=True),
        lambda: application_withdraw(actor=viewer, scope=seen, application=application),
        lambda: application_withdraw(**world.as_("foreign"), application=application),
    ]
    for call in refused_calls:
        with pytest.raises(DomainError) as refused:
            call()
        assert refused.value.code == "permission_denied"
    assert reload(application).status == ApplicationStatus.APPLIED and count() == 1
    assert [a.pk for a in application_list(scope=world.scopes["officer"])] == [application.pk]
    assert application_get(scope=world.scopes["county"], pk=application.pk).pk == application.pk
    assert list(application_list(scope=world.scopes["foreign"])) == []
    with pytest.raises(NotFoundError):
        application_get(scope=world.scopes["foreign"], pk=application.pk)


def test_the_school_year_under_way_starts_in_august() -> None:
    from datetime import date

    from gonghui.student_aid.stats import current_school_year

    assert [current_school_year(date(2026, m, 1)) for m in (1, 7, 8, 12)] == [2025, 2025, 2026, 2026]


def test_next_year_goes_through_the_union_the_worker_belongs_to_now(world: World) -> None:
    from gonghui.members.services import membership_withdraw

    first = apply(world, school_year=2024, enrolment_year=2024, graduation_year=2028)
    membership_withdraw(actor=None, scope=None, membership=world.worker, reason="voluntary")
    # The worker has joined 钟山区总工会's own roster since (another union of the county).
    moved = register(world.tree.zhongshan, WORKER_ID, name="李师傅")
    nxt = application_continue(**world.as_("county_officer"), application=first, promise_signed=True)
    assert (nxt.membership_id, nxt.org_id, nxt.continued_from_id) == (moved.pk, world.tree.zhongshan.pk, first.pk)
