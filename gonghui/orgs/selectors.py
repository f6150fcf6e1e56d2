"""Reads on the org tree, always through the actor's scope."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet, Sum

from gonghui.core.errors import NotFoundError
from gonghui.core.regions import prefecture_code, region_name
from gonghui.core.scoping import Scope, subtree_q, subtrees_q, unscoped
from gonghui.orgs.models import Org, OrgKind
from gonghui.orgs.permissions import OrgPerm


def org_queryset(*, scope: Scope, perm: str = OrgPerm.VIEW) -> QuerySet[Org]:
    return Org.objects.within(scope, perm)


def org_list(
    *,
    scope: Scope,
    q: str = "",
    kind: str = "",
    parent_code: str = "",
    within_code: str = "",
    new_employment: bool | None = None,
    include_closed: bool = False,
) -> QuerySet[Org]:
    qs = org_queryset(scope=scope)
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(short_name__icontains=q) | Q(code__startswith=q.upper()))
    if kind:
        qs = qs.filter(kind=kind)
    if parent_code:
        qs = qs.filter(parent__code=parent_code)
    if within_code:
        root = org_get(scope=scope, code=within_code)
        qs = qs.filter(subtree_q("path", root.path))
    if new_employment is not None:
        qs = qs.filter(is_new_employment=new_employment)
    if not include_closed:
        qs = qs.filter(closed_on__isnull=True)
    return qs.order_by("path")


def org_get(*, scope: Scope, code: str, perm: str = OrgPerm.VIEW) -> Org:
    """The org with `code` if the scope may see it; otherwise not found (never 403)."""
    org = org_queryset(scope=scope, perm=perm).select_related("parent", "industry_federation").filter(code=code).first()
    if org is None:
        raise NotFoundError()
    return org


def org_roots(*, scope: Scope) -> QuerySet[Org]:
    """The top orgs of the scope: roots for a superuser, the granted nodes otherwise."""
    if scope.is_superuser:
        return org_queryset(scope=scope).filter(parent__isnull=True, closed_on__isnull=True)
    paths = scope.paths_with(OrgPerm.VIEW)
    return org_queryset(scope=scope).filter(path__in=paths)


def org_children(*, scope: Scope, org: Org, limit: int = 200, offset: int = 0) -> list[Org]:
    """Open children of a visible org with their own child counts, for the tree browser."""
    qs = (
        org_queryset(scope=scope)
        .filter(parent=org, closed_on__isnull=True)
        .annotate(child_count=Count("children", filter=Q(children__closed_on__isnull=True)))
        .select_related("parent", "industry_federation")
        .order_by("kind", "code")
    )
    return list(qs[offset : offset + limit])


def org_children_count(*, scope: Scope, org: Org) -> int:
    return org_queryset(scope=scope).filter(parent=org, closed_on__isnull=True).count()


def org_ancestors(*, scope: Scope, org: Org) -> list[Org]:
    """The chain from the highest visible ancestor down to the parent."""
    ids = org.ancestor_ids
    if not ids:
        return []
    by_id = {o.pk: o for o in org_queryset(scope=scope).filter(pk__in=ids)}
    return [by_id[i] for i in ids if i in by_id]


@dataclass(frozen=True)
class OrgFigures:
    orgs: int
    orgs_new_employment: int
    orgs_industry_chain: int
    children: int
    employees: int
    by_kind: list[tuple[str, str, int]]


def org_figures(*, org: Org) -> OrgFigures:
    """Figures of an org's open subtree (the org itself included); caller checked scope."""
    with unscoped():
        sub = Org.objects.filter(subtree_q("path", org.path), closed_on__isnull=True)
        totals = sub.aggregate(
            orgs=Count("pk"),
            ne=Count("pk", filter=Q(is_new_employment=True)),
            chain=Count("pk", filter=Q(is_industry_chain=True)),
            employees=Sum("employee_count"),
        )
        by_kind = sub.values("kind").annotate(n=Count("pk")).order_by("-n")
        children = Org.objects.filter(parent=org, closed_on__isnull=True).count()
        labels = dict(OrgKind.choices)
        return OrgFigures(
            orgs=totals["orgs"],
            orgs_new_employment=totals["ne"],
            orgs_industry_chain=totals["chain"],
            children=children,
            employees=totals["employees"] or 0,
            by_kind=[(row["kind"], str(labels.get(row["kind"], row["kind"])), row["n"]) for row in by_kind],
        )


def org_counts_by_kind(*, paths: list[str] | None) -> list[tuple[str, int]]:
    """[(kind label, count)] of open orgs under `paths` (None: the whole tree)."""
    with unscoped():
        qs = _open_under(paths)
        labels = dict(OrgKind.choices)
        rows = qs.values("kind").annotate(n=Count("pk")).order_by("-n")
        return [(str(labels.get(r["kind"], r["kind"])), r["n"]) for r in rows]


def org_counts_by_region(*, paths: list[str] | None) -> list[tuple[str, str, int]]:
    """[(prefecture code, name, count)] of open orgs under `paths`, by city (地级)."""
    with unscoped():
        rows = _open_under(paths).exclude(region_code="").values("region_code").annotate(n=Count("pk"))
        totals: dict[str, int] = {}
        for r in rows:
            key = prefecture_code(r["region_code"])
            totals[key] = totals.get(key, 0) + r["n"]
    return sorted(((code, region_name(code) or code, n) for code, n in totals.items()), key=lambda t: (-t[2], t[0]))


def _open_under(paths: list[str] | None) -> QuerySet[Org]:
    qs = Org.objects.filter(closed_on__isnull=True)
    if paths is not None:
        qs = qs.filter(subtrees_q("path", paths))
    return qs
