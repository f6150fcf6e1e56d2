"""Writes on the org tree: create, update, move, close, and the tree check.

Structural writes are serialized: on PostgreSQL by a transaction-scoped advisory
lock (as Saleor does for its trees), on SQLite by its single writer (the
connection opens transactions IMMEDIATE).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from django.core.exceptions import FieldDoesNotExist
from django.db import connection, transaction
from django.db.models import CharField, F, Value
from django.db.models.functions import Concat, Substr

if TYPE_CHECKING:
    from gonghui.accounts.models import User
from gonghui.core.audit import audit_record, changed_fields
from gonghui.core.errors import DomainError, joined
from gonghui.core.paths import rewrite_path_columns
from gonghui.core.pinyin import pinyin_keys
from gonghui.core.scoping import Scope, require_perm_at, subtree_q, unscoped
from gonghui.orgs import validation as v
from gonghui.orgs.models import INDUSTRY_ROLLUP_KINDS, Org
from gonghui.orgs.permissions import OrgPerm

TREE_LOCK_KEY = 0x6F726773  # "orgs"

# Checks other domains register (members: no live memberships may be left behind).
# Each takes the org being closed and raises a DomainError to refuse.
CLOSE_GUARDS: list[Callable[[Org], None]] = []

UPDATABLE_FIELDS = (
    "name",
    "short_name",
    "kind",
    "form",
    "region_code",
    "uscc",
    "is_new_employment",
    "is_industry_chain",
    "join_published",
    "founded_on",
    "chair",
    "contact_phone",
    "employee_count",
    "unit_name",
    "address",
    "industry_federation",
    "accepts_affiliates",
)


def _lock_tree() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [TREE_LOCK_KEY])


def _require(scope: Scope | None, perm: str, org: Org) -> None:
    require_perm_at(scope, perm, org.path)


def _clean(values: dict[str, Any]) -> dict[str, Any]:
    cleaners: dict[str, Callable[[Any], Any]] = {
        "kind": v.clean_kind,
        "form": v.clean_form,
        "region_code": v.clean_region_code,
        "uscc": v.clean_uscc,
        "founded_on": v.clean_founded_on,
        "employee_count": v.clean_employee_count,
    }
    out = {}
    for key, value in values.items():
        if key in cleaners:
            value = cleaners[key](value)
        elif isinstance(value, str):
            value = value.strip()
            limit = _max_length(key)
            if limit is not None and len(value) > limit:
                # Else PostgreSQL refuses the row with a DataError (a 500); SQLite would store it.
                raise DomainError("org.too_long", field=key, limit=limit)
        out[key] = value
    return out


def _max_length(name: str) -> int | None:
    try:
        return getattr(Org._meta.get_field(name), "max_length", None)
    except FieldDoesNotExist:
        return None


def _visible(scope: Scope | None, org: Org) -> bool:
    return scope is None or scope.has_perm(OrgPerm.VIEW, org.path)


def _resolve_industry_federation(code: str | None, scope: Scope | None = None) -> Org | None:
    if not code:
        return None
    target = Org.all_objects.filter(code=code).first()
    # Roll-ups cross the tree, but only into a federation that accepts affiliates from
    # elsewhere; any other org out of scope answers as if it did not exist, so the
    # answer never tells a caller what lies outside its part of the tree.
    open_to_all = target is not None and target.kind in INDUSTRY_ROLLUP_KINDS and target.accepts_affiliates
    if target is None or not (open_to_all or _visible(scope, target)):
        raise DomainError("org.parent_not_found", code=code)
    if target.kind not in INDUSTRY_ROLLUP_KINDS:
        raise DomainError("org.industry_federation_kind", org=target.name)
    return target


def _check_uscc_free(uscc: str, exclude_pk: int | None = None, scope: Scope | None = None) -> None:
    if not uscc:
        return
    others = Org.all_objects.filter(uscc=uscc)
    if exclude_pk is not None:
        others = others.exclude(pk=exclude_pk)
    clash = others.first()
    if clash is not None:
        holder = f"“{clash.name}”" if _visible(scope, clash) else "其他工会"
        raise DomainError("org.uscc_invalid", value=uscc, reason=f"已由{holder}使用")


def org_create(
    *,
    actor: User | None,
    scope: Scope | None,
    code: str,
    name: str,
    kind: str,
    parent: Org | None,
    industry_federation_code: str | None = None,
    **fields: Any,
) -> Org:
    """Create an org under `parent` (a root only from the console); audited."""
    code = v.clean_code(code)
    values = _clean({"name": name, "kind": kind, **fields})
    if not values["name"]:
        raise DomainError("org.name_required", field="name")
    if parent is None:
        if scope is not None and not scope.is_superuser:
            raise DomainError("org.parent_required")
    else:
        _require(scope, OrgPerm.CREATE, parent)
    with transaction.atomic(), unscoped():
        _lock_tree()
        if parent is not None:
            parent = Org.all_objects.select_for_update().get(pk=parent.pk)
            if parent.is_closed:
                raise DomainError("org.parent_closed", parent=parent.name)
        v.check_kind_under(parent.kind if parent else None, values["kind"], parent=parent.name if parent else "")
        if Org.all_objects.filter(code=code).exists():
            raise DomainError("org.code_taken", code=code, status=409)
        _check_uscc_free(values.get("uscc", ""), scope=scope)
        values["industry_federation"] = _resolve_industry_federation(industry_federation_code, scope)
        # The path holds the org's own id, known only after the insert.
        org = Org(code=code, parent=parent, path=f"~{uuid.uuid4().hex}", **values)
        org_set_name_keys(org)
        org.save(force_insert=True)
        org.path = f"{parent.path if parent else ''}{org.pk}/"
        org.depth = parent.depth + 1 if parent else 0
        org.save(update_fields=["path", "depth"])
        audit_record(
            actor=actor,
            action="orgs.org.create",
            org=org,
            target=org,
            data={"code": code, "name": org.name, "kind": org.kind, "parent": parent.code if parent else None},
        )
    return org


def org_update(*, actor: User | None, scope: Scope | None, org: Org, changes: dict[str, Any]) -> Org:
    """Change an org's descriptive fields (not its place in the tree); audited."""
    _require(scope, OrgPerm.CHANGE, org)
    unknown = set(changes) - set(UPDATABLE_FIELDS) - {"industry_federation_code"}
    if unknown:
        raise DomainError("org.field_not_editable", field=sorted(unknown))
    # A column that is NOT NULL takes "" to clear it, never None.
    refused = {
        k: "该字段不能为 null"
        for k, val in changes.items()
        if val is None and k in UPDATABLE_FIELDS and not Org._meta.get_field(k).null
    }
    values = _clean({k: val for k, val in changes.items() if k != "industry_federation_code" and k not in refused})
    if "name" in values and not values["name"]:
        refused["name"] = "工会名称不能为空"
    if refused:
        refused = dict(sorted(refused.items()))
        raise DomainError("org.fields_required", details=refused, reasons=joined(refused))
    with transaction.atomic(), unscoped():
        org = Org.all_objects.select_for_update().get(pk=org.pk)
        if org.is_closed:
            raise DomainError("org.already_closed", org=org.name)
        current = org.industry_federation.code if org.industry_federation is not None else None
        # The link as it stands is kept without a new check: a form submits it unchanged, and a
        # federation that has stopped accepting affiliates does not undo earlier links.
        if "industry_federation_code" in changes and (changes["industry_federation_code"] or None) != current:
            target = _resolve_industry_federation(changes["industry_federation_code"], scope)
            if target is not None and target.pk == org.pk:
                raise DomainError("org.industry_federation_kind", org=org.name)
            values["industry_federation"] = target
        if "uscc" in values:
            _check_uscc_free(values["uscc"], exclude_pk=org.pk, scope=scope)
        if "kind" in values and values["kind"] != org.kind:
            _check_kind_change(org, values["kind"])
        before = {k: _plain(getattr(org, k)) for k in values}
        for key, value in values.items():
            setattr(org, key, value)
        after = {k: _plain(getattr(org, k)) for k in values}
        diff = changed_fields(before, after)
        if diff:
            keys = org_set_name_keys(org) if "name" in values else []
            org.save(update_fields=[*values.keys(), *keys, "updated_at"])
            audit_record(actor=actor, action="orgs.org.update", org=org, target=org, data={"changes": diff})
    return org


