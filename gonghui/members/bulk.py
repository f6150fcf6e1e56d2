"""Importing member rosters (花名册): the `members` kind of the bulk engine.

The natural key is the ID number's blind index. A row whose person has no live
membership is registered at its union (created); a row for a live member of
the same union updates what differs (updated) or nothing (unchanged); a live
member of another union is refused (that is a transfer). Each batch is
validated set-based — one query for the unions, one for the people, one for
their live memberships — and written in one transaction with the tallies.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from datetime import date
from operator import itemgetter
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from gonghui.accounts.models import User
from gonghui.core import crypto, words
from gonghui.core.audit import audit_record
from gonghui.core.bulk import CellError, Column, Table, cell_text, parse_date, write_retrying
from gonghui.core.bulk.engine import Row, audit_import
from gonghui.core.bulk.sql import insert_rows, reserve_ids, select_in
from gonghui.core.bulk.values import LOST_DIGITS, MonthOnly, lost_digits
from gonghui.core.errors import DomainError
from gonghui.core.scoping import Scope, unscoped
from gonghui.members.models import (
    LIVE_STATUSES,
    EventType,
    Membership,
    MembershipEvent,
    MembershipStatus,
    Person,
)
from gonghui.members.permissions import MemberPerm
from gonghui.members.services import TallyKey, tally_apply
from gonghui.members.validation import (
    CODE_FIELDS,
    ID_PURPOSE,
    FieldError,
    clean_mobile,
    clean_name,
    clean_person,
    code_labels,
    joined_on_reason,
    name_keys,
    parse_identity,
)
from gonghui.orgs.models import Org

# The headers unions put on their 会员实名制信息采集表 and 花名册 are aliases: a column is
# taken under any of its names (after `normalize_header`), never dropped for its wording.
COLUMNS = [
    Column("name", "姓名", ("会员姓名", "name"), required=True),
    Column(
        "id_number",
        "公民身份号码",
        ("身份证号", "身份证号码", "公民身份证号", "公民身份证号码", "身份证件号码", "证件号码", "证件号", "id_number"),
        required=True,
    ),
    Column(
        "mobile",
        "手机号码",
        (
            "手机号",
            "手机",
            "联系电话",
            "联系方式",
            "联系手机",
            "电话",
            "电话号码",
            "移动电话",
            "手机号码/联系电话",
            "mobile",
        ),
    ),
    Column("gender", "性别", ("gender", "sex")),  # checked against the ID number, not stored from here
    Column("birth_date", "出生年月", ("出生日期", "出生年月日", "birth_date")),  # checked likewise
    Column("ethnicity", "民族", ("ethnicity",)),
    Column("education", "学历", ("文化程度", "最高学历", "学历（文化程度）", "education")),
    Column("degree", "学位", ("最高学位", "degree")),
    Column("political_status", "政治面貌", ("政治身份", "political_status")),
    Column("hukou_type", "户籍类型", ("户口性质", "户籍性质", "户口类型", "hukou_type")),
    Column("is_migrant_worker", "是否农民工", ("农民工", "是否为农民工", "is_migrant_worker", "migrant")),
    Column("employment_status", "就业状况", ("就业状态", "employment_status")),
    Column("skill_level", "技能等级", ("职业技能等级", "技术等级", "skill_level")),
    Column(
        "new_employment_type", "新就业形态类别", ("新就业形态", "新就业形态类型", "从业类型", "new_employment_type")
    ),
    Column("employer", "工作单位", ("单位名称", "所在单位", "工作单位名称", "employer")),
    Column("position", "职务", ("岗位", "职务/岗位", "职务（岗位）", "position")),
    Column("org_code", "所属工会代码", ("工会代码", "org_code")),
    Column("joined_on", "入会日期", ("入会时间", "入会年月", "加入工会时间", "joined_on")),
    Column("card_no", "会员卡号", ("card_no",)),
    # The export's own columns: 会员编号 carries the identity when the ID number is masked;
    # 所属工会 and 会籍状态 are read-only there (a transfer or a status change has its own page).
    Column("member_no", "会员编号", ("member_no",)),
    Column("org_name", "所属工会", ("工会名称",)),
    Column("status", "会籍状态", ("status",)),
]
# What the export writes in place of an ID number or a mobile it may not show (core.masking).
MASKED_ID = re.compile(r"[0-9A-Z]{6}\*{4,}[0-9A-Z]{4}")
MASKED_MOBILE = re.compile(r"1\d{2}\*{4}\d{4}")
HEADERS = {c.key: c.header for c in COLUMNS}
PERSON_KEYS = (
    "name",
    "mobile",
    "ethnicity",
    "education",
    "political_status",
    "hukou_type",
    "is_migrant_worker",
    "employment_status",
    "new_employment_type",
    "employer",
    "degree",
    "skill_level",
    "position",
)


@dataclass(slots=True)
class _Parsed:
    row: Row
    index: str
    identity_value: str
    masked: str
    gender: str
    birth_date: date | None
    org: Org
    values: dict[str, Any]
    joined_on: date | None
    cipher: bytes


# Memoized cells per job stop growing here (a few hundred MB at most for a province's file).
MEMO_LIMIT = 500_000
_BLANK = object()
_ONE_PER_PERSON = frozenset({"name", "mobile"})


class _CellCleaner:
    """Cells to clean values, memoized for the job: rosters repeat their labels, units and dates.

    Every distinct cell is cleaned once by the registry's own cleaners
    (`clean_person`, `parse_date`), so an import gives the same values and the
    same Chinese reasons as the forms and the API.
    """

    def __init__(self, today: date) -> None:
        self.today = today
        self.memo: dict[tuple[str, type, Any], tuple[Any, str | None]] = {}

    def person_field(self, key: str, raw: Any) -> tuple[Any, str | None]:
        """(value, reason); value is `_BLANK` for an empty cell, which keeps what the registry has."""
        if key in _ONE_PER_PERSON:
            return self._clean(key, raw)  # a name or a mobile seldom repeats: not memoized
        memo_key = (key, type(raw), raw)
        hit = self.memo.get(memo_key)
        if hit is None:
            hit = self._clean(key, raw)
            if len(self.memo) < MEMO_LIMIT:
                self.memo[memo_key] = hit
        return hit

    def _clean(self, key: str, raw: Any) -> tuple[Any, str | None]:
        try:
            if key == "joined_on":
                joined = parse_date(raw)
                reason = joined_on_reason(joined, None, today=self.today)  # the birth date is checked per row
                return (None, reason) if reason is not None else (joined, None)
            text = cell_text(raw)
        except CellError as exc:
            return None, str(exc)
        if text == "":
            return _BLANK, None
        if key == "mobile" and lost_digits(text):
            return None, LOST_DIGITS
        if key in _ONE_PER_PERSON:  # their cleaners directly: clean_person's dicts cost more than they do
            try:
                return (clean_mobile(text) if key == "mobile" else clean_name(text)), None
            except FieldError as exc:
                return None, str(exc)
        cleaned, errors = clean_person({key: text}, partial=True)
        return cleaned.get(key), errors.get(key)


class MembersKind:
    name = "members"
    columns = COLUMNS
    prepare_ahead = True  # `prepare` is half the work and needs no database: the engine runs it in a child

    def __init__(self, *, actor: User | None, scope: Scope | None, default_org: Org | None) -> None:
        self.actor = actor
        self.scope = scope
        self.default_org = default_org
        self.seen: dict[str, int] = {}  # blind index → first row number, across batches
        self.totals: Counter[str] = Counter()
        self.month_only = 0  # rows whose 入会日期 gave a year and a month only
        self.masked = 0  # rows whose masked ID number (and mobile) were left alone, found by 会员编号
        self.today = timezone.localdate()
        self.cells = _CellCleaner(self.today)
        self.org_cache: dict[str, Org | None] = {}
        # The code tables are read here, on the caller's connection: `prepare` runs
        # in the engine's reading process and must not touch the database.
        for table in CODE_FIELDS.values():
            code_labels(table)
        words.preload()  # the everyday words too (admin synonyms): `prepare` matches them without a database

    def check_table(self, table: Table) -> list[str]:
        warnings = []
        if "org_code" not in table.mapping.values() and self.default_org is None:
            from gonghui.core.bulk import UnreadableFile

            raise UnreadableFile("文件中没有“所属工会代码”列，请在导入时指定工会（--org）")
        if "card_no" in table.mapping.values():
            warnings.append("“会员卡号”列暂不导入：会员服务卡上线后由卡片导入处理")
        return warnings

    # --- validation ------------------------------------------------------------------------------

    def prepare(self, rows: list[Row]) -> None:
        """Clean every row's cells without the database: the engine runs this a batch ahead, in a child process."""
        field = self.cells.person_field
        for row in rows:
            v = row.values
            identity = None
            member_no = ""
            try:
                number = cell_text(v.get("id_number"))
                if lost_digits(number):
                    raise CellError(LOST_DIGITS)
                if MASKED_ID.fullmatch(number.upper()):
                    # The export's masked number: the row names its person by 会员编号 and the ID stays as it is.
                    member_no = cell_text(v.get("member_no"))
                    if not member_no:
                        raise CellError("证件号码为脱敏显示，请填写会员编号或完整的证件号码")
                else:
                    identity = parse_identity(number, _id_type_of(number), today=self.today)
            except (FieldError, CellError) as exc:
                row.reject(HEADERS["id_number"], str(exc))
            if "mobile" in v and MASKED_MOBILE.fullmatch(cell_text(v.get("mobile"))):
                del v["mobile"]  # masked in the export: keep the registry's
            try:
                code = cell_text(v.get("org_code")).upper()
            except CellError as exc:
                code = ""
                row.reject(HEADERS["org_code"], str(exc))
            # A blank cell keeps what the registry has: only given cells are applied.
            values: dict[str, Any] = {}
            for key in PERSON_KEYS:
                if key in v:
                    value, reason = field(key, v[key])
                    if reason is not None:
                        row.reject(HEADERS[key], reason)
                    elif value is not _BLANK:
                        values[key] = value
                    elif key == "name":
                        row.reject(HEADERS["name"], "姓名不能为空")
            joined_on, reason = field("joined_on", v.get("joined_on"))
            if reason is not None:
                row.reject(HEADERS["joined_on"], reason)
            elif identity is not None and joined_on is not _BLANK:
                reason = joined_on_reason(joined_on, identity.birth_date, today=self.today)
                if reason is not None:
                    row.reject(HEADERS["joined_on"], reason)
            if identity is not None and identity.gender:
                _check_against_id(row, v, identity.gender, identity.birth_date)
            # A masked row's person is known only once 会员编号 is looked up (`_resolve`): its 性别,
            # 出生年月 and 入会日期 are checked there, against the registry's record.
            against_record = {k: v[k] for k in ("gender", "birth_date") if member_no and k in v}
            if "name" in values:
                # Search keys travel with the name, so a changed name never keeps stale keys.
                values["name_pinyin"], values["name_initials"] = name_keys(values["name"])
            # Sealed here too: a batch ahead of the writer, whether or not the person turns out new.
            cipher = crypto.encrypt(identity.value, purpose=ID_PURPOSE) if identity and not row.errors else b""
            # Plain tuples: the batch crosses a pipe, and dataclasses pickle several times slower.
            person = (
                (identity.index, identity.value, identity.masked, identity.gender, identity.birth_date)
                if identity is not None
                else None
            )
            joined = None if joined_on is _BLANK else joined_on
            row.prepared = (person, code, values, joined, cipher, member_no, against_record)
            row.values = {}  # consumed: `prepared` holds what the writer needs

    def _orgs(self, codes: set[str]) -> dict[str, Org | None]:
        """Unions by code (None: closed, unknown or outside the caller's scope), looked up once per job."""
        wanted = codes - self.org_cache.keys()
        if wanted:
            with unscoped():
                found = {o.code: o for o in Org.objects.filter(code__in=wanted, closed_on__isnull=True)}
            for code in wanted:
                org = found.get(code)
                if (
                    org is not None
                    and self.scope is not None
                    and not self.scope.has_perm(MemberPerm.REGISTER, org.path)
                ):
                    org = None
                self.org_cache[code] = org
        return self.org_cache

    def _resolve(self, rows: list[Row]) -> list[_Parsed]:
        """The prepared rows with their unions and duplicates within the file resolved."""
        if rows and rows[0].prepared is None:
            self.prepare(rows)  # called without the engine's read-ahead
        orgs = self._orgs({r.prepared[1] for r in rows} - {""})
        by_member_no = _people_by_member_no({r.prepared[5] for r in rows if r.prepared[5] and not r.errors})
        targets = [o for o in {*orgs.values(), self.default_org} if o is not None]
        open_now = _lock_open_orgs(targets)
        parsed: list[_Parsed] = []
        for row in rows:
            person, code, values, joined_on, cipher, member_no, against_record = row.prepared
            if member_no and not row.errors:
                person = by_member_no.get(member_no)
                if person is None:
                    row.reject(HEADERS["member_no"], f"会员编号“{member_no}”不存在，证件号码为脱敏显示，无法登记")
                else:
                    if person[3]:
                        _check_against_id(row, against_record, person[3], person[4])
                    reason = joined_on_reason(joined_on, person[4], today=self.today)
                    if reason is not None:
                        row.reject(HEADERS["joined_on"], reason)
            org = orgs.get(code) if code else self.default_org
            if org is None:
                row.reject(
                    HEADERS["org_code"], f"未找到工会代码“{code}”，或您无权在该工会登记会员" if code else "不能为空"
                )
            elif org.pk not in open_now:
                row.reject(HEADERS["org_code"], f"工会“{org.name}”已撤销，不能登记会员")
            if person is not None:
                first = self.seen.get(person[0])
                if first is not None:
                    row.reject(HEADERS["id_number"], f"与第 {first} 行是同一人（证件号码重复）")
                else:
                    self.seen[person[0]] = row.number
            if row.errors or org is None or person is None:
                continue
            index, value, masked, gender, birth_date = person
            parsed.append(_Parsed(row, index, value, masked, gender, birth_date, org, values, joined_on, cipher))
        return parsed

    # --- writing -------------------------------------------------------------------------------

    def _held_elsewhere(self, org_id: int, paths: dict[int, str]) -> str:
        """A live member of another union: said plainly inside the caller's scope, neutrally outside it
        (the file's ID number must not tell who is a member where)."""
        path = paths.get(org_id, "")
        if self.scope is None or self.scope.has_perm(MemberPerm.VIEW, path):
            return "该人员已在其他工会有有效会籍，请办理会籍接转"
        return str(DomainError("member.handled_elsewhere").message)

    def process(self, rows: list[Row], *, dry_run: bool) -> dict[str, int]:
        """Write the batch in one transaction; once more if a concurrent registration collided with it."""
        counts = write_retrying(self, rows, lambda: self._process(rows, dry_run=dry_run), state=("seen",))
        self.month_only += sum(1 for r in rows if not r.errors and isinstance(r.prepared[3], MonthOnly))
        self.masked += sum(1 for r in rows if not r.errors and r.prepared[5])
        return counts

    def notes(self) -> list[str]:
        """Said in the summary once the file is through."""
        notes = []
        if self.masked:
            notes.append(
                f"有 {self.masked} 行的证件号码为脱敏显示，已按会员编号找到本人，证件号码和脱敏的手机号码保持不变"
            )
        if self.month_only:
            notes.append(f"有 {self.month_only} 行的入会日期只写了年月（如 2023.5），已按当月 1 日登记")
        return notes

    def _process(self, rows: list[Row], *, dry_run: bool) -> dict[str, int]:
        counts: Counter[str] = Counter()
        with transaction.atomic(), unscoped():
            parsed = self._resolve(rows)
            # Plain rows, not models: building 5,000 Person instances cost more than the query.
            people = {
                p["id_index"]: p
                for p in (
                    dict(zip(PERSON_READ, r, strict=True))
                    for r in select_in(Person, PERSON_READ, "id_index", [r.index for r in parsed])
                )
            }
            live_statuses = [str(s) for s in LIVE_STATUSES]
            live = dict(
                select_in(
                    Membership,
                    ("person", "org"),
                    "person",
                    [p["id"] for p in people.values()],
                    where=f"AND status IN ({', '.join(['%s'] * len(live_statuses))})",
                    params=live_statuses,
                )
            )
            # Where the live memberships are, for the refusal's wording (inside the caller's scope or not).
            live_paths = dict(Org.all_objects.filter(pk__in=set(live.values())).values_list("pk", "path"))
            new_people: list[tuple[_Parsed, dict[str, Any]]] = []
            joins: list[tuple[_Parsed, dict[str, Any]]] = []
            changed: list[dict[str, Any]] = []
            flags_moved: dict[int, tuple[tuple[bool, bool], tuple[bool, bool]]] = {}
            tally: Counter[TallyKey] = Counter()
            for item in parsed:
                person = people.get(item.index)
                if person is None:
                    new_people.append((item, self._new_person(item)))
                    continue
                org_id = live.get(person["id"])
                if org_id is not None and org_id != item.org.pk:
                    item.row.reject(HEADERS["id_number"], self._held_elsewhere(org_id, live_paths))
                    continue
                before = _flags(person)
                values = item.values
                if org_id is not None and _joined_edited(person["joined_on"], item.joined_on):
                    # A member's 入会日期 corrected in the file (as the member page may): a roster's
                    # 2023.5 keeps a stored day of that month. A person joining again keeps their first.
                    values = {**values, "joined_on": _plain_date(item.joined_on)}
                diff = _apply(person, values)
                if diff:
                    changed.append(person)
                    if _flags(person) != before:
                        flags_moved[person["id"]] = (before, _flags(person))
                if org_id is None:
                    joins.append((item, person))
                elif diff:
                    counts["updated"] += 1
                else:
                    counts["unchanged"] += 1
            counts["created"] += len(new_people) + len(joins)
            counts["rejected"] = sum(1 for r in rows if r.errors)
            if dry_run:
                transaction.set_rollback(True)
                return dict(counts)
            # Every membership a person held counts under their flags: move the old ones too.
            for org_id, org_path, status, person_id in Membership.all_objects.filter(
                person_id__in=flags_moved
            ).values_list("org_id", "org_path", "status", "person_id"):
                before, after = flags_moved[person_id]
                tally[(org_id, org_path, status, *before)] -= 1
                tally[(org_id, org_path, status, *after)] += 1
            self._write(new_people, joins, changed, tally)
        self.totals.update(counts)
        return dict(counts)

    def _new_person(self, item: _Parsed) -> dict[str, Any]:
        person = dict(PERSON_DEFAULTS)
        person.update(
            id_type=_id_type_of(item.identity_value),
            id_cipher=item.cipher,
            id_index=item.index,
            id_masked=item.masked,
            gender=item.gender,
            birth_date=item.birth_date,
            joined_on=item.joined_on or self.today,
        )
        _apply(person, item.values)
        return person

    def _write(
        self,
        new_people: list[tuple[_Parsed, dict[str, Any]]],
        joins: list[tuple[_Parsed, dict[str, Any]]],
        changed: list[dict[str, Any]],
        tally: Counter[TallyKey],
    ) -> None:
        now = timezone.now()
        if new_people:
            for (_item, person), pk in zip(new_people, reserve_ids(Person, len(new_people)), strict=True):
                person["id"] = pk
                person["member_no"] = f"{pk:010d}"
                person["created_at"] = person["updated_at"] = now
            insert_rows(Person, PERSON_INSERT, [_person_row(p) for _i, p in new_people])
        if changed:
            _update_people(changed)
        joining = [*new_people, *joins]
        for _item, person in joins:
            if person["member_no"] is None:
                person["member_no"] = f"{person['id']:010d}"
                Person.objects.filter(pk=person["id"]).update(member_no=person["member_no"])
        ms_ids = reserve_ids(Membership, len(joining))
        memberships = []
        for (item, person), ms_id in zip(joining, ms_ids, strict=True):
            started = item.joined_on or self.today
            memberships.append((ms_id, person["id"], item.org.pk, item.org.path, MembershipStatus.ACTIVE, started))
            tally[(item.org.pk, item.org.path, MembershipStatus.ACTIVE, *_flags(person))] += 1
        insert_rows(
            Membership,
            (
                "id",
                "person_id",
                "org_id",
                "org_path",
                "status",
                "started_on",
                "status_reason",
                "application",
                "created_at",
                "updated_at",
            ),
            [(*m, "", NO_APPLICATION, now, now) for m in memberships],
        )
        insert_rows(
            MembershipEvent,
            ("membership_id", "org_path", "event_type", "reason", "on", "at"),
            ((m[0], m[3], EventType.JOIN, "批量导入", m[5], now) for m in memberships),
        )
        tally_apply(tally)

    def audit(self, summary: dict[str, Any], path: str) -> None:
        """One audit event for the whole job (DESIGN §3.4)."""
        audit_import(actor=self.actor, action="members.import", org=self.default_org, summary=summary, path=path)


