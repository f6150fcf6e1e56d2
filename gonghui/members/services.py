"""Writes on the registry: registration, join applications, transfers, status changes.

Each transition locks the membership row, checks its state, records a
`MembershipEvent` and an audit event, and moves the per-union tallies, all in
one transaction. Refusals are `DomainError`s with Chinese messages. The one
live membership per person is the database's partial unique index; a race
that loses against it becomes the same refusal as the check before it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import date
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from gonghui.accounts.models import User
from gonghui.core import crypto
from gonghui.core.audit import audit_record, changed_fields
from gonghui.core.errors import DomainError, PermissionDeniedError, joined
from gonghui.core.scoping import Scope, require_perm_at, unscoped
from gonghui.members import errors as _errors  # noqa: F401  (registers messages)
from gonghui.members.models import (
    LIVE_STATUSES,
    EventType,
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
    ID_PURPOSE,
    Identity,
    clean_code,
    clean_person,
    joined_on_reason,
    name_keys,
    parse_identity,
    region_warnings,
    status_reason_missing,
)
from gonghui.orgs.models import Org

STATUS_LABELS = dict(MembershipStatus.choices)
TallyKey = tuple[int, str, str, bool, bool]


# --- helpers -------------------------------------------------------------------------------------


def _require(scope: Scope | None, perm: str, org: Org) -> None:
    require_perm_at(scope, perm, org.path)


def _refuse_status(ms: Membership, action: str) -> DomainError:
    return DomainError("member.wrong_status", status=409, action=action, state=str(STATUS_LABELS[ms.status]))


def _locked(ms: Membership) -> Membership:
    # `of=self`: lock the membership only, not the joined person and union rows,
    # which would serialize every transition of a union and invite deadlocks.
    return Membership.all_objects.select_for_update(of=("self",)).select_related("person", "org").get(pk=ms.pk)


def _tally_key(ms: Membership, person: Person | None = None) -> TallyKey:
    p = person or ms.person
    return (ms.org_id, ms.org_path, ms.status, bool(p.new_employment_type), bool(p.is_migrant_worker))


def tally_apply(deltas: Counter[TallyKey]) -> None:
    """Add the deltas to the tallies with one upsert per key (SQLite ≥ 3.24 and PostgreSQL)."""
    # Sorted, so concurrent transactions take the tally rows' locks in one order.
    rows = sorted((k[0], k[1], k[2], k[3], k[4], n) for k, n in deltas.items() if n)
    if not rows:
        return
    table = MemberTally._meta.db_table
    upsert = (
        "ON CONFLICT (org_id, status, new_employment, migrant) "
        f"DO UPDATE SET n = {table}.n + excluded.n, org_path = excluded.org_path"
    )
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql" and len(rows) > 1:
            # One statement for the batch (an import moves thousands of keys): unnest
            # keeps the sorted order, so the locks are still taken in that order.
            columns = list(zip(*rows, strict=True))
            cursor.execute(
                f"INSERT INTO {table} (org_id, org_path, status, new_employment, migrant, n) "  # noqa: S608
                "SELECT * FROM unnest(%s::bigint[], %s::text[], %s::text[], %s::boolean[], %s::boolean[], "
                f"%s::integer[]) {upsert}",
                [list(c) for c in columns],
            )
            return
        cursor.executemany(
            f"INSERT INTO {table} (org_id, org_path, status, new_employment, migrant, n) "  # noqa: S608
            f"VALUES (%s, %s, %s, %s, %s, %s) {upsert}",
            rows,
        )


class _Tally:
    """Collects the tally moves of one transition."""

    def __init__(self) -> None:
        self.deltas: Counter[TallyKey] = Counter()

    def add(self, ms: Membership, n: int = 1) -> None:
        self.deltas[_tally_key(ms)] += n

    def flush(self) -> None:
        tally_apply(self.deltas)
        self.deltas.clear()


def _event(
    ms: Membership,
    event_type: str,
    *,
    actor: User | None,
    reason: str = "",
    other_org: Org | None = None,
    on: date | None = None,
) -> None:
    MembershipEvent.all_objects.create(
        membership=ms,
        org_path=ms.org_path,
        event_type=event_type,
        reason=reason[:200],
        on=on or timezone.localdate(),
        other_org=other_org,
        actor=actor if actor is not None and actor.pk else None,
    )


def _assign_member_no(person: Person) -> None:
    if not person.member_no:
        # Stable and unique without a sequence table: the person's own id.
        person.member_no = f"{person.pk:010d}"
        person.save(update_fields=["member_no", "updated_at"])


def _reason(table: str, raw: str, title: str) -> tuple[str, str]:
    """A reason given by code or label: (code, label)."""
    from gonghui.members.validation import FieldError, code_label

    try:
        value = clean_code(table, raw, title)
    except FieldError as exc:
        raise DomainError("member.reason_invalid", field="reason", why=str(exc)) from exc
    if not value:
        raise DomainError("member.reason_required", what=title)
    return value, code_label(table, value)


def _identity(id_number: str, id_type: str) -> Identity:
    from gonghui.members.validation import FieldError

    try:
        return parse_identity(id_number, clean_code("id_type", id_type or "1", "证件类型") or "1")
    except FieldError as exc:
        raise DomainError("member.id_number_invalid", field="id_number", why=str(exc)) from exc


def _clean_fields(fields: dict[str, Any], *, partial: bool) -> dict[str, Any]:
    cleaned, errors = clean_person(fields, partial=partial)
    if errors:
        errors = dict(sorted(errors.items()))
        raise DomainError("member.fields_invalid", details=errors, reasons=joined(errors))
    return cleaned


def _check_joined(joined_on: date | None, birth_date: date | None) -> None:
    """入会日期 against the birth date (`joined_on_reason`): refused as a field of the form."""
    reason = joined_on_reason(joined_on, birth_date)
    if reason is not None:
        raise DomainError("member.fields_invalid", details={"joined_on": reason}, reasons=f"入会日期：{reason}")


def _open_org(org: Org) -> Org:
    """The union, checked open and share-locked until commit.

    The share lock conflicts with the FOR UPDATE `org_close` takes, so a union
    cannot close between this check and the new membership's commit, while
    registrations in the same union still run side by side. (SQLite runs one
    writer at a time.)
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM orgs_org WHERE id = %s FOR SHARE", [org.pk])
    org = Org.all_objects.get(pk=org.pk)
    if org.is_closed:
        raise DomainError("member.org_closed", org=org.name)
    return org


