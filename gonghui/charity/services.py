"""Writes on charity funds: set up a fund, record and refund donations, set up projects, pay out.

Every movement of money goes through `_book`, inside the service's transaction and
with the fund's row locked (`select_for_update`): it reads the balance, refuses a
movement that would take it below zero, writes the new balance on the fund and one
ledger row carrying it. The fund's CHECK (balance ≥ 0) is the database's own refusal
should any writer ever skip the lock. Locks are taken fund first, then the donation
or project, always in that order. Every write is audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from gonghui.accounts.models import User
from gonghui.aid.models import FileStatus, HardshipFile, ReliefEvent
from gonghui.aid.relief import relief_visit_record
from gonghui.cards.models import BankPartner
from gonghui.charity import errors as _errors  # noqa: F401  (registers messages)
from gonghui.charity.models import (
    Activity,
    Channel,
    Disbursement,
    Donation,
    DonorKind,
    EntryKind,
    Fund,
    FundEntry,
    FundKind,
    Industry,
    PayVia,
    Project,
    Purpose,
    Receipt,
    RecipientKind,
)
from gonghui.charity.permissions import CharityPerm
from gonghui.core.audit import audit_record
from gonghui.core.errors import DomainError, NotFoundError, joined
from gonghui.core.money import fen_to_yuan
from gonghui.core.scoping import Scope, require_perm_at, unscoped
from gonghui.core.validators import InvalidIdentifier, clean_region_code, clean_uscc
from gonghui.members.models import Membership, MembershipStatus, Person
from gonghui.members.validation import FieldError, parse_identity
from gonghui.orgs.models import Org
from gonghui.payouts.models import ItemStatus, PayoutBatch, PayoutItem, PayoutPurpose
from gonghui.payouts.services import ItemRefusal, payout_batch_create, payout_items_add
from gonghui.student_aid import selectors as student_aid_selectors
from gonghui.student_aid.models import ApplicationStatus, StudentAidApplication

PURPOSES = dict(Purpose.choices)


def _audit(actor: User | None, org_id: int, target: Any, *, action: str, **data: Any) -> None:
    with unscoped():
        org = Org.all_objects.get(pk=org_id)
    audit_record(actor=actor, action=action, org=org, target=target, data=data)


def _not_in_future(on: date, field: str, label: str, errors: dict[str, str]) -> None:
    if on > timezone.localdate():
        errors[field] = f"{label}不能晚于今天"


# --- the ledger ------------------------------------------------------------------------------------


def _lock_fund(fund_id: int) -> Fund:
    """The fund's row, locked until the caller's transaction ends: the one gate to its balance."""
    return Fund.all_objects.select_for_update().get(pk=fund_id)


# The two refusals of a movement the balance does not cover, each a literal code (the catalogue's test).
OVERDRAW_REFUSALS = {
    "charity.insufficient_balance": lambda **p: DomainError("charity.insufficient_balance", status=409, **p),
    "charity.refund_exceeds_balance": lambda **p: DomainError("charity.refund_exceeds_balance", status=409, **p),
}


def _available_fen(fund: Fund, line: Project | None) -> int:
    """What a movement out on `line` may take: the general line's money, or a project's own line's."""
    if line is None:
        return fund.inflow_fen - fund.outflow_fen
    return line.designated_in_fen - line.designated_out_fen


def _refuse_overdraw(fund: Fund, amount_fen: int, code: str, available_fen: int | None = None) -> None:
    """Refuse a movement out of `fund` (read under its lock) that the money it may take does not cover."""
    available = fund.balance_fen if available_fen is None else available_fen
    if amount_fen > available:
        raise OVERDRAW_REFUSALS[code](fund=fund.name, balance=fen_to_yuan(available), amount=fen_to_yuan(amount_fen))