def _lock_open_orgs(orgs: list[Org]) -> set[int]:
    """The ids of `orgs` still open, share-locked on PostgreSQL until the batch commits.

    A union closed (or moved) since the job looked it up takes no new members:
    the lock conflicts with the FOR UPDATE `org_close` takes, and the path is
    read fresh for the new memberships.
    """
    if not orgs:
        return set()
    ids = sorted(o.pk for o in orgs)
    lock = " FOR SHARE" if connection.vendor == "postgresql" else ""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id, path FROM orgs_org WHERE id IN ({', '.join(['%s'] * len(ids))}) "  # noqa: S608
            f"AND closed_on IS NULL ORDER BY id{lock}",
            ids,
        )
        paths = dict(cursor.fetchall())
    for org in orgs:
        if org.pk in paths:
            org.path = paths[org.pk]
    return set(paths)


def _flags(person: dict[str, Any]) -> tuple[bool, bool]:
    return bool(person["new_employment_type"]), bool(person["is_migrant_worker"])


def _people_by_member_no(numbers: set[str]) -> dict[str, tuple[str, str, str, str, date | None]]:
    """Person tuples (as `prepare` makes them, without the clear number) by 会员编号, one query."""
    if not numbers:
        return {}
    with unscoped():
        rows = Person.objects.filter(member_no__in=numbers).values_list(
            "member_no", "id_index", "id_masked", "gender", "birth_date"
        )
        return {str(no): (index, "", masked, gender, birth) for no, index, masked, gender, birth in rows}


