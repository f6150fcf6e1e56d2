"""Reads on the registry, always through the actor's scope.

Search takes one box: an ID number (matched by its blind index, never by its
text), a mobile number, a member number, a name prefix, or pinyin (full
syllables or initials). Counts come from the tallies when the filters allow,
and are capped otherwise, so neither a roster page nor a search ever counts a
million rows (DESIGN §5).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Q, QuerySet, Sum
from django.db.models.expressions import RawSQL

from gonghui.core.errors import NotFoundError
from gonghui.core.masking import mask_name
from gonghui.core.scoping import Scope, subtree_q, subtrees_q, unscoped
from gonghui.members.models import (
    MEMBER_STATUSES,
    Membership,
    MembershipEvent,
    MembershipStatus,
    MemberTally,
    Person,
    Transfer,
    TransferState,
    TransferStatus,
)
from gonghui.members.permissions import MemberPerm
from gonghui.members.validation import (
    BOOL_FIELDS,
    PERSON_FIELDS,
    FieldError,
    clean_mobile,
    identity_index,
    search_index,
)
from gonghui.orgs.models import Org
from gonghui.orgs.selectors import org_get

OTHER_ID_TYPES = ("2", "5", "6", "7")
STATUS_LABELS = dict(MembershipStatus.choices)
MAX_INITIALS = 4
_CJK = re.compile(r"[\u3400-\u9fff]")


# The person's own id column as the tie-breaker. `person__id` would be rewritten by
# Django to the membership's person_id (saving a join it has anyway), and SQLite then
# sorts every tie of the search key ("lj": 7,000 people) instead of walking the
# (key, id) index: 250 ms against 0.5 ms at 1,000,000 members.
PERSON_ID = RawSQL(f'"{Person._meta.db_table}"."id"', ())  # noqa: S611 - a constant column name, no input


@dataclass(frozen=True)
class SearchTerm:
    kind: str  # id, other_id, mobile, member_no, name, initials, pinyin, none
    value: str

    def parts(self) -> list[tuple[Q, tuple[Any, ...]]]:
        """The term's queries, each with the order its index gives, answered one after the other.

        Initials and full pinyin are two parts, not one OR: an OR over two
        indexes cannot be walked in order, so PostgreSQL filtered a whole
        index and SQLite a whole city to fill one page (seconds at 1,000,000).
        """
        if self.kind == "id":
            return [(Q(person__id_index=self.value), ("id",))]
        if self.kind == "other_id":
            return [(Q(person__id_index__in=self.value.split(",")), ("id",))]
        if self.kind == "mobile":
            return [(Q(person__mobile=self.value), ("id",))]
        if self.kind == "member_no":
            return [(Q(person__member_no=self.value), ("id",))]
        if self.kind == "name":
            return [(prefix_q("person__name", self.value), ("person__name", PERSON_ID))]
        if self.kind == "initials":
            initials = prefix_q("person__name_initials", self.value)
            parts: list[tuple[Q, tuple[Any, ...]]] = [(initials, ("person__name_initials", PERSON_ID))]
            if len(self.value) > 1:
                # One letter: every full-pinyin match is an initials match already.
                full = prefix_q("person__name_pinyin", self.value) & ~initials
                parts.append((full, ("person__name_pinyin", PERSON_ID)))
            return parts
        if self.kind == "pinyin":
            return [(prefix_q("person__name_pinyin", self.value), ("person__name_pinyin", PERSON_ID))]
        return [(Q(pk__in=[]), ("id",))]


def prefix_q(field: str, prefix: str) -> Q:
    """Values starting with `prefix`, as a range [prefix, prefix-with-last-char+1).

    `startswith` becomes LIKE, which SQLite serves from an index only under a
    NOCASE collation (its LIKE is case-insensitive); a range on the byte-order
    column uses the plain b-tree on SQLite and PostgreSQL ("C" collation) alike.
    """
    upper = prefix[:-1] + chr(ord(prefix[-1]) + 1)
    return Q(**{f"{field}__gte": prefix, f"{field}__lt": upper})


def classify_search(raw: str) -> SearchTerm | None:
    """What the search box holds; None when it is empty."""
    text = unicodedata.normalize("NFKC", raw or "").strip()
    if not text:
        return None
    compact = re.sub(r"[\s\-]", "", text)
    if re.fullmatch(r"\d{17}[\dXx]", compact):
        index = search_index(compact)
        return SearchTerm("id", index) if index else SearchTerm("none", "")
    if re.fullmatch(r"(\+?86|0086)?1\d{10}", compact):
        try:
            return SearchTerm("mobile", clean_mobile(compact))
        except FieldError:
            return SearchTerm("none", "")
    if compact.isdigit():
        return SearchTerm("member_no", compact.zfill(10) if len(compact) < 10 else compact)
    if re.fullmatch(r"[A-Za-z0-9]{5,30}", compact) and re.search(r"\d", compact) and re.search(r"[A-Za-z]", compact):
        # Letters and digits: a passport or a pass for Hong Kong, Macao or Taiwan residents.
        value = compact.upper()
        return SearchTerm("other_id", ",".join(identity_index(t, value) for t in OTHER_ID_TYPES))
    if _CJK.search(text):
        return SearchTerm("name", text)
    letters = re.sub(r"[^a-z]", "", compact.lower())
    if letters:
        # Up to four letters may be initials ("wxm") or the start of a syllable ("li");
        # longer input is full pinyin, answered in the order of its own index.
        return SearchTerm("initials" if len(letters) <= MAX_INITIALS else "pinyin", letters)
    return SearchTerm("none", "")


@dataclass(frozen=True)
class RosterFilters:
    q: str = ""
    org_code: str = ""
    status: str = ""  # "" = members (正常, 接转中, 保留); "all"; or one status
    new_employment: bool | None = None
    new_employment_type: str = ""
    migrant: bool | None = None


def _statuses(status: str) -> list[str] | None:
    if status == "all":
        return None
    if status:
        if status not in MembershipStatus.values:
            return []
        return [status]
    return [s.value for s in MEMBER_STATUSES]


def membership_queryset(*, scope: Scope, perm: str = MemberPerm.VIEW) -> QuerySet[Membership]:
    return Membership.objects.within(scope, perm)


# The columns a roster row and the API's list item read; the rest stays in the database.
ROW_FIELDS = (
    "id",
    "org_path",
    "status",
    "status_reason",
    "started_on",
    "ended_on",
    "person__id",
    "person__name",
    "person__member_no",
    "person__id_type",
    "person__id_masked",
    "person__gender",
    "person__birth_date",
    "person__mobile",
    "person__joined_on",
    "person__new_employment_type",
    "person__is_migrant_worker",
    "person__employer",
    "org__id",
    "org__code",
    "org__name",
    "application",
)


def _filtered(scope: Scope, filters: RosterFilters, root: Org | None, *, residual: bool) -> QuerySet[Membership]:
    qs = Membership.objects.within(scope, MemberPerm.VIEW, residual=residual)
    if root is not None:
        qs = qs.filter(Q(org_path__startswith=root.path) if residual else subtree_q("org_path", root.path))
    statuses = _statuses(filters.status)
    if statuses is not None:
        qs = qs.filter(status__in=statuses)
    if filters.new_employment is True:
        qs = qs.exclude(person__new_employment_type="")
    elif filters.new_employment is False:
        qs = qs.filter(person__new_employment_type="")
    if filters.new_employment_type:
        qs = qs.filter(person__new_employment_type=filters.new_employment_type)
    if filters.migrant is not None:
        qs = qs.filter(person__is_migrant_worker=filters.migrant)
    return qs


def membership_parts(*, scope: Scope, filters: RosterFilters, root: Org | None = None) -> list[QuerySet[Membership]]:
    """The roster as one or more ordered querysets, answered one after the other.

    Without a search term the subtree is the index range of (org_path, id).
    With one, the subtree becomes a residual filter (`startswith`): the search
    key's index is the selective one, and SQLite would otherwise walk a whole
    city's range to find a handful of names.
    """
    if root is None and filters.org_code:
        root = org_get(scope=scope, code=filters.org_code)
    term = classify_search(filters.q)
    if term is None:
        return [_filtered(scope, filters, root, residual=False).order_by("org_path", "id")]
    base = _filtered(scope, filters, root, residual=True)
    return [base.filter(q).order_by(*order) for q, order in term.parts()]


def _tally_count(scope: Scope, filters: RosterFilters, root: Org | None) -> int | None:
    """The exact count from the tallies, when the filters are ones the tallies keep."""
    if filters.q or filters.new_employment_type:
        return None
    statuses = _statuses(filters.status)
    with unscoped():
        qs = MemberTally.objects.all()
        if not scope.is_superuser:
            qs = qs.filter(subtrees_q("org_path", scope.paths_with(MemberPerm.VIEW)))
    if root is not None:
        qs = qs.filter(subtree_q("org_path", root.path))
    if statuses is not None:
        qs = qs.filter(status__in=statuses)
    if filters.new_employment is not None:
        qs = qs.filter(new_employment=filters.new_employment)
    if filters.migrant is not None:
        qs = qs.filter(migrant=filters.migrant)
    return int(qs.aggregate(n=Sum("n"))["n"] or 0)


class RowPerson:
    """The person columns of a roster row (attribute access, as on a Person)."""

    __slots__ = (
        "birth_date",
        "employer",
        "gender",
        "id",
        "id_masked",
        "id_type",
        "is_migrant_worker",
        "joined_on",
        "member_no",
        "mobile",
        "name",
        "new_employment_type",
    )
    birth_date: date | None
    employer: str
    gender: str
    id: int
    id_masked: str
    id_type: str
    is_migrant_worker: bool
    joined_on: date | None
    member_no: str | None
    mobile: str
    name: str
    new_employment_type: str

    def __init__(self, values: dict[str, Any]) -> None:
        for name in self.__slots__:
            setattr(self, name, values[f"person__{name}"])


# What a 待审核 application shows of its person: what the applicant typed, never the registry's record.
# The public join form takes any ID number, so an application may name someone else's (a member of
# another union): showing the recorded person would tell the reviewing union whose number it is.
# The masked number, the sex and the birth date come from the number typed; nothing else is read.
APPLICANT_HIDDEN = ("member_no", "joined_on")


def _overlay_application(person: Any, application: dict[str, Any]) -> None:
    for key in PERSON_FIELDS:
        if key == "joined_on" or not hasattr(person, key):
            continue
        default = False if key in BOOL_FIELDS else ""
        setattr(person, key, application.get(key, default))
    for key in APPLICANT_HIDDEN:
        if hasattr(person, key):
            setattr(person, key, None)


def shown_person(membership: Membership) -> Person:
    """The person as the union sees them through `membership`: the registry's record, or for a
    待审核 application an unsaved copy carrying only what the applicant typed (`APPLICANT_HIDDEN`)."""
    person = membership.person
    if membership.status != MembershipStatus.APPLIED:
        return person
    shown = Person(
        pk=person.pk,
        id_type=person.id_type,
        id_masked=person.id_masked,
        gender=person.gender,
        birth_date=person.birth_date,
    )
    _overlay_application(shown, membership.application or {})
    return shown


class RowOrg:
    __slots__ = ("code", "id", "name")

    def __init__(self, values: dict[str, Any]) -> None:
        self.id, self.code, self.name = values["org__id"], values["org__code"], values["org__name"]


class RosterRow:
    """One roster line read with `.values()`: a 50-row page built as model instances
    (membership, person, union) spent more time in Django's model constructor than
    in the database (bench/search.py); templates and `member_out` read it alike."""

    __slots__ = ("ended_on", "id", "org", "org_path", "person", "pk", "started_on", "status", "status_reason")
    warnings: tuple[str, ...] = ()

    def __init__(self, values: dict[str, Any]) -> None:
        self.pk = self.id = values["id"]
        self.org_path = values["org_path"]
        self.status = values["status"]
        self.status_reason = values["status_reason"]
        self.started_on = values["started_on"]
        self.ended_on = values["ended_on"]
        self.person = RowPerson(values)
        if self.status == MembershipStatus.APPLIED:
            _overlay_application(self.person, values.get("application") or {})
        self.org = RowOrg(values)

    def get_status_display(self) -> str:
        return str(STATUS_LABELS.get(self.status, self.status))


def _rows(qs: QuerySet[Membership]) -> list[RosterRow]:
    """The page's rows in two steps: the ids, then their columns.

    Asked for the ids alone, the planners walk the search key's index in order
    and stop at the page's end; asked for twenty columns, PostgreSQL misjudged
    how many rows the scope lets through and fetched and sorted the whole name
    range instead (19 ms against 3 ms for "王晨" in a city at 1,000,000).
    """
    ids = list(qs.values_list("id", flat=True))
    if not ids:
        return []
    # The ids came out of the scoped query: reading their columns needs no scope again.
    found = {v["id"]: v for v in Membership.all_objects.filter(id__in=ids).values(*ROW_FIELDS)}
    return [RosterRow(found[pk]) for pk in ids if pk in found]


@dataclass(frozen=True)
class RosterPage:
    items: list[RosterRow]
    count: int
    count_exact: bool
    page: int
    pages: int


def membership_page(*, scope: Scope, filters: RosterFilters, page: int, size: int = 50) -> RosterPage:
    """One page of the roster or of a search.

    Without a search term (and with filters the tallies keep) the count is exact
    and comes from the tallies. Otherwise nothing is counted: the page fetches
    one row more than it shows, and `count` is a lower bound ("50+") with
    `count_exact` false while more rows follow. Counting a broad term ("zl")
    in a city's scope would read ten times the rows the page needs.
    """
    root = org_get(scope=scope, code=filters.org_code) if filters.org_code else None
    parts = membership_parts(scope=scope, filters=filters, root=root)
    count = _tally_count(scope, filters, root)
    if count is not None:
        pages = max(1, -(-count // size))
        number = min(max(page, 1), pages)
        start = (number - 1) * size
        # A roster page walks (org_path, id) in order whatever the columns: one query.
        page_rows = [RosterRow(v) for v in parts[0][start : start + size].values(*ROW_FIELDS)]
        return RosterPage(page_rows, count, True, number, pages)
    number = max(page, 1)
    start = (number - 1) * size
    rows = _slice_parts(parts, start, size + 1)
    more = len(rows) > size
    items = rows[:size]
    return RosterPage(items, start + len(rows), not more, number, number + 1 if more else number)


def _slice_parts(parts: list[QuerySet[Membership]], start: int, n: int) -> list[RosterRow]:
    """Rows [start, start + n) of the parts read one after the other."""
    rows: list[RosterRow] = []
    for qs in parts:
        if len(rows) >= n:
            break
        if start:
            before = qs.order_by()[:start].count()
            if before < start:  # this part lies wholly before the page
                start -= before
                continue
        rows += _rows(qs[start : start + n - len(rows)])
        start = 0
    return rows


def active_member_by_key(*, scope: Scope, key: str, perm: str) -> Membership | None:
    """The active membership behind a typed 会员编号 or ID number, where the scope holds `perm`; None otherwise
    (a name or a phone number is not a key: the pages that register aid ask for one person, exactly)."""
    term = classify_search(key)
    if term is None or term.kind not in ("member_no", "id"):
        return None
    q = term.parts()[0][0]
    return (
        membership_queryset(scope=scope, perm=perm)
        .filter(q, status=MembershipStatus.ACTIVE)
        .select_related("person", "org")
        .order_by("-pk")
        .first()
    )


def membership_get(*, scope: Scope, pk: int, perm: str = MemberPerm.VIEW) -> Membership:
    ms = membership_queryset(scope=scope, perm=perm).select_related("person", "org").filter(pk=pk).first()
    if ms is None:
        raise NotFoundError()
    return ms


def membership_history(*, scope: Scope, membership: Membership) -> list[MembershipEvent]:
    """The person's events at the unions the scope may see, oldest first."""
    return list(
        MembershipEvent.objects.within(scope, MemberPerm.VIEW)
        .filter(membership__person_id=membership.person_id)
        .select_related("membership__org", "other_org", "actor")
        .order_by("at", "id")
    )