def _book(
    fund: Fund,
    *,
    kind: str,
    amount_fen: int,
    on: date,
    line: Project | None = None,
    donation: Donation | None = None,
    disbursement: Disbursement | None = None,
    refusal: str = "charity.insufficient_balance",
) -> FundEntry:
    """One ledger row on a fund locked by `_lock_fund` (and `line`, a project's own line, locked after it).

    The row sits on the general line (`line` None) or on the project's line of designated money; its
    running totals are that line's, its balance the fund's. A movement out never takes more than its line holds.
    """
    if amount_fen < 0:
        _refuse_overdraw(fund, -amount_fen, refusal, _available_fen(fund, line))
    if line is None:
        if amount_fen < 0:
            fund.outflow_fen -= amount_fen
        else:
            fund.inflow_fen += amount_fen
        cum_in, cum_out = fund.inflow_fen, fund.outflow_fen
    else:
        if amount_fen < 0:
            line.designated_out_fen -= amount_fen
        else:
            line.designated_in_fen += amount_fen
        fund.designated_fen += amount_fen
        line.save(update_fields=["designated_in_fen", "designated_out_fen"])
        cum_in, cum_out = line.designated_in_fen, line.designated_out_fen
    fund.balance_fen += amount_fen
    try:
        with transaction.atomic():
            fund.save(update_fields=["balance_fen", "inflow_fen", "outflow_fen", "designated_fen"])
    except IntegrityError as exc:  # the CHECK: only reachable by a writer that skipped the lock
        raise OVERDRAW_REFUSALS[refusal](fund=fund.name, balance="0.00", amount=fen_to_yuan(abs(amount_fen))) from exc
    return FundEntry.all_objects.create(
        fund=fund,
        org_path=fund.org_path,
        kind=kind,
        amount_fen=amount_fen,
        balance_fen=fund.balance_fen,
        cum_in_fen=cum_in,
        cum_out_fen=cum_out,
        project=line,
        booked_on=on,
        donation=donation,
        disbursement=disbursement,
    )


def _pay_out(fund: Fund, project: Project, paid: Disbursement, amount_fen: int, on: date) -> None:
    """Book a payment of `project` (both rows locked): its own line's designated money first, then the general line's.

    Designated money is used only by its project; the rest of a payment is first in, first out on the general line.
    """
    own = min(amount_fen, _available_fen(fund, project))
    _refuse_overdraw(fund, amount_fen, "charity.insufficient_balance", own + _available_fen(fund, None))
    if own:
        _book(fund, kind=EntryKind.DISBURSEMENT, amount_fen=-own, on=on, line=project, disbursement=paid)
    if amount_fen - own:
        _book(fund, kind=EntryKind.DISBURSEMENT, amount_fen=own - amount_fen, on=on, disbursement=paid)


# --- funds -----------------------------------------------------------------------------------------


def fund_create(
    *,
    actor: User | None,
    scope: Scope | None,
    org: Org,
    name: str,
    kind: str,
    foundation: str = "",
    restricted: bool = False,
    purpose: str = "",
    opened_on: date,
    opening_balance_fen: int = 0,
    note: str = "",
) -> Fund:
    """A union sets up a fund; its opening balance is the ledger's first row."""
    require_perm_at(scope, CharityPerm.MANAGE, org.path)
    name, foundation = name.strip(), foundation.strip()
    errors: dict[str, str] = {}
    if not name:
        errors["name"] = "请填写基金名称"
    if kind not in FundKind.values:
        errors["kind"] = "基金类型应为本级工会基金或基金会专项基金"
    elif kind == FundKind.SPECIAL and not foundation:
        errors["foundation"] = "专项基金请填写所在基金会（如中国职工发展基金会）"
    if restricted and purpose not in Purpose.values:
        errors["purpose"] = "限定用途的基金请选择用途"
    if opening_balance_fen < 0:
        errors["opening_balance"] = "期初余额不能为负数"
    _not_in_future(opened_on, "opened_on", "设立日期", errors)
    if errors:
        raise DomainError("charity.fund_fields_invalid", details=errors, reasons=joined(errors))
    with transaction.atomic():
        with unscoped():
            if Fund.all_objects.filter(org=org, name=name).exists():
                raise DomainError("charity.fund_name_taken", field="name", name=name)
        try:
            with transaction.atomic():
                fund = Fund.all_objects.create(
                    org=org,
                    org_path=org.path,
                    name=name,
                    kind=kind,
                    foundation=foundation if kind == FundKind.SPECIAL else "",
                    restricted=restricted,
                    purpose=purpose if restricted else "",
                    opened_on=opened_on,
                    opening_balance_fen=opening_balance_fen,
                    note=note.strip()[:200],
                    created_by=actor,
                )
        except IntegrityError as exc:  # the same name set up at the same moment by someone else
            raise DomainError("charity.fund_name_taken", field="name", name=name) from exc
        fund = _lock_fund(fund.pk)
        _book(fund, kind=EntryKind.OPENING, amount_fen=opening_balance_fen, on=opened_on)
        _audit(
            actor,
            org.pk,
            fund,
            action="charity.fund.create",
            kind=kind,
            purpose=fund.purpose,
            opening_fen=opening_balance_fen,
        )
    return fund


