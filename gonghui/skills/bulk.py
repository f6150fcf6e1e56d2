"""Contest scores in and out through the bulk engine: `contest_scores`.

One file is one clerk's entry of scores (a marking machine's theory results, the judges'
sheets typed into Excel): each row is a score of one contestant, the theory paper or one
judge's score of one practical item. The rows go through `scores_enter` per event, so an
imported score is a first or a second entry like a typed one (two clerks, two files), a
judge still never scores their own enterprise's contestant, and the same file imported
again by the same clerk changes nothing. A row the service refuses is rejected with its
reason; the other rows are kept.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

from django.db import transaction

from gonghui.accounts.models import User
from gonghui.core.bulk import CellError, Column, Table, cell_text, parse_int, write_table
from gonghui.core.bulk.engine import Row, audit_import
from gonghui.core.errors import DomainError
from gonghui.core.scoping import Scope, subtree_q, unscoped
from gonghui.orgs.models import Org
from gonghui.skills.models import Contest, ContestEvent, Entry, EntryStatus, Judge, PracticalItem, Score
from gonghui.skills.permissions import SkillsPerm
from gonghui.skills.services import ScoreCell, scores_enter

SCORE_COLUMNS = [
    Column("contest", "竞赛编号", ("contest_id", "contest"), required=True),
    Column("number", "参赛编号", ("选手编号", "number"), required=True),
    Column("kind", "成绩类别", ("类别", "kind"), required=True),
    Column("item", "考核内容", ("实操考核内容", "item")),
    Column("judge", "裁判", ("裁判姓名", "judge")),
    Column("value", "成绩", ("分数", "得分", "score", "value"), required=True),
]
HEADERS = {c.key: c.header for c in SCORE_COLUMNS}
THEORY_WORDS = frozenset({"理论", "理论成绩", "笔试", "theory"})
PRACTICAL_WORDS = frozenset({"实操", "实操成绩", "实际操作", "技能操作", "practical"})
NOT_FOUND = "未找到该竞赛（或不在您的管辖范围内）"


class ScoresKind:
    """A clerk's scores of contests held in the job's union (and below)."""

    name = "contest_scores"
    columns = SCORE_COLUMNS

    def __init__(self, *, actor: User | None, scope: Scope | None, org: Org | None) -> None:
        self.actor, self.scope, self.org = actor, scope, org

    def check_table(self, table: Table) -> list[str]:
        return []

    def prepare(self, rows: list[Row]) -> None:
        """Nothing ahead of time: a contest's scores are a few thousand rows at most."""

    def _may(self, contest: Contest) -> bool:
        if self.org is not None and not contest.org_path.startswith(self.org.path):
            return False
        return self.scope is None or self.scope.has_perm(SkillsPerm.SCORE, contest.org_path)

    def _cell(self, row: Row, contests: dict[int, Contest]) -> tuple[ContestEvent, ScoreCell] | None:
        v = row.values
        try:
            contest_id = parse_int(v.get("contest"), minimum=1)
            number = parse_int(v.get("number"), minimum=1)
        except CellError as exc:
            row.reject(HEADERS["number"], str(exc))
            return None
        contest = contests.get(contest_id or 0)
        if contest is None or number is None:
            row.reject(HEADERS["contest"], NOT_FOUND)
            return None
        entry = Entry.objects.filter(contest=contest, number=number, status=EntryStatus.REGISTERED).first()
        if entry is None:
            row.reject(HEADERS["number"], f"本竞赛没有 {number} 号选手")
            return None
        kind = cell_text(v.get("kind")).lower()
        raw = cell_text(v.get("value"))
        field = f"row{row.number}"
        if kind in THEORY_WORDS:
            return entry.event, ScoreCell(field=field, entry_id=entry.pk, raw=raw)
        if kind not in PRACTICAL_WORDS:
            row.reject(HEADERS["kind"], "应为“理论”或“实操”")
            return None
        item = PracticalItem.objects.filter(event_id=entry.event_id, name=cell_text(v.get("item"))).first()
        judge = Judge.objects.filter(contest=contest, name=cell_text(v.get("judge"))).first()
        if item is None:
            row.reject(HEADERS["item"], "实操成绩须填写本项目的考核内容")
        if judge is None:
            row.reject(HEADERS["judge"], "实操成绩须填写本竞赛的裁判姓名")
        if item is None or judge is None:
            return None
        return entry.event, ScoreCell(field=field, entry_id=entry.pk, raw=raw, item_id=item.pk, judge_id=judge.pk)

    def process(self, rows: list[Row], *, dry_run: bool) -> dict[str, int]:
        counts: Counter[str] = Counter()
        with transaction.atomic(), unscoped():
            ids = {i for r in rows if (i := _int(r.values.get("contest"))) is not None}
            contests = {c.pk: c for c in Contest.all_objects.filter(pk__in=ids) if self._may(c)}
            by_event: dict[int, tuple[ContestEvent, list[tuple[Row, ScoreCell]]]] = {}
            for row in rows:
                found = self._cell(row, contests)
                if found is not None:
                    event, cell = found
                    by_event.setdefault(event.pk, (event, []))[1].append((row, cell))
            for event, pairs in by_event.values():
                changed = self._enter(event, pairs)
                kept = sum(1 for row, _c in pairs if not row.errors)
                counts["created"] += changed
                counts["unchanged"] += kept - changed
            counts["rejected"] = sum(1 for r in rows if r.errors)
            if dry_run:
                transaction.set_rollback(True)
        return dict(counts)

    def _enter(self, event: ContestEvent, pairs: list[tuple[Row, ScoreCell]]) -> int:
        """The event's cells through the service; the cells it refuses are rejected and the rest entered again."""
        cells = {cell.field: (row, cell) for row, cell in pairs}
        while cells:  # each refusal removes at least one cell
            try:
                with transaction.atomic():
                    return scores_enter(
                        actor=self.actor, scope=self.scope, event=event, cells=[c for _r, c in cells.values()]
                    )
            except DomainError as exc:
                reasons = exc.details if isinstance(exc.details, dict) else {}
                if not reasons or not set(reasons) <= set(cells):
                    for row, _cell in cells.values():
                        row.reject("", exc.message)
                    return 0
                for field, reason in reasons.items():
                    cells.pop(field)[0].reject(HEADERS["value"], str(reason))
        return 0

    def audit(self, summary: dict[str, Any], path: str) -> None:
        audit_import(actor=self.actor, action="skills.scores.import", org=self.org, summary=summary, path=path)


