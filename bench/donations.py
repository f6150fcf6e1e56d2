"""Payroll donations (一日捐) at scale: the import against the members import, and the trace of a donation.

    .venv/bin/python bench/donations.py [--rows 1000000] [--db sqlite|postgresql]
                                        [--disbursements 100000] [--traces 200] [--keep]

Generates, untimed and seeded, a members file of `--rows` rows (bench/import_members.py's
generator) and a payroll deduction file of `--rows` rows (1,000 enterprises, valid USCCs,
distinct workers with valid GB 11643 numbers, amounts written as officers write them). Builds a
fresh database (temp SQLite, or `gonghui_bench_donations_*` on the local PostgreSQL), migrated,
with bench/import_members.py's province and one fund; every timed step starts from a copy.

- the members import: `gonghui import members FILE` as a child process, wall clock;
- the payroll import: `gonghui import donations FILE --org BP0000`, the same way, in the same run,
  so the two rates come from the same machine under the same load;
- the trace: into the database the payroll import filled, `--disbursements` payments (a hundred
  projects, each paying organisations and members) are written set-based with their ledger rows;
  then `--traces` donations drawn at random are each read by id and traced through the fund to
  the payments their money went to (`selectors.donation_trace`, as the donation's page and
  `GET /api/v1/charity/donations/{id}/trace` do), timed one by one after a warm-up.

Targets (issue 20): the payroll import's rate ≥ 50% of the members import's; the trace's p95 ≤ 50 ms.
The last stdout line is one JSON object: {"rows", "rows_per_s", "members_rows_per_s", "trace_p95_ms"}.
Exit status 0 when the run completed (a missed target prints `TARGET MISSED`), 1 when an import failed.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import import_members as im

PG_PREFIX = "gonghui_bench_donations"
FUND = "基准职工爱心基金"
ORG = "BP0000"
ENTERPRISES = 1_000
RATE_TARGET = 0.5  # the payroll import's rate ≥ 50% of the members import's
TRACE_TARGET_MS = 50.0
HEADERS = ("基金", "单位统一社会信用代码", "单位名称", "姓名", "身份证号", "扣款金额", "扣款日期", "匿名")

STARTED = time.monotonic()


def progress(message: str) -> None:
    print(f"[donations-bench +{time.monotonic() - STARTED:7.1f}s] {message}", file=sys.stderr, flush=True)


class Databases(im.Databases):
    """bench/import_members.py's template and copies, under this benchmark's own names."""

    prefix = PG_PREFIX

    def name(self, step: str) -> str:
        return f"{self.prefix}_{step}"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows of each file (default 1,000,000)")
    parser.add_argument("--db", choices=("sqlite", "postgresql", "postgres"), default="sqlite")
    parser.add_argument("--disbursements", type=int, default=100_000, help="payments for the trace (100,000)")
    parser.add_argument("--traces", type=int, default=200, help="timed traces (default 200)")
    parser.add_argument("--unions", type=int, default=100, help="grassroots unions (default 100)")
    parser.add_argument(
        "--pg-url", default=im.PG_SERVER_URL, help="PostgreSQL server, trust auth (default %(default)s)"
    )
    parser.add_argument("--pg-prefix", default=PG_PREFIX, help="PostgreSQL database names' prefix (%(default)s)")
    parser.add_argument("--seed", type=int, default=20261207)
    parser.add_argument("--keep", action="store_true", help="keep the files and databases afterwards")
    parser.add_argument("--child", choices=("setup", "trace"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.db == "postgres":
        args.db = "postgresql"
    if args.child == "setup":
        print(json.dumps(child_setup(args.unions)))
        return 0
    if args.child == "trace":
        print(json.dumps(child_trace(args.disbursements, args.traces, args.seed)))
        return 0
    if args.rows < 1000:
        parser.error("--rows must be at least 1000")
    try:
        return run(args)
    except im.BenchFailure as exc:
        print(f"FAILED: {exc}", flush=True)
        return 1


def run(args: argparse.Namespace) -> int:
    workdir = Path(tempfile.mkdtemp(prefix="gonghui-bench-donations-"))
    dbs = Databases(args.db, workdir, args.pg_url)
    dbs.prefix = args.pg_prefix
    base_env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": im.SETTINGS,
        "GONGHUI_DATA_DIR": str(workdir / "data"),
        "GONGHUI_SECRET_KEY": secrets.token_urlsafe(48),
        "GONGHUI_FIELD_KEY": secrets.token_urlsafe(48),
        "GONGHUI_INDEX_KEY": secrets.token_urlsafe(48),
        "GONGHUI_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "PYTHONUNBUFFERED": "1",
    }
    load_before = os.getloadavg()[0]
    try:
        members_args = argparse.Namespace(
            rows=args.rows, seed=args.seed, unions=args.unions, iexport_rows=0, xlsx=False
        )
        members = im.generate(members_args, workdir).csv
        payroll = generate_payroll(args.rows, args.seed, workdir / "一日捐.csv")
        progress(f"generated {args.rows:,} member rows and {args.rows:,} payroll rows")

        env = {**base_env, "DATABASE_URL": dbs.create_template()}
        progress(f"{args.db}: migrating the template database")
        migrate = [*im.gonghui_cli(), "migrate", "--noinput", "--verbosity", "0"]
        subprocess.run(migrate, check=True, env=env, stdout=sys.stderr)
        im.child_json([__file__, "--child", "setup", "--unions", str(args.unions)], env)

        env = {**base_env, "DATABASE_URL": dbs.clone("members")}
        members_run = im.import_cli(members, env, args.rows, "created")
        progress(f"members import: {members_run.rate:,.0f} rows/s")
        if not args.keep:
            dbs.drop("members")

        env = {**base_env, "DATABASE_URL": dbs.clone("donations")}
        payroll_run = import_payroll(payroll, env, args.rows)
        progress(f"payroll import: {payroll_run.rate:,.0f} rows/s")
        command = [__file__, "--child", "trace", "--disbursements", str(args.disbursements)]
        trace = im.child_json([*command, "--traces", str(args.traces), "--seed", str(args.seed)], env)
        progress(f"trace: p50 {trace['p50_ms']:.1f} ms, p95 {trace['p95_ms']:.1f} ms")
        loadavg = (load_before, os.getloadavg()[0])
        return report(args, members_run, payroll_run, trace, loadavg)
    finally:
        if args.keep:
            progress(f"kept {workdir} and databases {', '.join(dbs.url(s) for s in dbs.made)}")
        else:
            dbs.drop_all()
            shutil.rmtree(workdir, ignore_errors=True)


def import_payroll(path: Path, env: dict[str, str], rows: int) -> im.Timed:
    """`gonghui import donations FILE --org BP0000`, timed; every row must be created."""
    progress(f"gonghui import donations {path.name} ({rows:,} rows)")
    command = [*im.gonghui_cli(), "import", "donations", str(path), "--org", ORG]
    seconds, peak, stdout = im.run_child(command, env)
    summary = im.last_json(stdout)
    expected = {"rows": rows, "created": rows, "rejected": 0}
    wrong = {k: summary.get(k) for k, v in expected.items() if summary.get(k) != v}
    if wrong:
        raise im.BenchFailure(f"the payroll import did not do the work: expected {expected}, got {summary}")
    return im.Timed(seconds, rows, peak, summary)


def generate_payroll(rows: int, seed: int, path: Path) -> Path:
    """An enterprise federation's deduction file: 1,000 enterprises, distinct workers, 2025's 一日捐."""
    from stdnum.cn import ric

    from gonghui.core.validators import uscc_with_check  # stdnum only, no Django

    rng = random.Random(seed + 1)
    usccs = [uscc_with_check(f"91520000MA{e + 1:07d}") for e in range(ENTERPRISES)]
    areas = ["520102", "520103", "520111", "520112", "520113", "520115", "520201", "520203", "520302", "522601"]
    born_from = date(1966, 1, 1)
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        out = csv.writer(f)
        out.writerow(HEADERS)
        for n in range(rows):
            e = rng.randrange(ENTERPRISES)
            area, rest = areas[n % len(areas)], n // len(areas)
            born = born_from + timedelta(days=rest % 14_600)
            first17 = f"{area}{born:%Y%m%d}{rest // 14_600:03d}"
            amount = rng.choice(("50", "100", "100.00", "¥150", "200", "1,000", "88.5"))
            day = date(2025, 5, 1) + timedelta(days=e % 30)
            name = rng.choice(im.SURNAMES.split())[0] + rng.choice(im.GIVEN_CHARS)
            anonymous = "是" if n % 40 == 0 else ""
            number = first17 + ric.calc_check_digit(first17 + "0")
            out.writerow(
                [FUND, usccs[e], f"基准第{e + 1}有限责任公司", name, number, amount, day.isoformat(), anonymous]
            )
    return path


# --- Django child processes ----------------------------------------------------------------------


def child_setup(unions: int) -> dict[str, Any]:
    """bench/import_members.py's province, and the fund the payroll file names."""
    created = im.child_setup(unions)  # sets Django up; closes its connection when done
    from django.db import connection

    from gonghui.charity.services import fund_create
    from gonghui.orgs.models import Org

    fund_create(
        actor=None,
        scope=None,
        org=Org.all_objects.get(code=ORG),
        name=FUND,
        kind="own",
        opened_on=date(2025, 1, 1),
    )
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()
    return created


