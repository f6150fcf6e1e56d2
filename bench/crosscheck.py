"""Cross-checks at scale: aid applications matched against agencies' lists (DESIGN §5 "Cross-checks").

    .venv/bin/python bench/crosscheck.py [--applications 100000] [--records 5000000]
                                         [--db postgres|sqlite] [--overlap 0.05] [--keep]

Builds a fresh database (`gonghui_bench_crosscheck_<pid>` on the local PostgreSQL,
or a temp SQLite file), migrates it with `gonghui migrate` (production settings,
fresh keys), and loads `--records` agency records below the ORM (COPY /
executemany, `core.bulk.sql.insert_rows`) into two lists of one union: a 民政
低保 list of most people and a 共青团 list repeating a fifth of them. The
records' blind indexes are the project's HMAC (`crypto.blind_index`, the one
`identity_index` gives a bare GB 11643 number) of synthetic 18-digit numbers.
Then `--applications` applicants' indexes, `--overlap` of them on the lists.

Timed: `crosscheck.services.matches_for` of the applicants' indexes, the
service any app asks (set-based reads on the id_index b-tree, AgencyRecord
instances built for every hit). Baseline, in the same run: DuckDB (in memory,
both cores) joining the same keys, loaded untimed from a CSV of the keys into
two tables first, as ours has its records in the database before the clock
starts; the timed part is the `JOIN … USING (k)` count. A plain Python dict
join (`collections.Counter`) is printed too. All must find the same number of
(application, record) pairs. Target ≤ 30 s at 100,000 × 5,000,000. The last
stdout line is one JSON object: {"applications", "records", "seconds",
"baseline_seconds", "matches"}. Exit 0 when the run completed (a missed target
prints `TARGET MISSED`), 1 when the two joins disagree.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import duckdb

REPO = Path(__file__).resolve().parent.parent
PG_SERVER_URL = "postgres://postgres@127.0.0.1:5432"
TARGET_SECONDS = 30.0
TARGET_SIZE = (100_000, 5_000_000)
CHUNK = 200_000  # records generated and written per batch
REPEAT_SHARE = 0.2  # the second list repeats this share of the people on the first
STARTED = time.monotonic()


def progress(message: str) -> None:
    print(f"[crosscheck-bench +{time.monotonic() - STARTED:6.1f}s] {message}", file=sys.stderr, flush=True)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--applications", type=int, default=TARGET_SIZE[0], help="applicants (default 100,000)")
    parser.add_argument("--records", type=int, default=TARGET_SIZE[1], help="agency records (default 5,000,000)")
    parser.add_argument("--db", choices=("postgres", "postgresql", "sqlite"), default="postgres")
    parser.add_argument("--overlap", type=float, default=0.05, help="share of applicants on a list (default 0.05)")
    parser.add_argument("--pg-url", default=PG_SERVER_URL, help="PostgreSQL server, trust auth (default %(default)s)")
    parser.add_argument("--seed", type=int, default=20261129)
    parser.add_argument("--keep", action="store_true", help="keep the database and temp dir afterwards")
    args = parser.parse_args(argv)
    args.db = "postgres" if args.db == "postgresql" else args.db
    if args.applications < 1 or args.records < 10:
        parser.error("--applications must be at least 1 and --records at least 10")
    if not 0 <= args.overlap <= 1:
        parser.error("--overlap must lie in [0, 1]")
    return run(args)


def run(args: argparse.Namespace) -> int:
    workdir = Path(tempfile.mkdtemp(prefix="gonghui-bench-crosscheck-"))
    pg_db = f"gonghui_bench_crosscheck_{os.getpid()}"
    if args.db == "postgres":
        database_url = f"{args.pg_url.rstrip('/')}/{pg_db}"
        pg_admin(args.pg_url, f'CREATE DATABASE "{pg_db}"')
    else:
        database_url = f"sqlite:///{workdir / 'bench.sqlite3'}"
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "gonghui.settings.production",
            "DATABASE_URL": database_url,
            "GONGHUI_DATA_DIR": str(workdir / "data"),
            "GONGHUI_SECRET_KEY": secrets.token_urlsafe(48),
            "GONGHUI_FIELD_KEY": secrets.token_urlsafe(48),
            "GONGHUI_INDEX_KEY": secrets.token_urlsafe(48),
            "GONGHUI_ALLOWED_HOSTS": "127.0.0.1,localhost",
        }
    )
    try:
        progress(f"{args.db}: {database_url}; migrating")
        migrate = [sys.executable, "-m", "gonghui", "migrate", "--noinput", "--verbosity", "0"]
        subprocess.run(migrate, check=True, stdout=sys.stderr, cwd=REPO)
        return bench(args)
    finally:
        if args.keep:
            progress(f"kept {workdir} and {database_url}")
        else:
            if args.db == "postgres":
                from django.db import connections

                connections.close_all()
                pg_admin(args.pg_url, f'DROP DATABASE IF EXISTS "{pg_db}" WITH (FORCE)')
            shutil.rmtree(workdir, ignore_errors=True)


def pg_admin(server_url: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(f"{server_url.rstrip('/')}/postgres", autocommit=True) as conn:
        conn.execute(sql.encode())


def synthetic_number(person: int) -> str:
    # 18 digits; not check-valid (nothing here parses them): only their HMAC is used.
    return f"52010219{person:010d}"


def bench(args: argparse.Namespace) -> int:
    import django

    django.setup()
    from django.db import connection, transaction

    from gonghui.core import crypto
    from gonghui.core.bulk.sql import insert_rows
    from gonghui.core.idnumbers import id_number_with_check
    from gonghui.crosscheck.imports import NEW_FIELDS
    from gonghui.crosscheck.models import Agency, AgencyList, AgencyRecord
    from gonghui.crosscheck.services import matches_for
    from gonghui.members.validation import ID_PURPOSE, identity_index
    from gonghui.orgs.models import OrgKind
    from gonghui.orgs.services import org_create

    # The HMAC below is the one a list import stores for a GB 11643 number.
    sample = id_number_with_check("52010219900307001")
    assert identity_index("1", sample) == crypto.blind_index(sample, purpose=ID_PURPOSE)

    rng = random.Random(args.seed)
    people = max(1, round(args.records / (1 + REPEAT_SHARE)))  # on the first list
    repeats = args.records - people  # the first `repeats` people again on the second list
    progress(f"{args.records:,} records: {people:,} people on 民政 低保, {repeats:,} of them on 共青团 too")

    def index(person: int) -> str:
        return crypto.blind_index(synthetic_number(person), purpose=ID_PURPOSE)

    org = org_create(
        actor=None, scope=None, code="520000", name="基准省总工会", kind=OrgKind.PROVINCE_FEDERATION, parent=None
    )
    lists = [
        AgencyList.all_objects.create(
            org=org, org_path=org.path, agency=Agency.CIVIL_AFFAIRS, program="城乡低保", year=2025
        ),
        AgencyList.all_objects.create(
            org=org, org_path=org.path, agency=Agency.YOUTH_LEAGUE, program="希望工程", year=2025
        ),
    ]
    loading = time.perf_counter()
    hashing = 0.0
    record_keys: list[str] = []  # the baseline's input, in memory
    indexes_sql = secondary_indexes(AgencyRecord)
    with transaction.atomic():
        drop_secondary_indexes(connection, AgencyRecord)
        for start in range(0, args.records, CHUNK):
            stop = min(args.records, start + CHUNK)
            began = time.perf_counter()
            # Record r: person r on the first list, then person r − people on the second.
            keys = [index(r) for r in range(start, min(stop, people))]
            record_keys.extend(keys)
            repeated = range(max(start, people) - people, stop - people) if stop > people else range(0)
            hashing += time.perf_counter() - began
            rows: list[tuple[Any, ...]] = [
                (lists[0].pk, org.path, k, "520102********0000", "某某", "城乡低保", 2025, 720000) for k in keys
            ]
            for person in repeated:
                rows.append(
                    (lists[1].pk, org.path, record_keys[person], "520102********0000", "某某", "希望工程", 2025, None)
                )
                record_keys.append(record_keys[person])
            insert_rows(AgencyRecord, NEW_FIELDS, rows)
            progress(f"loaded {stop:,} / {args.records:,} records")
    # After the commit: the COPY's deferred foreign-key checks must have run before an index is built.
    progress("building the indexes")
    create_secondary_indexes(connection, indexes_sql)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    load_seconds = time.perf_counter() - loading
    progress(f"records loaded in {load_seconds:.1f} s ({hashing:.1f} s of it hashing)")

    on_list = min(args.applications, round(args.applications * args.overlap), people)
    chosen = rng.sample(range(people), on_list)
    applicants = [record_keys[p] for p in chosen]
    applicants += [index(people + i) for i in range(args.applications - on_list)]
    rng.shuffle(applicants)
    expected = sum(2 if p < repeats else 1 for p in chosen)

    connection.close()  # a fresh connection, as a request would have
    load_before = os.getloadavg()[0]
    started = time.perf_counter()
    found = matches_for(applicants)
    seconds = time.perf_counter() - started
    matches = sum(len(v) for v in found.values())
    progress(f"ours: {matches:,} matches in {seconds:.2f} s")

    started = time.perf_counter()
    counts = Counter(record_keys)
    dict_matches = sum(counts.get(k, 0) for k in applicants)
    dict_seconds = time.perf_counter() - started
    progress(f"dict join: {dict_matches:,} matches in {dict_seconds:.2f} s")

    baseline_matches, baseline_seconds, duckdb_load = duckdb_join(record_keys, applicants)
    progress(f"baseline (DuckDB): {baseline_matches:,} matches in {baseline_seconds:.2f} s")
    load_after = os.getloadavg()[0]

    print(f"Cross-check: {args.db}, {args.applications:,} applications against {args.records:,} agency records")
    print(f"records loaded (untimed) in {load_seconds:.1f} s, {hashing:.1f} s of it computing blind indexes")
    print("ours     = crosscheck.services.matches_for(indexes): chunked `= ANY` (PostgreSQL) / IN (SQLite) on the")
    print("           id_index b-tree, an AgencyRecord built per hit, from a fresh connection")
    print(f"baseline = DuckDB in memory: the same keys loaded (untimed, {duckdb_load:.1f} s) from CSV into two tables,")
    print(f"           then SELECT count(*) FROM applicants JOIN records USING (k), {duckdb.__version__}")
    print(f"1-minute load average before/after: {load_before:.2f} / {load_after:.2f} on {os.cpu_count()} CPUs")
    print()
    print(f"{'join':<12}{'matches':>12}{'seconds':>10}")
    print(f"{'ours':<12}{matches:>12,}{seconds:>10.2f}")
    print(f"{'baseline':<12}{baseline_matches:>12,}{baseline_seconds:>10.2f}")
    print(f"{'dict join':<12}{dict_matches:>12,}{dict_seconds:>10.2f}")
    print(f"ratio ours / baseline: {seconds / max(baseline_seconds, 1e-9):.1f}×")
    status = 0
    if not matches == baseline_matches == dict_matches == expected:
        print(
            f"WRONG: ours found {matches:,}, DuckDB {baseline_matches:,}, the dict join {dict_matches:,},"
            f" expected {expected:,}"
        )
        status = 1
    full = (args.applications, args.records) == TARGET_SIZE
    if full and seconds > TARGET_SECONDS:
        print(f"TARGET MISSED: {seconds:.1f} s, target ≤ {TARGET_SECONDS:.0f} s")
    elif full:
        print("target met")
    else:
        print(f"(the target, ≤ {TARGET_SECONDS:.0f} s, is set for 100,000 × 5,000,000)")
    summary = {
        "applications": args.applications,
        "records": args.records,
        "seconds": round(seconds, 3),
        "baseline_seconds": round(baseline_seconds, 3),
        "matches": matches,
    }
    print(json.dumps(summary))
    return status


def duckdb_join(record_keys: list[str], applicants: list[str]) -> tuple[int, float, float]:
    """(matches, seconds of the join, seconds loading): the same keys joined by DuckDB in memory."""
    folder = Path(tempfile.mkdtemp(prefix="gonghui-bench-duckdb-"))
    try:
        loading = time.perf_counter()
        con = duckdb.connect()
        for name, keys in (("records", record_keys), ("applicants", applicants)):
            path = folder / f"{name}.csv"
            with path.open("w") as f:
                f.write("\n".join(keys))
                f.write("\n")
            con.execute(
                f"CREATE TABLE {name} AS SELECT k FROM read_csv(?, header = false, columns = {{'k': 'VARCHAR'}})",
                [str(path)],
            )
        load_seconds = time.perf_counter() - loading
        started = time.perf_counter()
        row = con.execute("SELECT count(*) FROM applicants JOIN records USING (k)").fetchone()
        seconds = time.perf_counter() - started
        con.close()
        return int(row[0] if row else 0), seconds, load_seconds
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def secondary_indexes(model: Any) -> list[Any]:
    meta = model._meta
    return [*meta.indexes, *meta.constraints]


def drop_secondary_indexes(connection: Any, model: Any) -> None:
    """Load without the b-trees, then build them once sorted: random 64-character keys inserted into a
    5,000,000-row index one by one cost several times the sort."""
    if connection.vendor != "postgresql":
        return  # SQLite would rebuild the whole table to drop and add a unique constraint: loaded with them
    with connection.schema_editor(atomic=False) as editor:
        for item in secondary_indexes(model):
            if hasattr(item, "violation_error_message"):
                editor.remove_constraint(model, item)
            else:
                editor.remove_index(model, item)


def create_secondary_indexes(connection: Any, items: list[Any]) -> None:
    from gonghui.crosscheck.models import AgencyRecord

    if connection.vendor != "postgresql":
        return
    with connection.schema_editor(atomic=False) as editor:
        for item in items:
            if hasattr(item, "violation_error_message"):
                editor.add_constraint(AgencyRecord, item)
            else:
                editor.add_index(AgencyRecord, item)


if __name__ == "__main__":
    sys.exit(main())
