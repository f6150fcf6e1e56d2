"""Writes on partner merchants (合作商户), their stores and their cashier accounts.

A merchant is signed by a union (`org`); managing it, its stores and its
cashiers needs `benefits.campaign.manage` on that union. Each service checks
the permission, validates, writes in one transaction and records an audit
event. Refusals of a field name it: `DomainError(code, field=field, ...)`.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from gonghui.accounts.models import User
from gonghui.benefits import errors as _errors  # noqa: F401  (registers messages)
from gonghui.benefits.models import Merchant, MerchantCategory, MerchantOperator, Store
from gonghui.benefits.permissions import BenefitPerm
from gonghui.core import validators
from gonghui.core.audit import audit_record, changed_fields
from gonghui.core.errors import DomainError, NotFoundError
from gonghui.core.scoping import Scope, require_perm_at, unscoped
from gonghui.core.validators import InvalidIdentifier
from gonghui.orgs.models import Org

MERCHANT_FIELDS = ("name", "uscc", "category", "region_code", "address")
STORE_FIELDS = ("name", "address", "region_code", "is_active")


# --- field rules ---------------------------------------------------------------------------------


def clean_uscc(value: str) -> str:
    """A 统一社会信用代码 (GB 32100, check character verified), or "" when not given."""
    try:
        return validators.clean_uscc(value)
    except InvalidIdentifier as exc:
        raise DomainError("benefit.uscc_invalid", field="uscc", value=value, why=str(exc)) from exc


def clean_region_code(value: str) -> str:
    """Six digits, or "" (`core.validators.clean_region_code`); a code missing from GB/T 2260 is kept."""
    try:
        return validators.clean_region_code(value)
    except InvalidIdentifier as exc:
        raise DomainError("benefit.region_invalid", field="region_code", code=value) from exc


def clean_category(value: str) -> str:
    value = (value or "").strip()
    if value in MerchantCategory.values:
        return value
    by_label = {str(label): v for v, label in MerchantCategory.choices}
    if value in by_label:
        return by_label[value]
    choices = "、".join(f"{v}（{label}）" for v, label in MerchantCategory.choices)
    raise DomainError("benefit.category_unknown", field="category", value=value, choices=choices)


def _label(model: type[Any], field: str) -> str:
    return str(model._meta.get_field(field).verbose_name)


def _text(model: type[Any], field: str, value: Any, *, required: bool = False) -> str:
    text = value.strip() if isinstance(value, str) else str(value)
    limit = model._meta.get_field(field).max_length
    if required and not text:
        raise DomainError("benefit.field_required", field=field, label=_label(model, field))
    if limit is not None and len(text) > limit:
        # Else PostgreSQL refuses the row with a DataError (a 500); SQLite would store it.
        raise DomainError("benefit.too_long", field=field, label=_label(model, field), limit=limit)
    return text


def _clean_merchant(values: dict[str, Any]) -> dict[str, Any]:
    unknown = set(values) - set(MERCHANT_FIELDS)
    if unknown:
        raise DomainError("benefit.field_not_editable", field=sorted(unknown))
    cleaners = {"uscc": clean_uscc, "region_code": clean_region_code, "category": clean_category}
    out: dict[str, Any] = {}
    for key, value in values.items():
        if value is None:
            raise DomainError("benefit.field_null", field=key, label=_label(Merchant, key))
        out[key] = cleaners[key](value) if key in cleaners else _text(Merchant, key, value, required=key == "name")
    return out


def _clean_store(values: dict[str, Any]) -> dict[str, Any]:
    unknown = set(values) - set(STORE_FIELDS)
    if unknown:
        raise DomainError("benefit.field_not_editable", field=sorted(unknown))
    out: dict[str, Any] = {}
    for key, value in values.items():
        if value is None:
            raise DomainError("benefit.field_null", field=key, label=_label(Store, key))
        if key == "is_active":
            out[key] = bool(value)
        elif key == "region_code":
            out[key] = clean_region_code(value)
        else:
            out[key] = _text(Store, key, value, required=key == "name")
    return out


def _check_uscc_free(uscc: str, *, scope: Scope | None, exclude_pk: int | None = None) -> None:
    if not uscc:
        return
    others = Merchant.all_objects.filter(uscc=uscc)
    clash = (others.exclude(pk=exclude_pk) if exclude_pk is not None else others).first()
    if clash is not None:
        raise _uscc_taken(uscc, clash, scope)


def _uscc_taken(uscc: str, clash: Merchant | None, scope: Scope | None) -> DomainError:
    # Another union's merchant is not named to someone who cannot see it.
    seen = clash is not None and (scope is None or scope.has_perm(BenefitPerm.VIEW, clash.org_path))
    holder = f"合作商户“{clash.name}”" if seen and clash is not None else "其他合作商户"
    return DomainError(
        "benefit.uscc_taken",
        status=409,
        uscc=uscc,
        holder=holder,
        details={"uscc": "该统一社会信用代码已被其他商户使用"},
    )


def _merchant_data(merchant: Merchant) -> dict[str, Any]:
    return {k: getattr(merchant, k) for k in MERCHANT_FIELDS}


# --- merchants ------------------------------------------------------------------------------------


def merchant_create(
    *,
    actor: User | None,
    scope: Scope | None,
    org: Org,
    name: str,
    category: str,
    uscc: str = "",
    region_code: str = "",
    address: str = "",
) -> Merchant:
    """Sign up a merchant for the union `org` (USCC checked and unique); audited."""
    require_perm_at(scope, BenefitPerm.MANAGE, org.path)
    values = _clean_merchant(
        {"name": name, "category": category, "uscc": uscc, "region_code": region_code, "address": address}
    )
    if org.closed_on is not None:
        raise DomainError("benefit.org_closed", org=org.name)
    try:
        with transaction.atomic(), unscoped():
            _check_uscc_free(values["uscc"], scope=scope)
            merchant = Merchant.all_objects.create(org=org, org_path=org.path, **values)
            audit_record(
                actor=actor, action="benefits.merchant.create", org=org, target=merchant, data=_merchant_data(merchant)
            )
    except IntegrityError as exc:  # a concurrent sign-up with the same USCC won
        raise _uscc_taken(values["uscc"], None, scope) from exc
    return merchant


def merchant_update(
    *, actor: User | None, scope: Scope | None, merchant: Merchant, changes: dict[str, Any]
) -> Merchant:
    """Change a merchant's name, USCC, category, region or address; audited when anything changed."""
    require_perm_at(scope, BenefitPerm.MANAGE, merchant.org_path)
    values = _clean_merchant(changes)
    try:
        with transaction.atomic(), unscoped():
            merchant = Merchant.all_objects.select_for_update(of=("self",)).select_related("org").get(pk=merchant.pk)
            if "uscc" in values:
                _check_uscc_free(values["uscc"], scope=scope, exclude_pk=merchant.pk)
            before = _merchant_data(merchant)
            for key, value in values.items():
                setattr(merchant, key, value)
            diff = changed_fields(before, _merchant_data(merchant))
            if diff:
                merchant.save(update_fields=list(diff))
                audit_record(
                    actor=actor,
                    action="benefits.merchant.update",
                    org=merchant.org,
                    target=merchant,
                    data={"changes": diff},
                )
    except IntegrityError as exc:
        raise _uscc_taken(values.get("uscc", ""), None, scope) from exc
    return merchant


