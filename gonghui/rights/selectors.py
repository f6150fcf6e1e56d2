"""Reads on hotline cases within the caller's scope: the list with its filters, one case, its
timeline, and the 督办 list (overdue cases held by the unions below the caller's)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import F, Q, QuerySet

from gonghui.core.errors import NotFoundError
from gonghui.core.scoping import Scope, subtree_q, unscoped
from gonghui.orgs.models import Org
from gonghui.rights import deadlines
from gonghui.rights.models import OPEN_STATUSES, CaseEvent, CollectiveContract, HotlineCase, NegotiationRequest
from gonghui.rights.permissions import RightsPerm


@dataclass(frozen=True)
class CaseFilters:
    status: str = ""  # a CaseStatus, or "open"
    kind: str = ""
    cause: str = ""
    tier: str = ""
    overdue: bool = False
    q: str = ""  # a case number (or its end) or the caller's name


def case_list(*, scope: Scope, filters: CaseFilters | None = None) -> QuerySet[HotlineCase]:
    f = filters or CaseFilters()
    qs = HotlineCase.objects.within(scope, RightsPerm.VIEW).select_related("org", "intake_org")
    if f.status == "open":
        qs = qs.filter(status__in=OPEN_STATUSES)
    elif f.status:
        qs = qs.filter(status=f.status)
    for field in ("kind", "cause", "tier"):
        if getattr(f, field):
            qs = qs.filter(**{field: getattr(f, field)})
    if f.overdue:
        qs = overdue_q(qs)
    q = f.q.strip()
    if q:
        qs = qs.filter(Q(number__endswith=q) | Q(number=q) | Q(caller_name=q))
    return qs.order_by("-created_at", "-pk")


def overdue_q(qs: QuerySet[HotlineCase]) -> QuerySet[HotlineCase]:
    # A closed case has no step deadline (a check constraint says so), so the deadline alone
    # picks the overdue cases: one range on the (step_due_at, org_path) index, in its order.
    return qs.filter(step_due_at__lt=deadlines.now())


# --- the lists at scale: one index range per branch, a capped count ------------------------------------

COUNT_CAP = 1000  # a list says "1000+" beyond this: an exact count of a province's year costs a scan


@dataclass(frozen=True)
class Page:
    rows: list[HotlineCase]
    count: int  # exact below COUNT_CAP, else COUNT_CAP
    capped: bool  # more than COUNT_CAP cases
    page: int
    pages: int
    page_size: int


def _branches(scope: Scope, perm: str, fields: tuple[str, ...]) -> list[Q] | None:
    """One condition per (path column, granted subtree); None for a superuser (no condition).

    The scope's OR of the two paths would make the database gather every case of both
    subtrees and sort them; a branch is one range of one index, read in the list's order."""
    if scope.is_superuser:
        return None
    return [subtree_q(field, path) for field in fields for path in scope.paths_with(perm)]