def _check_against_id(row: Row, v: dict[str, Any], gender: str, birth_date: date | None) -> None:
    """性别 and 出生年月, where the file gives them, must agree with the ID number: one of them is mistyped."""
    if v.get("gender") not in (None, ""):
        try:
            given = words.match("gender", v["gender"])
        except words.ChoiceError as exc:
            row.reject(HEADERS["gender"], str(exc))
        else:
            if given and given != gender:
                row.reject(
                    HEADERS["gender"],
                    f"与证件号码不符（证件号码为{dict(words.choice_table('gender').options())[gender]}性），请核对性别或证件号码",
                )
    if v.get("birth_date") not in (None, "") and birth_date is not None:
        try:
            given_birth = parse_date(v["birth_date"])
        except CellError as exc:
            row.reject(HEADERS["birth_date"], str(exc))
            return
        if given_birth is None:
            return
        same = (
            (given_birth.year, given_birth.month) == (birth_date.year, birth_date.month)
            if isinstance(given_birth, MonthOnly)
            else given_birth == birth_date
        )
        if not same:
            row.reject(HEADERS["birth_date"], "与证件号码中的出生日期不符，请核对出生年月或证件号码")


def _id_type_of(number: str) -> str:
    # Residence permits are GB 11643 numbers of their own type (81/82 港澳, 83 台湾).
    prefix = number.strip()[:2]
    return "3" if prefix in ("81", "82") else "4" if prefix == "83" else "1"


