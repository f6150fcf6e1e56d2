"""Legal aid (法律援助) and 百名律师进千企 (DOMAIN §8): the unions' roster of lawyers, a hotline case
taken on as a legal-aid matter with its hearings and outcome, and lawyers' "法律体检" visits to
enterprises with the issues found and their follow-up.

Rules:
- a lawyer's licence number (执业证号) is 17 digits; areas of practice are `LawArea` codes (everyday
  words accepted); the phone is kept as digits and shown masked;
- a matter or a visit is assigned to an active lawyer on the roster of its union or of a union
  above it (a county uses the city's lawyers);
- a case becomes one matter at most, and not once closed; a matter closes once, with the amount
  recovered for the worker in fen (0 allowed, with the reason);
- an issue found at a visit is 整改中 until followed up as 已整改 (then it is done).
Every write checks `rights.legal.manage` on the union's path, locks what it changes and records an
audit event in the same transaction.
"""

from __future__ import annotations

import re
from datetime import date
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
from gonghui.rights.legal_words import IssueStatus
from gonghui.rights.models import (
    AidStatus,
    CaseStatus,
    Hearing,
    HotlineCase,
    Lawyer,
    LawyerVisit,
    LegalAidMatter,
    VisitIssue,
)
from gonghui.rights.permissions import RightsPerm

LICENCE = re.compile(r"\d{17}")
PHONE = re.compile(r"\d{7,20}")
MAX_ISSUES = 50


def _org(pk: int) -> Org:
    with unscoped():
        return Org.all_objects.get(pk=pk)


def _audit(actor: User | None, target: Any, *, action: str, org_id: int, **data: Any) -> None:
    audit_record(actor=actor, action=action, org=_org(org_id), target=target, data=data)


def _raise(errors: dict[str, str]) -> None:
    if errors:
        raise DomainError("rights.legal_invalid", details=errors, reasons=joined(errors))


# --- the roster ------------------------------------------------------------------------------------


def split_areas(raw: Any) -> list[str]:
    """Areas as typed: a list, or one text with 、，,；; or spaces between them."""
    if isinstance(raw, list | tuple):
        return [str(x).strip() for x in raw if str(x).strip()]
    return [p for p in re.split(r"[、，,；;\s/]+", str(raw or "").strip()) if p]


