"""The worker's signed authorization scan: checked, stored under the data directory, then recorded.

Pages and the API upload it the same way: a PDF, JPG or PNG by its first bytes
(not its name), at most 10 MB, under a random name; a refusal by the service
removes the stored file again.
"""

from __future__ import annotations

import uuid
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile

from gonghui.accounts.models import User
from gonghui.aid import services
from gonghui.aid.models import HardshipFile
from gonghui.core.errors import DomainError
from gonghui.core.scoping import Scope

SCAN_MAX_BYTES = 10 * 1024 * 1024
# A scan's suffix and the magic bytes its content must start with.
SCAN_KINDS = {".pdf": (b"%PDF",), ".jpg": (b"\xff\xd8\xff",), ".jpeg": (b"\xff\xd8\xff",), ".png": (b"\x89PNG",)}


def authorization_store(
    *, actor: User | None, scope: Scope | None, file: HardshipFile, scan: UploadedFile
) -> HardshipFile:
    suffix = Path(scan.name or "").suffix.lower()
    head = scan.read(8)
    scan.seek(0)
    if suffix not in SCAN_KINDS or not head.startswith(SCAN_KINDS[suffix]) or (scan.size or 0) > SCAN_MAX_BYTES:
        raise DomainError("aid.scan_invalid", field="scan")
    folder = Path(settings.DATA_DIR) / "aid" / "authorizations"
    folder.mkdir(parents=True, exist_ok=True)
    stored = f"{uuid.uuid4().hex}{suffix}"
    with (folder / stored).open("wb") as out:
        for chunk in scan.chunks():
            out.write(chunk)
    try:
        return services.file_authorize(actor=actor, scope=scope, file=file, stored_name=stored)
    except DomainError:
        (folder / stored).unlink(missing_ok=True)
        raise
