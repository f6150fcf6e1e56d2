"""Field encryption and blind indexes for sensitive identifiers (DESIGN.md §3.3).

An ID number is stored as AES-256-GCM ciphertext (random 96-bit nonce, the
field's purpose as associated data) and an HMAC-SHA256 blind index for exact
matching and uniqueness. The two keys are separate, so the index key can sit
where matching runs without the power to decrypt.

A token names the key that sealed it and its purpose in a short clear header
(version 2: `\\x02`, a 4-byte key id, the purpose's length and bytes), which is
also the associated data, so a reader holding several keys (a key rotation, a
restore check of an old backup) knows which one opens each row. Tokens written
before key ids (version 1: `\\x01`, nonce, ciphertext; the purpose alone as
associated data) still open: each key at hand is tried in turn.

Which columns hold what this module makes is found by name across every
installed model (`sealed_columns`): a `*_cipher` binary field holds tokens, a
64-character `*_index` field holds blind indexes, and the two with the same
prefix belong together; a `<prefix>_type` field beside them is part of the
index's input for numbers that are not GB 11643 ones (`"type:value"`).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import sys
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings

if TYPE_CHECKING:
    from django.db import models

NONCE_BYTES = 12
VERSION = b"\x02"
LEGACY_VERSION = b"\x01"
KEY_ID_BYTES = 4
INDEX_LENGTH = 64  # hex HMAC-SHA256


class SealError(ValueError):
    """A token the keys at hand cannot open; the message names key ids, never a value."""


def _derive(secret: str, label: bytes) -> bytes:
    # Settings hold printable secrets; derive fixed-length binary keys from them.
    return hashlib.sha256(label + b"\x00" + secret.encode()).digest()


@lru_cache(maxsize=8)
def _aead(secret: str) -> AESGCM:
    return AESGCM(_derive(secret, b"gonghui-field-key"))


@lru_cache(maxsize=8)
def _index_key(secret: str) -> bytes:
    return _derive(secret, b"gonghui-index-key")


@lru_cache(maxsize=8)
def _field_key_id_bytes(secret: str) -> bytes:
    return hashlib.sha256(b"gonghui-key-id\x00" + _derive(secret, b"gonghui-field-key")).digest()[:KEY_ID_BYTES]


def field_key_id(secret: str) -> str:
    """Eight hex digits naming a field key (a hash of the derived key: safe to print and log)."""
    return _field_key_id_bytes(secret).hex()


@lru_cache(maxsize=8)
def index_key_id(secret: str) -> str:
    """Eight hex digits naming an index key, for logs, state files and restore checks."""
    return hashlib.sha256(b"gonghui-key-id\x00" + _index_key(secret)).hexdigest()[:8]


@lru_cache(maxsize=32)
def _header(secret: str, purpose: str) -> bytes:
    name = purpose.encode()
    if len(name) > 255:
        raise ValueError("purpose too long")
    return VERSION + _field_key_id_bytes(secret) + bytes([len(name)]) + name


@dataclass(frozen=True)
class TokenInfo:
    """What a token's clear header says: its format, and (version 2) its key id and purpose."""

    version: int
    key_id: str | None = None
    purpose: str | None = None


def _split(data: bytes) -> tuple[bytes, str, bytes, bytes]:
    """A version 2 token's header, purpose, nonce and sealed part."""
    start = 1 + KEY_ID_BYTES
    if len(data) < start + 1:
        raise SealError("truncated ciphertext")
    end = start + 1 + data[start]
    if len(data) < end + NONCE_BYTES + 16:
        raise SealError("truncated ciphertext")
    try:
        purpose = data[start + 1 : end].decode()
    except UnicodeDecodeError as exc:
        raise SealError("malformed ciphertext header") from exc
    return data[:end], purpose, data[end : end + NONCE_BYTES], data[end + NONCE_BYTES :]


def token_info(token: bytes | memoryview) -> TokenInfo:
    data = bytes(token)
    if data[:1] == VERSION:
        header, purpose, _nonce, _sealed = _split(data)
        return TokenInfo(2, header[1 : 1 + KEY_ID_BYTES].hex(), purpose)
    if data[:1] == LEGACY_VERSION:
        return TokenInfo(1)
    raise SealError("unknown ciphertext version")


def encrypt(plaintext: str, *, purpose: str, key: str | None = None) -> bytes:
    """Seal `plaintext` under the field key (`key`, else the configured one)."""
    secret = settings.GONGHUI_FIELD_KEY if key is None else key
    header = _header(secret, purpose)
    nonce = os.urandom(NONCE_BYTES)
    return header + nonce + _aead(secret).encrypt(nonce, plaintext.encode(), header)


def decrypt(token: bytes | memoryview, *, purpose: str, keys: Sequence[str] | None = None) -> str:
    """Open a token sealed for `purpose` with one of `keys` (default: the configured field key)."""
    return open_token(token, purpose=purpose, keys=keys)[0]


