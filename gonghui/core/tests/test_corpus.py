"""The awkward-file corpus of the bulk import engine (issue 4, item 6).

Real files under `fixtures/bulk/`, rebuilt by `fixtures/bulk/make_corpus.py`, each
with its expected outcome in `fixtures/bulk/expected.json`: the kind, `--org`, the
summary, every rejected row (its row number as Excel shows it, the column and a
fragment of the Chinese reason) and what the registry or the tree must hold after.

Every case goes through the real command (`call_command("import", …)`), is checked
against its summary, its error workbook and the database, then imported again
as a no-op. SQL is logged with its parameters meanwhile, so the suite's log guard
(`gonghui/conftest.py`) also proves no ID number reaches a query log. Then: people
live in another union, the formula-injection exports, the console script's exit
codes, and a job killed (SIGKILL) in the middle of a batch and finished by
running it again.
"""

from __future__ import annotations

import csv
import importlib.util
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
import zipfile
from collections import Counter
from dataclasses import dataclass
from datetime import date
from io import StringIO
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from openpyxl import load_workbook

from gonghui.conftest import IdNumberLogGuard
from gonghui.core.models import AuditEvent
from gonghui.core.scoping import unscoped
from gonghui.members.models import LIVE_STATUSES, Membership, Person
from gonghui.members.services import tally_check
from gonghui.members.tests.factories import apply, new_audit_actions, register, registry_state
from gonghui.members.validation import identity_index
from gonghui.orgs.models import Org

CORPUS = Path(__file__).resolve().parent / "fixtures" / "bulk"
CASES: list[dict[str, Any]] = json.loads((CORPUS / "expected.json").read_text(encoding="utf-8"))["cases"]
BY_ID = {case["id"]: case for case in CASES}
KEYS_DIR = Path(settings.DATA_DIR)  # as the settings loaded it: a child process must find the same keys
OUTCOMES = ("created", "updated", "unchanged", "rejected")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _param(case: dict[str, Any]) -> Any:
    return pytest.param(case, id=case["id"])


# --- running an import ----------------------------------------------------------------------------


def run_import(case: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    """`gonghui import KIND FILE [--org CODE]` in process: (exit code, the last stdout line as JSON)."""
    args = [case["kind"], str(CORPUS / case["file"])]
    if case.get("org"):
        args += ["--org", case["org"]]
    out = StringIO()
    code = 0
    try:
        call_command("import", *args, stdout=out, stderr=StringIO())
    except SystemExit as exc:
        code = int(exc.code or 0)
    return code, json.loads(out.getvalue().strip().splitlines()[-1])


def counts(summary: dict[str, Any]) -> dict[str, int]:
    return {k: summary[k] for k in ("rows", *OUTCOMES)}


def report_rows(summary: dict[str, Any]) -> list[tuple[int, str]]:
    """The error workbook's rows as (row number in the file, reasons)."""
    if summary["report"] is None:
        return []
    ws = load_workbook(summary["report"], read_only=True).active
    assert ws is not None
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][0] == "原行号" and rows[0][-1] == "未导入原因"
    return [(int(str(r[0])), str(r[-1])) for r in rows[1:]]


def assert_rejections(case: dict[str, Any], reported: list[tuple[int, str]]) -> None:
    """Every rejected row, in file order, with each expected reason under its column."""
    expected_rows = sorted({row for row, _column, _reason in case["rejected"]})
    assert [row for row, _ in reported] == expected_rows
    reasons = dict(reported)
    for row, column, fragment in case["rejected"]:
        parts = reasons[row].split("；")
        # The column as the kind names it, or as the file does with the kind's name after it: 文化程度（学历）.
        named = [
            p
            for p in parts
            if p.partition("：")[0] in (column, *(h for h in [p.partition("：")[0]] if h.endswith(f"（{column}）")))
        ]
        assert any(fragment in p for p in named), (row, column, fragment, parts)


def set_up(case: dict[str, Any]) -> None:
    """The people a case expects in the registry before its file arrives."""
    for given in case.get("given", []):
        fields = {k: v for k, v in given.items() if k not in ("org", "id_number", "application")}
        with unscoped():
            org = Org.objects.get(code=given["org"])
        if given.get("application"):
            apply(org, given["id_number"], **fields)
        else:
            register(org, given["id_number"], **fields)


def assert_records(case: dict[str, Any]) -> None:
    with unscoped():
        for record in case["records"]:
            if case["kind"] == "members":
                _assert_member(record)
            else:
                _assert_union(record)


