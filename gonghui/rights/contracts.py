"""Collective contracts (集体合同, DOMAIN §8): registering one with the employers it covers, its
filing with the labour department, the review, renewal, and the rules of their dates.

Rules (days are settings-free constants of the law as DOMAIN §8 states it):
- the term is one to three years; the draft is approved (职代会 or all staff, more for than against)
  on or before the signing;
- filing with the labour department is due within `FILING_DAYS` (10) of signing: later is accepted
  and flagged;
- the contract takes effect when no objection is raised within `REVIEW_DAYS` (15) of filing; an
  objection (with its reason) sends it back to negotiation;
- a request to negotiate (要约) must be answered within `REPLY_DAYS` (20);
- renewal is asked in the last `EXPIRY_ALERT_MONTHS` (3) months; a renewal links the new contract
  to the old one, and the old one stops counting.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction

from gonghui.accounts.models import User
from gonghui.core import words
from gonghui.core.audit import audit_record
from gonghui.core.errors import DomainError, joined
from gonghui.core.scoping import Scope, require_perm_at, unscoped
from gonghui.core.validators import InvalidIdentifier, clean_uscc
from gonghui.orgs.models import Org
from gonghui.rights import errors as _errors  # noqa: F401  (registers messages)
from gonghui.rights.models import (
    CollectiveContract,
    ContractEmployer,
    ContractScope,
    MinimumWage,
    NegotiationRequest,
    RequestSide,
    ReviewResult,
)
from gonghui.rights.permissions import RightsPerm

FILING_DAYS = 10
REVIEW_DAYS = 15
REPLY_DAYS = 20
EXPIRY_ALERT_MONTHS = 3
MIN_TERM_YEARS, MAX_TERM_YEARS = 1, 3


def add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for d in (day.day, 30, 29, 28):
        try:
            return date(year, month, d)
        except ValueError:
            continue
    raise ValueError(day)


def filing_due(signed_on: date) -> date:
    return signed_on + timedelta(days=FILING_DAYS)


def review_ends(filed_on: date) -> date:
    return filed_on + timedelta(days=REVIEW_DAYS)


def reply_due(requested_on: date) -> date:
    """The last day to answer a request to negotiate (要约)."""
    return requested_on + timedelta(days=REPLY_DAYS)


def term_ok(starts_on: date, ends_on: date) -> bool:
    """One to three years: 2026-01-01 … 2026-12-31 is one year; … 2029-01-01 is past three."""
    return add_years(starts_on, MIN_TERM_YEARS) - timedelta(days=1) <= ends_on <= add_years(starts_on, MAX_TERM_YEARS)


def expiring(ends_on: date, today: date) -> bool:
    """In its last three months (or past its end): time to ask for renewal."""
    return add_months(ends_on, -EXPIRY_ALERT_MONTHS) < today


@dataclass(frozen=True)
class ContractState:
    filed_late: bool  # filed after the 10 days, or not filed and the 10 days are over
    effective: bool  # filed, no objection within the 15 days (or reviewed effective)
    in_review: bool  # filed, the 15 days still running
    expiring: bool
    expired: bool


def contract_state(c: CollectiveContract, today: date) -> ContractState:
    due = filing_due(c.signed_on)
    filed_late = c.filed_on > due if c.filed_on is not None else today > due
    objection = c.review == ReviewResult.OBJECTION
    effective = not objection and (
        c.review == ReviewResult.EFFECTIVE or (c.filed_on is not None and today > review_ends(c.filed_on))
    )
    in_review = c.filed_on is not None and not objection and not effective
    return ContractState(filed_late, effective, in_review, expiring(c.ends_on, today), today > c.ends_on)


@dataclass
class EmployerIn:
    name: str
    uscc: str
    workers: int = 0


def _word(errors: dict[str, str], field: str, table: str, raw: Any) -> str:
    try:
        value = words.match(table, raw)
    except words.ChoiceError as exc:
        errors[field] = str(exc)
        return ""
    if not value:
        errors[field] = f"请填写{words.choice_table(table).title}"
    return value


def _employer_errors(employers: list[EmployerIn], scope_kind: str, errors: dict[str, str]) -> list[EmployerIn]:
    cleaned: list[EmployerIn] = []
    seen: set[str] = set()
    for i, e in enumerate(employers, start=1):
        try:
            uscc = clean_uscc(e.uscc)
        except InvalidIdentifier as exc:
            errors.setdefault("employers", f"第 {i} 家企业的统一社会信用代码{exc}")
            continue
        if not e.name.strip() or not uscc:
            errors.setdefault("employers", f"第 {i} 家企业请填写名称和统一社会信用代码")
            continue
        if uscc in seen:
            errors.setdefault("employers", f"第 {i} 家企业与前面的企业重复（{uscc}）")
            continue
        if e.workers < 0:
            errors.setdefault("employers", f"第 {i} 家企业的职工人数不能为负")
            continue
        seen.add(uscc)
        cleaned.append(EmployerIn(e.name.strip()[:200], uscc, e.workers))
    if not employers:
        errors["employers"] = "请填写合同覆盖的企业"
    elif scope_kind == ContractScope.ENTERPRISE and len(employers) > 1:
        errors["employers"] = "企业集体合同只覆盖一家企业；多家企业请选行业性或区域性"
    return cleaned


def region_of(org: Org) -> str:
    """The administrative-division code of the union, or of its nearest ancestor that has one."""
    if org.region_code:
        return org.region_code
    with unscoped():
        codes = dict(
            Org.all_objects.filter(pk__in=org.ancestor_ids).exclude(region_code="").values_list("pk", "region_code")
        )
    for pk in reversed(org.ancestor_ids):  # nearest first
        if pk in codes:
            return codes[pk]
    return ""


def local_minimum_wage(region: str, day: date) -> MinimumWage | None:
    """The standard in force on `day` for the longest prefix of `region` that has one."""
    if not region:
        return None
    prefixes = [region[:n] for n in range(len(region), 1, -1)]
    rows = MinimumWage.objects.filter(region_prefix__in=prefixes, effective_on__lte=day).order_by("-effective_on")
    best: MinimumWage | None = None
    for row in rows:
        if best is None or len(row.region_prefix) > len(best.region_prefix):
            best = row
    return best


def minimum_wage_refusal(org: Org, minimum_fen: int | None, day: date | None) -> str:
    """Why the contract's minimum wage is refused ("" when it is not below the local standard)."""
    if not minimum_fen or not isinstance(day, date):
        return ""
    standard = local_minimum_wage(region_of(org), day)
    if standard is None or minimum_fen >= standard.monthly_fen:
        return ""
    return (
        f"合同约定的最低工资 {minimum_fen / 100:,.2f} 元/月低于当地最低工资标准 "
        f"{standard.monthly_fen / 100:,.2f} 元/月（{standard.region_name}，{standard.effective_on:%Y-%m-%d} 起执行）"
    )


