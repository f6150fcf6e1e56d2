"""A nomination's documents (deeds, clearance letters from 纪检, 税务, 安全 …): checked by decoding them
(`core.documents`), written under a random name, then recorded."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from gonghui.accounts.models import User
from gonghui.core.audit import audit_record
from gonghui.core.documents import DOCUMENT_SUFFIXES, DocumentInvalid, verify_document
from gonghui.core.errors import DomainError
from gonghui.core.scoping import Scope, require_perm_at, unscoped
from gonghui.honors.models import Attachment, Nomination
from gonghui.honors.permissions import HonorPerm
from gonghui.orgs.models import Org

MAX_BYTES = 10 * 1024 * 1024


def attachment_folder() -> Path:
    return Path(settings.DATA_DIR) / "honors" / "attachments"


def attachment_store(
    *, actor: User | None, scope: Scope | None, nomination: Nomination, label: str, upload: UploadedFile
) -> Attachment:
    """Check and keep one document of a nomination (its nominating union's officer)."""
    require_perm_at(scope, HonorPerm.NOMINATE, nomination.org_path)
    suffix = Path(upload.name or "").suffix.lower()
    if suffix not in DOCUMENT_SUFFIXES or (upload.size or 0) > MAX_BYTES:
        raise DomainError("honors.attachment_invalid", field="file")
    folder = attachment_folder()
    folder.mkdir(parents=True, exist_ok=True)
    stored = f"{uuid.uuid4().hex}{suffix}"
    partial = folder / f".{stored}.part"
    try:
        written = 0
        with partial.open("wb") as out:
            for chunk in upload.chunks():
                written += len(chunk)
                if written > MAX_BYTES:  # the declared size can lie
                    raise DomainError("honors.attachment_invalid", field="file")
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        try:
            verify_document(partial, suffix)
        except DocumentInvalid as exc:
            raise DomainError("honors.attachment_unreadable", field="file", reason=str(exc)) from exc
        os.replace(partial, folder / stored)
    finally:
        partial.unlink(missing_ok=True)
    try:
        with transaction.atomic(), unscoped():
            attachment = Attachment.objects.create(
                nomination=nomination,
                label=label.strip()[:60] or "推荐材料",
                stored_name=stored,
                original_name=Path(upload.name or stored).name[:200],
                size=written,
                uploaded_by=actor if actor is not None and actor.pk else None,
            )
            audit_record(
                actor=actor,
                action="honors.attachment",
                org=Org.all_objects.get(pk=nomination.org_id),
                target=nomination,
                data={"label": attachment.label, "size": written},
            )
    except Exception:
        (folder / stored).unlink(missing_ok=True)
        raise
    return attachment