NAME_KEY_FIELDS = ["name_pinyin", "name_initials"]


def org_set_name_keys(org: Org) -> list[str]:
    """Write the pinyin search keys of `org.name` on the instance (the caller saves); the fields it set."""
    org.name_pinyin, org.name_initials = pinyin_keys(org.name)
    return NAME_KEY_FIELDS


def _check_kind_change(org: Org, kind: str) -> None:
    """A new kind must fit under the org's parent, and its open children must fit under it."""
    parent = org.parent
    v.check_kind_under(parent.kind if parent else None, kind, parent=parent.name if parent else "")
    allowed = set(v.allowed_child_kinds(kind))
    children = Org.all_objects.filter(parent=org, closed_on__isnull=True).values_list("kind", flat=True).distinct()
    misfits = sorted({k for k in children if k not in allowed})
    if misfits:
        raise DomainError(
            "org.kind_children_conflict",
            field="kind",
            kind=v.kind_label(kind),
            children="、".join(v.kind_label(k) for k in misfits),
        )


def _plain(value: Any) -> Any:
    if isinstance(value, Org):
        return value.code
    if isinstance(value, date):
        return value.isoformat()
    return value


def org_move(*, actor: User | None, scope: Scope | None, org: Org, new_parent: Org) -> Org:
    """Re-attach `org` and its subtree under `new_parent`, rewriting their paths."""
    _require(scope, OrgPerm.MOVE, org)
    _require(scope, OrgPerm.MOVE, new_parent)
    with transaction.atomic(), unscoped():
        _lock_tree()
        org = Org.all_objects.select_for_update().get(pk=org.pk)
        new_parent = Org.all_objects.select_for_update().get(pk=new_parent.pk)
        if org.parent_id is None:
            raise DomainError("org.root_move")
        if new_parent.path.startswith(org.path):
            raise DomainError("org.move_into_own_subtree", org=org.name)
        if org.parent_id == new_parent.pk:
            raise DomainError("org.move_same_parent", org=org.name, parent=new_parent.name)
        if new_parent.is_closed:
            raise DomainError("org.parent_closed", parent=new_parent.name)
        v.check_kind_under(new_parent.kind, org.kind, parent=new_parent.name)
        old_path, old_parent_code = org.path, org.parent.code if org.parent else None
        new_path = f"{new_parent.path}{org.pk}/"
        delta = new_parent.depth + 1 - org.depth
        moved = Org.all_objects.filter(subtree_q("path", old_path)).update(
            path=Concat(Value(new_path), Substr("path", len(old_path) + 1)),
            depth=F("depth") + delta,
        )
        Org.all_objects.filter(pk=org.pk).update(parent=new_parent)
        rewrite_path_columns(old_path, new_path)
        org.refresh_from_db()
        audit_record(
            actor=actor,
            action="orgs.org.move",
            org=org,
            target=org,
            data={"from": old_parent_code, "to": new_parent.code, "subtree_size": moved},
        )
    return org