def clean_contract(
    raw: dict[str, Any], employers: list[EmployerIn], org: Org | None = None
) -> tuple[dict[str, Any], list[EmployerIn], dict[str, str]]:
    """The contract's fields as given → (values to store, employers, every field's refusal).

    With `org`, the minimum wage is checked against the local standard on the start day."""
    errors: dict[str, str] = {}
    values: dict[str, Any] = {
        "kind": _word(errors, "kind", "rights_contract_kind", raw.get("kind")),
        "scope": _word(errors, "scope", "rights_contract_scope", raw.get("scope")),
        "vote_body": _word(errors, "vote_body", "rights_vote_body", raw.get("vote_body")),
    }
    for field, label in (
        ("title", "合同名称"),
        ("union_chief", "职工方首席代表"),
        ("employer_chief", "企业方首席代表"),
    ):
        text = str(raw.get(field) or "").strip()
        if not text:
            errors[field] = f"请填写{label}"
        values[field] = text[:200]
    dates = {f: raw.get(f) for f in ("signed_on", "starts_on", "ends_on", "voted_on", "filed_on")}
    for field, label in (
        ("signed_on", "签订日期"),
        ("starts_on", "生效起始日"),
        ("ends_on", "期满日"),
        ("voted_on", "审议日期"),
    ):
        if not isinstance(dates[field], date):
            errors[field] = f"请填写{label}"
    signed, starts, ends, voted, filed = (
        dates[f] for f in ("signed_on", "starts_on", "ends_on", "voted_on", "filed_on")
    )
    if isinstance(starts, date) and isinstance(ends, date) and not term_ok(starts, ends):
        errors["ends_on"] = "集体合同期限为 1 至 3 年"
    if isinstance(voted, date) and isinstance(signed, date) and voted > signed:
        errors["voted_on"] = "合同草案应在签订前经职代会或全体职工审议通过"
    if isinstance(filed, date) and isinstance(signed, date) and filed < signed:
        errors["filed_on"] = "报送备案日期不能早于签订日期"
    votes_for, votes_against = int(raw.get("votes_for") or 0), int(raw.get("votes_against") or 0)
    if votes_for <= votes_against or votes_for < 1:
        errors["votes_for"] = "赞成票应多于反对票（草案未获通过的不能签订）"
    women = int(raw.get("women_workers") or 0)
    pct: Decimal | None = None
    typed_pct = str(raw.get("wage_increase_pct") or "").strip().rstrip("%")
    if typed_pct:
        try:
            pct = Decimal(typed_pct)
        except InvalidOperation:
            pct = None
        if pct is None or not (Decimal("-100") < pct < Decimal("1000")):
            errors["wage_increase_pct"] = "工资增长幅度应为 -100 到 1000 之间的数（%）"
            pct = None
    cleaned = _employer_errors(employers, values["scope"], errors)
    workers = sum(e.workers for e in cleaned)
    if women > workers and "employers" not in errors:
        errors["women_workers"] = f"覆盖女职工人数不能多于覆盖职工人数（{workers}）"
    minimum_fen = raw.get("minimum_wage_fen") or None
    if org is not None:
        refusal = minimum_wage_refusal(org, minimum_fen, starts if isinstance(starts, date) else signed)
        if refusal:
            errors["minimum_wage"] = refusal
    values.update(
        number=str(raw.get("number") or "").strip()[:40],
        signed_on=signed,
        starts_on=starts,
        ends_on=ends,
        voted_on=voted,
        filed_on=filed if isinstance(filed, date) else None,
        votes_for=votes_for,
        votes_against=votes_against,
        workers=workers,
        women_workers=women,
        wage_increase_pct=pct,
        minimum_wage_fen=minimum_fen,
    )
    return values, cleaned, errors