def _int(value: Any) -> int | None:
    try:
        return parse_int(value, minimum=1)
    except CellError:
        return None


def export_scores(path: str, *, actor: User | None, org: Org | None, unmasked: bool, scope: Scope | None) -> int:
    """The counted scores (both entries agree, or settled) of the contests held in the subtree, in the import's
    columns: the file reads back unchanged."""
    from gonghui.core.audit import audit_record
    from gonghui.core.errors import PermissionDeniedError
    from gonghui.skills.models import COUNTED_STATES

    if scope is not None and (org is None or not scope.has_perm(SkillsPerm.VIEW, org.path)):
        raise PermissionDeniedError(SkillsPerm.VIEW)

    def lines() -> Iterator[list[Any]]:
        qs = Score.objects.filter(state__in=COUNTED_STATES)
        if org is not None:
            qs = qs.filter(subtree_q("entry__contest_path", org.path))
        rows = qs.order_by("entry__contest_id", "entry__number", "slot").values_list(
            "entry__contest_id", "entry__number", "kind", "item__name", "judge__name", "value"
        )
        for contest_id, number, kind, item, judge, value in rows.iterator(chunk_size=2000):
            yield [contest_id, number, "理论" if kind == "theory" else "实操", item or "", judge or "", value]

    with unscoped(), transaction.atomic():
        count = write_table(path, [c.header for c in SCORE_COLUMNS], lines(), sheet="竞赛成绩明细")
        audit_record(
            actor=actor,
            action="skills.scores.export",
            org=org,
            data={"file": str(path).rsplit("/", 1)[-1], "rows": count, "unmasked": False},
        )
    return count
