"""The import run shared by every kind: read, validate and write in batches, report.

A kind supplies its columns and a `process(batch, dry_run)` that validates a
batch of rows set-based, writes the good ones in one transaction and returns
their outcomes. Each batch commits on its own, and every kind's upsert is
idempotent on its natural key, so a run killed at any moment is resumed by
running the same file again: committed rows come back "unchanged", nothing is
lost or doubled, and the report lists every rejected row of the whole file.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from django.conf import settings
from django.utils import timezone

from gonghui.core.bulk.headers import Column, Table, open_table
from gonghui.core.bulk.readers import UnreadableFile
from gonghui.core.bulk.report import ErrorWorkbook

BATCH_SIZE = 5_000
OUTCOMES = ("created", "updated", "unchanged", "rejected")


@dataclass
class Row:
    number: int  # the row's number in the file
    cells: list[Any]  # as given, for the error workbook
    values: dict[str, Any]  # by column key
    errors: list[str] = field(default_factory=list)  # "列名：原因"

    def reject(self, column: str, reason: str) -> None:
        self.errors.append(f"{column}：{reason}" if column else reason)


@dataclass
class Summary:
    kind: str
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    report: str | None = None
    warnings: list[str] = field(default_factory=list)
    dry_run: bool = False

    def as_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
            "report": self.report,
            "warnings": self.warnings,
            "dry_run": self.dry_run,
        }


class ImportKind(Protocol):
    name: str
    columns: list[Column]

    def check_table(self, table: Table) -> list[str]:
        """Warnings about the file as a whole (a column not imported yet…); raise to refuse it."""
        ...

    def process(self, rows: list[Row], *, dry_run: bool) -> dict[str, int]:
        """Validate the batch (marking rejected rows), write the rest in one transaction; outcome counts."""
        ...


Progress = Callable[[int, Summary], None]


def _batches(table: Table, size: int) -> Iterator[list[Row]]:
    batch: list[Row] = []
    for number, cells in table.rows:
        batch.append(Row(number, cells, table.values(cells)))
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def report_path(kind: str) -> Path:
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    return Path(settings.DATA_DIR) / "reports" / f"import-{kind}-{stamp}-{time.monotonic_ns() % 10**6:06d}.xlsx"


def run_import(
    kind: ImportKind,
    path: str | Path,
    *,
    dry_run: bool = False,
    batch_size: int = BATCH_SIZE,
    progress: Progress | None = None,
) -> Summary:
    """Import `path` as `kind`; raises `UnreadableFile` when it is not a table at all."""
    table = open_table(path, kind.columns)
    if table.missing:
        raise UnreadableFile("缺少必填列：" + "、".join(table.missing))
    summary = Summary(kind=kind.name, dry_run=dry_run)
    summary.warnings += [f"未识别的列“{h}”已忽略" for h in table.unknown]
    summary.warnings += kind.check_table(table)
    report: ErrorWorkbook | None = None
    for batch in _batches(table, batch_size):
        counts = kind.process(batch, dry_run=dry_run)
        summary.rows += len(batch)
        for outcome in OUTCOMES:
            setattr(summary, outcome, getattr(summary, outcome) + counts.get(outcome, 0))
        for row in batch:
            if row.errors:
                if report is None:
                    report = ErrorWorkbook(report_path(kind.name), table.headers)
                report.add(row.number, row.cells, row.errors)
        if progress is not None:
            progress(summary.rows, summary)
    if report is not None:
        summary.report = str(report.save())
    return summary
