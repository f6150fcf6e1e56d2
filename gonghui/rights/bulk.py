"""An existing collective-contract registry (集体合同台账) in through the bulk engine: kind `contracts`.

One row is one contract. Registries are kept in everyday words, so the row reads:

- 合同种类 (or 合同类型, 种类): 综合, 工资专项, 工资集体协议 → 工资专项集体合同, 女职工专项 …;
- 企业名称 and 统一社会信用代码: one employer, or several (a regional or industry contract)
  separated by 、 ， , ； ; or a line break, paired in order; one name for several codes names
  them all; 职工人数 one figure per employer the same way, or one total split evenly;
- 签订日期; 生效日期 (the signing day when blank); 期满日期, or 期限 (1年, 三年, 2, 2年);
- 工资增长幅度: 5%, 5, or 0.05 (a fraction below 1 without “%” is a share: Excel's percent cells);
- 最低工资 in yuan a month (checked against the local standard, `contracts.minimum_wage_refusal`);
- 合同编号 (the registry's number) and 原合同编号: the contract this one renews, by its number,
  registered before or on an earlier row of the same file.

Each row goes through `contract_register` (the service the form uses), so the rules are the
same and a row is written whole (the contract, its employers, its renewal link) or not at all,
with every reason named by column. The natural key is the union and 合同编号 (or, without a
number, the union, kind, signing day and employers): a row already on record is unchanged, so
the same file imported twice changes nothing.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.db import transaction

from gonghui.core.bulk import CellError, Column, Table, cell_text, parse_date, parse_int
from gonghui.core.bulk.engine import Row, audit_import
from gonghui.core.errors import DomainError
from gonghui.core.money import AmountError, parse_yuan
from gonghui.core.scoping import subtree_q, unscoped
from gonghui.core.validators import InvalidIdentifier, clean_uscc
from gonghui.orgs.models import Org
from gonghui.rights import contracts
from gonghui.rights.models import CollectiveContract, ContractKind, VoteBody
from gonghui.rights.models import ContractScope as ContractScopeChoices
from gonghui.rights.permissions import RightsPerm

if TYPE_CHECKING:
    from gonghui.accounts.models import User
    from gonghui.core.scoping import Scope

COLUMNS = [
    Column("org", "签约工会代码", ("工会代码", "所属工会代码", "签约工会", "org_code")),
    Column("number", "合同编号", ("备案编号", "编号", "number")),
    Column("title", "合同名称", ("名称", "title")),
    Column("kind", "合同种类", ("合同类型", "种类", "类型", "kind"), required=True),
    Column("scope", "合同范围", ("范围", "签订层级", "scope")),
    Column("employer_name", "企业名称", ("用人单位", "单位名称", "覆盖企业", "employer_name"), required=True),
    Column(
        "employer_uscc",
        "统一社会信用代码",
        ("信用代码", "企业统一社会信用代码", "社会信用代码", "employer_uscc"),
        required=True,
    ),
    Column("signed_on", "签订日期", ("签约日期", "签订时间", "signed_on"), required=True),
    Column("starts_on", "生效日期", ("生效起始日", "起始日期", "starts_on")),
    Column("ends_on", "期满日期", ("期满日", "终止日期", "到期日期", "ends_on")),
    Column("term", "期限", ("合同期限", "期限（年）", "term")),
    Column("union_chief", "职工方首席代表", ("职工方首席", "工会方首席代表", "union_chief")),
    Column("employer_chief", "企业方首席代表", ("企业方首席", "employer_chief")),
    Column("vote_body", "审议方式", ("审议机构", "vote_body")),
    Column("voted_on", "审议日期", ("审议通过日期", "voted_on")),
    Column("votes_for", "赞成票", ("赞成", "votes_for")),
    Column("votes_against", "反对票", ("反对", "votes_against")),
    Column("filed_on", "报送备案日期", ("备案日期", "报送日期", "filed_on")),
    Column("workers", "职工人数", ("覆盖职工人数", "覆盖职工", "workers")),
    Column("women_workers", "女职工人数", ("覆盖女职工人数", "覆盖女职工", "women_workers")),
    Column("wage_increase", "工资增长幅度", ("工资增幅", "工资增长幅度（%）", "增幅", "wage_increase_pct")),
    Column("minimum_wage", "最低工资（元/月）", ("最低工资", "最低工资标准", "minimum_wage")),
    Column("renews", "原合同编号", ("续订合同编号", "上期合同编号", "renews")),
]
HEADERS = {c.key: c.header for c in COLUMNS}
# The service's fields → the file's columns, for its refusals.
FIELD_COLUMN = {
    "kind": "kind",
    "scope": "scope",
    "vote_body": "vote_body",
    "title": "title",
    "union_chief": "union_chief",
    "employer_chief": "employer_chief",
    "signed_on": "signed_on",
    "starts_on": "starts_on",
    "ends_on": "ends_on",
    "voted_on": "voted_on",
    "votes_for": "votes_for",
    "filed_on": "filed_on",
    "women_workers": "women_workers",
    "wage_increase_pct": "wage_increase",
    "minimum_wage": "minimum_wage",
    "employers": "employer_uscc",
    "renews": "renews",
    "number": "number",
}
SPLIT = re.compile(r"[、,，;；/\n]+")
CN_DIGITS = {"一": 1, "二": 2, "两": 2, "三": 3}
NOT_FOUND = "未找到该工会（或不在您的管辖范围内）"


def parse_term(value: Any) -> int | None:
    """1年, 三年, 2, 2.0, 两年 → years; None for a blank."""
    text = cell_text(value).removesuffix("年").removesuffix("期").strip()
    if not text:
        return None
    if text in CN_DIGITS:
        return CN_DIGITS[text]
    if re.fullmatch(r"\d+(\.0+)?", text):
        return int(text.split(".")[0])
    raise CellError("应为 1 至 3 年（如：3年、三年、3）")


def parse_percent(value: Any) -> Decimal | None:
    """5%, 5, 0.05 (a share, as Excel keeps a percent cell) → 5; None for a blank."""
    if isinstance(value, float | int) and not isinstance(value, bool):
        number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
        return (number * 100 if abs(number) < 1 else number).quantize(Decimal("0.01"))
    text = cell_text(value).replace("％", "%")
    if not text:
        return None
    share = not text.endswith("%")
    try:
        number = Decimal(text.rstrip("%").strip())
    except InvalidOperation as exc:
        raise CellError("应为百分数（如：5%、0.05）") from exc
    if share and abs(number) < 1:
        number *= 100
    return number.quantize(Decimal("0.01"))


def _parts(value: Any) -> list[str]:
    """A cell of several values (separated by 、 ， ; or a line break), each normalized (full width…)."""
    if isinstance(value, str):
        return [t for p in SPLIT.split(value) if (t := cell_text(p))]
    return [p.strip() for p in SPLIT.split(cell_text(value)) if p.strip()]


class ContractsKind:
    """The registry file (see the module docstring)."""

    name = "contracts"
    columns = COLUMNS

    def __init__(self, *, actor: User | None, scope: Scope | None, org: Org | None) -> None:
        self.actor, self.scope, self.org = actor, scope, org
        self.orgs: dict[str, Org | None] = {}

    def check_table(self, table: Table) -> list[str]:
        return []

    def prepare(self, rows: list[Row]) -> None:
        """Nothing ahead of time: a registry is a few thousand rows, each through the service."""

    def _union(self, row: Row) -> Org | None:
        code = cell_text(row.values.get("org"))
        if not code:
            if self.org is None:
                row.reject(HEADERS["org"], "不能为空（未指定导入的工会）")
            return self.org
        if code not in self.orgs:
            with unscoped():
                qs = Org.all_objects.filter(code=code, closed_on__isnull=True)
                if self.org is not None:
                    qs = qs.filter(subtree_q("path", self.org.path))
                found = qs.first()
            if found is not None and self.scope is not None:
                found = found if self.scope.has_perm(RightsPerm.CONTRACT_MANAGE, found.path) else None
            self.orgs[code] = found
        if self.orgs[code] is None:
            row.reject(HEADERS["org"], NOT_FOUND)
        return self.orgs[code]

    def _employers(self, row: Row) -> list[contracts.EmployerIn]:
        v = row.values
        codes = _parts(v.get("employer_uscc"))
        names = _parts(v.get("employer_name"))
        counts: list[int] = []
        try:
            counts = [parse_int(p, minimum=0) or 0 for p in _parts(v.get("workers"))]
        except CellError as exc:
            row.reject(HEADERS["workers"], str(exc))
        if not codes:
            row.reject(HEADERS["employer_uscc"], "不能为空")
            return []
        if not names:
            row.reject(HEADERS["employer_name"], "不能为空")
            return []
        if len(names) == 1 and len(codes) > 1:
            names = names * len(codes)
        elif len(names) != len(codes):
            row.reject(
                HEADERS["employer_name"], f"企业名称有 {len(names)} 个，统一社会信用代码有 {len(codes)} 个，应一一对应"
            )
            return []
        if len(counts) == 1 and len(codes) > 1:  # one total for the contract: split evenly
            total = counts[0]
            counts = [total // len(codes) + (1 if i < total % len(codes) else 0) for i in range(len(codes))]
        elif counts and len(counts) != len(codes):
            row.reject(HEADERS["workers"], f"职工人数有 {len(counts)} 个，企业有 {len(codes)} 家，应一一对应或只填合计")
            return []
        counts = counts or [0] * len(codes)
        return [contracts.EmployerIn(n, c, w) for n, c, w in zip(names, codes, counts, strict=True)]

    def _raw(self, row: Row, employers: list[contracts.EmployerIn]) -> dict[str, Any]:
        """The row as the service takes it; cells that cannot be read are rejected here."""
        v = row.values
        raw: dict[str, Any] = {k: cell_text(v.get(k)) for k in ("number", "union_chief", "employer_chief")}
        raw["kind"] = cell_text(v.get("kind"))
        raw["scope"] = cell_text(v.get("scope")) or ("企业" if len(employers) <= 1 else "")
        if not raw["scope"]:
            row.reject(HEADERS["scope"], "覆盖多家企业，请填写行业性或区域性")
        raw["vote_body"] = cell_text(v.get("vote_body")) or "职代会"
        dates: dict[str, date | None] = {}
        for key in ("signed_on", "starts_on", "ends_on", "voted_on", "filed_on"):
            try:
                dates[key] = parse_date(v.get(key))
            except CellError as exc:
                row.reject(HEADERS[key], str(exc))
                dates[key] = None
        dates["starts_on"] = dates["starts_on"] or dates["signed_on"]
        try:
            years = parse_term(v.get("term"))
            if years is not None and not contracts.MIN_TERM_YEARS <= years <= contracts.MAX_TERM_YEARS:
                row.reject(HEADERS["term"], "集体合同期限为 1 至 3 年")
            elif years is not None and dates["starts_on"] is not None:
                ends = contracts.add_years(dates["starts_on"], years) - timedelta(days=1)
                if dates["ends_on"] is not None and dates["ends_on"] != ends:
                    row.reject(HEADERS["ends_on"], f"与期限（{years} 年）不符，应为 {ends:%Y-%m-%d}")
                dates["ends_on"] = ends
            elif years is None and dates["ends_on"] is None:
                row.reject(HEADERS["ends_on"], "请填写期满日期或期限")
        except CellError as exc:
            row.reject(HEADERS["term"], str(exc))
        raw.update(dates)
        for key in ("votes_for", "votes_against", "women_workers"):
            try:
                raw[key] = parse_int(v.get(key), minimum=0) or 0
            except CellError as exc:
                row.reject(HEADERS[key], str(exc))
        try:
            pct = parse_percent(v.get("wage_increase"))
            raw["wage_increase_pct"] = "" if pct is None else str(pct)
        except CellError as exc:
            row.reject(HEADERS["wage_increase"], str(exc))
        minimum = v.get("minimum_wage")
        raw["minimum_wage_fen"] = None
        if cell_text(minimum):
            try:
                raw["minimum_wage_fen"] = parse_yuan(minimum, max_fen=10_000_000)
            except AmountError:
                row.reject(HEADERS["minimum_wage"], "应为每月的金额（元），如 1890 或 1,890.00")
        title = cell_text(v.get("title"))
        if not title and employers:
            kind = self._kind_label(raw["kind"])
            first = employers[0].name + ("等" if len({e.name for e in employers}) > 1 else "")
            title = f"{first}{kind}"
        raw["title"] = title
        return raw

    @staticmethod
    def _kind_label(word: str) -> str:
        from gonghui.core import words

        try:
            code = words.match("rights_contract_kind", word)
        except words.ChoiceError:
            return "集体合同"
        return str(dict(ContractKind.choices).get(code, "集体合同"))

    def _existing(self, org: Org, raw: dict[str, Any], employers: list[contracts.EmployerIn]) -> bool:
        """Is this row's contract on record already (its natural key)?"""
        with unscoped():
            qs = CollectiveContract.all_objects.filter(org=org)
            if raw["number"]:
                return qs.filter(number=raw["number"]).exists()
            from gonghui.core import words

            try:
                kind = words.match("rights_contract_kind", raw["kind"])
            except words.ChoiceError:
                return False
            try:
                usccs = sorted(clean_uscc(e.uscc) for e in employers)
            except InvalidIdentifier:
                return False
            for c in qs.filter(kind=kind, signed_on=raw["signed_on"], number="").prefetch_related("employers"):
                if sorted(e.uscc for e in c.employers.all()) == usccs:
                    return True
        return False

    def _renews(self, row: Row, org: Org, number: str) -> CollectiveContract | None:
        with unscoped():
            old = CollectiveContract.all_objects.filter(org=org, number=number).first()
        if old is None:
            row.reject(HEADERS["renews"], f"本工会没有编号为“{number}”的合同（原合同应先登记或在文件中排在前面）")
        return old

    def process(self, rows: list[Row], *, dry_run: bool) -> dict[str, int]:
        counts: Counter[str] = Counter()
        with transaction.atomic():
            for row in rows:
                outcome = self._row(row)
                counts[outcome] += 1
            if dry_run:
                transaction.set_rollback(True)
        return dict(counts)

    def _row(self, row: Row) -> str:
        org = self._union(row)
        employers = self._employers(row)
        raw = self._raw(row, employers)
        # The service's rules too, so the row names every mistake at once (a column whose cell
        # could not be read is named once, for that).
        _values, _cleaned, refusals = contracts.clean_contract(raw, employers, org)
        named = {e.partition("：")[0] for e in row.errors}
        for field, reason in refusals.items():
            column = HEADERS.get(FIELD_COLUMN.get(field, ""), "")
            if column not in named:
                row.reject(column, reason)
        if row.errors or org is None:
            return "rejected"
        if self._existing(org, raw, employers):
            return "unchanged"
        renews = None
        previous = cell_text(row.values.get("renews"))
        if previous:
            renews = self._renews(row, org, previous)
            if renews is None:
                return "rejected"
        try:
            with transaction.atomic():  # the row whole, or nothing of it
                contracts.contract_register(
                    actor=self.actor, scope=self.scope, org=org, raw=raw, employers=employers, renews=renews
                )
        except DomainError as exc:
            reasons = exc.details if isinstance(exc.details, dict) else {}
            if reasons:
                for field, reason in reasons.items():
                    row.reject(HEADERS.get(FIELD_COLUMN.get(field, ""), ""), str(reason))
            else:
                row.reject(HEADERS["renews"] if exc.code == "rights.contract_renewed" else "", exc.message)
            return "rejected"
        return "created"

    def audit(self, summary: dict[str, Any], path: str) -> None:
        audit_import(actor=self.actor, action="rights.contract.import", org=self.org, summary=summary, path=path)


