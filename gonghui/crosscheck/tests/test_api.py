"""`/api/v1/crosscheck`: the queue, a review's evidence (masked), and a decision with a reason, by role and scope."""

from __future__ import annotations

from typing import Any

import pytest

from gonghui.core.models import AuditEvent
from gonghui.crosscheck.models import Agency, CrossCheckReview, Decision
from gonghui.crosscheck.services import Subject, crosscheck_subjects
from gonghui.crosscheck.tests.test_matching import make_list
from gonghui.members.tests.factories import Api, assert_error, id_number
from gonghui.members.validation import identity_index

pytestmark = pytest.mark.django_db
BASE = "/api/v1/crosscheck/reviews"


@pytest.fixture
def world(tree, make_user, bearer) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    make_list(tree.lps, Agency.CIVIL_AFFAIRS, 2026, [id_number(1)])
    make_list(tree.nanming, Agency.WOMENS_FEDERATION, 2026, [id_number(3)], program="春蕾计划")
    subjects = [
        Subject("test.subject", 1, identity_index("1", id_number(1)), tree.courier_union),
        Subject("test.subject", 3, identity_index("1", id_number(3)), tree.nanming),
    ]
    reviews = {r.subject_id: r for r in crosscheck_subjects(actor=None, subjects=subjects, year=2026)}
    apis = {"anon": Api({})}
    for who, role, code in [
        ("reviewer", "reviewer", "520201"),
        ("officer", "officer", "520201"),
        ("foreign", "reviewer", "520102"),
    ]:
        apis[who] = Api(bearer(make_user(f"xa_{who}", (role, code))))
    return {"ours": reviews["1"], "theirs": reviews["3"], **apis}


def test_the_queue_and_a_review_with_its_evidence(world) -> None:  # type: ignore[no-untyped-def]
    page = world["officer"].get(BASE).json()
    assert [r["id"] for r in page["items"]] == [world["ours"].pk] and page["count"] == 1
    assert page["items"][0]["status"] == "pending" and page["items"][0]["evidence"] is None
    detail = world["officer"].get(f"{BASE}/{world['ours'].pk}").json()
    (evidence,) = detail["evidence"]
    number = id_number(1)
    assert evidence["agency"] == "civil_affairs" and evidence["amount"] == "1200.00"
    assert evidence["id_masked"] == f"{number[:6]}********{number[-4:]}" and number not in str(detail)
    assert world["officer"].get(BASE, status="cleared").json()["count"] == 0


def test_a_reviewer_decides_with_a_reason(world) -> None:  # type: ignore[no-untyped-def]
    url = f"{BASE}/{world['ours'].pk}/decide"
    assert_error(world["reviewer"].post(url, {"decision": "cleared", "reason": " "}), 400, "crosscheck.reason_required")
    assert_error(world["reviewer"].post(url, {"decision": "maybe", "reason": "x"}), 400, "crosscheck.bad_decision")
    done = world["reviewer"].post(url, {"decision": "confirmed", "reason": "已获民政全额救助"}).json()
    assert (done["status"], done["reason"], done["decided_by"]) == ("confirmed", "已获民政全额救助", "xa_reviewer")
    assert AuditEvent.all_objects.filter(action="crosscheck.review.confirmed").count() == 1
    assert_error(
        world["reviewer"].post(url, {"decision": "cleared", "reason": "改判"}), 409, "crosscheck.already_decided"
    )


@pytest.mark.parametrize(
    ("who", "status", "code"),
    [("anon", 401, "unauthenticated"), ("officer", 403, "permission_denied"), ("foreign", 404, "not_found")],
)
def test_others_cannot_decide(world, who: str, status: int, code: str) -> None:  # type: ignore[no-untyped-def]
    resp = world[who].post(f"{BASE}/{world['ours'].pk}/decide", {"decision": "cleared", "reason": "试图排除"})
    assert_error(resp, status, code)
    assert CrossCheckReview.all_objects.get(pk=world["ours"].pk).status == Decision.PENDING


def test_a_foreign_review_is_404(world) -> None:  # type: ignore[no-untyped-def]
    assert_error(world["reviewer"].get(f"{BASE}/{world['theirs'].pk}"), 404, "not_found")
    assert world["foreign"].get(f"{BASE}/{world['theirs'].pk}").status_code == 200
    assert_error(world["anon"].get(BASE), 401, "unauthenticated")


def test_the_queue_reads_its_subjects_once_per_type_not_per_review(world, tree) -> None:  # type: ignore[no-untyped-def]
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    made = 0

    def count(n: int) -> int:  # n more reviews in the queue, then the queries of one page
        nonlocal made
        subjects = [
            Subject("student_aid.application", 100 + made + i, identity_index("1", id_number(1)), tree.courier_union)
            for i in range(n)
        ]
        made += n
        crosscheck_subjects(actor=None, subjects=subjects, year=2026)
        with CaptureQueriesContext(connection) as ctx:
            assert world["officer"].get(BASE).status_code == 200
        return len(ctx.captured_queries)

    count(1)  # the first request also reads what later ones find cached
    assert count(1) == count(4)
