"""Writes on 12351 hotline cases: intake, the moves of `workflow.TRANSITIONS`, contacts, reminders.

Every write locks the case, checks its state and the caller's permission on the union whose
step it is, records a timeline line (`CaseEvent`) and an audit event in one transaction.
A step finished after its deadline marks the case late (the on-time rate). The caller's phone
(or an ID number given on the call, used only to find the member and never stored) is matched to a
member only among the memberships the operator may see: a number known elsewhere links no one and
says nothing.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

from django.db import transaction

from gonghui.accounts.models import User
from gonghui.core import words
from gonghui.core.audit import audit_record
from gonghui.core.errors import DomainError, PermissionDeniedError, joined
from gonghui.core.masking import mask_mobile
from gonghui.core.scoping import Scope, require_perm_at, unscoped
from gonghui.core.validators import InvalidIdentifier, clean_uscc
from gonghui.members.models import MEMBER_STATUSES, Membership
from gonghui.members.permissions import MemberPerm
from gonghui.members.validation import FieldError, parse_identity
from gonghui.orgs.models import Org
from gonghui.rights import deadlines
from gonghui.rights import errors as _errors  # noqa: F401  (registers messages)
from gonghui.rights.models import OPEN_STATUSES, CaseEvent, CaseStatus, HotlineCase
from gonghui.rights.permissions import RightsPerm
from gonghui.rights.words import Kind, Satisfaction, Tier
from gonghui.rights.workflow import TRANSITIONS, Transition

STATES = dict(CaseStatus.choices)
PHONE = re.compile(r"\d{7,20}")
MOBILE = re.compile(r"1\d{10}")


def case_number(case: HotlineCase) -> str:
    """12351-YYYYMMDD-NNNNNN: the day of the call and the case's own serial (never reused)."""
    return f"12351-{case.created_at:%Y%m%d}-{case.pk:06d}"


def normalize_phone(raw: str) -> str:
    """Digits only (0931-1234567 → 09311234567; +86 dropped); "" for a blank."""
    digits = re.sub(r"\D", "", raw or "")
    if digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    return digits


def _member_where(scope: Scope | None, **person: str) -> int | None:
    with unscoped():
        qs = Membership.all_objects.all() if scope is None else Membership.objects.within(scope, MemberPerm.VIEW)
        people = list(
            qs.filter(status__in=MEMBER_STATUSES, **{f"person__{k}": v for k, v in person.items()})
            .values_list("person_id", flat=True)
            .distinct()[:2]
        )
    return people[0] if len(people) == 1 else None


def member_by_mobile(*, scope: Scope | None, phone: str) -> int | None:
    """The person whose mobile this is, among the memberships the scope may see; None if none or several."""
    if not MOBILE.fullmatch(phone):
        return None
    return _member_where(scope, mobile=phone)


def member_by_id_index(*, scope: Scope | None, index: str) -> int | None:
    """The person with this ID number (its blind index), among the memberships the scope may see."""
    return _member_where(scope, id_index=index) if index else None


def _word(errors: dict[str, str], field: str, table: str, raw: Any, *, required: bool = True) -> str:
    try:
        value = words.match(table, raw)
    except words.ChoiceError as exc:
        errors[field] = str(exc)
        return ""
    if required and not value:
        errors[field] = f"请填写{words.choice_table(table).title}"
    return value


def _event(
    case: HotlineCase, actor: User | None, action: str, *, org: Org, to_org: Org | None = None, note: str = ""
) -> None:
    label = "系统"
    if actor is not None and actor.pk:
        username = actor.get_username()
        label = mask_mobile(username) if MOBILE.fullmatch(username) else username
    CaseEvent.objects.create(
        case=case,
        at=deadlines.now(),
        actor=actor if actor is not None and actor.pk else None,
        actor_label=label,
        action=action,
        org=org,
        to_org=to_org,
        note=note,
    )
    data: dict[str, Any] = {"number": case.number, "status": case.status}
    if note:
        data["note"] = note[:200]
    if to_org is not None:
        data["to"] = to_org.code
    audit_record(actor=actor, action=f"rights.case.{action}", org=org, target=case, data=data)


