"""The daily settlement as an HTTP download, for the API and the settlement page alike."""

from __future__ import annotations

import os
import tempfile
from datetime import date
from pathlib import Path

from django.conf import settings
from django.http import FileResponse

from gonghui.accounts.models import User
from gonghui.benefits.models import Merchant
from gonghui.benefits.settlement import settlement_export
from gonghui.core.scoping import Scope
from gonghui.orgs.models import Org

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def settlement_response(
    *,
    actor: User,
    scope: Scope,
    date_from: date,
    date_to: date,
    org: Org | None = None,
    merchant: Merchant | None = None,
    by_store: bool = True,
    staff_only: bool = False,
) -> FileResponse:
    """Write the settlement's workbook (audited, see `settlement_export`) and stream it; nothing stays on disk."""
    exports = Path(settings.DATA_DIR) / "exports"
    exports.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix="settlement-", suffix=".xlsx", dir=exports)
    os.close(fd)
    path = Path(name)
    try:
        settlement_export(
            path,
            actor=actor,
            scope=scope,
            date_from=date_from,
            date_to=date_to,
            org=org,
            merchant=merchant,
            by_store=by_store,
            staff_only=staff_only,
        )
        handle = path.open("rb")
    finally:
        path.unlink(missing_ok=True)  # the open handle keeps the content until it is sent
    span = date_from.isoformat() if date_from == date_to else f"{date_from.isoformat()}至{date_to.isoformat()}"
    return FileResponse(handle, as_attachment=True, filename=f"普惠日结算-{span}.xlsx", content_type=XLSX)
