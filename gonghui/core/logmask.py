"""Keep ID numbers out of every log record, whoever writes it.

A request path or a library's message can carry an ID number where nothing
in our code put it (`GET /api/v1/members/<ID number>` logged as "Not Found"
by django.request). A log record factory masks 18-character GB 11643-shaped
numbers in the formatted message of every record at creation, before any
handler, filter or propagation sees it.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from gonghui.core.masking import mask_id_number

_ID_SHAPE = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")
_installed = False


def mask_ids_in(text: str) -> str:
    return _ID_SHAPE.sub(lambda m: mask_id_number(m.group(0)), text)


def install() -> None:
    """Wrap the current record factory once per process."""
    global _installed
    if _installed:
        return
    previous = logging.getLogRecordFactory()

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        try:
            message = record.getMessage()
        except Exception:  # a malformed record is left for the handler to report
            return record
        masked = mask_ids_in(message)
        if masked != message:
            record.msg, record.args = masked, None
        if record.exc_info and not record.exc_text:
            # Formatters reuse exc_text when set: the traceback is masked once, here.
            record.exc_text = mask_ids_in(logging.Formatter().formatException(record.exc_info))
        return record

    logging.setLogRecordFactory(factory)
    _installed = True
