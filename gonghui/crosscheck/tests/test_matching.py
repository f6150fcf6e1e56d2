"""Matching subjects against agency lists by blind index: evidence, reviews, decisions, scope."""

from __future__ import annotations

from datetime import date

import pytest

from gonghui.accounts.scope import scope_for_user
from gonghui.core.errors import DomainError, NotFoundError, PermissionDeniedError
from gonghui.core.models import AuditEvent
from gonghui.core.scoping import unscoped
from gonghui.crosscheck.models import Agency, AgencyList, AgencyRecord, CrossCheckMatch, CrossCheckReview, Decision
from gonghui.crosscheck.services import Subject, crosscheck_decide, crosscheck_subjects, matches_for, review_list
from gonghui.members.tests.factories import id_number
from gonghui.members.validation import identity_index

pytestmark = pytest.mark.django_db


def make_list(org, agency: str, year: int, numbers: list[str], program: str = "城乡低保") -> AgencyList:  # type: ignore[no-untyped-def]
    the_list = AgencyList.all_objects.create(org=org, org_path=org.path, agency=agency, program=program, year=year)
    AgencyRecord.all_objects.bulk_create(
        AgencyRecord(
            list=the_list,
            org_path=org.path,
            id_index=identity_index("1", n),
            id_masked=n[:6] + "********" + n[-4:],
            name=f"受助人{i}",
            program=program,
            year=year,
            amount_fen=120000,
        )
        for i, n in enumerate(numbers)
    )
    return the_list


@pytest.fixture
def lists(tree):  # type: ignore[no-untyped-def]
    return {
        "civil": make_list(tree.lps, Agency.CIVIL_AFFAIRS, 2025, [id_number(1), id_number(2)]),
        "league": make_list(tree.province, Agency.YOUTH_LEAGUE, 2024, [id_number(2)], program="希望工程"),
        "foreign": make_list(tree.dingxi, Agency.WOMENS_FEDERATION, 2025, [id_number(3)]),
    }


def test_matches_are_found_through_the_blind_index(tree, lists, django_assert_max_num_queries) -> None:  # type: ignore[no-untyped-def]
    wanted = [identity_index("1", id_number(n)) for n in (1, 2, 3, 4)]
    with django_assert_max_num_queries(1):
        found = matches_for(wanted)
    assert {k: len(v) for k, v in found.items()} == {wanted[0]: 1, wanted[1]: 2, wanted[2]: 1}
    assert found[wanted[0]][0].amount_fen == 120000
    assert set(matches_for(wanted, year=2024)) == {wanted[1]}
    # A subject under the city sees the city's and the province's lists, never another root's.
    under_city = matches_for(wanted, org_path=tree.courier_union.path)
    assert {k: len(v) for k, v in under_city.items()} == {wanted[0]: 1, wanted[1]: 2}
    assert set(matches_for(wanted, org_path=tree.nanming.path)) == {wanted[1]}


def subjects(tree) -> list[Subject]:  # type: ignore[no-untyped-def]
    return [
        Subject("student_aid.application", 11, identity_index("1", id_number(1)), tree.courier_union),
        Subject("student_aid.application", 12, identity_index("1", id_number(2)), tree.courier_union),
        Subject("aid.family", 13, identity_index("1", id_number(3)), tree.nanming),  # only a foreign list has them
        Subject("aid.family", 14, identity_index("1", id_number(4)), tree.nanming),
    ]


def test_evidence_is_kept_per_subject_once(tree, lists) -> None:  # type: ignore[no-untyped-def]
    flagged = crosscheck_subjects(actor=None, subjects=subjects(tree))
    assert sorted(r.subject_id for r in flagged) == ["11", "12"]
    with unscoped():
        evidence = {
            (m.review.subject_id, m.record.list_id): m.reason
            for m in CrossCheckMatch.objects.select_related("review", "record")
        }
        assert set(evidence) == {("11", lists["civil"].pk), ("12", lists["civil"].pk), ("12", lists["league"].pk)}
        assert "共青团2024 年“希望工程”名单" in evidence[("12", lists["league"].pk)]
        assert all(r.status == Decision.PENDING for r in CrossCheckReview.objects.all())
        assert AuditEvent.objects.filter(action="crosscheck.run").count() == 1
    # Again: nothing doubled.
    crosscheck_subjects(actor=None, subjects=subjects(tree), year=2025)
    with unscoped():
        assert CrossCheckMatch.objects.count() == 3
        assert CrossCheckReview.objects.count() == 2


