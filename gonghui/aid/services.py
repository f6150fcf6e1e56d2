"""Writes on hardship files: apply, authorize, review up the path, file, close (DOMAIN §4).

    applied → unit_approved (本单位工会) → higher_approved (上级工会) → filed (帮扶中心)
    any open state → returned (补充材料, back to the unit) or rejected; filed → closed (撤档)

The category is assessed from the household's figures against the local 低保
standard of the year whenever a file is made; a household that meets none of
the categories is refused with its figures. A review step past the unit needs
the worker's signed authorization on file. Every write is audited.

A household already in an open file is refused with that file's worker and
union only when the caller may see the file; a file outside the caller's
scope gives the neutral `member.handled_elsewhere`, which names no one.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from gonghui.accounts.models import User
from gonghui.aid import errors as _errors  # noqa: F401  (registers messages)
from gonghui.aid.models import (
    OPEN_STATUSES,
    Category,
    Cause,
    FamilyMember,
    FileLevel,
    FileStatus,
    HardshipFile,
    SubsistenceStandard,
)
from gonghui.aid.permissions import AidPerm
from gonghui.cards.models import CardStatus, ServiceCard
from gonghui.core.audit import audit_record
from gonghui.core.errors import DomainError, joined
from gonghui.core.money import fen_to_yuan
from gonghui.core.paths import parent_path
from gonghui.core.regions import first_by_region, region_name
from gonghui.core.scoping import Scope, require_perm_at, subtrees_q, unscoped
from gonghui.crosscheck.models import CrossCheckReview, Decision
from gonghui.crosscheck.services import Subject, crosscheck_subjects
from gonghui.crosscheck.subjects import SubjectView
from gonghui.members.models import Membership, MembershipStatus
from gonghui.members.validation import FieldError, parse_identity

STATES = dict(FileStatus.choices)
ACCIDENT_SHARE = 0.8  # hardship costs over 80% of the household's income: 意外致困


def subsistence_standard(region_code: str, year: int) -> SubsistenceStandard | None:
    """The 低保 standard that applies in a region: its own, else its prefecture's, else its province's."""
    return first_by_region(SubsistenceStandard.objects.filter(year=year), region_code)


@dataclass(frozen=True)
class Assessment:
    category: str | None
    per_capita_monthly_fen: int
    standard_monthly_fen: int
    annual_income_fen: int


def assess(
    *,
    standard_monthly_fen: int,
    household_size: int,
    worker_monthly_income_fen: int,
    other_income_year_fen: int = 0,
    necessary_expense_year_fen: int = 0,
    hardship_cost_year_fen: int = 0,
    accident: bool = False,
) -> Assessment:
    """The category a household's figures give (DOMAIN §4, the Qingdao rule).

    per capita = (yearly income − necessary expenses) ÷ 12 ÷ household size;
    深度困难 below the 低保 standard, 相对困难 below twice it; otherwise 意外致困
    after an accident or disaster, or when hardship costs exceed 80% of the income.
    """
    if household_size < 1:
        raise DomainError("aid.household_size_invalid", field="household_size")
    annual = worker_monthly_income_fen * 12 + other_income_year_fen
    per_capita = (annual - necessary_expense_year_fen) // 12 // household_size
    category: str | None = None
    if per_capita < standard_monthly_fen:
        category = Category.DEEP
    elif per_capita < 2 * standard_monthly_fen:
        category = Category.RELATIVE
    elif accident or hardship_cost_year_fen > ACCIDENT_SHARE * annual:
        category = Category.ACCIDENT
    return Assessment(category, per_capita, standard_monthly_fen, annual)


FIGURES = (
    "household_size",
    "worker_monthly_income_fen",
    "other_income_year_fen",
    "necessary_expense_year_fen",
    "hardship_cost_year_fen",
    "accident",
)
DETAILS = ("housing_type", "housing_area", "health", "zero_employment")


@dataclass
class FamilyIn:
    relation: str
    name: str
    id_number: str = ""
    health: str = ""
    monthly_income_fen: int = 0
    school_or_unit: str = ""


def _audit(file: HardshipFile, actor: User | None, action: str, **data: Any) -> None:
    with unscoped():
        org = file.org
    audit_record(actor=actor, action=f"aid.file.{action}", org=org, target=file, data=data)


def _household_clash(person_id: int, indexes: list[str]) -> HardshipFile | None:
    """An open file that already holds the worker or one of the family (as worker or as family)."""
    with unscoped():
        files = HardshipFile.objects.filter(status__in=OPEN_STATUSES)
        clash = files.filter(person_id=person_id).first()
        if clash is None and indexes:
            clash = files.filter(person__id_index__in=indexes).first()
        if clash is None:
            holder = FamilyMember.objects.filter(
                file__status__in=OPEN_STATUSES, id_index__in=[*indexes, *_person_index(person_id)]
            ).first()
            clash = holder.file if holder else None
    return clash


def _clash_refusal(scope: Scope | None, clash: HardshipFile | None) -> DomainError:
    """The refusal for a household already in an open file: with the worker and union only where the caller
    sees that file; a file outside the caller's scope is the neutral refusal (no name, union or status)."""
    if clash is not None and (scope is None or scope.has_perm(AidPerm.VIEW, clash.org_path)):
        return DomainError("aid.household_on_file", status=409, who=clash.person.name, org=clash.org.name)
    return DomainError("member.handled_elsewhere", status=409)


