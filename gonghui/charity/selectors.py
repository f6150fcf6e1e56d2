"""Reads on charity funds, their ledgers and year accounts, donations, projects and disbursements, within scope."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import F, Q, QuerySet, Sum

from gonghui.aid.models import HardshipFile
from gonghui.charity.models import (
    Activity,
    Disbursement,
    Donation,
    EntryKind,
    Fund,
    FundEntry,
    PayVia,
    Project,
    Purpose,
    Receipt,
)
from gonghui.charity.permissions import CharityPerm
from gonghui.core.errors import DomainError, NotFoundError
from gonghui.core.masking import mask_name
from gonghui.core.scoping import Scope, unscoped


def fund_list(*, scope: Scope, perm: str = CharityPerm.VIEW) -> QuerySet[Fund]:
    return Fund.objects.within(scope, perm).select_related("org").order_by("org_path", "name", "pk")


def fund_get(*, scope: Scope, pk: int, perm: str = CharityPerm.VIEW) -> Fund:
    """The fund if the scope may see it; another union's id is not found (never 403)."""
    fund = fund_list(scope=scope, perm=perm).filter(pk=pk).first()
    if fund is None:
        raise NotFoundError()
    return fund


def fund_ledger(*, scope: Scope, fund: Fund) -> QuerySet[FundEntry]:
    """The fund's ledger, newest first, each row with the donation or disbursement behind it."""
    return (
        FundEntry.objects.within(scope, CharityPerm.VIEW)
        .filter(fund=fund)
        .select_related("donation", "disbursement__project", "disbursement__person")
        .order_by("-booked_on", "-pk")
    )


def hardship_file_for(*, scope: Scope, pk: int) -> HardshipFile:
    """A hardship file the caller may pay from a charity fund (their disbursing scope covers its union), else 404."""
    with unscoped():
        file = HardshipFile.all_objects.filter(pk=pk).first()
    if file is None or not scope.has_perm(CharityPerm.DISBURSE, file.org_path):
        raise NotFoundError()
    return file


def fund_public(*, pk: int) -> Fund:
    """A fund for its public disclosure page (whose signed link was checked): no scope, nothing private read."""
    fund = Fund.all_objects.select_related("org").filter(pk=pk).first()
    if fund is None:
        raise NotFoundError()
    return fund


def ledger_balance_fen(*, fund: Fund) -> int:
    """The fund's balance as the sum of its ledger rows (what `Fund.balance_fen` must always equal)."""
    return FundEntry.all_objects.filter(fund_id=fund.pk).aggregate(s=Sum("amount_fen"))["s"] or 0


YEARS = (1950, 2200)  # the years a fund's accounts can be asked for


@dataclass(frozen=True)
class YearAccounts:
    """A fund's year from its ledger: balance brought forward, income, refunds, spending, balance carried."""

    year: int
    opening_fen: int
    donations_fen: int
    refunds_fen: int
    spent_fen: int
    closing_fen: int
    spent_by_project: list[tuple[str, int]]


def fund_year_accounts(*, fund: Fund, year: int) -> YearAccounts:
    """The year's accounts, all sums of ledger rows (a fund set up in the year brings its opening balance)."""
    if not YEARS[0] <= year <= YEARS[1]:
        raise DomainError("charity.year_invalid", field="year", low=YEARS[0], high=YEARS[1])
    rows = FundEntry.all_objects.filter(fund_id=fund.pk)
    start, end = date(year, 1, 1), date(year + 1, 1, 1)
    before = rows.filter(booked_on__lt=start).aggregate(s=Sum("amount_fen"))["s"] or 0
    year_rows = rows.filter(booked_on__gte=start, booked_on__lt=end)
    sums = year_rows.aggregate(
        opening=Sum("amount_fen", filter=Q(kind=EntryKind.OPENING)),
        donations=Sum("amount_fen", filter=Q(kind=EntryKind.DONATION)),
        refunds=Sum("amount_fen", filter=Q(kind=EntryKind.REFUND)),
        spent=Sum("amount_fen", filter=Q(kind=EntryKind.DISBURSEMENT)),
        returned=Sum("amount_fen", filter=Q(kind=EntryKind.RETURN)),
    )
    # Spending is net of what failed payments gave back (支出退回), by project too.
    by_project = (
        year_rows.filter(kind__in=[EntryKind.DISBURSEMENT, EntryKind.RETURN])
        .values_list("disbursement__project__name")
        .annotate(s=Sum("amount_fen"))
        .order_by("s", "disbursement__project__name")
    )
    opening = before + (sums["opening"] or 0)
    donations, refunds = sums["donations"] or 0, -(sums["refunds"] or 0)
    spent = -(sums["spent"] or 0) - (sums["returned"] or 0)
    return YearAccounts(
        year=year,
        opening_fen=opening,
        donations_fen=donations,
        refunds_fen=refunds,
        spent_fen=spent,
        closing_fen=opening + donations - refunds - spent,
        spent_by_project=[(name, -s) for name, s in by_project if s],
    )