def _set_person_fields(person: Person, values: dict[str, Any]) -> dict[str, list[Any]]:
    before = {k: _plain(getattr(person, k)) for k in values}
    for key, value in values.items():
        setattr(person, key, value)
    if "name" in values:
        person.name_pinyin, person.name_initials = name_keys(person.name)
    return changed_fields(before, {k: _plain(getattr(person, k)) for k in values})


def _flags(person: Person) -> tuple[bool, bool]:
    return bool(person.new_employment_type), bool(person.is_migrant_worker)


def _update_person(person: Person, values: dict[str, Any]) -> dict[str, list[Any]]:
    """Set and save a person's fields; when the flags the tallies keep change, move the
    tallies of every membership the person has held, ended ones included."""
    before = _flags(person)
    diff = _set_person_fields(person, values)
    if not diff:
        return diff
    person.save()
    after = _flags(person)
    if after != before:
        deltas: Counter[TallyKey] = Counter()
        for org_id, org_path, status in Membership.all_objects.filter(person=person).values_list(
            "org_id", "org_path", "status"
        ):
            deltas[(org_id, org_path, status, *before)] -= 1
            deltas[(org_id, org_path, status, *after)] += 1
        tally_apply(deltas)
    return diff


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def _person_for(identity: Identity, values: dict[str, Any], *, update: bool) -> tuple[Person, bool]:
    """The person with this identity, created if new; (person, created)."""
    person = Person.objects.select_for_update().filter(id_index=identity.index).first()
    if person is None:
        person = Person(
            id_type=identity.id_type,
            id_cipher=identity.cipher(),
            id_index=identity.index,
            id_masked=identity.masked,
            gender=identity.gender,
            birth_date=identity.birth_date,
        )
        _set_person_fields(person, values)
        try:
            with transaction.atomic():
                person.save(force_insert=True)
        except IntegrityError as exc:
            # A concurrent registration or application of the same person won the insert (and has
            # committed): go on with that person, whose live membership, if any, is then checked.
            person = Person.objects.select_for_update().filter(id_index=identity.index).first()
            if person is None:
                raise DomainError("member.live_membership", status=409) from exc
            if update:
                _update_person(person, values)
            return person, False
        return person, True
    if update:
        _update_person(person, values)
    return person, False


def _check_status_reason(ms: Membership) -> None:
    what = status_reason_missing(ms.status, ms.status_reason)
    if what is not None:
        raise DomainError("member.reason_required", field="reason", what=what)


def _insert_membership(ms: Membership) -> None:
    _check_status_reason(ms)
    try:
        with transaction.atomic():
            ms.save(force_insert=True)
    except IntegrityError as exc:
        raise DomainError("member.live_membership", status=409) from exc


