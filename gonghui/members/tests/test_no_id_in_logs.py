"""No ID number ever reaches a log record.

`gonghui/conftest.py` puts `IdNumberLogGuard` on the root logger for every test
and fails a test whose records hold a valid GB 11643 number. Here the requests
most likely to leak one are made on purpose, with `django.request` logging each
4xx/5xx and `django.db.backends` logging every SQL statement with its
parameters, and the guard must have seen records, but no number.
"""

from __future__ import annotations

import json
import logging
import sys

import pytest
from django.test import Client

from gonghui.conftest import IdNumberLogGuard, gb11643_numbers_in
from gonghui.members.tests.factories import Api, id_number, id_number_ending_in_x, register

pytestmark = pytest.mark.django_db

NUMBER = id_number_ending_in_x()
OTHER = id_number(501)


@pytest.fixture
def callers(tree, make_user, bearer) -> dict[str, Api]:
    return {
        "officer": Api(bearer(make_user("lps_officer", ("officer", "520200")))),
        "viewer": Api(bearer(make_user("lps_viewer", ("viewer", "520200")))),
        "admin": Api(bearer(make_user("lps_admin", ("admin", "520200")))),
        "foreign": Api(bearer(make_user("dx_officer", ("officer", "621100")))),
    }


def raw_post(api: Api, url: str, data: str):
    # A client that answers 500 instead of raising, as a server would.
    return Client(raise_request_exception=False).post(url, data=data, content_type="application/json", **api.headers)


# --- the guard itself ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "found"),
    [
        (f"id={NUMBER}", [NUMBER]),
        (f"id={NUMBER.lower()}.", [NUMBER]),
        (f"['{OTHER}', '{NUMBER}']", [OTHER, NUMBER]),
        (f"id={NUMBER[:17]}{'0' if NUMBER[17] != '0' else '1'}", []),  # wrong check character
        (f"hash=ab{OTHER}cd", []),  # digits inside a hex digest
        (f"{OTHER}7", []),  # nineteen digits
        (f"{NUMBER[:6]}********{NUMBER[-4:]}", []),  # the masked form
        ("20261129110144107123", []),
    ],
)
def test_the_guard_recognizes_id_numbers(text: str, found: list[str]) -> None:
    assert gb11643_numbers_in(text) == found


def _raw_record(msg: str, args: tuple[object, ...] = (), exc: bool = False) -> logging.LogRecord:
    # Built directly, not through a logger, so the masking record factory does not touch it.
    exc_info = None
    if exc:
        try:
            raise ValueError(f"bad number {OTHER}")
        except ValueError:
            exc_info = sys.exc_info()
    return logging.LogRecord("gonghui.tests.guard", logging.WARNING, __file__, 1, msg, args, exc_info)


def test_the_guard_catches_a_number_in_a_message_an_argument_or_a_traceback() -> None:
    guard = IdNumberLogGuard()
    for record in (
        _raw_record("plain %s", ("nothing here",)),
        _raw_record("person %s", (OTHER,)),
        _raw_record(f"inline {NUMBER.lower()}"),
        _raw_record("failed", exc=True),
    ):
        guard.handle(record)
    assert len(guard.records) == 4
    masked = [m for _name, m in guard.leaks]
    other, number = f"{OTHER[:6]}********{OTHER[-4:]}", f"{NUMBER[:6]}********{NUMBER[-4:]}"
    assert masked == [other, number, other]
    assert all(OTHER not in m for m in masked)


def test_records_are_masked_at_creation_whoever_logs_them() -> None:
    guard = IdNumberLogGuard()
    logger = logging.getLogger("gonghui.tests.factory")
    logger.propagate = False
    logger.addHandler(guard)
    try:
        logger.warning("person %s", OTHER)
        logger.warning(f"inline {NUMBER.lower()}")
        try:
            raise ValueError(f"bad number {OTHER}")
        except ValueError:
            logger.exception("failed")
    finally:
        logger.removeHandler(guard)
        logger.propagate = True
    assert len(guard.records) == 3
    assert guard.leaks == []
    text = "\n".join(guard.format(r) for r in guard.records)
    assert f"{OTHER[:6]}********{OTHER[-4:]}" in text
    assert "bad number" in text  # the traceback is kept, masked


# --- requests that carry an ID number --------------------------------------------------------------