def fund_years(*, fund: Fund) -> list[int]:
    """The years the fund's ledger has rows in, newest first."""
    days = FundEntry.all_objects.filter(fund_id=fund.pk).dates("booked_on", "year", order="DESC")
    return [d.year for d in days]


def donation_list(*, scope: Scope, fund: Fund | None = None, perm: str = CharityPerm.VIEW) -> QuerySet[Donation]:
    qs = Donation.objects.within(scope, perm).select_related("fund")
    if fund is not None:
        qs = qs.filter(fund=fund)
    return qs.order_by("-received_on", "-pk")


def donation_get(*, scope: Scope, pk: int, perm: str = CharityPerm.VIEW) -> Donation:
    donation = donation_list(scope=scope, perm=perm).select_related("fund__org").filter(pk=pk).first()
    if donation is None:
        raise NotFoundError()
    return donation


def donation_entries(*, scope: Scope, donation: Donation) -> QuerySet[FundEntry]:
    """The ledger rows of a donation (its receipt and any refunds), oldest first."""
    return FundEntry.objects.within(scope, CharityPerm.VIEW).filter(donation=donation).order_by("booked_on", "pk")


def receipt_of(*, donation: Donation) -> Receipt | None:
    """The receipt of a donation the caller has already been shown (through `donation_get`)."""
    return Receipt.all_objects.filter(donation_id=donation.pk).first()


def receipt_by_serial(*, serial: str) -> Receipt | None:
    """A receipt by its number, for the public verification page (whose signature was checked)."""
    return Receipt.all_objects.select_related("donation__fund__org").filter(serial=serial).first()


def project_list(*, scope: Scope, fund: Fund | None = None, perm: str = CharityPerm.VIEW) -> QuerySet[Project]:
    qs = Project.objects.within(scope, perm).select_related("fund")
    if fund is not None:
        qs = qs.filter(fund=fund)
    return qs.order_by("-starts_on", "-pk")


def project_get(*, scope: Scope, pk: int, perm: str = CharityPerm.VIEW) -> Project:
    project = project_list(scope=scope, perm=perm).select_related("fund__org").filter(pk=pk).first()
    if project is None:
        raise NotFoundError()
    return project


def activity_list(*, scope: Scope, project: Project | None = None) -> QuerySet[Activity]:
    qs = Activity.objects.within(scope, CharityPerm.VIEW).select_related("project")
    if project is not None:
        qs = qs.filter(project=project)
    return qs.order_by("-held_on", "-pk")


def disbursement_list(
    *, scope: Scope, project: Project | None = None, fund: Fund | None = None
) -> QuerySet[Disbursement]:
    qs = Disbursement.objects.within(scope, CharityPerm.VIEW).select_related("project", "fund", "person")
    if project is not None:
        qs = qs.filter(project=project)
    if fund is not None:
        qs = qs.filter(fund=fund)
    return qs.order_by("-paid_on", "-pk")


# --- traceability: where a donation's money went, and whose money paid a beneficiary -------------


@dataclass(frozen=True)
class Share:
    """A part of one ledger row paid by (or paying) a part of another, first in first out within the fund."""

    entry: FundEntry
    amount_fen: int