def child_trace(disbursements: int, traces: int, seed: int) -> dict[str, Any]:
    """Pay `disbursements` from the fund (set-based), then time `traces` traces of random donations."""
    import django

    django.setup()
    from django.db import connection, transaction
    from django.utils import timezone

    from gonghui.accounts.models import User
    from gonghui.accounts.scope import scope_for_user
    from gonghui.accounts.services import grant_role
    from gonghui.charity.models import Disbursement, Donation, EntryKind, Fund, FundEntry, Project
    from gonghui.charity.selectors import donation_trace
    from gonghui.core.bulk.sql import insert_rows, reserve_ids
    from gonghui.core.scoping import unscoped
    from gonghui.members.models import Membership

    rng = random.Random(seed + 2)
    with transaction.atomic(), unscoped():
        fund = Fund.all_objects.select_for_update().get(name=FUND)
        # Pay out 90% of what came in, a hundred projects, payments in the order they were made.
        amounts = [rng.randint(50, 150) for _ in range(disbursements)]
        scale = fund.balance_fen * 0.9 / sum(amounts)
        amounts = [max(1, int(a * scale)) for a in amounts]
        projects = [
            Project.all_objects.create(
                fund=fund,
                org_path=fund.org_path,
                name=f"2025 年帮扶项目 {p + 1}",
                purpose="hardship",
                budget_fen=sum(amounts),
                starts_on=date(2025, 1, 1),
                ends_on=date(2025, 12, 31),
                industry="C",
                region_code="520000",
            )
            for p in range(100)
        ]
        people = list(Membership.all_objects.values_list("person_id", flat=True)[:1000]) or [None]
        now = timezone.now()
        ids = reserve_ids(Disbursement, disbursements)
        paid, entries = [], []
        spent = dict.fromkeys((p.pk for p in projects), 0)
        for i, (pk, amount) in enumerate(zip(ids, amounts, strict=True)):
            project = projects[i % len(projects)]
            person = people[i % len(people)] if i % 2 else None
            kind = "member" if person else "org"
            name = "" if person else f"基准第{i % 500 + 1}中学"
            day = date(2025, 6, 1) + timedelta(days=i * 180 // disbursements)
            paid.append((pk, fund.pk, project.pk, fund.org_path, kind, name, None, person, amount, day, "", None, now))
            fund.balance_fen -= amount
            fund.outflow_fen += amount
            spent[project.pk] += amount
            entries.append(
                (
                    fund.pk,
                    fund.org_path,
                    EntryKind.DISBURSEMENT.value,
                    -amount,
                    fund.balance_fen,
                    fund.inflow_fen,
                    fund.outflow_fen,
                    day,
                    None,
                    pk,
                    now,
                )
            )
        fields = (
            "id",
            "fund_id",
            "project_id",
            "org_path",
            "recipient_kind",
            "recipient_name",
            "recipient_org_id",
            "person_id",
            "amount_fen",
            "paid_on",
            "note",
            "created_by_id",
            "created_at",
        )
        insert_rows(Disbursement, fields, paid)
        from gonghui.charity.bulk import ENTRY_FIELDS

        insert_rows(FundEntry, ENTRY_FIELDS, entries)
        fund.save(update_fields=["balance_fen", "outflow_fen"])
        for project in projects:
            Project.all_objects.filter(pk=project.pk).update(spent_fen=spent[project.pk])
        user = User.objects.create_user(username="bench_viewer", password=secrets.token_urlsafe(16))
    grant_role(actor=None, actor_scope=None, user=user, role_name="viewer", org_code=ORG)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    scope = scope_for_user(User.objects.get(pk=user.pk))
    with unscoped():
        first, last = (
            Donation.all_objects.order_by("pk").values_list("pk", flat=True)[:1][0],
            Donation.all_objects.latest("pk").pk,
        )
    warm = max(10, traces // 10)
    timings, shares = [], 0
    for k in range(warm + traces):
        pk = rng.randint(first, last)
        started = time.perf_counter()
        donation = Donation.objects.within(scope, "charity.fund.view").get(pk=pk)
        trace = donation_trace(scope=scope, donation=donation)
        lines = [(s.entry.pk, s.amount_fen) for s in trace]
        took = (time.perf_counter() - started) * 1000
        if k >= warm:
            timings.append(took)
            shares += len(lines)
    timings.sort()
    with unscoped():
        donations = Donation.all_objects.count()
        payments = Disbursement.all_objects.count()
    return {
        "donations": donations,
        "disbursements": payments,
        "traces": traces,
        "shares": shares,
        "p50_ms": percentile(timings, 50),
        "p95_ms": percentile(timings, 95),
        "max_ms": timings[-1],
    }


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(pct / 100 * len(ordered) + 0.5) - 1))
    return ordered[k]


