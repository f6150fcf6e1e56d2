"""Payroll donations (一日捐): an enterprise's deduction file of its workers, imported as bulk kind `donations`.

One row is one worker's deduction: 基金 (the fund's name, or its number), 单位统一社会信用代码
(the enterprise that deducted it), 单位名称, 姓名, 证件号码, 捐款金额（元）, 扣款日期, 匿名. Set-based:

- cells are cleaned without the database (`prepare`, run a batch ahead in a child process):
  the ID number is parsed into its blind index (and, for the sealed copy, its cipher and
  masked form), the amount read as yuan (`core.money.parse_yuan`), the USCC checked;
- a fund is one of the job's union's subtree where the importer may record donations; a name
  two such funds share is refused with the row;
- each batch locks its funds (`select_for_update`), inserts its donations and one ledger row for
  each, and moves the funds' balances once;
- (fund, enterprise, day, person) is the natural key: a worker's deduction is recorded once, the
  same file twice changes nothing, and a row seen before with another amount is refused;
- a worker who is a member is linked by the blind index; anyone else's number is kept sealed.
  The number itself is never stored in clear, logged or echoed.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from gonghui.charity.models import Channel, Donation, DonorKind, EntryKind, Fund, FundEntry
from gonghui.charity.permissions import CharityPerm
from gonghui.core.bulk import CellError, Column, Table, cell_text, parse_bool, parse_date
from gonghui.core.bulk.engine import Row, audit_import
from gonghui.core.bulk.sql import insert_rows, reserve_ids
from gonghui.core.bulk.values import lost_digits
from gonghui.core.money import AmountError, amount_refusal, fen_to_decimal, parse_yuan
from gonghui.core.scoping import subtree_q, unscoped
from gonghui.core.validators import InvalidIdentifier, clean_uscc
from gonghui.members.models import Person
from gonghui.members.validation import FieldError, parse_identity

if TYPE_CHECKING:
    from gonghui.accounts.models import User
    from gonghui.core.scoping import Scope
    from gonghui.orgs.models import Org

COLUMNS = [
    Column("fund", "基金", ("基金名称", "基金编号", "fund"), required=True),
    Column(
        "uscc",
        "单位统一社会信用代码",
        ("统一社会信用代码", "信用代码", "代扣单位统一社会信用代码", "uscc"),
        required=True,
    ),
    Column("enterprise", "单位名称", ("代扣单位", "工作单位", "enterprise")),
    Column("name", "姓名", ("职工姓名", "捐赠人", "name"), required=True),
    Column("id_number", "证件号码", ("身份证号", "身份证号码", "公民身份号码", "id_number"), required=True),
    Column("amount", "捐款金额（元）", ("捐款金额", "扣款金额", "金额", "amount"), required=True),
    Column("day", "扣款日期", ("代扣日期", "日期", "day"), required=True),
    Column("anonymous", "匿名", ("是否匿名", "anonymous")),
]
HEADERS = {c.key: c.header for c in COLUMNS}
NOT_FOUND = "未找到该基金（或不在您的管辖范围内）"
DONATION_FIELDS = (
    "id",
    "fund_id",
    "org_path",
    "donor_kind",
    "donor_name",
    "uscc",
    "agreement_file",
    "person_id",
    "id_cipher",
    "id_index",
    "id_masked",
    "anonymous",
    "channel",
    "amount_fen",
    "refunded_fen",
    "received_on",
    "note",
    "created_by_id",
    "created_at",
)
ENTRY_FIELDS = (
    "fund_id",
    "org_path",
    "kind",
    "amount_fen",
    "balance_fen",
    "cum_in_fen",
    "cum_out_fen",
    "booked_on",
    "donation_id",
    "disbursement_id",
    "created_at",
)


@dataclass
class PayrollCells:
    """One donation's cleaned cells: a file's row, or a demo's generated gift."""

    fund: str
    uscc: str
    name: str
    index: str
    cipher: bytes | None
    masked: str
    amount_fen: int
    day: date
    anonymous: bool


# The batch's lookups by blind index, in SQL: through the ORM, preparing each of a batch's thousands of
# parameters cost as much as the query. (Table names from the models; the values go as parameters.)
PEOPLE_SQL = f"SELECT id_index, id FROM {Person._meta.db_table} WHERE id_index IN ({{}})"  # noqa: S608
SEEN_SQL = (
    f"SELECT fund_id, uscc, received_on, id_index, amount_fen FROM {Donation._meta.db_table} "  # noqa: S608
    f"WHERE channel = '{Channel.PAYROLL.value}' AND id_index IN ({{}})"
)
LOOKUP_CHUNK = 2_000