def _overlaps(rows: QuerySet[FundEntry], field: str, start: int, end: int) -> list[Share]:
    """The rows whose stretch (cum − |amount|, cum] on `field`'s line overlaps (start, end], with the overlap.

    `rows` are one fund's movements of one direction, so `field` rises strictly along them: read in
    its order from `start`, the first row reaching `end` is the last that overlaps. One index range
    read, a short page first (most gifts pay one or two payments), longer ones after.
    """
    out: list[Share] = []
    if end <= start:
        return out
    after, page = start, 8
    while True:
        batch = list(rows.filter(**{f"{field}__gt": after}).order_by(field)[:page])
        for e in batch:
            top = getattr(e, field)
            share = min(end, top) - max(start, top - abs(e.amount_fen))
            if share > 0:
                out.append(Share(e, share))
            if top >= end:
                return out
        if len(batch) < page:
            return out
        after, page = getattr(batch[-1], field), 500


OUTFLOWS = (EntryKind.REFUND, EntryKind.DISBURSEMENT)
INFLOWS = (EntryKind.OPENING, EntryKind.DONATION, EntryKind.RETURN)


def _line(entry: FundEntry, kinds: tuple[str, ...]) -> QuerySet[FundEntry]:
    """The rows of `kinds` on the same line as `entry`: its fund's general line, or one project's own line."""
    rows = FundEntry.all_objects.filter(fund_id=entry.fund_id, kind__in=kinds)
    if entry.project_id is None:
        return rows.filter(project__isnull=True)
    return rows.filter(project_id=entry.project_id)


def donation_trace(*, scope: Scope, donation: Donation) -> list[Share]:
    """Where a donation's money went: the payments and refunds its stretch of its line paid (FIFO), oldest first.

    An undesignated gift is on the fund's general line; a designated one on its project's own line, which
    only that project's payments (and its own refunds) take from. What is not listed is still in the fund.
    A refund, like a payment, takes its line's oldest money.
    """
    entry = FundEntry.objects.within(scope, CharityPerm.VIEW).filter(donation=donation, kind=EntryKind.DONATION).first()
    if entry is None:
        raise NotFoundError()
    outflows = _line(entry, OUTFLOWS).select_related("disbursement__project", "disbursement__person", "donation")
    return _overlaps(outflows, "cum_out_fen", entry.cum_in_fen - entry.amount_fen, entry.cum_in_fen)


def disbursement_sources(*, scope: Scope, disbursement: Disbursement) -> list[Share]:
    """Whose money paid a payment: the donations (or the opening balance) of its stretches (FIFO).

    A payment takes its project's designated money first (on that line), then the general line's: one
    ledger row each, so its sources are read line by line. A 支出退回 among them is money a failed
    payment gave back.
    """
    entries = list(
        FundEntry.objects.within(scope, CharityPerm.VIEW)
        .filter(disbursement=disbursement, kind=EntryKind.DISBURSEMENT)
        .order_by("pk")
    )
    if not entries:
        raise NotFoundError()
    out: list[Share] = []
    for entry in entries:
        inflows = _line(entry, INFLOWS).select_related("donation", "disbursement")
        out.extend(_overlaps(inflows, "cum_in_fen", entry.cum_out_fen + entry.amount_fen, entry.cum_out_fen))
    return out


def beneficiary_sources(*, scope: Scope, person_id: int) -> list[tuple[Disbursement, list[Share]]]:
    """For a member paid from funds the scope sees: each payment, and the donations that paid it."""
    paid = disbursement_list(scope=scope).filter(person_id=person_id).select_related("fund")
    return [(d, disbursement_sources(scope=scope, disbursement=d)) for d in paid[:200]]


# --- the yearly disclosure (公示) ---------------------------------------------------------------


@dataclass(frozen=True)
class Disclosure:
    """What a fund publishes for a year: its accounts, its enterprise donors, its workers in sum, its projects."""

    accounts: YearAccounts
    enterprises: list[tuple[str, int]]  # (name, or 爱心人士 when anonymous; net fen), largest first
    workers: int  # distinct people who gave (one-off or payroll), never named
    workers_fen: int
    projects: list[tuple[str, str, int, int]]  # (name, purpose label, people and organisations paid, fen)
    payments: list[tuple[str, str, str, int]]  # where the money went: (project, recipient masked, via label, fen)
    more_payments: int  # payments beyond the ones listed


