"""Where bulk files live, and how an upload reaches the disk.

Everything sits under `settings.DATA_DIR`: uploads in `uploads/` (those not yet
started in `uploads/pending/`), exports in `exports/`, error workbooks in
`reports/` (the engine's). Names are random; paths are stored relative to
DATA_DIR and resolved back only inside it. An upload is streamed straight to
its file in chunks, never held in memory, and stopped at the size limit.

What the pages and jobs keep there holds personal data, so it is sealed at rest
under the field key (`crypto.FileSealer`): an upload as it arrives, an error
workbook or an export as it is finished. A reader that needs a path (the
workbook readers, calamine) gets a clear copy in `work/` for as long as it
reads (`clear_copy`), and a download is decrypted as it is sent
(`SealedReader`). Files written by the console for its operator (`gonghui
import`'s error workbook) stay clear; every file expires (`jobs.bulk_files_sweep`).
"""

from __future__ import annotations

import codecs
import io
import os
import re
import secrets
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.http import HttpRequest

from gonghui.core import crypto

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


def work_dir() -> Path:
    """Where clear copies live while they are read or written: the owner's alone."""
    directory = data_dir() / "work"
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    return directory


def is_sealed(path: Path) -> bool:
    with path.open("rb") as f:
        return crypto.is_sealed_file(f.read(crypto.FILE_HEADER_BYTES))


@contextmanager
def clear_copy(path: Path) -> Iterator[Path]:
    """A clear copy of the sealed file at `path` (with its suffix), removed when done; a clear file is itself.

    Raises `crypto.SealError` when the keys at hand cannot open it.
    """
    if not is_sealed(path):
        yield path  # written clear by the console, or before files were sealed
        return
    target = work_dir() / f"{secrets.token_hex(16)}{path.suffix}"
    try:
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as out, path.open("rb") as source:
            for chunk in crypto.open_sealed_file(source):
                out.write(chunk)
        yield target
    finally:
        target.unlink(missing_ok=True)


@contextmanager
def sealed_output(target: Path) -> Iterator[Path]:
    """A clear path to write (with `target`'s suffix); sealed into `target` when the block ends without error."""
    clear = work_dir() / f"{secrets.token_hex(16)}{target.suffix}"
    try:
        yield clear
        seal_file(clear, target)
    finally:
        clear.unlink(missing_ok=True)


def seal_file(source: Path, target: Path, *, key: str | None = None) -> None:
    """Seal the clear file `source` into `target`, replacing it whole (never half written)."""
    with source.open("rb") as clear:
        _write_sealed(iter(lambda: clear.read(crypto.FILE_CHUNK), b""), target, key=key)


def reseal_file(path: Path, *, keys: list[str], key: str) -> None:
    """Open the sealed file at `path` with one of `keys` and seal it again under `key`, in place."""
    with path.open("rb") as source:
        _write_sealed(crypto.open_sealed_file(source, keys=keys), path, key=key)


def _write_sealed(chunks: Iterator[bytes], target: Path, *, key: str | None) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.{secrets.token_hex(4)}.part")
    try:
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as out:
            sealer = crypto.FileSealer(out, key=key)
            for chunk in chunks:
                sealer.write(chunk)
            sealer.close()
            out.flush()
            os.fsync(out.fileno())
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)


class SealedReader(io.RawIOBase):
    """The clear content of a file under DATA_DIR as a read-only stream (a download), sealed or not."""

    def __init__(self, path: Path) -> None:
        super().__init__()
        self._file = path.open("rb")
        sealed = crypto.is_sealed_file(self._file.read(crypto.FILE_HEADER_BYTES))
        self._file.seek(0)
        self._chunks: Iterator[bytes] = (
            crypto.open_sealed_file(self._file) if sealed else iter(lambda: self._file.read(crypto.FILE_CHUNK), b"")
        )
        self._pending = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while not self._pending:
            try:
                self._pending = next(self._chunks)
            except StopIteration:
                return 0
        n = min(len(buffer), len(self._pending))
        buffer[:n] = self._pending[:n]
        self._pending = self._pending[n:]
        return n

    def close(self) -> None:
        self._file.close()
        super().close()


SEALED_FOLDERS = ("uploads", "reports", "exports")


def sealed_files() -> Iterator[Path]:
    """Every sealed file under DATA_DIR's bulk folders (for a key rotation)."""
    for folder in SEALED_FOLDERS:
        directory = data_dir() / folder
        if not directory.is_dir():
            continue
        for path in sorted(directory.rglob("*")):
            if path.is_file() and not path.name.startswith(".") and is_sealed(path):
                yield path


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
    os.utime(target)  # its age is now the job's: the sweep's day for an upload no job names starts here
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
        fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        self.file = os.fdopen(fd, "wb")
        self.sealer = crypto.FileSealer(self.file)  # a roster reaches the disk sealed, never clear
        self.size = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        self.size += len(raw_data)
        if self.size > self.max_bytes:
            self.problem = "size"
            self._discard()
            raise SkipFile
        self.sealer.write(raw_data)
        return None

    def file_complete(self, file_size: int) -> StoredUpload | None:
        if self.path is None:
            return None
        self.sealer.close()
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