# --- donations -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DonorIn:
    """Who gave: an enterprise by its USCC, or a person (by ID number when given)."""

    kind: str
    name: str = ""
    uscc: str = ""
    id_number: str = ""
    anonymous: bool = False


def _donor_fields(donor: DonorIn, errors: dict[str, str]) -> dict[str, Any]:
    """The donation's donor columns; a member is their Person, anyone else's number is sealed."""
    name = donor.name.strip()
    if donor.kind == DonorKind.ENTERPRISE:
        if not name:
            errors["donor_name"] = "请填写捐赠企业名称"
        try:
            uscc = clean_uscc(donor.uscc)
        except InvalidIdentifier as exc:
            errors["uscc"] = f"统一社会信用代码无效：{exc}"
            return {}
        if not uscc:
            errors["uscc"] = "企业捐赠请填写统一社会信用代码"
        return {"donor_name": name[:200], "uscc": uscc}
    if donor.kind != DonorKind.INDIVIDUAL:
        errors["donor_kind"] = "捐赠人类型应为企业或个人"
        return {}
    fields: dict[str, Any] = {"donor_name": name[:200]}
    if donor.id_number.strip():
        try:
            identity = parse_identity(donor.id_number)
        except FieldError as exc:
            errors["id_number"] = str(exc)
            return fields
        person = Person.objects.filter(id_index=identity.index).only("pk", "name").first()
        if person is not None:
            fields["person"] = person
            fields["donor_name"] = fields["donor_name"] or person.name
        else:
            fields.update(id_cipher=identity.cipher(), id_index=identity.index, id_masked=identity.masked)
    if not fields["donor_name"] and not donor.anonymous:
        errors["donor_name"] = "请填写捐赠人姓名（不愿具名请勾选匿名捐赠）"
    if not fields["donor_name"]:
        fields["donor_name"] = "匿名"
    return fields


def donation_record(
    *,
    actor: User | None,
    scope: Scope | None,
    fund: Fund,
    donor: DonorIn,
    amount_fen: int,
    received_on: date,
    channel: str = Channel.ONE_OFF,
    agreement_file: str = "",
    note: str = "",
    project: Project | None = None,
) -> Donation:
    """Money received by a fund from one donor: the donation and its ledger row.

    A gift designated to `project` (one of the fund's) goes on that project's own line and pays only it.
    """
    require_perm_at(scope, CharityPerm.DONATION, fund.org_path)
    errors: dict[str, str] = {}
    if project is not None and project.fund_id != fund.pk:
        errors["project"] = f"指定项目“{project.name}”不属于“{fund.name}”"
    donor_fields = _donor_fields(donor, errors)
    if amount_fen <= 0:
        errors["amount"] = "金额须为正数"
    if channel not in Channel.values:
        errors["channel"] = "捐赠方式应为一次性捐赠或工资代扣"
    _not_in_future(received_on, "received_on", "到账日期", errors)
    if received_on < fund.opened_on:
        errors["received_on"] = f"到账日期不能早于基金设立日期（{fund.opened_on:%Y-%m-%d}）"
    if errors:
        raise DomainError("charity.donation_fields_invalid", details=errors, reasons=joined(errors))
    with transaction.atomic():
        locked = _lock_fund(fund.pk)
        line = Project.all_objects.select_for_update().get(pk=project.pk) if project is not None else None
        donation = Donation.all_objects.create(
            fund=locked,
            project=line,
            org_path=locked.org_path,
            donor_kind=donor.kind,
            anonymous=donor.anonymous,
            channel=channel,
            amount_fen=amount_fen,
            received_on=received_on,
            agreement_file=agreement_file,
            note=note.strip()[:200],
            created_by=actor,
            **donor_fields,
        )
        _book(locked, kind=EntryKind.DONATION, amount_fen=amount_fen, on=received_on, line=line, donation=donation)
        _audit(
            actor,
            locked.org_id,
            donation,
            action="charity.donation.record",
            fund=locked.name,
            project=line.name if line else "",
            donor_kind=donor.kind,
            amount_fen=amount_fen,
            anonymous=donor.anonymous,
        )
    return donation