def _joined_edited(stored: date | str | None, given: date | None) -> bool:
    """Whether the file's 入会日期 differs from the registry's (read raw: SQLite gives text)."""
    if given is None:
        return False
    if isinstance(stored, str):
        stored = date.fromisoformat(stored)
    if isinstance(given, MonthOnly) and stored is not None:
        return (stored.year, stored.month) != (given.year, given.month)
    return stored != given


def _plain_date(value: date | None) -> date | None:
    """A `MonthOnly` as the plain date the database adapters know."""
    return None if value is None else date(value.year, value.month, value.day)


def _apply(person: dict[str, Any], values: dict[str, Any]) -> bool:
    """Set the row's person fields; True when anything changed. Blank cells keep what is there."""
    changed = False
    for key, value in values.items():
        if person[key] != value:
            person[key] = value
            changed = True
    if "name_pinyin" not in values and (changed or not person["name_pinyin"]):
        person["name_pinyin"], person["name_initials"] = name_keys(person["name"])
    return changed


NO_APPLICATION: dict[str, Any] = {}  # one object for every imported membership: adapted once
UPDATED_COLUMNS = (*PERSON_KEYS, "name_pinyin", "name_initials", "joined_on")
PERSON_INSERT = (
    "id",
    "name",
    "name_pinyin",
    "name_initials",
    "id_type",
    "id_cipher",
    "id_index",
    "id_masked",
    "gender",
    "birth_date",
    "ethnicity",
    "education",
    "degree",
    "political_status",
    "hukou_type",
    "is_migrant_worker",
    "hukou_region",
    "residence_region",
    "residence_address",
    "employment_status",
    "skill_level",
    "new_employment_type",
    "mobile",
    "employer",
    "employer_uscc",
    "position",
    "is_model_worker",
    "emergency_contact",
    "emergency_phone",
    "member_no",
    "joined_on",
    "created_at",
    "updated_at",
)
_person_row = itemgetter(*PERSON_INSERT)
PERSON_READ = ("id", "id_index", "member_no", *UPDATED_COLUMNS)
# A new person's columns the file does not give take the model's defaults.
PERSON_DEFAULTS: dict[str, Any] = {
    f.name: f.get_default() for f in Person._meta.concrete_fields if f.name in PERSON_INSERT
}


