"""A member's own 金秋助学 applications (from the phone): only through their own membership, for their own child.

The same workflow as the officers' (`applications`), without a scope: the
member may act only on what is theirs, anything else is refused with a 403.
"""

from __future__ import annotations

from typing import Any

from gonghui.accounts.models import User
from gonghui.core.errors import DomainError
from gonghui.members.models import Membership, Person
from gonghui.student_aid.applications import StudentIn, application_apply, application_continue, application_withdraw
from gonghui.student_aid.models import StudentAidApplication


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
    return application_apply(
        actor=actor,
        scope=None,
        membership=membership,
        student=student,
        school_year=school_year,
        promise_signed=promise_signed,
        continued_from=continued_from,
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
    """A member continues their own child's course next school year (from the phone), the ID from the sealed record."""
    if application.person_id != person.pk:
        raise DomainError("student_aid.not_own", status=403)
    return application_continue(
        actor=actor, scope=None, application=application, promise_signed=promise_signed, changes=changes
    )
