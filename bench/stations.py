"""The nearest rest stations at a national scale, through the HTTP API (issue 16, DOMAIN §7).

    .venv/bin/python bench/stations.py [--stations 200000] [--db sqlite|postgres]
                                       [--queries 300] [--baseline-queries 40] [--port P] [--keep]

Builds a fresh database (a temp SQLite file, or `gonghui_bench_st_<pid>` on the local
PostgreSQL), migrates it with `gonghui migrate`, creates a federation per province and
city with `org_bulk_create`, and bulk-creates `--stations` stations spread over China the
way they are in fact (dense in cities, thinner in the counties around them), with
facilities and opening hours drawn from a realistic mix and a few closed. It serves them
with the production server (`gonghui serve`: gunicorn, production settings); a client in
a second process then times `GET /api/v1/stations/nearest` over loopback from riders'
positions (WGS-84, as a phone sends them). The baseline is the same query answered by a
full scan in this process, timed in the same run: load every open station's position,
haversine to each, sort, keep the nearest five, and read those five rows. Every answer
the server gives (the first `--check` of each kind) is checked against a full scan of the
same position, untimed.

Target: p95 of the nearest-5 query ≤ 20 ms. The last stdout line is one JSON object
`{"stations", "p95_ms", "baseline_p95_ms", …}`; the exit status is 0 when the run completed,
target met or not (a miss prints `TARGET MISSED`), and 1 when an answer was wrong.
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
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import time as clock
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

# The served-benchmark plumbing (a free port, the production server, PostgreSQL's admin, p95) is search's.
sys.path.insert(0, str(Path(__file__).resolve().parent))
from search import PG_SERVER_URL, free_port, percentile, pg_admin, start_server

REPO = Path(__file__).resolve().parent.parent
TARGET_MS = 20.0
BATCH = 5_000

# Cities (WGS-84 centre, weight ~ people in millions): stations cluster where riders work.
CITIES = [
    ("北京", 39.904, 116.407, 21.9),
    ("上海", 31.230, 121.474, 24.9),
    ("广州", 23.129, 113.264, 18.8),
    ("深圳", 22.543, 114.058, 17.7),
    ("天津", 39.084, 117.201, 13.7),
    ("重庆", 29.563, 106.551, 16.0),
    ("成都", 30.573, 104.066, 21.0),
    ("武汉", 30.593, 114.305, 13.7),
    ("杭州", 30.274, 120.155, 12.4),
    ("南京", 32.060, 118.797, 9.5),
    ("西安", 34.341, 108.940, 13.0),
    ("郑州", 34.747, 113.625, 12.8),
    ("长沙", 28.228, 112.939, 10.4),
    ("沈阳", 41.806, 123.432, 9.1),
    ("哈尔滨", 45.803, 126.535, 9.9),
    ("长春", 43.817, 125.324, 9.1),
    ("济南", 36.651, 117.120, 9.4),
    ("青岛", 36.067, 120.383, 10.3),
    ("石家庄", 38.042, 114.515, 11.2),
    ("太原", 37.870, 112.549, 5.4),
    ("合肥", 31.821, 117.227, 9.6),
    ("福州", 26.074, 119.296, 8.4),
    ("厦门", 24.480, 118.089, 5.3),
    ("南昌", 28.682, 115.858, 6.4),
    ("昆明", 25.040, 102.712, 8.5),
    ("贵阳", 26.647, 106.630, 6.0),
    ("遵义", 27.725, 106.927, 6.6),
    ("南宁", 22.817, 108.366, 8.8),
    ("海口", 20.044, 110.199, 2.9),
    ("兰州", 36.061, 103.834, 4.4),
    ("西宁", 36.617, 101.778, 2.5),
    ("银川", 38.487, 106.231, 2.9),
    ("呼和浩特", 40.842, 111.750, 3.5),
    ("乌鲁木齐", 43.825, 87.617, 4.1),
    ("拉萨", 29.650, 91.140, 0.9),
    ("宜昌", 30.692, 111.286, 4.0),
    ("苏州", 31.299, 120.585, 12.7),
    ("东莞", 23.021, 113.752, 10.5),
    ("佛山", 23.022, 113.122, 9.6),
    ("温州", 27.994, 120.699, 9.6),
    ("大连", 38.914, 121.615, 7.5),
    ("宁波", 29.868, 121.544, 9.4),
    ("无锡", 31.491, 120.312, 7.5),
    ("泉州", 24.874, 118.676, 8.8),
    ("临沂", 35.105, 118.356, 11.0),
    ("徐州", 34.205, 117.285, 9.1),
    ("洛阳", 34.620, 112.454, 7.1),
    ("襄阳", 32.009, 112.122, 5.3),
    ("赣州", 25.831, 114.935, 9.0),
    ("南阳", 32.991, 112.528, 9.7),
]
# Shares of the stations: in a city's core (σ 6 km), its outskirts (σ 25 km), and the counties around (σ 90 km).
SPREAD = ((0.55, 6_000.0), (0.30, 25_000.0), (0.15, 90_000.0))
FACILITIES = ("seats", "water", "microwave", "first_aid", "cooling")
OPTIONAL = ("fridge", "wifi", "charging", "rain_gear", "toilet", "nursing")
# Opening hours: (weekday, weekend, holiday) windows, and how often each plan is found.
HOURS = [
    (((8, 0), (20, 0)), ((9, 0), (18, 0)), ((9, 0), (18, 0)), 40),
    (((8, 30), (17, 30)), None, None, 20),  # a bank's or an office's: weekdays only
    (((7, 0), (23, 0)), ((7, 0), (23, 0)), ((7, 0), (23, 0)), 20),
    (((0, 0), (0, 0)), ((0, 0), (0, 0)), ((0, 0), (0, 0)), 10),  # round the clock (a petrol station)
    (((10, 0), (2, 0)), ((10, 0), (2, 0)), ((10, 0), (2, 0)), 10),  # late, past midnight
]
CLOSED_SHARE = 0.01


# --- orchestration (no Django imported yet) -----------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stations", type=int, default=200_000, help="stations to load (default 200,000)")
    parser.add_argument("--db", choices=("sqlite", "postgres", "postgresql"), default="sqlite")
    parser.add_argument("--queries", type=int, default=300, help="timed requests per kind (default 300)")
    parser.add_argument("--warmup", type=int, default=30, help="untimed requests per kind first (default 30)")
    parser.add_argument(
        "--baseline-queries", type=int, default=40, help="timed full scans (default 40; each reads every station)"
    )
    parser.add_argument("--check", type=int, default=100, help="answers checked per kind (default 100)")
    parser.add_argument("--port", type=int, default=0, help="server port (default: a free one)")
    parser.add_argument("--pg-url", default=PG_SERVER_URL, help="PostgreSQL server, trust auth (default %(default)s)")
    parser.add_argument("--seed", type=int, default=20261207)
    parser.add_argument("--keep", action="store_true", help="keep the database and temp dir afterwards")
    # Internal: the same script, run as the client process.
    parser.add_argument("--client", metavar="PLAN", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.client:
        return client_main(Path(args.client), args.port)
    args.db = "postgres" if args.db == "postgresql" else args.db
    if args.stations < 1000:
        parser.error("--stations must be at least 1000")
    return run(args)


STARTED = time.monotonic()


def progress(message: str) -> None:
    # Elapsed time, not the clock: Django switches the process to TIME_ZONE mid-run.
    print(f"[stations-bench +{time.monotonic() - STARTED:6.1f}s] {message}", file=sys.stderr, flush=True)


def run(args: argparse.Namespace) -> int:
    workdir = Path(tempfile.mkdtemp(prefix="gonghui-bench-stations-"))
    port = args.port or free_port()
    pg_db = f"gonghui_bench_st_{os.getpid()}"
    if args.db == "postgres":
        database_url = f"{args.pg_url.rstrip('/')}/{pg_db}"
        pg_admin(args.pg_url, f'CREATE DATABASE "{pg_db}"')
    else:
        database_url = f"sqlite:///{workdir / 'bench.sqlite3'}"
    # Production settings: keys from the environment (fresh ones per run), DEBUG off.
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
        load_seconds = load(args)
        plan = build_plan(args)
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
        load_after = os.getloadavg()[0]
        progress(f"timing {args.baseline_queries} full scans")
        baseline = time_baseline(plan, args.baseline_queries)
        progress("timing the selector's CPU in-process")
        results["cpu"] = time_in_process(plan)
        progress(f"checking the first {args.check} answers of each kind against a full scan")
        checked, wrong = check_answers(plan, results["answers"], args.check)
        results["checked"] = checked
        results["loadavg"] = (load_before, load_after)
        return report(args, load_seconds, plan, results, baseline, wrong)
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


def metres_to_degrees(lat: float, north_m: float, east_m: float) -> tuple[float, float]:
    d_lat = north_m / 111_320.0
    d_lng = east_m / (111_320.0 * math.cos(math.radians(lat)))
    return d_lat, d_lng


def scatter(rng: random.Random, lat: float, lng: float, sigma_m: float) -> tuple[float, float]:
    d_lat, d_lng = metres_to_degrees(lat, rng.gauss(0, sigma_m), rng.gauss(0, sigma_m))
    return lat + d_lat, lng + d_lng


def load(args: argparse.Namespace) -> float:
    import django

    django.setup()
    from django.db import connection, transaction

    from gonghui.orgs.models import Org, OrgKind
    from gonghui.orgs.services import OrgSpec, org_bulk_create
    from gonghui.stations.coords import wgs84_to_gcj02
    from gonghui.stations.models import BuildMode, PartnerKind, Station

    rng = random.Random(args.seed)
    started = time.perf_counter()
    specs = [OrgSpec(code="BN0000", name="基准全国总工会", kind=OrgKind.PROVINCE_FEDERATION, parent_code=None)]
    specs += [
        OrgSpec(code=f"BC{i:03d}", name=f"{name}市总工会", kind=OrgKind.CITY_FEDERATION, parent_code="BN0000")
        for i, (name, *_rest) in enumerate(CITIES)
    ]
    org_bulk_create(actor=None, specs=specs, action="bench.orgs")
    orgs = {o.code: o for o in Org.all_objects.filter(code__startswith="BC")}
    weights = [c[3] for c in CITIES]
    spreads, sigmas = [s[0] for s in SPREAD], [s[1] for s in SPREAD]
    plans, plan_weights = [h[:3] for h in HOURS], [h[3] for h in HOURS]
    created = 0
    with transaction.atomic():
        batch: list[Any] = []
        for n in range(1, args.stations + 1):
            city = rng.choices(range(len(CITIES)), weights)[0]
            name, c_lat, c_lng, _w = CITIES[city]
            org = orgs[f"BC{city:03d}"]
            lat, lng = wgs84_to_gcj02(*scatter(rng, c_lat, c_lng, rng.choices(sigmas, spreads)[0]))
            cobuilt = rng.random() < 0.4
            facilities = [f for f in FACILITIES if rng.random() < 0.92] + [f for f in OPTIONAL if rng.random() < 0.3]
            weekday, weekend, holiday = rng.choices(plans, plan_weights)[0]

            def times(window: Any) -> tuple[Any, Any]:
                return (clock(*window[0]), clock(*window[1])) if window else (None, None)

            wd, we, ho = times(weekday), times(weekend), times(holiday)
            batch.append(
                Station(
                    code=f"B{n:07d}",
                    name=f"{name}第{n}号户外劳动者服务站",
                    address=f"{name}市示例路{n % 997 + 1}号",
                    org=org,
                    org_path=org.path,
                    lat=lat,
                    lng=lng,
                    build_mode=BuildMode.COBUILT if cobuilt else BuildMode.UNION,
                    partner_kind=PartnerKind.BANK if cobuilt else "",
                    partner_name=f"示例银行{name}支行" if cobuilt else "",
                    facilities=f",{','.join(facilities)}," if facilities else "",
                    manager_name="站长",
                    manager_phone=f"139{rng.randrange(10**8):08d}",
                    weekday_opens=wd[0],
                    weekday_closes=wd[1],
                    weekend_opens=we[0],
                    weekend_closes=we[1],
                    holiday_opens=ho[0],
                    holiday_closes=ho[1],
                    is_closed=rng.random() < CLOSED_SHARE,
                )
            )
            if len(batch) >= BATCH:
                Station.all_objects.bulk_create(batch)
                created += len(batch)
                batch.clear()
                if created % 50_000 == 0:
                    progress(f"stations {created:,}/{args.stations:,}")
        Station.all_objects.bulk_create(batch)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    seconds = time.perf_counter() - started
    progress(f"{args.stations:,} stations in {seconds:.1f} s")
    connection.close()
    return seconds


# --- the plan: the positions each kind asks from -----------------------------------------------


@dataclass
class Kind:
    name: str
    target_ms: float | None
    params: dict[str, str]
    positions: list[tuple[float, float]]  # WGS-84, as a phone sends them


def build_plan(args: argparse.Namespace) -> dict[str, Any]:
    """Riders' positions: mostly in town near stations, some out in the counties around a city."""
    from gonghui.stations.coords import gcj02_to_wgs84
    from gonghui.stations.models import Station

    rng = random.Random(args.seed + 1)
    n = args.queries + args.warmup
    stations = list(Station.all_objects.values_list("lat", "lng"))

    def positions() -> list[tuple[float, float]]:
        out = []
        for _ in range(n):
            lat, lng = gcj02_to_wgs84(*rng.choice(stations))
            out.append(scatter(rng, lat, lng, 1_500.0 if rng.random() < 0.85 else 30_000.0))
        return out

    kinds = [
        Kind("healthz", None, {}, [(0.0, 0.0)] * n),
        Kind("nearest5", TARGET_MS, {"limit": "5"}, positions()),
        Kind("nearest5_open_now", TARGET_MS, {"limit": "5", "open_now": "true"}, positions()),
        Kind("nearest5_facility", TARGET_MS, {"limit": "5", "facility": "母婴室"}, positions()),
    ]
    from django.db import connection

    connection.close()
    return {"warmup": args.warmup, "kinds": [asdict(k) for k in kinds]}