def open_token(token: bytes | memoryview, *, purpose: str, keys: Sequence[str] | None = None) -> tuple[str, str]:
    """(plaintext, the secret that opened it): a rotation must know which key sealed each row."""
    data = bytes(token)
    secrets = [settings.GONGHUI_FIELD_KEY] if keys is None else keys
    version = data[:1]
    if version == VERSION:
        header, sealed_for, nonce, sealed = _split(data)
        if sealed_for != purpose:
            raise SealError("ciphertext sealed for another purpose")
        wanted = header[1 : 1 + KEY_ID_BYTES]
        for secret in secrets:
            if _field_key_id_bytes(secret) == wanted:
                try:
                    return _aead(secret).decrypt(nonce, sealed, header).decode(), secret
                except InvalidTag as exc:
                    raise SealError(f"ciphertext under field key {wanted.hex()} does not verify") from exc
        raise SealError(f"sealed under field key {wanted.hex()}, which is not at hand")
    if version == LEGACY_VERSION:
        nonce, sealed = data[1 : 1 + NONCE_BYTES], data[1 + NONCE_BYTES :]
        for secret in secrets:
            try:
                return _aead(secret).decrypt(nonce, sealed, purpose.encode()).decode(), secret
            except InvalidTag:
                continue
        raise SealError("sealed (version 1) under none of the field keys at hand")
    raise SealError("unknown ciphertext version")


def blind_index(value: str, *, purpose: str, key: str | None = None) -> str:
    """Hex HMAC-SHA256 of the normalized value; equal values give equal indexes."""
    mac = _keyed(settings.GONGHUI_INDEX_KEY if key is None else key, purpose).copy()
    mac.update(value.encode())
    return mac.hexdigest()


@lru_cache(maxsize=16)
def _keyed(secret: str, purpose: str) -> hmac.HMAC:
    # The key schedule and the purpose prefix, computed once: each value copies this state.
    return hmac.new(_index_key(secret), purpose.encode() + b"\x00", hashlib.sha256)


def blind_indexes(values: Iterable[str], *, purpose: str, key: str | None = None) -> list[str]:
    """Batch form for imports and cross-checks: one key lookup for the batch."""
    secret = _index_key(settings.GONGHUI_INDEX_KEY if key is None else key)
    prefix = purpose.encode() + b"\x00"
    return [hmac.new(secret, prefix + v.encode(), hashlib.sha256).hexdigest() for v in values]


# --- where sealed values live ---------------------------------------------------------------------

_PURPOSES: set[str] = set()


def register_purpose(purpose: str) -> None:
    """Name a purpose for tools that open version 1 tokens (which do not carry their purpose)."""
    _PURPOSES.add(purpose)


def known_purposes() -> list[str]:
    """Registered purposes and every module-level `*_PURPOSE` string of the project's loaded modules.

    Version 2 tokens name their purpose; for version 1 tokens a rotation or a
    restore check tries these (AES-GCM refuses a wrong purpose, so trying is safe).
    """
    found = set(_PURPOSES)
    for name, module in list(sys.modules.items()):
        if not name.startswith("gonghui.") or module is None:
            continue
        for attr, value in list(vars(module).items()):
            if attr.endswith("_PURPOSE") and attr.isupper() and isinstance(value, str) and value:
                found.add(value)
    return sorted(found)


@dataclass(frozen=True)
class SealedColumns:
    """One sealed value on a model: its ciphertext column, its blind-index column, or both."""

    model: type[models.Model]
    prefix: str
    cipher: str | None  # name of a BinaryField <prefix>_cipher
    index: str | None  # name of a 64-character CharField <prefix>_index
    type_field: str | None  # name of a CharField <prefix>_type, when the model has one

    @property
    def label(self) -> str:
        return f"{self.model._meta.label}.{self.prefix}"

    def index_inputs(self, value: str, row_type: Any) -> list[str]:
        """What the index may have been computed over: the value, or "type:value" for other ID types."""
        inputs = [value]
        if row_type not in (None, ""):
            inputs.append(f"{row_type}:{value}")
        return inputs


def sealed_columns() -> list[SealedColumns]:
    """Every sealed value of every installed, managed, concrete model, found by the naming rule."""
    from django.apps import apps
    from django.db import models

    found: list[SealedColumns] = []
    for model in apps.get_models():
        meta = model._meta
        if meta.proxy or not meta.managed or meta.swapped:
            continue
        ciphers: dict[str, str] = {}
        indexes: dict[str, str] = {}
        types: dict[str, str] = {}
        for field in meta.concrete_fields:
            if isinstance(field, models.BinaryField) and field.name.endswith("_cipher"):
                ciphers[field.name.removesuffix("_cipher")] = field.name
            elif (
                isinstance(field, models.CharField)
                and field.name.endswith("_index")
                and field.max_length == INDEX_LENGTH
            ):
                indexes[field.name.removesuffix("_index")] = field.name
            elif isinstance(field, models.CharField) and field.name.endswith("_type"):
                types[field.name.removesuffix("_type")] = field.name
        for prefix in sorted(set(ciphers) | set(indexes)):
            found.append(SealedColumns(model, prefix, ciphers.get(prefix), indexes.get(prefix), types.get(prefix)))
    return found


