"""Zip containers (XLSX, ODS) opened within the limits of `limits`, whatever their headers claim.

`check_zip` reads the end-of-directory record itself, before `zipfile` (or calamine's
zip reader) loads the central directory, and refuses a directory too large or with
too many members. `Member` inflates one member from its raw bytes, counting what
comes out: more than the member's limit, more than its header declared, or a ratio
of inflated to compressed bytes beyond `MAX_ZIP_RATIO`, and it stops with `TooLarge`
(or `UnreadableFile` for a damaged member) before the bytes are kept anywhere.
"""

from __future__ import annotations

import os
import struct
import zipfile
import zlib
from pathlib import Path
from typing import IO

from gonghui.core.bulk.limits import (
    MAX_ZIP_DIRECTORY_BYTES,
    MAX_ZIP_MEMBERS,
    MAX_ZIP_RATIO,
    ZIP_RATIO_GRACE_BYTES,
    TooLarge,
    UnreadableFile,
    check_deadline,
    mb,
)

CHUNK = 1 << 20
_RAW_CHUNK = 64 * 1024
_EOCD = b"PK\x05\x06"
_EOCD64_LOCATOR = b"PK\x06\x07"
_EOCD64 = b"PK\x06\x06"
_LOCAL = b"PK\x03\x04"
DAMAGED = "无法读取该工作簿：文件已损坏，或不是 Excel 文件"


def check_zip(path: str | Path) -> None:
    """Refuse a zip whose central directory is too large to load, before anything loads it."""
    size = os.path.getsize(path)
    with open(path, "rb") as f:
        tail_size = min(size, 22 + 65535)
        f.seek(size - tail_size)
        tail = f.read(tail_size)
        # As zipfile finds it: the record right at the end, else the last one in the comment's reach.
        at = len(tail) - 22 if tail[-22:-18] == _EOCD and tail[-2:] == b"\x00\x00" else tail.rfind(_EOCD)
        if at < 0 or len(tail) - at < 22:
            raise UnreadableFile(DAMAGED)
        entries, directory = struct.unpack_from("<HL", tail, at + 10)
        locator = size - tail_size + at - 20
        if locator >= 0:
            f.seek(locator)
            data = f.read(20)
            if data[:4] == _EOCD64_LOCATOR:
                (offset,) = struct.unpack_from("<Q", data, 8)
                if offset > size - 56:
                    raise UnreadableFile(DAMAGED)
                f.seek(offset)
                record = f.read(56)
                if record[:4] != _EOCD64:
                    raise UnreadableFile(DAMAGED)
                entries, directory = struct.unpack_from("<QQ", record, 32)
    if entries > MAX_ZIP_MEMBERS:
        raise TooLarge(f"压缩包内有 {entries} 个文件，超过 {MAX_ZIP_MEMBERS} 个的上限（这不是普通的工作簿）")
    if directory > MAX_ZIP_DIRECTORY_BYTES:
        raise TooLarge(f"压缩包的目录超过 {mb(MAX_ZIP_DIRECTORY_BYTES)} 的上限（这不是普通的工作簿）")
    if entries and directory < 46 * min(entries, MAX_ZIP_MEMBERS):
        raise UnreadableFile(DAMAGED)


def open_zip(path: str | Path) -> zipfile.ZipFile:
    """`zipfile.ZipFile(path)` once `check_zip` has passed; damage is `UnreadableFile`."""
    check_zip(path)
    try:
        return zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise UnreadableFile(DAMAGED) from exc


def find(archive: zipfile.ZipFile, name: str) -> zipfile.ZipInfo | None:
    """A member by name, case-insensitively (some writers spell xl/sharedStrings.xml otherwise)."""
    try:
        return archive.getinfo(name)
    except KeyError:
        lowered = name.lower()
        return next((i for i in archive.infolist() if i.filename.lower() == lowered), None)


class Member:
    """One member's inflated bytes, read in chunks, within `limit` bytes (named `label` in errors)."""

    def __init__(self, path: str | Path, info: zipfile.ZipInfo, *, limit: int, label: str) -> None:
        self.label = label
        self.limit = limit
        self.declared = info.file_size
        self.crc = info.CRC
        if info.flag_bits & 0x1:
            raise UnreadableFile("工作簿已加密（设置了打开密码），请取消密码后再上传")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise UnreadableFile(f"无法读取该工作簿：{label}使用了不支持的压缩方式")
        self._check(info.file_size, info.compress_size)
        self._file: IO[bytes] = open(path, "rb")  # noqa: SIM115 - closed by close(), at the end or on error
        try:
            self._file.seek(info.header_offset)
            header = self._file.read(30)
            if len(header) < 30 or header[:4] != _LOCAL:
                raise UnreadableFile(DAMAGED)
            name_length, extra_length = struct.unpack_from("<HH", header, 26)
            self._file.seek(info.header_offset + 30 + name_length + extra_length)
        except BaseException:
            self._file.close()
            raise
        self._left = info.compress_size
        self._inflate = zlib.decompressobj(-15) if info.compress_type == zipfile.ZIP_DEFLATED else None
        self.consumed = 0  # compressed bytes read so far
        self.size = 0  # inflated bytes handed out so far
        self._crc = 0
        self._done = False

    def _check(self, inflated: int, compressed: int) -> None:
        if inflated > self.limit:
            raise TooLarge(f"{self.label}解压后超过 {mb(self.limit)} 的上限")
        if inflated > ZIP_RATIO_GRACE_BYTES and inflated > MAX_ZIP_RATIO * max(compressed, 1):
            raise TooLarge(f"{self.label}的压缩比超过 {MAX_ZIP_RATIO} 倍的上限（疑似压缩炸弹）")

    def read(self, size: int = CHUNK) -> bytes:
        """Up to `size` inflated bytes; b"" at the member's end."""
        check_deadline()
        while not self._done:
            inflate = self._inflate
            if inflate is not None and inflate.unconsumed_tail:
                raw = inflate.unconsumed_tail
            elif inflate is not None and inflate.eof:
                self._finish()
                break
            elif self._left > 0:
                raw = self._file.read(min(_RAW_CHUNK, self._left))
                if not raw:
                    raise UnreadableFile(DAMAGED)  # the file ends inside the member
                self._left -= len(raw)
                self.consumed += len(raw)
            else:
                if inflate is not None:
                    raise UnreadableFile(DAMAGED)  # the deflate stream never ended
                self._finish()
                break
            if inflate is None:
                data = raw
            else:
                try:
                    data = inflate.decompress(raw, size)
                except zlib.error as exc:
                    raise UnreadableFile(DAMAGED) from exc
            if data:
                self.size += len(data)
                if self.size > self.declared:
                    raise UnreadableFile(f"{DAMAGED}（{self.label}比声明的更大）")
                self._check(self.size, self.consumed)
                self._crc = zlib.crc32(data, self._crc)
                return data
        return b""

    def _finish(self) -> None:
        self._done = True
        if self.size != self.declared or self._crc != self.crc:
            raise UnreadableFile(DAMAGED)

    def read_all(self) -> bytes:
        parts = []
        while chunk := self.read():
            parts.append(chunk)
        return b"".join(parts)

    def close(self) -> None:
        self._file.close()

    def __enter__(self) -> Member:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def read_member(path: str | Path, info: zipfile.ZipInfo, *, limit: int, label: str) -> bytes:
    with Member(path, info, limit=limit, label=label) as member:
        return member.read_all()