def nearest_path(params: dict[str, str], lat: float, lng: float) -> str:
    return "/api/v1/stations/nearest?" + urlencode({"lat": f"{lat:.6f}", "lng": f"{lng:.6f}", **params})


# --- the client (stdlib only, a second process) ------------------------------------------------


def client_main(plan_path: Path, port: int) -> int:
    plan = json.loads(plan_path.read_text(encoding="utf-8"))
    kinds = [Kind(**k) for k in plan["kinds"]]
    warmup = int(plan["warmup"])
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    latencies: dict[str, list[float]] = {k.name: [] for k in kinds}
    failures: dict[str, list[str]] = {k.name: [] for k in kinds}
    answers: dict[str, list[Any]] = {k.name: [] for k in kinds}
    # Round-robin over the kinds, so a slow patch of the run falls on every kind alike.
    for i in range(max(len(k.positions) for k in kinds)):
        for kind in kinds:
            if i >= len(kind.positions):
                continue
            lat, lng = kind.positions[i]
            path = "/healthz" if kind.name == "healthz" else nearest_path(kind.params, lat, lng)
            began = time.perf_counter()
            try:
                conn.request("GET", path)
                response = conn.getresponse()
                body = response.read()
            except (OSError, http.client.HTTPException) as exc:
                conn.close()
                failures[kind.name].append(f"{path}: {exc!r}")
                answers[kind.name].append(None)
                continue
            elapsed = (time.perf_counter() - began) * 1000
            if response.status != 200:
                failures[kind.name].append(f"{path}: HTTP {response.status} {body[:200]!r}")
                answers[kind.name].append(None)
                continue
            if kind.name != "healthz":
                answers[kind.name].append([(r["code"], r["distance_m"], r["is_open"]) for r in json.loads(body)])
            if i >= warmup:
                latencies[kind.name].append(elapsed)
    json.dump({"latencies": latencies, "failures": failures, "answers": answers}, sys.stdout)
    return 0


