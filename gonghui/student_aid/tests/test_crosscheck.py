"""Before approval the student is matched against other agencies' lists; a match waits for a decision."""

from __future__ import annotations

import pytest

from gonghui.core.errors import DomainError
from gonghui.crosscheck.models import AgencyList, AgencyRecord, CrossCheckMatch, CrossCheckReview
from gonghui.crosscheck.services import crosscheck_decide
from gonghui.members.validation import identity_index
from gonghui.student_aid.applications import application_decide
from gonghui.student_aid.models import ApplicationStatus
from gonghui.student_aid.tests.factories import SON, World, apply

pytestmark = pytest.mark.django_db


def youth_league_list(world: World) -> None:
    """共青团's 2026 aid list, uploaded at the city federation, naming the student."""
    lps = world.tree.lps
    roll = AgencyList.all_objects.create(
        org=lps, org_path=lps.path, agency="youth_league", program="希望工程", year=2026
    )
    AgencyRecord.all_objects.create(
        list=roll,
        org_path=lps.path,
        id_index=identity_index("1", SON),
        id_masked=f"{SON[:6]}********{SON[-4:]}",
        name="李小龙",
        program="希望工程",
        year=2026,
        amount_fen=2000_00,
    )


def reviewed(world: World):  # type: ignore[no-untyped-def]
    application = apply(world)
    return application_decide(**world.as_("unit"), application=application, approve=True)


def test_a_match_waits_for_its_decision_then_a_cleared_one_is_approved(world: World) -> None:
    youth_league_list(world)
    application = reviewed(world)
    with pytest.raises(DomainError) as pending:
        application_decide(**world.as_("county"), application=application, approve=True)
    assert pending.value.code == "student_aid.crosscheck_pending"
    application.refresh_from_db()
    assert application.status == ApplicationStatus.UNIT_REVIEWED
    # The match and its evidence were kept although the approval was refused.
    review = CrossCheckReview.all_objects.get(subject_type="student_aid.application", subject_id=str(application.pk))
    evidence = CrossCheckMatch.objects.get(review=review).reason
    assert "共青团" in evidence and "希望工程" in evidence and SON not in evidence
    crosscheck_decide(
        **world.as_("county"), review_id=review.pk, decision="cleared", reason="希望工程为一次性奖励，不属重复资助"
    )
    approved = application_decide(**world.as_("county"), application=application, approve=True)
    assert approved.status == ApplicationStatus.APPROVED


def test_a_confirmed_duplicate_is_not_approved(world: World) -> None:
    youth_league_list(world)
    application = reviewed(world)
    with pytest.raises(DomainError):
        application_decide(**world.as_("county"), application=application, approve=True)
    review = CrossCheckReview.all_objects.get(subject_id=str(application.pk))
    crosscheck_decide(**world.as_("county"), review_id=review.pk, decision="confirmed", reason="同年已获共青团助学金")
    with pytest.raises(DomainError) as duplicate:
        application_decide(**world.as_("county"), application=application, approve=True)
    assert duplicate.value.code == "student_aid.crosscheck_duplicate" and "共青团" in duplicate.value.message


def test_no_list_no_flag(world: World) -> None:
    application = reviewed(world)
    assert application_decide(**world.as_("county"), application=application, approve=True).status == "approved"
    assert not CrossCheckReview.all_objects.exists()