def _person_index(person_id: int) -> list[str]:
    from gonghui.members.models import Person

    return list(Person.objects.filter(pk=person_id).values_list("id_index", flat=True))


def file_apply(
    *,
    actor: User | None,
    scope: Scope | None,
    membership: Membership,
    level: str,
    region_code: str,
    year: int,
    figures: dict[str, Any],
    causes: list[str],
    family: list[FamilyIn] = (),  # type: ignore[assignment]
    details: dict[str, Any] | None = None,
) -> HardshipFile:
    """A household's application, made by its unit union for a member; the category is assessed now."""
    require_perm_at(scope, AidPerm.APPLY, membership.org_path)
    errors: dict[str, str] = {}
    if level not in FileLevel.values:
        errors["level"] = "建档标准应为全国级、省级、地市级或区县级"
    unknown = [c for c in causes if c not in Cause.values]
    if not causes or unknown:
        errors["causes"] = "请选择致困原因" if not causes else f"致困原因不在代码表中：{'、'.join(unknown)}"
    parsed: list[tuple[FamilyIn, Any]] = []
    for i, member in enumerate(family):
        try:
            parsed.append((member, parse_identity(member.id_number) if member.id_number else None))
        except FieldError as exc:
            errors[f"family.{i}.id_number"] = str(exc)
    if not member_names_ok(family):
        errors["family"] = "家庭成员须填写关系和姓名"
    if errors:
        raise DomainError("aid.application_fields_invalid", details=errors, reasons=joined(errors))
    standard = subsistence_standard(region_code, year)
    if standard is None:
        raise DomainError("aid.no_standard", region=region_name(region_code) or region_code, year=year)
    values = {k: figures.get(k, 0 if k != "accident" else False) for k in FIGURES}
    result = assess(standard_monthly_fen=standard.monthly_fen, **values)
    if result.category is None:
        raise DomainError(
            "aid.not_eligible",
            per_capita=fen_to_yuan(result.per_capita_monthly_fen),
            limit=fen_to_yuan(2 * standard.monthly_fen),
        )
    indexes = [identity.index for _m, identity in parsed if identity is not None]
    with transaction.atomic(), unscoped():
        ms = Membership.all_objects.select_related("org").get(pk=membership.pk)
        if ms.status != MembershipStatus.ACTIVE:
            raise DomainError("aid.not_member")
        clash = _household_clash(ms.person_id, indexes)
        if clash is not None:
            raise _clash_refusal(scope, clash)
        try:
            with transaction.atomic():
                file = HardshipFile.all_objects.create(
                    org=ms.org,
                    org_path=ms.org_path,
                    person_id=ms.person_id,
                    level=level,
                    category=result.category,
                    causes=list(dict.fromkeys(causes)),
                    region_code=region_code,
                    year=year,
                    per_capita_monthly_fen=result.per_capita_monthly_fen,
                    standard_monthly_fen=standard.monthly_fen,
                    created_by=actor,
                    card=_payment_card(ms.person_id),
                    **values,
                    **{k: v for k, v in (details or {}).items() if k in DETAILS},
                )
        except IntegrityError as exc:  # a concurrent application for the same worker won
            raise _clash_refusal(scope, _household_clash(ms.person_id, indexes)) from exc
        FamilyMember.objects.bulk_create(
            [
                FamilyMember(
                    file=file,
                    relation=m.relation.strip()[:20],
                    name=m.name.strip()[:50],
                    id_cipher=identity.cipher() if identity else None,
                    id_index=identity.index if identity else "",
                    id_masked=identity.masked if identity else "",
                    health=m.health[:100],
                    monthly_income_fen=m.monthly_income_fen,
                    school_or_unit=m.school_or_unit[:200],
                )
                for m, identity in parsed
            ]
        )
        _audit(
            file,
            actor,
            "apply",
            category=file.category,
            per_capita_fen=file.per_capita_monthly_fen,
            standard_fen=file.standard_monthly_fen,
            family=len(parsed),
        )
    return file


