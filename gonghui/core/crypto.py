"""Field encryption and blind indexes for sensitive identifiers (DESIGN.md §3.3).

An ID number is stored as AES-256-GCM ciphertext (random 96-bit nonce, the
field's purpose as associated data) and an HMAC-SHA256 blind index for exact
matching and uniqueness. The two keys are separate, so the index key can sit
where matching runs without the power to decrypt.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from collections.abc import Iterable
from functools import lru_cache

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings

NONCE_BYTES = 12
VERSION = b"\x01"


def _derive(secret: str, label: bytes) -> bytes:
    # Settings hold printable secrets; derive fixed-length binary keys from them.
    return hashlib.sha256(label + b"\x00" + secret.encode()).digest()


@lru_cache(maxsize=4)
def _aead(secret: str) -> AESGCM:
    return AESGCM(_derive(secret, b"gonghui-field-key"))


@lru_cache(maxsize=4)
def _index_key(secret: str) -> bytes:
    return _derive(secret, b"gonghui-index-key")


def encrypt(plaintext: str, *, purpose: str) -> bytes:
    nonce = os.urandom(NONCE_BYTES)
    sealed = _aead(settings.GONGHUI_FIELD_KEY).encrypt(nonce, plaintext.encode(), purpose.encode())
    return VERSION + nonce + sealed


def decrypt(token: bytes, *, purpose: str) -> str:
    data = bytes(token)
    if data[:1] != VERSION:
        raise ValueError("unknown ciphertext version")
    nonce, sealed = data[1 : 1 + NONCE_BYTES], data[1 + NONCE_BYTES :]
    return _aead(settings.GONGHUI_FIELD_KEY).decrypt(nonce, sealed, purpose.encode()).decode()


def blind_index(value: str, *, purpose: str) -> str:
    """Hex HMAC-SHA256 of the normalized value; equal values give equal indexes."""
    mac = _keyed(settings.GONGHUI_INDEX_KEY, purpose).copy()
    mac.update(value.encode())
    return mac.hexdigest()


@lru_cache(maxsize=16)
def _keyed(secret: str, purpose: str) -> hmac.HMAC:
    # The key schedule and the purpose prefix, computed once: each value copies this state.
    return hmac.new(_index_key(secret), purpose.encode() + b"\x00", hashlib.sha256)


def blind_indexes(values: Iterable[str], *, purpose: str) -> list[str]:
    """Batch form for imports and cross-checks: one key lookup for the batch."""
    key = _index_key(settings.GONGHUI_INDEX_KEY)
    prefix = purpose.encode() + b"\x00"
    return [hmac.new(key, prefix + v.encode(), hashlib.sha256).hexdigest() for v in values]
