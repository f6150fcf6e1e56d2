"""Reads on the org tree, always through the actor's scope."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from django.db.models import Case, Count, IntegerField, Q, QuerySet, Sum, Value, When

from gonghui.core.errors import NotFoundError
from gonghui.core.pinyin import pinyin_query
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
        qs = qs.filter(org_search_q(q))
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


SEARCH_LIMIT = 40  # characters of a search box that are read (a name is rarely longer)
SUGGEST_LIMIT = 20


def search_text(raw: str) -> str:
    """A search box as read: NFKC, trimmed, at most SEARCH_LIMIT characters."""
    return unicodedata.normalize("NFKC", raw or "").strip()[:SEARCH_LIMIT]


def org_search_q(raw: str) -> Q:
    """Orgs whose name or short name holds the text, whose code starts with it, or whose pinyin holds it.

    Latin letters are also read as pinyin: full syllables ("yiling") or initials ("ylq") anywhere in
    the name, so 宜昌市夷陵区总工会 is found by either.
    """
    text = search_text(raw)
    if not text:
        return Q()
    q = Q(name__icontains=text) | Q(short_name__icontains=text) | Q(code__startswith=text.upper())
    key = pinyin_query(text)
    if key:
        q |= Q(name_pinyin__contains=key) | Q(name_initials__contains=key)
    return q


def org_suggest(*, scope: Scope, q: str, limit: int = SUGGEST_LIMIT) -> list[Org]:
    """The open orgs of the scope a picker offers for `q`: the exact code first, then names, codes or
    pinyin that start with it, then the rest, higher levels first; at most `limit`."""
    text = search_text(q)
    if not text:
        return []
    key = pinyin_query(text)
    starts = Q(name__startswith=text) | Q(short_name__startswith=text) | Q(code__startswith=text.upper())
    if key:
        starts |= Q(name_pinyin__startswith=key) | Q(name_initials__startswith=key)
    rank = Case(
        When(code=text.upper(), then=Value(0)),
        When(starts, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    qs = (
        org_queryset(scope=scope)
        .filter(org_search_q(text), closed_on__isnull=True)
        .annotate(rank=rank)
        .order_by("rank", "depth", "code")
    )
    return list(qs[: max(1, min(limit, SUGGEST_LIMIT))])


def org_by_name(*, scope: Scope, name: str) -> list[Org]:
    """The open orgs of the scope named exactly `name` (or with that short name), for a form that takes a name.

    More than one is the caller's ambiguity to report; a few are enough to list.
    """
    text = search_text(name)
    if not text:
        return []
    qs = org_queryset(scope=scope).filter(Q(name=text) | Q(short_name=text), closed_on__isnull=True)
    exact = list(qs.order_by("depth", "code")[:10])
    # A full name beats a short name that happens to equal it.
    by_name = [o for o in exact if o.name == text]
    return by_name or exact


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