def donation_attach_agreement(
    *, actor: User | None, scope: Scope | None, donation: Donation, stored_name: str
) -> Donation:
    """The signed donation agreement of an enterprise's gift, stored by `agreements.agreement_store`."""
    require_perm_at(scope, CharityPerm.DONATION, donation.org_path)
    with transaction.atomic():
        locked = Donation.all_objects.select_for_update().get(pk=donation.pk)
        locked.agreement_file = stored_name
        locked.save(update_fields=["agreement_file"])
        _audit(actor, locked.fund.org_id, locked, action="charity.donation.agreement", agreement=stored_name)
    return locked


def donation_refund(
    *, actor: User | None, scope: Scope | None, donation: Donation, amount_fen: int, on: date, note: str = ""
) -> Donation:
    """Give back (part of) a donation, as far as the fund still holds the money."""
    require_perm_at(scope, CharityPerm.REFUND, donation.org_path)
    errors: dict[str, str] = {}
    if amount_fen <= 0:
        errors["amount"] = "金额须为正数"
    _not_in_future(on, "on", "退还日期", errors)
    if not note.strip():
        errors["note"] = "请填写退还原因"
    if errors:
        raise DomainError("charity.donation_fields_invalid", details=errors, reasons=joined(errors))
    with transaction.atomic():
        fund = _lock_fund(donation.fund_id)
        locked = Donation.all_objects.select_for_update().get(pk=donation.pk)
        line = Project.all_objects.select_for_update().get(pk=locked.project_id) if locked.project_id else None
        left = locked.amount_fen - locked.refunded_fen
        if amount_fen > left:
            raise DomainError(
                "charity.refund_exceeds_donation", status=409, left=fen_to_yuan(left), amount=fen_to_yuan(amount_fen)
            )
        _book(
            fund,
            kind=EntryKind.REFUND,
            amount_fen=-amount_fen,
            on=on,
            line=line,
            donation=locked,
            refusal="charity.refund_exceeds_balance",
        )
        locked.refunded_fen += amount_fen
        locked.save(update_fields=["refunded_fen"])
        _audit(
            actor, fund.org_id, locked, action="charity.donation.refund", amount_fen=amount_fen, note=note.strip()[:200]
        )
    return locked


# --- projects and disbursements -------------------------------------------------------------------


def project_create(
    *,
    actor: User | None,
    scope: Scope | None,
    fund: Fund,
    name: str,
    purpose: str,
    budget_fen: int,
    starts_on: date,
    ends_on: date,
    industry: str = "",
    region_code: str = "",
    note: str = "",
) -> Project:
    """A project of a fund; a restricted fund's projects serve its purpose only."""
    require_perm_at(scope, CharityPerm.MANAGE, fund.org_path)
    errors: dict[str, str] = {}
    name = name.strip()
    if not name:
        errors["name"] = "请填写项目名称"
    if purpose not in Purpose.values:
        errors["purpose"] = "请选择项目用途"
    elif fund.restricted and purpose != fund.purpose:
        errors["purpose"] = f"“{fund.name}”限定用于{PURPOSES[fund.purpose]}，项目用途不能是{PURPOSES[purpose]}"
    if budget_fen <= 0:
        errors["budget"] = "预算须为正数"
    if industry and industry not in Industry.values:
        errors["industry"] = "受益行业不在国民经济行业分类（门类）中"
    try:
        region_code = clean_region_code(region_code)
    except InvalidIdentifier as exc:
        errors["region_code"] = str(exc)
    if ends_on < starts_on:
        errors["ends_on"] = "结束日期不能早于开始日期"
    if errors:
        raise DomainError("charity.project_fields_invalid", details=errors, reasons=joined(errors))
    with transaction.atomic():
        project = Project.all_objects.create(
            fund=fund,
            org_path=fund.org_path,
            name=name[:200],
            purpose=purpose,
            budget_fen=budget_fen,
            industry=industry,
            region_code=region_code,
            starts_on=starts_on,
            ends_on=ends_on,
            note=note.strip()[:200],
            created_by=actor,
        )
        _audit(
            actor,
            fund.org_id,
            project,
            action="charity.project.create",
            fund=fund.name,
            purpose=purpose,
            budget_fen=budget_fen,
        )
    return project


