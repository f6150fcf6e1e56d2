"""Importing and exporting the org tree: the `orgs` kind of the bulk engine.

The natural key is the union's code. A new code is created under its parent
(named in the file, earlier in the same batch or already in the tree, or the
`--org` union); a known code gets the fields that differ (updated) or nothing
(unchanged). Moving a union to another parent is refused here: a move rewrites
a subtree and has its own audited service.
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Any

from django.db import transaction

if TYPE_CHECKING:
    from gonghui.accounts.models import User
from gonghui.core.audit import audit_record
from gonghui.core.bulk import CellError, Column, Table, cell_text, parse_bool, parse_date, parse_int, write_table
from gonghui.core.bulk.engine import Row, audit_import
from gonghui.core.errors import DomainError
from gonghui.core.scoping import subtree_q, unscoped
from gonghui.orgs import validation as v
from gonghui.orgs.models import Org, OrgKind
from gonghui.orgs.services import OrgSpec, org_bulk_create

COLUMNS = [
    Column("code", "工会代码", ("code",), required=True),
    Column("name", "工会名称", ("name",), required=True),
    Column("parent_code", "上级工会代码", ("parent_code",)),
    Column("kind", "组织类型", ("kind",), required=True),
    Column("region_code", "行政区划代码", ("region_code",)),
    Column("uscc", "统一社会信用代码", ("uscc",)),
    Column("is_new_employment", "新就业形态", ("是否新就业形态工会", "new_employment")),
    Column("founded_on", "成立日期", ("founded_on",)),
    Column("employee_count", "职工人数", ("employee_count",)),
]
HEADERS = {c.key: c.header for c in COLUMNS}
FIELDS = ("name", "kind", "region_code", "uscc", "is_new_employment", "founded_on", "employee_count")
KIND_LABELS = dict(OrgKind.choices)


class OrgsKind:
    name = "orgs"
    columns = COLUMNS

    def __init__(self, *, actor: User | None, default_parent: Org | None) -> None:
        self.actor = actor
        self.default_parent = default_parent
        self.seen: dict[str, int] = {}

    def check_table(self, table: Table) -> list[str]:
        return []

    def _clean(self, row: Row) -> dict[str, Any] | None:
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
        if code:
            first = self.seen.get(code)
            if first is not None:
                row.reject(HEADERS["code"], f"与第 {first} 行的工会代码重复")
            else:
                self.seen[code] = row.number
        return None if row.errors else values

    def prepare(self, rows: list[Row]) -> None:
        """Nothing ahead of time: an org row's checks need the tree, which is read in `process`."""

    def process(self, rows: list[Row], *, dry_run: bool) -> dict[str, int]:
        counts: Counter[str] = Counter()
        with transaction.atomic(), unscoped():
            cleaned = [(row, self._clean(row)) for row in rows]
            good = [(row, values) for row, values in cleaned if values is not None]
            codes = {values["code"] for _, values in good} | {values.get("parent_code", "") for _, values in good}
            if self.default_parent is not None:
                codes.add(self.default_parent.code)  # the parent of rows that name none
            known = {o.code: o for o in Org.objects.filter(code__in=codes - {""})}
            in_batch = {values["code"] for _, values in good}
            # A USCC belongs to one union: taken by another code, or twice in the batch.
            usccs = [values["uscc"] for _, values in good if values.get("uscc")]
            holder = dict(Org.objects.filter(uscc__in=usccs).values_list("uscc", "code"))
            for row, values in good:
                uscc = values.get("uscc")
                if uscc and holder.setdefault(uscc, values["code"]) != values["code"]:
                    row.reject(HEADERS["uscc"], "该统一社会信用代码已由其他工会使用")
            good = [(row, values) for row, values in good if not row.errors]
            specs: list[OrgSpec] = []
            changed: list[Org] = []
            for row, values in good:
                parent_code = values.get("parent_code") or (self.default_parent.code if self.default_parent else "")
                org = known.get(values["code"])
                if org is None:
                    if not parent_code:
                        row.reject(HEADERS["parent_code"], "新建工会必须填写上级工会代码")
                        continue
                    if parent_code not in known and parent_code not in in_batch:
                        row.reject(HEADERS["parent_code"], f"未找到上级工会“{parent_code}”")
                        continue
                    if "kind" not in values:
                        row.reject(HEADERS["kind"], "新建工会必须填写组织类型")
                        continue
                    fields = {k: values[k] for k in FIELDS if k in values and k not in ("name", "kind")}
                    specs.append(OrgSpec(values["code"], values["name"], values["kind"], parent_code, fields=fields))
                    continue
                parent = org.parent.code if org.parent else ""
                if values.get("parent_code") and values["parent_code"] != parent:
                    row.reject(HEADERS["parent_code"], "不能通过导入调整隶属关系，请使用“调整隶属关系”功能")
                    continue
                diff = [k for k in FIELDS if k in values and getattr(org, k) != values[k]]
                if diff:
                    for k in diff:
                        setattr(org, k, values[k])
                    changed.append(org)
                    counts["updated"] += 1
                else:
                    counts["unchanged"] += 1
            counts["rejected"] = sum(1 for r in rows if r.errors)
            counts["created"] = len(specs)
            if dry_run:
                transaction.set_rollback(True)
                return dict(counts)
            if specs:
                try:
                    org_bulk_create(actor=self.actor, specs=specs, action="orgs.import.batch")
                except DomainError as exc:
                    # A parent missing only within this batch's own ordering: refuse the batch's new rows.
                    for row, values in good:
                        if values["code"] in {s.code for s in specs}:
                            row.reject(HEADERS["parent_code"], exc.message)
                    counts["rejected"] = sum(1 for r in rows if r.errors)
                    counts["created"] = 0
                    transaction.set_rollback(True)
                    return dict(counts)
            if changed:
                Org.all_objects.bulk_update(changed, list(FIELDS), batch_size=500)
        return dict(counts)

    def audit(self, summary: dict[str, Any], path: str) -> None:
        audit_import(actor=self.actor, action="orgs.import", org=self.default_parent, summary=summary, path=path)


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
