"""普惠 sales at a till under load, through the HTTP API (DESIGN §5 "Transactions").

    .venv/bin/python bench/transactions.py [--seconds 20] [--members 20000] [--workers 4]
                                           [--clients 8] [--batch 20] [--shards 8] [--keep]

Builds a fresh PostgreSQL database (`gonghui_bench_tx_<pid>`), migrates it with
`gonghui migrate` and sets up a world: a small org tree (`org_bulk_create`),
`--members` members (`gonghui import members`) with activated service cards, a
merchant with a store, a cashier account with a bearer token, and a 折扣 campaign
with per-member and per-day caps. It serves it with the production server
(`gonghui serve`: gunicorn, production settings), and a client in a second
process posts sales (`POST /api/v1/benefits/transactions`, an `Idempotency-Key`
each, some retried) from `--clients` threads for `--seconds`. A few members take
a share of the sales and run into their caps; three quarters of the way through
the timed run the campaign's budget is cut to a few discounts above what is
spent, so that it runs out there, whatever the rate. Every answer is checked.
Then the same sales again, `--batch` to a request (`POST
/api/v1/benefits/transactions/batch`, as a merchant's POS back-end forwards its
tills' sales), the budget opened again and cut again at the same point; a
sale's latency there is its request's.

In the same run, with the same client threads: `GET /healthz` through the same
server (the floor of the stack: no sale can cost less than this request); the
baseline, the same writes straight through psycopg, one transaction per sale
(the usage rows' upserts and conditional UPDATEs, the budget's conditional
UPDATE, the sale's INSERT), without HTTP, Django, authentication or the reads
before the writes: what the database itself gives for this work; and the same
baseline with the budget split over `--shards` rows instead of the one campaign
row every discounted sale updates. CPU time per phase is read from /proc for
the server, the database's backends, the client and the rest of the machine.

Afterwards the database is checked: no member over a cap (from the usage rows
and, independently, from the sales), no campaign over its budget, and each
campaign's `spent_fen` equal to the sum of its sales' discounts. An in-process
profile of sequential sales then counts the queries per sale and splits a
sale's time between SQL and Python.

The last stdout line is one JSON object, whose `tx_per_s` is the batched
phase's (the single-sale phase's with `--batch 0`). Exit status 0 when the run completed,
target met or not (a miss prints `TARGET MISSED`); 1 when a cap was passed or an
answer was wrong.
"""

from __future__ import annotations

import argparse
import http.client
import json
import math
import os
import random
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
PG_SERVER_URL = "postgres://postgres@127.0.0.1:5432"
SETTINGS = "gonghui.settings.production"
TARGET_TX_PER_S = 1000.0  # DESIGN §5, on PostgreSQL, 2 cores

UNIONS = 10
HOT_MEMBERS = 5  # members who shop all the time: they run into their caps within seconds
HOT_SHARE = 0.05  # share of the sales that go to them
RETRY_EVERY = 50  # one request (batched: one sale) in this many resends the thread's previous sale
# Batched phase only: one sale in this many reuses an earlier sale's key for another amount (must be 409).
CONFLICT_EVERY = 500
MAX_BATCH = 100  # the batch endpoint's limit
BUDGET_SHARE = 0.75  # the budget runs out about this far into the timed run
# The campaign: 9折 (pay 90%), at most 30 yuan off a sale; amounts 100–350 yuan, so 10–30 yuan off.
AMOUNT_FEN = (10_000, 35_000)
CAMPAIGN: dict[str, Any] = {
    "rule_type": "discount",
    "discount_percent": 90,
    "max_discount_fen": 3000,
    # Within one day two of these bind: 6 discounted sales a day (`per_day_count`), or fewer when
    # large discounts reach 150 yuan first (`per_member_fen`); the other two wait for a second day.
    "per_member_count": 10,
    "per_member_fen": 15_000,
    "per_day_count": 6,
    "per_day_fen": 20_000,
}
CAPS = ("per_member_count", "per_member_fen", "per_day_count", "per_day_fen")