@dataclass(frozen=True)
class RecipientIn:
    """Who is paid: an organisation by name (a school, a union), or a member (an active membership)."""

    kind: str
    name: str = ""
    org: Org | None = None
    membership: Membership | None = None


def _check_payment(fund: Fund, project: Project, amount_fen: int, paid_on: date, errors: dict[str, str]) -> None:
    """What every payment of a project must satisfy, whichever way it reaches the recipient."""
    if project.fund_id != fund.pk:
        raise DomainError("charity.project_other_fund", project=project.name, fund=fund.name)
    if fund.restricted and project.purpose != fund.purpose:  # projects are checked when made; kept true here
        raise DomainError(
            "charity.purpose_mismatch",
            fund=fund.name,
            purpose=PURPOSES[fund.purpose],
            other=PURPOSES.get(project.purpose, project.purpose),
        )
    if amount_fen <= 0:
        errors["amount"] = "金额须为正数"
    _not_in_future(paid_on, "paid_on", "支付日期", errors)
    if not project.starts_on <= paid_on <= project.ends_on and "paid_on" not in errors:
        errors["paid_on"] = f"支付日期应在项目实施期内（{project.starts_on:%Y-%m-%d} 至 {project.ends_on:%Y-%m-%d}）"


def _purpose_for(project: Project, allowed: tuple[str, ...], what: str) -> None:
    """A payment through another app's service serves that app's purpose only (a student grant is 助学)."""
    if project.purpose not in allowed:
        raise DomainError(
            "charity.purpose_not_for",
            project=project.name,
            purpose=PURPOSES.get(project.purpose, project.purpose),
            what=what,
        )


def _disburse(
    *,
    actor: User | None,
    fund: Fund,
    project: Project,
    amount_fen: int,
    paid_on: date,
    note: str,
    who: dict[str, Any],
) -> Disbursement:
    """Inside the caller's transaction: lock fund then project, check the budget, book the payment."""
    locked = _lock_fund(fund.pk)
    proj = Project.all_objects.select_for_update().get(pk=project.pk)
    if proj.spent_fen + amount_fen > proj.budget_fen:
        raise DomainError(
            "charity.over_budget",
            status=409,
            project=proj.name,
            budget=fen_to_yuan(proj.budget_fen),
            spent=fen_to_yuan(proj.spent_fen),
            amount=fen_to_yuan(amount_fen),
        )
    paid = Disbursement.all_objects.create(
        fund=locked,
        project=proj,
        org_path=locked.org_path,
        amount_fen=amount_fen,
        paid_on=paid_on,
        note=note.strip()[:200],
        created_by=actor,
        **who,
    )
    _pay_out(locked, proj, paid, amount_fen, paid_on)
    proj.spent_fen += amount_fen
    proj.save(update_fields=["spent_fen"])
    _audit(
        actor,
        locked.org_id,
        paid,
        action="charity.disbursement.record",
        fund=locked.name,
        project=proj.name,
        amount_fen=amount_fen,
        recipient_kind=who["recipient_kind"],
        via=who.get("via", PayVia.DIRECT),
    )
    return paid