def export_contracts(path: str, *, actor: User | None, org: Org | None, unmasked: bool, scope: Scope | None) -> int:
    """The subtree's contracts in the import's columns (a regional contract's employers joined by 、)."""
    from collections.abc import Iterator

    from gonghui.core.audit import audit_record
    from gonghui.core.bulk import write_table
    from gonghui.core.errors import PermissionDeniedError

    if scope is not None and (org is None or not scope.has_perm(RightsPerm.CONTRACT_VIEW, org.path)):
        raise PermissionDeniedError(RightsPerm.CONTRACT_VIEW)
    kinds, scopes = dict(ContractKind.choices), dict(ContractScopeChoices.choices)
    bodies = dict(VoteBody.choices)

    def lines() -> Iterator[list[Any]]:
        qs = CollectiveContract.all_objects.select_related("org", "renews").prefetch_related("employers")
        if org is not None:
            qs = qs.filter(subtree_q("org_path", org.path))
        for c in qs.order_by("org_path", "signed_on", "pk").iterator(chunk_size=500):
            employers = list(c.employers.all())
            yield [
                c.org.code,
                c.number,
                c.title,
                str(kinds.get(c.kind, c.kind)),
                str(scopes.get(c.scope, c.scope)),
                "、".join(e.name for e in employers),
                "、".join(e.uscc for e in employers),
                c.signed_on.isoformat(),
                c.starts_on.isoformat(),
                c.ends_on.isoformat(),
                "",
                c.union_chief,
                c.employer_chief,
                str(bodies.get(c.vote_body, c.vote_body)),
                c.voted_on.isoformat(),
                c.votes_for,
                c.votes_against,
                c.filed_on.isoformat() if c.filed_on else "",
                "、".join(str(e.workers) for e in employers),
                c.women_workers,
                f"{c.wage_increase_pct}%" if c.wage_increase_pct is not None else "",
                f"{c.minimum_wage_fen / 100:.2f}" if c.minimum_wage_fen else "",
                c.renews.number if c.renews is not None else "",
            ]

    with unscoped(), transaction.atomic():
        count = write_table(path, [c.header for c in COLUMNS], lines(), sheet="集体合同")
        audit_record(
            actor=actor,
            action="rights.contract.export",
            org=org,
            data={"file": str(path).rsplit("/", 1)[-1], "rows": count, "unmasked": False},
        )
    return count