def fund_disclosure(*, fund: Fund, year: int) -> Disclosure:
    """The fund's year as a public notice shows it: no person named, members paid only counted."""
    from django.db.models import Count, F

    from gonghui.charity.models import ANONYMOUS_DONOR, DonorKind

    start, end = date(year, 1, 1), date(year + 1, 1, 1)
    gifts = Donation.all_objects.filter(fund_id=fund.pk, received_on__gte=start, received_on__lt=end)
    by_enterprise: dict[str, int] = {}
    for name, anonymous, net in (
        gifts.filter(donor_kind=DonorKind.ENTERPRISE)
        .values_list("donor_name", "anonymous")
        .annotate(net=Sum(F("amount_fen") - F("refunded_fen")))
        .order_by()
    ):
        shown = ANONYMOUS_DONOR if anonymous else name
        by_enterprise[shown] = by_enterprise.get(shown, 0) + (net or 0)
    people = gifts.filter(donor_kind=DonorKind.INDIVIDUAL)
    workers = (
        people.filter(person__isnull=False).values("person").distinct().order_by().count()
        + people.filter(person__isnull=True).exclude(id_index="").values("id_index").distinct().order_by().count()
        + people.filter(person__isnull=True, id_index="").count()
    )
    workers_fen = people.aggregate(s=Sum(F("amount_fen") - F("refunded_fen")))["s"] or 0
    labels = dict(Purpose.choices)
    year_paid = Disbursement.all_objects.filter(
        fund_id=fund.pk, paid_on__gte=start, paid_on__lt=end, returned_fen__lt=F("amount_fen")
    )
    paid = (
        year_paid.values_list("project__name", "project__purpose")
        .annotate(
            people=Count("person", distinct=True),
            orgs=Count("recipient_name", filter=Q(recipient_kind="org"), distinct=True),
            s=Sum(F("amount_fen") - F("returned_fen")),
        )
        .order_by("-s", "project__name")
    )
    vias = dict(PayVia.choices)
    listed = list(
        year_paid.select_related("project", "person").order_by("project__name", "paid_on", "pk")[:DISCLOSED_PAYMENTS]
    )
    payments = [
        (d.project.name, payee_shown(d), str(vias.get(d.via, d.via)), d.amount_fen - d.returned_fen) for d in listed
    ]
    more = max(0, year_paid.count() - len(listed)) if len(listed) == DISCLOSED_PAYMENTS else 0
    return Disclosure(
        accounts=fund_year_accounts(fund=fund, year=year),
        enterprises=sorted(by_enterprise.items(), key=lambda kv: (-kv[1], kv[0])),
        workers=workers,
        workers_fen=workers_fen,
        projects=[(name, str(labels.get(p, p)), n + o, s or 0) for name, p, n, o, s in paid],
        payments=payments,
        more_payments=more,
    )


DISCLOSED_PAYMENTS = 500  # a notice lists this many payments, then says how many more there are


def payee_shown(d: Disbursement) -> str:
    """A payee as a public page may show them: an organisation by name, a person only masked (赵*明)."""
    if d.recipient_kind == "org":
        return d.recipient_name
    return mask_name(d.person.name) if d.person else ""


def student_course_lines(student_id_index: str) -> list[dict[str, Any]]:
    """A student's charity grants (net of money returned), for 金秋助学's whole-course view (registered there).

    The student page is already scoped by student_aid; the rows name the fund and project, never a donor.
    """
    rows = (
        Disbursement.all_objects.filter(student_application__student_id_index=student_id_index)
        .filter(returned_fen__lt=F("amount_fen"))
        .select_related("fund", "project", "student_application")
        .order_by("paid_on", "pk")
    )
    return [
        {
            "school_year": d.student_application.school_year if d.student_application else d.paid_on.year,
            "source": f"{d.fund.name} · {d.project.name}",
            "amount_fen": d.net_fen,
            "paid_on": d.paid_on,
        }
        for d in rows
    ]