def person_memberships(*, scope: Scope, membership: Membership) -> list[Membership]:
    return list(
        membership_queryset(scope=scope)
        .filter(person_id=membership.person_id)
        .select_related("org")
        .order_by("-started_on", "-id")
    )


def applications_pending(*, scope: Scope, org_code: str = "") -> QuerySet[Membership]:
    qs = membership_queryset(scope=scope, perm=MemberPerm.APPROVE).filter(status=MembershipStatus.APPLIED)
    if org_code:
        root = org_get(scope=scope, code=org_code)
        qs = qs.filter(subtree_q("org_path", root.path))
    return qs.select_related("person", "org").order_by("created_at", "id")


def transfer_list(*, scope: Scope, status: str = TransferStatus.PENDING) -> QuerySet[Transfer]:
    qs = Transfer.objects.within(scope, MemberPerm.VIEW)
    if status:
        qs = qs.filter(status=status)
    return qs.select_related("person", "from_org", "to_org", "membership")


def transfer_get(*, scope: Scope, pk: int) -> Transfer:
    tr = transfer_list(scope=scope, status="").filter(pk=pk).first()
    if tr is None:
        raise NotFoundError()
    return tr


def transfers_of(*, scope: Scope, membership: Membership) -> list[Transfer]:
    return list(transfer_list(scope=scope, status="").filter(person_id=membership.person_id))