def _by_index(sql: str, indexes: list[str]) -> list[tuple[Any, ...]]:
    found: list[tuple[Any, ...]] = []
    with connection.cursor() as cursor:
        for start in range(0, len(indexes), LOOKUP_CHUNK):
            chunk = indexes[start : start + LOOKUP_CHUNK]
            cursor.execute(sql.format(", ".join(["%s"] * len(chunk))), chunk)
            found.extend(cursor.fetchall())
    return found


def people_by_index(indexes: list[str]) -> dict[str, int]:
    """Blind index → the member's Person id, for the indexes that are members'."""
    return dict(_by_index(PEOPLE_SQL, indexes))


def _memo(cache: dict[tuple[type, Any], Any], value: Any, parse: Callable[[Any], Any]) -> Any:
    """`parse(value)`, or the exception it raised, remembered by the cell's type and value."""
    try:
        key = (type(value), value)
        found = cache.get(key, _MISSING)
    except TypeError:  # an unhashable cell: read it each time
        return parse(value)
    if found is _MISSING:
        try:
            found = cache[key] = parse(value)
        except (AmountError, CellError) as exc:
            found = cache[key] = exc
    if isinstance(found, AmountError | CellError):
        raise found
    return found


_MISSING = object()


class DonationsKind:
    """The payroll deduction file (see the module docstring)."""

    name = "donations"
    columns = COLUMNS
    prepare_ahead = True  # `prepare` needs no database: the engine runs it a batch ahead, in a child

    def __init__(self, *, actor: User | None, scope: Scope | None, org: Org | None) -> None:
        self.actor, self.scope, self.org = actor, scope, org
        self.today = timezone.localdate()
        self.seen: dict[tuple[int, str, date, str], int] = {}  # natural key → first row number, across batches
        self.usccs: dict[str, str | InvalidIdentifier] = {}  # as written → cleaned, or why not
        # A payroll file repeats a few amounts and one day per enterprise on every row: each is read once.
        self.amounts: dict[tuple[type, Any], Any] = {}
        self.days: dict[tuple[type, Any], Any] = {}
        with unscoped():
            funds = Fund.all_objects.all()
            if org is not None:
                funds = funds.filter(subtree_q("org_path", org.path))
            mine = [f for f in funds.only("pk", "name", "org_path", "opened_on") if self._may(f.org_path)]
        self.by_id = {str(f.pk): f for f in mine}
        self.by_name: dict[str, list[Fund]] = {}
        for f in mine:
            self.by_name.setdefault(f.name, []).append(f)

    def _may(self, path: str) -> bool:
        return self.scope is None or self.scope.has_perm(CharityPerm.DONATION, path)

    def check_table(self, table: Table) -> list[str]:
        return []

    def prepare(self, rows: list[Row]) -> None:
        """Clean every row's cells without the database."""
        for row in rows:
            row.prepared = self._cells(row)

    def _cells(self, row: Row) -> PayrollCells | None:
        v = row.values
        out: dict[str, Any] = {}
        for key in ("fund", "name"):
            try:
                text = cell_text(v.get(key))
                if not text:
                    row.reject(HEADERS[key], "不能为空")
                elif len(text) > (100 if key == "fund" else 200):
                    row.reject(HEADERS[key], "过长")
                out[key] = text
            except CellError as exc:
                row.reject(HEADERS[key], str(exc))
        try:
            out["uscc"] = self._uscc(cell_text(v.get("uscc")))
            if not out["uscc"]:
                row.reject(HEADERS["uscc"], "不能为空")
        except (CellError, InvalidIdentifier) as exc:
            row.reject(HEADERS["uscc"], str(exc))
        try:
            number = cell_text(v.get("id_number"))
            if lost_digits(number):
                raise CellError("号码的末几位已被表格软件改成 0，请把该列设为文本格式后重新填写")
            identity = parse_identity(number, today=self.today)
            out.update(index=identity.index, cipher=identity.cipher(), masked=identity.masked)
        except (CellError, FieldError) as exc:
            row.reject(HEADERS["id_number"], str(exc))
        try:
            out["amount_fen"] = _memo(self.amounts, v.get("amount"), parse_yuan)
        except AmountError as exc:
            row.reject(HEADERS["amount"], amount_refusal(exc, allow_zero=False))
        try:
            day = _memo(self.days, v.get("day"), parse_date)
            if day is None:
                row.reject(HEADERS["day"], "不能为空")
            elif day > self.today:
                row.reject(HEADERS["day"], "不能晚于今天")
            out["day"] = day
        except CellError as exc:
            row.reject(HEADERS["day"], str(exc))
        try:
            out["anonymous"] = bool(parse_bool(v.get("anonymous")))
        except (CellError, ValueError) as exc:
            row.reject(HEADERS["anonymous"], str(exc))
        return None if row.errors else PayrollCells(**out)

    def _uscc(self, text: str) -> str:
        """A USCC cleaned once per file: an enterprise's file names one or a few, on every row."""
        found = self.usccs.get(text)
        if found is None:
            try:
                found = self.usccs[text] = clean_uscc(text)
            except InvalidIdentifier as exc:
                self.usccs[text] = exc
                raise
        if isinstance(found, InvalidIdentifier):
            raise InvalidIdentifier(str(found))
        return found

    def _fund(self, row: Row, text: str) -> Fund | None:
        fund = self.by_id.get(text)
        if fund is None:
            named = self.by_name.get(text, [])
            if len(named) > 1:
                row.reject(HEADERS["fund"], f"名为“{text}”的基金不止一个，请填写基金编号")
                return None
            fund = named[0] if named else None
        if fund is None:
            row.reject(HEADERS["fund"], NOT_FOUND)
        return fund

    def process(self, rows: list[Row], *, dry_run: bool) -> dict[str, int]:
        """Write the batch in one transaction; once more if a concurrent import inserted one of its rows."""
        errors = [list(r.errors) for r in rows]
        seen = dict(self.seen)
        try:
            return self._process(rows, dry_run=dry_run)
        except IntegrityError:
            for row, before in zip(rows, errors, strict=True):
                row.errors[:] = before
            self.seen = seen
            return self._process(rows, dry_run=dry_run)

    def _process(self, rows: list[Row], *, dry_run: bool) -> dict[str, int]:
        counts: Counter[str] = Counter()
        cleaned: list[tuple[Row, PayrollCells, Fund]] = []
        for row in rows:
            cells = row.prepared
            if cells is None or row.errors:
                continue
            fund = self._fund(row, cells.fund)
            if fund is None:
                continue
            if cells.day < fund.opened_on:
                row.reject(HEADERS["day"], f"早于基金设立日期（{fund.opened_on:%Y-%m-%d}）")
                continue
            key = (fund.pk, cells.uscc, cells.day, cells.index)
            first = self.seen.setdefault(key, row.number)
            if first != row.number:
                row.reject(HEADERS["id_number"], f"与第 {first} 行是同一职工同一天在同一单位的捐款")
                continue
            cleaned.append((row, cells, fund))
        with transaction.atomic(), unscoped():
            fund_ids = sorted({f.pk for _r, _c, f in cleaned})
            locked = {f.pk: f for f in Fund.all_objects.select_for_update().filter(pk__in=fund_ids).order_by("pk")}
            indexes = list({c.index for _r, c, _f in cleaned})
            people = people_by_index(indexes)
            # Rows seen before, by the workers' blind indexes alone: one probe of its index per worker.
            # (Asked with the funds, USCCs and days as well, SQLite's planner took the fund's index and
            # scanned every donation of the fund for each batch: the import slowed as the fund grew.)
            existing: dict[tuple[int, str, date, str], int] = {}
            for fund_id, uscc, day, index, amount in _by_index(SEEN_SQL, indexes):
                if isinstance(day, str):  # SQLite hands dates back as text
                    day = date.fromisoformat(day)
                existing[(fund_id, uscc, day, index)] = amount
            new: list[tuple[PayrollCells, Fund]] = []
            for row, c, fund in cleaned:
                old = existing.get((fund.pk, c.uscc, c.day, c.index))
                if old == c.amount_fen:
                    counts["unchanged"] += 1
                    continue
                if old is not None:
                    row.reject(HEADERS["amount"], "该职工这一天的捐款已导入，金额与此前不同，请核实")
                    continue
                new.append((c, locked[fund.pk]))
            counts["created"] = len(new)
            counts["rejected"] = sum(1 for r in rows if r.errors)
            if dry_run:
                transaction.set_rollback(True)
                return dict(counts)
            self._write(new, people)
        return dict(counts)

    def _write(self, new: list[tuple[PayrollCells, Fund]], people: dict[str, int]) -> None:
        book_donations(new, people, actor_id=self.actor.pk if self.actor is not None else None)

    def audit(self, summary: dict[str, Any], path: str) -> None:
        audit_import(actor=self.actor, action="charity.donation.import", org=self.org, summary=summary, path=path)


