"""Member search and subtree statistics at scale, through the HTTP API (DESIGN §5 "Reads").

    .venv/bin/python bench/search.py [--rows 1000000] [--orgs 5000] [--db sqlite|postgres]
                                     [--queries 200] [--port P] [--keep]

Builds a fresh database (a temp SQLite file, or `gonghui_bench_<pid>` on the local
PostgreSQL), migrates it with `gonghui migrate`, creates a province of `--orgs`
unions with `org_bulk_create`, loads `--rows` synthetic members below the ORM
(executemany / COPY) with the project's own ID encryption, blind index and
pinyin keys, rebuilds the tallies, and serves it with the production server
(`gonghui serve`: gunicorn, production settings). A client in a second process
then times each query kind over loopback, next to two baselines measured in the
same run: `/healthz` (the server's floor) and `/api/v1/members/{id}` (the
cheapest authenticated API read). Targets: every search kind p95 ≤ 20 ms, subtree
statistics p95 ≤ 50 ms. The last stdout line is one JSON object; the exit status
is 0 when the run completed, targets met or not (missed ones print
`TARGET MISSED`), and 1 when a request failed or answered wrongly.
"""

from __future__ import annotations

import argparse
import http.client
import json
import math
import os
import random
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
PG_SERVER_URL = "postgres://postgres@127.0.0.1:5432"
SEARCH_TARGET_MS = 20.0
STATS_TARGET_MS = 50.0
CHUNK = 20_000  # rows generated and written per batch: bounded memory, few round trips
CITIES = 10
COUNTIES_PER_CITY = 10
OFFICER_CITY = 0  # the city the scoped officer holds a grant on

# Approximate shares of the commonest surnames (per cent), so a prefix like "王小"
# matches as many rows as it would in a real province; given-name characters are
# drawn uniformly from a pool, one or two of them.
SURNAMES = (
    "王7.1 李7.0 张6.7 刘5.4 陈4.5 杨3.1 黄2.2 赵2.2 吴2.0 周1.9 徐1.3 孙1.2 马1.2 朱1.1 胡1.0 郭1.0 何0.9 "
    "高0.9 林0.9 罗0.9 郑0.8 梁0.8 谢0.6 宋0.6 唐0.5 许0.5 韩0.5 冯0.5 邓0.5 曹0.5 彭0.4 曾0.4 肖0.4 田0.4 "
    "董0.4 袁0.4 潘0.3 于0.3 蒋0.3 蔡0.3 余0.3 杜0.3 叶0.3 程0.3 苏0.3 魏0.3 吕0.3 丁0.3 任0.3 沈0.3"
)
GIVEN_CHARS = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红建文辉力小国海云飞金春晓志"
    "宇浩然子涵欣怡俊杨梓轩博雨佳琪嘉思晨"
)
EDUCATION = ("10", "20", "30", "40", "60", "70", "80")
NEW_EMPLOYMENT_TYPES = tuple(f"{i:02d}" for i in range(1, 11))