def _payment_card(person_id: int) -> ServiceCard | None:
    """Where the household's aid is paid: the worker's newest activated member service card, if any."""
    return ServiceCard.all_objects.filter(person_id=person_id, status=CardStatus.ACTIVATED).order_by("-pk").first()


def member_names_ok(family: list[FamilyIn]) -> bool:
    return all(m.relation.strip() and m.name.strip() for m in family)


def file_authorize(*, actor: User | None, scope: Scope | None, file: HardshipFile, stored_name: str) -> HardshipFile:
    """Record the worker's signed authorization (a scan stored under the data directory)."""
    require_perm_at(scope, AidPerm.APPLY, file.org_path)
    with transaction.atomic(), unscoped():
        file = HardshipFile.all_objects.select_for_update().get(pk=file.pk)
        if file.status not in OPEN_STATUSES:
            raise DomainError("aid.wrong_status", state=STATES[file.status], action="上传授权委托书")
        file.authorization_file, file.authorized_at = stored_name[:200], timezone.now()
        file.save(update_fields=["authorization_file", "authorized_at"])
        _audit(file, actor, "authorize", scan=file.authorization_file)
    household_crosscheck(actor=actor, file=file)
    return file


# --- cross-check against other agencies' lists ----------------------------------------------------

CROSSCHECK_SUBJECT = "aid.file"


def household_subjects(file: HardshipFile) -> list[Subject]:
    """The worker (subject id "<file>") and each family member with an ID ("<file>.<member>")."""
    with unscoped():
        org = file.org
        subjects = [Subject(CROSSCHECK_SUBJECT, str(file.pk), file.person.id_index, org)]
        for member in FamilyMember.objects.filter(file=file).exclude(id_index="").order_by("pk"):
            subjects.append(Subject(CROSSCHECK_SUBJECT, f"{file.pk}.{member.pk}", member.id_index, org))
    return subjects


def household_crosscheck(*, actor: User | None, file: HardshipFile) -> list[CrossCheckReview]:
    """Match the whole household against the lists on the file's path, keeping the evidence.

    Only once the worker's signed authorization is on record: the check of a
    household's economic status is what the worker authorizes. Runs in its own
    transaction, so the evidence is kept whatever the caller does next.
    """
    if not file.authorized_at:
        raise DomainError("aid.authorization_required")
    return crosscheck_subjects(actor=actor, subjects=household_subjects(file), year=file.year, org=file.org)