def _has_live(person: Person) -> bool:
    return Membership.all_objects.filter(person=person, status__in=LIVE_STATUSES).exists()


# --- registration and joining --------------------------------------------------------------------


def member_register(
    *,
    actor: User | None,
    scope: Scope | None,
    org: Org,
    id_number: str,
    id_type: str = "1",
    fields: dict[str, Any],
) -> Membership:
    """An officer registers a member of `org` (入会登记); the person may be known already."""
    _require(scope, MemberPerm.REGISTER, org)
    identity = _identity(id_number, id_type)
    values = _clean_fields(fields, partial=False)
    _check_joined(values.get("joined_on"), identity.birth_date)
    today = timezone.localdate()
    # 入会日期 is the person's first joining ("一次入会"); a later registration keeps it.
    joined_on = values.pop("joined_on", None) or today
    with transaction.atomic(), unscoped():
        org = _open_org(org)
        person, created = _person_for(identity, values, update=True)
        if not created:
            _refuse_if_member(person, scope)  # outside the caller's scope: neutral, no status named
        if person.joined_on is None:
            person.joined_on = joined_on
            person.save(update_fields=["joined_on", "updated_at"])
        ms = Membership(
            person=person,
            org=org,
            org_path=org.path,
            status=MembershipStatus.ACTIVE,
            started_on=joined_on,
        )
        _insert_membership(ms)
        ms.warnings = (*identity.warnings, *region_warnings(values))
        _assign_member_no(person)
        _event(ms, EventType.JOIN, actor=actor, reason="经办人登记")
        tally = _Tally()
        tally.add(ms)
        tally.flush()
        audit_record(
            actor=actor,
            action="members.membership.register",
            org=org,
            target=ms,
            data={"name": person.name, "id_number": identity.masked, "new_person": created},
        )
    return ms


def join_apply(*, org: Org, id_number: str, id_type: str = "1", fields: dict[str, Any]) -> Membership:
    """A worker applies to join `org` from the mobile page; the union approves or rejects.

    Never refused for what the registry holds about the person (a membership
    anywhere, another pending application): see the comment below.

    An existing person's record is not changed by an anonymous form: what the
    worker typed is kept with the application and applied on approval.
    """
    identity = _identity(id_number, id_type)
    values = _clean_fields(fields, partial=False)
    _check_joined(values.get("joined_on"), identity.birth_date)
    if not values.get("mobile"):
        raise DomainError("member.mobile_required", field="mobile")
    with transaction.atomic(), unscoped():
        org = _open_org(org)
        # Whoever the ID number belongs to, the answer is the same: an application is recorded. The
        # form is public, so a refusal here would tell anyone whether that person is a member; the
        # union sees duplicates when it reviews, and approval refuses a person who is a member already.
        person, _created = _person_for(identity, values, update=False)
        ms = Membership(
            person=person,
            org=org,
            org_path=org.path,
            status=MembershipStatus.APPLIED,
            application={k: _plain(v) for k, v in values.items()},
        )
        _insert_membership(ms)
        _event(ms, EventType.APPLY, actor=None, reason="本人在线申请")
        tally = _Tally()
        tally.add(ms)
        tally.flush()
        audit_record(
            actor=None,
            action="members.join.apply",
            org=org,
            target=ms,
            data={"name": values["name"], "id_number": identity.masked},
        )
    return ms


def _refuse_if_member(person: Person, scope: Scope | None) -> None:
    """A person who already holds a live membership is not admitted again; one outside the caller's
    scope is refused without naming its union or status."""
    held = Membership.all_objects.filter(person=person, status__in=LIVE_STATUSES).only("org_path").first()
    if held is None:
        return
    if scope is None or scope.has_perm(MemberPerm.VIEW, held.org_path):
        raise DomainError("member.live_membership", status=409)
    raise DomainError("member.handled_elsewhere", status=409)


def join_approve(*, actor: User | None, scope: Scope | None, membership: Membership) -> Membership:
    _require(scope, MemberPerm.APPROVE, membership.org)
    today = timezone.localdate()
    with transaction.atomic(), unscoped():
        ms = _locked(membership)
        if ms.status != MembershipStatus.APPLIED:
            raise _refuse_status(ms, "审批入会申请")
        _open_org(ms.org)
        person = ms.person
        _refuse_if_member(person, scope)
        values = dict(ms.application)
        if values.get("joined_on"):
            values["joined_on"] = date.fromisoformat(values["joined_on"])
        values["joined_on"] = person.joined_on or values.get("joined_on") or today
        # First the person (moving the tallies of all their memberships), then this one's status.
        _update_person(person, values)
        tally = _Tally()
        tally.add(ms, -1)
        _assign_member_no(person)
        ms.status = MembershipStatus.ACTIVE
        ms.started_on = today
        try:
            with transaction.atomic():
                ms.save(update_fields=["status", "started_on", "updated_at"])
        except IntegrityError as exc:  # registered elsewhere meanwhile: the check above, lost to a race
            raise DomainError("member.handled_elsewhere", status=409) from exc
        tally.add(ms)
        tally.flush()
        _event(ms, EventType.JOIN, actor=actor, reason="入会申请审批通过")
        audit_record(actor=actor, action="members.join.approve", org=ms.org, target=ms, data={"name": person.name})
    return ms


