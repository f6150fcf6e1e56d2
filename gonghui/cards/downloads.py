"""The bank's payout file as an HTTP download, for the API and the page alike."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from django.conf import settings
from django.http import FileResponse

from gonghui.accounts.models import User
from gonghui.accounts.scope import Scope
from gonghui.cards import payouts
from gonghui.cards.models import PayoutBatch

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def bank_file_response(*, actor: User, scope: Scope, batch: PayoutBatch) -> FileResponse:
    """Write the batch's bank file (full card numbers, audited) and stream it; nothing stays on disk."""
    exports = Path(settings.DATA_DIR) / "exports"
    exports.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f"payout-{batch.pk}-", suffix=".xlsx", dir=exports)
    os.close(fd)
    path = Path(name)
    try:
        payouts.payout_bank_file(actor=actor, scope=scope, batch=batch, path=path)
        handle = path.open("rb")
    finally:
        # The open handle keeps the content until it is sent: no file with full card numbers stays behind.
        path.unlink(missing_ok=True)
    filename = f"代发文件-{batch.bank.name}-{batch.pk}.xlsx"
    return FileResponse(handle, as_attachment=True, filename=filename, content_type=XLSX)