INTAKE_FIELDS = (
    "source",
    "kind",
    "cause",
    "person_type",
    "tier",
    "caller_name",
    "caller_phone",
    "employer_name",
    "employer_uscc",
    "summary",
    "answer",
    "answered",
    "caller_id_number",
)


def clean_intake(raw: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """A call's fields as typed → (the values to store, every field's refusal). Words become codes."""
    errors: dict[str, str] = {}
    values: dict[str, Any] = {
        "source": _word(errors, "source", "rights_source", raw.get("source")),
        "kind": _word(errors, "kind", "rights_kind", raw.get("kind")),
        "cause": _word(errors, "cause", "rights_cause", raw.get("cause")),
        "person_type": _word(errors, "person_type", "rights_person_type", raw.get("person_type"), required=False),
        "tier": _word(errors, "tier", "rights_tier", raw.get("tier"), required=False) or Tier.GENERAL,
    }
    caller_name = str(raw.get("caller_name") or "").strip()
    if not caller_name:
        errors["caller_name"] = "请填写来电人姓名"
    elif len(caller_name) > 60:
        errors["caller_name"] = "来电人姓名不能超过 60 个字"
    typed_phone = str(raw.get("caller_phone") or "")
    phone = normalize_phone(typed_phone)
    if typed_phone.strip() and not PHONE.fullmatch(phone):
        errors["caller_phone"] = DomainError("rights.phone_invalid").message
    uscc = ""
    try:
        uscc = clean_uscc(raw.get("employer_uscc"))
    except InvalidIdentifier as exc:
        errors["employer_uscc"] = f"统一社会信用代码{exc}"
    summary = str(raw.get("summary") or "").strip()
    if not summary:
        errors["summary"] = "请填写诉求内容"
    id_index = ""
    typed_id = str(raw.get("caller_id_number") or "").strip()
    if typed_id:
        try:
            id_index = parse_identity(typed_id).index
        except FieldError as exc:
            errors["caller_id_number"] = str(exc)
    answer = str(raw.get("answer") or "").strip()
    answered = bool(raw.get("answered"))
    if answered:
        if values["kind"] and values["kind"] != Kind.CONSULT:
            errors["answered"] = DomainError("rights.answer_only_consult").message
        if not answer:
            errors["answer"] = "当场答复结案时请填写答复内容"
    values.update(
        caller_name=caller_name,
        caller_phone=phone,
        employer_name=str(raw.get("employer_name") or "").strip()[:200],
        employer_uscc=uscc,
        summary=summary,
        answer=answer,
    )
    # The ID number only finds the member: it is never stored (its blind index neither).
    values["_id_index"] = id_index
    return values, errors


def case_intake(
    *, actor: User | None, scope: Scope | None, org: Org, answered: bool = False, **raw: Any
) -> HotlineCase:
    """Take a call at `org`: a consultation answered on the call is closed at once, anything else
    becomes a work order pending at `org`. Choices take everyday words; every mistake is named at once.

    `raw`: source, kind, cause, caller_name, summary (required), caller_phone, caller_id_number,
    person_type, tier, employer_name, employer_uscc, answer.
    """
    require_perm_at(scope, RightsPerm.INTAKE, org.path)
    unknown = set(raw) - set(INTAKE_FIELDS)
    if unknown:
        raise TypeError(f"unknown intake fields: {sorted(unknown)}")
    values, errors = clean_intake({**raw, "answered": answered})
    if errors:
        raise DomainError("rights.intake_invalid", details=errors, reasons=joined(errors))
    if org.is_closed:
        raise DomainError("rights.org_closed", org=org.name)
    id_index = values.pop("_id_index")
    phone = values["caller_phone"]
    person_id = member_by_id_index(scope=scope, index=id_index)
    if person_id is None and phone:
        person_id = member_by_mobile(scope=scope, phone=phone)
    at = deadlines.now()
    status = CaseStatus.CLOSED if answered else CaseStatus.PENDING
    with transaction.atomic():
        case = HotlineCase.all_objects.create(
            number=uuid.uuid4().hex[:24],
            intake_org=org,
            intake_path=org.path,
            org=org,
            org_path=org.path,
            person_id=person_id,
            status=status,
            step_started_at=at,
            step_due_at=deadlines.step_deadline(tier=values["tier"], status=status, started=at),
            created_by=actor if actor is not None and actor.pk else None,
            created_at=at,
            closed_at=at if answered else None,
            **values,
        )
        case.number = case_number(case)
        case.save(update_fields=["number"])
        _event(case, actor, "intake", org=org, note=case.summary[:200])
        if answered:
            _event(case, actor, "answered", org=org, note=case.answer)
    return case


def _locked(case: HotlineCase) -> HotlineCase:
    return HotlineCase.all_objects.select_related("org", "intake_org").select_for_update(of=("self",)).get(pk=case.pk)


def _check(scope: Scope | None, case: HotlineCase, t: Transition, note: str, what: str = "说明") -> str:
    require_perm_at(scope, t.perm, case.org_path if t.at == "org" else case.intake_path)
    if case.status not in t.sources:
        raise DomainError("rights.wrong_status", status=409, state=STATES[case.status], action=t.label)
    note = (note or "").strip()
    if t.note_required and not note:
        raise DomainError("rights.note_required", what=what, field="note")
    return note


def _enter(case: HotlineCase, status: str) -> list[str]:
    """Finish the current step (late if past its deadline) and start the one of `status`."""
    at = deadlines.now()
    if deadlines.is_overdue(status=case.status, due=case.step_due_at, at=at):
        case.late = True
    case.status = status
    case.step_started_at = at
    case.step_due_at = deadlines.step_deadline(tier=case.tier, status=status, started=at)
    if status == CaseStatus.CLOSED:
        case.closed_at = at
    return ["status", "step_started_at", "step_due_at", "late", "closed_at"]


def _move(
    *,
    actor: User | None,
    scope: Scope | None,
    case: HotlineCase,
    name: str,
    note: str = "",
    what: str = "说明",
    to_org: Org | None = None,
    **changes: Any,
) -> HotlineCase:
    t = TRANSITIONS[name]
    with transaction.atomic(), unscoped():
        case = _locked(case)
        note = _check(scope, case, t, note, what)
        acting_org = case.org if t.at == "org" else case.intake_org
        fields = _enter(case, t.target)
        if to_org is not None:
            case.org, case.org_path = to_org, to_org.path
            fields += ["org", "org_path"]
        for field, value in changes.items():
            setattr(case, field, value)
            fields.append(field)
        case.save(update_fields=fields)
        _event(case, actor, name, org=acting_org, to_org=to_org, note=note)
    return case


def case_hand_down(
    *, actor: User | None, scope: Scope | None, case: HotlineCase, to_org: Org, note: str = ""
) -> HotlineCase:
    """Hand a pending case to a union directly below the one holding it."""
    require_perm_at(scope, RightsPerm.HANDLE, case.org_path)
    with unscoped():
        holder = Org.all_objects.get(pk=case.org_id)
    if to_org.parent_id != holder.pk:
        raise DomainError("rights.not_below", org=holder.name, field="to_org")
    if to_org.is_closed:
        raise DomainError("rights.org_closed", org=to_org.name, field="to_org")
    return _move(actor=actor, scope=scope, case=case, name="hand_down", note=note, to_org=to_org)


def case_send_up(*, actor: User | None, scope: Scope | None, case: HotlineCase, reason: str) -> HotlineCase:
    """Send a pending case back to the union above, with the reason (never above the union that took the call)."""
    require_perm_at(scope, RightsPerm.HANDLE, case.org_path)
    with unscoped():
        holder = Org.all_objects.select_related("parent").get(pk=case.org_id)
    if holder.pk == case.intake_org_id or holder.parent is None:
        raise DomainError("rights.top_of_case")
    return _move(
        actor=actor, scope=scope, case=case, name="send_up", note=reason, what="退回原因", to_org=holder.parent
    )


def case_take(*, actor: User | None, scope: Scope | None, case: HotlineCase, note: str = "") -> HotlineCase:
    """The union holding a pending case takes it on (the handling deadline starts)."""
    return _move(actor=actor, scope=scope, case=case, name="take", note=note)


def case_contact(*, actor: User | None, scope: Scope | None, case: HotlineCase, note: str) -> HotlineCase:
    """Record a contact with the caller or the employer while handling (the case does not move)."""
    with transaction.atomic(), unscoped():
        case = _locked(case)
        require_perm_at(scope, RightsPerm.HANDLE, case.org_path)
        if case.status != CaseStatus.HANDLING:
            raise DomainError("rights.wrong_status", status=409, state=STATES[case.status], action="登记联系情况")
        note = (note or "").strip()
        if not note:
            raise DomainError("rights.note_required", what="联系情况", field="note")
        _event(case, actor, "contact", org=case.org, note=note)
    return case


def case_reply(*, actor: User | None, scope: Scope | None, case: HotlineCase, result: str) -> HotlineCase:
    """The handling union reports the result: the case goes back up for the follow-up call."""
    return _move(
        actor=actor,
        scope=scope,
        case=case,
        name="reply",
        note=result,
        what="办理结果",
        result=(result or "").strip(),
        handled_by_org_id=case.org_id,
    )


def case_follow_up(
    *, actor: User | None, scope: Scope | None, case: HotlineCase, satisfaction: str, note: str = ""
) -> HotlineCase:
    """The follow-up call: 满意 or 基本满意 go on to the quality check; the first 不满意 reopens the case
    at the union that handled it (once only: a second 不满意 is recorded and goes on)."""
    try:
        value = words.match("rights_satisfaction", satisfaction)
    except words.ChoiceError as exc:
        raise DomainError("rights.intake_invalid", details={"satisfaction": str(exc)}, reasons=str(exc)) from exc
    if not value:
        raise DomainError("rights.note_required", what="回访满意度", field="satisfaction")
    reopen = value == Satisfaction.UNSATISFIED and case.reopened == 0
    if not reopen:
        return _move(actor=actor, scope=scope, case=case, name="follow_up", note=note, satisfaction=value)
    t = TRANSITIONS["follow_up"]
    with transaction.atomic(), unscoped():
        case = _locked(case)
        if case.reopened:  # another follow-up reopened it meanwhile
            raise DomainError("rights.wrong_status", status=409, state=STATES[case.status], action=t.label)
        note = _check(scope, case, t, note)
        fields = _enter(case, CaseStatus.HANDLING)
        case.satisfaction, case.reopened = value, 1
        fields += ["satisfaction", "reopened"]
        if case.handled_by_org_id and case.handled_by_org_id != case.org_id:
            handler = Org.all_objects.get(pk=case.handled_by_org_id)
            case.org, case.org_path = handler, handler.path
            fields += ["org", "org_path"]
        case.save(update_fields=fields)
        _event(case, actor, "reopen", org=case.intake_org, to_org=case.org, note=note or "回访不满意")
    return case


def case_check(*, actor: User | None, scope: Scope | None, case: HotlineCase, note: str = "") -> HotlineCase:
    """The quality check of a followed-up case."""
    return _move(actor=actor, scope=scope, case=case, name="check", note=note)


def case_close(*, actor: User | None, scope: Scope | None, case: HotlineCase, note: str = "") -> HotlineCase:
    """Close a checked case."""
    return _move(actor=actor, scope=scope, case=case, name="close", note=note)


def may_remind(scope: Scope | None, case: HotlineCase) -> bool:
    """Only a union above the one holding the case may urge it (督办); a holder never urges itself."""
    if scope is None:
        return True
    above = case.org_path[: case.org_path[:-1].rfind("/") + 1]
    return bool(above) and scope.has_perm(RightsPerm.SUPERVISE, above)


def case_remind(*, actor: User | None, scope: Scope | None, case: HotlineCase, note: str = "") -> HotlineCase:
    """督办: the level above urges the union holding an open case; the reminders are counted."""
    with transaction.atomic(), unscoped():
        case = _locked(case)
        if not may_remind(scope, case):
            if scope is not None and not scope.has_perm_anywhere(RightsPerm.SUPERVISE):
                raise PermissionDeniedError(RightsPerm.SUPERVISE)
            raise DomainError("rights.not_above", status=403)
        if case.status not in OPEN_STATUSES:
            raise DomainError("rights.wrong_status", status=409, state=STATES[case.status], action="督办")
        case.reminders += 1
        case.last_reminded_at = deadlines.now()
        case.save(update_fields=["reminders", "last_reminded_at"])
        _event(case, actor, "remind", org=case.org, note=(note or "").strip() or f"第 {case.reminders} 次督办")
    return case
