"""Per-bank payout files (DOMAIN §3: one adapter per bank file format), keyed by `BankPartner.file_format`.

`standard`  our own workbook: 明细编号, 户名, 卡号, 金额（元）, 用途, 摘要 (XLSX; CSV when the path says .csv).
`csv`       the same columns as CSV (UTF-8 with a BOM, so Excel and WPS read the Chinese).
`gzb_txt`   贵州银行's batch-payment text file, GB18030, CRLF line ends, fields separated by "|":

    GH000000000012|3|1300.00|520201|20250501        批次号|总笔数|总金额（元）|付款工会代码|文件日期
    41|王一|6217950000000000418|500.00|困难补助|2025年春节慰问
    …                                               明细编号|户名|卡号|金额（元）|用途|摘要

  The bank answers (回盘) with the same lines and two more fields, 处理结果 (成功/失败)
  and 失败原因, under a header line of its own; `read_answer` reads that answer as a
  table for the `payout_results` kind.

An adapter decides the file's content, its name, extension and content type. The
bank file is the one place full card numbers leave the system: every other file
and screen shows them masked.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from django.utils import timezone

from gonghui.core.bulk import Table, UnreadableFile, write_table
from gonghui.core.bulk.limits import MAX_CELL_CHARS, MAX_COLUMNS, TooLarge
from gonghui.core.bulk.readers import detect_encoding, text_lines
from gonghui.core.errors import DomainError
from gonghui.core.money import fen_to_yuan as fen_text
from gonghui.payouts import errors as _errors  # noqa: F401  (registers messages)

if TYPE_CHECKING:
    from gonghui.cards.models import BankPartner
from gonghui.payouts.models import PayoutBatch

BANK_FILE_HEADERS = ["明细编号", "户名", "卡号", "金额（元）", "用途", "摘要"]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class BankFileLine:
    """One payment as the bank file carries it: the card number in full."""

    item_id: int
    name: str
    card_number: str
    amount_fen: int
    purpose: str
    memo: str


class BankFileAdapter(Protocol):
    code: str
    label: str
    suffix: str  # ".xlsx"
    content_type: str

    def filename(self, batch: PayoutBatch) -> str:
        """The name the file is downloaded under."""
        ...

    def write(self, path: Path, *, batch: PayoutBatch, lines: Iterable[BankFileLine]) -> int:
        """Write the batch's lines to `path`; the number of lines."""
        ...

    def read_answer(self, path: Path) -> Table | None:
        """The bank's answer in this format as a table of `payout_results` columns; None: not this format."""
        ...


def batch_number(batch: PayoutBatch) -> str:
    """The batch's reference in a bank file: stable, so the bank can refuse the same batch sent twice."""
    return f"GH{batch.pk:012d}"


def _stamp() -> str:
    return timezone.localdate().strftime("%Y%m%d")


def _rows(lines: Iterable[BankFileLine]) -> Iterator[list[Any]]:
    for line in lines:
        yield [line.item_id, line.name, line.card_number, fen_text(line.amount_fen), line.purpose, line.memo]


class StandardAdapter:
    """Our own workbook (the bank keys it into its system or reads it as it is)."""

    code = "standard"
    label = "通用 Excel（XLSX）"
    suffix = ".xlsx"
    content_type = XLSX

    def filename(self, batch: PayoutBatch) -> str:
        return f"代发文件-{batch.bank.name}-{batch.pk}{self.suffix}"

    def write(self, path: Path, *, batch: PayoutBatch, lines: Iterable[BankFileLine]) -> int:
        # The path's extension chooses XLSX or CSV (write_table), as callers have always asked.
        return write_table(str(path), BANK_FILE_HEADERS, _rows(lines), sheet="代发明细")

    def read_answer(self, path: Path) -> Table | None:
        return None  # answered as a workbook or CSV with headers: the engine reads those itself


class CsvAdapter(StandardAdapter):
    code = "csv"
    label = "通用 CSV（UTF-8）"
    suffix = ".csv"
    content_type = "text/csv; charset=utf-8"

    def write(self, path: Path, *, batch: PayoutBatch, lines: Iterable[BankFileLine]) -> int:
        import csv

        from gonghui.core.bulk import safe_cell

        path.parent.mkdir(parents=True, exist_ok=True)
        count = 0
        with path.open("w", encoding="utf-8-sig", newline="") as f:
            out = csv.writer(f)
            out.writerow(BANK_FILE_HEADERS)
            for row in _rows(lines):
                out.writerow([safe_cell(c) for c in row])
                count += 1
        return count


