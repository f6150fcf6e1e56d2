"""Reads on the lawyers' roster, legal-aid matters and enterprise visits within the caller's scope.

Each list holds the rows of the unions the scope sees with `rights.legal.view`; another union's id
is not found (never 403). `roster_for` is the one read outside the scope: the active lawyers a
union may assign (its own roster and those above it), names and firms only.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from gonghui.core.errors import NotFoundError
from gonghui.core.scoping import Scope, subtrees_q, unscoped
from gonghui.rights.legal import roster_q_paths
from gonghui.rights.legal_words import IssueStatus
from gonghui.rights.models import Hearing, HotlineCase, Lawyer, LawyerVisit, LegalAidMatter, VisitIssue
from gonghui.rights.permissions import RightsPerm


def lawyer_list(*, scope: Scope, q: str = "", active: bool | None = None, area: str = "") -> QuerySet[Lawyer]:
    qs = Lawyer.objects.within(scope, RightsPerm.LEGAL_VIEW).select_related("org")
    if active is not None:
        qs = qs.filter(active=active)
    q = q.strip()
    if q:
        qs = qs.filter(Q(name__contains=q) | Q(firm__contains=q) | Q(licence_no=q))
    if area:
        # A JSON list of codes; `contains` on a JSON list is not on SQLite, the quoted code is.
        qs = qs.filter(areas__icontains=f'"{area}"')
    return qs.order_by("-active", "org_path", "name", "pk")


def lawyer_get(*, scope: Scope, pk: int) -> Lawyer:
    lawyer = lawyer_list(scope=scope).filter(pk=pk).first()
    if lawyer is None:
        raise NotFoundError()
    return lawyer


def roster_for(*, org_path: str) -> list[Lawyer]:
    """The active lawyers a union may assign: on its roster or one above it, nearest union first."""
    with unscoped():
        rows = list(
            Lawyer.all_objects.filter(org_path__in=roster_q_paths(org_path), active=True)
            .select_related("org")
            .order_by("name", "pk")[:500]
        )
    return sorted(rows, key=lambda lw: -len(lw.org_path))


@dataclass(frozen=True)
class MatterFilters:
    status: str = ""
    form: str = ""
    lawyer: int | None = None
    q: str = ""  # a case number (or its end) or the caller's name


def matter_list(*, scope: Scope, filters: MatterFilters | None = None) -> QuerySet[LegalAidMatter]:
    f = filters or MatterFilters()
    qs = LegalAidMatter.objects.within(scope, RightsPerm.LEGAL_VIEW).select_related("case", "lawyer", "org")
    if f.status:
        qs = qs.filter(status=f.status)
    if f.form:
        qs = qs.filter(form=f.form)
    if f.lawyer:
        qs = qs.filter(lawyer_id=f.lawyer)
    q = f.q.strip()
    if q:
        qs = qs.filter(Q(case__number__endswith=q) | Q(case__caller_name=q))
    return qs.order_by("-opened_on", "-pk")


def matter_get(*, scope: Scope, pk: int) -> LegalAidMatter:
    matter = matter_list(scope=scope).filter(pk=pk).first()
    if matter is None:
        raise NotFoundError()
    return matter


def matter_of_case(*, scope: Scope, case: HotlineCase) -> LegalAidMatter | None:
    """The case's legal-aid matter if the scope may see it."""
    return matter_list(scope=scope).filter(case=case).first()


def hearings(*, matter: LegalAidMatter) -> list[Hearing]:
    return list(matter.hearings.order_by("held_on", "pk"))


def visit_list(*, scope: Scope, open_only: bool = False, q: str = "") -> QuerySet[LawyerVisit]:
    """Visits newest first, with their issue counts; `open_only`: those with an issue still 整改中."""
    fixing = Q(issues__status=IssueStatus.FIXING)
    qs = (
        LawyerVisit.objects.within(scope, RightsPerm.LEGAL_VIEW)
        .select_related("lawyer", "org")
        .annotate(issue_count=Count("issues"), fixing_count=Count("issues", filter=fixing))
    )
    if open_only:
        qs = qs.filter(Exists(VisitIssue.objects.filter(visit=OuterRef("pk"), status=IssueStatus.FIXING)))
    q = q.strip()
    if q:
        qs = qs.filter(Q(enterprise_name__contains=q) | Q(enterprise_uscc=q.upper()) | Q(lawyer__name=q))
    return qs.order_by("-visited_on", "-pk")


def visit_get(*, scope: Scope, pk: int) -> LawyerVisit:
    visit = visit_list(scope=scope).filter(pk=pk).first()
    if visit is None:
        raise NotFoundError()
    return visit


def visit_issues(*, visit: LawyerVisit) -> list[VisitIssue]:
    return list(visit.issues.order_by("pk"))


def assignable_lawyers(*, scope: Scope) -> list[Lawyer]:
    """Active lawyers the scope may assign somewhere: on the rosters of the unions it manages legal
    aid for, of the unions below them, and of those above them (the form lists them; the service
    checks the chosen one against the union of the matter or visit)."""
    with unscoped():
        qs = Lawyer.all_objects.filter(active=True).select_related("org")
        if not scope.is_superuser:
            paths = scope.paths_with(RightsPerm.LEGAL_MANAGE)
            above = sorted({p for path in paths for p in roster_q_paths(path)})
            qs = qs.filter(subtrees_q("org_path", paths) | Q(org_path__in=above))
        return list(qs.order_by("org_path", "name", "pk")[:500])
