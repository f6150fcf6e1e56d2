"""What a member sees of their own 12351 cases on the phone (`/m/cases/`): a case is theirs when it
was linked to them at intake or taken from their own mobile (the number they sign in with).

The member sees the steps in plain words, which union holds it, the result and the deadline; the
cadres' internal notes (contacts, reasons for sending a case back up, reminders) stay with the
cadres. Someone else's case number reads as not found.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q, QuerySet

from gonghui.core.scoping import unscoped
from gonghui.members.models import Person
from gonghui.rights import deadlines
from gonghui.rights.models import CaseStatus, HotlineCase

# What the member reads for each status.
MEMBER_STATUS = {
    CaseStatus.PENDING: "已受理，正在转办",
    CaseStatus.HANDLING: "办理中",
    CaseStatus.REPLIED: "已办结，等待回访",
    CaseStatus.FOLLOWED: "已回访",
    CaseStatus.CHECKED: "已回访",
    CaseStatus.CLOSED: "已结案",
}
# The timeline lines a member sees, in their words; the others are the cadres' own.
MEMBER_EVENTS = {
    "intake": "工会已受理您的诉求",
    "answered": "已当场答复",
    "hand_down": "转交{to}办理",
    "take": "{org}已签收办理",
    "reply": "{org}已办结答复",
    "reopen": "您对结果不满意，已转回{to}重新办理",
    "follow_up": "已回访",
    "close": "已结案",
}


@dataclass(frozen=True)
class MemberEvent:
    at: datetime
    text: str


def member_cases(*, person: Person) -> QuerySet[HotlineCase]:
    q = Q(person_id=person.pk)
    if person.mobile:
        q |= Q(caller_phone=person.mobile)
    with unscoped():
        return HotlineCase.all_objects.filter(q).select_related("org").order_by("-created_at", "-pk")


def member_case(*, person: Person, number: str) -> HotlineCase | None:
    """The member's own case with this number; None for anyone else's (nothing said about it)."""
    return member_cases(person=person).filter(number=number.strip()).first()


def member_timeline(case: HotlineCase) -> list[MemberEvent]:
    out = []
    for e in case.events.select_related("org", "to_org").order_by("at", "pk"):
        template = MEMBER_EVENTS.get(e.action)
        if template is None:
            continue
        text = template.format(org=e.org.name if e.org else "工会", to=e.to_org.name if e.to_org else "工会")
        out.append(MemberEvent(e.at, text))
    return out


def member_status(case: HotlineCase) -> str:
    return MEMBER_STATUS[CaseStatus(case.status)]


def member_due(case: HotlineCase) -> datetime | None:
    """The deadline the member may expect an answer by (the handling step's), while it runs."""
    return case.step_due_at if case.status in (CaseStatus.PENDING, CaseStatus.HANDLING) else None


def is_overdue(case: HotlineCase) -> bool:
    return deadlines.is_overdue(status=case.status, due=case.step_due_at)
