"""Keep ID numbers and mobile numbers out of every log record, whoever writes it.

A request path or a library's message can carry an ID number where nothing
in our code put it (`GET /api/v1/members/<ID number>` logged as "Not Found"
by django.request). A log record factory masks 18-character GB 11643-shaped
numbers and mainland mobile numbers (11 digits from 13 to 19) in the formatted
message of every record at creation, before any handler, filter or propagation
sees it. Mobiles are there because members sign in with them: django-axes puts
the username of a refused login in its warnings, and the server's and the
worker's stderr are kept by journald. The factory is installed when Django
starts, so it covers gunicorn's workers (their error and access logs) and the
task worker, which both run Django.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from gonghui.core.masking import mask_id_number, mask_mobile

_ID_SHAPE = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")
_MOBILE_SHAPE = re.compile(r"(?<![0-9A-Za-z])1[3-9]\d{9}(?![0-9A-Za-z])")
_installed = False


def mask_ids_in(text: str) -> str:
    return _ID_SHAPE.sub(lambda m: mask_id_number(m.group(0)), text)


def mask_personal_numbers_in(text: str) -> str:
    """ID numbers and mobiles masked (a mobile keeps its first three and last four digits)."""
    return _MOBILE_SHAPE.sub(lambda m: mask_mobile(m.group(0)), mask_ids_in(text))


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
        masked = mask_personal_numbers_in(message)
        if masked != message:
            record.msg, record.args = masked, None
        if record.exc_info and not record.exc_text:
            # Formatters reuse exc_text when set: the traceback is masked once, here.
            record.exc_text = mask_personal_numbers_in(logging.Formatter().formatException(record.exc_info))
        return record

    logging.setLogRecordFactory(factory)
    _installed = True