# --- orchestration (no Django imported yet) -----------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="members to load (default 1,000,000)")
    parser.add_argument("--orgs", type=int, default=5000, help="orgs in the province (default 5,000, at least 112)")
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--queries", type=int, default=200, help="timed requests per query kind (default 200)")
    parser.add_argument("--warmup", type=int, default=20, help="untimed requests per kind first (default 20)")
    parser.add_argument("--port", type=int, default=0, help="server port (default: a free one)")
    parser.add_argument("--pg-url", default=PG_SERVER_URL, help="PostgreSQL server, trust auth (default %(default)s)")
    parser.add_argument("--seed", type=int, default=20260301)
    parser.add_argument("--keep", action="store_true", help="keep the database and temp dir afterwards")
    # Internal: the same script, run as the client process.
    parser.add_argument("--client", metavar="PLAN", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.client:
        return client_main(Path(args.client), args.port)
    if args.orgs < 1 + CITIES + CITIES * COUNTIES_PER_CITY + 1:
        parser.error("--orgs must be at least 112 (province, 10 cities, 100 counties, one union)")
    if args.rows < 1000:
        parser.error("--rows must be at least 1000")
    return run(args)


STARTED = time.monotonic()


def progress(message: str) -> None:
    # Elapsed time, not the clock: Django switches the process to TIME_ZONE mid-run.
    print(f"[search-bench +{time.monotonic() - STARTED:6.1f}s] {message}", file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def run(args: argparse.Namespace) -> int:
    workdir = Path(tempfile.mkdtemp(prefix="gonghui-bench-search-"))
    port = args.port or free_port()
    pg_db = f"gonghui_bench_{os.getpid()}"
    if args.db == "postgres":
        database_url = f"{args.pg_url.rstrip('/')}/{pg_db}"
        pg_admin(args.pg_url, f'CREATE DATABASE "{pg_db}"')
    else:
        database_url = f"sqlite:///{workdir / 'bench.sqlite3'}"
    # Production settings: keys must come from the environment (fresh ones per run),
    # DEBUG is off, and the server is the one `gonghui serve` starts.
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
        progress(f"{args.db}: {database_url}; migrating")
        migrate = [sys.executable, "-m", "gonghui", "migrate", "--noinput", "--verbosity", "0"]
        subprocess.run(migrate, check=True, stdout=sys.stderr)
        loaded = load(args)
        plan = build_plan(args, loaded)
        plan_path = workdir / "plan.json"
        plan_path.write_text(json.dumps(plan), encoding="utf-8")
        server = start_server(port, workdir / "server.log")
        progress(f"server up on 127.0.0.1:{port}; timing {args.queries} requests per kind")
        load_before = os.getloadavg()[0]
        client = subprocess.run(
            [sys.executable, str(Path(__file__).resolve()), "--client", str(plan_path), "--port", str(port)],
            check=True,
            stdout=subprocess.PIPE,
            text=True,
        )
        results = json.loads(client.stdout)
        # Other work on the machine inflates every kind alike; print it so a reader can judge.
        results["loadavg"] = (load_before, os.getloadavg()[0])
        return report(args, loaded, plan, results)
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


def pg_admin(server_url: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(f"{server_url.rstrip('/')}/postgres", autocommit=True) as conn:
        conn.execute(sql.encode())


def start_server(port: int, log_path: Path) -> subprocess.Popen[bytes]:
    # gunicorn's access log goes to the log file, keeping stdout for the report.
    log = log_path.open("wb")
    server = subprocess.Popen(
        [sys.executable, "-m", "gonghui", "serve", "--no-worker", "--port", str(port), "--workers", "2"],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    # The first start collects the static files: minutes on a busy machine.
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"server exited: {log_path.read_text(errors='replace')[-2000:]}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return server
        except OSError:
            pass
        time.sleep(0.2)
    server.terminate()
    raise RuntimeError("server did not answer /healthz within 300 s")


# --- loading (Django, in this process, before the server starts) -------------------------------


@dataclass
class Sample:
    """One generated member whose search terms the client will use."""

    pk: int
    id_number: str
    mobile: str
    member_no: str
    name: str
    initials: str


@dataclass
class OrgRef:
    code: str
    path: str
    level: str  # province, city, county, union


@dataclass
class Loaded:
    orgs: list[OrgRef]
    samples: list[Sample]  # anywhere in the province
    scoped_samples: list[Sample]  # under the officer's city
    tokens: dict[str, str]
    officer_city: str
    timings: dict[str, float]


class Reservoir:
    """A uniform sample of fixed size from a stream of unknown length (algorithm R)."""

    def __init__(self, size: int, rng: random.Random) -> None:
        self.size = size
        self.rng = rng
        self.items: list[Sample] = []
        self.seen = 0

    def slot(self) -> int | None:
        """Where the next item goes, or None to skip it."""
        self.seen += 1
        if len(self.items) < self.size:
            return len(self.items)
        j = self.rng.randrange(self.seen)
        return j if j < self.size else None

    def put(self, slot: int, item: Sample) -> None:
        if slot == len(self.items):
            self.items.append(item)
        else:
            self.items[slot] = item


class RowShape:
    """A table's columns: the varying ones first, then every other field at its default."""

    def __init__(self, model: Any, varying: Sequence[str], connection: Any) -> None:
        fields = {f.name: f for f in model._meta.concrete_fields}
        rest = [f for name, f in fields.items() if name not in varying]
        self.table = model._meta.db_table
        self.columns = [fields[name].column for name in varying] + [f.column for f in rest]
        # Defaults prepared once by the fields themselves, so they match what the ORM writes.
        self.tail = tuple(f.get_db_prep_save(f.get_default(), connection) for f in rest)

    def row(self, values: tuple[Any, ...]) -> tuple[Any, ...]:
        return values + self.tail


class TableWriter:
    """Batches into a table below the ORM: executemany on SQLite, COPY on PostgreSQL."""

    def __init__(self, connection: Any) -> None:
        self.connection = connection
        self.vendor = connection.vendor

    def write(self, shape: RowShape, rows: list[tuple[Any, ...]]) -> None:
        quote = self.connection.ops.quote_name
        cols = ", ".join(quote(c) for c in shape.columns)
        if self.vendor == "postgresql":
            with (
                self.connection.cursor() as cursor,
                cursor.copy(f"COPY {quote(shape.table)} ({cols}) FROM STDIN") as cp,
            ):
                for row in rows:
                    cp.write_row(row)
        else:
            marks = ", ".join("?" * len(shape.columns))
            # The raw sqlite3 cursor skips Django's per-call placeholder rewriting.
            raw = self.connection.connection.cursor()
            raw.executemany(f"INSERT INTO {quote(shape.table)} ({cols}) VALUES ({marks})", rows)
            raw.close()


def load(args: argparse.Namespace) -> Loaded:
    import django

    django.setup()
    from django.db import connection

    rng = random.Random(args.seed)
    timings: dict[str, float] = {}
    started = time.perf_counter()
    orgs = build_orgs(args.orgs)
    timings["orgs"] = time.perf_counter() - started
    progress(f"{len(orgs)} orgs in {timings['orgs']:.1f} s")

    t = time.perf_counter()
    samples, scoped = load_members(args.rows, orgs, rng, size=args.queries + args.warmup)
    timings["members"] = time.perf_counter() - t

    t = time.perf_counter()
    from gonghui.members.services import tally_rebuild

    tally_rows = tally_rebuild()
    timings["tallies"] = time.perf_counter() - t
    progress(f"{tally_rows} tally rows in {timings['tallies']:.1f} s")

    t = time.perf_counter()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # VACUUM as well: after a bulk load autovacuum would set the visibility
            # map soon anyway, and index-only scans depend on it.
            cursor.execute("VACUUM ANALYZE")
        else:
            cursor.execute("ANALYZE")
            # Readers would otherwise search a WAL of the whole load on every page.
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    timings["analyze"] = time.perf_counter() - t
    timings["total"] = time.perf_counter() - started
    progress(f"analyze in {timings['analyze']:.1f} s; load {timings['total']:.1f} s in all")

    officer_city = next(o for o in orgs if o.level == "city").code
    tokens = create_users(officer_city)
    connection.close()
    return Loaded(orgs, samples, scoped, tokens, officer_city, timings)


def build_orgs(total: int) -> list[OrgRef]:
    """A province, 10 cities, 100 counties and the rest grassroots unions, through the service."""
    from gonghui.orgs.models import Org, OrgKind
    from gonghui.orgs.services import OrgSpec, org_bulk_create

    specs = [OrgSpec(code="BP0000", name="基准省总工会", kind=OrgKind.PROVINCE_FEDERATION, parent_code=None)]
    levels = {"BP0000": "province"}
    counties: list[str] = []
    for c in range(1, CITIES + 1):
        city = f"BC{c:02d}"
        specs.append(OrgSpec(code=city, name=f"基准第{c}市总工会", kind=OrgKind.CITY_FEDERATION, parent_code="BP0000"))
        levels[city] = "city"
        for k in range(1, COUNTIES_PER_CITY + 1):
            county = f"BX{c:02d}{k:02d}"
            name = f"基准第{c}市第{k}县总工会"
            specs.append(OrgSpec(code=county, name=name, kind=OrgKind.COUNTY_FEDERATION, parent_code=city))
            levels[county] = "county"
            counties.append(county)
    for u in range(total - len(specs)):
        code = f"BU{u + 1:06d}"
        parent = counties[u % len(counties)]
        specs.append(OrgSpec(code=code, name=f"基准单位{u + 1}工会", kind=OrgKind.GRASSROOTS, parent_code=parent))
        levels[code] = "union"
    org_bulk_create(actor=None, specs=specs, action="bench.orgs")
    rows = Org.all_objects.filter(code__in=levels).values_list("code", "path").order_by("path")
    return [OrgRef(code, path, levels[code]) for code, path in rows]


def id_areas() -> list[str]:
    from gonghui.core.regions import region_children

    areas = [county.code for city in region_children("520000") for county in region_children(city.code)]
    return areas or ["520102"]


def load_members(rows: int, orgs: list[OrgRef], rng: random.Random, *, size: int) -> tuple[list[Sample], list[Sample]]:
    """Persons and their live memberships, CHUNK rows at a time, in one transaction."""
    from django.db import connection, transaction
    from django.utils import timezone

    from gonghui.core import crypto
    from gonghui.core.idnumbers import id_number_with_check
    from gonghui.core.masking import mask_id_number
    from gonghui.members.models import Membership, MembershipStatus, Person
    from gonghui.members.validation import ID_PURPOSE, name_keys, parse_identity

    unions = [o for o in orgs if o.level == "union"]
    employers = {o.code: f"基准单位{int(o.code[2:])}" for o in unions}
    union_ids = dict(_org_ids([o.code for o in unions]))
    officer_path = next(o for o in orgs if o.level == "city").path
    surnames = [(s[0], float(s[1:])) for s in SURNAMES.split()]
    surname_pool, surname_weights = [s for s, _ in surnames], [w for _, w in surnames]
    areas = id_areas()
    born_from, born_days = date(1960, 1, 1).toordinal(), (date(2005, 12, 31) - date(1960, 1, 1)).days
    joined_from, joined_days = date(2000, 1, 1).toordinal(), (date(2025, 12, 31) - date(2000, 1, 1)).days
    now = connection.ops.adapt_datetimefield_value(timezone.now())

    person_shape = RowShape(
        Person,
        (
            "id",
            "name",
            "name_pinyin",
            "name_initials",
            "id_cipher",
            "id_index",
            "id_masked",
            "gender",
            "birth_date",
            "education",
            "is_migrant_worker",
            "new_employment_type",
            "mobile",
            "employer",
            "member_no",
            "joined_on",
            "created_at",
            "updated_at",
        ),
        connection,
    )
    membership_shape = RowShape(
        Membership,
        ("id", "person", "org", "org_path", "status", "started_on", "created_at", "updated_at"),
        connection,
    )
    writer = TableWriter(connection)
    keys_cache: dict[str, tuple[str, str]] = {}  # pinyin per distinct name, not per row
    seen_ids: set[str] = set()
    samples, scoped = Reservoir(size, rng), Reservoir(size, rng)
    started = time.perf_counter()
    with transaction.atomic():
        if connection.vendor == "sqlite":
            # For the load only: the server opens its own connections with the project's pragmas.
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA cache_size = -1000000")
                cursor.execute("PRAGMA temp_store = MEMORY")
        for first in range(1, rows + 1, CHUNK):
            pks = range(first, min(first + CHUNK, rows + 1))
            numbers: list[str] = []
            for _ in pks:
                while True:
                    birth = date.fromordinal(born_from + rng.randrange(born_days))
                    first17 = f"{rng.choice(areas)}{birth:%Y%m%d}{rng.randrange(1000):03d}"
                    if first17 not in seen_ids:
                        seen_ids.add(first17)
                        break
                numbers.append(id_number_with_check(first17))
            indexes = crypto.blind_indexes(numbers, purpose=ID_PURPOSE)
            people: list[tuple[Any, ...]] = []
            memberships: list[tuple[Any, ...]] = []
            for pk, number, index in zip(pks, numbers, indexes, strict=True):
                given = rng.choice(GIVEN_CHARS) + (rng.choice(GIVEN_CHARS) if rng.random() < 0.8 else "")
                name = rng.choices(surname_pool, surname_weights)[0] + given
                keys = keys_cache.get(name)
                if keys is None:
                    keys = keys_cache[name] = name_keys(name)
                union = unions[rng.randrange(len(unions))]
                joined = date.fromordinal(joined_from + rng.randrange(joined_days)).isoformat()
                mobile = f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}"
                member_no = f"{pk:010d}"
                birth_iso = f"{number[6:10]}-{number[10:12]}-{number[12:14]}"
                new_employment = rng.choice(NEW_EMPLOYMENT_TYPES) if rng.random() < 0.20 else ""
                people.append(
                    person_shape.row(
                        (
                            pk,
                            name,
                            keys[0],
                            keys[1],
                            crypto.encrypt(number, purpose=ID_PURPOSE),
                            index,
                            mask_id_number(number),
                            "1" if int(number[16]) % 2 else "2",
                            birth_iso,
                            rng.choice(EDUCATION),
                            rng.random() < 0.15,
                            new_employment,
                            mobile,
                            employers[union.code],
                            member_no,
                            joined,
                            now,
                            now,
                        )
                    )
                )
                memberships.append(
                    membership_shape.row(
                        (pk, pk, union_ids[union.code], union.path, MembershipStatus.ACTIVE.value, joined, now, now)
                    )
                )
                sample = Sample(pk, number, mobile, member_no, name, keys[1])
                if (slot := samples.slot()) is not None:
                    samples.put(slot, sample)
                if union.path.startswith(officer_path) and (slot := scoped.slot()) is not None:
                    scoped.put(slot, sample)
            writer.write(person_shape, people)
            writer.write(membership_shape, memberships)
            done = pks[-1]
            if done % (CHUNK * 10) == 0 or done == rows:
                rate = done / (time.perf_counter() - started)
                progress(f"members {done:,}/{rows:,} ({rate:,.0f} rows/s, {len(keys_cache):,} distinct names)")
        if connection.vendor == "postgresql":
            # Ids were written explicitly: move the sequences past them.
            from django.core.management.color import no_style

            with connection.cursor() as cursor:
                for sql in connection.ops.sequence_reset_sql(no_style(), [Person, Membership]):
                    cursor.execute(sql)
    # The rows are only worth timing if the app finds them the way it would its own.
    probe = samples.items[0]
    assert parse_identity(probe.id_number).index == crypto.blind_indexes([probe.id_number], purpose=ID_PURPOSE)[0]
    assert name_keys(probe.name)[1] == probe.initials
    return samples.items, scoped.items


def _org_ids(codes: list[str]) -> Iterator[tuple[str, int]]:
    from gonghui.orgs.models import Org

    yield from Org.all_objects.filter(code__in=codes).values_list("code", "pk")


def create_users(officer_city: str) -> dict[str, str]:
    """A superuser and an officer of one city, each with a bearer token, through the services."""
    from gonghui.accounts.services import grant_role, token_create, user_create

    admin = user_create(username="bench_admin", password=secrets.token_urlsafe(24), display_name="基准测试管理员")
    # As `gonghui demo` makes its admin: there is no service for the superuser flag.
    admin.is_superuser = True
    admin.is_staff = True
    admin.save(update_fields=["is_superuser", "is_staff"])
    officer = user_create(username="bench_officer", password=secrets.token_urlsafe(24), display_name="基准测试经办人")
    grant_role(actor=None, actor_scope=None, user=officer, role_name="officer", org_code=officer_city)
    return {
        "admin": token_create(user=admin, name="bench").raw,
        "officer": token_create(user=officer, name="bench").raw,
    }


# --- the plan: which requests each kind fires --------------------------------------------------


@dataclass
class Kind:
    name: str
    actor: str  # "admin", "officer", or "" for no token
    target_ms: float | None
    check: str  # ok, one, some, stats
    requests: list[tuple[str, str, str | None]]  # (method, path, JSON body)


def get(path: str) -> tuple[str, str, str | None]:
    return ("GET", path, None)


def build_plan(args: argparse.Namespace, loaded: Loaded) -> dict[str, Any]:
    rng = random.Random(args.seed + 1)
    n = args.queries + args.warmup
    city_path = next(o.path for o in loaded.orgs if o.code == loaded.officer_city)

    def search(samples: list[Sample], term: str) -> list[tuple[str, str, str | None]]:
        values = {
            "id": lambda s: s.id_number,
            "mobile": lambda s: s.mobile,
            "member_no": lambda s: s.member_no,
            # Surname and the first given character, as someone types it: "王小".
            "name_prefix": lambda s: s.name[:2],
            "pinyin_initials": lambda s: s.initials,
        }[term]
        # POSTed, as the project sends searches: ID and mobile numbers stay out of URLs and access logs.
        return [("POST", "/api/v1/members/search", json.dumps({"q": values(s)})) for s in samples[:n]]

    def stats_requests(orgs: list[OrgRef]) -> list[tuple[str, str, str | None]]:
        # Levels in turn (province, city, county, union where present), a random org of each.
        by_level = [[o for o in orgs if o.level == lv] for lv in ("province", "city", "county", "union")]
        by_level = [group for group in by_level if group]
        return [get(f"/api/v1/stats?org={rng.choice(by_level[i % len(by_level)]).code}") for i in range(n)]

    province = next(o for o in loaded.orgs if o.level == "province")
    cities = [o for o in loaded.orgs if o.level == "city"]
    in_city = [o for o in loaded.orgs if o.path.startswith(city_path)]
    city_draws = [rng.choice(cities) for _ in range(n)]
    exact = {"id": "one", "member_no": "one"}
    kinds = [
        Kind("healthz", "", None, "ok", [get("/healthz")] * n),
        Kind("member_get", "admin", None, "ok", [get(f"/api/v1/members/{s.pk}") for s in loaded.samples[:n]]),
    ]
    for term in ("id", "mobile", "member_no", "name_prefix", "pinyin_initials"):
        kinds.append(Kind(term, "admin", SEARCH_TARGET_MS, exact.get(term, "some"), search(loaded.samples, term)))
    kinds += [
        # Page 1 of a whole city's roster, unfiltered.
        Kind("roster", "admin", SEARCH_TARGET_MS, "some", [get(f"/api/v1/members?org={c.code}") for c in city_draws]),
        Kind("stats", "admin", STATS_TARGET_MS, "stats", stats_requests(loaded.orgs)),
        Kind("stats_province", "admin", STATS_TARGET_MS, "stats", [get(f"/api/v1/stats?org={province.code}")] * n),
    ]
    # The same kinds for an officer of one city: the scope adds a subtree range to every query.
    for term in ("id", "mobile", "member_no", "name_prefix", "pinyin_initials"):
        requests = search(loaded.scoped_samples, term)
        kinds.append(Kind(f"scoped_{term}", "officer", SEARCH_TARGET_MS, exact.get(term, "some"), requests))
    kinds += [
        Kind(
            "scoped_roster",
            "officer",
            SEARCH_TARGET_MS,
            "some",
            [get(f"/api/v1/members?org={loaded.officer_city}")] * n,
        ),
        Kind("scoped_stats", "officer", STATS_TARGET_MS, "stats", stats_requests(in_city)),
    ]
    return {"tokens": loaded.tokens, "warmup": args.warmup, "kinds": [asdict(k) for k in kinds]}


# --- the client (stdlib only, a second process) ------------------------------------------------


def client_main(plan_path: Path, port: int) -> int:
    plan = json.loads(plan_path.read_text(encoding="utf-8"))
    kinds = [Kind(**k) for k in plan["kinds"]]
    warmup = int(plan["warmup"])
    tokens: dict[str, str] = plan["tokens"]
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    latencies: dict[str, list[float]] = {k.name: [] for k in kinds}
    failures: dict[str, list[str]] = {k.name: [] for k in kinds}
    # Round-robin over the kinds rather than one block each, so a slow patch of
    # the run (a checkpoint, autovacuum) falls on every kind alike.
    for i in range(max(len(k.requests) for k in kinds)):
        for kind in kinds:
            if i >= len(kind.requests):
                continue
            method, path, payload = kind.requests[i]
            headers = {"Authorization": f"Bearer {tokens[kind.actor]}"} if kind.actor else {}
            if payload is not None:
                headers["Content-Type"] = "application/json"
            began = time.perf_counter()
            try:
                # gunicorn's sync workers close each connection; http.client reopens it.
                conn.request(method, path, body=payload.encode() if payload else None, headers=headers)
                response = conn.getresponse()
                body = response.read()
            except (OSError, http.client.HTTPException) as exc:
                conn.close()
                failures[kind.name].append(f"{method} {path} #{i}: {exc!r}")
                continue
            elapsed = (time.perf_counter() - began) * 1000
            problem = check_response(kind.check, response.status, body)
            if problem:
                # The request number, not the body: it holds an ID or mobile number.
                failures[kind.name].append(f"{method} {path} #{i}: {problem}")
            elif i >= warmup:
                latencies[kind.name].append(elapsed)
    json.dump({"latencies": latencies, "failures": failures}, sys.stdout)
    return 0


def check_response(check: str, status: int, body: bytes) -> str:
    """Why the answer is wrong, or "" when it is what the loaded data implies."""
    if status != 200:
        return f"HTTP {status} {body[:200]!r}"
    if check == "ok":
        return ""
    data = json.loads(body)
    if check == "stats":
        # A small union may well have no members at a small --rows; the keys must be there.
        return "" if data.get("orgs", 0) >= 1 and isinstance(data.get("members"), int) else f"not stats: {data}"
    count = int(data.get("count", 0))
    if check == "one" and (count != 1 or len(data["items"]) != 1):
        return f"expected exactly one member, got {count}"
    if check == "some" and not data.get("items"):
        return "expected members, got none"
    return ""


# --- the report --------------------------------------------------------------------------------


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile: a value that was actually observed."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(pct / 100 * len(ordered)) - 1)]


def report(args: argparse.Namespace, loaded: Loaded, plan: dict[str, Any], results: dict[str, Any]) -> int:
    latencies: dict[str, list[float]] = results["latencies"]
    failures: dict[str, list[str]] = results["failures"]
    kinds = {k["name"]: k for k in plan["kinds"]}
    p95 = {name: percentile(ms, 95) for name, ms in latencies.items() if ms}
    baseline = p95.get("member_get", 0.0)
    t = loaded.timings
    print(
        f"Member search through the HTTP API: {args.db}, {args.rows:,} members, {len(loaded.orgs):,} orgs, "
        f"{args.queries} timed requests per kind (after {args.warmup} untimed)"
    )
    print(
        f"load {t['total']:.1f} s: orgs {t['orgs']:.1f} s, members {t['members']:.1f} s "
        f"({args.rows / t['members']:,.0f} rows/s), tallies {t['tallies']:.1f} s, analyze {t['analyze']:.1f} s"
    )
    print("baseline = p95 of GET /api/v1/members/{id} (one row by primary key, same server, same run)")
    print(
        f"1-minute load average before/after the timed requests: {results['loadavg'][0]:.2f} / "
        f"{results['loadavg'][1]:.2f} on {os.cpu_count()} CPUs"
    )
    print()
    print(f"{'kind':<24}{'actor':<9}{'p50 ms':>8}{'p95 ms':>8}{'max ms':>8}{'target':>8}{'p95 / baseline':>16}")
    missed: list[str] = []
    for name, kind in kinds.items():
        ms = latencies[name]
        if not ms:
            print(f"{name:<24}{kind['actor'] or '-':<9}{'no successful requests':>40}")
            continue
        target = kind["target_ms"]
        ratio = f"{p95[name] / baseline:.1f}×" if baseline and name not in ("member_get", "healthz") else "-"
        print(
            f"{name:<24}{kind['actor'] or '-':<9}{percentile(ms, 50):>8.1f}{p95[name]:>8.1f}{max(ms):>8.1f}"
            f"{f'≤ {target:.0f}' if target else '-':>8}{ratio:>16}"
        )
        if target and p95[name] > target:
            missed.append(f"TARGET MISSED: {name} p95 {p95[name]:.1f} ms > {target:.0f} ms")
    print()
    for name, problems in failures.items():
        if problems:
            print(f"FAILED: {name}: {len(problems)} wrong answers, first: {problems[0]}")
    for line in missed:
        print(line)
    if not missed:
        print("all targets met")
    measured = {k: v for k, v in p95.items() if k not in ("healthz", "member_get")}
    summary = {
        "rows": args.rows,
        "db": args.db,
        "p95_ms": {k: round(v, 2) for k, v in measured.items()},
        # The target names a province: the stricter of the mixed and the province-only stats.
        "stats_p95_ms": round(max(p95.get("stats", 0.0), p95.get("stats_province", 0.0)), 2),
        "baseline_p95_ms": {k: round(p95[k], 2) for k in ("healthz", "member_get") if k in p95},
        "load_seconds": round(t["total"], 1),
    }
    print(json.dumps(summary, ensure_ascii=False))
    return 1 if any(failures.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