def merchant_deactivate(*, actor: User | None, scope: Scope | None, merchant: Merchant, reason: str = "") -> Merchant:
    """End the partnership: the till refuses the merchant's sales from now on; audited."""
    require_perm_at(scope, BenefitPerm.MANAGE, merchant.org_path)
    with transaction.atomic(), unscoped():
        merchant = Merchant.all_objects.select_for_update(of=("self",)).select_related("org").get(pk=merchant.pk)
        if not merchant.is_active:
            raise DomainError("benefit.merchant_already_inactive", status=409, merchant=merchant.name)
        merchant.is_active = False
        merchant.save(update_fields=["is_active"])
        audit_record(
            actor=actor,
            action="benefits.merchant.deactivate",
            org=merchant.org,
            target=merchant,
            data={"reason": reason.strip()[:200]},
        )
    return merchant


# --- stores --------------------------------------------------------------------------------------


def store_create(
    *, actor: User | None, scope: Scope | None, merchant: Merchant, name: str, address: str = "", region_code: str = ""
) -> Store:
    """Add a store to a merchant; audited."""
    require_perm_at(scope, BenefitPerm.MANAGE, merchant.org_path)
    values = _clean_store({"name": name, "address": address, "region_code": region_code})
    with transaction.atomic(), unscoped():
        merchant = Merchant.all_objects.select_for_update(of=("self",)).select_related("org").get(pk=merchant.pk)
        if not merchant.is_active:
            raise DomainError("benefit.merchant_inactive", status=409, merchant=merchant.name)
        store = Store.objects.create(merchant=merchant, **values)
        audit_record(
            actor=actor,
            action="benefits.store.create",
            org=merchant.org,
            target=store,
            data={"merchant": merchant.name, **values},
        )
    return store


def store_update(*, actor: User | None, scope: Scope | None, store: Store, changes: dict[str, Any]) -> Store:
    """Change a store's name, address or region, or close (`is_active` false) or reopen it; audited."""
    require_perm_at(scope, BenefitPerm.MANAGE, store.merchant.org_path)
    values = _clean_store(changes)
    with transaction.atomic(), unscoped():
        store = Store.objects.select_for_update(of=("self",)).select_related("merchant__org").get(pk=store.pk)
        before = {k: getattr(store, k) for k in values}
        for key, value in values.items():
            setattr(store, key, value)
        diff = changed_fields(before, {k: getattr(store, k) for k in values})
        if diff:
            store.save(update_fields=list(diff))
            audit_record(
                actor=actor,
                action="benefits.store.update",
                org=store.merchant.org,
                target=store,
                data={"merchant": store.merchant.name, "changes": diff},
            )
    return store


# --- cashier accounts ----------------------------------------------------------------------------


