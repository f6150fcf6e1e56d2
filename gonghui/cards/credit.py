"""黔优信用卡 referrals (DOMAIN §3, §10): the credit-card applications unions refer to the bank.

The bank reports each application in a file (申请编号, 姓名, 证件号码, 推荐工会代码,
申请日期, 审批结果, 授信额度（元）, 审批日期); `CreditReferralsKind` imports it
through the bulk engine, set-based:

- a row is matched to the bank's earlier report by (bank, 申请编号): the same file
  twice changes nothing, and a later file moves an application from 审批中 to
  已核准/未核准; a decided application keeps its decision (a contradicting row is
  refused, for the union to take up with the bank);
- the applicant is linked to the member whose ID number has the same blind index;
  the number itself is never stored in clear, logged or echoed in a reason;
- the referring union must lie in the importer's subtree (where they hold
  cards.card.manage): a row naming another union is refused, never written.

`export_credit_referrals` writes the subtree's referrals as a file (reading them
through `selectors.referrals_in_subtree`); `credit_referrals_bulk_create` is the
unchecked set-based insert for trusted loads (the demo's 37.2万 cards, drawn in
`demo.py`). What the bank's import files share is `bank_files.py`; the reads for
pages and the API are `selectors.py`'s.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone

from gonghui.accounts.models import User
from gonghui.cards.bank_files import BankFileKind, row_bank
from gonghui.cards.models import BankPartner, CreditCardReferral, ReferralStatus
from gonghui.cards.money import yuan_cell_to_fen
from gonghui.cards.selectors import referrals_in_subtree
from gonghui.core import crypto
from gonghui.core.audit import audit_record
from gonghui.core.bulk import CellError, Column, cell_text, parse_date
from gonghui.core.bulk.engine import Row, audit_import
from gonghui.core.bulk.sql import insert_rows
from gonghui.core.bulk.values import LOST_DIGITS, lost_digits
from gonghui.core.money import fen_to_yuan
from gonghui.core.scoping import Scope, unscoped
from gonghui.members.bulk import MASKED_ID
from gonghui.members.models import Person
from gonghui.members.validation import ID_PURPOSE, FieldError, clean_name, parse_identity
from gonghui.orgs.models import Org

COLUMNS = [
    Column(
        "reference", "申请编号", ("申请号", "申请流水号", "申请件编号", "bank_reference", "reference"), required=True
    ),
    Column("name", "姓名", ("申请人姓名", "客户姓名", "申请人", "name"), required=True),
    Column("id_number", "证件号码", ("身份证号", "身份证号码", "公民身份号码", "id_number"), required=True),
    Column("org_code", "推荐工会代码", ("推荐单位代码", "工会代码", "推荐工会", "org_code"), required=True),
    Column("applied_on", "申请日期", ("进件日期", "applied_on"), required=True),
    Column("result", "审批结果", ("审批状态", "审核结果", "result", "status"), required=True),
    Column("credit_line", "授信额度（元）", ("授信额度", "核准额度", "额度", "credit_line")),
    Column("decided_on", "审批日期", ("核准日期", "审批时间", "decided_on")),
    Column("bank", "银行代码", ("bank", "bank_code")),
    # Our own export's column, read-only (the link to a member follows the ID number). Its 推荐工会
    # (the union's name) comes after 推荐工会代码 and is left aside as a second 推荐工会 column.
    Column("is_member", "是否会员", ("is_member",)),
]
HEADERS = {c.key: c.header for c in COLUMNS}

APPROVED_WORDS = frozenset(
    {"通过", "审批通过", "核准", "已核准", "批准", "已批准", "同意", "核卡", "已核卡", "approved", "approve"}
)
REJECTED_WORDS = frozenset(
    {"拒绝", "已拒绝", "拒批", "未通过", "不通过", "审批拒绝", "未核准", "否决", "rejected", "reject", "declined"}
)
APPLIED_WORDS = frozenset(
    {"", "审批中", "处理中", "受理中", "已受理", "申请中", "已申请", "待审批", "applied", "pending", "processing"}
)
REFERENCE = re.compile(r"[0-9A-Za-z][0-9A-Za-z_\-/.]{0,39}")
STATUS_LABELS = dict(ReferralStatus.choices)
MATCH_FIELDS = ("name", "applied_on", "status", "credit_line_fen", "decided_on")


def parse_referral_status(value: Any) -> str:
    text = cell_text(value).lower()
    if text in APPROVED_WORDS:
        return ReferralStatus.APPROVED
    if text in REJECTED_WORDS:
        return ReferralStatus.REJECTED
    if text in APPLIED_WORDS:
        return ReferralStatus.APPLIED
    raise CellError("应为“通过”“拒绝”或“审批中”")


def parse_reference(value: Any) -> str:
    text = cell_text(value)
    if not text:
        raise CellError("不能为空")
    if not REFERENCE.fullmatch(text):
        raise CellError("应为 1–40 位字母、数字或 - _ / .")
    return text


def _id_type_of(number: str) -> str:
    # Residence permits are GB 11643 numbers of their own type (81/82 港澳, 83 台湾), as in the roster import.
    prefix = number.strip()[:2]
    return "3" if prefix in ("81", "82") else "4" if prefix == "83" else "1"


@dataclass
class _Clean:
    row: Row
    reference: str
    bank: BankPartner
    org_code: str
    name: str
    index: str
    masked: str
    id_value: str
    applied_on: date
    status: str
    credit_line_fen: int
    decided_on: date | None


class CreditReferralsKind(BankFileKind):
    """The bank's file of credit-card applications (see the module docstring)."""

    name = "credit_referrals"
    columns = COLUMNS

    def __init__(self, *, actor: User | None, scope: Scope | None, org: Org | None) -> None:
        super().__init__(actor=actor, scope=scope, org=org)
        self.org_cache: dict[str, Org | None] = {}

    def prepare(self, rows: list[Row]) -> None:
        """Nothing ahead of time: the cleaning needs the banks, and the file is the bank's, not a roster."""

    # --- validation ------------------------------------------------------------------------------

    def _clean(self, row: Row) -> _Clean | None:
        v = row.values
        out: dict[str, Any] = {}
        try:
            out["reference"] = parse_reference(v.get("reference"))
        except CellError as exc:
            row.reject(HEADERS["reference"], str(exc))
        try:
            out["name"] = clean_name(cell_text(v.get("name")))
        except (FieldError, CellError) as exc:
            row.reject(HEADERS["name"], str(exc))
        try:
            number = cell_text(v.get("id_number"))
            if lost_digits(number):
                raise CellError(LOST_DIGITS)
            if MASKED_ID.fullmatch(number.upper()):
                # Our export's masked number: the application is found by its 申请编号 (`_process`).
                out["identity"], out["masked"] = None, number.upper()
            else:
                out["identity"] = parse_identity(number, _id_type_of(number), today=self.today)
        except (FieldError, CellError) as exc:
            row.reject(HEADERS["id_number"], str(exc))
        try:
            out["org_code"] = cell_text(v.get("org_code")).upper()
            if not out["org_code"]:
                row.reject(HEADERS["org_code"], "不能为空")
        except CellError as exc:
            row.reject(HEADERS["org_code"], str(exc))
        try:
            applied_on = parse_date(v.get("applied_on"))
            if applied_on is None:
                row.reject(HEADERS["applied_on"], "不能为空")
            elif applied_on > self.today:
                row.reject(HEADERS["applied_on"], "不能晚于今天")
            else:
                out["applied_on"] = applied_on
        except CellError as exc:
            row.reject(HEADERS["applied_on"], str(exc))
        status = None
        try:
            status = out["status"] = parse_referral_status(v.get("result"))
        except CellError as exc:
            row.reject(HEADERS["result"], str(exc))
        try:
            given = v.get("credit_line") not in (None, "") and cell_text(v.get("credit_line")) != ""
            line = yuan_cell_to_fen(v.get("credit_line"), zero=True) if given else 0
            if status == ReferralStatus.APPROVED and line == 0:
                row.reject(HEADERS["credit_line"], "已核准的申请须有授信额度")
            elif status in (ReferralStatus.APPLIED, ReferralStatus.REJECTED) and line:
                row.reject(HEADERS["credit_line"], f"审批结果为“{STATUS_LABELS[status]}”时不应有授信额度")
            out["credit_line_fen"] = line
        except CellError as exc:
            row.reject(HEADERS["credit_line"], str(exc))
        try:
            decided_on = parse_date(v.get("decided_on"))
            if status is not None and status != ReferralStatus.APPLIED:
                if decided_on is None:
                    row.reject(HEADERS["decided_on"], "已审批的申请须有审批日期")
                elif decided_on > self.today:
                    row.reject(HEADERS["decided_on"], "不能晚于今天")
                elif "applied_on" in out and decided_on < out["applied_on"]:
                    row.reject(HEADERS["decided_on"], "不能早于申请日期")
            # An application still in progress has no decision date, whatever the cell says.
            out["decided_on"] = decided_on if status != ReferralStatus.APPLIED else None
        except CellError as exc:
            row.reject(HEADERS["decided_on"], str(exc))
        bank = row_bank(row, self.banks, HEADERS["bank"])
        if bank is not None and "reference" in out:
            first = self.seen.setdefault((bank.pk, out["reference"]), row.number)
            if first != row.number:
                row.reject(HEADERS["reference"], f"与第 {first} 行的申请编号相同")
        if row.errors or bank is None:
            return None
        identity = out["identity"]
        return _Clean(
            row=row,
            reference=out["reference"],
            bank=bank,
            org_code=out["org_code"],
            name=out["name"],
            index=identity.index if identity else "",
            masked=identity.masked if identity else out["masked"],
            id_value=identity.value if identity else "",
            applied_on=out["applied_on"],
            status=out["status"],
            credit_line_fen=out["credit_line_fen"],
            decided_on=out["decided_on"],
        )

    def _orgs(self, codes: set[str]) -> dict[str, Org | None]:
        """Unions by code; None: unknown, or outside the job's union or the actor's grants."""
        wanted = codes - self.org_cache.keys()
        if wanted:
            with unscoped():
                found = {o.code: o for o in Org.objects.filter(code__in=wanted)}
            for code in wanted:
                org = found.get(code)
                if org is not None and not self._may(org.path):
                    org = None
                self.org_cache[code] = org
        return self.org_cache

    # --- writing -------------------------------------------------------------------------------

    def _process(self, rows: list[Row], *, dry_run: bool) -> dict[str, int]:
        counts: Counter[str] = Counter()
        with transaction.atomic(), unscoped():
            cleaned = [c for row in rows if (c := self._clean(row)) is not None]
            orgs = self._orgs({c.org_code for c in cleaned})
            existing: dict[tuple[int, str], CreditCardReferral] = {}
            for bank_id in {c.bank.pk for c in cleaned}:
                refs = [c.reference for c in cleaned if c.bank.pk == bank_id]
                for referral in CreditCardReferral.all_objects.filter(bank_id=bank_id, bank_reference__in=refs):
                    existing[(bank_id, referral.bank_reference)] = referral
            cleaned = [c for c in cleaned if self._unmask(c, existing.get((c.bank.pk, c.reference)))]
            people = dict(
                Person.objects.filter(id_index__in=list({c.index for c in cleaned})).values_list("id_index", "pk")
            )
            now = timezone.now()
            new: list[tuple[Any, ...]] = []
            changed: list[CreditCardReferral] = []
            for c in cleaned:
                org = orgs.get(c.org_code)
                if org is None:
                    c.row.reject(HEADERS["org_code"], f"未找到工会代码“{c.org_code}”，或该工会不在您的管辖范围内")
                    continue
                person_id = people.get(c.index)
                old = existing.get((c.bank.pk, c.reference))
                if old is None:
                    new.append(
                        (
                            c.bank.pk,
                            c.reference,
                            org.pk,
                            org.path,
                            person_id,
                            c.name,
                            # A member's number is sealed on the person already: no second copy.
                            None if person_id else crypto.encrypt(c.id_value, purpose=ID_PURPOSE),
                            c.index,
                            c.masked,
                            c.applied_on,
                            c.status,
                            c.credit_line_fen,
                            c.decided_on,
                            now,
                            now,
                        )
                    )
                elif old.org_id != org.pk or old.id_index != c.index:
                    c.row.reject(HEADERS["reference"], "该申请编号已登记为其他申请人或其他工会的推荐，请与银行核实")
                elif self._same(old, c, person_id) or (
                    # An older report of an application decided since: nothing to learn from it.
                    old.status != ReferralStatus.APPLIED and c.status == ReferralStatus.APPLIED
                ):
                    counts["unchanged"] += 1
                elif old.status != ReferralStatus.APPLIED and (
                    old.status != c.status or old.credit_line_fen != c.credit_line_fen
                ):
                    c.row.reject(
                        HEADERS["result"],
                        f"该申请已是“{STATUS_LABELS[old.status]}”（授信额度 {fen_to_yuan(old.credit_line_fen)} 元），"
                        "与本行不符，请与银行核实",
                    )
                else:
                    self._apply(old, c, person_id, now)
                    changed.append(old)
            counts["created"] = len(new)
            counts["updated"] = len(changed)
            counts["rejected"] = sum(1 for r in rows if r.errors)
            if dry_run:
                transaction.set_rollback(True)
                return dict(counts)
            insert_rows(CreditCardReferral, NEW_FIELDS, new)
            CreditCardReferral.all_objects.bulk_update(changed, UPDATE_FIELDS, batch_size=1000)
        return dict(counts)

    @staticmethod
    def _unmask(c: _Clean, old: CreditCardReferral | None) -> bool:
        """A masked row (our export) takes the applicant of the application it names; False: refused."""
        if c.index:
            return True
        if old is None or old.id_masked != c.masked:
            c.row.reject(
                HEADERS["id_number"],
                "证件号码为脱敏显示，且未找到该申请编号下证件号码相符的申请，请填写完整的证件号码",
            )
            return False
        c.index = old.id_index
        return True

    @staticmethod
    def _same(old: CreditCardReferral, c: _Clean, person_id: int | None) -> bool:
        return all(getattr(old, f) == getattr(c, f) for f in MATCH_FIELDS) and old.person_id == person_id

    @staticmethod
    def _apply(old: CreditCardReferral, c: _Clean, person_id: int | None, now: Any) -> None:
        for f in MATCH_FIELDS:
            setattr(old, f, getattr(c, f))
        if person_id and not old.person_id:
            old.person_id, old.id_cipher = person_id, None  # the applicant has joined: the person holds the number
        old.updated_at = now

    def audit(self, summary: dict[str, Any], path: str) -> None:
        audit_import(actor=self.actor, action="cards.import_credit_referrals", org=self.org, summary=summary, path=path)