def join_reject(*, actor: User | None, scope: Scope | None, membership: Membership, reason: str) -> Membership:
    _require(scope, MemberPerm.APPROVE, membership.org)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("member.reason_required", what="不予通过的理由")
    with transaction.atomic(), unscoped():
        ms = _locked(membership)
        if ms.status != MembershipStatus.APPLIED:
            raise _refuse_status(ms, "审批入会申请")
        tally = _Tally()
        tally.add(ms, -1)
        ms.status = MembershipStatus.REJECTED
        ms.status_reason = reason[:200]
        ms.ended_on = timezone.localdate()
        ms.save(update_fields=["status", "status_reason", "ended_on", "updated_at"])
        tally.add(ms)
        tally.flush()
        _event(ms, EventType.REJECT, actor=actor, reason=reason)
        audit_record(actor=actor, action="members.join.reject", org=ms.org, target=ms, data={"reason": reason})
    return ms


# --- transfers (组织关系接转) -------------------------------------------------------------------------


def _transfer_target(code: str) -> Org:
    # The receiving union may sit anywhere in the tree: transfers cross it.
    target = Org.all_objects.filter(code=(code or "").strip().upper()).first()
    if target is None:
        raise DomainError("member.transfer_target_unknown", code=code)
    if target.is_closed:
        raise DomainError("member.org_closed", org=target.name)
    return target


def _start_transfer(
    *,
    actor: User | None,
    ms: Membership,
    to_org: Org,
    initiated_by: str,
    reason: str,
    note: str,
    in_scope: bool = True,
) -> Transfer:
    """Open the transfer; `in_scope` False: the membership lies outside the caller's scope (a 转入 by ID number),
    so a refusal names nothing of it and the audit keeps the name masked and the releasing union out."""
    if ms.status not in (MembershipStatus.ACTIVE, MembershipStatus.RETAINED):
        raise _refuse_status(ms, "办理会籍接转")
    if to_org.pk == ms.org_id:
        raise DomainError("member.transfer_same_org")
    reason_code, reason_label = _reason("transfer_reason", reason, "接转原因")
    tally = _Tally()
    tally.add(ms, -1)
    prior = ms.status
    ms.status = MembershipStatus.TRANSFER_PENDING
    ms.save(update_fields=["status", "updated_at"])
    tally.add(ms)
    tally.flush()
    transfer = Transfer(
        membership=ms,
        person=ms.person,
        from_org=ms.org,
        from_path=ms.org_path,
        to_org=to_org,
        to_path=to_org.path,
        initiated_by=initiated_by,
        reason=reason_code,
        note=(note or "").strip()[:200],
        out_state=TransferState.APPROVED if initiated_by == "out" else TransferState.PENDING,
        in_state=TransferState.APPROVED if initiated_by == "in" else TransferState.PENDING,
        prior_status=prior,
        requested_by=actor if actor is not None and actor.pk else None,
    )
    try:
        with transaction.atomic():
            transfer.save(force_insert=True)
    except IntegrityError as exc:
        if not in_scope:
            raise DomainError("member.handled_elsewhere", status=409) from exc
        raise DomainError("member.transfer_pending", status=409) from exc
    data = {"name": ms.person.name, "from": ms.org.code, "to": to_org.code, "reason": reason_label}
    if not in_scope:
        from gonghui.core.masking import mask_name

        data = {"name": mask_name(ms.person.name), "to": to_org.code, "reason": reason_label}
    audit_record(
        actor=actor,
        action=f"members.transfer.request_{initiated_by}",
        org=ms.org if initiated_by == "out" else to_org,
        target=transfer,
        data=data,
    )
    return transfer


def transfer_out(
    *, actor: User | None, scope: Scope | None, membership: Membership, to_code: str, reason: str, note: str = ""
) -> Transfer:
    """The sending union starts a transfer to the union `to_code` (its own side approved)."""
    _require(scope, MemberPerm.TRANSFER, membership.org)
    with transaction.atomic(), unscoped():
        ms = _locked(membership)
        to_org = _transfer_target(to_code)
        return _start_transfer(actor=actor, ms=ms, to_org=to_org, initiated_by="out", reason=reason, note=note)


