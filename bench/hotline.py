"""12351 cases at scale, through the HTTP API (issue 17 §6).

    .venv/bin/python bench/hotline.py [--cases 1000000] [--orgs 5000] [--db sqlite|postgres]
                                      [--queries 200] [--keep]

Builds a fresh database (a temp SQLite file, or `gonghui_bench_hotline_<pid>` on the local
PostgreSQL), migrates it, creates a province of `--orgs` unions (`bench/search.py`'s tree: a
province, 10 cities, 100 counties, the rest grassroots unions), loads `--cases` cases with
`bulk_create` (taken at the province or a city, held by a county or a union below it, 60% closed,
the open ones' step deadlines spread so that some are overdue), and serves it with the production
server. A client in a second process times, over loopback:

- `county_queue`: a county officer's open cases, `GET /api/v1/rights/cases?status=open`;
- `city_overdue`: a city officer's 督办 list, `GET /api/v1/rights/supervision`;
- `case_get` (the baseline): one case with its timeline, `GET /api/v1/rights/cases/{id}`.

Target: p95 ≤ 20 ms for both lists. The last stdout line is one JSON object
`{"cases", "p95_ms": {...}, "baseline_p95_ms"}`; exit 0 when the run completed (a missed target
prints `TARGET MISSED`), 1 when a request failed.
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
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from search import PG_SERVER_URL, build_orgs, free_port, percentile, pg_admin, start_server

TARGET_MS = 20.0
CHUNK = 20_000
STARTED = time.monotonic()


def progress(message: str) -> None:
    print(f"[hotline-bench +{time.monotonic() - STARTED:6.1f}s] {message}", file=sys.stderr, flush=True)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--orgs", type=int, default=5_000)
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--pg-url", default=PG_SERVER_URL)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--seed", type=int, default=17)
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--client", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args(argv)
    if args.client:
        return client_main(args.client, args.port)
    return run(args)


def run(args: argparse.Namespace) -> int:
    workdir = Path(tempfile.mkdtemp(prefix="gonghui-bench-hotline-"))
    port = args.port or free_port()
    pg_db = f"gonghui_bench_hotline_{os.getpid()}"
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
    server: subprocess.Popen[bytes] | None = None
    try:
        progress(f"{args.db}: migrating")
        migrate = [sys.executable, "-m", "gonghui", "migrate", "--noinput", "--verbosity", "0"]
        subprocess.run(migrate, check=True, stdout=sys.stderr)
        plan, timings = load(args)
        plan_path = workdir / "plan.json"
        plan_path.write_text(json.dumps(plan), encoding="utf-8")
        server = start_server(port, workdir / "server.log")
        progress(f"server up on 127.0.0.1:{port}; timing {args.queries} requests per kind")
        client = subprocess.run(
            [sys.executable, str(Path(__file__).resolve()), "--client", str(plan_path), "--port", str(port)],
            check=True,
            stdout=subprocess.PIPE,
            text=True,
        )
        return report(args, timings, json.loads(client.stdout))
    finally:
        if server is not None:
            server.terminate()
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
        if args.keep:
            progress(f"kept {workdir} and {database_url}")
        else:
            if args.db == "postgres":
                from django.db import connections

                connections.close_all()
                pg_admin(args.pg_url, f'DROP DATABASE IF EXISTS "{pg_db}" WITH (FORCE)')
            shutil.rmtree(workdir, ignore_errors=True)


def load(args: argparse.Namespace) -> tuple[dict[str, Any], dict[str, float]]:
    import django

    django.setup()
    from django.db import connection, transaction
    from django.utils import timezone

    from gonghui.accounts.services import grant_role, token_create, user_create
    from gonghui.orgs.models import Org
    from gonghui.rights import deadlines
    from gonghui.rights.models import CaseStatus, HotlineCase
    from gonghui.rights.words import Cause, Kind, Source, Tier

    rng = random.Random(args.seed)
    timings: dict[str, float] = {}
    t = time.perf_counter()
    refs = build_orgs(args.orgs)
    timings["orgs"] = time.perf_counter() - t
    orgs = {o.code: o for o in Org.all_objects.all()}
    by_code = {r.code: r for r in refs}
    counties = [r.code for r in refs if r.level == "county"]
    units_of: dict[str, list[str]] = {}
    for r in refs:
        if r.level == "union":
            county = next(c for c in counties if r.path.startswith(by_code[c].path))
            units_of.setdefault(county, []).append(r.code)
    now = timezone.now()
    open_states = [CaseStatus.PENDING, CaseStatus.HANDLING, CaseStatus.REPLIED, CaseStatus.FOLLOWED, CaseStatus.CHECKED]
    t = time.perf_counter()
    made = 0
    while made < args.cases:
        batch = []
        for _ in range(min(CHUNK, args.cases - made)):
            county = rng.choice(counties)
            holder = rng.choice(units_of.get(county) or [county]) if rng.random() < 0.5 else county
            city = county[:4].replace("BX", "BC")
            intake = orgs["BP0000"] if rng.random() < 0.3 else orgs[city]
            status = CaseStatus.CLOSED if rng.random() < 0.6 else rng.choice(open_states)
            tier = rng.choices(Tier.values, [80, 15, 5])[0]
            created = now - timedelta(days=rng.uniform(0, 365))
            started = created if status == CaseStatus.CLOSED else now - timedelta(days=rng.uniform(0, 6))
            made += 1
            batch.append(
                HotlineCase(
                    number=f"B{made:011d}",
                    intake_org=intake,
                    intake_path=intake.path,
                    org=orgs[holder],
                    org_path=orgs[holder].path,
                    source=Source.PHONE,
                    kind=rng.choice(Kind.values),
                    cause=rng.choice(Cause.values),
                    tier=tier,
                    caller_name="基准来电人",
                    caller_phone=f"139{rng.randint(0, 99_999_999):08d}",
                    summary="基准测试诉求",
                    status=status,
                    step_started_at=started,
                    step_due_at=deadlines.step_deadline(tier=tier, status=status, started=started),
                    created_at=created,
                    closed_at=created + timedelta(days=3) if status == CaseStatus.CLOSED else None,
                )
            )
        with transaction.atomic():
            HotlineCase.all_objects.bulk_create(batch, batch_size=2000)
        progress(f"{made:,} cases")
    timings["cases"] = time.perf_counter() - t
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    county, city = counties[0], "BC01"

    def user(name: str, code: str) -> str:
        u = user_create(username=name, password=secrets.token_urlsafe(24), display_name=name)
        grant_role(actor=None, actor_scope=None, user=u, role_name="officer", org_code=code)
        return token_create(user=u, name="bench").raw

    tokens = {"county": user("bench_county", county), "city": user("bench_city", city)}
    ids = list(
        HotlineCase.all_objects.filter(org_path__startswith=orgs[county].path)
        .order_by("?")
        .values_list("pk", flat=True)[: args.queries + args.warmup]
    )
    n = args.queries + args.warmup
    kinds = {
        "county_queue": ("county", ["/api/v1/rights/cases?status=open"] * n),
        "city_overdue": ("city", ["/api/v1/rights/supervision"] * n),
        "case_get": ("county", [f"/api/v1/rights/cases/{pk}" for pk in (ids * n)[:n]]),
    }
    connection.close()
    return {"kinds": kinds, "tokens": tokens, "warmup": args.warmup}, timings


def client_main(plan_path: Path, port: int) -> int:
    import http.client

    plan = json.loads(plan_path.read_text(encoding="utf-8"))
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    latencies: dict[str, list[float]] = {k: [] for k in plan["kinds"]}
    failures: dict[str, list[str]] = {k: [] for k in plan["kinds"]}
    longest = max(len(paths) for _actor, paths in plan["kinds"].values())
    for i in range(longest):
        for name, (actor, paths) in plan["kinds"].items():
            if i >= len(paths):
                continue
            began = time.perf_counter()
            try:
                conn.request("GET", paths[i], headers={"Authorization": f"Bearer {plan['tokens'][actor]}"})
                response = conn.getresponse()
                body = response.read()
            except (OSError, http.client.HTTPException) as exc:
                conn.close()
                failures[name].append(f"{paths[i]}: {exc!r}")
                continue
            elapsed = (time.perf_counter() - began) * 1000
            if response.status != 200:
                failures[name].append(f"{paths[i]}: HTTP {response.status} {body[:200]!r}")
            elif name != "case_get" and not json.loads(body).get("items"):
                failures[name].append(f"{paths[i]}: empty list")
            elif i >= plan["warmup"]:
                latencies[name].append(elapsed)
    json.dump({"latencies": latencies, "failures": failures}, sys.stdout)
    return 0


def report(args: argparse.Namespace, timings: dict[str, float], results: dict[str, Any]) -> int:
    p95 = {name: round(percentile(ms, 95), 2) for name, ms in results["latencies"].items() if ms}
    baseline = p95.pop("case_get", 0.0)
    print(f"12351 cases through the HTTP API: {args.db}, {args.cases:,} cases, {args.orgs:,} orgs")
    print(f"load: orgs {timings['orgs']:.1f} s, cases {timings['cases']:.1f} s")
    print(f"baseline: GET /api/v1/rights/cases/{{id}} p95 {baseline:.2f} ms")
    failed = False
    for name, value in p95.items():
        mark = "" if value <= TARGET_MS else "  TARGET MISSED"
        print(f"{name}: p95 {value:.2f} ms (target ≤ {TARGET_MS:.0f} ms){mark}")
    for name, problems in results["failures"].items():
        for problem in problems[:5]:
            failed = True
            print(f"FAILED {name}: {problem}")
    print(json.dumps({"cases": args.cases, "p95_ms": p95, "baseline_p95_ms": baseline}))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
