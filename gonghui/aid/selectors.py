"""Reads on hardship files, their reviews, relief visits and campaigns, and the standards, within the caller's scope."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from gonghui.aid.models import (
    FileReview,
    HardshipFile,
    ReliefCampaign,
    ReliefEvent,
    ReliefVisit,
    SubsistenceStandard,
    WelfareRule,
)
from gonghui.aid.permissions import AidPerm
from gonghui.aid.services import subsistence_standard
from gonghui.core.errors import NotFoundError
from gonghui.core.models import AuditEvent
from gonghui.core.regions import region_and_above
from gonghui.core.scoping import Scope, subtree_q, unscoped
from gonghui.orgs.models import Org


def file_list(*, scope: Scope, status: str = "", category: str = "") -> QuerySet[HardshipFile]:
    qs = HardshipFile.objects.within(scope, AidPerm.VIEW).select_related("org", "person", "card__bank")
    if status:
        qs = qs.filter(status=status)
    if category:
        qs = qs.filter(category=category)
    return qs.order_by("-created_at", "-pk")


def file_get(*, scope: Scope, pk: int) -> HardshipFile:
    """The file if the scope may see it; another union's id is not found (never 403)."""
    file = file_list(scope=scope).prefetch_related("family").filter(pk=pk).first()
    if file is None:
        raise NotFoundError()
    return file


def visit_list(*, scope: Scope, event: str = "", year: int | None = None) -> QuerySet[ReliefVisit]:
    qs = ReliefVisit.objects.within(scope, AidPerm.VIEW).select_related("org", "person", "campaign")
    if event:
        qs = qs.filter(event=event)
    if year:
        qs = qs.filter(visited_on__year=year)
    return qs.order_by("-visited_on", "-pk")


def file_history(*, scope: Scope, file: HardshipFile) -> list[AuditEvent]:
    """The file's own audit trail, oldest first (part of the file: whoever sees the file sees who moved it)."""
    if not scope.has_perm(AidPerm.VIEW, file.org_path):
        raise NotFoundError()
    return list(
        AuditEvent.all_objects.filter(
            target_type=HardshipFile._meta.label, target_id=str(file.pk), action__startswith="aid.file."
        ).order_by("at", "id")
    )


def review_list(*, scope: Scope, org: Org, year: int) -> QuerySet[FileReview]:
    """The year's reviews of the files under `org` that the scope sees (through the file selector)."""
    files = file_list(scope=scope).filter(subtree_q("org_path", org.path))
    return (
        FileReview.objects.filter(file__in=files.values("pk"), year=year)
        .select_related("file__person", "file__org", "reviewed_by")
        .order_by("-spot_check", "file__org_path", "file_id")
    )


def review_get(*, scope: Scope, pk: int) -> FileReview:
    """A review of a file the scope sees; another union's is not found."""
    review = (
        FileReview.objects.filter(pk=pk, file__in=file_list(scope=scope).values("pk"))
        .select_related("file__org")
        .first()
    )
    if review is None:
        raise NotFoundError()
    return review


def campaign_list(*, scope: Scope, perm: str = AidPerm.RELIEF) -> QuerySet[ReliefCampaign]:
    """The relief campaigns of the unions where the scope holds `perm`, newest first."""
    return ReliefCampaign.objects.within(scope, perm).order_by("-starts_on", "-pk")


# --- the 低保 standards and 慰问 caps ----------------------------------------------------------------


def standard_regions(*, scope: Scope) -> set[str] | None:
    """The region codes whose standards can apply to a union the scope sees: each such union's
    region, its city's and its province's. None for a superuser (every region)."""
    if scope.is_superuser:
        return None
    orgs = Org.objects.within(scope, AidPerm.VIEW).exclude(region_code="").order_by()
    codes = set(orgs.values_list("region_code", flat=True).distinct())
    return {c for code in codes for c in region_and_above(code)}


def standard_list(*, scope: Scope, year: int | None = None, limit: int = 2000) -> list[SubsistenceStandard]:
    """The 低保 standards that bear on the scope's unions, by region and newest year first."""
    qs = SubsistenceStandard.objects.order_by("region_code", "-year")
    regions = standard_regions(scope=scope)
    if regions is not None:
        qs = qs.filter(region_code__in=sorted(regions))
    if year is not None:
        qs = qs.filter(year=year)
    return list(qs[:limit])


def welfare_rule_list(*, scope: Scope, limit: int = 2000) -> list[WelfareRule]:
    """The 慰问 caps that bear on the scope's unions, by region and event."""
    qs = WelfareRule.objects.order_by("region_code", "event")
    regions = standard_regions(scope=scope)
    if regions is not None:
        qs = qs.filter(region_code__in=sorted(regions))
    order = {value: i for i, value in enumerate(ReliefEvent.values)}
    return sorted(qs[:limit], key=lambda r: (r.region_code, order.get(r.event, len(order))))


@dataclass(frozen=True)
class InForce:
    """What applies at a union's region: the standard (or cap) found, and the region it was set for."""

    org: Org
    standard: SubsistenceStandard | None


def standards_in_force(*, scope: Scope, year: int, limit: int = 10) -> list[InForce]:
    """For the unions the scope's grants are on, the 低保 standard of `year` that a file there is assessed against."""
    ids = [g.org_id for g in scope.grants if AidPerm.VIEW in g.permissions]
    with unscoped():
        orgs = list(Org.objects.filter(pk__in=ids).exclude(region_code="").order_by("path")[:limit])
    return [InForce(org, subsistence_standard(org.region_code, year)) for org in orgs]