def _assert_member(record: dict[str, Any]) -> None:
    person = Person.objects.get(id_index=identity_index("1", record["id_number"]))
    membership = Membership.all_objects.select_related("org").get(person=person, status__in=LIVE_STATUSES)
    assert (person.name, membership.org.code) == (record["name"], record["org"])
    if "joined_on" in record:
        assert membership.started_on == date.fromisoformat(record["joined_on"])
    for key in ("mobile", "employer", "ethnicity", "is_migrant_worker", "new_employment_type"):
        if key in record:
            assert getattr(person, key) == record[key], key


def _assert_union(record: dict[str, Any]) -> None:
    org = Org.all_objects.select_related("parent").get(code=record["code"])
    assert org.parent is not None
    assert (org.name, org.parent.code, org.kind) == (record["name"], record["parent"], record["kind"])
    if "founded_on" in record:
        assert org.founded_on == date.fromisoformat(record["founded_on"])
    for key in ("employee_count", "is_new_employment", "region_code", "uscc"):
        if key in record:
            assert getattr(org, key) == record[key], key


@pytest.fixture(autouse=True)
def reports_in_tmp(settings: Any, tmp_path: Path) -> None:
    """Error workbooks go to the test's own folder (the keys stay where the settings loaded them)."""
    settings.DATA_DIR = tmp_path / "data"


# --- the corpus itself ----------------------------------------------------------------------------