def clean_lawyer(raw: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """A roster line as typed → (values to store, every field's refusal)."""
    errors: dict[str, str] = {}
    name = str(raw.get("name") or "").strip()
    if not name:
        errors["name"] = "请填写律师姓名"
    firm = str(raw.get("firm") or "").strip()
    if not firm:
        errors["firm"] = "请填写律师事务所"
    licence = re.sub(r"\s", "", str(raw.get("licence_no") or ""))
    if not licence:
        errors["licence_no"] = "请填写执业证号"
    elif not LICENCE.fullmatch(licence):
        errors["licence_no"] = f"执业证号应为 17 位数字（现为 {len(licence)} 位）"
    areas: list[str] = []
    for word in split_areas(raw.get("areas")):
        try:
            code = words.match("rights_law_area", word)
        except words.ChoiceError as exc:
            errors.setdefault("areas", f"执业领域“{word}”：{exc}")
            continue
        if code and code not in areas:
            areas.append(code)
    if not areas and "areas" not in errors:
        errors["areas"] = "请填写至少一个执业领域"
    phone = re.sub(r"[\s\-()（）]", "", str(raw.get("phone") or ""))
    if phone.startswith("+86"):
        phone = phone[3:]
    if phone and not PHONE.fullmatch(phone):
        errors["phone"] = "联系电话应为 7–20 位数字（可带区号和“-”）"
    values = {
        "name": name[:60],
        "firm": firm[:200],
        "licence_no": licence,
        "areas": areas,
        "phone": phone,
        "active": bool(raw.get("active", True)),
    }
    return values, errors


def _licence_taken(org_id: int, licence: str, exclude: int | None = None) -> bool:
    qs = Lawyer.all_objects.filter(org_id=org_id, licence_no=licence)
    if exclude is not None:
        qs = qs.exclude(pk=exclude)
    return qs.exists()


def lawyer_add(*, actor: User | None, scope: Scope | None, org: Org, raw: dict[str, Any]) -> Lawyer:
    """Put a lawyer on `org`'s roster; every mistake at once."""
    require_perm_at(scope, RightsPerm.LEGAL_MANAGE, org.path)
    values, errors = clean_lawyer(raw)
    with transaction.atomic():
        if values["licence_no"] and "licence_no" not in errors and _licence_taken(org.pk, values["licence_no"]):
            errors["licence_no"] = "本工会律师库中已有该执业证号的律师"
        _raise(errors)
        lawyer = Lawyer.all_objects.create(org=org, org_path=org.path, **values)
        _audit(
            actor, lawyer, action="rights.lawyer.add", org_id=org.pk, name=lawyer.name, phone=lawyer.phone
        )  # masked by the audit
    return lawyer


def lawyer_change(*, actor: User | None, scope: Scope | None, lawyer: Lawyer, raw: dict[str, Any]) -> Lawyer:
    """Change a roster line (its union stays); `active` False takes the lawyer off new assignments."""
    require_perm_at(scope, RightsPerm.LEGAL_MANAGE, lawyer.org_path)
    values, errors = clean_lawyer(raw)
    with transaction.atomic():
        row = Lawyer.all_objects.select_for_update().get(pk=lawyer.pk)
        if "licence_no" not in errors and _licence_taken(row.org_id, values["licence_no"], exclude=row.pk):
            errors["licence_no"] = "本工会律师库中已有该执业证号的律师"
        _raise(errors)
        changed = [f for f, v in values.items() if getattr(row, f) != v]
        for f in changed:
            setattr(row, f, values[f])
        if changed:
            row.save(update_fields=changed)
        _audit(actor, row, action="rights.lawyer.change", org_id=row.org_id, fields=changed, active=row.active)
    return row


def roster_q_paths(org_path: str) -> list[str]:
    """The paths of `org_path`'s union and of every union above it (whose rosters it may use)."""
    parts = [p for p in org_path.split("/") if p]
    return ["/".join(parts[: i + 1]) + "/" for i in range(len(parts))]


def _roster_lawyer(lawyer_id: Any, org_path: str, errors: dict[str, str], field: str = "lawyer") -> Lawyer | None:
    """The active lawyer `lawyer_id` if on the roster of `org_path`'s union or one above it."""
    if not str(lawyer_id or "").strip():
        errors[field] = "请选择承办律师"
        return None
    if not str(lawyer_id).isdigit():
        errors[field] = "请从本工会或上级工会的律师库中选择律师"
        return None
    with unscoped():
        lawyer = Lawyer.all_objects.filter(
            pk=int(lawyer_id), org_path__in=roster_q_paths(org_path), active=True
        ).first()
    if lawyer is None:
        errors[field] = "请从本工会或上级工会的律师库中选择律师（在册）"
    return lawyer


def _day(raw: Any, field: str, label: str, errors: dict[str, str]) -> date | None:
    if isinstance(raw, date):
        return raw
    try:
        return date.fromisoformat(str(raw or "").strip())
    except ValueError:
        errors[field] = f"请填写{label}（如 2026-03-02）"
        return None


# --- legal-aid matters -----------------------------------------------------------------------------


def aid_open(
    *,
    actor: User | None,
    scope: Scope | None,
    case: HotlineCase,
    form: Any,
    lawyer_id: Any,
    opened_on: Any,
    note: str = "",
) -> LegalAidMatter:
    """Take a hotline case on as legal aid at the union holding it, assigned to a roster lawyer."""
    require_perm_at(scope, RightsPerm.LEGAL_MANAGE, case.org_path)
    errors: dict[str, str] = {}
    try:
        aid_form = words.match("rights_aid_form", form)
        if not aid_form:
            errors["form"] = "请填写援助形式（协商调解代理、文书代写、仲裁代理、诉讼代理）"
    except words.ChoiceError as exc:
        aid_form = ""
        errors["form"] = str(exc)
    lawyer = _roster_lawyer(lawyer_id, case.org_path, errors)
    day = _day(opened_on, "opened_on", "受理援助日期", errors)
    with transaction.atomic(), unscoped():
        row = HotlineCase.all_objects.select_for_update().get(pk=case.pk)
        if LegalAidMatter.all_objects.filter(case=row).exists():
            raise DomainError("rights.aid_exists", status=409)
        if row.status == CaseStatus.CLOSED:
            raise DomainError("rights.aid_case_closed", status=409)
        _raise(errors)
        assert lawyer is not None and day is not None
        matter = LegalAidMatter.all_objects.create(
            case=row,
            org_id=row.org_id,
            org_path=row.org_path,
            form=aid_form,
            lawyer=lawyer,
            opened_on=day,
            note=(note or "").strip(),
            created_by=actor if actor and actor.pk else None,
        )
        _audit(
            actor,
            matter,
            action="rights.aid.open",
            org_id=row.org_id,
            number=row.number,
            form=aid_form,
            lawyer=lawyer.name,
        )
    return matter


def _locked_open(matter: LegalAidMatter) -> LegalAidMatter:
    row = LegalAidMatter.all_objects.select_for_update().get(pk=matter.pk)
    if row.status == AidStatus.CLOSED:
        assert row.closed_on is not None
        raise DomainError("rights.aid_closed", status=409, day=row.closed_on.isoformat())
    return row


def aid_hearing(
    *,
    actor: User | None,
    scope: Scope | None,
    matter: LegalAidMatter,
    held_on: Any,
    body: str,
    result: str = "",
) -> Hearing:
    """Record a hearing or mediation session (劳动仲裁委, 法院…) of an open matter."""
    require_perm_at(scope, RightsPerm.LEGAL_MANAGE, matter.org_path)
    errors: dict[str, str] = {}
    day = _day(held_on, "held_on", "日期", errors)
    body = (body or "").strip()
    if not body:
        errors["body"] = "请填写机构（如 劳动人事争议仲裁委员会、人民法院）"
    with transaction.atomic():
        row = _locked_open(matter)
        if day is not None and day < row.opened_on:
            errors["held_on"] = "庭审或调解日期不能早于受理援助日期"
        _raise(errors)
        assert day is not None
        hearing = Hearing.objects.create(matter=row, held_on=day, body=body[:100], result=(result or "").strip())
        _audit(actor, row, action="rights.aid.hearing", org_id=row.org_id, held_on=day.isoformat(), body=hearing.body)
    return hearing


def aid_close(
    *,
    actor: User | None,
    scope: Scope | None,
    matter: LegalAidMatter,
    closed_on: Any,
    recovered_fen: int | None,
    outcome: str = "",
) -> LegalAidMatter:
    """结案: the amount recovered for the worker (fen; 0 needs the reason), once."""
    require_perm_at(scope, RightsPerm.LEGAL_MANAGE, matter.org_path)
    errors: dict[str, str] = {}
    day = _day(closed_on, "closed_on", "结案日期", errors)
    outcome = (outcome or "").strip()
    if recovered_fen is None:
        errors["recovered"] = "请填写为职工挽回的金额（元；没有挽回填 0 并说明原因）"
    elif recovered_fen < 0:
        errors["recovered"] = "金额不能为负数"
    elif recovered_fen == 0 and not outcome:
        errors["outcome"] = "挽回金额为 0 时请说明原因"
    with transaction.atomic():
        row = _locked_open(matter)
        if day is not None and day < row.opened_on:
            errors["closed_on"] = "结案日期不能早于受理援助日期"
        _raise(errors)
        assert day is not None and recovered_fen is not None
        row.status, row.closed_on, row.recovered_fen, row.outcome = AidStatus.CLOSED, day, recovered_fen, outcome
        row.save(update_fields=["status", "closed_on", "recovered_fen", "outcome"])
        _audit(
            actor,
            row,
            action="rights.aid.close",
            org_id=row.org_id,
            closed_on=day.isoformat(),
            recovered_fen=recovered_fen,
        )
    return row


# --- 百名律师进千企: enterprise visits ----------------------------------------------------------------


def split_issues(text: str) -> list[str]:
    """Issues typed one per line (leading "1." or "（1）" numbering dropped)."""
    out = []
    for line in (text or "").splitlines():
        item = re.sub(r"^\s*(?:\d+[.、．)）]|[（(]\d+[)）])\s*", "", line).strip()
        if item:
            out.append(item)
    return out


def clean_visit(
    *,
    org_path: str | None,
    lawyer_id: Any,
    enterprise_name: str,
    enterprise_uscc: str,
    visited_on: Any,
    issues: list[str],
) -> tuple[Lawyer | None, dict[str, Any], dict[str, str]]:
    """A visit as typed → (the lawyer, values, every field's refusal). Without `org_path` (the union
    was not understood) the lawyer is only checked as given."""
    errors: dict[str, str] = {}
    lawyer = None
    if org_path is not None:
        lawyer = _roster_lawyer(lawyer_id, org_path, errors)
    elif not str(lawyer_id or "").strip():
        errors["lawyer"] = "请选择承办律师"
    name = (enterprise_name or "").strip()
    if not name:
        errors["enterprise_name"] = "请填写企业名称"
    uscc = ""
    try:
        uscc = clean_uscc(enterprise_uscc)
        if not uscc:
            errors["enterprise_uscc"] = "请填写统一社会信用代码"
    except InvalidIdentifier as exc:
        errors["enterprise_uscc"] = f"统一社会信用代码{exc}"
    day = _day(visited_on, "visited_on", "体检日期", errors)
    items = [i.strip()[:300] for i in issues if i.strip()]
    if len(items) > MAX_ISSUES:
        errors["issues"] = f"一次体检最多登记 {MAX_ISSUES} 个问题"
    values = {"enterprise_name": name[:200], "enterprise_uscc": uscc, "visited_on": day, "issues": items}
    return lawyer, values, errors


def visit_record(
    *,
    actor: User | None,
    scope: Scope | None,
    org: Org,
    lawyer_id: Any,
    enterprise_name: str,
    enterprise_uscc: str,
    visited_on: Any,
    issues: list[str],
    note: str = "",
) -> LawyerVisit:
    """Record a lawyer's 法律体检 of an enterprise with the issues found (each 整改中)."""
    require_perm_at(scope, RightsPerm.LEGAL_MANAGE, org.path)
    lawyer, values, errors = clean_visit(
        org_path=org.path,
        lawyer_id=lawyer_id,
        enterprise_name=enterprise_name,
        enterprise_uscc=enterprise_uscc,
        visited_on=visited_on,
        issues=issues,
    )
    _raise(errors)
    assert lawyer is not None
    name, uscc, day, items = (
        values["enterprise_name"],
        values["enterprise_uscc"],
        values["visited_on"],
        values["issues"],
    )
    with transaction.atomic():
        visit = LawyerVisit.all_objects.create(
            org=org,
            org_path=org.path,
            lawyer=lawyer,
            enterprise_name=name[:200],
            enterprise_uscc=uscc,
            visited_on=day,
            note=(note or "").strip(),
            created_by=actor if actor and actor.pk else None,
        )
        VisitIssue.objects.bulk_create([VisitIssue(visit=visit, text=t) for t in items])
        _audit(
            actor,
            visit,
            action="rights.visit.record",
            org_id=org.pk,
            enterprise=uscc,
            issues=len(items),
            lawyer=lawyer.name,
        )
    return visit


def visit_issue_follow_up(
    *, actor: User | None, scope: Scope | None, issue: VisitIssue, status: Any, note: str = ""
) -> VisitIssue:
    """Follow an issue up: still 整改中 with a note, or 已整改 (then it is done)."""
    with unscoped():
        visit = LawyerVisit.all_objects.get(pk=issue.visit_id)
    require_perm_at(scope, RightsPerm.LEGAL_MANAGE, visit.org_path)
    errors: dict[str, str] = {}
    try:
        value = words.match("rights_issue_status", status)
        if not value:
            errors["status"] = "请选择整改状态（整改中或已整改）"
    except words.ChoiceError as exc:
        value = ""
        errors["status"] = str(exc)
    note = (note or "").strip()
    if value == IssueStatus.FIXING and not note:
        errors["note"] = "仍在整改的，请填写跟进说明"
    with transaction.atomic():
        row = VisitIssue.objects.select_for_update().get(pk=issue.pk)
        if row.status == IssueStatus.FIXED:
            raise DomainError("rights.issue_fixed", status=409)
        _raise(errors)
        row.status, row.note = value, note[:300]
        row.save(update_fields=["status", "note", "updated_at"])
        _audit(actor, visit, action="rights.visit.follow_up", org_id=visit.org_id, issue=row.pk, status=value)
    return row