NEW_FIELDS = (
    "bank_id",
    "bank_reference",
    "org_id",
    "org_path",
    "person_id",
    "name",
    "id_cipher",
    "id_index",
    "id_masked",
    "applied_on",
    "status",
    "credit_line_fen",
    "decided_on",
    "created_at",
    "updated_at",
)
UPDATE_FIELDS = [*MATCH_FIELDS, "person_id", "id_cipher", "updated_at"]


# --- the subtree's referrals as a file ------------------------------------------------------------

EXPORT_HEADERS = [
    "申请编号",
    "银行代码",
    "姓名",
    "证件号码",
    "是否会员",
    "推荐工会代码",
    "推荐工会",
    "申请日期",
    "审批结果",
    "授信额度（元）",
    "审批日期",
]


def export_credit_referrals(
    path: str, *, actor: User | None, org: Org | None, unmasked: bool = False, scope: Scope | None = None
) -> int:
    """The subtree's referrals; full ID numbers only when `unmasked` (and permitted), audited."""
    from gonghui.core.bulk import write_table
    from gonghui.core.errors import PermissionDeniedError
    from gonghui.members.permissions import MemberPerm

    if unmasked and scope is not None and (org is None or not scope.has_perm(MemberPerm.VIEW_ID, org.path)):
        raise PermissionDeniedError(MemberPerm.VIEW_ID)
    with unscoped():
        qs = referrals_in_subtree(org)

        def number(r: CreditCardReferral) -> str:
            if not unmasked:
                return r.id_masked
            cipher = r.person.id_cipher if r.person is not None else r.id_cipher
            return crypto.decrypt(bytes(cipher or b""), purpose=ID_PURPOSE)

        def lines() -> Any:
            for r in qs.iterator(chunk_size=2000):
                yield [
                    r.bank_reference,
                    r.bank.code,
                    r.name,
                    number(r),
                    "是" if r.person_id else "否",
                    r.org.code,
                    r.org.name,
                    r.applied_on,
                    str(STATUS_LABELS.get(r.status, r.status)),  # a lazy label: openpyxl writes only str
                    fen_to_yuan(r.credit_line_fen) if r.credit_line_fen else "",
                    r.decided_on or "",
                ]

        with transaction.atomic():
            count = write_table(path, EXPORT_HEADERS, lines(), sheet="信用卡推荐")
            audit_record(
                actor=actor,
                action="cards.export_credit_referrals.unmasked" if unmasked else "cards.export_credit_referrals",
                org=org,
                data={"file": str(path).rsplit("/", 1)[-1], "rows": count, "unmasked": unmasked},
            )
    return count