# --- the baseline and the check (Django, this process) -----------------------------------------


def full_scan(lat: float, lng: float, limit: int = 5) -> list[Any]:
    """The nearest stations by reading every open one: positions, haversine, sort, then the rows kept."""
    from gonghui.stations.coords import haversine_m, wgs84_to_gcj02
    from gonghui.stations.models import Station

    g_lat, g_lng = wgs84_to_gcj02(lat, lng)
    rows = Station.all_objects.filter(is_closed=False).values_list("pk", "lat", "lng")
    ranked = sorted((haversine_m(g_lat, g_lng, s_lat, s_lng), pk) for pk, s_lat, s_lng in rows.iterator(10_000))
    kept = ranked[:limit]
    by_pk = Station.all_objects.in_bulk([pk for _d, pk in kept])
    return [(by_pk[pk], d) for d, pk in kept]


def time_baseline(plan: dict[str, Any], count: int) -> list[float]:
    import django

    django.setup()
    kind = next(k for k in plan["kinds"] if k["name"] == "nearest5")
    positions = kind["positions"][: count + 3]
    timings = []
    for i, (lat, lng) in enumerate(positions):
        began = time.perf_counter()
        full_scan(lat, lng)
        if i >= 3:  # the first few warm the cache, as the server's warm-up does
            timings.append((time.perf_counter() - began) * 1000)
    return timings