# --- sealed files ---------------------------------------------------------------------------------
#
# Files holding personal data (uploaded rosters, error workbooks, exports) are sealed
# at rest under the field key, in chunks so that neither side ever holds a whole file.
# Layout: a clear header (magic, version, the field key's id, a random salt, the chunk
# size), then chunks of CHUNK bytes of plaintext each sealed with AES-256-GCM under a
# key derived for this file alone (HKDF over the field key and the salt). A chunk's
# nonce is its number and a "last" flag, and the header is every chunk's associated
# data, so chunks cannot be reordered, dropped, swapped between files or cut off
# after a chunk boundary without the reader noticing.

FILE_MAGIC = b"GHsf"
FILE_VERSION = b"\x01"
FILE_CHUNK = 64 * 1024
_SALT_BYTES = 16
FILE_HEADER_BYTES = len(FILE_MAGIC) + len(FILE_VERSION) + KEY_ID_BYTES + _SALT_BYTES + 4
TAG_BYTES = 16


def _file_aead(secret: str, salt: bytes) -> AESGCM:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=b"gonghui-sealed-file").derive(
        _derive(secret, b"gonghui-field-key")
    )
    return AESGCM(key)


def _chunk_nonce(number: int, last: bool) -> bytes:
    return number.to_bytes(NONCE_BYTES - 1, "big") + (b"\x01" if last else b"\x00")


def is_sealed_file(head: bytes) -> bool:
    """Whether a file's first bytes are a sealed file's header."""
    return head[: len(FILE_MAGIC) + 1] == FILE_MAGIC + FILE_VERSION


def sealed_file_key_id(head: bytes) -> str:
    """The id of the field key a sealed file's header names."""
    if not is_sealed_file(head) or len(head) < FILE_HEADER_BYTES:
        raise SealError("not a sealed file")
    start = len(FILE_MAGIC) + 1
    return head[start : start + KEY_ID_BYTES].hex()


class FileSealer:
    """Seals what is written to it into `out`, one chunk at a time; `close` writes the last chunk."""

    def __init__(self, out: Any, *, key: str | None = None, chunk: int = FILE_CHUNK) -> None:
        secret = settings.GONGHUI_FIELD_KEY if key is None else key
        salt = os.urandom(_SALT_BYTES)
        self.header = FILE_MAGIC + FILE_VERSION + _field_key_id_bytes(secret) + salt + chunk.to_bytes(4, "big")
        self._aead = _file_aead(secret, salt)
        self._out = out
        self._chunk = chunk
        self._buffer = bytearray()
        self._number = 0
        self.closed = False
        out.write(self.header)

    def write(self, data: bytes | bytearray | memoryview) -> int:
        self._buffer += data
        # Keep at least one byte back: only `close` knows which chunk is the last.
        while len(self._buffer) > self._chunk:
            self._emit(bytes(self._buffer[: self._chunk]), last=False)
            del self._buffer[: self._chunk]
        return len(data)

    def close(self) -> None:
        if not self.closed:
            self._emit(bytes(self._buffer), last=True)
            self._buffer.clear()
            self.closed = True

    def _emit(self, plain: bytes, *, last: bool) -> None:
        self._out.write(self._aead.encrypt(_chunk_nonce(self._number, last), plain, self.header))
        self._number += 1


def open_sealed_file(source: Any, *, keys: Sequence[str] | None = None) -> Iterator[bytes]:
    """The plaintext of a sealed file read from `source` (at its start), chunk by chunk.

    Raises `SealError` for a file no key at hand opens, and for one altered or cut short.
    """
    header = source.read(FILE_HEADER_BYTES)
    if len(header) < FILE_HEADER_BYTES or not is_sealed_file(header):
        raise SealError("not a sealed file")
    start = len(FILE_MAGIC) + 1
    wanted = header[start : start + KEY_ID_BYTES]
    salt = header[start + KEY_ID_BYTES : start + KEY_ID_BYTES + _SALT_BYTES]
    chunk = int.from_bytes(header[-4:], "big")
    if not 0 < chunk <= 1 << 24:
        raise SealError("malformed sealed file header")
    secrets = [settings.GONGHUI_FIELD_KEY] if keys is None else keys
    secret = next((s for s in secrets if _field_key_id_bytes(s) == wanted), None)
    if secret is None:
        raise SealError(f"file sealed under field key {wanted.hex()}, which is not at hand")
    aead = _file_aead(secret, salt)
    size = chunk + TAG_BYTES
    block = source.read(size)
    number = 0
    while True:
        following = source.read(size) if len(block) == size else b""
        last = not following
        try:
            yield aead.decrypt(_chunk_nonce(number, last), block, header)
        except InvalidTag as exc:
            raise SealError("sealed file does not verify (altered or cut short)") from exc
        if last:
            return
        block, number = following, number + 1
