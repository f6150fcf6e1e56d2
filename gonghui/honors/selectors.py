"""Honors' reads, each scoped: campaigns, nominations, the register, a member's honors, lectures."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from gonghui.core.errors import NotFoundError
from gonghui.core.paths import path_chain
from gonghui.core.scoping import Scope, subtree_q
from gonghui.honors.models import Campaign, HonorHeld, Lecture, Nomination
from gonghui.honors.permissions import HonorPerm


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


def lecture_list(*, scope: Scope) -> QuerySet[Lecture]:
    return Lecture.objects.within(scope, HonorPerm.VIEW).select_related("org").order_by("-held_on", "-pk")


def member_panel(scope: Scope, person_id: int, org_path: str) -> dict[str, Any] | None:
    """The member's page: every honor they hold (title, level, year, awarding body) and their lectures."""
    if not scope.has_perm(HonorPerm.VIEW, org_path):
        return None
    honors = list(HonorHeld.all_objects.filter(person_id=person_id).order_by("-year", "pk"))
    lectures = list(Lecture.all_objects.filter(speaker_id=person_id).order_by("-held_on")[:20])
    return {"honors": honors, "lectures": lectures}
