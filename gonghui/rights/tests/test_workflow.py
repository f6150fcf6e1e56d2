"""The hotline case's workflow through its services: every transition, its refusals, deadlines by
tier with a frozen clock, the once-only reopening, lateness, reminders and the audit trail."""

from __future__ import annotations

from datetime import timedelta

import pytest

from gonghui.core.errors import DomainError, PermissionDeniedError
from gonghui.core.models import AuditEvent
from gonghui.core.scoping import unscoped
from gonghui.members.tests.factories import id_number, register
from gonghui.rights import deadlines, services
from gonghui.rights.models import CaseEvent, CaseStatus, HotlineCase
from gonghui.rights.tests.conftest import T0, act
from gonghui.rights.tests.factories import CALL, take_call
from gonghui.rights.words import Tier

pytestmark = pytest.mark.django_db


def test_deadlines_per_tier_and_step_from_settings(settings) -> None:  # type: ignore[no-untyped-def]
    assert deadlines.step_deadline(tier=Tier.GENERAL, status=CaseStatus.PENDING, started=T0) == T0 + timedelta(days=1)
    assert deadlines.step_deadline(tier=Tier.GENERAL, status=CaseStatus.HANDLING, started=T0) == T0 + timedelta(days=5)
    assert deadlines.step_deadline(tier=Tier.COMPLEX, status=CaseStatus.HANDLING, started=T0) == T0 + timedelta(days=20)
    assert deadlines.step_deadline(tier=Tier.DIFFICULT, status=CaseStatus.REPLIED, started=T0) == T0 + timedelta(days=3)
    assert deadlines.step_deadline(tier=Tier.GENERAL, status=CaseStatus.CLOSED, started=T0) is None
    settings.GONGHUI_HOTLINE_DEADLINES = {"general": {"handle": 7}}
    assert deadlines.step_deadline(tier=Tier.GENERAL, status=CaseStatus.HANDLING, started=T0) == T0 + timedelta(days=7)
    # A step the setting leaves out keeps its default.
    assert deadlines.step_deadline(tier=Tier.GENERAL, status=CaseStatus.PENDING, started=T0) == T0 + timedelta(days=1)
    due = T0 + timedelta(days=1)
    assert deadlines.is_overdue(status=CaseStatus.PENDING, due=due, at=due + timedelta(seconds=1))
    assert not deadlines.is_overdue(status=CaseStatus.PENDING, due=due, at=due)
    assert not deadlines.is_overdue(status=CaseStatus.CLOSED, due=due, at=due + timedelta(days=9))


def test_a_consultation_answered_on_the_call_closes_at_once(people, clock) -> None:  # type: ignore[no-untyped-def]
    case = take_call(
        people["users"]["operator"], people["tree"].province, kind="咨询", answered=True, answer="依法应足额支付"
    )
    assert case.status == CaseStatus.CLOSED and case.closed_at == T0 and case.step_due_at is None
    assert case.number == f"12351-20260302-{case.pk:06d}"
    assert [e.action for e in CaseEvent.objects.filter(case=case).order_by("pk")] == ["intake", "answered"]
    # Only a consultation may be closed on the call, and only with the answer.
    with pytest.raises(DomainError) as exc:
        take_call(people["users"]["operator"], people["tree"].province, kind="投诉", answered=True)
    assert set(exc.value.details) == {"answered", "answer"}


def test_intake_reads_everyday_words_and_names_every_mistake_at_once(people, clock) -> None:  # type: ignore[no-untyped-def]
    case = take_call(people["users"]["operator"], people["tree"].province, tier="疑难")
    assert (case.source, case.kind, case.cause, case.person_type, case.tier) == (
        "phone",
        "complaint",
        "wages",
        "new_employment",
        "difficult",
    )
    assert case.status == CaseStatus.PENDING and case.step_due_at == T0 + timedelta(days=2)
    before = HotlineCase.all_objects.count()
    with pytest.raises(DomainError) as exc:
        take_call(
            people["users"]["operator"],
            people["tree"].province,
            source="飞鸽传书",
            cause="",
            caller_name="",
            caller_phone="12",
            employer_uscc="bad",
            summary=" ",
        )
    assert set(exc.value.details) == {"source", "cause", "caller_name", "caller_phone", "employer_uscc", "summary"}
    assert HotlineCase.all_objects.count() == before