def transfer_shows_person(scope: Scope, tr: Transfer) -> bool:
    """Whether the caller may see who a transfer moves and where from.

    A union asking for a worker by ID number (转入) learns the person's name and
    union only once the releasing union has agreed, unless the releasing union
    is in its own scope: until then the person is 王*明 from a union withheld.
    """
    return tr.out_state == TransferState.APPROVED or scope.has_perm(MemberPerm.VIEW, tr.from_path)


@dataclass(frozen=True)
class TransferShown:
    """What the caller is shown of a transfer's person and releasing union."""

    name: str
    from_code: str
    from_name: str
    withheld: bool


def transfer_shown(scope: Scope, tr: Transfer) -> TransferShown:
    if transfer_shows_person(scope, tr):
        return TransferShown(tr.person.name, tr.from_org.code, tr.from_org.name, False)
    return TransferShown(mask_name(tr.person.name), "", "", True)


def age_on(birth: date | None, today: date) -> int | None:
    """Full years of age on `today`."""
    if birth is None:
        return None
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


def transfer_actions(scope: Scope, tr: Transfer) -> dict[str, bool]:
    """What the caller may do with `tr` now: decide a pending side, or cancel it."""
    pending = tr.status == TransferStatus.PENDING
    can_decide = pending and any(
        state == "pending" and scope.has_perm(MemberPerm.APPROVE, org.path)
        for org, state in ((tr.from_org, tr.out_state), (tr.to_org, tr.in_state))
    )
    own = tr.from_org if tr.initiated_by == "out" else tr.to_org
    return {"decide": can_decide, "cancel": pending and scope.has_perm(MemberPerm.TRANSFER, own.path)}