def household_reviews(file: HardshipFile) -> list[CrossCheckReview]:
    """The household's cross-check reviews: the worker's first, then each family member's."""
    with unscoped():
        reviews = CrossCheckReview.all_objects.filter(subject_type=CROSSCHECK_SUBJECT).filter(
            Q(subject_id=str(file.pk)) | Q(subject_id__startswith=f"{file.pk}.")
        )
        return sorted(reviews, key=lambda r: (r.subject_id != str(file.pk), r.pk))


def describe_household_subjects(ids: Sequence[str]) -> dict[str, SubjectView]:
    """For the review pages: "困难职工档案：王师傅" or its family member "王小明（子）", linking to the file."""
    file_ids = {int(i.split(".")[0]) for i in ids}
    member_ids = {int(i.split(".")[1]) for i in ids if "." in i}
    with unscoped():
        workers = dict(HardshipFile.all_objects.filter(pk__in=file_ids).values_list("pk", "person__name"))
        members = {m.pk: m for m in FamilyMember.objects.filter(pk__in=member_ids)}
    found: dict[str, SubjectView] = {}
    for subject_id in ids:
        file_pk, _dot, member_pk = subject_id.partition(".")
        worker = workers.get(int(file_pk))
        if worker is None:
            continue
        url = reverse("aid:file", args=[int(file_pk)])
        member = members.get(int(member_pk)) if member_pk else None
        if member_pk and member is None:
            continue
        label = f"{member.name}（{worker}的{member.relation}）" if member else worker
        found[subject_id] = SubjectView("困难职工档案", label, url)
    return found


def open_household_subjects(paths: list[str]) -> list[tuple[Subject, int]]:
    """Households whose worker signed the authorization and whose file is open or on file, with the file's year."""
    with unscoped():
        files = list(
            HardshipFile.all_objects.filter(subtrees_q("org_path", paths), status__in=OPEN_STATUSES)
            .exclude(authorized_at=None)
            .select_related("org", "person")
        )
        family: dict[int, list[FamilyMember]] = defaultdict(list)
        for member in FamilyMember.objects.filter(file__in=files).exclude(id_index="").order_by("pk"):
            family[member.file_id].append(member)
    items: list[tuple[Subject, int]] = []
    for f in files:
        items.append((Subject(CROSSCHECK_SUBJECT, str(f.pk), f.person.id_index, f.org), f.year))
        items += [(Subject(CROSSCHECK_SUBJECT, f"{f.pk}.{m.pk}", m.id_index, f.org), f.year) for m in family[f.pk]]
    return items


def _crosscheck_refusal(file: HardshipFile) -> None:
    """A match waiting for its decision, or confirmed as aid received twice, stops the filing."""
    for review in household_reviews(file):
        if review.status == Decision.PENDING:
            raise DomainError("aid.crosscheck_pending", status=409)
        if review.status == Decision.CONFIRMED:
            raise DomainError("aid.crosscheck_duplicate", status=409, reason=review.reason)


# (from state) → (to state, who may take it, what the refusal calls it)
STEPS = {
    FileStatus.APPLIED: (FileStatus.UNIT_APPROVED, "unit", "本单位工会审核"),
    FileStatus.RETURNED: (FileStatus.UNIT_APPROVED, "unit", "本单位工会审核"),
    FileStatus.UNIT_APPROVED: (FileStatus.HIGHER_APPROVED, "higher", "上级工会审核"),
    FileStatus.HIGHER_APPROVED: (FileStatus.FILED, "center", "帮扶中心审定"),
}


def step_perm(file: HardshipFile, who: str) -> tuple[str, str]:
    """What a review step needs, and where: the unit's reviewer reviews at the file's union, the higher
    union's at its parent (a grant on the file's own union is not enough), the centre files."""
    if who == "unit":
        return AidPerm.REVIEW, file.org_path
    if who == "higher":
        return AidPerm.REVIEW, parent_path(file.org_path)
    return AidPerm.FILE, file.org_path