def report(
    args: argparse.Namespace,
    members: im.Timed,
    payroll: im.Timed,
    trace: dict[str, Any],
    loadavg: tuple[float, float],
) -> int:
    ratio = payroll.rate / members.rate
    print(f"Payroll donations: {args.db}, {args.rows:,} rows each file, {args.unions:,} grassroots unions")
    print("imports = the CLI (`gonghui import KIND FILE`, production settings) as a child process, wall clock")
    print(f"1-minute load average before/after: {loadavg[0]:.2f} / {loadavg[1]:.2f} on {os.cpu_count()} CPUs")
    print()
    print(f"{'step':<34}{'rows':>11}{'seconds':>10}{'rows/s':>11}{'peak MB':>9}")
    for label, t in (("members import (CSV)", members), ("payroll donations import (CSV)", payroll)):
        print(f"{label:<34}{t.rows:>11,}{t.seconds:>10.1f}{t.rate:>11,.0f}{t.peak_mb or 0:>9,.0f}")
    print()
    print(
        f"trace of a donation: {trace['traces']} random donations of {trace['donations']:,}, "
        f"{trace['disbursements']:,} payments, {trace['shares']:,} payments found in all; "
        f"p50 {trace['p50_ms']:.1f} ms, p95 {trace['p95_ms']:.1f} ms, max {trace['max_ms']:.1f} ms"
    )
    print()
    checks = [
        ("payroll rate / members rate", f"{ratio:.2f}", f"≥ {RATE_TARGET:.2f}", ratio >= RATE_TARGET),
        ("trace p95 (ms)", f"{trace['p95_ms']:.1f}", f"≤ {TRACE_TARGET_MS:.0f}", trace["p95_ms"] <= TRACE_TARGET_MS),
    ]
    print(f"{'target (issue 20)':<34}{'measured':>12}{'target':>12}  met")
    missed = []
    for what, measured, target, met in checks:
        print(f"{what:<34}{measured:>12}{target:>12}  {'✓' if met else '✗'}")
        if not met:
            missed.append(f"TARGET MISSED: {what} {measured}, target {target}")
    print()
    print("\n".join(missed) if missed else "all targets met")
    summary = {
        "rows": args.rows,
        "rows_per_s": round(payroll.rate, 1),
        "members_rows_per_s": round(members.rate, 1),
        "trace_p95_ms": round(trace["p95_ms"], 2),
    }
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