def member_counts(paths: list[str] | None) -> dict[str, Any]:
    """Headline member figures for the subtrees (None: everywhere), from the tallies."""
    with unscoped():
        qs = MemberTally.objects.all()
        if paths is not None:
            qs = qs.filter(subtrees_q("org_path", paths))
        rows = list(qs.values("status", "new_employment", "migrant").annotate(n=Sum("n")))
    members = [r for r in rows if r["status"] in MEMBER_STATUSES]
    by_status = {s.value: 0 for s in MembershipStatus}
    for r in rows:
        by_status[r["status"]] += r["n"] or 0
    return {
        "members": sum(r["n"] for r in members),
        "members_new_employment": sum(r["n"] for r in members if r["new_employment"]),
        "members_migrant": sum(r["n"] for r in members if r["migrant"]),
        "members_active": by_status[MembershipStatus.ACTIVE],
        "members_transfer_pending": by_status[MembershipStatus.TRANSFER_PENDING],
        "members_retained": by_status[MembershipStatus.RETAINED],
        "members_applied": by_status[MembershipStatus.APPLIED],
        "members_withdrawn": by_status[MembershipStatus.WITHDRAWN],
        "members_expelled": by_status[MembershipStatus.EXPELLED],
    }


def org_for_join(code: str) -> Org:
    """The open union a worker's join link names, if it publishes its join page.

    Public: an unknown, closed or unpublished code is the same not-found, so the
    page cannot be used to confirm which union codes exist.
    """
    with unscoped():
        org = Org.objects.filter(code=(code or "").strip().upper(), closed_on__isnull=True, join_published=True).first()
    if org is None:
        raise NotFoundError()
    return org