_UNSAFE = re.compile(r"[\x00-\x1f\x7f|]")
GZB_ENCODING = "gb18030"
GZB_EOL = "\r\n"
# The answer's detail lines: our six fields, then 处理结果 and 失败原因.
GZB_ANSWER_HEADERS = [*BANK_FILE_HEADERS, "结果", "失败原因"]
_GZB_ANSWER_MAPPING = {0: "item_id", 2: "card_no", 3: "amount", 6: "result", 7: "reason"}
_GZB_HEADER = re.compile(r"GH\d{12}")


def gzb_field(value: Any) -> str:
    """A field as the bank's parser can take it: no separator, no line break, no control character."""
    return _UNSAFE.sub(lambda m: "｜" if m.group() == "|" else " ", str(value)).strip()


class GzbTxtAdapter:
    """贵州银行 批量代发 text file (see the module docstring)."""

    code = "gzb_txt"
    label = "贵州银行批量代发文本（GB18030）"
    suffix = ".txt"
    content_type = "text/plain; charset=GB18030"

    def filename(self, batch: PayoutBatch) -> str:
        return f"GZB_DF_{batch_number(batch)}_{_stamp()}{self.suffix}"

    def write(self, path: Path, *, batch: PayoutBatch, lines: Iterable[BankFileLine]) -> int:
        # The header carries the count and total: the lines are gathered first (a batch is thousands, not millions).
        items = list(lines)
        total = sum(line.amount_fen for line in items)
        header = [batch_number(batch), str(len(items)), fen_text(total), batch.org.code, _stamp()]
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("w", encoding=GZB_ENCODING, newline="") as f:
            f.write("|".join(header) + GZB_EOL)
            for line in items:
                fields = [
                    str(line.item_id),
                    gzb_field(line.name),
                    line.card_number,
                    fen_text(line.amount_fen),
                    gzb_field(line.purpose),
                    gzb_field(line.memo),
                ]
                f.write("|".join(fields) + GZB_EOL)
        return len(items)

    def read_answer(self, path: Path) -> Table | None:
        """The 回盘 file: our header line echoed, then each line with 处理结果 and 失败原因 appended."""
        try:
            with Path(path).open("rb") as f:
                head = f.read(4096)
        except OSError:
            return None
        first = head.removeprefix(codecs.BOM_UTF8).split(b"\n", 1)[0].rstrip(b"\r")
        fields = first.split(b"|")
        if len(fields) < 3 or not _GZB_HEADER.fullmatch(fields[0].decode("ascii", "replace")):
            return None

        try:
            encoding = detect_encoding(head)
        except UnreadableFile:
            return None

        width = len(GZB_ANSWER_HEADERS)

        def rows() -> Iterator[tuple[int, list[Any]]]:
            # Within the readers' limits: a line is read up to MAX_ROW_BYTES, never whole, and only
            # the answer's own fields are kept (a line of a million "|" is refused before it is split).
            for number, text in text_lines(path, encoding):
                if number == 1 or not text.strip():
                    continue
                if text.count("|") >= MAX_COLUMNS:
                    raise TooLarge(f"第 {number} 行超过 {MAX_COLUMNS} 个字段的上限")
                cells: list[Any] = text.split("|", width)[:width]
                if max(map(len, cells)) > MAX_CELL_CHARS:
                    raise TooLarge(f"第 {number} 行有字段超过 {MAX_CELL_CHARS} 个字符的上限")
                yield number, cells + [""] * (width - len(cells))

        return Table(1, list(GZB_ANSWER_HEADERS), dict(_GZB_ANSWER_MAPPING), rows=rows())


_adapters: dict[str, BankFileAdapter] = {}


def register_adapter(adapter: BankFileAdapter) -> None:
    _adapters[adapter.code] = adapter


for _adapter in (StandardAdapter(), CsvAdapter(), GzbTxtAdapter()):
    register_adapter(_adapter)


def bank_file_adapter(bank: BankPartner) -> BankFileAdapter:
    """The adapter of the bank's `file_format`; an unknown format is a clear refusal."""
    adapter = _adapters.get((bank.file_format or "standard").strip())
    if adapter is None:
        raise DomainError(
            "payout.file_format_unknown",
            bank=bank.name,
            format=bank.file_format,
            formats="、".join(_adapters),
        )
    return adapter


def read_bank_answer(path: str | Path) -> Table | None:
    """The bank's answer in any adapter's own format as a table; None: an ordinary workbook or CSV."""
    for adapter in _adapters.values():
        table = adapter.read_answer(Path(path))
        if table is not None:
            return table
    return None