def transfer_in(
    *,
    actor: User | None,
    scope: Scope | None,
    to_org: Org,
    id_number: str,
    id_type: str = "1",
    reason: str,
    note: str = "",
) -> Transfer:
    """The receiving union asks for a worker's membership by ID number (its own side approved).

    The worker's membership usually lies outside the caller's scope: a refusal
    caused by it is then the neutral `member.handled_elsewhere` (no name, union
    or status), and the transfer shows the person masked until the releasing
    union agrees (`selectors.transfer_shown`).
    """
    _require(scope, MemberPerm.TRANSFER, to_org)
    identity = _identity(id_number, id_type)
    with transaction.atomic(), unscoped():
        to_org = _open_org(to_org)
        ms = (
            Membership.all_objects.select_for_update(of=("self",))
            .select_related("person", "org")
            .filter(person__id_index=identity.index, status__in=LIVE_STATUSES)
            .first()
        )
        if ms is None:  # a pending application is not a membership (LIVE_STATUSES): none to transfer
            raise DomainError("member.transfer_no_membership", status=404)
        in_scope = scope is None or scope.has_perm(MemberPerm.VIEW, ms.org_path)
        if ms.status == MembershipStatus.TRANSFER_PENDING:
            if not in_scope:
                raise DomainError("member.handled_elsewhere", status=409)
            raise DomainError("member.transfer_pending", status=409)
        return _start_transfer(
            actor=actor, ms=ms, to_org=to_org, initiated_by="in", reason=reason, note=note, in_scope=in_scope
        )


def _pending_side(transfer: Transfer, scope: Scope | None) -> str:
    """Which pending side the caller may decide: 'out' or 'in'."""
    for side, org, state in (
        ("out", transfer.from_org, transfer.out_state),
        ("in", transfer.to_org, transfer.in_state),
    ):
        if state == TransferState.PENDING and (scope is None or scope.has_perm(MemberPerm.APPROVE, org.path)):
            return side
    if scope is not None and not any(
        scope.has_perm(MemberPerm.APPROVE, o.path) for o in (transfer.from_org, transfer.to_org)
    ):
        raise PermissionDeniedError(MemberPerm.APPROVE)
    raise DomainError("member.transfer_nothing_to_decide", status=409)


def transfer_decide(
    *, actor: User | None, scope: Scope | None, transfer: Transfer, approve: bool, note: str = ""
) -> Transfer:
    """Approve or refuse the side of `transfer` the caller answers for; complete it when both agree."""
    note = (note or "").strip()
    with transaction.atomic(), unscoped():
        tr = (
            Transfer.all_objects.select_for_update(of=("self",))
            .select_related("from_org", "to_org", "person")
            .get(pk=transfer.pk)
        )
        if tr.status != TransferStatus.PENDING:
            raise DomainError("member.transfer_not_pending", status=409)
        side = _pending_side(tr, scope)
        if not approve and not note:
            raise DomainError("member.reason_required", what="不同意的理由")
        ms = _locked(tr.membership)
        setattr(tr, f"{side}_state", TransferState.APPROVED if approve else TransferState.REJECTED)
        tr.decision_note = note[:200]
        tally = _Tally()
        if not approve:
            tally.add(ms, -1)
            ms.status = tr.prior_status
            ms.save(update_fields=["status", "updated_at"])
            tally.add(ms)
            tr.status = TransferStatus.REJECTED
            tr.decided_at = timezone.now()
        elif tr.out_state == TransferState.APPROVED and tr.in_state == TransferState.APPROVED:
            _complete_transfer(tr, ms, actor, tally)
        tr.save()
        tally.flush()
        audit_record(
            actor=actor,
            action="members.transfer.approve" if approve else "members.transfer.reject",
            org=tr.from_org if side == "out" else tr.to_org,
            target=tr,
            data={"side": side, "note": note, "completed": tr.status == TransferStatus.COMPLETED},
        )
    return tr