def time_in_process(plan: dict[str, Any]) -> dict[str, list[float]]:
    """CPU time (this process: Python and SQLite; PostgreSQL's own is not in it) of `stations_nearest` per kind.

    A figure that another job on the machine inflates far less than the latency does.
    """
    from gonghui.core.words import match
    from gonghui.stations.coords import wgs84_to_gcj02
    from gonghui.stations.selectors import stations_nearest

    out: dict[str, list[float]] = {}
    for kind in plan["kinds"]:
        if kind["name"] == "healthz":
            continue
        params = kind["params"]
        facility = match("station_facility", params["facility"]) if "facility" in params else ""
        times = []
        for lat, lng in kind["positions"]:
            g_lat, g_lng = wgs84_to_gcj02(lat, lng)
            began = time.process_time()
            stations_nearest(lat=g_lat, lng=g_lng, limit=5, open_now="open_now" in params, facility=facility)
            times.append((time.process_time() - began) * 1000)
        out[kind["name"]] = times[int(plan["warmup"]) :]
    return out


def check_answers(plan: dict[str, Any], answers: dict[str, list[Any]], sample: int) -> tuple[int, list[str]]:
    """The first `sample` answers of each kind against a scan of every station in memory (loaded once).

    Returns how many were checked and what was wrong: the same codes, nearest first.
    """
    import heapq

    from django.utils import timezone

    from gonghui.stations.coords import haversine_m, wgs84_to_gcj02
    from gonghui.stations.models import Station
    from gonghui.stations.selectors import MAX_RADIUS_M, holidays_between

    now = timezone.now()
    today = timezone.localtime(now).date()
    holidays = holidays_between(today.fromordinal(today.toordinal() - 1), today)
    rows = [
        (s.pk, s.code, s.lat, s.lng, ",nursing," in s.facilities, s.is_open_at(now, holidays=holidays))
        for s in Station.all_objects.filter(is_closed=False).iterator(10_000)
    ]
    checked, wrong = 0, []
    for kind in plan["kinds"]:
        if kind["name"] == "healthz":
            continue
        params = kind["params"]
        pool = rows
        if "facility" in params:
            pool = [r for r in pool if r[4]]
        if params.get("open_now") == "true":
            pool = [r for r in pool if r[5]]
        for (lat, lng), got in list(zip(kind["positions"], answers[kind["name"]], strict=True))[:sample]:
            if got is None:
                continue
            checked += 1
            g_lat, g_lng = wgs84_to_gcj02(lat, lng)
            nearest = heapq.nsmallest(5, ((haversine_m(g_lat, g_lng, r[2], r[3]), r[0], r) for r in pool))
            # The search looks no farther than MAX_RADIUS_M: compare what lies within it.
            expected = [(r[1], round(d), r[5]) for d, _pk, r in nearest if d <= MAX_RADIUS_M]
            codes = [g[0] for g in got][: len(expected)]
            distances = [g[1] for g in got][: len(expected)]
            # Two stations at the same rounded distance may come in either order.
            if codes != [e[0] for e in expected] and distances != [e[1] for e in expected]:
                wrong.append(f"{kind['name']} at {lat:.5f},{lng:.5f}: got {got}, expected {expected}")
            elif [g[2] for g in got][: len(expected)] != [e[2] for e in expected] and codes == [e[0] for e in expected]:
                # Opening hours are read at another second: only a window's edge may differ.
                wrong.append(f"{kind['name']} at {lat:.5f},{lng:.5f}: is_open {got} vs {expected}")
    return checked, wrong