def merged_page(
    qs: QuerySet[HotlineCase], branches: list[Q] | None, order: tuple[str, str], page: int, size: int
) -> Page:
    """The page of `qs` under any of `branches`, ordered by `order` (a column then the pk, same direction).

    Each branch gives the keys of its first `page × size` rows from its own index (a case in two
    branches counted once), merged here; then only the page's rows are read. The count stops at
    COUNT_CAP (each branch reads at most COUNT_CAP + 1 keys)."""
    column = order[0].lstrip("-")
    desc = order[0].startswith("-")
    with unscoped():
        parts = [qs] if branches is None else [qs.filter(b) for b in branches]
        seen: set[int] = set()
        for part in parts:
            seen.update(part.order_by().values_list("pk", flat=True)[: COUNT_CAP + 1])
        count, capped = min(len(seen), COUNT_CAP), len(seen) > COUNT_CAP
        pages = max((count + size - 1) // size, 1)
        number = max(page, 1) if capped else min(max(page, 1), pages)
        keys: dict[int, object] = {}
        for part in parts:
            for pk, value in part.order_by(*order).values_list("pk", column)[: number * size]:
                keys[pk] = value
        ranked = sorted(keys.items(), key=lambda kv: (kv[1], kv[0]), reverse=desc)
        ids = [pk for pk, _v in ranked[(number - 1) * size : number * size]]
        found = {c.pk: c for c in qs.filter(pk__in=ids).select_related("org", "intake_org")}
    return Page([found[i] for i in ids if i in found], count, capped, number, pages, size)


def _filtered(f: CaseFilters) -> QuerySet[HotlineCase]:
    with unscoped():
        qs = HotlineCase.all_objects.all()
    if f.status == "open":
        qs = qs.filter(status__in=OPEN_STATUSES)
    elif f.status:
        qs = qs.filter(status=f.status)
    for field in ("kind", "cause", "tier"):
        if getattr(f, field):
            qs = qs.filter(**{field: getattr(f, field)})
    if f.overdue:
        qs = overdue_q(qs)
    q = f.q.strip()
    if q:
        qs = qs.filter(Q(number__endswith=q) | Q(number=q) | Q(caller_name=q))
    return qs


def case_page(*, scope: Scope, filters: CaseFilters | None = None, page: int = 1, size: int = 50) -> Page:
    """`case_list`'s page, newest first, read branch by branch (see `merged_page`)."""
    branches = _branches(scope, RightsPerm.VIEW, ("org_path", "intake_path"))
    return merged_page(_filtered(filters or CaseFilters()), branches, ("-created_at", "-pk"), page, size)


def supervision_page(*, scope: Scope, page: int = 1, size: int = 50) -> Page:
    """`supervision_list`'s page, most overdue first."""
    branches = None
    if not scope.is_superuser:
        branches = [subtree_q("org_path", path) & ~Q(org_path=path) for path in scope.paths_with(RightsPerm.SUPERVISE)]
    with unscoped():
        qs = overdue_q(HotlineCase.all_objects.all())
    return merged_page(qs, branches, ("step_due_at", "pk"), page, size)


def case_get(*, scope: Scope, pk: int) -> HotlineCase:
    """The case if the scope may see it; another union's id is not found (never 403)."""
    case = case_list(scope=scope).select_related("person", "handled_by_org").filter(pk=pk).first()
    if case is None:
        raise NotFoundError()
    return case


def case_events(*, case: HotlineCase) -> list[CaseEvent]:
    """The case's timeline, oldest first (part of the case: whoever sees the case sees it)."""
    return list(case.events.select_related("org", "to_org").order_by("at", "pk"))


def supervision_list(*, scope: Scope) -> QuerySet[HotlineCase]:
    """督办: open cases past their step's deadline held by a union strictly below one the scope
    supervises, most overdue first."""
    with unscoped():
        qs = HotlineCase.all_objects.all()
    if not scope.is_superuser:
        q = Q(pk__in=[])
        for path in scope.paths_with(RightsPerm.SUPERVISE):
            q |= subtree_q("org_path", path) & ~Q(org_path=path)
        qs = qs.filter(q)
    return overdue_q(qs).select_related("org", "intake_org").order_by("step_due_at", "pk")


def child_orgs(*, org: Org) -> list[Org]:
    """The open unions directly below `org`, where a pending case may be handed."""
    with unscoped():
        return list(Org.all_objects.filter(parent=org, closed_on__isnull=True).order_by("code")[:500])


# --- collective contracts ----------------------------------------------------------------------------


def contract_list(
    *, scope: Scope, kind: str = "", expiring_by: date | None = None, current: bool = False
) -> QuerySet[CollectiveContract]:
    """The contracts of the unions the scope sees, newest first. `expiring_by`: those not renewed whose
    last three months have begun by that day (`contracts.expiring`); `current`: not renewed."""
    from gonghui.rights.contracts import EXPIRY_ALERT_MONTHS, add_months

    qs = CollectiveContract.objects.within(scope, RightsPerm.CONTRACT_VIEW).select_related("org")
    if kind:
        qs = qs.filter(kind=kind)
    if current or expiring_by is not None:
        qs = qs.filter(renewal__isnull=True)
    if expiring_by is not None:
        qs = qs.filter(ends_on__lt=add_months(expiring_by, EXPIRY_ALERT_MONTHS))
        return qs.order_by("ends_on", "pk")
    return qs.order_by("-signed_on", "-pk")


def contract_get(*, scope: Scope, pk: int) -> CollectiveContract:
    """The contract if the scope may see it; another union's id is not found (never 403)."""
    c = contract_list(scope=scope).prefetch_related("employers").select_related("renews").filter(pk=pk).first()
    if c is None:
        raise NotFoundError()
    return c


def request_list(*, scope: Scope, open_only: bool = False) -> QuerySet[NegotiationRequest]:
    """The 要约 of the unions the scope sees: unanswered first, oldest first among them."""
    qs = NegotiationRequest.objects.within(scope, RightsPerm.CONTRACT_VIEW).select_related("org", "contract")
    if open_only:
        qs = qs.filter(replied_on__isnull=True)
    return qs.order_by(F("replied_on").desc(nulls_first=True), "requested_on", "pk")


def request_get(*, scope: Scope, pk: int) -> NegotiationRequest:
    req = request_list(scope=scope).filter(pk=pk).first()
    if req is None:
        raise NotFoundError()
    return req


def linkable_requests(*, scope: Scope) -> QuerySet[NegotiationRequest]:
    """The 要约 a contract may be linked to: not linked yet, of unions where the scope manages contracts."""
    qs = NegotiationRequest.objects.within(scope, RightsPerm.CONTRACT_MANAGE).select_related("org")
    return qs.filter(contract__isnull=True).order_by("-requested_on", "-pk")