def _complete_transfer(tr: Transfer, ms: Membership, actor: User | None, tally: _Tally) -> None:
    today = timezone.localdate()
    to_org = _open_org(tr.to_org)
    tally.add(ms, -1)
    # A retained membership arrives retained for the reason it was kept (失业…), read before
    # the old one's reason becomes the transfer's.
    kept_for = ms.status_reason if tr.prior_status == MembershipStatus.RETAINED else ""
    ms.status = MembershipStatus.TRANSFERRED
    ms.ended_on = today
    ms.status_reason = f"转至{to_org.name}"[:200]
    ms.save(update_fields=["status", "ended_on", "status_reason", "updated_at"])
    tally.add(ms)
    new = Membership(
        person=ms.person,
        org=to_org,
        org_path=to_org.path,
        status=tr.prior_status,
        status_reason=kept_for,
        started_on=today,
    )
    _insert_membership(new)
    tally.add(new)
    from gonghui.members.validation import code_label

    reason = code_label("transfer_reason", tr.reason)
    _event(ms, EventType.TRANSFER_OUT, actor=actor, reason=reason, other_org=to_org)
    _event(new, EventType.TRANSFER_IN, actor=actor, reason=reason, other_org=tr.from_org)
    tr.status = TransferStatus.COMPLETED
    tr.new_membership = new
    tr.decided_at = timezone.now()


def transfer_cancel(*, actor: User | None, scope: Scope | None, transfer: Transfer) -> Transfer:
    """The side that started a pending transfer withdraws it."""
    with transaction.atomic(), unscoped():
        tr = (
            Transfer.all_objects.select_for_update(of=("self",))
            .select_related("from_org", "to_org")
            .get(pk=transfer.pk)
        )
        own = tr.from_org if tr.initiated_by == "out" else tr.to_org
        _require(scope, MemberPerm.TRANSFER, own)
        if tr.status != TransferStatus.PENDING:
            raise DomainError("member.transfer_not_pending", status=409)
        ms = _locked(tr.membership)
        tally = _Tally()
        tally.add(ms, -1)
        ms.status = tr.prior_status
        ms.save(update_fields=["status", "updated_at"])
        tally.add(ms)
        tally.flush()
        tr.status = TransferStatus.CANCELLED
        tr.decided_at = timezone.now()
        tr.save(update_fields=["status", "decided_at"])
        audit_record(actor=actor, action="members.transfer.cancel", org=own, target=tr, data={})
    return tr


# --- status changes ------------------------------------------------------------------------------


def _change_status(
    ms: Membership,
    *,
    to: str,
    actor: User | None,
    event: str,
    reason: str,
    ended: bool,
    tally: _Tally,
) -> None:
    tally.add(ms, -1)
    ms.status = to
    ms.status_reason = reason[:200]
    ms.ended_on = timezone.localdate() if ended else None
    _check_status_reason(ms)
    ms.save(update_fields=["status", "status_reason", "ended_on", "updated_at"])
    tally.add(ms)
    _event(ms, event, actor=actor, reason=reason)


def membership_retain(
    *, actor: User | None, scope: Scope | None, membership: Membership, reason: str, note: str = ""
) -> Membership:
    """保留会籍 (DOMAIN §1.2). When the employer closed, the membership moves to the higher union."""
    _require(scope, MemberPerm.CHANGE, membership.org)
    code, label = _reason("retain_reason", reason, "保留会籍原因")
    text = f"{label}；{note.strip()}" if note and note.strip() else label
    with transaction.atomic(), unscoped():
        ms = _locked(membership)
        if ms.status != MembershipStatus.ACTIVE:
            raise _refuse_status(ms, "保留会籍")
        tally = _Tally()
        result = ms
        if code == "employer_closed":
            parent = ms.org.parent
            if parent is None:
                raise DomainError("member.no_parent", org=ms.org.name)
            parent = _open_org(parent)
            _change_status(
                ms,
                to=MembershipStatus.TRANSFERRED,
                actor=actor,
                event=EventType.TRANSFER_OUT,
                reason=f"{label}，会籍转至{parent.name}保留",
                ended=True,
                tally=tally,
            )
            result = Membership(
                person=ms.person,
                org=parent,
                org_path=parent.path,
                status=MembershipStatus.RETAINED,
                status_reason=text[:200],
                started_on=timezone.localdate(),
            )
            _insert_membership(result)
            tally.add(result)
            _event(result, EventType.RETAIN, actor=actor, reason=text, other_org=ms.org)
        else:
            _change_status(
                ms,
                to=MembershipStatus.RETAINED,
                actor=actor,
                event=EventType.RETAIN,
                reason=text,
                ended=False,
                tally=tally,
            )
        tally.flush()
        audit_record(
            actor=actor,
            action="members.membership.retain",
            org=ms.org,
            target=ms,
            data={"reason": text, "kept_at": result.org.code},
        )
    return result


