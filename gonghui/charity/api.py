"""`/api/v1/charity`: funds (with their ledger and year accounts), donations and refunds, projects, disbursements.

Amounts travel as yuan strings ("1200.00") and are kept in fen; choices take
everyday words (`core.words`: 助学, 企业…). Records are seen where the caller holds
charity.fund.view; another union's id is a 404. Anonymous donors are 爱心人士; a
donor's ID number is never returned, only its masked form.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema, Status

from gonghui.cards.selectors import bank_get
from gonghui.charity import selectors, services
from gonghui.charity.models import Disbursement, Donation, Fund, FundEntry, Project
from gonghui.charity.permissions import CharityPerm
from gonghui.core.api_common import paginate, request_scope
from gonghui.core.errors import DomainError, NotFoundError
from gonghui.core.masking import mask_name
from gonghui.core.money import AmountError, amount_refusal, fen_to_yuan, parse_yuan
from gonghui.core.viewutils import actor_of
from gonghui.core.words import ChoiceError, match
from gonghui.members.selectors import membership_get
from gonghui.orgs.selectors import org_get
from gonghui.student_aid import selectors as student_aid_selectors

router = Router(tags=["charity"])


def _refused(field: str, reason: str) -> DomainError:
    return DomainError("charity.fields_invalid", details={field: reason}, reasons=reason)


def _fen(value: str, field: str, *, allow_zero: bool = False) -> int:
    try:
        return parse_yuan(value, allow_zero=allow_zero)
    except AmountError as exc:
        raise _refused(field, amount_refusal(exc, allow_zero=allow_zero)) from exc


def _choice(table: str, value: str, field: str, *, blank: bool = False) -> str:
    """A choice in everyday words (助学, 企业, 专项…), as the forms and files take it."""
    try:
        found = match(table, value)
    except ChoiceError as exc:
        raise _refused(field, str(exc)) from exc
    if not found and not blank:
        raise _refused(field, "必填")
    return found


class FundIn(Schema):
    org_code: str
    name: str
    kind: str  # own / special, or 本级 / 专项…
    foundation: str = ""
    restricted: bool = False
    purpose: str = ""
    opened_on: date
    opening_balance: str = "0"
    note: str = ""


class FundOut(Schema):
    id: int
    org_code: str
    org_name: str
    name: str
    kind: str
    foundation: str
    restricted: bool
    purpose: str
    opened_on: date
    balance: str


class FundPage(Schema):
    items: list[FundOut]
    count: int
    page: int


class AccountsOut(Schema):
    year: int
    opening: str
    donations: str
    refunds: str
    spent: str
    closing: str
    spent_by_project: dict[str, str]


class EntryOut(Schema):
    id: int
    kind: str
    kind_label: str
    amount: str
    balance: str
    booked_on: date
    donor: str | None
    project: str | None


class EntryPage(Schema):
    items: list[EntryOut]
    count: int
    page: int


class DonationIn(Schema):
    donor_kind: str  # enterprise / individual (企业 / 个人)
    donor_name: str = ""
    uscc: str = ""
    id_number: str = ""
    anonymous: bool = False
    channel: str = "one_off"
    amount: str
    received_on: date
    note: str = ""
    project_id: int | None = None  # the donor's designation: the gift pays only this project of the fund


class DonationOut(Schema):
    id: int
    fund_id: int
    donor_kind: str
    donor: str
    uscc: str
    id_masked: str
    anonymous: bool
    channel: str
    amount: str
    refunded: str
    received_on: date
    agreement: bool


class DonationPage(Schema):
    items: list[DonationOut]
    count: int
    page: int


class RefundIn(Schema):
    amount: str
    on: date | None = None
    note: str


class ProjectIn(Schema):
    fund_id: int
    name: str
    purpose: str
    budget: str
    industry: str = ""
    region_code: str = ""
    starts_on: date
    ends_on: date
    note: str = ""


class ProjectOut(Schema):
    id: int
    fund_id: int
    name: str
    purpose: str
    budget: str
    spent: str
    industry: str
    region_code: str
    starts_on: date
    ends_on: date


class ProjectPage(Schema):
    items: list[ProjectOut]
    count: int
    page: int


class DisbursementIn(Schema):
    recipient_kind: str  # org / member
    recipient_name: str = ""
    member_id: int | None = None
    amount: str
    paid_on: date
    note: str = ""


class DisbursementOut(Schema):
    id: int
    fund_id: int
    project_id: int
    recipient_kind: str
    recipient: str
    amount: str
    returned: str
    paid_on: date
    via: str  # direct / payout / hardship / student_aid
    payout_item_id: int | None
    relief_visit_id: int | None
    student_application_id: int | None


class StudentGrantIn(Schema):
    application_id: int
    amount: str
    paid_on: date
    note: str = ""


class HardshipIn(Schema):
    file_id: int
    amount: str
    paid_on: date
    note: str = ""


class BatchLineIn(Schema):
    member_id: int
    amount: str


class PayoutBatchIn(Schema):
    bank: str  # the bank partner's code
    items: list[BatchLineIn]
    paid_on: date
    title: str = ""


class RefusedLineOut(Schema):
    member_id: int
    reason: str


class PayoutBatchOut(Schema):
    batch_id: int
    disbursements: list[DisbursementOut]
    refused: list[RefusedLineOut]


class ActivityIn(Schema):
    name: str
    held_on: date
    region_code: str = ""
    participants: int = 0
    note: str = ""


class ActivityOut(Schema):
    id: int
    project_id: int
    name: str
    held_on: date
    region_code: str
    participants: int


class ShareOut(Schema):
    entry_id: int
    kind: str
    booked_on: date
    amount: str  # the part of this row that the donation paid (or that paid the payment)
    donor: str | None  # for the sources of a payment: the donor (爱心人士 if anonymous), none for the opening balance
    project: str | None
    recipient: str | None  # masked for a member


class BeneficiaryOut(Schema):
    disbursement_id: int
    fund: str
    project: str
    amount: str
    paid_on: date
    sources: list[ShareOut]


class DisbursementPage(Schema):
    items: list[DisbursementOut]
    count: int
    page: int


def fund_out(f: Fund) -> dict[str, Any]:
    return {
        "id": f.pk,
        "org_code": f.org.code,
        "org_name": f.org.name,
        "name": f.name,
        "kind": f.kind,
        "foundation": f.foundation,
        "restricted": f.restricted,
        "purpose": f.purpose,
        "opened_on": f.opened_on,
        "balance": fen_to_yuan(f.balance_fen),
    }


def entry_out(e: FundEntry) -> dict[str, Any]:
    return {
        "id": e.pk,
        "kind": e.kind,
        "kind_label": e.get_kind_display(),
        "amount": fen_to_yuan(e.amount_fen),
        "balance": fen_to_yuan(e.balance_fen),
        "booked_on": e.booked_on,
        "donor": e.donation.shown_donor if e.donation_id and e.donation else None,
        "project": e.disbursement.project.name if e.disbursement_id and e.disbursement else None,
    }


def donation_out(d: Donation) -> dict[str, Any]:
    return {
        "id": d.pk,
        "fund_id": d.fund_id,
        "donor_kind": d.donor_kind,
        "donor": d.shown_donor,
        "uscc": d.uscc,
        "id_masked": "" if d.anonymous else d.id_masked,
        "anonymous": d.anonymous,
        "channel": d.channel,
        "amount": fen_to_yuan(d.amount_fen),
        "refunded": fen_to_yuan(d.refunded_fen),
        "received_on": d.received_on,
        "agreement": bool(d.agreement_file),
        "project_id": d.project_id,
    }


def project_out(p: Project) -> dict[str, Any]:
    return {
        "id": p.pk,
        "fund_id": p.fund_id,
        "name": p.name,
        "purpose": p.purpose,
        "budget": fen_to_yuan(p.budget_fen),
        "spent": fen_to_yuan(p.spent_fen),
        "industry": p.industry,
        "region_code": p.region_code,
        "starts_on": p.starts_on,
        "ends_on": p.ends_on,
    }


def share_out(share: selectors.Share) -> dict[str, Any]:
    e = share.entry
    paid = e.disbursement if e.disbursement_id else None
    recipient = None
    if paid is not None:
        recipient = mask_name(paid.person.name) if paid.person_id and paid.person else paid.recipient_name
    return {
        "entry_id": e.pk,
        "kind": e.kind,
        "booked_on": e.booked_on,
        "amount": fen_to_yuan(share.amount_fen),
        "donor": e.donation.shown_donor if e.donation_id and e.donation and e.kind == "donation" else None,
        "project": paid.project.name if paid is not None else None,
        "recipient": recipient,
    }


def disbursement_out(d: Disbursement) -> dict[str, Any]:
    return {
        "id": d.pk,
        "fund_id": d.fund_id,
        "project_id": d.project_id,
        "recipient_kind": d.recipient_kind,
        "recipient": mask_name(d.person.name) if d.person_id and d.person else d.recipient_name,
        "amount": fen_to_yuan(d.amount_fen),
        "returned": fen_to_yuan(d.returned_fen),
        "paid_on": d.paid_on,
        "via": d.via,
        "payout_item_id": d.payout_item_id,
        "relief_visit_id": d.relief_visit_id,
        "student_application_id": d.student_application_id,
    }


# --- funds -----------------------------------------------------------------------------------------


@router.get("/funds", response=FundPage, summary="慈善基金")
def list_funds(request: HttpRequest, page: int = 1) -> dict[str, Any]:
    rows, count, number = paginate(selectors.fund_list(scope=request_scope(request)), page)
    return {"items": [fund_out(f) for f in rows], "count": count, "page": number}


@router.post("/funds", response={201: FundOut}, summary="设立慈善基金")
def create_fund(request: HttpRequest, body: FundIn) -> Status[dict[str, Any]]:
    scope = request_scope(request)
    org = org_get(scope=scope, code=body.org_code.strip().upper(), perm=CharityPerm.VIEW)
    fund = services.fund_create(
        actor=actor_of(request),
        scope=scope,
        org=org,
        name=body.name,
        kind=_choice("charity_fund_kind", body.kind, "kind"),
        foundation=body.foundation,
        restricted=body.restricted,
        purpose=_choice("charity_purpose", body.purpose, "purpose", blank=True),
        opened_on=body.opened_on,
        opening_balance_fen=_fen(body.opening_balance, "opening_balance", allow_zero=True),
        note=body.note,
    )
    return Status(201, fund_out(selectors.fund_get(scope=scope, pk=fund.pk)))


@router.get("/funds/{fund_id}", response=FundOut, summary="慈善基金详情")
def get_fund(request: HttpRequest, fund_id: int) -> dict[str, Any]:
    return fund_out(selectors.fund_get(scope=request_scope(request), pk=fund_id))


@router.get("/funds/{fund_id}/accounts", response=AccountsOut, summary="基金年度收支（由台账求和）")
def fund_accounts(request: HttpRequest, fund_id: int, year: int | None = None) -> dict[str, Any]:
    fund = selectors.fund_get(scope=request_scope(request), pk=fund_id)
    a = selectors.fund_year_accounts(fund=fund, year=year or timezone.localdate().year)
    return {
        "year": a.year,
        "opening": fen_to_yuan(a.opening_fen),
        "donations": fen_to_yuan(a.donations_fen),
        "refunds": fen_to_yuan(a.refunds_fen),
        "spent": fen_to_yuan(a.spent_fen),
        "closing": fen_to_yuan(a.closing_fen),
        "spent_by_project": {name: fen_to_yuan(s) for name, s in a.spent_by_project},
    }


@router.get("/funds/{fund_id}/ledger", response=EntryPage, summary="基金台账（新的在前）")
def fund_ledger(request: HttpRequest, fund_id: int, page: int = 1) -> dict[str, Any]:
    scope = request_scope(request)
    fund = selectors.fund_get(scope=scope, pk=fund_id)
    rows, count, number = paginate(selectors.fund_ledger(scope=scope, fund=fund), page)
    return {"items": [entry_out(e) for e in rows], "count": count, "page": number}


# --- donations -------------------------------------------------------------------------------------


@router.post("/funds/{fund_id}/donations", response={201: DonationOut}, summary="登记捐赠")
def record_donation(request: HttpRequest, fund_id: int, body: DonationIn) -> Status[dict[str, Any]]:
    scope = request_scope(request)
    fund = selectors.fund_get(scope=scope, pk=fund_id)
    donation = services.donation_record(
        actor=actor_of(request),
        scope=scope,
        fund=fund,
        donor=services.DonorIn(
            kind=_choice("charity_donor_kind", body.donor_kind, "donor_kind"),
            name=body.donor_name,
            uscc=body.uscc,
            id_number=body.id_number,
            anonymous=body.anonymous,
        ),
        amount_fen=_fen(body.amount, "amount"),
        received_on=body.received_on,
        channel=body.channel,
        note=body.note,
        project=selectors.project_get(scope=scope, pk=body.project_id) if body.project_id is not None else None,
    )
    return Status(201, donation_out(donation))


@router.get("/donations", response=DonationPage, summary="捐赠")
def list_donations(request: HttpRequest, fund_id: int | None = None, page: int = 1) -> dict[str, Any]:
    scope = request_scope(request)
    fund = selectors.fund_get(scope=scope, pk=fund_id) if fund_id is not None else None
    rows, count, number = paginate(selectors.donation_list(scope=scope, fund=fund), page)
    return {"items": [donation_out(d) for d in rows], "count": count, "page": number}


@router.get("/donations/{donation_id}", response=DonationOut, summary="捐赠详情")
def get_donation(request: HttpRequest, donation_id: int) -> dict[str, Any]:
    return donation_out(selectors.donation_get(scope=request_scope(request), pk=donation_id))


@router.get("/donations/{donation_id}/trace", response=list[ShareOut], summary="善款去向（基金内先进先出）")
def trace_donation(request: HttpRequest, donation_id: int) -> list[dict[str, Any]]:
    scope = request_scope(request)
    donation = selectors.donation_get(scope=scope, pk=donation_id)
    return [share_out(s) for s in selectors.donation_trace(scope=scope, donation=donation)]


@router.post("/donations/{donation_id}/refunds", response=DonationOut, summary="退还捐赠")
def refund_donation(request: HttpRequest, donation_id: int, body: RefundIn) -> dict[str, Any]:
    scope = request_scope(request)
    donation = selectors.donation_get(scope=scope, pk=donation_id)
    refunded = services.donation_refund(
        actor=actor_of(request),
        scope=scope,
        donation=donation,
        amount_fen=_fen(body.amount, "amount"),
        on=body.on or timezone.localdate(),
        note=body.note,
    )
    return donation_out(refunded)


# --- projects and disbursements -------------------------------------------------------------------


@router.get("/projects", response=ProjectPage, summary="公益项目")
def list_projects(request: HttpRequest, fund_id: int | None = None, page: int = 1) -> dict[str, Any]:
    scope = request_scope(request)
    fund = selectors.fund_get(scope=scope, pk=fund_id) if fund_id is not None else None
    rows, count, number = paginate(selectors.project_list(scope=scope, fund=fund), page)
    return {"items": [project_out(p) for p in rows], "count": count, "page": number}


@router.post("/projects", response={201: ProjectOut}, summary="设立公益项目")
def create_project(request: HttpRequest, body: ProjectIn) -> Status[dict[str, Any]]:
    scope = request_scope(request)
    fund = selectors.fund_get(scope=scope, pk=body.fund_id)
    project = services.project_create(
        actor=actor_of(request),
        scope=scope,
        fund=fund,
        name=body.name,
        purpose=_choice("charity_purpose", body.purpose, "purpose"),
        budget_fen=_fen(body.budget, "budget"),
        industry=_choice("charity_industry", body.industry, "industry", blank=True),
        region_code=body.region_code,
        starts_on=body.starts_on,
        ends_on=body.ends_on,
        note=body.note,
    )
    return Status(201, project_out(project))


@router.get("/projects/{project_id}", response=ProjectOut, summary="公益项目详情")
def get_project(request: HttpRequest, project_id: int) -> dict[str, Any]:
    return project_out(selectors.project_get(scope=request_scope(request), pk=project_id))


@router.post("/projects/{project_id}/disbursements", response={201: DisbursementOut}, summary="登记公益支出")
def record_disbursement(request: HttpRequest, project_id: int, body: DisbursementIn) -> Status[dict[str, Any]]:
    scope = request_scope(request)
    project = selectors.project_get(scope=scope, pk=project_id)
    kind = _choice("charity_recipient_kind", body.recipient_kind, "recipient_kind")
    membership = None
    if body.member_id is not None:
        membership = membership_get(scope=scope, pk=body.member_id, perm=CharityPerm.DISBURSE)
    paid = services.disbursement_record(
        actor=actor_of(request),
        scope=scope,
        fund=project.fund,
        project=project,
        recipient=services.RecipientIn(kind=kind, name=body.recipient_name, membership=membership),
        amount_fen=_fen(body.amount, "amount"),
        paid_on=body.paid_on,
        note=body.note,
    )
    return Status(201, disbursement_out(paid))


@router.post(
    "/projects/{project_id}/student-grants", response={201: DisbursementOut}, summary="资助金秋助学学生（记入全程资助）"
)
def record_student_grant(request: HttpRequest, project_id: int, body: StudentGrantIn) -> Status[dict[str, Any]]:
    scope = request_scope(request)
    project = selectors.project_get(scope=scope, pk=project_id, perm=CharityPerm.DISBURSE)
    paid = services.student_grant_record(
        actor=actor_of(request),
        scope=scope,
        project=project,
        application=student_aid_selectors.application_get(scope=scope, pk=body.application_id),
        amount_fen=_fen(body.amount, "amount"),
        paid_on=body.paid_on,
        note=body.note,
    )
    return Status(201, disbursement_out(paid))


@router.post("/projects/{project_id}/hardship", response={201: DisbursementOut}, summary="帮扶困难职工（记入帮扶记录）")
def record_hardship(request: HttpRequest, project_id: int, body: HardshipIn) -> Status[dict[str, Any]]:
    scope = request_scope(request)
    project = selectors.project_get(scope=scope, pk=project_id, perm=CharityPerm.DISBURSE)
    paid = services.hardship_assistance_record(
        actor=actor_of(request),
        scope=scope,
        project=project,
        file=selectors.hardship_file_for(scope=scope, pk=body.file_id),
        amount_fen=_fen(body.amount, "amount"),
        paid_on=body.paid_on,
        note=body.note,
    )
    return Status(201, disbursement_out(paid))


@router.post(
    "/projects/{project_id}/payout-batches", response={201: PayoutBatchOut}, summary="经资金代发批次发放给会员"
)
def create_payout_batch(request: HttpRequest, project_id: int, body: PayoutBatchIn) -> Status[dict[str, Any]]:
    scope = request_scope(request)
    project = selectors.project_get(scope=scope, pk=project_id, perm=CharityPerm.DISBURSE)
    try:
        bank = bank_get(body.bank)
    except NotFoundError as exc:
        raise DomainError(
            "charity.disbursement_fields_invalid", details={"bank": "没有这家代发银行"}, reasons="没有这家代发银行"
        ) from exc
    items = [
        (membership_get(scope=scope, pk=line.member_id, perm=CharityPerm.DISBURSE), _fen(line.amount, "amount"))
        for line in body.items
    ]
    batch, refused = services.payout_batch_from_project(
        actor=actor_of(request),
        scope=scope,
        project=project,
        bank=bank,
        items=items,
        paid_on=body.paid_on,
        title=body.title,
    )
    paid = selectors.disbursement_list(scope=scope, project=project).filter(payout_item__batch_id=batch.pk)
    return Status(
        201,
        {
            "batch_id": batch.pk,
            "disbursements": [disbursement_out(d) for d in paid],
            "refused": [{"member_id": r.membership_id, "reason": r.reason} for r in refused],
        },
    )


@router.get("/disbursements", response=DisbursementPage, summary="公益支出")
def list_disbursements(request: HttpRequest, project_id: int | None = None, page: int = 1) -> dict[str, Any]:
    scope = request_scope(request)
    project = selectors.project_get(scope=scope, pk=project_id) if project_id is not None else None
    rows, count, number = paginate(selectors.disbursement_list(scope=scope, project=project), page)
    return {"items": [disbursement_out(d) for d in rows], "count": count, "page": number}


@router.get("/beneficiaries/{member_id}", response=list[BeneficiaryOut], summary="受助会员的资助来源（基金与捐赠人）")
def beneficiary(request: HttpRequest, member_id: int) -> list[dict[str, Any]]:
    scope = request_scope(request)
    ms = membership_get(scope=scope, pk=member_id)
    return [
        {
            "disbursement_id": d.pk,
            "fund": d.fund.name,
            "project": d.project.name,
            "amount": fen_to_yuan(d.amount_fen),
            "paid_on": d.paid_on,
            "sources": [share_out(s) for s in shares],
        }
        for d, shares in selectors.beneficiary_sources(scope=scope, person_id=ms.person_id)
    ]


def activity_out(a: Any) -> dict[str, Any]:
    return {
        "id": a.pk,
        "project_id": a.project_id,
        "name": a.name,
        "held_on": a.held_on,
        "region_code": a.region_code,
        "participants": a.participants,
    }


@router.get("/projects/{project_id}/activities", response=list[ActivityOut], summary="项目的公益活动")
def list_activities(request: HttpRequest, project_id: int) -> list[dict[str, Any]]:
    scope = request_scope(request)
    project = selectors.project_get(scope=scope, pk=project_id)
    return [activity_out(a) for a in selectors.activity_list(scope=scope, project=project)[:500]]


@router.post("/projects/{project_id}/activities", response={201: ActivityOut}, summary="登记公益活动")
def record_activity(request: HttpRequest, project_id: int, body: ActivityIn) -> Status[dict[str, Any]]:
    scope = request_scope(request)
    project = selectors.project_get(scope=scope, pk=project_id)
    activity = services.activity_record(
        actor=actor_of(request),
        scope=scope,
        project=project,
        name=body.name,
        held_on=body.held_on,
        region_code=body.region_code,
        participants=body.participants,
        note=body.note,
    )
    return Status(201, activity_out(activity))
