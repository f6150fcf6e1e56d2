"""Importing and exporting the org tree: the `orgs` kind of the bulk engine.

The natural key is the union's code. A known code gets the fields that differ
(updated) or nothing (unchanged); moving a union to another parent is refused
here, since a move rewrites a subtree and has its own audited service. A new
code is created under its parent, named in the file by 上级工会代码:

- a union already in the tree, or one this job has created;
- a row anywhere in the same file, above or below: a federation's own list is
  seldom sorted parents first;
- blank: the `--org` union (on the web, the union the job is filed under) when
  the row's kind may sit under it; otherwise the row is a top-level union (a
  root), created only with the server's authority (the console) or for a
  platform administrator (superuser), and refused on its own row for anyone
  else.

Every new union's kind must be one its parent may hold (`validation.check_kind_under`,
the rule the services, the API and the forms use too).

Batches and parents further down the file
-----------------------------------------
The engine (`core/bulk/engine.py`) reads the file once, in batches of 5,000 rows
in file order, hands each batch to `process` (one transaction), and writes the
batch's refused rows to the error workbook right after. A child may therefore
arrive batches before its parent. The kind handles it without holding the file:

1. **Scan.** At the first batch the kind reads the file a second time, looking at
   the code and parent columns only (`FileIndex`): the row each code first
   appears on, and the rows named as a parent by some earlier row ("ahead" rows,
   kept whole; few in a real list: the federations, not the thousands of
   grassroots unions). So "not in the tree and not in the file" is known for
   certain, on the child's own row.
2. **Settle parents ahead of their turn.** When a batch's new union names a parent
   that is neither in the tree nor made by this job yet, its "ahead" row (and, in
   turn, any of its own ancestors further down) joins the batch's work: validated
   by the same checks and, if good, created in the same transaction, before the
   child. Its outcome is kept (`early`); when its own batch comes, that row is
   reported as settled: created, or refused with its own reasons. Every row's
   reasons stay on its own row and the counts are exact.
3. **Order.** Within the work, each union is placed after its parent (a
   topological order; `org_bulk_create` inserts level by level); a union whose
   parent chain loops back on itself is refused with the loop, and a union whose
   parent was refused is refused naming that parent's row.

Resuming is as before: each batch commits, and a union created ahead of its own
row comes back "unchanged" when the same file is run again. A dry run keeps the
same memory of what it would have created, so its counts are those of the real run.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone

if TYPE_CHECKING:
    from gonghui.accounts.models import User
    from gonghui.core.scoping import Scope
from gonghui.core.audit import audit_record
from gonghui.core.bulk import (
    CellError,
    Column,
    Table,
    cell_text,
    open_table,
    parse_bool,
    parse_date,
    parse_int,
    write_table,
)
from gonghui.core.bulk.engine import Row, audit_import
from gonghui.core.errors import DomainError
from gonghui.core.scoping import subtree_q, unscoped
from gonghui.orgs import validation as v
from gonghui.orgs.models import Org, OrgKind
from gonghui.orgs.permissions import OrgPerm
from gonghui.orgs.services import NAME_KEY_FIELDS, OrgSpec, org_bulk_create, org_set_name_keys

# The headers federations put on their 工会组织名录 are aliases, as the members kind's are:
# 上级工会 alone is left out, since it usually holds the parent's name, not its code.
COLUMNS = [
    Column("code", "工会代码", ("code", "工会编码", "工会组织代码", "组织代码", "单位代码"), required=True),
    Column("name", "工会名称", ("name", "工会组织名称", "组织名称", "工会全称"), required=True),
    Column("parent_code", "上级工会代码", ("parent_code", "上级代码", "上级工会编码", "上级组织代码", "上级单位代码")),
    Column("kind", "组织类型", ("kind", "工会类型", "工会组织类型", "组织类别", "工会类别"), required=True),
    Column("region_code", "行政区划代码", ("region_code", "行政区划", "区划代码", "所在地行政区划代码")),
    Column("uscc", "统一社会信用代码", ("uscc", "社会信用代码", "信用代码", "工会统一社会信用代码")),
    Column(
        "is_new_employment",
        "新就业形态",
        ("是否新就业形态工会", "是否新就业形态", "新就业形态工会", "new_employment"),
    ),
    Column("founded_on", "成立日期", ("founded_on", "成立时间", "建会时间", "建会日期", "成立年月")),
    Column("employee_count", "职工人数", ("employee_count", "职工数", "职工总数", "职工人数（人）")),
]
HEADERS = {c.key: c.header for c in COLUMNS}
FIELDS = ("name", "kind", "region_code", "uscc", "is_new_employment", "founded_on", "employee_count")
KIND_LABELS = dict(OrgKind.choices)
PARENT, KIND = HEADERS["parent_code"], HEADERS["kind"]


def _code(value: Any) -> str:
    """A code cell as the registry writes it; "" when blank or not a code (the row reports it itself)."""
    try:
        text = cell_text(value)
        return v.clean_code(text) if text else ""
    except (CellError, DomainError):
        return ""


@dataclass(frozen=True)
class Access:
    """What a job may touch: the whole tree (the console), or one union's subtree as its actor may.

    `roots`: whether rows without a parent may become top-level unions (the console,
    or a superuser's job on the web).
    """

    scope: Scope | None = None
    root: Org | None = None
    roots: bool = True

    def may(self, perm: str, org: Org) -> bool:
        if self.scope is None or self.root is None:
            return True
        return org.path.startswith(self.root.path) and self.scope.has_perm(perm, org.path)


CONSOLE = Access()


@dataclass
class FileIndex:
    """What the kind knows of the whole file before its first batch (see the module docstring)."""

    complete: bool = False  # the whole file was scanned
    first: dict[str, int] = field(default_factory=dict)  # code → the row it first appears on
    ahead: dict[str, Row] = field(default_factory=dict)  # code → its row, named as a parent further up


def _open(path: str | Path, kind: Any) -> Table:
    """The file as the engine reads it for `kind`: with the columns the user confirmed by header, if any
    (the engine sets `renames` on a kind that opens its own files)."""
    renames = getattr(kind, "renames", None)
    extra: dict[str, Any] = {"renames": renames} if renames else {}
    return open_table(path, kind.columns, **extra)


def scan_file(path: Path, kind: Any) -> FileIndex:
    table = _open(path, kind)
    index = FileIndex(complete=True)
    named: set[str] = set()
    has_parent = "parent_code" in table.mapping.values()
    for number, cells in table.rows:
        values = table.values(cells)
        code = _code(values.get("code"))
        if code and code not in index.first:
            index.first[code] = number
            if code in named:
                index.ahead[code] = Row(number, cells, values)
        if has_parent:
            parent = _code(values.get("parent_code"))
            if parent:
                named.add(parent)
    return index


@dataclass
class NewOrg:
    """A new union of the batch's work: a row of the batch, or a parent's row settled ahead of its turn."""

    row: Row
    values: dict[str, Any]
    code: str
    parent: str  # "" for a top-level union
    early: bool = False  # a row of a later batch

    @property
    def kind(self) -> str:
        return str(self.values["kind"])


Refusal = tuple[str, str]  # (column, reason)


class OrgsKind:
    name = "orgs"
    columns = COLUMNS
    # `process` reads each row's values, which a batch prepared in a forked child does not carry back.
    prepare_ahead = False

    def __init__(self, *, actor: User | None, default_parent: Org | None, access: Access = CONSOLE) -> None:
        self.actor = actor
        self.default_parent = default_parent
        self.access = access
        self.path: Path | None = None
        self.index = FileIndex()
        self.seen: dict[str, int] = {}  # code → the first row seen with it (duplicates are refused)
        self.created: dict[str, str] = {}  # code → kind: new unions of this job (also in a dry run)
        self.failed: dict[str, int] = {}  # code → row: new unions this job refused
        self.early: dict[int, list[str]] = {}  # row → its reasons: rows settled ahead of their turn
        self.usccs: dict[str, str] = {}  # USCC → code, given by this job

    def open_table(self, path: str | Path) -> Table:
        self.path = Path(path)  # scanned at the first batch, not here: the upload's preview opens it too
        return _open(path, self)

    def check_table(self, table: Table) -> list[str]:
        return []

    def prepare(self, rows: list[Row]) -> None:
        """Nothing ahead of time: an org row's checks need the tree, which is read in `process`."""

    # --- one row's cells ----------------------------------------------------------------------

    def _clean(self, row: Row, *, register: bool = True) -> dict[str, Any] | None:
        values: dict[str, Any] = {}
        cleaners: dict[str, Any] = {
            "code": lambda x: v.clean_code(cell_text(x)),
            "name": lambda x: _name(cell_text(x)),
            "parent_code": lambda x: v.clean_code(cell_text(x)) if cell_text(x) else "",
            "kind": lambda x: v.clean_kind(cell_text(x)),
            "region_code": lambda x: v.clean_region_code(cell_text(x)),
            "uscc": lambda x: v.clean_uscc(cell_text(x)),
            "is_new_employment": lambda x: bool(parse_bool(x)),
            "founded_on": lambda x: v.clean_founded_on(parse_date(x)),
            "employee_count": lambda x: v.clean_employee_count(parse_int(x, minimum=0)),
        }
        for key, clean in cleaners.items():
            if key not in row.values:
                continue
            if key not in ("code", "name") and _is_blank(row.values[key]):
                continue  # a blank cell keeps what the registry has (a new union gets the defaults)
            try:
                values[key] = clean(row.values[key])
            except DomainError as exc:
                row.reject(HEADERS[key], exc.message)
            except CellError as exc:
                row.reject(HEADERS[key], str(exc))
        code = values.get("code")
        if code and register:
            first = self.seen.setdefault(code, row.number)
            if first != row.number:
                row.reject(HEADERS["code"], f"与第 {first} 行的工会代码重复")
        return None if row.errors else values

    # --- a batch ------------------------------------------------------------------------------

    def process(self, rows: list[Row], *, dry_run: bool) -> dict[str, int]:
        if self.path is not None and not self.index.complete:
            self.index = scan_file(self.path, self)
        counts: Counter[str] = Counter()
        with transaction.atomic(), unscoped():
            fresh: list[Row] = []
            for row in rows:
                settled = self.early.pop(row.number, None)
                if settled is None:
                    fresh.append(row)
                    continue
                row.errors[:] = settled  # created, or refused, when a child further up needed it
                self.seen.setdefault(_code(row.values.get("code")), row.number)
                counts["rejected" if settled else "created"] += 1
            known = self._lookup(
                {_code(row.values.get(k)) for row in fresh for k in ("code", "parent_code")}
                | ({self.default_parent.code} if self.default_parent else set())
            )
            work: dict[str, NewOrg] = {}
            updates: list[tuple[Row, dict[str, Any], Org]] = []
            for row in fresh:
                org = known.get(_code(row.values.get("code")))
                if org is not None and not self.access.may(OrgPerm.CHANGE, org):
                    row.reject(HEADERS["code"], f"未找到工会“{org.code}”，或您无权修改该工会")
                    continue
                values = self._clean(row)
                if values is None:
                    self._failed(row, _code(row.values.get("code")))
                elif org is not None:
                    updates.append((row, values, org))
                else:
                    item = self._new(row, values)
                    if item is None:
                        self._failed(row, values["code"])
                    else:
                        work[item.code] = item
            self._pull_parents(work, known, {row.number for row in fresh})
            self._check_usccs(
                [*((row, values) for row, values, _ in updates), *((i.row, i.values) for i in work.values())]
            )
            changed = self._updates(updates, counts)
            order = self._place(work, known)
            specs = []
            for item in work.values():
                if item.row.errors:
                    self._failed(item.row, item.code)
            for item in order:
                fields = {k: item.values[k] for k in FIELDS if k in item.values and k not in ("name", "kind")}
                specs.append(OrgSpec(item.code, item.values["name"], item.kind, item.parent or None, fields=fields))
            if specs and not dry_run:
                try:
                    org_bulk_create(actor=self.actor, specs=specs, action="orgs.import.batch")
                except DomainError as exc:
                    # The tree changed under the job since the checks (a parent closed meanwhile):
                    # the new unions are refused with the reason (their savepoint rolled back);
                    # the updates of known unions still go in.
                    for item in order:
                        item.row.reject(PARENT, exc.message)
                        self._failed(item.row, item.code)
                    order = []
            for item in order:
                self.created[item.code] = item.kind
                if item.values.get("uscc"):
                    self.usccs[item.values["uscc"]] = item.code
            for item in work.values():
                if item.early:
                    self.early[item.row.number] = list(item.row.errors)
            counts["created"] += sum(1 for item in order if not item.early)
            counts["rejected"] += sum(1 for row in fresh if row.errors)
            if dry_run:
                transaction.set_rollback(True)
                return dict(counts)
            if changed:
                # bulk_update does not run auto_now: the time of the change is set here, as org_update's save does.
                now = timezone.now()
                for org in changed:
                    org.updated_at = now
                    org_set_name_keys(org)  # a renamed union is found by its new name's pinyin
                Org.all_objects.bulk_update(changed, [*FIELDS, *NAME_KEY_FIELDS, "updated_at"], batch_size=500)
        return dict(counts)

    def _lookup(self, codes: set[str]) -> dict[str, Org]:
        codes.discard("")
        return {o.code: o for o in Org.objects.select_related("parent").filter(code__in=codes)} if codes else {}

    def _failed(self, row: Row, code: str) -> None:
        """Remember a refused new union's row, for its children further down (not a duplicate's)."""
        if code and self.seen.get(code, row.number) == row.number and code not in self.failed:
            self.failed[code] = row.number

    def _new(self, row: Row, values: dict[str, Any]) -> NewOrg | None:
        if "kind" not in values:
            row.reject(KIND, "新建工会必须填写组织类型")
            return None
        parent = values.get("parent_code") or ""
        default = self.default_parent
        if not parent and default is not None and values["kind"] in v.allowed_child_kinds(default.kind):
            parent = default.code
        return NewOrg(row, values, values["code"], parent)

    def _pull_parents(self, work: dict[str, NewOrg], known: dict[str, Org], batch: set[int]) -> None:
        """Bring in the rows further down the file that the work's new unions hang from (and theirs)."""
        tried: set[str] = set()
        while True:
            wanted = {
                item.parent
                for item in work.values()
                if item.parent
                and item.parent not in tried
                and item.parent not in known
                and item.parent not in work
                and item.parent not in self.created
                and item.parent not in self.failed
            }
            if not wanted:
                return
            tried |= wanted
            known.update(self._lookup(wanted))
            for code in sorted(wanted - known.keys()):
                stored = self.index.ahead.get(code)
                if stored is None or stored.number in batch:
                    continue  # not further down the file: `_outside` says why
                row = Row(stored.number, stored.cells, dict(stored.values))
                values = self._clean(row, register=False)
                item = self._new(row, values) if values is not None else None
                if item is None:
                    self.early[row.number] = list(row.errors)
                    self.failed[code] = row.number
                else:
                    item.early = True
                    work[code] = item

    def _check_usccs(self, rows: list[tuple[Row, dict[str, Any]]]) -> None:
        """A USCC belongs to one union: one another code holds, or given twice in the file, is refused."""
        usccs = [values["uscc"] for row, values in rows if values.get("uscc") and not row.errors]
        holder = {**self.usccs, **dict(Org.objects.filter(uscc__in=usccs).values_list("uscc", "code"))}
        for row, values in sorted(rows, key=lambda pair: pair[0].number):
            uscc = values.get("uscc")
            if uscc and not row.errors and holder.setdefault(uscc, values["code"]) != values["code"]:
                row.reject(HEADERS["uscc"], "该统一社会信用代码已由其他工会使用")

    def _updates(self, updates: list[tuple[Row, dict[str, Any], Org]], counts: Counter[str]) -> list[Org]:
        """Known unions: the fields that differ; never a move, never a kind their place refuses."""
        kind_changes = [org for row, values, org in updates if "kind" in values and values["kind"] != org.kind]
        child_kinds: dict[int, set[str]] = {}
        if kind_changes:
            pairs = Org.objects.filter(parent__in=kind_changes, closed_on__isnull=True).values_list("parent_id", "kind")
            for parent_id, kind in pairs.distinct():
                child_kinds.setdefault(parent_id, set()).add(kind)
        changed: list[Org] = []
        for row, values, org in updates:
            if row.errors:
                continue
            parent = org.parent.code if org.parent else ""
            if values.get("parent_code") and values["parent_code"] != parent:
                row.reject(PARENT, "不能通过导入调整隶属关系，请使用“调整隶属关系”功能")
                continue
            if "kind" in values and values["kind"] != org.kind:
                try:
                    v.check_kind_under(org.parent.kind if org.parent else None, values["kind"], parent=parent)
                except DomainError as exc:
                    row.reject(KIND, exc.message)
                    continue
                misfits = sorted(child_kinds.get(org.pk, set()) - set(v.allowed_child_kinds(values["kind"])))
                if misfits:
                    children = "、".join(v.kind_label(k) for k in misfits)
                    message = DomainError(
                        "org.kind_children_conflict", kind=v.kind_label(values["kind"]), children=children
                    )
                    row.reject(KIND, message.message)
                    continue
            diff = [k for k in FIELDS if k in values and getattr(org, k) != values[k]]
            if diff:
                for k in diff:
                    setattr(org, k, values[k])
                changed.append(org)
                counts["updated"] += 1
            else:
                counts["unchanged"] += 1
        return changed

    def _place(self, work: dict[str, NewOrg], known: dict[str, Org]) -> list[NewOrg]:
        """Each new union's place, checked; the good ones parents first (a topological order).

        Walks up each union's chain of parents within the work, so a loop is found
        (and refused for every union on it) and a refusal passes down to the children.
        """
        verdict: dict[str, Refusal | None] = {}
        order: list[NewOrg] = []

        def settle(code: str, refusal: Refusal | None) -> None:
            verdict[code] = refusal
            if refusal is None:
                order.append(work[code])
            else:
                work[code].row.reject(*refusal)

        for start in work:
            chain: list[str] = []
            on_chain: set[str] = set()
            code = start
            while code not in verdict:
                if work[code].row.errors:  # already refused on its own row (its USCC): children say so
                    verdict[code] = (PARENT, "")
                    break
                if code in on_chain:
                    loop = chain[chain.index(code) :]
                    text = " → ".join([*loop, code])
                    for member in loop:
                        settle(member, (PARENT, DomainError("org.import_parent_cycle", chain=text).message))
                    break
                chain.append(code)
                on_chain.add(code)
                parent = work[code].parent
                if parent in work:
                    code = parent
                    continue
                settle(code, self._outside(work[code], known))
                break
            for code in reversed(chain):
                if code in verdict:
                    continue
                parent = work[code].parent
                if verdict[parent] is not None:
                    row = work[parent].row.number
                    settle(code, (PARENT, DomainError("org.import_parent_rejected", code=parent, row=row).message))
                else:
                    settle(code, _kind_under(work[parent].kind, work[code].kind, work[parent].values["name"]))
        return order

    def _outside(self, item: NewOrg, known: dict[str, Org]) -> Refusal | None:
        """The place of a new union whose parent is not among the work: the tree, this job, or nothing."""
        parent = item.parent
        if not parent:
            if not self.access.roots:
                default = self.default_parent
                if default is not None:
                    message = DomainError(
                        "org.import_root_refused_kind",
                        code=item.code,
                        kind=v.kind_label(item.kind),
                        parent=default.name,
                    ).message
                else:
                    message = DomainError("org.import_root_refused", code=item.code).message
                return (PARENT, message)
            return _kind_under(None, item.kind, "")
        org = known.get(parent)
        if org is not None:
            if not self.access.may(OrgPerm.CREATE, org):
                return (PARENT, f"未找到上级工会“{parent}”，或您无权在其下新建工会")
            if org.is_closed:
                return (PARENT, DomainError("org.parent_closed", parent=org.name).message)
            return _kind_under(org.kind, item.kind, org.name)
        if parent in self.created:
            return _kind_under(self.created[parent], item.kind, parent)
        if parent in self.failed:
            return (PARENT, DomainError("org.import_parent_rejected", code=parent, row=self.failed[parent]).message)
        if self.index.complete and parent not in self.index.first:
            return (PARENT, DomainError("org.import_parent_missing", code=parent).message)
        return (PARENT, DomainError("org.parent_not_found", code=parent).message)

    def audit(self, summary: dict[str, Any], path: str) -> None:
        audit_import(actor=self.actor, action="orgs.import", org=self.default_parent, summary=summary, path=path)


def _kind_under(parent_kind: str | None, kind: str, parent: str) -> Refusal | None:
    try:
        v.check_kind_under(parent_kind, kind, parent=parent)
    except DomainError as exc:
        return (KIND, exc.message)
    return None


NAME_LIMIT = Org._meta.get_field("name").max_length or 200


def _name(text: str) -> str:
    if not text:
        raise CellError("不能为空")
    if len(text) > NAME_LIMIT:
        raise CellError(f"不能超过 {NAME_LIMIT} 个字符")
    return text


def _is_blank(cell: Any) -> bool:
    try:
        return cell_text(cell) == ""
    except CellError:
        return False


EXPORT_HEADERS = [c.header for c in COLUMNS]


def export_orgs(path: str, *, actor: User | None, root: Org | None) -> int:
    """The open unions of `root`'s subtree (all when None) in the import's own columns."""
    with unscoped():
        qs = Org.objects.filter(closed_on__isnull=True).select_related("parent").order_by("path")
        if root is not None:
            qs = qs.filter(subtree_q("path", root.path))

        def lines() -> Any:
            for o in qs.iterator(chunk_size=2000):
                yield [
                    o.code,
                    o.name,
                    o.parent.code if o.parent else "",
                    str(KIND_LABELS.get(o.kind, o.kind)),
                    o.region_code,
                    o.uscc,
                    "是" if o.is_new_employment else "否",
                    o.founded_on.isoformat() if o.founded_on else "",
                    o.employee_count if o.employee_count is not None else "",
                ]

        with transaction.atomic():
            count = write_table(path, EXPORT_HEADERS, lines(), sheet="工会组织")
            audit_record(
                actor=actor, action="orgs.export", org=root, data={"file": str(path).rsplit("/", 1)[-1], "rows": count}
            )
    return count