def _simple_transition(
    *,
    actor: User | None,
    scope: Scope | None,
    membership: Membership,
    allowed: tuple[str, ...],
    refusal: str,
    to: str,
    event: str,
    reason: str,
    ended: bool,
    action: str,
    data: dict[str, Any],
) -> Membership:
    """Lock, check the state, move the status (event, tallies), audit: one transaction."""
    _require(scope, MemberPerm.CHANGE, membership.org)
    with transaction.atomic(), unscoped():
        ms = _locked(membership)
        if ms.status not in allowed:
            raise _refuse_status(ms, refusal)
        tally = _Tally()
        _change_status(ms, to=to, actor=actor, event=event, reason=reason, ended=ended, tally=tally)
        tally.flush()
        audit_record(actor=actor, action=action, org=ms.org, target=ms, data=data)
    return ms


def membership_resume(*, actor: User | None, scope: Scope | None, membership: Membership, note: str = "") -> Membership:
    """A retained member works again (保留 → 正常)."""
    return _simple_transition(
        actor=actor,
        scope=scope,
        membership=membership,
        allowed=(MembershipStatus.RETAINED,),
        refusal="恢复正常会籍",
        to=MembershipStatus.ACTIVE,
        event=EventType.RESUME,
        reason=(note or "").strip(),
        ended=False,
        action="members.membership.resume",
        data={"note": note},
    )


def membership_withdraw(
    *, actor: User | None, scope: Scope | None, membership: Membership, reason: str, note: str = ""
) -> Membership:
    """退会: on request, after six months lapsed (章程), or on death."""
    _require(scope, MemberPerm.CHANGE, membership.org)
    _code, label = _reason("withdraw_reason", reason, "退会原因")
    text = f"{label}；{note.strip()}" if note and note.strip() else label
    return _simple_transition(
        actor=actor,
        scope=scope,
        membership=membership,
        allowed=(MembershipStatus.ACTIVE, MembershipStatus.RETAINED),
        refusal="办理退会",
        to=MembershipStatus.WITHDRAWN,
        event=EventType.WITHDRAW,
        reason=text,
        ended=True,
        action="members.membership.withdraw",
        data={"reason": text},
    )


def membership_expel(*, actor: User | None, scope: Scope | None, membership: Membership, note: str) -> Membership:
    _require(scope, MemberPerm.CHANGE, membership.org)
    note = (note or "").strip()
    if not note:
        raise DomainError("member.reason_required", what="除名理由")
    return _simple_transition(
        actor=actor,
        scope=scope,
        membership=membership,
        allowed=(MembershipStatus.ACTIVE, MembershipStatus.RETAINED),
        refusal="除名",
        to=MembershipStatus.EXPELLED,
        event=EventType.EXPEL,
        reason=note,
        ended=True,
        action="members.membership.expel",
        data={"reason": note},
    )


def membership_reinstate(*, actor: User | None, scope: Scope | None, membership: Membership, note: str) -> Membership:
    """恢复会籍 after a withdrawal or expulsion, at the same union."""
    _require(scope, MemberPerm.CHANGE, membership.org)
    note = (note or "").strip()
    if not note:
        raise DomainError("member.reason_required", what="恢复会籍的理由")
    with transaction.atomic(), unscoped():
        ms = _locked(membership)
        if ms.status not in (MembershipStatus.WITHDRAWN, MembershipStatus.EXPELLED):
            raise _refuse_status(ms, "恢复会籍")
        _open_org(ms.org)
        if _has_live(ms.person):
            raise DomainError("member.reinstate_conflict", status=409)
        tally = _Tally()
        try:
            with transaction.atomic():
                _change_status(
                    ms,
                    to=MembershipStatus.ACTIVE,
                    actor=actor,
                    event=EventType.REINSTATE,
                    reason=note,
                    ended=False,
                    tally=tally,
                )
        except IntegrityError as exc:
            raise DomainError("member.reinstate_conflict", status=409) from exc
        tally.flush()
        audit_record(actor=actor, action="members.membership.reinstate", org=ms.org, target=ms, data={"reason": note})
    return ms


# --- person ---------------------------------------------------------------------------------------


def person_update(
    *, actor: User | None, scope: Scope | None, membership: Membership, changes: dict[str, Any]
) -> Person:
    """Correct a member's details through their live membership; audited with the changes."""
    _require(scope, MemberPerm.PERSON_CHANGE, membership.org)
    values = _clean_fields(changes, partial=True)
    with transaction.atomic(), unscoped():
        ms = _locked(membership)
        if ms.status not in LIVE_STATUSES:
            raise _refuse_status(ms, "修改会员信息")
        person = Person.objects.select_for_update().get(pk=ms.person_id)
        if "joined_on" in values:
            if values["joined_on"] is None:
                raise DomainError(
                    "member.fields_invalid", details={"joined_on": "不能为空"}, reasons="入会日期：不能为空"
                )
            _check_joined(values["joined_on"], person.birth_date)
        diff = _update_person(person, values)
        if diff:
            audit_record(actor=actor, action="members.person.update", org=ms.org, target=person, data={"changes": diff})
    return person


