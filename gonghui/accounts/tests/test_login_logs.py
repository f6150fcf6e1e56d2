"""A refused login never writes the mobile it was tried with into a log.

Members sign in with their mobile, and django-axes names the username of a refused or
locked-out login in its warnings, which the server's stderr (journald) keeps. The record
factory of `gonghui.core.logmask` masks mobiles and ID numbers in every record.
"""

from __future__ import annotations

import logging

import pytest
from django.conf import settings
from django.test import Client

from gonghui.core.logmask import mask_personal_numbers_in

pytestmark = pytest.mark.django_db

MOBILE = "15000000000"


def test_mobiles_and_ids_are_masked_in_text_but_other_numbers_are_not() -> None:
    assert mask_personal_numbers_in(f"user {MOBILE} failed") == "user 150****0000 failed"
    # Twelve digits, an amount in fen, a timestamp: not mobiles.
    assert mask_personal_numbers_in("150000000001 12345678901 20261207") == "150000000001 12345678901 20261207"


def test_a_locked_out_mobile_never_reaches_a_log_record(caplog: pytest.LogCaptureFixture, tree) -> None:
    client = Client()
    with caplog.at_level(logging.DEBUG):
        for _ in range(settings.AXES_FAILURE_LIMIT + 1):
            client.post("/accounts/login/", {"username": MOBILE, "password": "wrong-password-1"})
    axes_records = [r for r in caplog.records if r.name.startswith("axes")]
    assert any("150****0000" in r.getMessage() for r in axes_records), [r.getMessage() for r in axes_records]
    assert all(MOBILE not in r.getMessage() for r in caplog.records)
