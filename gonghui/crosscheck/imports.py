"""Other agencies' lists in through the bulk engine (kind `agency_list`).

Columns: 证件号码 (required), 姓名, 部门, 项目, 年度, 金额（元）. A job makes (or
finds) one `AgencyList` of the job's union, keyed by agency, program and year:
given to the kind (a page's form), or read from the first valid row (部门
defaults to 其他, 年度 to this year), which is all the CLI's `--org` allows.
Each record is keyed by (list, blind index, program, year): the same file
twice changes nothing, a person twice in one file is kept once and the
repeat reported. Numbers are parsed as the roster does (full-width digits,
lowercase x); they are never stored, logged or echoed in clear.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from gonghui.accounts.models import User
from gonghui.core.bulk import CellError, Column, Table, UnreadableFile, cell_text, write_retrying
from gonghui.core.bulk.engine import Row, audit_import
from gonghui.core.bulk.sql import insert_rows, select_in
from gonghui.core.bulk.values import LOST_DIGITS, lost_digits
from gonghui.core.money import AmountError, parse_yuan
from gonghui.core.scoping import Scope, unscoped
from gonghui.crosscheck.models import Agency, AgencyList, AgencyRecord
from gonghui.crosscheck.permissions import CrossCheckPerm
from gonghui.members.validation import FieldError, clean_name, parse_identity
from gonghui.orgs.models import Org

COLUMNS = [
    Column("id_number", "证件号码", ("身份证号", "身份证号码", "公民身份号码", "证件号", "id_number"), required=True),
    Column("name", "姓名", ("名字", "受助人", "受助人姓名", "name")),
    Column("agency", "部门", ("来源部门", "部门名称", "agency")),
    Column("program", "项目", ("项目名称", "救助项目", "资助项目", "program")),
    Column("year", "年度", ("年份", "资助年度", "year")),
    Column("amount", "金额（元）", ("金额", "救助金额", "资助金额", "amount")),
]
HEADERS = {c.key: c.header for c in COLUMNS}

# What agencies' files write in a 部门 cell, by agency.
AGENCY_WORDS: dict[str, str] = {
    **{w: Agency.CIVIL_AFFAIRS for w in ("民政", "民政局", "低保", "低收入", "民政低保", "民政低收入")},
    **{w: Agency.YOUTH_LEAGUE for w in ("共青团", "团委", "团市委", "团县委")},
    **{w: Agency.WOMENS_FEDERATION for w in ("妇联",)},
    **{w: Agency.EDUCATION for w in ("教育", "教育局", "教育资助", "学生资助", "资助中心")},
    **{w: Agency.OTHER for w in ("其他", "其它")},
    **{str(label): value for value, label in Agency.choices},
    **{value: value for value in Agency.values},
}


def parse_agency(value: Any) -> str | None:
    """The agency a 部门 cell names; None when blank; raises `CellError` when unknown."""
    text = cell_text(value)
    if not text:
        return None
    agency = AGENCY_WORDS.get(text) or AGENCY_WORDS.get(text.lower())
    if agency is None:
        raise CellError("应为民政、共青团、妇联、教育资助或其他")
    return agency


def parse_year(value: Any) -> int | None:
    text = cell_text(value).removesuffix("年").removesuffix("年度")
    if not text:
        return None
    if not (text.isdigit() and 2000 <= int(text) <= 2100):
        raise CellError("应为四位年份，如 2025")
    return int(text)


def parse_fen(value: Any) -> int | None:
    """A yuan cell in fen (as `core.money.parse_yuan` reads it); None when blank."""
    text = cell_text(value)
    if not text:
        return None
    try:
        return parse_yuan(text, allow_zero=True)
    except AmountError as exc:
        reasons = {
            "format": "应为金额（元），如 1200.00",
            "decimals": "金额最多两位小数",
            "sign": "应为不小于 0 的金额（元）",
            "range": "应为不小于 0 的金额（元）",
        }
        raise CellError(reasons[exc.kind]) from exc


@dataclass
class _Clean:
    row: Row
    index: str
    masked: str
    name: str
    agency: str | None
    program: str | None
    year: int | None
    amount_fen: int | None


NEW_FIELDS = ("list_id", "org_path", "id_index", "id_masked", "name", "program", "year", "amount_fen")


class AgencyListKind:
    """An agency's list into one `AgencyList` of the job's union (see the module docstring)."""

    name = "agency_list"
    columns = COLUMNS

    def __init__(
        self,
        *,
        actor: User | None,
        scope: Scope | None,
        org: Org | None,
        agency: str | None = None,
        program: str | None = None,
        year: int | None = None,
    ) -> None:
        self.actor, self.scope, self.org = actor, scope, org
        self.agency, self.program, self.year = agency, program, year
        self.today = timezone.localdate()
        self.list: AgencyList | None = None
        self.seen: dict[tuple[str, str, int], int] = {}  # (index, program, year) → first row, across batches
        self.duplicates = 0

    def check_table(self, table: Table) -> list[str]:
        if self.org is None:
            raise UnreadableFile("请指定上传名单的工会（命令行用 --org 工会代码）")
        if self.scope is not None and not self.scope.has_perm(CrossCheckPerm.IMPORT, self.org.path):
            raise UnreadableFile("您在该工会没有上传部门名单的权限")
        return []

    def prepare(self, rows: list[Row]) -> None:
        """Nothing ahead: lists are small beside rosters, and the list's defaults come from the first row."""

    def _clean(self, row: Row) -> _Clean | None:
        v = row.values
        out: dict[str, Any] = {}
        try:
            number = cell_text(v.get("id_number"))
            if lost_digits(number):
                raise CellError(LOST_DIGITS)
            # Agencies list residents by GB 11643 number, indexed bare: a permit matches its holder too.
            prefix = number[:2]
            id_type = "3" if prefix in ("81", "82") else "4" if prefix == "83" else "1"
            out["identity"] = parse_identity(number, id_type, today=self.today)
        except (FieldError, CellError) as exc:
            row.reject(HEADERS["id_number"], str(exc))
        try:
            name = cell_text(v.get("name"))
            out["name"] = clean_name(name) if name else ""
        except (FieldError, CellError) as exc:
            row.reject(HEADERS["name"], str(exc))
        for key, parse in (("agency", parse_agency), ("year", parse_year), ("amount", parse_fen)):
            try:
                out[key] = parse(v.get(key))
            except CellError as exc:
                row.reject(HEADERS[key], str(exc))
        try:
            program = cell_text(v.get("program"))
            if len(program) > 100:
                raise CellError("不能超过 100 个字")
            out["program"] = program or None
        except CellError as exc:
            row.reject(HEADERS["program"], str(exc))
        if row.errors:
            return None
        identity = out["identity"]
        return _Clean(
            row=row,
            index=identity.index,
            masked=identity.masked,
            name=out["name"],
            agency=out["agency"],
            program=out["program"],
            year=out["year"],
            amount_fen=out["amount"],
        )

    def _list_for(self, first: _Clean, *, dry_run: bool) -> AgencyList:
        """The job's list: found by (union, agency, program, year), made on the first batch."""
        assert self.org is not None
        agency = self.agency or first.agency or Agency.OTHER
        program = self.program if self.program is not None else (first.program or "")
        year = self.year or first.year or self.today.year
        found = AgencyList.all_objects.filter(org=self.org, agency=agency, program=program, year=year).first()
        if found is not None:
            return found
        made = AgencyList(
            org=self.org, org_path=self.org.path, agency=agency, program=program, year=year, uploaded_by=self.actor
        )
        if not dry_run:
            made.save(force_insert=True)
        return made

    def process(self, rows: list[Row], *, dry_run: bool) -> dict[str, int]:
        """Write the batch in one transaction; once more if a concurrent import of the same list inserted first."""
        return write_retrying(
            self, rows, lambda: self._process(rows, dry_run=dry_run), state=("seen", "duplicates", "list")
        )

    def _process(self, rows: list[Row], *, dry_run: bool) -> dict[str, int]:
        counts: Counter[str] = Counter()
        with transaction.atomic(), unscoped():
            cleaned = [c for row in rows if (c := self._clean(row)) is not None]
            if cleaned and self.list is None:
                self.list = self._list_for(cleaned[0], dry_run=dry_run)
            the_list = self.list
            keep: list[tuple[_Clean, str, int]] = []
            for c in cleaned:
                assert the_list is not None
                if c.agency is not None and c.agency != the_list.agency:
                    c.row.reject(
                        HEADERS["agency"], f"一个文件只能是同一部门的名单（本文件为“{the_list.get_agency_display()}”）"
                    )
                    continue
                program = c.program if c.program is not None else the_list.program
                year = c.year or the_list.year
                first = self.seen.setdefault((c.index, program, year), c.row.number)
                if first != c.row.number:
                    # A list repeats a person now and then (two sittings of one committee): kept once.
                    c.row.reject(
                        HEADERS["id_number"], f"与第 {first} 行重复（同一人、同一项目和年度），已保留第 {first} 行"
                    )
                    self.duplicates += 1
                    continue
                keep.append((c, program, year))
            existing: set[tuple[str, str, int]] = set()
            if keep and the_list is not None and the_list.pk is not None:
                found = select_in(
                    AgencyRecord,
                    ("id_index", "program", "year"),
                    "id_index",
                    list({c.index for c, _p, _y in keep}),
                    where="AND list_id = %s",
                    params=[the_list.pk],
                )
                existing = {(i, p, y) for i, p, y in found}
            new: list[tuple[Any, ...]] = []
            for c, program, year in keep:
                if (c.index, program, year) in existing:
                    counts["unchanged"] += 1
                    continue
                assert the_list is not None
                new.append((the_list.pk, the_list.org_path, c.index, c.masked, c.name, program, year, c.amount_fen))
            counts["created"] = len(new)
            counts["rejected"] = sum(1 for r in rows if r.errors)
            if dry_run:
                transaction.set_rollback(True)
                return dict(counts)
            insert_rows(AgencyRecord, NEW_FIELDS, new)
        return dict(counts)

    def audit(self, summary: dict[str, Any], path: str) -> None:
        """One audit event for the job; the list takes the file's name and its record count.

        A list that gained records then has everything still open under its union
        matched again (比对全部在办事项), so a duplicate waits in the review queue
        without anyone having to remember the button. This is the one hook the
        engine calls once per finished import, from the web and the console alike.
        """
        the_list = self.list
        with transaction.atomic():
            if the_list is not None and the_list.pk is not None:
                the_list.file_name = path.rsplit("/", 1)[-1][:200]
                the_list.row_count = AgencyRecord.all_objects.filter(list=the_list).count()
                the_list.save(update_fields=["file_name", "row_count"])
            audit_import(
                actor=self.actor, action="crosscheck.import_agency_list", org=self.org, summary=summary, path=path
            )
        if summary.get("created") and self.org is not None:
            from gonghui.crosscheck.services import crosscheck_run_open

            crosscheck_run_open(actor=self.actor, scope=self.scope, org=self.org)
