"""The member's page: the panel of their volunteer service at rest stations (registered with core.ui)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone

from gonghui.core.scoping import Scope, unscoped
from gonghui.stations.models import DutyCheckIn, GroupMember, VolunteerStatus
from gonghui.stations.permissions import StationPerm

YEAR = timedelta(days=365)


def volunteer_panel(scope: Scope, person_id: int, org_path: str) -> dict[str, Any] | None:
    """Their duty groups and the last year's duties; hidden without the stations right or any group.

    Stations are public (the map shows them), so a station run by a union outside the viewer's
    subtree is named; its roster is not.
    """
    if not scope.has_perm_anywhere(StationPerm.VIEW):
        return None
    with unscoped():
        groups = list(
            GroupMember.objects.filter(
                person_id=person_id, status__in=[VolunteerStatus.APPROVED, VolunteerStatus.PENDING]
            )
            .select_related("group", "station", "group__leader")
            .order_by("station__name")
        )
        if not groups:
            return None
        since = timezone.now() - YEAR
        duties = DutyCheckIn.objects.filter(person_id=person_id, checked_in_at__gte=since).aggregate(
            done=Count("pk"), late=Count("pk", filter=Q(late=True))
        )
    return {"groups": groups, "done": duties["done"], "late": duties["late"]}
