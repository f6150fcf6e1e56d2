"""The bank's payout file as an HTTP download, for the API and the page alike."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from django.conf import settings
from django.http import FileResponse

from gonghui.accounts.models import User
from gonghui.core.scoping import Scope
from gonghui.payouts import services
from gonghui.payouts.adapters import bank_file_adapter
from gonghui.payouts.models import PayoutBatch


def bank_file_response(*, actor: User, scope: Scope, batch: PayoutBatch) -> FileResponse:
    """Write the batch's bank file in its bank's format (full card numbers, audited) and stream it.

    Nothing stays on disk; an unknown format is refused before any file exists.
    """
    adapter = bank_file_adapter(batch.bank)
    exports = Path(settings.DATA_DIR) / "exports"
    exports.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f"payout-{batch.pk}-", suffix=adapter.suffix, dir=exports)
    os.close(fd)
    path = Path(name)
    try:
        services.payout_bank_file(actor=actor, scope=scope, batch=batch, path=path)
        handle = path.open("rb")
    finally:
        # The open handle keeps the content until it is sent: no file with full card numbers stays behind.
        path.unlink(missing_ok=True)
    return FileResponse(handle, as_attachment=True, filename=adapter.filename(batch), content_type=adapter.content_type)