def _load_generator() -> Any:
    spec = importlib.util.spec_from_file_location("make_corpus", CORPUS / "make_corpus.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    try:
        spec.loader.exec_module(module)
    finally:
        del sys.modules[spec.name]
    return module


def _workbook_content(path: Path) -> list[Any]:
    wb = load_workbook(path)
    return [
        (
            ws.title,
            sorted(str(r) for r in ws.merged_cells.ranges),
            [[(c.value, c.number_format) for c in row] for row in ws.iter_rows()],
        )
        for ws in wb.worksheets
    ]


def _is_workbook(path: Path) -> bool:
    if not zipfile.is_zipfile(path):
        return False
    with zipfile.ZipFile(path) as archive:
        return "xl/workbook.xml" in archive.namelist()


def test_the_committed_corpus_is_what_the_generator_writes(tmp_path: Path) -> None:
    cases = _load_generator().build(tmp_path)
    assert cases == CASES
    written = sorted(p.name for p in tmp_path.iterdir())
    committed = sorted(p.name for p in CORPUS.iterdir() if p.is_file() and p.name != "make_corpus.py")
    assert written == committed
    assert {c["file"] for c in CASES} | {"expected.json"} == set(committed)
    for name in written:
        fresh, kept = tmp_path / name, CORPUS / name
        if _is_workbook(fresh):
            # openpyxl's bytes may differ between its versions; the content may not.
            assert _workbook_content(fresh) == _workbook_content(kept), name
        else:
            assert fresh.read_bytes() == kept.read_bytes(), name


def test_expected_summaries_add_up() -> None:
    for case in CASES:
        if case["exit"] != 0:
            assert case["error"], case["id"]
            continue
        tally = Counter(outcome for _row, outcome in case["outcomes"])
        assert case["summary"] == {"rows": len(case["outcomes"]), **{k: tally[k] for k in OUTCOMES}}, case["id"]
        rejected_rows = {row for row, outcome in case["outcomes"] if outcome == "rejected"}
        assert {row for row, _c, _r in case["rejected"]} == rejected_rows, case["id"]


# --- every file through the command ---------------------------------------------------------------


@pytest.mark.parametrize("case", [_param(c) for c in CASES])
def test_corpus_file(tree, case: dict[str, Any], sql_logging: None, id_number_log_guard: IdNumberLogGuard) -> None:
    set_up(case)
    with unscoped():
        before = (Person.objects.count(), Membership.all_objects.count(), Org.all_objects.count())
    code, summary = run_import(case)

    if case["exit"] != 0:
        assert code == case["exit"]
        assert case["error"] in summary["error"]
        with unscoped():
            assert (Person.objects.count(), Membership.all_objects.count(), Org.all_objects.count()) == before
        return

    assert code == 0
    assert counts(summary) == case["summary"]
    assert (summary["report"] is None) == (not case["rejected"])
    reported = report_rows(summary)
    assert_rejections(case, reported)
    assert len(summary["warnings"]) == len(case["warnings"]), summary["warnings"]
    for fragment in case["warnings"]:
        assert any(fragment in w for w in summary["warnings"]), (fragment, summary["warnings"])
    assert_records(case)
    if case["kind"] == "members":
        assert tally_check() == []

    # The same file again changes nothing and refuses the same rows for the same reasons.
    code, again = run_import(case)
    assert code == 0
    first = case["summary"]
    assert counts(again) == {
        "rows": first["rows"],
        "created": 0,
        "updated": 0,
        "unchanged": first["created"] + first["updated"] + first["unchanged"],
        "rejected": first["rejected"],
    }
    assert report_rows(again) == reported
    assert_records(case)
    assert id_number_log_guard.records, "the log guard saw no SQL: the check above would prove nothing"


# --- duplicates across unions ---------------------------------------------------------------------


def test_people_live_in_another_union_are_refused_and_nothing_changes(tree) -> None:
    case = BY_ID["members_cross_union"]
    set_up(case)
    with unscoped():
        before = registry_state()
    code, summary = run_import(case)
    assert code == 0
    assert counts(summary) == case["summary"]
    assert_rejections(case, report_rows(summary))
    with unscoped():
        after = registry_state()
        assert new_audit_actions(before) == ["members.import"]
        # Not moved, not updated: the new mobile and employer in the file are not applied either.
        assert {k: v for k, v in after.items() if k != "audit"} == {k: v for k, v in before.items() if k != "audit"}
        assert Person.objects.get(name="马骏").mobile == "13900000011"


# --- formula injection ----------------------------------------------------------------------------


def _xlsx_cells(path: Path) -> list[tuple[str, str, Any]]:
    """(coordinate, data type, value) of every non-empty cell of every sheet."""
    wb = load_workbook(path)
    return [
        (c.coordinate, c.data_type, c.value)
        for ws in wb.worksheets
        for row in ws.iter_rows()
        for c in row
        if c.value is not None
    ]


def _assert_no_formula_in_xlsx(path: Path) -> list[Any]:
    cells = _xlsx_cells(path)
    assert [c for c in cells if c[1] == "f"] == [], path.name
    assert [c for c in cells if isinstance(c[2], str) and c[2].startswith(FORMULA_START)] == [], path.name
    return [c[2] for c in cells]


def _assert_no_formula_in_csv(path: Path) -> list[str]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    fields = [f for row in csv.reader(StringIO(raw.decode("utf-8-sig"), newline="")) for f in row]
    assert [f for f in fields if f.startswith(FORMULA_START)] == [], path.name
    return fields


def _export(kind: str, path: Path) -> int:
    out = StringIO()
    call_command("export", kind, str(path), stdout=out, stderr=StringIO())
    return int(json.loads(out.getvalue().strip().splitlines()[-1])["rows"])


def test_formula_like_cells_are_imported_as_text_and_never_exported_as_formulas(tree, tmp_path: Path) -> None:
    members, orgs = BY_ID["members_formula_injection"], BY_ID["orgs_formula_injection"]
    _code, summary = run_import(members)
    assert counts(summary) == members["summary"]
    assert counts(run_import(orgs)[1]) == orgs["summary"]
    assert_records(members)  # stored as typed: the neutralizing apostrophe belongs to files we write, not the data
    assert_records(orgs)

    # The error workbook shows the rejected row's "=1+1" as text.
    values = _assert_no_formula_in_xlsx(Path(summary["report"]))
    assert "'=1+1" in values

    texts = [r["name"] for r in members["records"] + orgs["records"]] + [
        r["employer"] for r in members["records"] if r.get("employer")
    ]
    dangerous = [t for t in texts if t.startswith(FORMULA_START)]
    assert len(dangerous) >= 8
    for kind, records in (("members", members["records"]), ("orgs", orgs["records"])):
        assert _export(kind, tmp_path / f"{kind}.xlsx") >= len(records)
        assert _export(kind, tmp_path / f"{kind}.csv") >= len(records)
        exported = [str(v) for v in _assert_no_formula_in_xlsx(tmp_path / f"{kind}.xlsx")]
        exported_csv = _assert_no_formula_in_csv(tmp_path / f"{kind}.csv")
        for record in records:
            for text in (record["name"], record.get("employer") or ""):
                if text.startswith(FORMULA_START):
                    # Shown as typed behind Excel's text apostrophe, in both formats.
                    assert "'" + text in exported, text
                    assert "'" + text in exported_csv, text


def test_the_error_workbook_headers_are_never_formulas(tree) -> None:
    case = BY_ID["members_formula_header"]
    _code, summary = run_import(case)
    assert counts(summary) == case["summary"]
    _assert_no_formula_in_xlsx(Path(summary["report"]))


# --- the console script and a real kill -----------------------------------------------------------


@dataclass
class ChildDatabase:
    """Lets a child process work on the test database: PostgreSQL's directly, SQLite's through a file copy."""

    env: dict[str, str]
    file: Path | None

    def push(self) -> None:
        """Before a child runs: the in-memory SQLite test database copied to the file it opens."""
        if self.file is not None:
            self.file.unlink(missing_ok=True)
            connection.ensure_connection()
            with sqlite3.connect(self.file) as target:
                connection.connection.backup(target)

    def pull(self) -> None:
        """After: whatever the child committed, copied back under the test's connection."""
        if self.file is not None:
            source = sqlite3.connect(self.file)
            try:
                source.backup(connection.connection)
            finally:
                source.close()

    def run(self, *args: str, timeout: int = 180) -> subprocess.CompletedProcess[str]:
        self.push()
        done = subprocess.run(  # noqa: S603 - our interpreter, our arguments
            args, env=self.env, capture_output=True, text=True, timeout=timeout, check=False
        )
        self.pull()
        return done


@pytest.fixture
def child_db(tmp_path: Path) -> ChildDatabase:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    env["GONGHUI_DATA_DIR"] = str(KEYS_DIR)
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        file = tmp_path / "child.sqlite3"
        env["DATABASE_URL"] = f"sqlite:///{file}"
        return ChildDatabase(env, file)
    user, password = quote(db["USER"] or "", safe=""), quote(db["PASSWORD"] or "", safe="")
    env["DATABASE_URL"] = f"postgres://{user}:{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    return ChildDatabase(env, None)


def _console_script() -> str:
    script = Path(sys.executable).with_name("gonghui")
    assert script.exists(), f"{script} is installed by `make setup` (pip install -e .)"
    return str(script)


@pytest.mark.django_db(transaction=True)
def test_the_console_script_exit_codes(tree, child_db: ChildDatabase) -> None:
    roster = BY_ID["members_roster"]
    set_up(roster)
    done = child_db.run(_console_script(), "import", "members", str(CORPUS / roster["file"]))
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout.strip().splitlines()[-1])
    assert {"kind", "rows", "created", "updated", "unchanged", "rejected", "report"} <= set(summary)
    assert (summary["kind"], counts(summary)) == ("members", roster["summary"])
    assert Path(summary["report"]).is_file()
    assert done.stderr.strip()  # the progress, on stderr: stdout's last line stays the JSON
    for case_id in ("members_really_pdf", "orgs_missing_kind_column"):
        case = BY_ID[case_id]
        done = child_db.run(_console_script(), "import", case["kind"], str(CORPUS / case["file"]))
        assert done.returncode == 2, (case_id, done.stderr)
        assert case["error"] in json.loads(done.stdout.strip().splitlines()[-1])["error"]
        assert case["error"] in done.stderr