def _audit(c: CollectiveContract, actor: User | None, action: str, **data: Any) -> None:
    with unscoped():
        org = Org.all_objects.get(pk=c.org_id)
    audit_record(actor=actor, action=f"rights.contract.{action}", org=org, target=c, data=data)


def contract_register(
    *,
    actor: User | None,
    scope: Scope | None,
    org: Org,
    raw: dict[str, Any],
    employers: list[EmployerIn],
    renews: CollectiveContract | None = None,
    negotiation: NegotiationRequest | None = None,
) -> CollectiveContract:
    """Put a signed collective contract on record, with the employers it covers; every mistake at once.

    `renews`: the contract this one renews (same union, not renewed already, ending before this one).
    `negotiation`: the 要约 that led to it (same union, not yet linked to a contract)."""
    require_perm_at(scope, RightsPerm.CONTRACT_MANAGE, org.path)
    values, cleaned, errors = clean_contract(raw, employers, org)
    if negotiation is not None:
        refusal = _link_refusal(negotiation, org.pk, values["signed_on"])
        if refusal:
            errors["negotiation"] = refusal
    if values["number"]:
        with unscoped():
            taken = CollectiveContract.all_objects.filter(org=org, number=values["number"]).exists()
        if taken:
            errors["number"] = f"本工会已登记编号为“{values['number']}”的合同"
    if renews is not None:
        if renews.org_id != org.pk:
            errors["renews"] = "续订的合同应为本工会签订的合同"
        elif isinstance(values["starts_on"], date) and values["starts_on"] <= renews.starts_on:
            errors["renews"] = "续订合同应在原合同之后生效"
    if errors:
        raise DomainError("rights.contract_invalid", details=errors, reasons=joined(errors))
    with transaction.atomic(), unscoped():
        if renews is not None:
            old = CollectiveContract.all_objects.select_for_update().get(pk=renews.pk)
            if CollectiveContract.all_objects.filter(renews=old).exists():
                raise DomainError("rights.contract_renewed", status=409, field="renews")
        contract = CollectiveContract.all_objects.create(
            org=org, org_path=org.path, renews=renews, created_by=actor if actor and actor.pk else None, **values
        )
        ContractEmployer.objects.bulk_create(
            [ContractEmployer(contract=contract, name=e.name, uscc=e.uscc, workers=e.workers) for e in cleaned]
        )
        if negotiation is not None:
            _link(negotiation, contract)
        _audit(
            contract,
            actor,
            "register",
            kind=contract.kind,
            employers=len(cleaned),
            workers=contract.workers,
            request=negotiation.pk if negotiation is not None else None,
        )
    return contract


