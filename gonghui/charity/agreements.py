"""An enterprise's signed donation agreement: checked by decoding it, stored under the data directory.

As the aid scans are: a PDF, JPG or PNG of at most 10 MB, verified by
`gonghui.core.documents` (not by its name or first bytes), written under a
temporary name and renamed into place only once it decodes. The stored name is
then given to the service; a refusal removes the file again (`agreement_discard`).
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile

from gonghui.core.documents import DOCUMENT_SUFFIXES, DocumentInvalid, verify_document
from gonghui.core.errors import DomainError

AGREEMENT_MAX_BYTES = 10 * 1024 * 1024


def agreement_folder() -> Path:
    return Path(settings.DATA_DIR) / "charity" / "agreements"


def agreement_store(upload: UploadedFile, *, field: str = "agreement") -> str:
    """Check and keep an uploaded agreement; its stored name, or a refusal naming `field`."""
    suffix = Path(upload.name or "").suffix.lower()
    if suffix not in DOCUMENT_SUFFIXES or (upload.size or 0) > AGREEMENT_MAX_BYTES:
        raise DomainError("charity.agreement_invalid", field=field)
    folder = agreement_folder()
    folder.mkdir(parents=True, exist_ok=True)
    stored = f"{uuid.uuid4().hex}{suffix}"
    partial = folder / f".{stored}.part"
    try:
        written = 0
        with partial.open("wb") as out:
            for chunk in upload.chunks():
                written += len(chunk)
                if written > AGREEMENT_MAX_BYTES:  # the declared size can lie
                    raise DomainError("charity.agreement_invalid", field=field)
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        try:
            verify_document(partial, suffix)
        except DocumentInvalid as exc:
            raise DomainError("charity.agreement_unreadable", field=field, reason=str(exc)) from exc
        os.replace(partial, folder / stored)
    finally:
        partial.unlink(missing_ok=True)
    return stored


def agreement_discard(stored_name: str) -> None:
    """Remove an agreement this module stored (a refused donation's)."""
    name = Path(stored_name).name
    if name and name == stored_name and Path(name).suffix in DOCUMENT_SUFFIXES:
        (agreement_folder() / name).unlink(missing_ok=True)
