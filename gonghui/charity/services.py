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
    Project,
    Purpose,
    Receipt,
    RecipientKind,
)
from gonghui.charity.permissions import CharityPerm
from gonghui.core.audit import audit_record
from gonghui.core.errors import DomainError, joined
from gonghui.core.money import fen_to_yuan
from gonghui.core.scoping import Scope, require_perm_at, unscoped
from gonghui.core.validators import InvalidIdentifier, clean_region_code, clean_uscc
from gonghui.members.models import Membership, MembershipStatus, Person
from gonghui.members.validation import FieldError, parse_identity
from gonghui.orgs.models import Org

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


def _refuse_overdraw(fund: Fund, amount_fen: int, code: str) -> None:
    """Refuse a movement out of `fund` (read under its lock) that its balance does not cover."""
    if amount_fen > fund.balance_fen:
        raise DomainError(
            code, status=409, fund=fund.name, balance=fen_to_yuan(fund.balance_fen), amount=fen_to_yuan(amount_fen)
        )


def _book(
    fund: Fund,
    *,
    kind: str,
    amount_fen: int,
    on: date,
    donation: Donation | None = None,
    disbursement: Disbursement | None = None,
    refusal: str = "charity.insufficient_balance",
) -> FundEntry:
    """One ledger row on a fund locked by `_lock_fund`, and the fund's balance after it."""
    if amount_fen < 0:
        _refuse_overdraw(fund, -amount_fen, refusal)
        fund.outflow_fen -= amount_fen
    else:
        fund.inflow_fen += amount_fen
    fund.balance_fen += amount_fen
    try:
        with transaction.atomic():
            fund.save(update_fields=["balance_fen", "inflow_fen", "outflow_fen"])
    except IntegrityError as exc:  # the CHECK: only reachable by a writer that skipped the lock
        raise DomainError(
            refusal, status=409, fund=fund.name, balance="0.00", amount=fen_to_yuan(abs(amount_fen))
        ) from exc
    return FundEntry.all_objects.create(
        fund=fund,
        org_path=fund.org_path,
        kind=kind,
        amount_fen=amount_fen,
        balance_fen=fund.balance_fen,
        cum_in_fen=fund.inflow_fen,
        cum_out_fen=fund.outflow_fen,
        booked_on=on,
        donation=donation,
        disbursement=disbursement,
    )


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
) -> Donation:
    """Money received by a fund from one donor: the donation and its ledger row."""
    require_perm_at(scope, CharityPerm.DONATION, fund.org_path)
    errors: dict[str, str] = {}
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
        donation = Donation.all_objects.create(
            fund=locked,
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
        _book(locked, kind=EntryKind.DONATION, amount_fen=amount_fen, on=received_on, donation=donation)
        _audit(
            actor,
            locked.org_id,
            donation,
            action="charity.donation.record",
            fund=locked.name,
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
    if project.fund_id != fund.pk:
        raise DomainError("charity.project_other_fund", project=project.name, fund=fund.name)
    if fund.restricted and project.purpose != fund.purpose:  # projects are checked when made; kept true here
        raise DomainError(
            "charity.purpose_mismatch",
            fund=fund.name,
            purpose=PURPOSES[fund.purpose],
            other=PURPOSES.get(project.purpose, project.purpose),
        )
    errors: dict[str, str] = {}
    if amount_fen <= 0:
        errors["amount"] = "金额须为正数"
    _not_in_future(paid_on, "paid_on", "支付日期", errors)
    if not project.starts_on <= paid_on <= project.ends_on and "paid_on" not in errors:
        errors["paid_on"] = f"支付日期应在项目实施期内（{project.starts_on:%Y-%m-%d} 至 {project.ends_on:%Y-%m-%d}）"
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
        _refuse_overdraw(locked, amount_fen, "charity.insufficient_balance")
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
        _book(locked, kind=EntryKind.DISBURSEMENT, amount_fen=-amount_fen, on=paid_on, disbursement=paid)
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
            recipient_kind=recipient.kind,
        )
    return paid


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