def _step_allowed(scope: Scope | None, file: HardshipFile, who: str) -> None:
    require_perm_at(scope, *step_perm(file, who))


def file_approve_refusal(file: HardshipFile) -> DomainError | None:
    """Why the file's current step cannot be approved now, whoever asks; None when it can.

    The one home of the rule: `file_decide` raises it, and the file's page offers 审核通过 only when
    it is None. Past the unit's step the worker's signed authorization must be on file. (The
    cross-check run when filing is not foreseen here: it matches the lists at that moment.)
    """
    if file.status not in STEPS:
        return DomainError("aid.wrong_status", state=STATES[file.status], action="审核")
    if STEPS[FileStatus(file.status)][0] != FileStatus.UNIT_APPROVED and not file.authorized_at:
        return DomainError("aid.authorization_required")
    return None


def file_decide(
    *, actor: User | None, scope: Scope | None, file: HardshipFile, decision: str, note: str = ""
) -> HardshipFile:
    """Approve the file's current step, return it to the unit for more material, or refuse it."""
    if decision not in ("approve", "return", "reject"):
        raise DomainError("aid.decision_unknown", field="decision")
    if decision == "approve" and file.status == FileStatus.HIGHER_APPROVED and file.authorized_at:
        # The lists may have grown since the authorization: match again before filing.
        _step_allowed(scope, file, "center")
        household_crosscheck(actor=actor, file=file)
    with transaction.atomic(), unscoped():
        file = HardshipFile.all_objects.select_for_update().select_related("org").get(pk=file.pk)
        if file.status not in STEPS:
            raise DomainError("aid.wrong_status", state=STATES[file.status], action="审核")
        target, who, label = STEPS[FileStatus(file.status)]
        _step_allowed(scope, file, who)
        if decision != "approve" and not note.strip():
            raise DomainError("aid.decision_note_required", field="note")
        if decision == "approve":
            refusal = file_approve_refusal(file)
            if refusal is not None:
                raise refusal
            file.status = target
            if target == FileStatus.FILED:
                _crosscheck_refusal(file)
                file.filed_on = timezone.localdate()
        else:
            file.status = FileStatus.RETURNED if decision == "return" else FileStatus.REJECTED
        file.status_note = note.strip()[:200]
        file.save(update_fields=["status", "status_note", "filed_on"])
        _audit(file, actor, decision, step=label, to=file.status, note=file.status_note)
    return file


def _closing_day(on: date | None, *, filed_on: date | None) -> date:
    """撤档日期: today when not given; never later than today, never before the file was filed (建档)."""
    today = timezone.localdate()
    day = on or today
    if day > today:
        raise DomainError("aid.closed_in_future", field="on")
    if filed_on is not None and day < filed_on:
        raise DomainError("aid.closed_before_filed", field="on", filed=filed_on.isoformat())
    return day


def file_close(
    *, actor: User | None, scope: Scope | None, file: HardshipFile, reason: str, on: date | None = None
) -> HardshipFile:
    """撤档: the household is out of hardship (or another reason); the file is kept, closed."""
    require_perm_at(scope, AidPerm.FILE, file.org_path)
    if not reason.strip():
        raise DomainError("aid.close_reason_required", field="reason")
    with transaction.atomic(), unscoped():
        file = HardshipFile.all_objects.select_for_update().get(pk=file.pk)
        if file.status != FileStatus.FILED:
            raise DomainError("aid.wrong_status", state=STATES[file.status], action="撤档")
        file.closed_on = _closing_day(on, filed_on=file.filed_on)
        file.status, file.status_note = FileStatus.CLOSED, reason.strip()[:200]
        file.save(update_fields=["status", "status_note", "closed_on"])
        _audit(file, actor, "close", reason=file.status_note, on=file.closed_on.isoformat())
    return file