# The child: the real console entry point with batches of argv[1] rows, killed by SIGKILL
# when batch number argv[2] has written its rows and is about to commit them.
KILLED_CHILD = r"""
import os, signal, sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gonghui.settings.base")
import django

django.setup()
from django.db import connection

from gonghui.__main__ import main
from gonghui.core.bulk import engine
from gonghui.members.bulk import MembersKind

batch_size, kill_at = int(sys.argv[1]), int(sys.argv[2])
assert "batch_size" in (engine.run_import.__kwdefaults__ or {}), "run_import(batch_size=…) is gone: update this test"
engine.run_import.__kwdefaults__["batch_size"] = batch_size
process, batches = MembersKind.process, [0]


def die():
    sys.stderr.write(f"\nSIGKILL before batch {batches[0]} commits\n")
    sys.stderr.flush()
    os.kill(os.getpid(), signal.SIGKILL)


def process_then_die(self, rows, *, dry_run):
    batches[0] += 1
    if batches[0] == kill_at:
        connection._commit = die  # the batch's rows are written; its COMMIT never reaches the database
    return process(self, rows, dry_run=dry_run)


MembersKind.process = process_then_die
main(["gonghui", "import", *sys.argv[3:]])
"""


@pytest.mark.django_db(transaction=True)
def test_a_job_killed_in_the_middle_of_a_batch_is_finished_by_running_it_again(tree, child_db: ChildDatabase) -> None:
    case = BY_ID["members_roster"]
    batch, kill_at = 5, 3
    set_up(case)
    done = child_db.run(
        sys.executable, "-c", KILLED_CHILD, str(batch), str(kill_at), "members", str(CORPUS / case["file"])
    )
    assert done.returncode == -signal.SIGKILL, done.stderr
    assert f"SIGKILL before batch {kill_at} commits" in done.stderr

    # Exactly the batches before the kill are in the database; nothing of the killed one.
    outcomes = [outcome for _row, outcome in case["outcomes"]]
    committed = Counter(outcomes[: batch * (kill_at - 1)])
    assert committed["created"] > 0 and "created" in outcomes[batch * (kill_at - 1) : batch * kill_at]
    given = {g["id_number"] for g in case["given"]}
    created_ids = [r["id_number"] for r in case["records"] if r["id_number"] not in given]
    with unscoped():
        people = len(case["given"]) + committed["created"]
        assert Person.objects.count() == people
        assert Membership.all_objects.count() == people
        present = [n for n in created_ids if Person.objects.filter(id_index=identity_index("1", n)).exists()]
        assert present == created_ids[: committed["created"]]
        assert not AuditEvent.objects.filter(action="members.import").exists()  # the job never finished
    assert tally_check() == []

    # Running the same file again finishes the job: exact counts, every rejected row reported.
    code, summary = run_import(case)
    assert code == 0
    total = case["summary"]
    assert counts(summary) == {
        "rows": total["rows"],
        "created": total["created"] - committed["created"],
        "updated": total["updated"] - committed["updated"],
        "unchanged": total["unchanged"] + committed["created"] + committed["updated"],
        "rejected": total["rejected"],
    }
    assert_rejections(case, report_rows(summary))
    assert_records(case)
    with unscoped():
        assert Person.objects.count() == len(case["given"]) + total["created"]
        assert Membership.all_objects.count() == len(case["given"]) + total["created"]
        member_numbers = list(Person.objects.values_list("member_no", flat=True))
        assert len(set(member_numbers)) == len(member_numbers)
        assert AuditEvent.objects.filter(action="members.import").count() == 1
    assert tally_check() == []