def org_close(*, actor: User | None, scope: Scope | None, org: Org, closed_on: date | None = None) -> Org:
    """Close (撤销) an org that has no open children; its records stay."""
    _require(scope, OrgPerm.CLOSE, org)
    with transaction.atomic(), unscoped():
        _lock_tree()
        org = Org.all_objects.select_for_update().get(pk=org.pk)
        if org.is_closed:
            raise DomainError("org.already_closed", org=org.name)
        open_children = Org.all_objects.filter(parent=org, closed_on__isnull=True).count()
        if open_children:
            raise DomainError("org.has_open_children", org=org.name, count=open_children)
        for guard in CLOSE_GUARDS:
            guard(org)
        org.closed_on = v.clean_closed_on(closed_on, founded_on=org.founded_on)
        org.save(update_fields=["closed_on", "updated_at"])
        audit_record(
            actor=actor, action="orgs.org.close", org=org, target=org, data={"closed_on": org.closed_on.isoformat()}
        )
    return org


@dataclass(frozen=True)
class TreeProblem:
    code: str
    problem: str
    expected: str
    actual: str


def org_tree_check(*, repair: bool = False) -> list[TreeProblem]:
    """Verify every path and depth against the parent links; optionally rewrite them.

    Walks the tree from the roots by parent link, so it also finds orgs that no
    root reaches (a cycle) and reports them.
    """
    problems: list[TreeProblem] = []
    with transaction.atomic(), unscoped():
        _lock_tree()
        rows = list(Org.all_objects.values_list("pk", "code", "parent_id", "path", "depth"))
        children: dict[int | None, list[tuple[int, str, int | None, str, int]]] = {}
        for row in rows:
            children.setdefault(row[2], []).append(row)
        fixes: list[Org] = []
        seen: set[int] = set()
        stack = [(row, "", 0) for row in children.get(None, [])]
        while stack:
            (pk, code, _parent, path, depth), parent_path, level = stack.pop()
            seen.add(pk)
            want_path = f"{parent_path}{pk}/"
            if path != want_path:
                problems.append(TreeProblem(code, "path", want_path, path))
            if depth != level:
                problems.append(TreeProblem(code, "depth", str(level), str(depth)))
            if path != want_path or depth != level:
                fixes.append(Org(pk=pk, path=want_path, depth=level))
            stack.extend((child, want_path, level + 1) for child in children.get(pk, []))
        for pk, code, parent_id, path, _depth in rows:
            if pk not in seen:
                problems.append(TreeProblem(code, "unreachable", f"parent {parent_id} reachable from a root", path))
        if repair and fixes:
            # Park the paths first: the unique index must hold after every row.
            Org.all_objects.filter(pk__in=[f.pk for f in fixes]).update(
                path=Concat(Value("~"), F("pk"), Value("~"), output_field=CharField())
            )
            Org.all_objects.bulk_update(fixes, ["path", "depth"], batch_size=500)
            audit_record(actor=None, action="orgs.tree.repair", data={"fixed": len(fixes)})
    return problems