def book_donations(
    new: list[tuple[PayrollCells, Fund]],
    people: dict[str, int],
    *,
    actor_id: int | None,
    donor_kind: str = DonorKind.INDIVIDUAL,
    channel: str = Channel.PAYROLL,
) -> None:
    """Donations and their ledger rows as plain tuples (COPY on PostgreSQL), each fund's balance moved once.

    The caller holds the funds' rows locked (`select_for_update`) and passes them: their running
    totals are read and moved here. `people` maps a blind index to a member's Person. Used by the
    payroll import and by the demo (an enterprise's own gifts with `donor_kind` enterprise).
    """
    now = timezone.now()
    ids = reserve_ids(Donation, len(new))
    donations, entries = [], []
    kind, how, donation_entry = str(donor_kind), str(channel), EntryKind.DONATION.value
    for pk, (c, fund) in zip(ids, new, strict=True):
        person_id = people.get(c.index)
        amount = c.amount_fen
        donations.append(
            (
                pk,
                fund.pk,
                fund.org_path,
                kind,
                c.name[:200],
                c.uscc,
                "",
                person_id,
                None if person_id else c.cipher,
                c.index,
                "" if person_id else c.masked,
                c.anonymous,
                how,
                amount,
                0,
                c.day,
                "",
                actor_id,
                now,
            )
        )
        fund.balance_fen += amount
        fund.inflow_fen += amount
        entries.append(
            (
                fund.pk,
                fund.org_path,
                donation_entry,
                amount,
                fund.balance_fen,
                fund.inflow_fen,
                fund.outflow_fen,
                c.day,
                pk,
                None,
                now,
            )
        )
    insert_rows(Donation, DONATION_FIELDS, donations)
    insert_rows(FundEntry, ENTRY_FIELDS, entries)
    for fund in {f.pk: f for _c, f in new}.values():
        fund.save(update_fields=["balance_fen", "inflow_fen"])