def disbursement_record(
    *,
    actor: User | None,
    scope: Scope | None,
    fund: Fund,
    project: Project,
    recipient: RecipientIn,
    amount_fen: int,
    paid_on: date,
    note: str = "",
) -> Disbursement:
    """Money paid from a fund for one of its projects; never past the fund's balance or the project's budget."""
    require_perm_at(scope, CharityPerm.DISBURSE, fund.org_path)
    errors: dict[str, str] = {}
    _check_payment(fund, project, amount_fen, paid_on, errors)
    who: dict[str, Any] = {"recipient_kind": recipient.kind}
    if recipient.kind == RecipientKind.ORG:
        name = recipient.name.strip() or (recipient.org.name if recipient.org else "")
        if not name:
            errors["recipient_name"] = "请填写受助组织名称"
        who.update(recipient_name=name[:200], recipient_org=recipient.org)
    elif recipient.kind == RecipientKind.MEMBER:
        ms = recipient.membership
        if ms is None or ms.status != MembershipStatus.ACTIVE:
            errors["member"] = "本工会范围内没有这名在册会员，请核对会员编号或证件号码。"
        else:
            require_perm_at(scope, CharityPerm.DISBURSE, ms.org_path)
            who["person_id"] = ms.person_id
    else:
        errors["recipient_kind"] = "受助方应为组织或会员"
    if errors:
        raise DomainError("charity.disbursement_fields_invalid", details=errors, reasons=joined(errors))
    with transaction.atomic():
        return _disburse(
            actor=actor, fund=fund, project=project, amount_fen=amount_fen, paid_on=paid_on, note=note, who=who
        )


STUDENT_PURPOSES = (Purpose.STUDENT_AID,)
HARDSHIP_PURPOSES = (Purpose.HARDSHIP, Purpose.MEDICAL, Purpose.RELIEF, Purpose.DISASTER)
# A 金秋助学 application a charity grant may sit beside: approved by the county federation, or later.
GRANTABLE = (ApplicationStatus.APPROVED, ApplicationStatus.PUBLISHED, ApplicationStatus.PAID)


def student_grant_record(
    *,
    actor: User | None,
    scope: Scope | None,
    project: Project,
    application: StudentAidApplication,
    amount_fen: int,
    paid_on: date,
    note: str = "",
) -> Disbursement:
    """An enterprise charity grant to a 金秋助学 student, beside the 金秋助学 amount, on the student's course.

    The application is read through student_aid's own selector (the caller must see it); it must have been
    approved; the project must serve 助学. The grant is paid to the applicant (the member) and names the
    application, so `student_aid`'s whole-course view shows it next to 金秋助学 (`course_lines`).
    """
    fund = project.fund
    require_perm_at(scope, CharityPerm.DISBURSE, fund.org_path)
    _purpose_for(project, STUDENT_PURPOSES, "金秋助学学生")
    errors: dict[str, str] = {}
    _check_payment(fund, project, amount_fen, paid_on, errors)
    with unscoped():
        app = StudentAidApplication.all_objects.get(pk=application.pk)
    if scope is not None:
        student_aid_selectors.application_get(scope=scope, pk=app.pk)  # another union's application: not found
        require_perm_at(scope, CharityPerm.DISBURSE, app.org_path)
    if app.status not in GRANTABLE:
        errors["application"] = f"该金秋助学申请{app.get_status_display()}，经县级总工会审批后才能资助"
    if errors:
        raise DomainError("charity.disbursement_fields_invalid", details=errors, reasons=joined(errors))
    who = {
        "recipient_kind": RecipientKind.MEMBER,
        "person_id": app.person_id,
        "via": PayVia.STUDENT_AID,
        "student_application": app,
    }
    with transaction.atomic():
        return _disburse(
            actor=actor, fund=fund, project=project, amount_fen=amount_fen, paid_on=paid_on, note=note, who=who
        )