@dataclass
class OrgSpec:
    """One org to create in bulk; its parent is named by code (existing or earlier in the list)."""

    code: str
    name: str
    kind: str
    parent_code: str | None
    industry_federation_code: str | None = None
    fields: dict[str, Any] | None = None


def org_bulk_create(*, actor: User | None, specs: list[OrgSpec], action: str = "orgs.org.bulk_create") -> int:
    """Create many orgs set-based (parents before children); one audit event for the job.

    Rows are validated with the same cleaners and the same kind-under-parent rule
    as `org_create` (a closed parent refuses them too), inserted level by level with
    `bulk_create`, and their paths written in one `bulk_update` per level. Callers
    that want a refusal per row (the `orgs` import) check first; here the first
    refusal refuses the whole call.
    """
    with transaction.atomic(), unscoped():
        _lock_tree()
        known: dict[str, tuple[int, str, int]] = {}
        kinds: dict[str, str] = {}
        parent_codes = {s.parent_code for s in specs if s.parent_code}
        for pk, code, path, depth, kind, name, closed_on in Org.all_objects.filter(code__in=parent_codes).values_list(
            "pk", "code", "path", "depth", "kind", "name", "closed_on"
        ):
            if closed_on is not None:
                raise DomainError("org.parent_closed", parent=name)
            known[code] = (pk, path, depth)
            kinds[code] = kind
        pending = list(specs)
        created = 0
        while pending:
            wave = [s for s in pending if s.parent_code is None or s.parent_code in known]
            if not wave:
                missing = sorted({s.parent_code for s in pending if s.parent_code})[:5]
                raise DomainError("org.parent_not_found", code="、".join(str(m) for m in missing))
            wave_codes = {s.code for s in wave}
            pending = [s for s in pending if s.code not in wave_codes]
            objs = []
            for spec in wave:
                values = _clean({"name": spec.name, "kind": spec.kind, **(spec.fields or {})})
                v.check_kind_under(
                    kinds[spec.parent_code] if spec.parent_code else None, values["kind"], parent=spec.parent_code or ""
                )
                parent_pk = known[spec.parent_code][0] if spec.parent_code else None
                org = Org(code=v.clean_code(spec.code), parent_id=parent_pk, path=f"~{uuid.uuid4().hex}", **values)
                org_set_name_keys(org)
                objs.append(org)
            Org.all_objects.bulk_create(objs, batch_size=500)
            if any(o.pk is None for o in objs):
                # Backends that cannot return ids from a bulk insert: read them back.
                ids = dict(Org.all_objects.filter(code__in=wave_codes).values_list("code", "pk"))
                for o in objs:
                    o.pk = ids[o.code]
            for spec, org in zip(wave, objs, strict=True):
                parent = known.get(spec.parent_code) if spec.parent_code else None
                org.path = f"{parent[1] if parent else ''}{org.pk}/"
                org.depth = parent[2] + 1 if parent else 0
                known[org.code] = (org.pk, org.path, org.depth)
                kinds[org.code] = org.kind
            Org.all_objects.bulk_update(objs, ["path", "depth"], batch_size=500)
            created += len(objs)
        links = [s for s in specs if s.industry_federation_code]
        if links:
            targets = dict(
                Org.all_objects.filter(
                    code__in={s.industry_federation_code for s in links}, kind__in=INDUSTRY_ROLLUP_KINDS
                ).values_list("code", "pk")
            )
            updates = []
            for s in links:
                if s.industry_federation_code not in targets:
                    raise DomainError("org.industry_federation_kind", org=s.industry_federation_code)
                updates.append(Org(pk=known[s.code][0], industry_federation_id=targets[s.industry_federation_code]))
            Org.all_objects.bulk_update(updates, ["industry_federation"], batch_size=500)
        audit_record(actor=actor, action=action, data={"created": created})
    return created
