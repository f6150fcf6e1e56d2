"""The import run shared by every kind: read, validate and write in batches, report.

A kind supplies its columns and a `process(batch, dry_run)` that validates a
batch of rows set-based, writes the good ones in one transaction and returns
their outcomes. Each batch commits on its own, and every kind's upsert is
idempotent on its natural key, so a run killed at any moment is resumed by
running the same file again: committed rows come back "unchanged", nothing is
lost or doubled, and the report lists every rejected row of the whole file.
"""

from __future__ import annotations

import ctypes
import itertools
import multiprocessing as mp
import os
import signal
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any, Protocol, TypeVar

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from gonghui.core.bulk.headers import Column, Table, normalize_header, open_table
from gonghui.core.bulk.readers import UnreadableFile, is_workbook
from gonghui.core.bulk.report import ErrorWorkbook

BATCH_SIZE = 5_000
OUTCOMES = ("created", "updated", "unchanged", "rejected")


@dataclass
class Row:
    number: int  # the row's number in the file
    cells: list[Any]  # as given, for the error workbook
    values: dict[str, Any]  # by column key
    errors: list[str] = field(default_factory=list)  # "列名：原因"
    prepared: Any = None  # what the kind's `prepare` made of the cells

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

    def prepare(self, rows: list[Row]) -> None:
        """Clean the batch's cells without the database (a kind with `prepare_ahead` has it run in a child)."""
        ...

    def process(self, rows: list[Row], *, dry_run: bool) -> dict[str, int]:
        """Validate the batch (marking rejected rows), write the rest in one transaction; outcome counts."""
        ...


Progress = Callable[[int, Summary], None]


T = TypeVar("T")


def write_retrying(kind: object, rows: list[Row], write: Callable[[], T], *, state: tuple[str, ...] = ()) -> T:
    """Run a batch's `write` (one transaction); once more if a concurrent writer's insert collided with it.

    PostgreSQL runs writers side by side: someone may insert one of the batch's keys after
    the batch looked them up, and the transaction fails with `IntegrityError`. Everything
    was rolled back, so the second try starts as the first did: each row's errors and the
    kind's `state` attributes (its memory across batches: rows seen, the list made…) are
    put back first. Looked up again, the row is updated, unchanged or refused like any
    other; a second clash is a fault and propagates.
    """
    errors = [list(r.errors) for r in rows]
    saved = {name: _snapshot(getattr(kind, name)) for name in state}
    try:
        return write()
    except IntegrityError:
        for row, before in zip(rows, errors, strict=True):
            row.errors[:] = before
        for name, value in saved.items():
            setattr(kind, name, value)
        return write()


def _snapshot(value: Any) -> Any:
    """A container as it is now (a copy); anything else by reference."""
    return value.copy() if isinstance(value, dict | list | set) else value


def open_kind_table(kind: ImportKind, path: str | Path, renames: dict[str, str] | None = None) -> Table:
    """The file as `kind` reads it: its own `open_table` (a bank's fixed text format) or the common reader.

    `renames` ({header as in the file: column}) are columns the user confirmed (`Table.likely`);
    they stay on the kind, so the reading children of `_read_ahead` open the file the same way.
    """
    if renames is not None:
        kind.renames = renames  # type: ignore[attr-defined]
    opener = getattr(kind, "open_table", None)
    if opener is not None:
        return opener(path)
    return open_table(path, kind.columns, renames=getattr(kind, "renames", None))


def unknown_column_warnings(table: Table) -> list[str]:
    """Each column not read, and the column it is likely meant to be (to confirm and import again)."""
    return [
        f"未识别的列“{h}”已忽略" + (f"：可能是“{table.likely[h]}”，确认后可按该列导入" if h in table.likely else "")
        for h in table.unknown
    ]


def file_headers(table: Table, columns: list[Column]) -> dict[str, str]:
    """{our header: the file's own} for the columns the file names differently (文化程度 for 学历).

    A refusal names its column as the kind knows it; in the error workbook it names the
    column as the file does, so a cadre finds it in the file they typed.
    """
    ours = {c.key: c.header for c in columns}
    out: dict[str, str] = {}
    for index, key in table.mapping.items():
        header = ours.get(key)
        theirs = str(table.headers[index] or "").strip() if index < len(table.headers) else ""
        a, b = normalize_header(theirs), normalize_header(header)
        # Only a different name: 金额 for 金额（元） is the same column, said the kind's way.
        if header and theirs and a not in b and b not in a:
            out[header] = theirs
    return out