def person_reveal_id(
    *, actor: User | None, scope: Scope | None, membership: Membership, ip_address: str | None = None
) -> str:
    """The full ID number, for a holder of `members.person.view_id`; every reveal is audited."""
    _require(scope, MemberPerm.VIEW_ID, membership.org)
    with transaction.atomic(), unscoped():
        person = Person.objects.get(pk=membership.person_id)
        value = crypto.decrypt(bytes(person.id_cipher), purpose=ID_PURPOSE)
        audit_record(
            actor=actor,
            action="members.person.view_id",
            org=membership.org,
            target=person,
            data={"id_number": person.id_masked},
            ip_address=ip_address,
        )
    return value


def guard_org_close(org: Org) -> None:
    """An org with live memberships cannot close: its members would be stranded."""
    live = Membership.all_objects.filter(org=org, status__in=(*LIVE_STATUSES, MembershipStatus.APPLIED)).count()
    if live:
        raise DomainError("member.org_has_members", status=409, org=org.name, count=live)


# --- tallies --------------------------------------------------------------------------------------


def _counted_rows(rows: Any) -> Counter[TallyKey]:
    from django.db.models import Count, Q

    grouped = rows.values("org_id", "org_path", "status", "person__is_migrant_worker").annotate(
        n=Count("pk"), ne=Count("pk", filter=~Q(person__new_employment_type=""))
    )
    counts: Counter[TallyKey] = Counter()
    for row in grouped:
        key = (row["org_id"], row["org_path"], row["status"], True, row["person__is_migrant_worker"])
        counts[key] += row["ne"]
        counts[(*key[:3], False, key[4])] += row["n"] - row["ne"]
    return counts


def tally_check() -> list[dict[str, Any]]:
    """Where the tallies disagree with a count of the membership rows (empty when all agree)."""
    with unscoped():
        counted = _counted_rows(Membership.all_objects.all())
        kept: Counter[TallyKey] = Counter()
        for t in MemberTally.objects.all():
            kept[(t.org_id, t.org_path, t.status, t.new_employment, t.migrant)] += t.n
        codes = dict(Org.all_objects.values_list("pk", "code"))
    return [
        {
            "org": codes.get(key[0], key[0]),
            "status": key[2],
            "new_employment": key[3],
            "migrant": key[4],
            "tally": kept[key],
            "rows": counted[key],
        }
        for key in sorted(set(counted) | set(kept))
        if kept[key] != counted[key]
    ]


def tally_rebuild(org_ids: Iterable[int] | None = None) -> int:
    """Recompute the tallies from the memberships (all, or of some orgs); returns rows written."""
    with transaction.atomic(), unscoped():
        rows = Membership.all_objects.all()
        stale = MemberTally.objects.all()
        if org_ids is not None:
            ids = list(org_ids)
            rows = rows.filter(org_id__in=ids)
            stale = stale.filter(org_id__in=ids)
        stale.delete()
        deltas = _counted_rows(rows)
        tally_apply(deltas)
    return sum(1 for n in deltas.values() if n)


# --- one entry for the status transitions (the API and the pages name them alike) ---------------

TRANSITION_ACTIONS = ("approve", "reject", "retain", "resume", "withdraw", "expel", "reinstate")


def membership_transition(
    *, actor: User | None, scope: Scope | None, membership: Membership, action: str, reason: str = "", note: str = ""
) -> Membership:
    """Run the status transition `action`; the result may be a new membership (retained at the higher union)."""
    if action == "approve":
        return join_approve(actor=actor, scope=scope, membership=membership)
    if action == "reject":
        return join_reject(actor=actor, scope=scope, membership=membership, reason=reason or note)
    if action == "retain":
        return membership_retain(actor=actor, scope=scope, membership=membership, reason=reason, note=note)
    if action == "resume":
        return membership_resume(actor=actor, scope=scope, membership=membership, note=note)
    if action == "withdraw":
        return membership_withdraw(actor=actor, scope=scope, membership=membership, reason=reason, note=note)
    if action == "expel":
        return membership_expel(actor=actor, scope=scope, membership=membership, note=note or reason)
    if action == "reinstate":
        return membership_reinstate(actor=actor, scope=scope, membership=membership, note=note or reason)
    raise ValueError(f"unknown transition {action!r}")