def test_refusals_and_failures_log_no_id_number(
    tree, callers: dict[str, Api], sql_logging: None, id_number_log_guard: IdNumberLogGuard
) -> None:
    officer, viewer, admin, foreign = callers["officer"], callers["viewer"], callers["admin"], callers["foreign"]
    ms = register(tree.courier_union, NUMBER, name="王小明", mobile="13800138000")
    body = {"org_code": "520201G001", "name": "王小明"}
    statuses = []

    def expect(resp, status: int) -> None:
        assert resp.status_code == status, resp.content.decode()[:300]
        statuses.append(status)

    # Validation failures: a wrong check character, a good number with a bad mobile, a 15-digit number.
    expect(officer.post("/api/v1/members", {**body, "id_number": OTHER[:17] + "0"}), 400)
    expect(officer.post("/api/v1/members", {**body, "id_number": OTHER, "mobile": "123"}), 400)
    expect(officer.post("/api/v1/members", {**body, "id_number": OTHER[:6] + OTHER[8:17]}), 400)
    # Schema failure: the number as a JSON number; a body that is not JSON at all.
    expect(officer.post("/api/v1/members", {**body, "id_number": int(OTHER[:17] + "1")}), 422)
    truncated = f'{{"id_number": "{OTHER}", "org_code": '  # cut off mid-body
    expect(raw_post(officer, "/api/v1/members", truncated), 400)
    # Conflicts: the same person again, in lowercase.
    expect(officer.post("/api/v1/members", {**body, "id_number": NUMBER.lower()}), 409)
    expect(
        officer.post("/api/v1/transfers", {"to_code": "520200KD01", "id_number": OTHER, "reason": "job_change"}), 404
    )
    # Not found and not allowed.
    expect(foreign.get(f"/api/v1/members/{ms.pk}"), 404)
    expect(foreign.post("/api/v1/transfers", {"to_code": "520200KD01", "id_number": NUMBER, "reason": "x"}), 404)
    expect(viewer.post(f"/api/v1/members/{ms.pk}/reveal-id"), 403)
    expect(viewer.post("/api/v1/members", {**body, "id_number": OTHER}), 403)
    # Successes that handle the clear number: a search by it, and the audited reveal.
    expect(viewer.get("/api/v1/members", q=NUMBER.lower()), 200)
    reveal = admin.post(f"/api/v1/members/{ms.pk}/reveal-id")
    expect(reveal, 200)
    assert reveal.json() == {"id_number": NUMBER, "birth_date": f"{NUMBER[6:10]}-{NUMBER[10:12]}-{NUMBER[12:14]}"}
    # A request that fails inside the database layer on PostgreSQL (NUL in a text field).
    nul = raw_post(officer, "/api/v1/members", json.dumps({**body, "name": "王\x00明", "id_number": OTHER}))
    statuses.append(nul.status_code)

    names = {r.name for r in id_number_log_guard.records}
    assert {"django.request", "django.db.backends"} <= names
    request_lines = [r.getMessage() for r in id_number_log_guard.records if r.name == "django.request"]
    assert any(line.startswith("Bad Request: /api/v1/members") for line in request_lines)
    assert any(line.startswith("Conflict: /api/v1/members") for line in request_lines)
    assert any(line.startswith("Not Found: /api/v1/") for line in request_lines)
    assert any(line.startswith("Forbidden: /api/v1/members") for line in request_lines)
    assert any(line.startswith("Unprocessable") for line in request_lines)
    if nul.status_code == 500:
        assert any(r.levelno == logging.ERROR and r.exc_info for r in id_number_log_guard.records)
    assert {400, 403, 404, 409, 422} <= set(statuses)
    assert id_number_log_guard.leaks == []


def test_a_name_with_a_control_character_is_a_400(tree, callers: dict[str, Api]) -> None:
    resp = raw_post(
        callers["officer"],
        "/api/v1/members",
        json.dumps({"org_code": "520201G001", "name": "王\x00明", "id_number": OTHER}),
    )
    assert resp.status_code == 400


def test_an_id_number_in_the_url_is_not_logged(
    tree, callers: dict[str, Api], id_number_log_guard: IdNumberLogGuard
) -> None:
    number = next(id_number(s) for s in range(600, 700) if not id_number(s).endswith("X"))
    try:
        resp = callers["officer"].get(f"/api/v1/members/{number}")
        assert resp.status_code == 404
        assert any(r.name == "django.request" for r in id_number_log_guard.records)
        assert id_number_log_guard.leaks == []
    finally:
        # Checked above; the suite-wide guard would otherwise fail the teardown too.
        id_number_log_guard.leaks.clear()