def hardship_assistance_record(
    *,
    actor: User | None,
    scope: Scope | None,
    project: Project,
    file: HardshipFile,
    amount_fen: int,
    paid_on: date,
    note: str = "",
) -> Disbursement:
    """Assistance to a filed hardship household, paid from a project and recorded by aid's own service.

    `aid.relief.relief_visit_record` records it as a 困难慰问 visit (its yearly cap, its person lock) in
    the same transaction, and the payment names the visit and the file.
    """
    fund = project.fund
    require_perm_at(scope, CharityPerm.DISBURSE, fund.org_path)
    _purpose_for(project, HARDSHIP_PURPOSES, "困难职工")
    errors: dict[str, str] = {}
    _check_payment(fund, project, amount_fen, paid_on, errors)
    with unscoped():
        hf = HardshipFile.all_objects.get(pk=file.pk)
        membership = (
            Membership.all_objects.filter(person_id=hf.person_id, status=MembershipStatus.ACTIVE)
            .order_by("-pk")
            .first()
        )
    if scope is not None and not scope.has_perm(CharityPerm.DISBURSE, hf.org_path):
        raise NotFoundError()
    if hf.status != FileStatus.FILED:
        errors["file"] = f"该困难职工档案{hf.get_status_display()}，建档后才能帮扶"
    elif membership is None:
        errors["file"] = "该困难职工已不在会，不能帮扶"
    if errors:
        raise DomainError("charity.disbursement_fields_invalid", details=errors, reasons=joined(errors))
    assert membership is not None
    with transaction.atomic():
        visit = relief_visit_record(
            actor=actor,
            scope=None,  # the charity's own permission was checked on the file's union above
            membership=membership,
            event=ReliefEvent.HARDSHIP,
            visited_on=paid_on,
            cash_fen=amount_fen,
            note=f"{project.name}（{fund.name}）"[:200],
        )
        who = {
            "recipient_kind": RecipientKind.MEMBER,
            "person_id": hf.person_id,
            "via": PayVia.HARDSHIP,
            "hardship_file": hf,
            "relief_visit": visit,
        }
        return _disburse(
            actor=actor, fund=fund, project=project, amount_fen=amount_fen, paid_on=paid_on, note=note, who=who
        )


def payout_batch_from_project(
    *,
    actor: User | None,
    scope: Scope | None,
    project: Project,
    bank: BankPartner,
    items: list[tuple[Membership, int]],
    paid_on: date,
    title: str = "",
) -> tuple[PayoutBatch, list[ItemRefusal]]:
    """Pay members of a project through a payout batch (the cards' bank file, maker–checker, results).

    The money is **booked when the batch is made**: one payment per item, each on the fund's ledger
    now, so what a batch has promised cannot be spent twice while the bank works, and the ledger never
    has to go below zero when the bank's answer comes. An item the bank fails, or a batch cancelled,
    gives its money back (`payout_returns_book`, from the payouts signal, in the results' transaction).
    """
    fund = project.fund
    require_perm_at(scope, CharityPerm.DISBURSE, fund.org_path)
    errors: dict[str, str] = {}
    total = sum(a for _, a in items)
    _check_payment(fund, project, total, paid_on, errors)
    if not items:
        errors["items"] = "请至少列出一名会员"
    if errors:
        raise DomainError("charity.disbursement_fields_invalid", details=errors, reasons=joined(errors))
    with transaction.atomic(), unscoped():
        fund_org = Org.all_objects.get(pk=fund.org_id)
        batch = payout_batch_create(
            actor=actor,
            scope=scope,
            org=fund_org,
            bank=bank,
            purpose=PayoutPurpose.OTHER,
            reference=f"慈善项目{project.pk}号 {paid_on:%Y-%m-%d}",
            title=title or f"{project.name}（{fund.name}）",
        )
        refused = payout_items_add(
            actor=actor, scope=scope, batch=batch, items=[(ms.pk, amount) for ms, amount in items]
        )
        placed = {i.person_id: i for i in PayoutItem.all_objects.filter(batch=batch).order_by("pk")}
        for item in placed.values():
            _disburse(
                actor=actor,
                fund=fund,
                project=project,
                amount_fen=item.amount_fen,
                paid_on=paid_on,
                note=batch.title,
                who={
                    "recipient_kind": RecipientKind.MEMBER,
                    "person_id": item.person_id,
                    "via": PayVia.PAYOUT,
                    "payout_item": item,
                },
            )
    return batch, refused