# --- the report --------------------------------------------------------------------------------


def report(
    args: argparse.Namespace,
    load_seconds: float,
    plan: dict[str, Any],
    results: dict[str, Any],
    baseline: list[float],
    wrong: list[str],
) -> int:
    latencies: dict[str, list[float]] = results["latencies"]
    failures: dict[str, list[str]] = results["failures"]
    p95 = {name: percentile(ms, 95) for name, ms in latencies.items() if ms}
    base = percentile(baseline, 95)
    print(
        f"Nearest rest stations through the HTTP API: {args.db}, {args.stations:,} stations over {len(CITIES)} "
        f"cities, {args.queries} timed requests per kind (after {args.warmup} untimed)"
    )
    print(f"load {load_seconds:.1f} s ({args.stations / load_seconds:,.0f} stations/s, bulk_create)")
    print(
        f"baseline = p95 of the same nearest-5 by a full scan in-process (no HTTP): {len(baseline)} scans, "
        f"p50 {percentile(baseline, 50):.1f} ms, p95 {base:.1f} ms"
    )
    print(
        f"1-minute load average before/after the timed requests: {results['loadavg'][0]:.2f} / "
        f"{results['loadavg'][1]:.2f} on {os.cpu_count()} CPUs"
    )
    print()
    cpu: dict[str, list[float]] = results["cpu"]
    print(
        f"{'kind':<22}{'p50 ms':>8}{'p95 ms':>8}{'max ms':>8}{'target':>8}{'baseline / p95':>16}"
        f"{'CPU p50':>9}{'CPU p95':>9}"
    )
    missed: list[str] = []
    for kind in plan["kinds"]:
        name, target = kind["name"], kind["target_ms"]
        ms = latencies[name]
        if not ms:
            print(f"{name:<22}{'no successful requests':>40}")
            continue
        ratio = f"{base / p95[name]:.0f}×" if name != "healthz" else "-"
        in_process = (
            f"{percentile(cpu[name], 50):>9.1f}{percentile(cpu[name], 95):>9.1f}"
            if cpu.get(name)
            else f"{'-':>9}{'-':>9}"
        )
        print(
            f"{name:<22}{percentile(ms, 50):>8.1f}{p95[name]:>8.1f}{max(ms):>8.1f}"
            f"{f'≤ {target:.0f}' if target else '-':>8}{ratio:>16}{in_process}"
        )
        if target and p95[name] > target:
            missed.append(f"TARGET MISSED: {name} p95 {p95[name]:.1f} ms > {target:.0f} ms")
    print("CPU = the selector's own CPU time in-process, in ms (Python and SQLite; not PostgreSQL's server)")
    print()
    for name, problems in failures.items():
        if problems:
            print(f"FAILED: {name}: {len(problems)} failed requests, first: {problems[0]}")
    print(f"{results['checked']} answers checked against a full scan of every open station: {len(wrong)} wrong")
    if wrong:
        print(f"WRONG: {len(wrong)} answers differ from a full scan, first: {wrong[0]}")
    for line in missed:
        print(line)
    if not missed:
        print("all targets met")
    summary = {
        "stations": args.stations,
        "p95_ms": round(p95.get("nearest5", 0.0), 2),
        "baseline_p95_ms": round(base, 2),
        "db": args.db,
        "ratio": round(base / p95["nearest5"], 1) if p95.get("nearest5") else None,
        "p95_open_now_ms": round(p95.get("nearest5_open_now", 0.0), 2),
        "p95_facility_ms": round(p95.get("nearest5_facility", 0.0), 2),
        "healthz_p95_ms": round(p95.get("healthz", 0.0), 2),
        "cpu_p95_ms": round(percentile(cpu["nearest5"], 95), 2) if cpu.get("nearest5") else None,
        "wrong": len(wrong),
        "load_seconds": round(load_seconds, 1),
    }
    print(json.dumps(summary, ensure_ascii=False))
    return 1 if wrong or any(failures.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
