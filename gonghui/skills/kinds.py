"""The skills app's bulk kinds: `contest_results` (竞赛成绩), export only for now.

`gonghui export contest_results FILE --org CODE` and the export page write the
contestants of the contests held in the union's subtree: papers, total, rank and
award once ranked. ID numbers are never written (a contestant is named with their
union and enterprise), so `--unmasked` changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from gonghui.core.bulk import Column
from gonghui.core.bulk.kinds import BulkKind, register_kind
from gonghui.skills.permissions import SkillsPerm

if TYPE_CHECKING:
    from gonghui.accounts.models import User
    from gonghui.core.scoping import Scope
    from gonghui.orgs.models import Org
    from gonghui.skills.bulk import ScoresKind

RESULT_HEADERS = [
    "竞赛",
    "工种",
    "比赛日期",
    "比赛项目",
    "参赛编号",
    "姓名",
    "报名工会",
    "工作单位",
    "理论成绩",
    "实操成绩",
    "总成绩",
    "名次",
    "奖项",
]
RESULT_SHEET = "竞赛成绩"
CHUNK = 2000


def export_results(path: str, *, actor: User | None, org: Org | None, unmasked: bool, scope: Scope | None) -> int:
    """The contestants of the contests held in `org`'s subtree (all from the console), with their results; audited."""
    from django.db import transaction

    from gonghui.core.audit import audit_record
    from gonghui.core.bulk import write_table
    from gonghui.core.errors import PermissionDeniedError
    from gonghui.core.scoping import subtree_q, unscoped
    from gonghui.skills.models import Entry, EntryStatus
    from gonghui.skills.scoring import AWARD_LABELS

    if scope is not None and (org is None or not scope.has_perm(SkillsPerm.VIEW, org.path)):
        raise PermissionDeniedError(SkillsPerm.VIEW)

    def lines() -> Iterator[list[Any]]:
        qs = Entry.objects.filter(status=EntryStatus.REGISTERED)
        if org is not None:
            qs = qs.filter(subtree_q("contest_path", org.path))
        rows = (
            qs.order_by("contest__held_on", "contest_id", "event_id", "rank", "number")
            .values_list(
                "contest__name",
                "contest__trade",
                "contest__held_on",
                "event__name",
                "number",
                "person__name",
                "org__name",
                "enterprise",
                "theory",
                "practical",
                "total",
                "rank",
                "award",
            )
            .iterator(chunk_size=CHUNK)
        )
        for name, trade, held, event, number, person, union, enterprise, theory, practical, total, rank, award in rows:
            yield [
                name,
                trade,
                held.isoformat(),
                event,
                f"{number:03d}",
                person,
                union,
                enterprise,
                theory if theory is not None else "",
                practical if practical is not None else "",
                total if total is not None else "",
                rank if rank is not None else "",
                AWARD_LABELS.get(award, ""),
            ]

    with unscoped(), transaction.atomic():
        count = write_table(path, RESULT_HEADERS, lines(), sheet=RESULT_SHEET)
        audit_record(
            actor=actor,
            action="skills.results.export",
            org=org,
            data={"file": str(path).rsplit("/", 1)[-1], "rows": count, "unmasked": False},
        )
    return count


def build_scores(*, actor: User | None, scope: Scope | None, org: Org | None) -> ScoresKind:
    from gonghui.skills.bulk import ScoresKind

    return ScoresKind(actor=actor, scope=scope, org=org)


def export_scores(path: str, *, actor: User | None, org: Org | None, unmasked: bool, scope: Scope | None) -> int:
    from gonghui.skills.bulk import export_scores

    return export_scores(path, actor=actor, org=org, unmasked=unmasked, scope=scope)


def register() -> None:
    from gonghui.skills.bulk import SCORE_COLUMNS

    register_kind(
        BulkKind(
            name="contest_scores",
            label="技能竞赛成绩明细（双人录入）",
            columns=SCORE_COLUMNS,
            import_perm=SkillsPerm.SCORE,
            export_perm=SkillsPerm.VIEW,
            private_perm=SkillsPerm.SCORE,
            build=build_scores,
            export=export_scores,
            export_sheet="竞赛成绩明细",
            choices=lambda: {"kind": ["理论", "实操"]},
            example={
                "contest": "1",
                "number": "1",
                "kind": "实操",
                "item": "管道焊接",
                "judge": "赵裁判",
                "value": "56.5",
            },
        )
    )
    register_kind(
        BulkKind(
            name="contest_results",
            label="技能竞赛成绩",
            columns=[Column(f"c{i}", header) for i, header in enumerate(RESULT_HEADERS)],
            import_perm=SkillsPerm.SCORE,  # unused: an export-only kind (no `build`)
            export_perm=SkillsPerm.VIEW,
            private_perm=SkillsPerm.MANAGE,  # unused: never imported
            build=None,
            export=export_results,
            export_sheet=RESULT_SHEET,
        )
    )