def payout_returns_book(*, actor: User | None, batch: PayoutBatch) -> int:
    """Give back to their funds the payments whose payout items failed (or whose batch was cancelled).

    Called from the payouts signal inside the results' (or the cancel's) transaction; idempotent: a
    payment already given back is not given back twice. The money re-enters the lines it left (the
    project's own line for designated money, the general line for the rest) as 支出退回 rows, and
    the project's spending falls by it. Returns how many payments were given back now.
    """
    with unscoped():
        failed = list(
            Disbursement.all_objects.filter(
                payout_item__batch=batch, payout_item__status=ItemStatus.FAILED, returned_fen=0
            ).values_list("pk", "fund_id", "project_id")
        )
    done = 0
    for pk, fund_id, project_id in sorted(failed, key=lambda r: (r[1], r[2], r[0])):
        fund = _lock_fund(fund_id)
        proj = Project.all_objects.select_for_update().get(pk=project_id)
        paid = Disbursement.all_objects.select_for_update().get(pk=pk)
        if paid.returned_fen:
            continue
        today = timezone.localdate()
        for entry in FundEntry.all_objects.filter(disbursement=paid).order_by("pk"):
            line = proj if entry.project_id else None
            _book(fund, kind=EntryKind.RETURN, amount_fen=-entry.amount_fen, on=today, line=line, disbursement=paid)
        paid.returned_fen = paid.amount_fen
        paid.save(update_fields=["returned_fen"])
        proj.spent_fen -= paid.amount_fen
        proj.save(update_fields=["spent_fen"])
        _audit(
            actor,
            fund.org_id,
            paid,
            action="charity.disbursement.return",
            fund=fund.name,
            project=proj.name,
            amount_fen=paid.amount_fen,
        )
        done += 1
    return done


def activity_record(
    *,
    actor: User | None,
    scope: Scope | None,
    project: Project,
    name: str,
    held_on: date,
    region_code: str = "",
    participants: int = 0,
    note: str = "",
) -> Activity:
    """An activity held under a project, within its period."""
    require_perm_at(scope, CharityPerm.ACTIVITY, project.org_path)
    errors: dict[str, str] = {}
    name = name.strip()
    if not name:
        errors["name"] = "请填写活动名称"
    if participants < 0:
        errors["participants"] = "参与人数不能为负数"
    _not_in_future(held_on, "held_on", "举办日期", errors)
    if not project.starts_on <= held_on <= project.ends_on and "held_on" not in errors:
        errors["held_on"] = f"举办日期应在项目实施期内（{project.starts_on:%Y-%m-%d} 至 {project.ends_on:%Y-%m-%d}）"
    try:
        region_code = clean_region_code(region_code)
    except InvalidIdentifier as exc:
        errors["region_code"] = str(exc)
    if errors:
        raise DomainError("charity.activity_fields_invalid", details=errors, reasons=joined(errors))
    with transaction.atomic():
        activity = Activity.all_objects.create(
            project=project,
            org_path=project.org_path,
            name=name[:200],
            held_on=held_on,
            region_code=region_code,
            participants=participants,
            note=note.strip()[:200],
            created_by=actor,
        )
        _audit(
            actor,
            project.fund.org_id,
            activity,
            action="charity.activity.record",
            project=project.name,
            participants=participants,
        )
    return activity


def receipt_issue(*, actor: User | None, scope: Scope | None, donation: Donation) -> Receipt:
    """The donation's receipt, numbered CS<year>-<fund>-<sequence of the fund's year>; issuing twice gives the same."""
    require_perm_at(scope, CharityPerm.DONATION, donation.org_path)
    with transaction.atomic():
        fund = _lock_fund(donation.fund_id)  # the fund's lock orders its receipts' numbers
        existing = Receipt.all_objects.filter(donation_id=donation.pk).first()
        if existing is not None:
            return existing
        year = timezone.localdate().year
        prefix = f"CS{year}-{fund.pk:05d}-"
        issued = Receipt.all_objects.filter(serial__startswith=prefix).count()
        receipt = Receipt.all_objects.create(
            donation_id=donation.pk, org_path=donation.org_path, serial=f"{prefix}{issued + 1:06d}", issued_by=actor
        )
        _audit(actor, fund.org_id, donation, action="charity.receipt.issue", serial=receipt.serial)
    return receipt
