"""The aid app's bulk kinds, export only: `hardship_files` (困难职工档案) and `relief_visits` (送温暖慰问记录).

`gonghui export hardship_files FILE --org CODE` (or `relief_visits`) and the
export pages write the union's subtree, streamed. ID numbers are always masked
(no kind here offers the full number), so `--unmasked` changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import TYPE_CHECKING, Any

from gonghui.aid.permissions import AidPerm
from gonghui.core.bulk import Column
from gonghui.core.bulk.kinds import BulkKind, register_kind
from gonghui.core.money import fen_to_decimal
from gonghui.members.permissions import MemberPerm

if TYPE_CHECKING:
    from django.db.models import Model, QuerySet

    from gonghui.accounts.models import User
    from gonghui.core.scoping import Scope
    from gonghui.orgs.models import Org

FILE_HEADERS = [
    "工会",
    "困难职工",
    "证件号码",
    "困难类别",
    "建档标准",
    "致困原因",
    "家庭人口",
    "人均月收入（元）",
    "低保标准（元/人·月）",
    "状态",
    "建档日期",
    "登记家庭成员（人）",
]
VISIT_HEADERS = [
    "工会",
    "慰问对象",
    "慰问事项",
    "慰问日期",
    "慰问金（元）",
    "慰问品折价（元）",
    "慰问品",
    "赠送保险（份）",
    "住房帮扶",
    "活动",
]
FILE_SHEET = "困难职工档案"
VISIT_SHEET = "送温暖慰问记录"
CHUNK = 2000  # rows per fetch: memory stays bounded whatever the subtree's size


def day(value: date | None) -> str:
    return value.isoformat() if value is not None else ""


def _write(
    path: str,
    *,
    actor: User | None,
    org: Org | None,
    scope: Scope | None,
    model: type[Model],
    action: str,
    headers: list[str],
    sheet: str,
    lines: Any,
) -> int:
    """Stream `lines(queryset)` over `model`'s rows in `org`'s subtree into `path`, with one audit event."""
    from django.db import transaction

    from gonghui.core.audit import audit_record
    from gonghui.core.bulk import write_table
    from gonghui.core.errors import PermissionDeniedError
    from gonghui.core.scoping import subtree_q, unscoped

    if scope is not None and (org is None or not scope.has_perm(AidPerm.VIEW, org.path)):
        raise PermissionDeniedError(AidPerm.VIEW)
    with unscoped():
        qs: QuerySet[Any] = model.objects.all()  # type: ignore[attr-defined]
        if org is not None:
            qs = qs.filter(subtree_q("org_path", org.path))
        with transaction.atomic():
            count = write_table(path, headers, lines(qs), sheet=sheet)
            audit_record(
                actor=actor,
                action=action,
                org=org,
                data={"file": str(path).rsplit("/", 1)[-1], "rows": count, "unmasked": False},
            )
    return count


def export_files(path: str, *, actor: User | None, org: Org | None, unmasked: bool, scope: Scope | None) -> int:
    """The hardship files of `org`'s subtree (all when None, from the console), IDs masked; audited."""
    from django.db.models import Count, IntegerField, OuterRef, Subquery
    from django.db.models.functions import Coalesce

    from gonghui.aid.models import Category, Cause, FamilyMember, FileLevel, FileStatus, HardshipFile

    categories, levels = dict(Category.choices), dict(FileLevel.choices)
    causes, statuses = dict(Cause.choices), dict(FileStatus.choices)
    family = (
        FamilyMember.objects.filter(file=OuterRef("pk")).order_by().values("file").annotate(n=Count("pk")).values("n")
    )

    def lines(qs: QuerySet[HardshipFile]) -> Iterator[list[Any]]:
        rows = (
            qs.annotate(family_count=Coalesce(Subquery(family, output_field=IntegerField()), 0))
            .order_by("org_path", "id")
            .values_list(
                "org__name",
                "person__name",
                "person__id_masked",
                "category",
                "level",
                "causes",
                "household_size",
                "per_capita_monthly_fen",
                "standard_monthly_fen",
                "status",
                "filed_on",
                "family_count",
            )
            .iterator(chunk_size=CHUNK)
        )
        for union, worker, masked, category, level, codes, size, per_capita, standard, status, filed, count in rows:
            yield [
                union,
                worker,
                masked,
                str(categories.get(category, category)),
                str(levels.get(level, level)),
                "、".join(str(causes.get(c, c)) for c in codes or []),
                size,
                fen_to_decimal(per_capita),
                fen_to_decimal(standard),
                str(statuses.get(status, status)),
                day(filed),
                count,
            ]

    return _write(
        path,
        actor=actor,
        org=org,
        scope=scope,
        model=HardshipFile,
        action="aid.file.export",
        headers=FILE_HEADERS,
        sheet=FILE_SHEET,
        lines=lines,
    )


def export_visits(path: str, *, actor: User | None, org: Org | None, unmasked: bool, scope: Scope | None) -> int:
    """The relief visits of `org`'s subtree (all when None, from the console); audited."""
    from gonghui.aid.models import ReliefEvent, ReliefVisit

    events = dict(ReliefEvent.choices)

    def lines(qs: QuerySet[ReliefVisit]) -> Iterator[list[Any]]:
        rows = (
            qs.order_by("org_path", "visited_on", "id")
            .values_list(
                "org__name",
                "person__name",
                "event",
                "visited_on",
                "cash_fen",
                "goods_fen",
                "goods_note",
                "insurance_policies",
                "housing",
                "campaign__name",
            )
            .iterator(chunk_size=CHUNK)
        )
        for union, person, event, visited, cash, goods, note, policies, housing, campaign in rows:
            yield [
                union,
                person,
                str(events.get(event, event)),
                day(visited),
                fen_to_decimal(cash),
                fen_to_decimal(goods),
                note,
                policies,
                "是" if housing else "否",
                campaign or "",
            ]

    return _write(
        path,
        actor=actor,
        org=org,
        scope=scope,
        model=ReliefVisit,
        action="aid.relief.export",
        headers=VISIT_HEADERS,
        sheet=VISIT_SHEET,
        lines=lines,
    )


def register() -> None:
    register_kind(
        BulkKind(
            name="hardship_files",
            label="困难职工档案",
            columns=[Column(f"c{i}", header) for i, header in enumerate(FILE_HEADERS)],
            import_perm=AidPerm.APPLY,  # unused: an export-only kind (no `build`)
            export_perm=AidPerm.VIEW,
            private_perm=MemberPerm.VIEW_ID,  # unused: never unmasked, never imported
            build=None,
            export=export_files,
            export_sheet=FILE_SHEET,
        )
    )
    register_kind(
        BulkKind(
            name="relief_visits",
            label="送温暖慰问记录",
            columns=[Column(f"c{i}", header) for i, header in enumerate(VISIT_HEADERS)],
            import_perm=AidPerm.RELIEF,  # unused: an export-only kind (no `build`)
            # The relief list's own permission: every role that records visits (officer) holds it too.
            export_perm=AidPerm.VIEW,
            private_perm=MemberPerm.VIEW_ID,  # unused: never unmasked, never imported
            build=None,
            export=export_visits,
            export_sheet=VISIT_SHEET,
        )
    )
