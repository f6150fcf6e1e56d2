"""Where bulk files live, and how an upload reaches the disk.

Everything sits under `settings.DATA_DIR`: uploads in `uploads/` (those not yet
started in `uploads/pending/`), exports in `exports/`, error workbooks in
`reports/` (the engine's). Names are random; paths are stored relative to
DATA_DIR and resolved back only inside it. An upload is streamed straight to
its file in chunks, never held in memory, and stopped at the size limit.
"""

from __future__ import annotations

import codecs
import re
import secrets
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.http import HttpRequest

# .txt: a bank's fixed text answer, read by the kind that knows its layout (others refuse it as not a table).
UPLOAD_SUFFIXES = (".xlsx", ".xls", ".ods", ".csv", ".txt")
EXPORT_SUFFIXES = (".xlsx", ".csv")
PENDING_HOURS = 24
# Counting a workbook's rows means reading it: only small ones are counted that way.
COUNT_WORKBOOK_BYTES = 30 * 1024 * 1024
_DIMENSION = re.compile(rb'<dimension ref="[A-Z]+\d+:[A-Z]+(\d+)"')


def data_dir() -> Path:
    return Path(settings.DATA_DIR)


def relative(path: str | Path) -> str:
    """`path` relative to DATA_DIR (as stored on a job)."""
    return str(Path(path).resolve().relative_to(data_dir().resolve()))


def resolve(stored: str) -> Path | None:
    """The file a job stored, if it is still inside DATA_DIR and there."""
    if not stored:
        return None
    root = data_dir().resolve()
    path = (root / stored).resolve()
    if not path.is_relative_to(root) or not path.is_file():
        return None
    return path


def _new_path(folder: str, suffix: str) -> Path:
    directory = data_dir() / folder
    directory.mkdir(parents=True, exist_ok=True)
    return directory / f"{secrets.token_hex(16)}{suffix}"


def new_export_path(suffix: str) -> Path:
    return _new_path("exports", suffix)


def new_pending_path(suffix: str) -> Path:
    return _new_path("uploads/pending", suffix)


def promote_pending(stored: str) -> str:
    """Move a previewed upload out of `uploads/pending/` for its job; the new stored path."""
    source = resolve(stored)
    if source is None or source.parent.name != "pending":
        raise FileNotFoundError(stored)
    target = source.parent.parent / source.name
    source.rename(target)
    return relative(target)


def purge_pending(*, hours: int = PENDING_HOURS) -> int:
    """Delete uploads previewed but never started (or cancelled by closing the tab)."""
    directory = data_dir() / "uploads" / "pending"
    if not directory.is_dir():
        return 0
    cutoff = time.time() - hours * 3600
    removed = 0
    for path in directory.iterdir():
        try:
            if path.is_file() and path.stat().st_mtime < cutoff:
                path.unlink()
                removed += 1
        except FileNotFoundError:
            continue  # another request purged it first
    return removed


def display_name(name: str) -> str:
    """The uploaded file's own name, without any folder a browser sent, for display."""
    return re.split(r"[\\/]", name or "")[-1].strip()[:255] or "未命名文件"


def estimate_rows(path: Path) -> int | None:
    """About how many rows the file holds (the progress bar's end); None when it is dear to tell.

    Never by loading a workbook: an XLSX's <dimension> is read from the sheet's first
    bytes (within the zip limits), an XLS or ODS is measured the way the reader will
    measure it before loading (`extents`), and only when small.
    """
    try:
        with path.open("rb") as f:
            head = f.read(8)
        if head.startswith(b"PK\x03\x04"):
            rows = _xlsx_dimension(path)
            if rows is not None:
                return rows
        if head.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):
            return _workbook_height(path) if path.stat().st_size <= COUNT_WORKBOOK_BYTES else None
        if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return None  # a newline byte is also half of other characters there
        return _count_lines(path)
    except OSError:
        return None


def _count_lines(path: Path) -> int:
    lines = 0
    last = b""
    with path.open("rb") as f:
        while chunk := f.read(1 << 20):
            lines += chunk.count(b"\n")
            last = chunk
    return lines + (1 if last and not last.endswith(b"\n") else 0)


def _xlsx_dimension(path: Path) -> int | None:
    from gonghui.core.bulk.zips import Member, open_zip

    try:
        with open_zip(path) as z:
            sheets = [i for i in z.infolist() if re.fullmatch(r"xl/worksheets/sheet\d+\.xml", i.filename)]
        if not sheets:
            return None
        first = min(sheets, key=lambda i: (len(i.filename), i.filename))
        with Member(path, first, limit=first.file_size, label=first.filename) as stream:
            match = _DIMENSION.search(stream.read(4096))
    except (ValueError, OSError):  # UnreadableFile, TooLarge: the import reports them
        return None
    return int(match.group(1)) if match else None


def _workbook_height(path: Path) -> int | None:
    from gonghui.core.bulk.extents import check_ods, check_xls

    try:
        with path.open("rb") as f:
            ole = f.read(8) == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
        return (check_xls(path) if ole else check_ods(path)).rows
    except (ValueError, OSError):  # not an ODS, broken or too large: the import reports it
        return None


class StoredUpload(UploadedFile):
    """An upload already on disk under DATA_DIR (`stored`: its path relative to DATA_DIR)."""

    def __init__(self, path: Path, name: str, size: int, content_type: str | None) -> None:
        super().__init__(file=None, name=name, content_type=content_type, size=size)
        self.path = path
        self.stored = relative(path)

    def discard(self) -> None:
        self.path.unlink(missing_ok=True)


class BulkUploadHandler(FileUploadHandler):
    """Streams the `file` field into `uploads/pending/` and refuses wrong types and oversize files.

    A refusal skips the file (the rest of it is read and dropped) and leaves
    `problem` set for the view to explain: "type" or "size".
    """

    FIELD = "file"

    def __init__(self, request: HttpRequest, *, max_bytes: int) -> None:
        super().__init__(request)
        self.max_bytes = max_bytes
        self.problem = ""
        self.path: Path | None = None
        self.size = 0

    def new_file(self, field_name: str, file_name: str, *args: Any, **kwargs: Any) -> None:
        super().new_file(field_name, file_name, *args, **kwargs)
        if field_name != self.FIELD:
            raise SkipFile
        suffix = Path(display_name(file_name)).suffix.lower()
        if suffix not in UPLOAD_SUFFIXES:
            self.problem = "type"
            raise SkipFile
        self.path = new_pending_path(suffix)
        self.file = self.path.open("wb")
        self.size = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        self.size += len(raw_data)
        if self.size > self.max_bytes:
            self.problem = "size"
            self._discard()
            raise SkipFile
        self.file.write(raw_data)
        return None

    def file_complete(self, file_size: int) -> StoredUpload | None:
        if self.path is None:
            return None
        self.file.close()
        path, self.path = self.path, None
        return StoredUpload(path, display_name(self.file_name or ""), file_size, self.content_type)

    def upload_interrupted(self) -> None:
        self._discard()

    def _discard(self) -> None:
        if self.path is not None:
            self.file.close()
            self.path.unlink(missing_ok=True)
            self.path = None
