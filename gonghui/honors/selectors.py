"""Honors' reads, each scoped: campaigns, nominations, the register, a member's honors, lectures."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum

from gonghui.core.errors import NotFoundError
from gonghui.core.paths import path_chain
from gonghui.core.scoping import Scope, subtree_q
from gonghui.honors.models import MODEL_WORKER_KINDS, AllowanceStandard, Campaign, HonorHeld, Lecture, Nomination
from gonghui.honors.permissions import HonorPerm
from gonghui.payouts.models import PayoutBatch, PayoutPurpose
from gonghui.payouts.permissions import PayoutPerm


def campaign_list(*, scope: Scope) -> QuerySet[Campaign]:
    """Campaigns of the unions in the scope and of the unions above them that reach into it.

    A grassroots officer sees the province's campaign (it nominates for it): campaigns whose
    union is an ancestor of a node of the scope are listed too.
    """
    qs = Campaign.all_objects.select_related("org").order_by("-year", "-pk")
    if scope.is_superuser:
        return qs
    q = Q(pk__in=[])
    for path in scope.paths_with(HonorPerm.VIEW):
        q |= subtree_q("org_path", path) | Q(org_path__in=path_chain(path))
    return qs.filter(q)


def campaign_get(*, scope: Scope, pk: int) -> Campaign:
    campaign = campaign_list(scope=scope).filter(pk=pk).first()
    if campaign is None:
        raise NotFoundError()
    return campaign


def nomination_list(*, scope: Scope, campaign: Campaign | None = None) -> QuerySet[Nomination]:
    qs = Nomination.objects.within(scope, HonorPerm.VIEW).select_related("org", "at_org", "campaign", "collective_org")
    if campaign is not None:
        qs = qs.filter(campaign=campaign)
    return qs.order_by("org__name", "nominee_name", "pk")


def nomination_get(*, scope: Scope, pk: int) -> Nomination:
    nomination = nomination_list(scope=scope).filter(pk=pk).first()
    if nomination is None:
        raise NotFoundError()
    return nomination


def register_list(*, scope: Scope, year: int | None = None, kind: str = "") -> QuerySet[HonorHeld]:
    qs = HonorHeld.objects.within(scope, HonorPerm.VIEW).select_related("org").order_by("-year", "holder_name", "pk")
    if year:
        qs = qs.filter(year=year)
    if kind:
        qs = qs.filter(kind=kind)
    return qs


@dataclass(frozen=True)
class LectureFilter:
    year: int | None = None
    org_path: str = ""  # the hosting union and those under it
    speaker: str = ""  # part of the speaker's name
    speaker_id: int | None = None
    since: date | None = None
    until: date | None = None


def lecture_list(*, scope: Scope, filters: LectureFilter | None = None) -> QuerySet[Lecture]:
    """Lectures hosted by unions in the scope, newest first, filtered."""
    qs = Lecture.objects.within(scope, HonorPerm.VIEW).select_related("org").order_by("-held_on", "-pk")
    f = filters or LectureFilter()
    if f.year:
        qs = qs.filter(held_on__year=f.year)
    if f.org_path:
        qs = qs.filter(subtree_q("org_path", f.org_path))
    if f.speaker:
        qs = qs.filter(speaker_name__contains=f.speaker)
    if f.speaker_id:
        qs = qs.filter(speaker_id=f.speaker_id)
    if f.since:
        qs = qs.filter(held_on__gte=f.since)
    if f.until:
        qs = qs.filter(held_on__lte=f.until)
    return qs


def lecture_get(*, scope: Scope, pk: int) -> Lecture:
    lecture = lecture_list(scope=scope).filter(pk=pk).first()
    if lecture is None:
        raise NotFoundError()
    return lecture


def lecture_totals(qs: QuerySet[Lecture]) -> dict[str, int]:
    row = qs.aggregate(lectures=Count("pk"), audience=Sum("audience"))
    return {"lectures": row["lectures"] or 0, "audience": row["audience"] or 0}


def speaker_history(*, scope: Scope, person_id: int) -> dict[str, Any]:
    """A speaker's 劳模/工匠 honors and their lectures hosted in the scope, with totals.

    Not found unless the scope sees one of their lectures or their honor on the register.
    """
    honors = list(
        HonorHeld.objects.within(scope, HonorPerm.VIEW)
        .filter(person_id=person_id, kind__in=MODEL_WORKER_KINDS)
        .select_related("org")
        .order_by("-year", "pk")
    )
    lectures = lecture_list(scope=scope, filters=LectureFilter(speaker_id=person_id))
    rows = list(lectures)
    if not honors and not rows:
        raise NotFoundError()
    name = honors[0].holder_name if honors else rows[0].speaker_name
    by_year: dict[int, dict[str, int]] = {}
    for lecture in rows:
        y = by_year.setdefault(lecture.held_on.year, {"lectures": 0, "audience": 0})
        y["lectures"] += 1
        y["audience"] += lecture.audience
    return {
        "person_id": person_id,
        "name": name,
        "honors": honors,
        "lectures": rows,
        "totals": {"lectures": len(rows), "audience": sum(r.audience for r in rows)},
        "by_year": sorted(by_year.items(), reverse=True),
    }


def speaker_choices(*, scope: Scope) -> QuerySet[HonorHeld]:
    """The 劳模 and 工匠 on the register in the scope (the speakers a lecture may name)."""
    return (
        HonorHeld.objects.within(scope, HonorPerm.VIEW)
        .filter(kind__in=MODEL_WORKER_KINDS)
        .select_related("org")
        .order_by("holder_name", "-year")
    )


def member_panel(scope: Scope, person_id: int, org_path: str) -> dict[str, Any] | None:
    """The member's page: every honor they hold (title, level, year, awarding body) and their lectures."""
    if not scope.has_perm(HonorPerm.VIEW, org_path):
        return None
    honors = list(HonorHeld.all_objects.filter(person_id=person_id).order_by("-year", "pk"))
    lectures = list(Lecture.all_objects.filter(speaker_id=person_id).order_by("-held_on")[:20])
    return {"honors": honors, "lectures": lectures}


def allowance_standards(*, scope: Scope) -> QuerySet[AllowanceStandard]:
    """The 劳模津贴 standards of the unions in the scope."""
    return (
        AllowanceStandard.objects.within(scope, HonorPerm.VIEW)
        .select_related("org")
        .order_by("org__path", "-level_floor")
    )


def allowance_batches(*, scope: Scope) -> QuerySet[PayoutBatch]:
    """The 劳模津贴 payout batches the scope may see (the payouts' own view permission), newest first."""
    return (
        PayoutBatch.objects.within(scope, PayoutPerm.VIEW)
        .filter(purpose=PayoutPurpose.MODEL_WORKER)
        .select_related("org")
        .order_by("-created_at", "-pk")
    )