# A cashier account is made for its merchant, by the binding itself: never an existing account (a
# member's phone login, another union's staff), so binding reveals nothing about who has an account
# or what their name is, and the till never opens to a member or an officer. Its username is made
# here, never typed, so no refusal can tell whether a username exists.
USERNAME_PATTERN = "cashier{merchant}-{n}"


def _cashier_username(merchant: Merchant) -> str:
    taken = set(
        User.objects.filter(username__startswith=USERNAME_PATTERN.format(merchant=merchant.pk, n="")).values_list(
            "username", flat=True
        )
    )
    n = 1
    while USERNAME_PATTERN.format(merchant=merchant.pk, n=n) in taken:
        n += 1
    return USERNAME_PATTERN.format(merchant=merchant.pk, n=n)


def _check_cashier_password(password: str, user: User) -> None:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise DomainError("benefit.password_rejected", field="password", why="；".join(exc.messages)) from exc


def operator_create(
    *,
    actor: User | None,
    scope: Scope | None,
    merchant: Merchant,
    display_name: str,
    password: str,
    store: Store | None = None,
) -> MerchantOperator:
    """Make a new cashier account for the merchant's till (at `store` only, when given), named
    `display_name` (a till or a post, e.g. 碧江店1号收银台), with `password`; its username is made
    here (`cashier<merchant>-<n>`) and returned on the binding. Audited."""
    require_perm_at(scope, BenefitPerm.MANAGE, merchant.org_path)
    if store is not None and store.merchant_id != merchant.pk:
        raise NotFoundError()
    display_name = (display_name or "").strip()
    if not display_name:
        raise DomainError("benefit.field_required", field="display_name", label="收银员名称")
    limit = User._meta.get_field("display_name").max_length or 100
    if len(display_name) > limit:
        raise DomainError("benefit.too_long", field="display_name", label="收银员名称", limit=limit)
    with transaction.atomic(), unscoped():
        merchant = Merchant.all_objects.select_for_update(of=("self",)).select_related("org").get(pk=merchant.pk)
        if not merchant.is_active:
            raise DomainError("benefit.merchant_inactive", status=409, merchant=merchant.name)
        if store is not None and not store.is_active:
            raise DomainError("benefit.store_inactive", status=409, store=store.name)
        user = User(username=_cashier_username(merchant), display_name=display_name)
        _check_cashier_password(password, user)
        user.set_password(password)
        user.save(force_insert=True)
        link = MerchantOperator.objects.create(merchant=merchant, user=user, store=store)
        audit_record(
            actor=actor,
            action="benefits.operator.bind",
            org=merchant.org,
            target=link,
            data={
                "merchant": merchant.name,
                "user": user.get_username(),
                "display_name": display_name,
                "store": store.name if store else None,
            },
        )
    return link


def operator_move(
    *, actor: User | None, scope: Scope | None, operator: MerchantOperator, store: Store | None
) -> MerchantOperator:
    """The cashier account works `store` only from now on (None: any of the merchant's stores). Audited."""
    merchant = operator.merchant
    require_perm_at(scope, BenefitPerm.MANAGE, merchant.org_path)
    if store is not None and store.merchant_id != merchant.pk:
        raise NotFoundError()
    with transaction.atomic(), unscoped():
        link = MerchantOperator.objects.select_for_update(of=("self",)).select_related("user", "store")
        found = link.filter(pk=operator.pk).first()
        if found is None:
            raise NotFoundError()
        if found.store_id == (store.pk if store else None):
            return found
        if store is not None and not store.is_active:
            raise DomainError("benefit.store_inactive", status=409, store=store.name)
        before = found.store.name if found.store else None
        found.store = store
        found.save(update_fields=["store"])
        audit_record(
            actor=actor,
            action="benefits.operator.move",
            org=merchant.org,
            target=found,
            data={
                "merchant": merchant.name,
                "user": found.user.get_username(),
                "store": store.name if store else None,
                "from_store": before,
            },
        )
    return found


def operator_unbind(*, actor: User | None, scope: Scope | None, operator: MerchantOperator) -> None:
    """The account no longer works the merchant's till; its past sales stay as they are. Audited."""
    merchant = operator.merchant
    require_perm_at(scope, BenefitPerm.MANAGE, merchant.org_path)
    with transaction.atomic(), unscoped():
        locked = MerchantOperator.objects.select_for_update(of=("self",)).select_related("user", "store")
        found = locked.filter(pk=operator.pk).first()
        if found is None:
            raise NotFoundError()
        data = {
            "merchant": merchant.name,
            "user": found.user.get_username(),
            "store": found.store.name if found.store else None,
        }
        user = found.user
        found.delete()
        # The account was made for this till: unbound, it has nothing left to do, so it stops
        # signing in (and its tokens stop working). An account bound before cashier accounts were
        # made by binding, or still bound elsewhere, is left as it is.
        made_here = user.username.startswith(USERNAME_PATTERN.format(merchant=merchant.pk, n=""))
        if made_here and not user.grants.exists() and not MerchantOperator.objects.filter(user=user).exists():
            user.is_active = False
            user.save(update_fields=["is_active"])
        audit_record(
            actor=actor,
            action="benefits.operator.unbind",
            org=merchant.org,
            target=merchant,
            data=data,
        )