# --- orchestration (no Django in this process) ---------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20.0, help="timed seconds per phase (default 20)")
    parser.add_argument("--warmup", type=float, default=3.0, help="untimed seconds first (default 3)")
    parser.add_argument("--members", type=int, default=20_000, help="members with activated cards (default 20,000)")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers (default 4)")
    parser.add_argument("--clients", type=int, default=8, help="client threads, HTTP and baseline (default 8)")
    parser.add_argument(
        "--batch",
        type=int,
        default=20,
        help=f"sales per request of the batched phase (default 20, 0 skips it, ≤ {MAX_BATCH})",
    )
    parser.add_argument("--shards", type=int, default=8, help="budget rows of the sharded baseline (default 8)")
    parser.add_argument("--profile-sales", type=int, default=200, help="sequential sales profiled in-process")
    parser.add_argument("--port", type=int, default=0, help="server port (default: a free one)")
    parser.add_argument("--pg-url", default=PG_SERVER_URL, help="PostgreSQL server, trust auth (default %(default)s)")
    parser.add_argument("--seed", type=int, default=20260501)
    parser.add_argument("--keep", action="store_true", help="keep the database and temp dir afterwards")
    # Internal: the same script as a Django child (setup, profile) or as the client.
    parser.add_argument("--child", choices=("setup", "client", "profile"), help=argparse.SUPPRESS)
    parser.add_argument("--plan", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child == "setup":
        print(json.dumps(child_setup(args.members, args.seed, Path(args.plan))))
        return 0
    if args.child == "client":
        print(json.dumps(client_main(json.loads(Path(args.plan).read_text(encoding="utf-8")))))
        return 0
    if args.child == "profile":
        plan = json.loads(Path(args.plan).read_text(encoding="utf-8"))
        print(json.dumps(child_profile(plan, args.profile_sales)))
        return 0
    if args.members < 2 * HOT_MEMBERS:
        parser.error(f"--members must be at least {2 * HOT_MEMBERS}")
    if args.seconds <= 0 or args.warmup < 1 or min(args.clients, args.workers, args.shards) < 1:
        parser.error("--seconds > 0, --warmup ≥ 1, --clients, --workers and --shards ≥ 1")
    if not 0 <= args.batch <= MAX_BATCH:
        parser.error(f"--batch must be between 0 (no batched phase) and {MAX_BATCH}")
    try:
        return run(args)
    except BenchFailure as exc:
        print(f"FAILED: {exc}", flush=True)
        return 1


STARTED = time.monotonic()


def progress(message: str) -> None:
    # Elapsed time, not the clock: Django switches the process to TIME_ZONE.
    print(f"[tx-bench +{time.monotonic() - STARTED:6.1f}s] {message}", file=sys.stderr, flush=True)


class BenchFailure(RuntimeError):
    """The run could not be measured."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def pg_admin(server_url: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(f"{server_url.rstrip('/')}/postgres", autocommit=True) as conn:
        conn.execute(sql.encode())


def gonghui_cli() -> list[str]:
    """The console script `make setup` installs next to this interpreter, as users run it."""
    script = Path(sys.executable).with_name("gonghui")
    return [str(script)] if script.exists() else [sys.executable, "-m", "gonghui"]


def child_json(command: list[str], env: dict[str, str]) -> dict[str, Any]:
    """Run this script as a child; its last stdout line is its JSON answer."""
    done = subprocess.run([sys.executable, __file__, *command], env=env, stdout=subprocess.PIPE, text=True, cwd=REPO)
    if done.returncode != 0:
        raise BenchFailure(f"{' '.join(command[:2])} exited {done.returncode}: {done.stdout[-2000:]}")
    lines = [line for line in done.stdout.splitlines() if line.strip()]
    if not lines:
        raise BenchFailure(f"{' '.join(command[:2])} printed nothing")
    data: dict[str, Any] = json.loads(lines[-1])
    return data


def run(args: argparse.Namespace) -> int:
    workdir = Path(tempfile.mkdtemp(prefix="gonghui-bench-tx-"))
    port = args.port or free_port()
    db_name = f"gonghui_bench_tx_{os.getpid()}"
    database_url = f"{args.pg_url.rstrip('/')}/{db_name}"
    pg_admin(args.pg_url, f'CREATE DATABASE "{db_name}"')
    # Production settings, fresh keys per run from the environment (as bench/search.py).
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": SETTINGS,
        "DATABASE_URL": database_url,
        "GONGHUI_DATA_DIR": str(workdir / "data"),
        "GONGHUI_SECRET_KEY": secrets.token_urlsafe(48),
        "GONGHUI_FIELD_KEY": secrets.token_urlsafe(48),
        "GONGHUI_INDEX_KEY": secrets.token_urlsafe(48),
        "GONGHUI_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "PYTHONUNBUFFERED": "1",
    }
    server: subprocess.Popen[bytes] | None = None
    try:
        progress(f"postgresql: {db_name}; migrating")
        migrate = [*gonghui_cli(), "migrate", "--noinput", "--verbosity", "0"]
        subprocess.run(migrate, check=True, env=env, stdout=sys.stderr, cwd=REPO)
        started = time.perf_counter()
        setup = ["--child", "setup", "--members", str(args.members), "--seed", str(args.seed), "--plan", str(workdir)]
        plan = child_json(setup, env)
        setup_seconds = time.perf_counter() - started
        progress(f"world set up in {setup_seconds:.1f} s: {args.members:,} members with activated cards")
        plan.update(
            port=port,
            database_url=database_url,
            db_name=db_name,
            seconds=args.seconds,
            warmup=args.warmup,
            clients=args.clients,
            batch=args.batch,
            shards=args.shards,
            seed=args.seed,
        )
        server = start_server(port, args.workers, workdir / "server.log", env)
        plan["server_pids"] = server_pids(server.pid)
        plan_path = workdir / "plan.json"
        plan_path.write_text(json.dumps(plan), encoding="utf-8")
        progress(f"server up on 127.0.0.1:{port} ({args.workers} workers); {args.clients} client threads")
        load_before = os.getloadavg()[0]
        results = child_json(["--child", "client", "--plan", str(plan_path)], env)
        results["loadavg"] = (load_before, os.getloadavg()[0])
        server.terminate()
        server.wait(timeout=30)
        server = None
        progress("checking the caps and the budget in the database")
        checks = check_database(database_url, plan)
        profile: dict[str, Any] | None = None
        if args.profile_sales > 0:
            progress(f"profiling {args.profile_sales} sequential sales in-process")
            profile = child_json(
                ["--child", "profile", "--plan", str(plan_path), "--profile-sales", str(args.profile_sales)], env
            )
        return report(args, plan, setup_seconds, results, checks, profile)
    finally:
        if server is not None:
            server.terminate()
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
        if args.keep:
            # The keys too: without them the kept cards and ID numbers cannot be looked up.
            keys = {k: v for k, v in env.items() if k.startswith(("GONGHUI_", "DATABASE_URL", "DJANGO_"))}
            (workdir / "env.sh").write_text("".join(f"export {k}='{v}'\n" for k, v in keys.items()))
            progress(f"kept {workdir} (env.sh: the settings and keys) and {database_url}")
        else:
            pg_admin(args.pg_url, f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)')
            shutil.rmtree(workdir, ignore_errors=True)


def start_server(port: int, workers: int, log_path: Path, env: dict[str, str]) -> subprocess.Popen[bytes]:
    # gunicorn's access log goes to the log file, keeping stdout for the report.
    log = log_path.open("wb")
    command = [*gonghui_cli(), "serve", "--no-worker", "--port", str(port), "--workers", str(workers)]
    server = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env, cwd=REPO)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise BenchFailure(f"server exited: {log_path.read_text(errors='replace')[-2000:]}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200 and len(server_pids(server.pid)) > workers:
                return server
        except OSError:
            pass
        time.sleep(0.2)
    server.terminate()
    raise BenchFailure("server did not answer /healthz within 60 s")


def server_pids(root: int) -> list[int]:
    """`gonghui serve`, its gunicorn master and the workers: every process under `root`."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            children.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, []))
    return found


# --- the world (a Django child) ------------------------------------------------------------------


def bench_card_number(seq: int) -> str:
    from stdnum import luhn

    body = f"621795{seq:012d}"
    return body + luhn.calc_check_digit(body)


SERVICE_CARDS = 20  # cards made one by one through the services; the rest in bulk, checked against them


def child_setup(members: int, seed: int, workdir: Path) -> dict[str, Any]:
    """Orgs, members with activated cards, a merchant, a cashier with a token and two campaigns.

    Orgs through `org_bulk_create`, members through `gonghui import members` (the
    real CLI, on a generated CSV), the first `SERVICE_CARDS` cards through
    `card_apply`/`card_issue`/`card_transition` and the rest with `bulk_create` of
    the same values (there is no bulk activation: banks activate cards one by
    one), then the merchant, cashier, token and campaigns.
    """
    import django

    django.setup()
    from datetime import date, timedelta

    from django.conf import settings
    from django.db import connection
    from django.utils import timezone

    from gonghui.accounts.services import token_create, user_create
    from gonghui.benefits.models import (
        BenefitTransaction,
        Campaign,
        CampaignStatus,
        MemberUsage,
        Merchant,
        MerchantOperator,
        Store,
        TransactionStatus,
    )
    from gonghui.benefits.services import member_lookup
    from gonghui.cards.models import BankPartner, CardStatus, ServiceCard
    from gonghui.cards.numbers import parse_card_number
    from gonghui.cards.services import card_apply, card_issue, card_transition
    from gonghui.core.idnumbers import id_number_with_check
    from gonghui.core.scoping import unscoped
    from gonghui.members.models import Membership, MembershipStatus
    from gonghui.orgs.models import Org, OrgKind
    from gonghui.orgs.services import OrgSpec, org_bulk_create

    rng = random.Random(seed)
    specs = [
        OrgSpec(code="BP0000", name="基准省总工会", kind=OrgKind.PROVINCE_FEDERATION, parent_code=None),
        OrgSpec(code="BC01", name="基准市总工会", kind=OrgKind.CITY_FEDERATION, parent_code="BP0000"),
        OrgSpec(code="BX0101", name="基准县总工会", kind=OrgKind.COUNTY_FEDERATION, parent_code="BC01"),
    ]
    specs += [
        OrgSpec(code=f"BU{u:06d}", name=f"基准单位{u}工会", kind=OrgKind.GRASSROOTS, parent_code="BX0101")
        for u in range(1, UNIONS + 1)
    ]
    org_bulk_create(actor=None, specs=specs, action="bench.orgs")
    city = Org.all_objects.get(code="BC01")

    # Members: a roster CSV through the import CLI, as a union would load them.
    surnames, given = (
        "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗",
        "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红建文辉",
    )
    roster = workdir / "roster.csv"
    born = date(1970, 1, 1)
    with roster.open("w", encoding="utf-8-sig", newline="") as out:
        out.write("姓名,公民身份号码,所属工会代码\n")
        for i in range(members):
            birth = born + timedelta(days=i // 900)
            number = id_number_with_check(f"520102{birth:%Y%m%d}{i % 900 + 100:03d}")
            name = rng.choice(surnames) + rng.choice(given) + rng.choice(given)
            out.write(f"{name},{number},BU{i % UNIONS + 1:06d}\n")
    done = subprocess.run(
        [*gonghui_cli(), "import", "members", str(roster)], stdout=subprocess.PIPE, text=True, check=True, cwd=REPO
    )
    imported = json.loads(done.stdout.splitlines()[-1])
    if imported.get("created") != members:
        raise BenchFailure(f"the roster import did not create {members:,} members: {imported}")
    progress(f"{members:,} members imported with `gonghui import members`")

    bank = BankPartner.objects.create(code="BENCH", name="基准银行", bin_prefixes="621795")
    with unscoped():
        memberships = list(
            Membership.objects.filter(org__code__startswith="BU", status=MembershipStatus.ACTIVE).order_by("id")
        )
    cards = [bench_card_number(i + 1) for i in range(len(memberships))]
    for ms, number in zip(memberships[:SERVICE_CARDS], cards, strict=False):
        card = card_apply(actor=None, scope=None, membership=ms, bank=bank, consented=True, consent_note="基准")
        card_issue(actor=None, scope=None, card=card, card_number=number)
        card_transition(actor=None, scope=None, card=card, action="activate")
    now, today = timezone.now(), timezone.localdate()
    bulk = []
    for ms, number in zip(memberships[SERVICE_CARDS:], cards[SERVICE_CARDS:], strict=True):
        parsed = parse_card_number(number, bins=bank.bins())
        bulk.append(
            ServiceCard(
                person_id=ms.person_id,
                bank=bank,
                org_id=ms.org_id,
                org_path=ms.org_path,
                status=CardStatus.ACTIVATED,
                card_cipher=parsed.cipher,
                card_index=parsed.index,
                card_masked=parsed.masked,
                consented_at=now,
                consent_note="基准",
                issued_on=today,
                activated_at=now,
            )
        )
    ServiceCard.all_objects.bulk_create(bulk, batch_size=2000)
    # A bulk card must be found as the services' cards are.
    for i in (0, len(memberships) - 1):
        if member_lookup(cards[i]).pk != memberships[i].person_id:
            raise BenchFailure(f"card {i} does not lead to its member")
    person_ids = [ms.person_id for ms in memberships]
    progress(f"{len(cards):,} activated cards ({SERVICE_CARDS} through the services)")

    merchant = Merchant.all_objects.create(
        org=city, org_path=city.path, name="基准华联超市", category="supermarket", region_code="520102"
    )
    store = Store.objects.create(merchant=merchant, name="基准华联超市一店", region_code="520102")
    cashier = user_create(username="bench_cashier", password=secrets.token_urlsafe(24), display_name="基准收银员")
    MerchantOperator.objects.create(merchant=merchant, user=cashier, store=store)
    token = token_create(user=cashier, name="bench").raw
    now = timezone.now()
    common = {
        "org": city,
        "org_path": city.path,
        "status": CampaignStatus.ACTIVE,
        "starts_at": now - timedelta(days=1),
        "ends_at": now + timedelta(days=30),
        # Ample until the client cuts it `BUDGET_SHARE` into the timed run.
        "budget_fen": 10**12,
        **CAMPAIGN,
    }
    campaign = Campaign.all_objects.create(name="基准·劳动者普惠九折", **common)
    campaign.merchants.add(merchant)
    # The baseline's own campaign: the same caps, at no merchant, so no till ever picks it.
    baseline = Campaign.all_objects.create(name="基准·直连 SQL 对照", **common)
    # The sharded baseline's: its spending goes to `bench_budget_shard` rows, not to this row.
    sharded = Campaign.all_objects.create(name="基准·分片预算对照", **common)

    # The member rows count per occurrence where the models have one (a 普惠周; here the whole period).
    usage_fields = {f.name for f in MemberUsage._meta.concrete_fields}
    occurrence = timezone.localtime(campaign.starts_at).date() if "occurrence" in usage_fields else None
    tx_values: dict[str, Any] = {
        "merchant": merchant.pk,
        "store": store.pk,
        "operator": cashier.pk,
        "org_path": city.path,
        "status": TransactionStatus.COMPLETED.value,
    }
    if occurrence is not None and "occurrence" in {f.name for f in BenefitTransaction._meta.concrete_fields}:
        tx_values["occurrence"] = occurrence

    return {
        "token": token,
        "occurrence": occurrence.isoformat() if occurrence else None,
        "cards": cards,
        "person_ids": person_ids,
        "merchant_id": merchant.pk,
        "store_id": store.pk,
        "operator_id": cashier.pk,
        "campaign_id": campaign.pk,
        "campaign_name": campaign.name,
        "baseline_campaign_id": baseline.pk,
        "sharded_campaign_id": sharded.pk,
        "org_path": city.path,
        "caps": {k: CAMPAIGN[k] for k in CAPS},
        "time_zone": settings.TIME_ZONE,
        "tables": {
            "tx": BenefitTransaction._meta.db_table,
            "usage": MemberUsage._meta.db_table,
            "campaign": Campaign._meta.db_table,
        },
        "tx_insert": baseline_insert(connection, BenefitTransaction, tx_values),
    }


BASELINE_VARYING = ("campaign", "person", "idempotency_key", "amount_fen", "discount_fen", "no_discount_reason", "day")


def baseline_insert(connection: Any, model: Any, values: dict[str, Any]) -> dict[str, Any]:
    """The baseline's INSERT of a sale: `BASELINE_VARYING` as parameters, every other column as the ORM writes it.

    `values` gives the fixed columns the world decides (merchant, store, operator, path);
    the clock columns are the server's `now()`, the rest their fields' defaults.
    """
    from datetime import date

    columns: list[str] = []
    marks: list[str] = []
    fixed: list[Any] = []
    for name in BASELINE_VARYING:
        columns.append(model._meta.get_field(name).column)
        marks.append("%s")
    for f in model._meta.concrete_fields:
        if f.primary_key or f.name in BASELINE_VARYING:
            continue
        columns.append(f.column)
        if getattr(f, "auto_now_add", False) or getattr(f, "auto_now", False):
            marks.append("now()")
            continue
        marks.append("%s")
        fixed.append(values[f.name] if f.name in values else f.get_db_prep_save(f.get_default(), connection))
    table = model._meta.db_table
    # Dates travel as ISO text (JSON); PostgreSQL reads them back into the date columns.
    fixed = [v.isoformat() if isinstance(v, date) else v for v in fixed]
    return {"sql": f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(marks)})", "fixed": fixed}


# --- the client (a second process: stdlib and psycopg only) -------------------------------------


@dataclass
class Tally:
    """What one phase of the client saw."""

    latencies: list[float] = field(default_factory=list)  # ms, successful timed requests (batched: per sale)
    created: int = 0  # new sales (201)
    replayed: int = 0  # retries answered with the same sale (200)
    requests: int = 0  # batched phase: requests answered 200 (each with its sales' results)
    conflicts: int = 0  # batched phase: reused keys refused with 409, as they must be
    discounted: int = 0
    discount_fen: int = 0
    reasons: Counter[str] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)
    first_errors: list[str] = field(default_factory=list)

    def merge(self, other: Tally) -> None:
        self.latencies += other.latencies
        self.created += other.created
        self.replayed += other.replayed
        self.requests += other.requests
        self.conflicts += other.conflicts
        self.discounted += other.discounted
        self.discount_fen += other.discount_fen
        self.reasons.update(other.reasons)
        self.errors.update(other.errors)
        self.first_errors += other.first_errors[: max(0, 5 - len(self.first_errors))]

    def error(self, kind: str, detail: str, sales: int = 1) -> None:
        self.errors[kind] += sales
        if len(self.first_errors) < 5:
            self.first_errors.append(f"{kind}: {detail}")