def test_the_phone_matches_a_member_only_within_the_operators_scope(people, clock) -> None:  # type: ignore[no-untyped-def]
    tree = people["tree"]
    ms = register(tree.courier_union, id_number(31), name="李骑手", mobile="13800000031")
    register(tree.dingxi, id_number(32), name="外地人", mobile="13800000032")
    mine = take_call(people["users"]["operator"], tree.province, caller_phone="138-0000-0031")
    assert mine.person_id == ms.person_id and mine.caller_phone == "13800000031"
    # A member of a union outside the operator's scope is not linked (nothing is said about them).
    foreign = take_call(people["users"]["operator"], tree.province, caller_phone="13800000032")
    assert foreign.person_id is None
    # The audit keeps the phone masked.
    with unscoped():
        events = list(AuditEvent.all_objects.filter(action="rights.case.intake").values_list("data", flat=True))
    assert all("13800000031" not in str(d) for d in events)


def test_down_the_tree_level_by_level_then_handled_followed_checked_closed(people, clock) -> None:  # type: ignore[no-untyped-def]
    tree = people["tree"]
    case = take_call(people["users"]["operator"], tree.province)
    # Not past a level: the province hands to the city, not straight to the county.
    with pytest.raises(DomainError) as exc:
        act(people, "operator", services.case_hand_down, case, to_org=tree.zhongshan)
    assert exc.value.code == "rights.not_below"
    clock.advance(hours=2)
    case = act(people, "operator", services.case_hand_down, case, to_org=tree.lps, note="请六盘水办理")
    assert (case.org_id, case.status, case.step_due_at) == (
        tree.lps.pk,
        CaseStatus.PENDING,
        clock.at + timedelta(days=1),
    )
    case = act(people, "city", services.case_hand_down, case, to_org=tree.zhongshan)
    # A sibling county holds no permission on the case's union.
    with pytest.raises(PermissionDeniedError):
        act(people, "sibling", services.case_take, case)
    case = act(people, "county", services.case_take, case)
    assert case.status == CaseStatus.HANDLING and case.step_due_at == clock.at + timedelta(days=5)
    act(people, "county", services.case_contact, case, note="电话联系配送站负责人")
    with pytest.raises(DomainError) as exc:
        act(people, "county", services.case_reply, case, result=" ")
    assert exc.value.code == "rights.note_required"
    case = act(people, "county", services.case_reply, case, result="已协调，工资本周发放")
    assert case.status == CaseStatus.REPLIED and case.handled_by_org_id == tree.zhongshan.pk
    # The follow-up is the intake union's: the county may not do it.
    with pytest.raises(PermissionDeniedError):
        act(people, "county", services.case_follow_up, case, satisfaction="满意")
    case = act(people, "operator", services.case_follow_up, case, satisfaction="非常满意")
    assert (case.status, case.satisfaction) == (CaseStatus.FOLLOWED, "satisfied")
    with pytest.raises(PermissionDeniedError):  # an officer does not hold the quality check
        act(people, "operator", services.case_check, case)
    case = act(people, "checker", services.case_check, case, note="合格")
    case = act(people, "operator", services.case_close, case)
    assert case.status == CaseStatus.CLOSED and case.closed_at == clock.at and not case.late
    actions = list(CaseEvent.objects.filter(case=case).order_by("pk").values_list("action", flat=True))
    assert actions == ["intake", "hand_down", "hand_down", "take", "contact", "reply", "follow_up", "check", "close"]
    with unscoped():
        audited = set(
            AuditEvent.all_objects.filter(target_type="rights.HotlineCase", target_id=str(case.pk)).values_list(
                "action", flat=True
            )
        )
    assert {f"rights.case.{a}" for a in actions} == audited
    # A closed case moves no more.
    with pytest.raises(DomainError) as exc:
        act(people, "operator", services.case_close, case)
    assert exc.value.code == "rights.wrong_status" and exc.value.status == 409


