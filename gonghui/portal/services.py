"""Writes for the member portal: a member's own account (实名激活), made without any officer.

Activation proves who the member is by what the registry holds: the ID number
(found through its blind index, never stored or logged here), the name and the
mobile on record, and a membership in good standing. Every mismatch, and an
account already made for that person or mobile, is the same refusal, so the
form cannot be used to learn which of the three was wrong, nor that all three
were right.
"""

from __future__ import annotations

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from gonghui.accounts.models import User
from gonghui.core.audit import audit_record
from gonghui.core.errors import DomainError, joined
from gonghui.core.scoping import unscoped
from gonghui.members.models import MEMBER_STATUSES, Membership, Person
from gonghui.members.validation import FieldError, clean_mobile, clean_name, parse_identity
from gonghui.portal import errors as _errors  # noqa: F401  (registers messages)
from gonghui.portal.models import MemberAccount


def _check_password(password: str, user: User) -> None:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise DomainError("portal.password_rejected", field="password", why="；".join(exc.messages)) from exc


def _create(*, person: Person, username: str, password: str) -> tuple[User, MemberAccount]:
    """The user and its account row; a clash on either becomes a refusal (inside the caller's transaction)."""
    if MemberAccount.objects.filter(person=person).exists():
        raise DomainError("portal.already_activated", status=409)
    if User.objects.filter(username=username).exists():
        raise DomainError("portal.username_taken", status=409)
    user = User(username=username, display_name=person.name)
    user.set_password(password)
    try:
        with transaction.atomic():
            user.save(force_insert=True)
            account = MemberAccount.objects.create(user=user, person=person, activated_at=timezone.now())
    except IntegrityError as exc:  # a concurrent activation of the same person or mobile won
        raise DomainError("portal.already_activated", status=409) from exc
    return user, account


def member_account_activate(*, name: str, id_number: str, mobile: str, password: str) -> MemberAccount:
    """实名激活: a member in good standing opens their account with name, ID number and mobile on record.

    The username is the mobile number. A malformed value is a field error; a
    well-formed one that does not match the registry is one refusal for all.
    """
    errors: dict[str, str] = {}
    try:
        name = clean_name(name)
    except FieldError as exc:
        errors["name"] = str(exc)
    try:
        identity = parse_identity(id_number)
    except FieldError as exc:
        errors["id_number"] = str(exc)
    try:
        mobile = clean_mobile(mobile)
        if not mobile:
            errors["mobile"] = "请填写手机号码"
    except FieldError as exc:
        errors["mobile"] = str(exc)
    if errors:
        raise DomainError("portal.activation_fields_invalid", details=errors, reasons=joined(errors))
    # Checked before the registry is read, so a weak password says nothing about the record.
    _check_password(password, User(username=mobile, display_name=name))
    with transaction.atomic(), unscoped():
        person = Person.objects.select_for_update().filter(id_index=identity.index).first()
        membership = (
            Membership.all_objects.select_related("org").filter(person=person, status__in=MEMBER_STATUSES).first()
            if person is not None
            else None
        )
        if person is None or membership is None or person.name != name or person.mobile != mobile:
            raise DomainError("portal.activation_refused")
        try:
            user, account = _create(person=person, username=mobile, password=password)
        except DomainError as exc:
            # Already activated, or the mobile taken: told apart, these would confirm to anyone that
            # the name, ID number and mobile typed belong together. The member signs in, or asks.
            raise DomainError("portal.activation_refused") from exc
        audit_record(
            actor=user,
            action="portal.member_account.activate",
            org=membership.org,
            target=account,
            data={"name": person.name, "mobile": mobile},
        )
    return account


def member_account_create(*, actor: User | None, person: Person, username: str, password: str) -> MemberAccount:
    """An account for a person made by the console, the demo or a test (no 实名 check: the caller vouches)."""
    username = username.strip()
    if not username:
        raise DomainError("portal.username_required", field="username")
    _check_password(password, User(username=username, display_name=person.name))
    with transaction.atomic(), unscoped():
        person = Person.objects.select_for_update().get(pk=person.pk)
        membership = Membership.all_objects.select_related("org").filter(person=person).order_by("-pk").first()
        _user, account = _create(person=person, username=username, password=password)
        audit_record(
            actor=actor,
            action="portal.member_account.create",
            org=membership.org if membership is not None else None,
            target=account,
            data={"name": person.name},
        )
    return account