class Shopper:
    """A thread's draws: which member pays, and how much."""

    def __init__(self, rng: random.Random, members: int) -> None:
        self.rng = rng
        self.members = members

    def member(self) -> int:
        if self.rng.random() < HOT_SHARE:
            return self.rng.randrange(HOT_MEMBERS)
        return self.rng.randrange(HOT_MEMBERS, self.members)

    def amount_fen(self) -> int:
        return self.rng.randrange(AMOUNT_FEN[0], AMOUNT_FEN[1] + 1)


def yuan(fen: int) -> str:
    return f"{fen // 100}.{fen % 100:02d}"


def fen_of(text: str) -> int:
    whole, _, cents = text.partition(".")
    return int(whole) * 100 + int((cents + "00")[:2])


class CpuMeter:
    """CPU seconds of the server's processes, our database's backends, this client and the whole machine.

    A thread samples the processes every `SAMPLE_EVERY` seconds during a phase, so that
    a backend that ends during it (Django reconnects after `CONN_MAX_AGE`) counts up to
    its last sample instead of going missing, and one that starts counts from zero.
    Each sample also notes what each of our backends is doing (`pg_stat_activity`:
    running, waiting on a lock or on the WAL, idle in a transaction, idle).
    """

    SAMPLE_EVERY = 0.25

    def __init__(self, plan: dict[str, Any], admin: Any) -> None:
        self.plan = plan
        self.admin = admin
        self.tick = os.sysconf("SC_CLK_TCK")
        self.fixed = {*plan["server_pids"], os.getpid()}

    def _backends(self) -> set[int]:
        rows = self.admin.execute(
            "SELECT pid, state, wait_event_type, wait_event, backend_type FROM pg_stat_activity "
            "WHERE datname = %s AND pid <> pg_backend_pid()",
            (self.plan["db_name"],),
        ).fetchall()
        for _pid, state, wait_type, wait, kind in rows:
            if kind != "client backend":  # autovacuum: its CPU counts, its state does not
                continue
            if state == "active":
                self.states[f"active: {wait_type}:{wait}" if wait_type else "active: running"] += 1
            else:
                self.states[state or "?"] += 1
        return {int(r[0]) for r in rows}

    def _proc(self, pid: int) -> float | None:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return None  # gone
        return (int(fields[11]) + int(fields[12])) / self.tick  # utime + stime

    def _machine(self) -> tuple[float, float]:
        values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
        idle = values[3] + values[4]  # idle + iowait
        return (sum(values[:8]) - idle) / self.tick, sum(values[:8]) / self.tick

    def _sample(self) -> None:
        """The CPU time of every process watched so far and of the backends there are now."""
        self.samples += 1
        for pid in {*self.fixed, *self.last, *self._backends()}:
            cpu = self._proc(pid)
            if cpu is not None:
                self.last[pid] = cpu

    def _sampler(self) -> None:
        while not self.stopping.wait(self.SAMPLE_EVERY):
            self._sample()

    def start(self) -> None:
        self.last: dict[int, float] = {}
        self.states: Counter[str] = Counter()
        self.samples = 0
        self._sample()
        self.before = dict(self.last)
        self.machine = self._machine()
        self.began = time.perf_counter()
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._sampler, daemon=True)
        self.thread.start()

    def stop(self) -> dict[str, float]:
        seconds = time.perf_counter() - self.began
        busy, total = self._machine()
        self.stopping.set()
        self.thread.join()
        self._sample()
        groups = {
            "server": set(self.plan["server_pids"]),
            "postgres": set(self.last) - self.fixed,
            "client": {os.getpid()},
        }
        used = {
            name: sum(self.last.get(pid, 0.0) - self.before.get(pid, 0.0) for pid in pids) / seconds
            for name, pids in groups.items()
        }
        used["busy"] = (busy - self.machine[0]) / seconds
        used["cores"] = (total - self.machine[1]) / seconds
        used["other"] = used["busy"] - used["server"] - used["postgres"] - used["client"]
        return used

    def backend_states(self) -> dict[str, float]:
        """Per state, the mean number of our backends in it over the phase's samples."""
        samples = max(1, self.samples)
        return {k: v / samples for k, v in self.states.most_common()}