def test_sent_back_up_with_a_reason_never_above_the_intake_union(people, clock) -> None:  # type: ignore[no-untyped-def]
    tree = people["tree"]
    case = take_call(people["users"]["operator"], tree.province)
    with pytest.raises(DomainError) as exc:
        act(people, "operator", services.case_send_up, case, reason="不归我们")
    assert exc.value.code == "rights.top_of_case"
    case = act(people, "operator", services.case_hand_down, case, to_org=tree.lps)
    with pytest.raises(DomainError) as exc:
        act(people, "city", services.case_send_up, case, reason="")
    assert exc.value.code == "rights.note_required"
    case = act(people, "city", services.case_send_up, case, reason="用人单位在贵阳")
    assert case.org_id == tree.province.pk and case.status == CaseStatus.PENDING
    event = CaseEvent.objects.filter(case=case).order_by("-pk").first()
    assert event is not None and (event.action, event.note, event.to_org_id) == (
        "send_up",
        "用人单位在贵阳",
        tree.province.pk,
    )


def test_unsatisfied_reopens_at_the_handler_once_only(people, clock) -> None:  # type: ignore[no-untyped-def]
    tree = people["tree"]
    case = take_call(people["users"]["operator"], tree.province)
    case = act(people, "operator", services.case_hand_down, case, to_org=tree.lps)
    case = act(people, "city", services.case_take, case)
    case = act(people, "city", services.case_reply, case, result="已答复")
    case = act(people, "operator", services.case_follow_up, case, satisfaction="不满意", note="工资仍未到账")
    assert (case.status, case.reopened, case.org_id) == (CaseStatus.HANDLING, 1, tree.lps.pk)
    case = act(people, "city", services.case_reply, case, result="工资已到账")
    case = act(people, "operator", services.case_follow_up, case, satisfaction="很不满意")
    # The second 不满意 is recorded and the case goes on to the check.
    assert (case.status, case.reopened, case.satisfaction) == (CaseStatus.FOLLOWED, 1, "unsatisfied")
    with pytest.raises(DomainError):
        act(people, "operator", services.case_follow_up, case, satisfaction="满意")


def test_a_step_finished_late_marks_the_case_and_the_level_above_reminds(people, clock) -> None:  # type: ignore[no-untyped-def]
    tree = people["tree"]
    case = take_call(people["users"]["operator"], tree.province)
    case = act(people, "operator", services.case_hand_down, case, to_org=tree.lps)
    case = act(people, "city", services.case_hand_down, case, to_org=tree.zhongshan)
    clock.advance(days=1, seconds=1)
    assert deadlines.is_overdue(status=case.status, due=case.step_due_at)
    # The county cannot urge itself; a sibling county sees nothing; the city (above) can.
    with pytest.raises(DomainError):
        act(people, "county", services.case_remind, case)
    case = act(people, "city", services.case_remind, case, note="请尽快签收")
    case = act(people, "operator", services.case_remind, case)
    assert case.reminders == 2 and case.last_reminded_at == clock.at
    case = act(people, "county", services.case_take, case)
    assert case.late  # the dispatch step ended past its deadline
    with pytest.raises(PermissionDeniedError):
        act(people, "viewer", services.case_contact, case, note="x")


def test_intake_needs_the_permission_on_the_union(people, clock) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(PermissionDeniedError):
        take_call(people["users"]["county"], people["tree"].province)
    with pytest.raises(PermissionDeniedError):
        take_call(people["users"]["viewer"], people["tree"].zhongshan)
    assert not HotlineCase.all_objects.exists()
    assert CALL["caller_phone"]  # the shared call has a phone (the masking tests rely on it)


def test_an_id_number_finds_the_member_in_scope_and_is_never_kept(people, clock) -> None:  # type: ignore[no-untyped-def]
    tree = people["tree"]
    number, foreign = id_number(41), id_number(42)
    ms = register(tree.zhongshan, number, name="周师傅")
    register(tree.dingxi, foreign, name="外地人")
    case = take_call(people["users"]["operator"], tree.province, caller_phone="", caller_id_number=number)
    assert case.person_id == ms.person_id
    assert take_call(people["users"]["operator"], tree.province, caller_id_number=foreign).person_id is None
    with pytest.raises(DomainError) as exc:
        take_call(people["users"]["operator"], tree.province, caller_id_number="520102199003071234")
    assert set(exc.value.details) == {"caller_id_number"}
    from django.db import connection

    with connection.cursor() as cursor:
        for table in ("rights_hotlinecase", "rights_caseevent", "core_auditevent"):
            cursor.execute(f"SELECT * FROM {table}")  # noqa: S608 - fixed table names
            assert number not in repr(cursor.fetchall()), table