# --- the subtree's donations as a file ------------------------------------------------------------

EXPORT_HEADERS = [
    "基金",
    "捐赠人",
    "捐赠人类型",
    "捐赠方式",
    "统一社会信用代码",
    "证件号码",
    "金额（元）",
    "已退还（元）",
    "到账日期",
]


def export_donations(path: str, *, actor: User | None, org: Org | None, unmasked: bool, scope: Scope | None) -> int:
    """The donations of `org`'s subtree (all when None): anonymous as 爱心人士, IDs masked; audited."""
    from gonghui.core.audit import audit_record
    from gonghui.core.bulk import write_table
    from gonghui.core.errors import PermissionDeniedError

    if scope is not None and (org is None or not scope.has_perm(CharityPerm.VIEW, org.path)):
        raise PermissionDeniedError(CharityPerm.VIEW)
    kinds, channels = dict(DonorKind.choices), dict(Channel.choices)
    with unscoped():
        qs = Donation.all_objects.select_related("fund")
        if org is not None:
            qs = qs.filter(subtree_q("org_path", org.path))

        def lines() -> Iterator[list[Any]]:
            for d in qs.order_by("org_path", "received_on", "pk").iterator(chunk_size=2000):
                yield [
                    d.fund.name,
                    d.shown_donor,
                    str(kinds.get(d.donor_kind, d.donor_kind)),
                    str(channels.get(d.channel, d.channel)),
                    d.uscc,
                    "" if d.anonymous else d.id_masked,
                    fen_to_decimal(d.amount_fen),
                    fen_to_decimal(d.refunded_fen),
                    d.received_on.isoformat(),
                ]

        with transaction.atomic():
            count = write_table(path, EXPORT_HEADERS, lines(), sheet="捐赠")
            audit_record(
                actor=actor,
                action="charity.donation.export",
                org=org,
                data={"file": str(path).rsplit("/", 1)[-1], "rows": count, "unmasked": False},
            )
    return count
