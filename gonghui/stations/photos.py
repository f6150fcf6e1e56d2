"""A station's photos: checked by decoding them, stored under the data directory, then recorded.

As the hardship files' scans (`aid/scans.py`): a JPG or PNG of at most 8 MB, decoded by
Pillow through `core.documents` (not judged by its name or first bytes), written under a
temporary name and renamed into place only once it decodes; a refusal by the service
removes the new file, and a removed photo's file goes once the removal is committed.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from gonghui.accounts.models import User
from gonghui.core.documents import IMAGE_FORMATS, DocumentInvalid, verify_document
from gonghui.core.errors import DomainError
from gonghui.core.scoping import Scope
from gonghui.stations import services
from gonghui.stations.models import Station, StationPhoto

PHOTO_MAX_BYTES = 8 * 1024 * 1024
CONTENT_TYPES = {".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png"}


def photo_folder() -> Path:
    return Path(settings.DATA_DIR) / "stations" / "photos"


def photo_path(photo: StationPhoto) -> Path:
    """Where the photo's file is (only a name this module wrote: no folder in it)."""
    name = Path(photo.stored_name).name
    if name != photo.stored_name or Path(name).suffix not in IMAGE_FORMATS:
        raise ValueError("not a stored photo name")
    return photo_folder() / name


def photo_store(
    *, actor: User | None, scope: Scope | None, station: Station, image: UploadedFile, caption: str = ""
) -> StationPhoto:
    """Check, store and record one photo of the station."""
    suffix = Path(image.name or "").suffix.lower()
    refused = DomainError("station.photo_invalid", field="photo", mb=PHOTO_MAX_BYTES // (1024 * 1024))
    if suffix not in IMAGE_FORMATS or (image.size or 0) > PHOTO_MAX_BYTES:
        raise refused
    folder = photo_folder()
    folder.mkdir(parents=True, exist_ok=True)
    stored = f"{uuid.uuid4().hex}{suffix}"
    partial = folder / f".{stored}.part"
    try:
        written = 0
        with partial.open("wb") as out:
            for chunk in image.chunks():
                written += len(chunk)
                if written > PHOTO_MAX_BYTES:  # the declared size can lie
                    raise refused
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        try:
            verify_document(partial, suffix)
        except DocumentInvalid as exc:
            raise DomainError("station.photo_unreadable", field="photo", reason=str(exc)) from exc
        os.replace(partial, folder / stored)
    finally:
        partial.unlink(missing_ok=True)
    try:
        return services.photo_add(actor=actor, scope=scope, station=station, stored_name=stored, caption=caption)
    except DomainError:
        (folder / stored).unlink(missing_ok=True)
        raise


def photo_delete(*, actor: User | None, scope: Scope | None, photo: StationPhoto) -> None:
    """Remove the photo's record, and its file once that is committed."""
    path = photo_path(photo)
    services.photo_remove(actor=actor, scope=scope, photo=photo)
    transaction.on_commit(lambda: path.unlink(missing_ok=True))