# --- trusted loads (the demo's) ---------------------------------------------------------------


@dataclass(frozen=True)
class NewReferral:
    """A referral for `credit_referrals_bulk_create`: a member's (`person_id` with the person's
    index and masked number, copied, nothing decrypted) or a non-member's (`id_number`, sealed there)."""

    org_id: int
    org_path: str
    bank_reference: str
    name: str
    applied_on: date
    status: str = ReferralStatus.APPROVED
    credit_line_fen: int = 0
    decided_on: date | None = None
    person_id: int | None = None
    id_index: str = ""
    id_masked: str = ""
    id_number: str = ""


def credit_referrals_bulk_create(*, bank: BankPartner, referrals: Iterable[NewReferral], chunk: int = 20_000) -> int:
    """Insert referrals set-based (COPY on PostgreSQL), unchecked: for trusted loads such as the demo.

    The caller owns the transaction; the database still refuses a duplicate
    (bank, 申请编号) and an approved referral without a credit line. One audit event.
    """
    from gonghui.core.masking import mask_id_number
    from gonghui.members.validation import identity_index

    now = timezone.now()
    total = 0
    batch: list[tuple[Any, ...]] = []

    def flush() -> None:
        nonlocal total
        total += insert_rows(CreditCardReferral, NEW_FIELDS, batch)
        batch.clear()

    for r in referrals:
        if r.person_id is not None:
            cipher, index, masked = None, r.id_index, r.id_masked
        else:
            cipher = crypto.encrypt(r.id_number, purpose=ID_PURPOSE)
            index = identity_index("1", r.id_number)
            masked = mask_id_number(r.id_number)
        batch.append(
            (
                bank.pk,
                r.bank_reference,
                r.org_id,
                r.org_path,
                r.person_id,
                r.name,
                cipher,
                index,
                masked,
                r.applied_on,
                r.status,
                r.credit_line_fen,
                r.decided_on,
                now,
                now,
            )
        )
        if len(batch) >= chunk:
            flush()
    flush()
    audit_record(actor=None, action="cards.credit_referrals_load", org=None, data={"bank": bank.code, "rows": total})
    return total
