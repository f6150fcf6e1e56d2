"""The demo's 祁阳 金秋助学 (order 55) and the agency lists (order 56), loaded once at `small`.

The whole demo loads (`gonghui demo --no-serve`) into one transaction that the
module rolls back at its end; each test runs inside it and rolls its own changes back.
"""

from __future__ import annotations

import io
import json
import random
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from gonghui.accounts.models import User
from gonghui.accounts.scope import scope_for_user
from gonghui.aid.models import FileStatus, HardshipFile
from gonghui.core.demo import DemoContext
from gonghui.core.errors import DomainError
from gonghui.core.models import AuditEvent
from gonghui.core.scoping import subtree_q, unscoped
from gonghui.crosscheck.models import AgencyList, AgencyRecord, CrossCheckMatch, CrossCheckReview, Decision
from gonghui.crosscheck.services import review_list
from gonghui.members.models import Person
from gonghui.orgs.models import Org
from gonghui.payouts.models import BatchStatus, PayoutBatch, PayoutPurpose
from gonghui.student_aid.applications import application_decide
from gonghui.student_aid.demo import (
    SPECIAL_SON,
    SPECIAL_THIS_YEAR_YUAN,
    SPECIAL_TOTAL_YUAN,
    Plan,
    plan_students,
    targets,
)
from gonghui.student_aid.models import (
    ApplicationStatus,
    Objection,
    ObjectionStatus,
    Publication,
    PublicationStatus,
    StudentAidApplication,
    StudentLevel,
)
from gonghui.student_aid.permissions import StudentAidPerm
from gonghui.student_aid.publication import objection_resolve, publication_close
from gonghui.student_aid.selectors import CROSSCHECK_SUBJECT, publication_entries

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(django_db_setup: None, django_db_blocker: Any) -> Iterator[str]:
    """The small demo, loaded once for the module; what `gonghui demo` printed."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            out = io.StringIO()
            call_command("demo", "--no-serve", stdout=out, stderr=io.StringIO())
            yield out.getvalue()
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


def qiyang() -> Org:
    with unscoped():
        return Org.objects.get(code="431181")


def applications(**filters: Any) -> list[StudentAidApplication]:
    with unscoped():
        return list(
            StudentAidApplication.all_objects.filter(subtree_q("org_path", qiyang().path), **filters).order_by("pk")
        )


def as_user(username: str) -> dict[str, Any]:
    user = User.objects.get(username=username)
    return {"actor": user, "scope": scope_for_user(user)}


def test_the_targets_are_the_pages_at_seed_and_two_percent_at_small() -> None:
    seed = DemoContext(scale="seed", rng=random.Random(1))
    small = DemoContext(scale="small", rng=random.Random(1))
    assert targets(seed) == (1_246, 2_236_000)
    assert targets(small) == (25, 44_700)  # ¥44,720 in whole hundreds: every standard is a whole hundred


def test_the_plan_adds_up_exactly_at_seed() -> None:
    """Without loading the seed: the students besides the son add up to the rest of ¥223.6万, valid courses."""
    plans = plan_students(random.Random(20230920), 1_245, 2_236_000 - SPECIAL_TOTAL_YUAN)
    assert len(plans) == 1_245
    assert sum(p.yuan() for p in plans) == 2_220_000
    assert all(p.valid() for p in plans)
    # Some are aided for several years (whole-course aid), counted once each.
    assert sum(p.years for p in plans) > len(plans)
    assert not Plan(StudentLevel.HIGH_SCHOOL, 2026, 2, 0).valid()  # nothing paid beyond this school year


def test_stats_print_the_scaled_figures(demo: str) -> None:
    out = io.StringIO()
    call_command("stats", "--org", "431181", "--json", stdout=out)
    figures = json.loads(out.getvalue().strip().splitlines()[-1])
    assert (figures["student_aid_students"], figures["student_aid_yuan"]) == (25, 44_700.0)
    # Paid through the payout batches of 祁阳市总工会: the same money reached the cards.
    assert figures["payout_yuan"] == 44_700.0
    paid = applications(status=ApplicationStatus.PAID)
    assert len({a.student_id_index for a in paid}) == 25 < len(paid)
    assert {a.school_year for a in paid} == set(range(2017, 2027))
    assert all(a.payout_item_id is not None and a.paid_at is not None for a in paid)
    # Each school year's round was published, closed and paid in its own autumn.
    assert {a.paid_at.year for a in paid if a.paid_at} == set(range(2017, 2027))
    with unscoped():
        closed = Publication.all_objects.filter(org=qiyang(), status=PublicationStatus.CLOSED)
        assert sorted(closed.values_list("year", flat=True)) == list(range(2017, 2027))
        batches = PayoutBatch.all_objects.filter(org=qiyang(), purpose=PayoutPurpose.STUDENT_AID)
        assert set(batches.values_list("status", flat=True)) == {BatchStatus.RECONCILED}
        assert batches.count() == 10
    # Nobody in 贵州 was paid 祁阳's aid.
    out = io.StringIO()
    call_command("stats", "--org", "520000", "--json", stdout=out)
    assert json.loads(out.getvalue().strip().splitlines()[-1])["student_aid_students"] == 0


def test_the_son_aided_from_high_school_into_university(demo: str) -> None:
    mine = [a for a in applications(student_name=SPECIAL_SON)]
    assert [a.school_year for a in mine] == list(range(2019, 2027))
    assert {a.status for a in mine} == {ApplicationStatus.PAID}
    assert sum(a.amount_fen for a in mine) == SPECIAL_TOTAL_YUAN * 100 == 1_600_000
    assert mine[-1].amount_fen == SPECIAL_THIS_YEAR_YUAN * 100 == 400_000
    assert [a.level for a in mine] == [StudentLevel.HIGH_SCHOOL] * 4 + [StudentLevel.UNDERGRADUATE] * 4
    # One course of aid: each year continues the last, the family on file throughout.
    assert [a.continued_from_id for a in mine[1:]] == [a.pk for a in mine[:-1]]
    assert len({a.student_id_index for a in mine}) == 1 and all(a.is_on_file for a in mine)
    with unscoped():
        hardship = HardshipFile.all_objects.get(person_id=mine[0].person_id)
    assert hardship.status == FileStatus.FILED and hardship.authorized_at is not None


def test_applications_wait_for_review_and_for_approval(demo: str) -> None:
    waiting_review = applications(school_year=2026, status=ApplicationStatus.APPLIED)
    waiting_approval = applications(school_year=2026, status=ApplicationStatus.UNIT_REVIEWED)
    assert (len(waiting_review), len(waiting_approval)) == (3, 5)
    # One continues a student paid in 2025 (prefilled from last year's application).
    continued = [a for a in waiting_review if a.continued_from_id]
    assert len(continued) == 1
    with unscoped():
        assert StudentAidApplication.all_objects.get(pk=continued[0].continued_from_id).status == "paid"
    # The grassroots union's reviewer reviews one of its own.
    own = next(a for a in waiting_review if a.org.code == "431181G01")
    reviewed = application_decide(**as_user("qy_unit"), application=own, approve=True)
    assert reviewed.status == ApplicationStatus.UNIT_REVIEWED
    # The county's approver approves one nobody's list names. The lists' upload matched every waiting
    # student already: the one on 民政's list that nobody has tried to approve waits for a decision too.
    with unscoped():
        listed = set(
            AgencyRecord.all_objects.filter(org_path=qiyang().path, year=2026).values_list("id_index", flat=True)
        )
        pending = set(
            CrossCheckReview.all_objects.filter(subject_type=CROSSCHECK_SUBJECT, status=Decision.PENDING).values_list(
                "subject_id", flat=True
            )
        )
    unlisted = [a for a in waiting_approval if a.student_id_index not in listed]
    flagged_by_upload = [a for a in waiting_approval if a.student_id_index in listed]
    assert (len(unlisted), len(flagged_by_upload)) == (2, 3)
    assert {str(a.pk) for a in flagged_by_upload} <= pending
    approved = application_decide(**as_user("qy_reviewer"), application=unlisted[0], approve=True)
    assert approved.status == ApplicationStatus.APPROVED
    minzheng = next(
        a
        for a in flagged_by_upload
        if "民政"
        in " ".join(CrossCheckMatch.objects.filter(review__subject_id=str(a.pk)).values_list("reason", flat=True))
    )
    with pytest.raises(DomainError) as flagged:
        application_decide(**as_user("qy_reviewer"), application=minzheng, approve=True)
    assert flagged.value.code == "student_aid.crosscheck_pending"


def test_an_open_publication_with_an_objection(demo: str) -> None:
    today = timezone.localdate()
    with unscoped():
        publication = Publication.all_objects.get(status=PublicationStatus.OPEN)
        objection = Objection.all_objects.get(publication=publication)
    assert publication.org.code == "431181" and publication.school_year == 2026
    assert publication.starts_on <= today <= publication.ends_on
    assert objection.status == ObjectionStatus.OPEN and objection.received_on == today
    assert objection.application.status == ApplicationStatus.PUBLISHED
    entries = publication_entries(publication)
    assert len(entries) == 5
    published = applications(publication=publication)
    text = json.dumps(entries, ensure_ascii=False)
    assert all(a.student_id_masked not in text for a in published)
    # The 公示 cannot end before its window closes and the objection is resolved; the approver resolves it.
    county = as_user("qy_county")
    with pytest.raises(DomainError) as early:
        publication_close(**county, publication=publication, on=publication.ends_on + timedelta(days=1))
    assert early.value.code == "notices.open_objections"
    resolved = objection_resolve(**as_user("qy_reviewer"), objection=objection, upheld=False, note="经走访核实属实困难")
    assert resolved.status == ObjectionStatus.DISMISSED
    closed = publication_close(**county, publication=publication, on=publication.ends_on + timedelta(days=1))
    assert closed.status == PublicationStatus.CLOSED


def test_agency_lists_flag_a_few_duplicates(demo: str) -> None:
    with unscoped():
        lists = list(AgencyList.all_objects.select_related("org").order_by("org__code", "agency"))
        reviews = list(CrossCheckReview.all_objects.filter(subtree_q("org_path", qiyang().path)).order_by("pk"))
        matches = {
            r.pk: list(CrossCheckMatch.objects.filter(review=r).values_list("reason", flat=True)) for r in reviews
        }
        people = set(Person.objects.values_list("id_index", flat=True))
        on_lists = list(AgencyRecord.all_objects.values_list("id_index", flat=True))
        imports = AuditEvent.all_objects.filter(action="crosscheck.import_agency_list").count()
    # Four agencies' lists at 祁阳 and at 贵州, each through the bulk engine (one import job each).
    assert [(x.org.code, x.agency) for x in lists] == [
        (code, agency)
        for code in ("431181", "520000")
        for agency in ("civil_affairs", "education", "womens_federation", "youth_league")
    ]
    assert imports == 8 and all(x.row_count > 0 and x.file_name for x in lists)
    assert {x.file_name.rsplit(".", 1)[-1] for x in lists} == {"csv", "xlsx"}
    # Mostly people who are not members.
    assert sum(1 for i in on_lists if i in people) <= 12 < len(on_lists) // 10
    # Three wait for a reviewer (one on two lists), flagged when the lists came in; one was cleared
    # with a reason and then approved.
    assert sorted(r.status for r in reviews) == [Decision.CLEARED, Decision.PENDING, Decision.PENDING, Decision.PENDING]
    pending = [r for r in reviews if r.status == Decision.PENDING]
    assert sorted(len(matches[r.pk]) for r in pending) == [1, 1, 2]
    assert any("民政" in m for r in pending for m in matches[r.pk])
    cleared = next(r for r in reviews if r.status == Decision.CLEARED)
    assert "春蕾计划" in cleared.reason and cleared.decided_by is not None
    with unscoped():
        assert StudentAidApplication.all_objects.get(pk=cleared.subject_id).status == ApplicationStatus.APPROVED
    for r in pending:
        with unscoped():
            assert StudentAidApplication.all_objects.get(pk=r.subject_id).status == ApplicationStatus.UNIT_REVIEWED
    # The county reviewer's queue shows both; a foreign union's shows none.
    queue = list(review_list(scope=scope_for_user(User.objects.get(username="qy_reviewer"))))
    assert {r.status for r in queue} == {Decision.PENDING, Decision.CLEARED} and len(queue) == 4
    assert list(review_list(scope=scope_for_user(User.objects.get(username="dx_viewer")))) == []


def test_the_demo_accounts_of_qiyang(demo: str) -> None:
    for username in ("qy_officer", "qy_unit", "qy_reviewer", "qy_county"):
        assert username in demo
    officer = scope_for_user(User.objects.get(username="qy_officer"))
    reviewer = scope_for_user(User.objects.get(username="qy_reviewer"))
    with unscoped():
        g01, g02 = Org.objects.get(code="431181G01"), Org.objects.get(code="431181G02")
    assert officer.has_perm(StudentAidPerm.APPLY, g01.path) and not officer.has_perm(StudentAidPerm.APPLY, g02.path)
    assert not officer.has_perm(StudentAidPerm.APPROVE, qiyang().path)
    assert reviewer.has_perm(StudentAidPerm.APPROVE, qiyang().path) and reviewer.has_perm(
        StudentAidPerm.REVIEW, g02.path
    )


def test_the_father_signs_in_on_the_phone_and_sees_his_sons_course(demo: str) -> None:
    from gonghui.accounts.demo import DEMO_PASSWORD
    from gonghui.core.tests.clients import client as new_client
    from gonghui.portal.models import MemberAccount
    from gonghui.student_aid.demo import SPECIAL_FATHER

    account = MemberAccount.objects.select_related("user", "person").get(person__name=SPECIAL_FATHER)
    assert account.user.username == account.person.mobile and account.user.username in demo
    phone = new_client()
    signed_in = phone.post("/m/login/", {"username": account.user.username, "password": DEMO_PASSWORD})
    assert signed_in.status_code == 302
    mine = phone.get("/m/aid/").content.decode()
    assert mine.count(SPECIAL_SON) >= 1 and "已发放" in mine
    with unscoped():
        latest = StudentAidApplication.all_objects.filter(student_name=SPECIAL_SON).order_by("-school_year").first()
    assert latest is not None
    detail = phone.get(f"/m/aid/{latest.pk}/").content.decode()
    assert "¥4,000.00" in detail and "16000" in detail.replace(",", "")