def test_a_flagged_subject_needs_a_reviewers_decision(tree, lists, make_user) -> None:  # type: ignore[no-untyped-def]
    flagged = crosscheck_subjects(actor=None, subjects=subjects(tree))
    review = next(r for r in flagged if r.subject_id == "11")
    reviewer = make_user("lps_reviewer", ("reviewer", "520200"))
    officer = make_user("lps_officer", ("officer", "520200"))
    foreign = make_user("dx_reviewer", ("reviewer", "621100"))

    def decide(user, decision: str = Decision.CLEARED, reason: str = "系同名同号录入错误，民政已更正"):  # type: ignore[no-untyped-def]
        return crosscheck_decide(
            actor=user, scope=scope_for_user(user), review_id=review.pk, decision=decision, reason=reason
        )

    with pytest.raises(NotFoundError):
        decide(foreign)
    with pytest.raises(PermissionDeniedError):
        decide(officer)
    with pytest.raises(DomainError) as exc:
        decide(reviewer, reason="  ")
    assert exc.value.code == "crosscheck.reason_required"
    with unscoped():
        assert CrossCheckReview.objects.get(pk=review.pk).status == Decision.PENDING
    decided = decide(reviewer, Decision.CONFIRMED, "已领取民政助学金，不予重复资助")
    assert (decided.status, decided.decided_by) == (Decision.CONFIRMED, reviewer)
    with pytest.raises(DomainError) as exc:
        decide(reviewer)
    assert exc.value.code == "crosscheck.already_decided"
    with unscoped():
        event = AuditEvent.objects.get(action="crosscheck.review.confirmed")
    assert event.data["reason"] == "已领取民政助学金，不予重复资助"
    # The reviewer's queue is their subtree's; a foreign union sees none of it.
    assert [r.subject_id for r in review_list(scope=scope_for_user(reviewer), status=Decision.PENDING)] == ["12"]
    assert list(review_list(scope=scope_for_user(foreign))) == []


def test_new_evidence_reopens_a_decided_review(tree, lists, make_user) -> None:  # type: ignore[no-untyped-def]
    subject = subjects(tree)[0]
    (review,) = crosscheck_subjects(actor=None, subjects=[subject])
    crosscheck_decide(actor=None, scope=None, review_id=review.pk, decision=Decision.CLEARED, reason="核实非同一人")
    make_list(tree.zhongshan, Agency.EDUCATION, date.today().year, [id_number(1)], program="国家助学金")
    (again,) = crosscheck_subjects(actor=None, subjects=[subject])
    assert (again.pk, again.status, again.reason) == (review.pk, Decision.PENDING, "")
    with unscoped():
        assert CrossCheckMatch.objects.filter(review=review).count() == 2


def test_a_run_costs_the_same_queries_for_many_subjects(tree, django_assert_max_num_queries) -> None:  # type: ignore[no-untyped-def]
    numbers = [id_number(n) for n in range(100, 160)]
    make_list(tree.lps, Agency.CIVIL_AFFAIRS, 2025, numbers)
    many = [Subject("aid.file", n, identity_index("1", x), tree.zhongshan) for n, x in enumerate(numbers)]
    with django_assert_max_num_queries(14):
        flagged = crosscheck_subjects(actor=None, subjects=many)
    assert len(flagged) == 60
    with django_assert_max_num_queries(10):
        crosscheck_subjects(actor=None, subjects=many)
    with unscoped():
        assert CrossCheckMatch.objects.count() == 60