def relabel(errors: list[str], headers: dict[str, str]) -> list[str]:
    """Each "列名：原因" with the file's own name of the column first, ours after it: 文化程度（学历）：…"""
    if not headers:
        return errors
    out = []
    for error in errors:
        column, sep, reason = error.partition("：")
        out.append(f"{headers[column]}（{column}）：{reason}" if sep and column in headers else error)
    return out


def _batches(table: Table, size: int, keep: Callable[[int], bool] | None = None) -> Iterator[list[Row]]:
    """The data rows in batches; a batch `keep` refuses (by its index) comes out empty, unbuilt."""
    batch: list[Row] = []
    index, taken = 0, 0
    wanted = keep is None or keep(0)
    for number, cells in table.rows:
        if wanted:
            batch.append(Row(number, cells, table.values(cells)))
        taken += 1
        if taken >= size:
            yield batch
            batch, index, taken = [], index + 1, 0
            wanted = keep is None or keep(index)
    if taken:
        yield batch


_END = "end"


def _read_ahead(table: Table, kind: ImportKind, size: int, path: Path) -> Iterator[list[Row]]:
    """Batches read and prepared by child processes, ahead of the writer.

    Reading and cleaning cost about as much as writing: children put the
    second core to work while this process writes. Processes, not a thread:
    the writer releases the GIL for every row it hands SQLite, and against a
    busy reading thread each of those hand-backs would wait out a switch
    interval. Children are forked after the kind has loaded what `prepare`
    needs (code tables, keys) and never touch the database; a pipe's buffer
    holds each back when it gets ahead. A CSV is cheap to read, so two
    children each read it and prepare every other batch; a workbook costs
    more to read than to clean, so one child reads it.
    """
    if not getattr(kind, "prepare_ahead", False) or "fork" not in mp.get_all_start_methods():
        for batch in _batches(table, size):
            kind.prepare(batch)
            yield batch
        return
    # Two readers only where the database works inside this process (SQLite): with
    # PostgreSQL's backend a fourth busy process on two cores, they slowed it.
    two = connection.vendor == "sqlite" and (os.cpu_count() or 1) > 1 and not is_workbook(path)
    n = 2 if two else 1
    context = mp.get_context("fork")
    receivers: list[Connection] = []
    children = []
    for k in range(n):
        receiver, sender = context.Pipe(duplex=False)
        # The child closes every reading end it inherits (its own and its elder sibling's):
        # held open there, a dead writer's pipe would never break, and the child would
        # block on a full pipe for ever (issue 22).
        inherited = [*receivers, receiver]
        child = context.Process(
            target=_prepare_batches,
            args=(table if n == 1 else path, kind, size, sender, k, n, os.getpid(), inherited),
            daemon=True,
        )
        child.start()
        sender.close()
        receivers.append(receiver)
        children.append(child)
    try:
        for i in itertools.count():
            # Batch i comes from child i % n: the file's order is kept.
            try:
                item = receivers[i % n].recv()
            except EOFError:
                raise RuntimeError(f"读取文件的子进程意外退出（退出码 {children[i % n].exitcode}）") from None
            if item == _END:
                return
            if isinstance(item, BaseException):
                raise item
            yield [
                Row(number, cells.split(_SEP) if type(cells) is str else cells, {}, errors, prepared)
                for number, cells, errors, prepared in item
            ]
    finally:
        for receiver in receivers:
            receiver.close()
        for child in children:
            if child.is_alive():
                child.terminate()
            child.join()


_SEP = "\x1f"  # the ASCII unit separator: no spreadsheet cell holds it (cells with it stay lists)


def _packed(cells: list[Any]) -> Any:
    if all(type(c) is str for c in cells):
        joined = _SEP.join(cells)
        if joined.count(_SEP) == len(cells) - 1:
            return joined
    return cells