Worker = Callable[[int, float, "Tally", bool], None]


SHARD_TABLE = "bench_budget_shard"


def client_main(plan: dict[str, Any]) -> dict[str, Any]:
    import psycopg

    admin = psycopg.connect(plan["database_url"], autocommit=True)
    meter = CpuMeter(plan, admin)
    table = plan["tables"]["campaign"]
    shards, sharded_id = plan["shards"], plan["sharded_campaign_id"]
    # The sharded baseline's budget: `shards` rows, each with its share (a bench table, dropped with the database).
    admin.execute(
        f"CREATE TABLE {SHARD_TABLE} (campaign_id bigint, shard int, budget_fen bigint NOT NULL, "
        "spent_fen bigint NOT NULL DEFAULT 0, PRIMARY KEY (campaign_id, shard), CHECK (spent_fen <= budget_fen))"
    )
    for shard in range(shards):
        admin.execute(
            f"INSERT INTO {SHARD_TABLE} (campaign_id, shard, budget_fen) VALUES (%s, %s, %s)",
            (sharded_id, shard, 10**12 // shards),
        )
    out: dict[str, Any] = {}

    def close_budget(campaign_id: int) -> None:
        """Leave a little budget (a few discounts) over what is spent: the budget runs out from here."""
        left = 5 * CAMPAIGN["max_discount_fen"]
        if campaign_id == sharded_id:
            admin.execute(
                f"UPDATE {SHARD_TABLE} SET budget_fen = spent_fen + %s WHERE campaign_id = %s",
                (left // shards, campaign_id),
            )
        else:
            admin.execute(f"UPDATE {table} SET budget_fen = spent_fen + %s WHERE id = %s", (left, campaign_id))

    def run_phase(name: str, worker: Worker, campaign_id: int | None, *, reopen: bool = False) -> None:
        if reopen and campaign_id is not None:
            # A second phase on a campaign: its budget, cut in the first, is ample again until the cut.
            admin.execute(f"UPDATE {table} SET budget_fen = spent_fen + %s WHERE id = %s", (10**12, campaign_id))
        # Untimed warm-up: connections, imports, caches.
        warm = drive(worker, plan["clients"], plan["warmup"], timed=False)
        closing = None
        if campaign_id is not None:
            # The budget runs out `BUDGET_SHARE` into the timed run, whatever the rate.
            closing = threading.Timer(BUDGET_SHARE * plan["seconds"], close_budget, args=(campaign_id,))
            closing.start()
        meter.start()
        began = time.perf_counter()
        timed = drive(worker, plan["clients"], plan["seconds"], timed=True)
        seconds = time.perf_counter() - began
        cpu = meter.stop()
        if closing is not None:
            closing.join()
        out[name] = {
            "seconds": seconds,
            "created": timed.created,
            "replayed": timed.replayed,
            "requests": timed.requests,
            "conflicts": timed.conflicts,
            "discounted": timed.discounted,
            "discount_fen": timed.discount_fen,
            "reasons": dict(timed.reasons),
            "errors": dict(warm.errors + timed.errors),
            "first_errors": warm.first_errors + timed.first_errors,
            "latencies": timed.latencies,
            "warmup_created": warm.created,
            "cpu": cpu,
            "backends": meter.backend_states(),
        }
        progress(
            f"{name}: {timed.created / seconds:,.0f}/s over {seconds:.1f} s, "
            f"{sum(warm.errors.values()) + sum(timed.errors.values())} errors, load {os.getloadavg()[0]:.2f}"
        )

    # The server's floor first: GET /healthz (two trivial queries) through the same stack.
    run_phase("healthz", lambda i, until, tally, timed: healthz_worker(plan, i, until, tally, timed), None)
    run_phase("http", lambda i, until, tally, timed: http_worker(plan, i, until, tally, timed), plan["campaign_id"])
    if plan["batch"]:
        run_phase(
            "batched",
            lambda i, until, tally, timed: batch_worker(plan, i, until, tally, timed),
            plan["campaign_id"],
            reopen=True,
        )
    run_phase(
        "baseline",
        lambda i, until, tally, timed: sql_worker(plan, i, until, tally, timed, sharded=False),
        plan["baseline_campaign_id"],
    )
    for conn in SQL_CONNECTIONS.values():
        conn.close()
    SQL_CONNECTIONS.clear()
    run_phase(
        "sharded",
        lambda i, until, tally, timed: sql_worker(plan, i, until, tally, timed, sharded=True),
        sharded_id,
    )
    for conn in SQL_CONNECTIONS.values():
        conn.close()
    admin.close()
    return out


def drive(worker: Callable[[int, float, Tally, bool], None], clients: int, seconds: float, *, timed: bool) -> Tally:
    """`clients` threads running `worker` until the deadline; their tallies merged."""
    tallies = [Tally() for _ in range(clients)]
    until = time.perf_counter() + seconds
    threads = [threading.Thread(target=worker, args=(i, until, tallies[i], timed)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    total = Tally()
    for tally in tallies:
        total.merge(tally)
    return total


PHASE_SEQ = {"n": 0}
PHASE_LOCK = threading.Lock()


def next_phase_tag(timed: bool) -> str:
    with PHASE_LOCK:
        PHASE_SEQ["n"] += 1
        return f"{'t' if timed else 'w'}{PHASE_SEQ['n']}"


def healthz_worker(plan: dict[str, Any], index: int, until: float, tally: Tally, timed: bool) -> None:
    """GET /healthz over loopback: what gunicorn and Django give for a request with two trivial queries."""
    while time.perf_counter() < until:
        began = time.perf_counter()
        try:
            conn = http.client.HTTPConnection("127.0.0.1", plan["port"], timeout=60)
            conn.request("GET", "/healthz")
            response = conn.getresponse()
            answer = response.read()
            conn.close()
        except (OSError, http.client.HTTPException) as exc:
            tally.error("connection", repr(exc))
            continue
        if response.status != 200:
            tally.error(f"HTTP {response.status}", answer[:200].decode(errors="replace"))
            continue
        if timed:
            tally.latencies.append((time.perf_counter() - began) * 1000)
        tally.created += 1


def http_worker(plan: dict[str, Any], index: int, until: float, tally: Tally, timed: bool) -> None:
    """Sales over loopback, one connection each (gunicorn's sync workers close it after the answer)."""
    rng = random.Random(plan["seed"] * 1000 + index + (500 if timed else 0))
    shopper = Shopper(rng, len(plan["cards"]))
    tag = next_phase_tag(timed)
    auth = f"Bearer {plan['token']}"
    previous: tuple[str, bytes, int] | None = None  # key, body, sale id
    seq = 0
    while time.perf_counter() < until:
        seq += 1
        if previous is not None and seq % RETRY_EVERY == 0:
            key, body, expect_id = previous
        else:
            member = shopper.member()
            amount = shopper.amount_fen()
            key = f"pos-{tag}-{index}-{seq:07d}"
            body = json.dumps({"member_code": plan["cards"][member], "amount": yuan(amount)}).encode()
            expect_id = 0
        headers = {"Authorization": auth, "Content-Type": "application/json", "Idempotency-Key": key}
        began = time.perf_counter()
        try:
            conn = http.client.HTTPConnection("127.0.0.1", plan["port"], timeout=60)
            conn.request("POST", "/api/v1/benefits/transactions", body=body, headers=headers)
            response = conn.getresponse()
            answer = response.read()
            conn.close()
        except (OSError, http.client.HTTPException) as exc:
            tally.error("connection", repr(exc))
            continue
        elapsed = (time.perf_counter() - began) * 1000
        problem, sale = check_sale(response.status, answer, body, expect_id)
        if problem:
            # The key, not the body: the body holds a card number.
            tally.error(problem.split(":")[0], f"{key}: {problem}")
            continue
        assert sale is not None
        if timed:
            tally.latencies.append(elapsed)
        if expect_id:
            tally.replayed += 1
            continue
        tally.created += 1
        off = fen_of(sale["discount"])
        if off:
            tally.discounted += 1
            tally.discount_fen += off
        else:
            tally.reasons[sale["no_discount_reason"]] += 1
        previous = (key, body, int(sale["id"]))


def check_sale(status: int, answer: bytes, body: bytes, expect_id: int) -> tuple[str, dict[str, Any] | None]:
    """("", the sale) when the answer is a right one for the request; otherwise why it is wrong."""
    want = 200 if expect_id else 201
    if status != want:
        return f"HTTP {status}: {answer[:200].decode(errors='replace')}", None
    try:
        sale = json.loads(answer)
        sent = fen_of(json.loads(body)["amount"])
    except (ValueError, KeyError, TypeError) as exc:
        return f"malformed: {exc!r}", None
    problem = check_sale_object(sale, sent, expect_id)
    return problem, None if problem else sale


def check_sale_object(sale: Any, sent: int, expect_id: int) -> str:
    """ "" when `sale` (a sale as the API answers it) is right for `sent` fen; otherwise why it is wrong."""
    try:
        amount, off, paid = fen_of(sale["amount"]), fen_of(sale["discount"]), fen_of(sale["paid"])
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        return f"malformed: {exc!r}"
    if amount != sent or off + paid != amount or off > amount:
        return f"wrong figures: sent {sent}, got {amount} - {off} = {paid}"
    if not off and not sale.get("no_discount_reason"):
        return "no discount and no reason"
    if off and sale.get("no_discount_reason"):
        return "a discount with a refusal reason"
    if expect_id and (sale.get("id") != expect_id or not sale.get("replayed")):
        return f"retry answered with another sale: {sale.get('id')} (replayed={sale.get('replayed')})"
    if not expect_id and sale.get("replayed"):
        return f"a new sale answered as replayed: {sale.get('id')}"
    return ""


def batch_worker(plan: dict[str, Any], index: int, until: float, tally: Tally, timed: bool) -> None:
    """`plan["batch"]` sales per request to the batch endpoint, one connection each.

    The same draws as `http_worker`, sale by sale: one sale in `RETRY_EVERY` resends
    the thread's previous sale from an earlier request (its result must be 200, the
    same sale, `replayed`), and one in `CONFLICT_EVERY` sends that sale's key with
    another amount (409 with an error and no sale, the other sales of the request
    unaffected). Every result is checked as the single endpoint's answer is; a
    request that fails as a whole counts an error for each of its sales.
    """
    rng = random.Random(plan["seed"] * 1000 + index + (600 if timed else 300))
    shopper = Shopper(rng, len(plan["cards"]))
    tag = next_phase_tag(timed)
    headers = {"Authorization": f"Bearer {plan['token']}", "Content-Type": "application/json"}
    previous: tuple[str, str, int, int] | None = None  # key, member code, amount, sale id
    seq = 0
    while time.perf_counter() < until:
        sales: list[dict[str, Any]] = []
        expected: list[tuple[int, int]] = []  # (status, sale id a retry must get back), per sale
        for _ in range(plan["batch"]):
            seq += 1
            if previous is not None and seq % CONFLICT_EVERY == 0:
                key, code, amount, _sale_id = previous
                amount += 1
                expected.append((409, 0))
            elif previous is not None and seq % RETRY_EVERY == 0:
                key, code, amount, sale_id = previous
                expected.append((200, sale_id))
            else:
                key, code, amount = (
                    f"pos-{tag}-{index}-{seq:07d}",
                    plan["cards"][shopper.member()],
                    shopper.amount_fen(),
                )
                expected.append((201, 0))
            sales.append({"idempotency_key": key, "member_code": code, "amount": yuan(amount), "store_id": None})
        body = json.dumps({"merchant_id": None, "store_id": None, "sales": sales}).encode()
        first = sales[0]["idempotency_key"]
        began = time.perf_counter()
        try:
            conn = http.client.HTTPConnection("127.0.0.1", plan["port"], timeout=60)
            conn.request("POST", "/api/v1/benefits/transactions/batch", body=body, headers=headers)
            response = conn.getresponse()
            answer = response.read()
            conn.close()
        except (OSError, http.client.HTTPException) as exc:
            tally.error("connection", f"batch from {first}: {exc!r}", len(sales))
            continue
        elapsed = (time.perf_counter() - began) * 1000
        if response.status != 200:
            detail = f"batch from {first}: {answer[:200].decode(errors='replace')}"
            tally.error(f"HTTP {response.status}", detail, len(sales))
            continue
        try:
            results = json.loads(answer)["results"]
            if not isinstance(results, list) or len(results) != len(sales):
                raise ValueError(f"{len(results)} results for {len(sales)} sales")
        except (ValueError, KeyError, TypeError) as exc:
            tally.error("malformed", f"batch from {first}: {exc!r}", len(sales))
            continue
        tally.requests += 1
        for sent, (want, expect_id), result in zip(sales, expected, results, strict=True):
            key = sent["idempotency_key"]
            problem = check_batch_result(result, sent, want, expect_id)
            if problem:
                # The key, not the sale: it holds a card number.
                tally.error(problem.split(":")[0], f"{key}: {problem}")
                continue
            if want == 409:
                tally.conflicts += 1
                continue
            if timed:
                tally.latencies.append(elapsed)
            if want == 200:
                tally.replayed += 1
                continue
            sale = result["sale"]
            tally.created += 1
            off = fen_of(sale["discount"])
            if off:
                tally.discounted += 1
                tally.discount_fen += off
            else:
                tally.reasons[sale["no_discount_reason"]] += 1
            previous = (key, sent["member_code"], fen_of(sent["amount"]), int(sale["id"]))


def check_batch_result(result: Any, sent: dict[str, Any], want: int, expect_id: int) -> str:
    """ "" when one result of a batch is right for the sale sent at its place; otherwise why it is wrong."""
    if not isinstance(result, dict):
        return f"malformed: result {result!r:.80}"
    if result.get("idempotency_key") != sent["idempotency_key"]:
        return f"out of order: result for {result.get('idempotency_key')!r}"
    status, sale, error = result.get("status"), result.get("sale"), result.get("error")
    if status != want:
        return f"sale {status}: {json.dumps(error, ensure_ascii=False)[:200]} (expected {want})"
    if want == 409:
        if not (isinstance(error, dict) and isinstance(error.get("code"), str) and error["code"]):
            return f"409 without an error code: {error!r:.120}"
        if not isinstance(error.get("message"), str):
            return f"409 without an error message: {error!r:.120}"
        if sale is not None:
            return "409 with a sale"
        return ""
    if error is not None:
        return f"sale {status} with an error: {json.dumps(error, ensure_ascii=False)[:200]}"
    return check_sale_object(sale, fen_of(sent["amount"]), expect_id)


def sql_worker(plan: dict[str, Any], index: int, until: float, tally: Tally, timed: bool, *, sharded: bool) -> None:
    """The baseline: the service's writes for a sale, straight through psycopg, one transaction each.

    `sharded`: the budget is `plan["shards"]` rows with a share each; a sale takes
    from one (a different one per thread and sale), and from the next when that one
    is spent, so no single row is updated by every sale.
    """
    from datetime import datetime
    from zoneinfo import ZoneInfo

    import psycopg

    rng = random.Random(plan["seed"] * 1000 + index + (700 if timed else 200))
    shopper = Shopper(rng, len(plan["person_ids"]))
    tag = next_phase_tag(timed)
    t, caps = plan["tables"], plan["caps"]
    campaign, shards = plan["sharded_campaign_id" if sharded else "baseline_campaign_id"], plan["shards"]
    spend_shard = (
        f"UPDATE {SHARD_TABLE} SET spent_fen = spent_fen + %s "
        "WHERE campaign_id = %s AND shard = %s AND spent_fen + %s <= budget_fen"
    )
    insert_sql, fixed_values = plan["tx_insert"]["sql"], plan["tx_insert"]["fixed"]
    # The service's statements (`_bump_usage`), with the occurrence column where the models have it.
    occurrence = plan["occurrence"]
    occ_col, occ_val = (", occurrence", ", %s") if occurrence else ("", "")
    occ_key = ", occurrence" if occurrence else ""
    usage_insert = f"INSERT INTO {t['usage']} (campaign_id, person_id{occ_col}, day, count, discount_fen) VALUES "
    upsert = {
        None: usage_insert + f"(%s, %s{occ_val}, NULL, 0, 0) "
        f"ON CONFLICT (campaign_id, person_id{occ_key}) WHERE day IS NULL DO NOTHING",
        "day": usage_insert + f"(%s, %s{occ_val}, %s, 0, 0) "
        "ON CONFLICT (campaign_id, person_id, day) WHERE day IS NOT NULL DO NOTHING",
    }
    occ_params = [occurrence] if occurrence else []
    bump = (
        f"UPDATE {t['usage']} SET count = count + 1, discount_fen = discount_fen + %s "
        "WHERE campaign_id = %s AND person_id = %s AND {day} AND count + 1 <= %s AND discount_fen + %s <= %s"
    )
    spend = f"UPDATE {t['campaign']} SET spent_fen = spent_fen + %s WHERE id = %s AND spent_fen + %s <= budget_fen"
    zone = ZoneInfo(plan["time_zone"])
    # One connection per thread, kept from the warm-up to the end (as the server's workers keep theirs).
    conn = SQL_CONNECTIONS.get(index)
    if conn is None:
        conn = SQL_CONNECTIONS[index] = psycopg.connect(plan["database_url"])
    seq = 0
    while time.perf_counter() < until:
        seq += 1
        person = plan["person_ids"][shopper.member()]
        amount = shopper.amount_fen()
        off = min(amount - amount * CAMPAIGN["discount_percent"] // 100, CAMPAIGN["max_discount_fen"])
        day = datetime.now(zone).date()
        began = time.perf_counter()
        reason = ""
        try:
            with conn.transaction(), conn.cursor() as cur:
                try:
                    with conn.transaction():  # the savepoint: a cap reached undoes the grants
                        cur.execute(upsert[None], (campaign, person, *occ_params))
                        cur.execute(
                            bump.format(day="day IS NULL" + (" AND occurrence = %s" if occurrence else "")),
                            (off, campaign, person, *occ_params, caps["per_member_count"], off, caps["per_member_fen"]),
                        )
                        if cur.rowcount != 1:
                            raise CapReachedError("已达每人活动优惠上限")
                        cur.execute(upsert["day"], (campaign, person, *occ_params, day))
                        cur.execute(
                            bump.format(day="day = %s"),
                            (off, campaign, person, day, caps["per_day_count"], off, caps["per_day_fen"]),
                        )
                        if cur.rowcount != 1:
                            raise CapReachedError("已达每人每日优惠上限")
                        if sharded:
                            first = (index + seq) % shards
                            for k in range(shards):
                                cur.execute(spend_shard, (off, campaign, (first + k) % shards, off))
                                if cur.rowcount == 1:
                                    break
                            else:
                                raise CapReachedError("活动预算已用完")
                        else:
                            cur.execute(spend, (off, campaign, off))
                            if cur.rowcount != 1:
                                raise CapReachedError("活动预算已用完")
                except CapReachedError as cap:
                    reason, off = cap.reason, 0
                key = f"sql-{tag}-{index}-{seq:07d}"
                cur.execute(insert_sql, (campaign, person, key, amount, off, reason, day, *fixed_values))
        except psycopg.Error as exc:
            tally.error(type(exc).__name__, str(exc).splitlines()[0])
            continue
        if timed:
            tally.latencies.append((time.perf_counter() - began) * 1000)
        tally.created += 1
        if off:
            tally.discounted += 1
            tally.discount_fen += off
        else:
            tally.reasons[reason] += 1


SQL_CONNECTIONS: dict[int, Any] = {}


class CapReachedError(Exception):
    def __init__(self, reason: str) -> None:
        self.reason = reason


# --- the checks (after the run, in the database) -------------------------------------------------


def check_database(database_url: str, plan: dict[str, Any]) -> dict[str, Any]:
    """Cap and budget violations per campaign, from the usage rows and independently from the sales."""
    import psycopg

    t = plan["tables"]
    out: dict[str, Any] = {}
    with psycopg.connect(database_url) as conn:
        for name, campaign_id in (
            ("http", plan["campaign_id"]),
            ("baseline", plan["baseline_campaign_id"]),
            ("sharded", plan["sharded_campaign_id"]),
        ):
            row = conn.execute(
                f"SELECT budget_fen, spent_fen, {', '.join(CAPS)} FROM {t['campaign']} WHERE id = %s",
                (campaign_id,),
            ).fetchone()
            assert row is not None
            budget, spent, *cap_values = row
            if name == "sharded":  # its spending is in the shard rows
                shard_row = conn.execute(
                    f"SELECT sum(budget_fen), sum(spent_fen) FROM {SHARD_TABLE} WHERE campaign_id = %s",
                    (campaign_id,),
                ).fetchone()
                assert shard_row is not None
                budget, spent = int(shard_row[0]), int(shard_row[1])
            caps = dict(zip(CAPS, cap_values, strict=True))
            problems: Counter[str] = Counter()
            sales, granted, discounted = conn.execute(
                f"SELECT count(*), coalesce(sum(discount_fen), 0), count(*) FILTER (WHERE discount_fen > 0) "
                f"FROM {t['tx']} WHERE campaign_id = %s AND status = 'completed'",
                (campaign_id,),
            ).fetchone() or (0, 0, 0)
            if spent > budget:
                problems["spent_fen > budget_fen"] += 1
            if granted != spent:
                problems["sum of discounts != spent_fen"] += 1
            # From the sales themselves: per member over the campaign, and per member and day.
            for group, count_cap, fen_cap in (
                ("person_id", caps["per_member_count"], caps["per_member_fen"]),
                ("person_id, day", caps["per_day_count"], caps["per_day_fen"]),
            ):
                over = conn.execute(
                    f"SELECT count(*) FILTER (WHERE n > %s), count(*) FILTER (WHERE fen > %s) FROM ("
                    f"SELECT count(*) AS n, sum(discount_fen) AS fen FROM {t['tx']} "
                    f"WHERE campaign_id = %s AND status = 'completed' AND discount_fen > 0 GROUP BY {group}) s",
                    (
                        count_cap if count_cap is not None else 2**62,
                        fen_cap if fen_cap is not None else 2**62,
                        campaign_id,
                    ),
                ).fetchone() or (0, 0)
                scope = "member" if group == "person_id" else "member-day"
                if over[0]:
                    problems[f"sales over the {scope} count cap"] += over[0]
                if over[1]:
                    problems[f"sales over the {scope} amount cap"] += over[1]
            # The usage rows: within the caps, and equal to the sales they count.
            for day_test, count_cap, fen_cap, scope in (
                ("day IS NULL", caps["per_member_count"], caps["per_member_fen"], "member"),
                ("day IS NOT NULL", caps["per_day_count"], caps["per_day_fen"], "member-day"),
            ):
                over = conn.execute(
                    f"SELECT count(*) FILTER (WHERE count > %s), count(*) FILTER (WHERE discount_fen > %s) "
                    f"FROM {t['usage']} WHERE campaign_id = %s AND {day_test}",
                    (
                        count_cap if count_cap is not None else 2**62,
                        fen_cap if fen_cap is not None else 2**62,
                        campaign_id,
                    ),
                ).fetchone() or (0, 0)
                if over[0]:
                    problems[f"usage rows over the {scope} count cap"] += over[0]
                if over[1]:
                    problems[f"usage rows over the {scope} amount cap"] += over[1]
                keys = "s.person_id" if day_test == "day IS NULL" else "s.person_id, s.day"
                join = "u.person_id = s.person_id" + ("" if day_test == "day IS NULL" else " AND u.day = s.day")
                (mismatched,) = conn.execute(
                    f"SELECT count(*) FROM (SELECT {keys}, count(*) AS n, sum(s.discount_fen) AS fen "
                    f"FROM {t['tx']} s WHERE s.campaign_id = %s AND s.status = 'completed' AND s.discount_fen > 0 "
                    f"GROUP BY {keys}) s FULL JOIN (SELECT * FROM {t['usage']} WHERE campaign_id = %s "
                    f"AND {day_test} AND count > 0) u ON {join} "
                    "WHERE u.id IS NULL OR s.n IS NULL OR u.count <> s.n OR u.discount_fen <> s.fen",
                    (campaign_id, campaign_id),
                ).fetchone() or (0,)
                if mismatched:
                    problems[f"{scope} usage rows that differ from the sales"] += mismatched
            capped = conn.execute(
                f"SELECT (SELECT count(*) FROM {t['usage']} WHERE campaign_id = %s AND day IS NOT NULL "
                f"AND (count >= %s OR discount_fen + %s > %s)), "
                f"(SELECT count(*) FROM {t['usage']} WHERE campaign_id = %s AND day IS NULL "
                f"AND (count >= %s OR discount_fen + %s > %s))",
                (
                    campaign_id,
                    caps["per_day_count"],
                    1000,
                    caps["per_day_fen"],
                    campaign_id,
                    caps["per_member_count"],
                    1000,
                    caps["per_member_fen"],
                ),
            ).fetchone() or (0, 0)
            out[name] = {
                "sales": sales,
                "discounted": discounted,
                "granted_fen": granted,
                "spent_fen": spent,
                "budget_fen": budget,
                "members_at_day_cap": capped[0],
                "members_at_campaign_cap": capped[1],
                "problems": dict(problems),
                "violations": sum(problems.values()),
            }
        (keys_total,) = conn.execute(
            f"SELECT count(*) FROM {t['tx']} WHERE merchant_id = %s",
            (plan["merchant_id"],),
        ).fetchone() or (0,)
        out["sales_at_merchant"] = keys_total
    return out


# --- the in-process profile (a Django child) -----------------------------------------------------


def child_profile(plan: dict[str, Any], sales: int) -> dict[str, Any]:
    """Sequential sales through Django's test client: the whole stack but the socket and gunicorn.

    A first pass times the sales and captures their queries; a second pass runs
    under cProfile for where the Python time goes (profiling slows it, so only
    shares of it are reported).
    """
    import cProfile
    import pstats

    import django

    django.setup()
    from django.db import connection
    from django.db.models import F
    from django.test import Client

    from gonghui.benefits.models import Campaign

    # The timed run spent the budget: give it room again, so the profile sees discounted sales.
    Campaign.all_objects.filter(pk=plan["campaign_id"]).update(budget_fen=F("spent_fen") + 10**12)
    client = Client(HTTP_HOST="127.0.0.1")
    auth = f"Bearer {plan['token']}"
    shopper = Shopper(random.Random(plan["seed"] + 99), len(plan["cards"]))
    seq = iter(range(10**9))

    def one_sale() -> Any:
        body = {"member_code": plan["cards"][shopper.member()], "amount": yuan(shopper.amount_fen())}
        response = client.post(
            "/api/v1/benefits/transactions",
            body,
            content_type="application/json",
            HTTP_IDEMPOTENCY_KEY=f"profile-{next(seq):07d}",
            HTTP_AUTHORIZATION=auth,
        )
        if response.status_code != 201:
            raise BenchFailure(f"profiled sale answered {response.status_code}: {response.content[:200]!r}")
        return response

    for _ in range(20):  # warm-up: imports, connection, caches
        one_sale()
    statements: Counter[str] = Counter()
    statement_ms: dict[str, float] = {}

    def timed_query(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        began = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            shape = statement_shape(sql)
            statements[shape] += 1
            statement_ms[shape] = statement_ms.get(shape, 0.0) + (time.perf_counter() - began) * 1000

    wrapper: Any = connection  # the default connection's wrapper, whose `_commit` is timed below
    commit = wrapper._commit  # not a statement to Django's execute wrappers

    def timed_commit() -> Any:
        began = time.perf_counter()
        try:
            return commit()
        finally:
            statements["COMMIT"] += 1
            statement_ms["COMMIT"] = statement_ms.get("COMMIT", 0.0) + (time.perf_counter() - began) * 1000

    wrapper._commit = timed_commit
    began = time.perf_counter()
    with connection.execute_wrapper(timed_query):
        for _ in range(sales):
            one_sale()
    total_ms = (time.perf_counter() - began) * 1000
    sql_ms = sum(statement_ms.values())
    single_statements = sum(statements.values())
    per_statement = [
        {"sql": st, "per_sale": k / sales, "ms_per_sale": statement_ms[st] / sales}
        for st, k in statements.most_common()
    ]

    batched: dict[str, Any] | None = None
    if plan["batch"]:
        # The same sales in batches: statements and time per sale through the batch endpoint.
        def one_batch() -> None:
            batch_sales = [
                {
                    "idempotency_key": f"profile-{next(seq):07d}",
                    "member_code": plan["cards"][shopper.member()],
                    "amount": yuan(shopper.amount_fen()),
                    "store_id": None,
                }
                for _ in range(plan["batch"])
            ]
            response = client.post(
                "/api/v1/benefits/transactions/batch",
                {"merchant_id": None, "store_id": None, "sales": batch_sales},
                content_type="application/json",
                HTTP_AUTHORIZATION=auth,
            )
            try:
                statuses = [r["status"] for r in json.loads(response.content)["results"]]
            except (ValueError, KeyError, TypeError):
                statuses = []
            if response.status_code != 200 or statuses != [201] * len(batch_sales):
                raise BenchFailure(f"profiled batch answered {response.status_code}: {response.content[:300]!r}")

        batches = max(1, sales // plan["batch"])
        try:
            one_batch()  # warm-up
            statements.clear()
            statement_ms.clear()
            began = time.perf_counter()
            with connection.execute_wrapper(timed_query):
                for _ in range(batches):
                    one_batch()
            batch_ms = (time.perf_counter() - began) * 1000
        except BenchFailure as exc:  # reported, without spoiling the single sales' profile
            batched = {"error": str(exc)}
        done = batches * plan["batch"]
        if batched is None:
            batched = {
                "sales": done,
                "batch": plan["batch"],
                "ms_per_sale": batch_ms / done,
                "sql_ms_per_sale": sum(statement_ms.values()) / done,
                "queries_per_sale": sum(statements.values()) / done,
                "statements": [
                    {"sql": st, "per_sale": k / done, "ms_per_sale": statement_ms[st] / done}
                    for st, k in statements.most_common()
                ],
            }
    wrapper._commit = commit

    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(sales):
        one_sale()
    profiler.disable()
    stats = pstats.Stats(profiler)
    raw: dict[Any, Any] = stats.stats  # type: ignore[attr-defined]
    total_tt = sum(tt for (_cc, _nc, tt, _ct, _callers) in raw.values()) or 1.0
    functions: dict[str, float] = {}
    packages: Counter[str] = Counter()
    own: Counter[str] = Counter()
    for (filename, line, name), (_cc, _nc, tt, cumulative, _callers) in raw.items():
        packages[package_of(filename, name)] += tt / total_tt
        where = "/".join(Path(filename).parts[-2:]) if filename != "~" else ""
        own[f"{where}:{line}({name})" if where else name] += tt / total_tt
        if name in PROFILED and any(part in filename for part in ("gonghui/", "ninja/", "django/")):
            label = f"{Path(filename).stem}.{name}"
            functions[label] = max(functions.get(label, 0.0), cumulative / total_tt)
    return {
        "sales": sales,
        "ms_per_sale": total_ms / sales,
        "sql_ms_per_sale": sql_ms / sales,
        "queries_per_sale": single_statements / sales,
        "batched": batched,
        "statements": per_statement,
        # Shares of the profiled time, which the report scales to the unprofiled ms per sale.
        "functions_share": dict(sorted(functions.items(), key=lambda kv: -kv[1])),
        "packages_share": dict(packages.most_common(8)),
        "own_share": dict(own.most_common(15)),
    }


def package_of(filename: str, name: str) -> str:
    """Where a profiled function lives: a site-packages distribution, gonghui, the stdlib or C."""
    if filename == "~":
        # Built-ins; waiting on a socket (the database's answer) is a C call too.
        return "C calls (incl. socket waits)"
    match = re.search(r"site-packages/([A-Za-z0-9_]+)", filename)
    if match:
        return match.group(1)
    if "/gonghui/" in filename:
        return "gonghui"
    return "stdlib"


# The functions whose cumulative time the profile reports (per sale).
PROFILED = {
    "token_authenticate",
    "scope_for_user",
    "record_sale",
    "_merchant",
    "sale_amount",
    "transaction_record",
    "_require_operator",
    "member_lookup",
    "_replay",
    "_open_campaigns",
    "_eligible",
    "_grant",
    "sale_out",
    "get_response",
}


def statement_shape(sql: str) -> str:
    """A statement with its literals replaced, so the same query groups together."""
    sql = re.sub(r"'(?:[^']|'')*'", "?", sql)
    sql = re.sub(r'"s\d+_x\d+"', "?", sql)  # Django's savepoint names
    sql = re.sub(r"\b\d+(\.\d+)?\b", "?", sql)
    sql = re.sub(r"\s+", " ", sql).strip()
    return sql[:160] + ("…" if len(sql) > 160 else "")


# --- the report ----------------------------------------------------------------------------------


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile: a value that was actually observed."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[max(0, math.ceil(pct / 100 * len(ordered)) - 1)]


def report(
    args: argparse.Namespace,
    plan: dict[str, Any],
    setup_seconds: float,
    results: dict[str, Any],
    checks: dict[str, Any],
    profile: dict[str, Any] | None,
) -> int:
    http_, base, shard = results["http"], results["baseline"], results["sharded"]
    batched: dict[str, Any] | None = results.get("batched")
    single_tx_per_s = http_["created"] / http_["seconds"]
    single_errors = sum(http_["errors"].values())
    # The headline is the batched phase's when it ran: sales per second through HTTP, however they travel.
    headline = batched or http_
    tx_per_s = headline["created"] / headline["seconds"]
    errors = sum(headline["errors"].values())
    baseline_tx_per_s = base["created"] / base["seconds"]
    baseline_errors = sum(base["errors"].values())
    cap_violations = checks["http"]["violations"]
    print(
        f"普惠 sales through the HTTP API: postgresql, {args.members:,} members with activated cards, "
        f"{args.clients} client threads, {args.seconds:.0f} s timed per phase after {args.warmup:.0f} s warm-up "
        f"(world set up in {setup_seconds:.0f} s)"
    )
    print(
        f"server = `gonghui serve --workers {args.workers}` (gunicorn sync workers, production settings); "
        "client = a second process, stdlib http.client, a new loopback connection per request"
    )
    if batched:
        print(
            f"batched = {args.batch} sales per request to POST /api/v1/benefits/transactions/batch, same draws, "
            "the campaign's budget opened again and cut again; counted in sales, a sale's latency = its request's"
        )
    print(
        "baseline = the same writes through psycopg: usage upserts + conditional UPDATEs, the budget's conditional "
        "UPDATE and the INSERT, in one transaction per sale, same threads"
    )
    print(
        f"sharded baseline = the same, with the budget split over {args.shards} rows (a share each, the next row "
        "when one is spent) instead of the campaign row every discounted sale updates"
    )
    caps = ", ".join(f"{k} {v}" for k, v in plan["caps"].items())
    print(
        f"campaign: 9折, at most 30 yuan off; {caps}; {HOT_MEMBERS} members take {HOT_SHARE:.0%} of the sales; "
        f"the budget is cut to run out {BUDGET_SHARE:.0%} into the timed run; "
        f"one request (batched: one sale) in {RETRY_EVERY} is a retry of the previous sale"
    )
    print(
        f"1-minute load average before/after: {results['loadavg'][0]:.2f} / {results['loadavg'][1]:.2f} "
        f"on {os.cpu_count()} CPUs"
    )
    print()
    health = results["healthz"]
    phases = (
        ("healthz", "GET /healthz (floor)", health, sum(health["errors"].values())),
        ("HTTP", "HTTP sales (gunicorn)", http_, single_errors),
        *([("batched", f"HTTP sales, batched ({args.batch})", batched, errors)] if batched else []),
        ("baseline", "baseline (psycopg)", base, baseline_errors),
        ("sharded", f"baseline, {args.shards} budget rows", shard, sum(shard["errors"].values())),
    )
    print(
        f"{'phase':<28}{'requests':>9}{'per s':>8}{'p50 ms':>8}{'p95 ms':>8}{'max ms':>8}{'retries':>9}"
        f"{'discounted':>12}{'errors':>8}"
    )
    for _short, label, r, errs in phases:
        lat = r["latencies"]
        print(
            f"{label:<28}{r['created']:>9,}{r['created'] / r['seconds']:>8,.0f}{percentile(lat, 50):>8.1f}"
            f"{percentile(lat, 95):>8.1f}{max(lat, default=0):>8.1f}{r['replayed']:>9,}{r['discounted']:>12,}"
            f"{errs:>8}"
        )
    print("(requests = new sales for the sale phases; retries are extra requests answered with the same sale)")
    if batched:
        print(
            f"(batched: {batched['requests']:,} requests of {args.batch} sales, "
            f"{batched['requests'] / batched['seconds']:,.0f}/s; retries are sales inside them answered 200 with the "
            f"same sale; {batched['conflicts']:,} reused keys answered 409 as they must be, not counted as sales)"
        )
    print()
    print("no discount, by reason (timed sales):")
    sale_phases = (
        ("HTTP", http_),
        *([("batched", batched)] if batched else []),
        ("baseline", base),
        ("sharded", shard),
    )
    for label, r in sale_phases:
        reasons = ", ".join(f"{k} {v:,}" for k, v in sorted(r["reasons"].items(), key=lambda kv: -kv[1])) or "none"
        print(f"  {label:<9}{reasons}")
    print()
    print("CPU seconds per second during the timed phase (2.0 = both cores busy), and per request (per sale):")
    print(
        f"  {'phase':<10}{'server':>8}{'postgres':>10}{'client':>8}{'other':>8}{'busy':>8}"
        f"{'server ms':>11}{'postgres ms':>13}"
    )
    for short, _label, r, _errs in phases:
        c, rate = r["cpu"], r["created"] / r["seconds"]
        per = (1000 / rate) if rate else 0.0
        print(
            f"  {short:<10}{c['server']:>8.2f}{c['postgres']:>10.2f}"
            f"{c['client']:>8.2f}{c['other']:>8.2f}{c['busy']:>8.2f}{c['server'] * per:>11.2f}"
            f"{c['postgres'] * per:>13.2f}"
        )
    print()
    print(
        f"our database's connections during the timed phase, mean number in each state "
        f"(pg_stat_activity every {CpuMeter.SAMPLE_EVERY} s; 'active: Lock:…' waits on a lock, "
        "'idle in transaction' holds its locks while the application works):"
    )
    for short, _label, r, _errs in phases:
        states = ", ".join(f"{k} {v:.2f}" for k, v in r["backends"].items() if v >= 0.01) or "none"
        print(f"  {short:<10}{states}")
    print()
    print("database after the run (all sales, warm-up included):")
    print(
        f"  {'campaign':<10}{'sales':>8}{'discounted':>12}{'granted ¥':>12}{'spent ¥':>12}{'budget ¥':>12}"
        f"{'at day cap':>12}{'violations':>12}"
    )
    for label in ("http", "baseline", "sharded"):
        c = checks[label]
        print(
            f"  {label:<10}{c['sales']:>8,}{c['discounted']:>12,}{c['granted_fen'] / 100:>12,.2f}"
            f"{c['spent_fen'] / 100:>12,.2f}{c['budget_fen'] / 100:>12,.2f}{c['members_at_day_cap']:>12,}"
            f"{c['violations']:>12}"
        )
        for problem, n in c["problems"].items():
            print(f"    VIOLATION: {problem}: {n}")
    if batched:
        print("  (http: the campaign of both HTTP phases, single and batched)")
    if profile:
        ms = profile["ms_per_sale"]
        print()
        print(
            f"in-process profile ({profile['sales']} sequential sales through Django's test client, no socket, "
            f"one connection): {ms:.2f} ms per sale, of which SQL round trips {profile['sql_ms_per_sale']:.2f} ms "
            f"({profile['queries_per_sale']:.1f} statements) and Python {ms - profile['sql_ms_per_sale']:.2f} ms"
        )
        print(f"  {'per sale':>9}{'ms':>7}  statement")
        for st in profile["statements"]:
            print(f"  {st['per_sale']:>9.2f}{st['ms_per_sale']:>7.2f}  {st['sql']}")
        print(
            "  under cProfile, share of a sale (cumulative): "
            + ", ".join(f"{k.split('.')[-1]} {v:.0%}" for k, v in profile["functions_share"].items())
        )
        print("  own time by package: " + ", ".join(f"{k} {v:.0%}" for k, v in profile["packages_share"].items()))
        print(
            "  functions with the most own time: " + ", ".join(f"{k} {v:.1%}" for k, v in profile["own_share"].items())
        )
        bp = profile.get("batched")
        if bp and "error" in bp:
            print(f"  batched: FAILED: {bp['error']}")
        elif bp:
            bms = bp["ms_per_sale"]
            print(
                f"the same in batches of {bp['batch']} ({bp['sales']} sales, batch endpoint): {bms:.2f} ms per sale, "
                f"of which SQL round trips {bp['sql_ms_per_sale']:.2f} ms ({bp['queries_per_sale']:.2f} statements) "
                f"and Python {bms - bp['sql_ms_per_sale']:.2f} ms"
            )
            print(f"  {'per sale':>9}{'ms':>7}  statement")
            for st in bp["statements"]:
                print(f"  {st['per_sale']:>9.2f}{st['ms_per_sale']:>7.2f}  {st['sql']}")
    print()
    failures = []
    for label, r in (("healthz", health), *sale_phases):
        for line in r["first_errors"]:
            failures.append(f"FAILED ({label}): {line}")
    if cap_violations or checks["baseline"]["violations"] or checks["sharded"]["violations"]:
        failures.append("FAILED: caps or budget passed (see VIOLATION lines)")
    for line in failures:
        print(line)
    if tx_per_s < TARGET_TX_PER_S:
        print(
            f"TARGET MISSED: {tx_per_s:,.0f} tx/s through HTTP{f' in batches of {args.batch}' if batched else ''}, "
            f"target ≥ {TARGET_TX_PER_S:,.0f} (single sales {single_tx_per_s:,.0f}, baseline {baseline_tx_per_s:,.0f})"
        )
    else:
        print("all targets met")
    summary = {
        "tx_per_s": round(tx_per_s, 1),
        "p95_ms": round(percentile(headline["latencies"], 95), 2),
        "baseline_tx_per_s": round(baseline_tx_per_s, 1),
        "errors": errors,
        "cap_violations": cap_violations,
        "single_tx_per_s": round(single_tx_per_s, 1),
        "single_p95_ms": round(percentile(http_["latencies"], 95), 2),
        "single_errors": single_errors,
        "batch": args.batch if batched else 0,
        "batch_requests_per_s": round(batched["requests"] / batched["seconds"], 1) if batched else None,
        "baseline_p95_ms": round(percentile(base["latencies"], 95), 2),
        "baseline_errors": baseline_errors,
        "baseline_cap_violations": checks["baseline"]["violations"],
        "ratio": round(tx_per_s / baseline_tx_per_s, 3) if baseline_tx_per_s else None,
        "healthz_per_s": round(health["created"] / health["seconds"], 1),
        "sharded_baseline_tx_per_s": round(shard["created"] / shard["seconds"], 1),
        "sharded_cap_violations": checks["sharded"]["violations"],
        "workers": args.workers,
        "clients": args.clients,
        "seconds": args.seconds,
        "queries_per_sale": round(profile["queries_per_sale"], 1) if profile else None,
        "queries_per_sale_batched": (
            round(profile["batched"]["queries_per_sale"], 2)
            if profile and profile.get("batched") and "queries_per_sale" in profile["batched"]
            else None
        ),
    }
    print(json.dumps(summary, ensure_ascii=False))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
