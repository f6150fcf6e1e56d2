"""Reads for the member portal: always the signed-in member's own records, never anyone else's."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.utils import timezone

from gonghui.cards.selectors import member_cards
from gonghui.core.masking import mask_mobile
from gonghui.core.money import fen_to_yuan
from gonghui.core.scoping import unscoped
from gonghui.members.models import LIVE_STATUSES, Membership, Person
from gonghui.portal.models import MemberAccount
from gonghui.student_aid.applications import continuation_refusal
from gonghui.student_aid.models import CLOSED_STATUSES, ApplicationStatus, StudentAidApplication, StudentLevel
from gonghui.student_aid.selectors import student_course


def member_account_of(user: Any) -> MemberAccount | None:
    """The member account behind a signed-in user, or None (anonymous, staff, deactivated)."""
    if user is None or not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return None
    return MemberAccount.objects.select_related("person").filter(user_id=user.pk).first()


def member_membership(*, person: Person) -> Membership | None:
    """The person's live membership, else the latest one (a member who left still sees it)."""
    with unscoped():
        qs = Membership.all_objects.select_related("org").filter(person=person).order_by("-pk")
        return qs.filter(status__in=LIVE_STATUSES).first() or qs.first()


def member_home(*, person: Person) -> dict[str, Any]:
    """What the member's home page shows: who they are, their union and status, their cards."""
    return {
        "person": person,
        "mobile": mask_mobile(person.mobile) if person.mobile else "",
        "membership": member_membership(person=person),
        "cards": member_cards(person=person),
    }


# --- 金秋助学 -----------------------------------------------------------------------------------------


def intake_school_year(today: date | None = None) -> int:
    """The school year applications are taken for now: 金秋助学 runs from summer for the year starting in autumn
    (the calendar year; `student_aid.stats.current_school_year` is the year under way, which the statistics use)."""
    return (today or timezone.localdate()).year


def aid_continuations(*, person: Person, up_to_year: int) -> list[dict[str, Any]]:
    """Per child, the latest application still standing whose next school year can be applied for now.

    Rejected and withdrawn applications are not continued from (a new application
    is made instead); the course ends in its expected graduation year; and nothing is
    offered that the service would refuse (`student_aid.applications.continuation_refusal`).
    """
    with unscoped():
        applications = list(
            StudentAidApplication.all_objects.filter(person=person)
            .exclude(status__in=CLOSED_STATUSES)
            .order_by("-school_year", "-pk")
        )
    offers, seen = [], set()
    for a in applications:
        if a.student_id_index in seen:
            continue
        seen.add(a.student_id_index)
        if a.school_year + 1 <= up_to_year and continuation_refusal(a, scope=None, member=person) is None:
            offers.append({"id": a.pk, "student_name": a.student_name, "school_year": a.school_year + 1})
    return offers


STEPS = (
    ("submitted", "提交申请"),
    ("unit", "基层工会审核"),
    ("county", "县级总工会审批"),
    ("published", "公示"),
    ("paid", "已发放"),
)
# How many steps are done in each state (rejected and withdrawn are placed by their dates).
_DONE = {
    ApplicationStatus.APPLIED: 1,
    ApplicationStatus.UNIT_REVIEWED: 2,
    ApplicationStatus.APPROVED: 3,
    ApplicationStatus.PUBLISHED: 4,
    ApplicationStatus.PAID: 5,
}


def aid_timeline(application: StudentAidApplication) -> list[dict[str, Any]]:
    """The application's steps as the member reads them: each "done", "current", "stopped" or "todo", with a date."""
    a = application
    publication = a.publication
    dates: dict[str, Any] = {
        "submitted": a.created_at,
        "unit": a.reviewed_at,
        "county": a.approved_at,
        "published": publication.starts_on if publication is not None else None,
        "paid": a.paid_at,
    }
    if a.status in _DONE:
        done = _DONE[ApplicationStatus(a.status)]
        stopped_at = None
    else:
        # Rejected or withdrawn at the first step that had not happened yet.
        # (An upheld 公示 objection stops it at the 公示: it was reviewed and approved before.)
        done = 1 + sum(1 for key in ("unit", "county") if dates[key] is not None)
        stopped_at = done
    notes = {
        "published": (
            f"公示期 {publication.starts_on:%Y-%m-%d} 至 {publication.ends_on:%Y-%m-%d}"
            if publication is not None
            else ""
        ),
    }
    if a.status == ApplicationStatus.PUBLISHED and publication is not None and publication.closed_at is not None:
        notes["published"] += "，公示已结束，等待发放"
    steps = []
    for i, (key, label) in enumerate(STEPS):
        if i < done:
            state = "done"
        elif i == stopped_at:
            state = "stopped"
        elif i == done and stopped_at is None:
            state = "current"
        else:
            state = "todo"
        entry: dict[str, Any] = {"key": key, "label": label, "state": state, "at": dates[key], "note": ""}
        if state in ("done", "current") and key == "published":
            entry["note"] = notes["published"]
        if state == "stopped":
            entry["label"] = f"{label}：{a.get_status_display()}"
            entry["note"] = a.status_note
            entry["at"] = None
        steps.append(entry)
    return steps


def aid_course(application: StudentAidApplication) -> dict[str, Any]:
    """The student's whole course of aid through the member's own applications, with labels and yuan for the page
    (another applicant's years for the same student, their status and union, are not the member's to read)."""
    course = student_course(application, own_only=True)
    levels, states = dict(StudentLevel.choices), dict(ApplicationStatus.choices)
    return {
        "years": [
            {
                "school_year": y["school_year"],
                "level": levels.get(y["level"], y["level"]),
                "status": states.get(y["status"], y["status"]),
                "amount_yuan": fen_to_yuan(y["amount_fen"]),
            }
            for y in course["years"]
        ],
        "paid_yuan": fen_to_yuan(course["paid_fen"]),
    }