def _link_refusal(req: NegotiationRequest, org_id: int, signed_on: Any) -> str:
    if req.org_id != org_id:
        return "只能关联本工会登记的要约"
    if req.contract_id is not None:
        return "该要约已关联了签订的合同"
    if isinstance(signed_on, date) and signed_on < req.requested_on:
        return f"合同签订日期早于要约日期（{req.requested_on:%Y-%m-%d}）"
    return ""


def _link(req: NegotiationRequest, contract: CollectiveContract) -> None:
    """Inside the caller's transaction: the request, locked, now names the contract (once)."""
    locked = NegotiationRequest.all_objects.select_for_update().get(pk=req.pk)
    if locked.contract_id is not None:
        raise DomainError("rights.request_linked", status=409, field="negotiation")
    locked.contract = contract
    locked.save(update_fields=["contract"])


def request_link(
    *, actor: User | None, scope: Scope | None, contract: CollectiveContract, negotiation: NegotiationRequest
) -> NegotiationRequest:
    """Link a registered contract to the 要约 that led to it (same union; a request leads to one contract)."""
    require_perm_at(scope, RightsPerm.CONTRACT_MANAGE, contract.org_path)
    refusal = _link_refusal(negotiation, contract.org_id, contract.signed_on)
    if refusal:
        raise DomainError("rights.contract_invalid", details={"negotiation": refusal}, reasons=refusal)
    with transaction.atomic(), unscoped():
        _link(negotiation, contract)
        org = Org.all_objects.get(pk=contract.org_id)
        audit_record(
            actor=actor, action="rights.request.link", org=org, target=negotiation, data={"contract": contract.pk}
        )
    negotiation.contract = contract
    return negotiation


def contract_file(
    *, actor: User | None, scope: Scope | None, contract: CollectiveContract, filed_on: date
) -> CollectiveContract:
    """Record the filing with the labour department (after the 10 days it is accepted and flagged)."""
    require_perm_at(scope, RightsPerm.CONTRACT_MANAGE, contract.org_path)
    with transaction.atomic(), unscoped():
        c = CollectiveContract.all_objects.select_for_update().get(pk=contract.pk)
        if c.filed_on is not None:
            raise DomainError("rights.contract_filed", status=409, day=c.filed_on.isoformat())
        if filed_on < c.signed_on:
            raise DomainError("rights.contract_filed_early", field="filed_on")
        c.filed_on = filed_on
        c.save(update_fields=["filed_on"])
        _audit(c, actor, "file", filed_on=filed_on.isoformat(), late=filed_on > filing_due(c.signed_on))
    return c


