"""A member's own 金秋助学 applications (from the phone): only through their own membership, for their own child.

The same workflow as the officers' (`applications`), without a scope: the
member may act only on what is theirs, anything else is refused with a 403.

How the platform knows the student is the member's own child (there is no
children registry: the union checks the 户口簿 at its review, DOMAIN §4 "apply
via unit union → verify"), from the phone, before anything is written:

- the declared relation is 儿子 or 女儿 (kept on the application) and agrees
  with the sex in the student's ID number;
- the student's ID number is not the member's own;
- the ages fit a parent and a child: the student was born at least
  `MIN_PARENT_GAP_YEARS` (16) years after the member, and is under
  `MAX_STUDENT_AGE` (30) when the school year starts (1 September); a member
  whose ID holds no birth date (a passport) applies at the union;
- where the member's household has an open hardship file that lists its family
  with ID numbers (as the main worker, or listed in it), the student is one of them;
- the student is not in a standing application (not rejected or withdrawn, any
  school year) made by another person: that child is on record as someone
  else's, so the union verifies it. The refusal names no one
  (`member.handled_elsewhere`), and the member's own duplicate for the same
  school year says only that (`student_aid.already_applied_own`).

Exceptional families (a parent under 16 at the birth, a stepchild not on the
household file, two parents taking turns) are registered by their union after
it has seen the papers.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import Q

from gonghui.accounts.models import User
from gonghui.aid.models import OPEN_STATUSES, FamilyMember, HardshipFile
from gonghui.core.errors import DomainError
from gonghui.core.scoping import unscoped
from gonghui.members.models import Membership, Person
from gonghui.members.selectors import age_on
from gonghui.members.validation import FieldError, parse_identity
from gonghui.student_aid.applications import StudentIn, application_apply, application_continue, application_withdraw
from gonghui.student_aid.models import CLOSED_STATUSES, StudentAidApplication

# The relations the phone offers, with the sex (GB/T 2261.1) the student's ID number must carry.
CHILD_RELATIONS = {"子": "1", "儿子": "1", "女": "2", "女儿": "2"}
MIN_PARENT_GAP_YEARS = 16
MAX_STUDENT_AGE = 30


def _years_after(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a common year
        return date(day.year + years, 3, 1)


def household_ids(person: Person) -> set[str]:
    """The ID indexes of the household the person's open hardship file lists (as main worker or as family),
    the person excepted; empty when no open file lists one."""
    with unscoped():
        files = HardshipFile.objects.filter(status__in=OPEN_STATUSES).filter(
            Q(person_id=person.pk) | Q(family__id_index=person.id_index)
        )
        file_ids = list(files.values_list("pk", flat=True).distinct())
        if not file_ids:
            return set()
        known = set(
            FamilyMember.objects.filter(file_id__in=file_ids).exclude(id_index="").values_list("id_index", flat=True)
        )
        known |= set(HardshipFile.objects.filter(pk__in=file_ids).values_list("person__id_index", flat=True))
    known.discard(person.id_index)
    return known


def check_own_child(*, person: Person, student: StudentIn, school_year: int) -> None:
    """Refuse, before anything is written, a student the platform cannot take for the member's own child."""
    relation = student.relation.strip()
    if relation not in CHILD_RELATIONS:
        raise DomainError("student_aid.child_relation", field="relation")
    try:
        identity = parse_identity(student.id_number)
    except FieldError:
        return  # the application reports a malformed number on its field
    if identity.index == person.id_index:
        raise DomainError("student_aid.child_is_self", field="id_number")
    if identity.gender != CHILD_RELATIONS[relation]:
        raise DomainError("student_aid.child_gender", field="relation")
    if person.birth_date is None:
        raise DomainError("student_aid.child_unverifiable")
    born = identity.birth_date
    assert born is not None  # a GB 11643 number always holds one
    age = age_on(born, date(school_year, 9, 1))
    if born < _years_after(person.birth_date, MIN_PARENT_GAP_YEARS) or (age is not None and age >= MAX_STUDENT_AGE):
        raise DomainError("student_aid.child_age", field="id_number")
    household = household_ids(person)
    if household and identity.index not in household:
        raise DomainError("student_aid.child_not_in_household", field="id_number")
    with unscoped():
        elsewhere = (
            StudentAidApplication.all_objects.filter(student_id_index=identity.index)
            .exclude(status__in=CLOSED_STATUSES)
            .exclude(person_id=person.pk)
            .exists()
        )
    if elsewhere:
        raise DomainError("member.handled_elsewhere", status=409)


def member_application_apply(
    *,
    actor: User | None,
    person: Person,
    membership: Membership,
    student: StudentIn,
    school_year: int,
    promise_signed: bool,
    continued_from: StudentAidApplication | None = None,
) -> StudentAidApplication:
    """A member applies for their own child (from the phone): only through their own membership."""
    if membership.person_id != person.pk:
        raise DomainError("student_aid.not_own", status=403)
    if continued_from is not None and continued_from.person_id != person.pk:
        raise DomainError("student_aid.not_own", status=403)
    check_own_child(person=person, student=student, school_year=school_year)
    return application_apply(
        actor=actor,
        scope=None,
        membership=membership,
        student=student,
        school_year=school_year,
        promise_signed=promise_signed,
        continued_from=continued_from,
        member=person,
    )


def member_application_withdraw(
    *, actor: User | None, person: Person, application: StudentAidApplication, reason: str = ""
) -> StudentAidApplication:
    """A member withdraws their own application before it is published."""
    if application.person_id != person.pk:
        raise DomainError("student_aid.not_own", status=403)
    return application_withdraw(actor=actor, scope=None, application=application, reason=reason)


def member_application_continue(
    *,
    actor: User | None,
    person: Person,
    application: StudentAidApplication,
    promise_signed: bool,
    changes: dict[str, Any] | None = None,
) -> StudentAidApplication:
    """A member continues their own child's course next school year (from the phone), the ID from the sealed record.

    The child was taken for theirs when the course began (on the phone or by the union); a duplicate
    school year names nothing but the member's own application.
    """
    if application.person_id != person.pk:
        raise DomainError("student_aid.not_own", status=403)
    return application_continue(
        actor=actor, scope=None, application=application, promise_signed=promise_signed, changes=changes, member=person
    )