def _update_people(people: list[dict[str, Any]]) -> None:
    """One parameterized UPDATE per person through executemany.

    Django's `bulk_update` builds a CASE per column over the whole batch, which
    took 45 s for 20,000 changed people on SQLite; this takes well under one.
    """
    table = Person._meta.db_table
    sets = ", ".join(f"{getattr(Person._meta.get_field(c), 'column', c)} = %s" for c in UPDATED_COLUMNS)
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {table} SET {sets}, updated_at = %s WHERE id = %s",  # noqa: S608 - column names are ours
            [[*(p[c] for c in UPDATED_COLUMNS), now, p["id"]] for p in people],
        )


# --- export ---------------------------------------------------------------------------------------

EXPORT_HEADERS = [
    "会员编号",
    "姓名",
    "公民身份号码",
    "手机号码",
    "性别",
    "民族",
    "学历",
    "政治面貌",
    "户籍类型",
    "是否农民工",
    "就业状况",
    "新就业形态类别",
    "工作单位",
    "所属工会代码",
    "所属工会",
    "会籍状态",
    "入会日期",
]


def export_members(
    path: str,
    *,
    actor: User | None,
    org: Org | None,
    unmasked: bool = False,
    scope: Scope | None = None,
) -> int:
    """Write the live members of `org`'s subtree (all when None) to XLSX or CSV.

    ID and mobile numbers are masked unless `unmasked`, which needs
    `members.person.view_id` on the subtree and is audited; the export itself
    is audited either way, with its row count.
    """
    from gonghui.core import crypto
    from gonghui.core.bulk import write_table
    from gonghui.core.errors import PermissionDeniedError
    from gonghui.core.masking import mask_mobile
    from gonghui.core.scoping import subtree_q
    from gonghui.members.models import MEMBER_STATUSES
    from gonghui.members.validation import ID_PURPOSE, code_label

    if unmasked and scope is not None and (org is None or not scope.has_perm(MemberPerm.VIEW_ID, org.path)):
        raise PermissionDeniedError(MemberPerm.VIEW_ID)
    status_labels = dict(MembershipStatus.choices)
    with unscoped():
        qs = Membership.objects.filter(status__in=MEMBER_STATUSES)
        if org is not None:
            qs = qs.filter(subtree_q("org_path", org.path))
        elif scope is not None and not scope.is_superuser:
            qs = Membership.objects.within(scope, MemberPerm.VIEW).filter(status__in=MEMBER_STATUSES)
        fields = (
            "person__member_no",
            "person__name",
            "person__id_cipher",
            "person__id_masked",
            "person__mobile",
            "person__gender",
            "person__ethnicity",
            "person__education",
            "person__political_status",
            "person__hukou_type",
            "person__is_migrant_worker",
            "person__employment_status",
            "person__new_employment_type",
            "person__employer",
            "org__code",
            "org__name",
            "status",
            "person__joined_on",
        )
        rows = qs.order_by("org_path", "id").values_list(*fields).iterator(chunk_size=2000)

        def lines() -> Any:
            for r in rows:
                (no, name, cipher, masked, mobile, gender, eth, edu, pol, hukou, migrant, emp, ne, employer,
                 org_code, org_name, status, joined) = r  # fmt: skip
                yield [
                    no,
                    name,
                    crypto.decrypt(bytes(cipher), purpose=ID_PURPOSE) if unmasked else masked,
                    (mobile if unmasked else mask_mobile(mobile)) if mobile else "",
                    {"1": "男", "2": "女"}.get(gender, ""),
                    code_label("ethnicity", eth),
                    code_label("education", edu),
                    code_label("political_status", pol),
                    code_label("hukou_type", hukou),
                    "是" if migrant else "否",
                    code_label("employment_status", emp),
                    code_label("new_employment_type", ne),
                    employer,
                    org_code,
                    org_name,
                    str(status_labels.get(status, status)),
                    joined.isoformat() if joined else "",
                ]

        with transaction.atomic():
            count = write_table(path, EXPORT_HEADERS, lines(), sheet="会员名册")
            audit_record(
                actor=actor,
                action="members.export.unmasked" if unmasked else "members.export",
                org=org,
                data={"file": str(path).rsplit("/", 1)[-1], "rows": count, "unmasked": unmasked},
            )
    return count