def contract_review(
    *, actor: User | None, scope: Scope | None, contract: CollectiveContract, objection: bool, note: str = ""
) -> CollectiveContract:
    """The labour department's review: effective, or an objection (with its reason) to renegotiate."""
    require_perm_at(scope, RightsPerm.CONTRACT_MANAGE, contract.org_path)
    note = (note or "").strip()
    with transaction.atomic(), unscoped():
        c = CollectiveContract.all_objects.select_for_update().get(pk=contract.pk)
        if c.filed_on is None or c.review != ReviewResult.PENDING:
            raise DomainError("rights.contract_not_in_review", status=409)
        if objection and not note:
            raise DomainError("rights.note_required", what="审查意见", field="note")
        c.review = ReviewResult.OBJECTION if objection else ReviewResult.EFFECTIVE
        c.review_note = note[:200]
        c.save(update_fields=["review", "review_note"])
        _audit(c, actor, "review", review=c.review, note=c.review_note)
    return c


def request_record(
    *,
    actor: User | None,
    scope: Scope | None,
    org: Org,
    side: str,
    employer_name: str,
    employer_uscc: str,
    subject: str,
    requested_on: date,
) -> NegotiationRequest:
    """Record a request to negotiate (要约); its written answer is due in 20 days (`reply_due`)."""
    require_perm_at(scope, RightsPerm.CONTRACT_MANAGE, org.path)
    errors: dict[str, str] = {}
    if side not in RequestSide.values:
        errors["side"] = "请选择提出方（工会或企业方）"
    if not (employer_name or "").strip():
        errors["employer_name"] = "请填写企业名称"
    uscc = ""
    try:
        uscc = clean_uscc(employer_uscc)
        if not uscc:
            errors["employer_uscc"] = "请填写统一社会信用代码"
    except InvalidIdentifier as exc:
        errors["employer_uscc"] = f"统一社会信用代码{exc}"
    if not (subject or "").strip():
        errors["subject"] = "请填写协商事项"
    if errors:
        raise DomainError("rights.contract_invalid", details=errors, reasons=joined(errors))
    with transaction.atomic():
        req = NegotiationRequest.all_objects.create(
            org=org,
            org_path=org.path,
            side=side,
            employer_name=employer_name.strip()[:200],
            employer_uscc=uscc,
            subject=subject.strip()[:200],
            requested_on=requested_on,
        )
        audit_record(
            actor=actor,
            action="rights.request.record",
            org=org,
            target=req,
            data={"due": reply_due(requested_on).isoformat()},
        )
    return req


def request_reply(
    *, actor: User | None, scope: Scope | None, negotiation: NegotiationRequest, replied_on: date, note: str = ""
) -> NegotiationRequest:
    """Record the written answer to a 要约 (late after the 20 days: accepted, and shown as late)."""
    require_perm_at(scope, RightsPerm.CONTRACT_MANAGE, negotiation.org_path)
    with transaction.atomic(), unscoped():
        req = NegotiationRequest.all_objects.select_for_update().get(pk=negotiation.pk)
        if req.replied_on is not None:
            raise DomainError("rights.request_replied", status=409, day=req.replied_on.isoformat())
        if replied_on < req.requested_on:
            raise DomainError("rights.request_reply_early", field="replied_on")
        req.replied_on, req.reply_note = replied_on, (note or "").strip()[:200]
        req.save(update_fields=["replied_on", "reply_note"])
        org = Org.all_objects.get(pk=req.org_id)
        audit_record(
            actor=actor,
            action="rights.request.reply",
            org=org,
            target=req,
            data={"replied_on": replied_on.isoformat(), "late": replied_on > reply_due(req.requested_on)},
        )
    return req


def request_overdue(req: NegotiationRequest, today: date) -> bool:
    """No written answer by the 20th day, or one given after it."""
    return (req.replied_on or today) > reply_due(req.requested_on)
