"""The worker's signed authorization scan: checked, stored under the data directory, then recorded.

Pages and the API upload it the same way: a PDF, JPG or PNG at most 10 MB, checked
by decoding it (`gonghui.core.documents`), not by its name or first bytes. It is
written under a temporary name and renamed into place only once it decodes, so a
half-written or refused file never sits under a name the file record could point
to. A refusal by the service removes the new file; a scan that replaces an earlier
one removes the earlier one once the new record is committed, so a household's old
authorizations do not pile up on disk.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from gonghui.accounts.models import User
from gonghui.aid import services
from gonghui.aid.models import HardshipFile
from gonghui.core.documents import DOCUMENT_SUFFIXES, DocumentInvalid, verify_document
from gonghui.core.errors import DomainError
from gonghui.core.scoping import Scope

SCAN_MAX_BYTES = 10 * 1024 * 1024


def scan_folder() -> Path:
    return Path(settings.DATA_DIR) / "aid" / "authorizations"


def authorization_store(
    *, actor: User | None, scope: Scope | None, file: HardshipFile, scan: UploadedFile
) -> HardshipFile:
    suffix = Path(scan.name or "").suffix.lower()
    if suffix not in DOCUMENT_SUFFIXES or (scan.size or 0) > SCAN_MAX_BYTES:
        raise DomainError("aid.scan_invalid", field="scan")
    folder = scan_folder()
    folder.mkdir(parents=True, exist_ok=True)
    stored = f"{uuid.uuid4().hex}{suffix}"
    partial = folder / f".{stored}.part"
    try:
        written = 0
        with partial.open("wb") as out:
            for chunk in scan.chunks():
                written += len(chunk)
                if written > SCAN_MAX_BYTES:  # the declared size can lie
                    raise DomainError("aid.scan_invalid", field="scan")
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        try:
            verify_document(partial, suffix)
        except DocumentInvalid as exc:
            raise DomainError("aid.scan_unreadable", field="scan", reason=str(exc)) from exc
        os.replace(partial, folder / stored)
    finally:
        partial.unlink(missing_ok=True)
    previous = file.authorization_file
    try:
        authorized = services.file_authorize(actor=actor, scope=scope, file=file, stored_name=stored)
    except DomainError:
        (folder / stored).unlink(missing_ok=True)
        raise
    if previous and previous != stored:
        transaction.on_commit(lambda: _remove(previous))
    return authorized


def _remove(stored_name: str) -> None:
    # Only names this module wrote (a random hex name and a known suffix) are removed.
    name = Path(stored_name).name
    if name == stored_name and Path(name).suffix in DOCUMENT_SUFFIXES:
        (scan_folder() / name).unlink(missing_ok=True)