def _die_with_parent(parent: int, inherited: list[Connection]) -> None:
    """A reader child never outlives the process that started it (issue 22).

    The kernel kills it when its parent dies (Linux's parent-death signal; elsewhere the
    broken pipe ends it at its next send); SIGTERM ends it as by default, whatever handler
    the parent had installed (a server's graceful shutdown); the pipe ends it does not use
    are closed, so a dead writer's pipe breaks.
    """
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    for end in inherited:
        end.close()
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):  # no prctl in this libc: the broken pipe still ends it
            pass
    if os.getppid() != parent:  # the parent died before the signal was asked for
        os._exit(1)


PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


def _prepare_batches(
    source: Table | Path,
    kind: ImportKind,
    size: int,
    sender: Connection,
    k: int,
    n: int,
    parent: int,
    inherited: list[Connection],
) -> None:
    """Child k of n: read, prepare and send batches k, k + n, k + 2n…; errors go to the writer to raise."""
    _die_with_parent(parent, inherited)
    try:
        # Each of several children reads the file through its own descriptor (a
        # forked one shares its offset with the others).
        table = source if isinstance(source, Table) else open_kind_table(kind, source)
        for i, batch in enumerate(_batches(table, size, keep=lambda i: i % n == k)):
            if i % n != k:
                continue
            kind.prepare(batch)
            # Tuples, not Row objects (pickling dataclasses cost the writer 27 µs a row), and
            # a row of text cells as one string: a third of the pickling either side.
            sender.send([(r.number, _packed(r.cells), r.errors, r.prepared) for r in batch])
        sender.send(_END)
    except BrokenPipeError:
        return  # the writer has gone (interrupted): nothing left to do
    except BaseException as exc:
        try:
            sender.send(exc)
        except Exception:  # the exception itself would not pickle
            sender.send(RuntimeError(f"{type(exc).__name__}: {exc}"))


# SQLite's default page cache is 2 MB: a large import's index pages would be read
# from the OS again for every batch. A quarter gigabyte for the run keeps them.
SQLITE_IMPORT_CACHE_KB = 256 * 1024


@contextmanager
def _write_session() -> Iterator[None]:
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        before = cursor.fetchone()[0]
        cursor.execute(f"PRAGMA cache_size = -{SQLITE_IMPORT_CACHE_KB}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {int(before)}")


def audit_import(*, actor: Any, action: str, org: Any, summary: dict[str, Any], path: str) -> None:
    """One audit event for a whole import job (DESIGN §3.4): the file's name and its counts."""
    from gonghui.core.audit import audit_record

    with transaction.atomic():
        audit_record(
            actor=actor,
            action=action,
            org=org,
            data={"file": path.rsplit("/", 1)[-1], **{k: summary[k] for k in ("rows", *OUTCOMES)}},
        )


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
    renames: dict[str, str] | None = None,
    seal_report: bool = False,
) -> Summary:
    """Import `path` as `kind`; raises `UnreadableFile` when it is not a table at all.

    `renames` ({header as in the file: column}) reads columns the user confirmed;
    `seal_report` seals the error workbook under the field key (a job's: downloaded through a page).
    """
    table = open_kind_table(kind, path, renames)
    if table.missing:
        raise UnreadableFile("缺少必填列：" + "、".join(table.missing))
    summary = Summary(kind=kind.name, dry_run=dry_run)
    summary.warnings += unknown_column_warnings(table)
    summary.warnings += kind.check_table(table)
    report: ErrorWorkbook | None = None
    headers = file_headers(table, kind.columns)
    with _write_session():
        for batch in _read_ahead(table, kind, batch_size, Path(path)):
            counts = kind.process(batch, dry_run=dry_run)
            summary.rows += len(batch)
            for outcome in OUTCOMES:
                setattr(summary, outcome, getattr(summary, outcome) + counts.get(outcome, 0))
            for row in batch:
                if row.errors:
                    if report is None:
                        report = ErrorWorkbook(report_path(kind.name), table.headers)
                    report.add(row.number, row.cells, relabel(row.errors, headers))
            if progress is not None:
                progress(summary.rows, summary)
    notes = getattr(kind, "notes", None)  # what the kind has to say about the file as a whole, once through
    if notes is not None:
        summary.warnings += notes()
    if report is not None:
        summary.report = str(report.save(sealed=seal_report))
    return summary
