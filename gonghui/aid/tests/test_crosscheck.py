"""A household is matched against other agencies' lists only once the worker has signed the authorization.

The worker and every family member with an ID are subjects; the evidence is kept
per subject; a match waits for a reviewer's decision before the 帮扶中心 files the
household, and a confirmed duplicate is refused.
"""

from __future__ import annotations

from typing import Any

import pytest

from gonghui.accounts.models import Role
from gonghui.accounts.scope import scope_for_user
from gonghui.aid.models import FileStatus, HardshipFile
from gonghui.aid.services import (
    CROSSCHECK_SUBJECT,
    file_authorize,
    file_decide,
    household_crosscheck,
    household_reviews,
)
from gonghui.aid.tests.test_files import apply, world  # noqa: F401 - the fixture
from gonghui.core.errors import DomainError
from gonghui.core.models import AuditEvent
from gonghui.crosscheck.models import Agency, CrossCheckMatch, CrossCheckReview, Decision
from gonghui.crosscheck.permissions import CrossCheckPerm
from gonghui.crosscheck.services import crosscheck_decide
from gonghui.crosscheck.subjects import describe_subjects
from gonghui.crosscheck.tests.test_matching import make_list
from gonghui.members.tests.factories import id_number

pytestmark = pytest.mark.django_db

SON = id_number(601, birth="20080301")  # the family member with an ID in `apply`


def to_center(w: dict[str, Any], file: HardshipFile, authorize: bool = True) -> HardshipFile:
    officer = w["users"]["officer"]
    file_decide(actor=w["users"]["unit"], scope=w["unit"], file=file, decision="approve")
    if authorize:
        file_authorize(actor=officer, scope=w["officer"], file=file, stored_name="auth.pdf")
    file.refresh_from_db()
    return file_decide(actor=w["users"]["higher"], scope=w["higher"], file=file, decision="approve")


def center_files(w: dict[str, Any], file: HardshipFile) -> HardshipFile:
    return file_decide(actor=w["users"]["center"], scope=w["center"], file=file, decision="approve")


@pytest.fixture
def checker(world, make_user) -> dict[str, Any]:  # type: ignore[no-untyped-def]  # noqa: F811
    Role.objects.create(name="xc", label="名单复核", permissions=[CrossCheckPerm.VIEW, CrossCheckPerm.DECIDE])
    user = make_user("lps_xc", ("xc", "520200"))
    return {"user": user, "scope": scope_for_user(user)}


def test_nothing_is_matched_before_the_authorization(world, tree) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    make_list(tree.lps, Agency.CIVIL_AFFAIRS, 2026, [SON])
    file = apply(world)
    with pytest.raises(DomainError) as refused:
        household_crosscheck(actor=None, file=file)
    assert refused.value.code == "aid.authorization_required"
    assert not CrossCheckReview.all_objects.exists()


def test_the_household_is_matched_when_the_authorization_is_recorded(world, tree) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    make_list(tree.lps, Agency.CIVIL_AFFAIRS, 2026, [SON])
    make_list(tree.dingxi, Agency.CIVIL_AFFAIRS, 2026, [id_number(600)])  # another province's list: not ours
    file = apply(world)
    file_authorize(actor=world["users"]["officer"], scope=world["officer"], file=file, stored_name="auth.pdf")
    reviews = household_reviews(file)
    family_pk = file.family.get(name="王小明").pk
    assert [(r.subject_id, r.status) for r in reviews] == [(f"{file.pk}.{family_pk}", Decision.PENDING)]
    evidence = CrossCheckMatch.objects.get(review=reviews[0])
    assert "民政" in evidence.reason and SON not in evidence.reason and SON[-4:] in evidence.reason
    assert AuditEvent.all_objects.filter(action="crosscheck.run").count() == 1
    # The review pages name the family member and link to the household's file.
    subject = describe_subjects([(CROSSCHECK_SUBJECT, reviews[0].subject_id)])[
        (CROSSCHECK_SUBJECT, reviews[0].subject_id)
    ]
    assert (subject.kind_label, subject.label, subject.url) == (
        "困难职工档案",
        "王小明（王师傅的子）",
        f"/aid/files/{file.pk}/",
    )


def test_a_pending_match_stops_the_filing_and_a_cleared_one_lets_it_through(world, tree, checker) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    make_list(tree.lps, Agency.CIVIL_AFFAIRS, 2026, [SON])
    file = to_center(world, apply(world))
    assert file.status == FileStatus.HIGHER_APPROVED
    with pytest.raises(DomainError) as refused:
        center_files(world, file)
    assert (refused.value.code, refused.value.status) == ("aid.crosscheck_pending", 409)
    file.refresh_from_db()
    assert file.status == FileStatus.HIGHER_APPROVED
    (review,) = household_reviews(file)
    crosscheck_decide(
        actor=checker["user"],
        scope=checker["scope"],
        review_id=review.pk,
        decision=Decision.CLEARED,
        reason="低保户，属深度困难建档对象，不是重复受助",
    )
    assert center_files(world, file).status == FileStatus.FILED


def test_a_confirmed_duplicate_is_refused(world, tree, checker) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    make_list(tree.lps, Agency.CIVIL_AFFAIRS, 2026, [SON])
    file = to_center(world, apply(world))
    (review,) = household_reviews(file)
    crosscheck_decide(
        actor=checker["user"],
        scope=checker["scope"],
        review_id=review.pk,
        decision=Decision.CONFIRMED,
        reason="已由民政全额救助",
    )
    with pytest.raises(DomainError) as refused:
        center_files(world, file)
    assert refused.value.code == "aid.crosscheck_duplicate" and "已由民政全额救助" in refused.value.message
    file.refresh_from_db()
    assert file.status == FileStatus.HIGHER_APPROVED


def test_a_list_uploaded_after_the_authorization_is_matched_before_filing(world, tree) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    file = to_center(world, apply(world))
    assert household_reviews(file) == []
    make_list(tree.province, Agency.WOMENS_FEDERATION, 2026, [id_number(600)], program="春蕾计划")
    with pytest.raises(DomainError) as refused:
        center_files(world, file)
    assert refused.value.code == "aid.crosscheck_pending"
    assert [r.subject_id for r in household_reviews(file)] == [str(file.pk)]  # the worker this time