# The parent: a members import whose writer is slow, so its reader child runs ahead and waits
# on a full pipe; the test kills the parent with SIGKILL there.
SLOW_PARENT = r"""
import os, sys, time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gonghui.settings.base")
import django

django.setup()
from gonghui.__main__ import main
from gonghui.core.bulk import engine
from gonghui.members.bulk import MembersKind

engine.run_import.__kwdefaults__["batch_size"] = 50
process = MembersKind.process


def slow_process(self, rows, *, dry_run):
    time.sleep(0.5)
    return process(self, rows, dry_run=dry_run)


MembersKind.process = slow_process
main(["gonghui", "import", *sys.argv[1:]])
"""


def _children(pid: int) -> set[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return set()
    return {int(p) for p in text.split()}


def _alive(pid: int) -> bool:
    """Running or waiting (not gone, not a zombie waiting for a reaper)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.django_db(transaction=True)
def test_a_killed_import_leaves_no_reader_process_behind(tree, child_db: ChildDatabase, tmp_path: Path) -> None:
    # Enough rows that the reader fills the pipe long before the slow writer is done.
    rows = [f"工人{i},,13800{i:06d},520201G001,2023-07-20,否," for i in range(20_000)]
    big = tmp_path / "big.csv"
    big.write_text("姓名,身份证号,手机号,所属工会代码,入会日期,是否农民工,新就业形态\n" + "\n".join(rows), "utf-8")
    child_db.push()
    parent = subprocess.Popen(  # noqa: S603 - our interpreter, our arguments
        [sys.executable, "-c", SLOW_PARENT, "members", str(big)],
        env=child_db.env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    readers: set[int] = set()
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and not readers:
            readers = _children(parent.pid)
            time.sleep(0.1)
        assert readers, "the import started no reader"
        time.sleep(1.5)  # the readers (two for a CSV on SQLite) are ahead now, blocked on full pipes
        readers |= _children(parent.pid)
        assert all(_alive(pid) for pid in readers)
        parent.kill()
        parent.wait(timeout=30)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and any(_alive(pid) for pid in readers):
            time.sleep(0.1)
        assert not [pid for pid in readers if _alive(pid)], "a reader outlived its killed parent"
    finally:
        if parent.poll() is None:
            parent.kill()
        for pid in readers:  # a failed run leaves nothing behind either
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)
