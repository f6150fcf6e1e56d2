"""Member import at scale through `gonghui import members` (DESIGN §5 "Import").

    .venv/bin/python bench/import_members.py [--rows 1000000] [--db sqlite|postgresql]
                                             [--iexport-rows 20000] [--unions 1000] [--keep]

Generates `--rows` synthetic member rows (seeded: names, valid GB 11643 ID numbers,
mobiles, code-table labels, unions, join dates) as a CSV (UTF-8 with BOM) and an
XLSX (openpyxl write-only), untimed. Builds a fresh database (a temp SQLite file,
or `gonghui_bench_import_*` on the local PostgreSQL), migrates it with
`gonghui migrate` and creates a province with `org_bulk_create`; every timed step
starts from a copy of it. Then it times, in one run:

- our import of the CSV and of the XLSX: the real CLI `gonghui import members FILE`
  as a child process, wall clock, with the child's peak RSS (`wait4`);
- the re-import of the same CSV, which must change nothing;
- the baseline: the person and membership rows our import wrote, read back untimed
  and written raw into copies of their tables (same columns and indexes), with
  `COPY … FROM STDIN` on PostgreSQL and the sqlite3 module's `executemany` on SQLite;
- django-import-export on the same model and file (its first `--iexport-rows` rows),
  with hooks doing the same validation, encryption, blind index and pinyin keys
  through the project's own functions.

It prints a table with the ratios against DESIGN §5's targets; the last stdout line
is one JSON object. Exit status 0 when the run completed, targets met or not
(missed ones print `TARGET MISSED`); 1 when an import did not do the work.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import re
import resource
import secrets
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
PG_SERVER_URL = "postgres://postgres@127.0.0.1:5432"
PG_PREFIX = "gonghui_bench_import"
SETTINGS = "gonghui.settings.production"

# DESIGN §5 targets.
COPY_TARGET = 0.5  # our rate ≥ 50% of the raw COPY's (PostgreSQL)
IEXPORT_TARGET = 50.0  # ≥ 50× django-import-export's rate
REIMPORT_TARGET = 2.0  # the no-op re-import ≥ 2× the first import's rate
MEMORY_TARGET_MB = 1024.0  # peak ≤ 1 GiB
SQLITE_RATE_TARGET = 50_000.0  # rows/s on SQLite

CHUNK = 50_000  # baseline rows read back and written per batch
SQLITE_BASELINE_CACHE_KB = 256 * 1024  # the baseline's page cache on SQLite
CITIES = 10
COUNTIES_PER_CITY = 10

HEADERS = (
    "姓名",
    "公民身份号码",
    "手机号码",
    "民族",
    "学历",
    "政治面貌",
    "户籍类型",
    "是否农民工",
    "就业状况",
    "新就业形态类别",
    "工作单位",
    "所属工会代码",
    "入会日期",
)

# Approximate shares of the commonest surnames (per cent), as in bench/search.py.
SURNAMES = (
    "王7.1 李7.0 张6.7 刘5.4 陈4.5 杨3.1 黄2.2 赵2.2 吴2.0 周1.9 徐1.3 孙1.2 马1.2 朱1.1 胡1.0 郭1.0 何0.9 "
    "高0.9 林0.9 罗0.9 郑0.8 梁0.8 谢0.6 宋0.6 唐0.5 许0.5 韩0.5 冯0.5 邓0.5 曹0.5 彭0.4 曾0.4 肖0.4 田0.4 "
    "董0.4 袁0.4 潘0.3 于0.3 蒋0.3 蔡0.3 余0.3 杜0.3 叶0.3 程0.3 苏0.3 魏0.3 吕0.3 丁0.3 任0.3 沈0.3"
)
GIVEN_CHARS = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红建文辉力小国海云飞金春晓志"
    "宇浩然子涵欣怡俊杨梓轩博雨佳琪嘉思晨"
)
# "code:label:weight" from the shipped code tables (gonghui/members/codes.py); a cell
# holds the label, or one time in ten the code, as officers fill them in.
ETHNICITY = "01:汉族:91 06:苗族:3 09:布依族:2 12:侗族:1.5 15:土家族:1 07:彝族:0.5 03:回族:0.5 14:白族:0.5"
EDUCATION = "10:研究生:3 20:大学本科:22 30:大学专科:25 40:中等职业教育:15 60:普通高中:15 70:初中:17 80:小学:3"
POLITICAL = "13:群众:70 01:中共党员:15 03:共青团员:12 02:中共预备党员:1 12:无党派人士:2"
HUKOU = "1:农业户口:40 2:非农业户口:30 3:居民户口:30"
EMPLOYMENT = "10:在岗:95 40:退休:3 90:其他:2"
NEW_EMPLOYMENT = (
    "02:快递员:3 06:网约送餐员:3 10:外卖配送员:3 09:网约车司机:3 "
    "01:货车司机:3 04:家政服务员:2 08:保安员:2 03:护工护理员:1"
)


# --- orchestration (no Django in this process) ---------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="member rows in the file (default 1,000,000)")
    parser.add_argument("--db", choices=("sqlite", "postgresql", "postgres"), default="sqlite")
    parser.add_argument("--iexport-rows", type=int, default=20_000, help="rows for django-import-export (20,000)")
    parser.add_argument("--unions", type=int, default=1000, help="grassroots unions (default 1,000)")
    parser.add_argument("--pg-url", default=PG_SERVER_URL, help="PostgreSQL server, trust auth (default %(default)s)")
    parser.add_argument("--seed", type=int, default=20260401)
    parser.add_argument("--keep", action="store_true", help="keep the files and databases afterwards")
    # Internal: the same script as a Django child process.
    parser.add_argument("--child", choices=("setup", "iexport"), help=argparse.SUPPRESS)
    parser.add_argument("--file", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.db == "postgres":
        args.db = "postgresql"
    if args.child == "setup":
        print(json.dumps(child_setup(args.unions)))
        return 0
    if args.child == "iexport":
        print(json.dumps(child_iexport(Path(args.file), args.rows)))
        return 0
    if args.rows < 1000:
        parser.error("--rows must be at least 1000")
    if args.unions < 1:
        parser.error("--unions must be at least 1")
    args.iexport_rows = max(1, min(args.iexport_rows, args.rows))
    try:
        return run(args)
    except BenchFailure as exc:
        print(f"FAILED: {exc}", flush=True)
        return 1


STARTED = time.monotonic()


def progress(message: str) -> None:
    print(f"[import-bench +{time.monotonic() - STARTED:7.1f}s] {message}", file=sys.stderr, flush=True)


class BenchFailure(RuntimeError):
    """An import did not do the work: the figures would mean nothing."""


@dataclass
class Timed:
    seconds: float
    rows: int
    peak_mb: float | None = None
    summary: dict[str, Any] = field(default_factory=dict)

    @property
    def rate(self) -> float:
        return self.rows / self.seconds if self.seconds > 0 else 0.0


class Databases:
    """A template database (migrated, with the org tree) and per-step copies of it."""

    def __init__(self, db: str, workdir: Path, pg_url: str) -> None:
        self.db = db
        self.workdir = workdir
        self.pg_url = pg_url.rstrip("/")
        self.made: list[str] = []

    def name(self, step: str) -> str:
        return f"{PG_PREFIX}_{step}"

    def url(self, step: str) -> str:
        if self.db == "postgresql":
            return f"{self.pg_url}/{self.name(step)}"
        return f"sqlite:///{self.path(step)}"

    def path(self, step: str) -> Path:
        return self.workdir / f"{step}.sqlite3"

    def create_template(self) -> str:
        if self.db == "postgresql":
            self._admin(f'DROP DATABASE IF EXISTS "{self.name("template")}" WITH (FORCE)')
            self._admin(f'CREATE DATABASE "{self.name("template")}"')
        self.made.append("template")
        return self.url("template")

    def clone(self, step: str) -> str:
        """A fresh copy of the template: the same schema, code tables and org tree."""
        if self.db == "postgresql":
            self._admin(f'DROP DATABASE IF EXISTS "{self.name(step)}" WITH (FORCE)')
            self._admin(f'CREATE DATABASE "{self.name(step)}" TEMPLATE "{self.name("template")}"')
        else:
            # The setup child checkpointed and closed the template: the file is all of it.
            shutil.copyfile(self.path("template"), self.path(step))
        self.made.append(step)
        return self.url(step)

    def drop(self, step: str) -> None:
        if self.db == "postgresql":
            self._admin(f'DROP DATABASE IF EXISTS "{self.name(step)}" WITH (FORCE)')
        else:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{self.path(step)}{suffix}").unlink(missing_ok=True)
        if step in self.made:
            self.made.remove(step)

    def drop_all(self) -> None:
        for step in list(self.made):
            self.drop(step)

    def _admin(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(f"{self.pg_url}/postgres", autocommit=True) as conn:
            conn.execute(sql.encode())


def run(args: argparse.Namespace) -> int:
    workdir = Path(tempfile.mkdtemp(prefix="gonghui-bench-import-"))
    dbs = Databases(args.db, workdir, args.pg_url)
    # Production settings, fresh keys per run from the environment (as bench/search.py).
    base_env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": SETTINGS,
        "GONGHUI_DATA_DIR": str(workdir / "data"),
        "GONGHUI_SECRET_KEY": secrets.token_urlsafe(48),
        "GONGHUI_FIELD_KEY": secrets.token_urlsafe(48),
        "GONGHUI_INDEX_KEY": secrets.token_urlsafe(48),
        "GONGHUI_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "PYTHONUNBUFFERED": "1",
    }
    load_before = os.getloadavg()[0]
    try:
        files = generate(args, workdir)
        progress(
            f"generated {args.rows:,} rows in {files.seconds:.1f} s: CSV {mb(files.csv):,.0f} MB, "
            f"XLSX {mb(files.xlsx):,.0f} MB"
        )

        env = {**base_env, "DATABASE_URL": dbs.create_template()}
        progress(f"{args.db}: migrating the template database")
        migrate = [*gonghui_cli(), "migrate", "--noinput", "--verbosity", "0"]
        subprocess.run(migrate, check=True, env=env, stdout=sys.stderr)
        orgs = child_json([__file__, "--child", "setup", "--unions", str(args.unions)], env)["orgs"]
        progress(f"{orgs:,} orgs created with org_bulk_create")

        env = {**base_env, "DATABASE_URL": dbs.clone("csv")}
        # The CLI's fixed cost (interpreter, Django, settings, connection), so small runs can be read.
        try:
            startup: Timed | None = import_cli(files.header_only, env, 0, "created")
        except BenchFailure as exc:  # only an aid to reading small runs: go on without it
            progress(f"no start-up figure: {exc}")
            startup = None
        csv_run = import_cli(files.csv, env, args.rows, "created")
        progress(f"CSV import: {csv_run.rate:,.0f} rows/s, peak {csv_run.peak_mb:,.0f} MB")
        reimport = import_cli(files.csv, env, args.rows, "unchanged")
        progress(f"CSV re-import: {reimport.rate:,.0f} rows/s, peak {reimport.peak_mb:,.0f} MB")
        baseline = copy_baseline(args, dbs, workdir)
        progress(f"baseline: {baseline.rate:,.0f} rows/s")
        if not args.keep:
            dbs.drop("csv")

        env = {**base_env, "DATABASE_URL": dbs.clone("xlsx")}
        xlsx_run = import_cli(files.xlsx, env, args.rows, "created")
        progress(f"XLSX import: {xlsx_run.rate:,.0f} rows/s, peak {xlsx_run.peak_mb:,.0f} MB")
        if not args.keep:
            dbs.drop("xlsx")

        env = {**base_env, "DATABASE_URL": dbs.clone("iexport")}
        progress(f"django-import-export on the first {args.iexport_rows:,} rows")
        iexport = iexport_run(files.iexport_csv, env, args.iexport_rows)
        progress(f"django-import-export: {iexport.rate:,.0f} rows/s")
        if not args.keep:
            dbs.drop("iexport")

        loadavg = (load_before, os.getloadavg()[0])
        results = Results(files, orgs, startup, csv_run, xlsx_run, reimport, baseline, iexport, loadavg)
        return report(args, results)
    finally:
        if args.keep:
            progress(f"kept {workdir} and databases {', '.join(dbs.url(s) for s in dbs.made)}")
        else:
            dbs.drop_all()
            shutil.rmtree(workdir, ignore_errors=True)


def gonghui_cli() -> list[str]:
    """The console script `make setup` installs next to this interpreter, as users run it."""
    script = Path(sys.executable).with_name("gonghui")
    return [str(script)] if script.exists() else [sys.executable, "-m", "gonghui"]


def mb(path: Path) -> float:
    return path.stat().st_size / 2**20


def run_child(command: list[str], env: dict[str, str]) -> tuple[float, float, str]:
    """Run a child to completion: (wall seconds, its peak RSS in MiB, its stdout). Raises on failure."""
    with tempfile.TemporaryFile() as out:
        started = time.perf_counter()
        child = subprocess.Popen(command, env=env, stdout=out, cwd=REPO)
        # wait4 gives this child's own rusage; ru_maxrss is in KiB on Linux.
        _pid, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - started
        child.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        stdout = out.read().decode("utf-8", errors="replace")
    if child.returncode != 0:
        raise BenchFailure(f"{' '.join(command[:4])} … exited {child.returncode}: {stdout[-2000:]}")
    return seconds, usage.ru_maxrss / 1024, stdout


def child_json(command: list[str], env: dict[str, str]) -> dict[str, Any]:
    _seconds, _peak, stdout = run_child([sys.executable, *command], env)
    return last_json(stdout)


def last_json(stdout: str) -> dict[str, Any]:
    lines = [line for line in stdout.splitlines() if line.strip()]
    if not lines:
        raise BenchFailure("the child printed nothing on stdout")
    data: dict[str, Any] = json.loads(lines[-1])
    return data


def import_cli(path: Path, env: dict[str, str], rows: int, outcome: str) -> Timed:
    """`gonghui import members FILE`, timed; every row must come out as `outcome`."""
    progress(f"gonghui import members {path.name} (expecting {rows:,} {outcome})")
    seconds, peak, stdout = run_child([*gonghui_cli(), "import", "members", str(path)], env)
    summary = last_json(stdout)
    expected = {"rows": rows, outcome: rows, "rejected": 0}
    wrong = {k: summary.get(k) for k, v in expected.items() if summary.get(k) != v}
    if wrong:
        raise BenchFailure(f"import of {path.name} did not do the work: expected {expected}, got {summary}")
    return Timed(seconds, rows, peak, summary)


# --- generating the files (untimed) --------------------------------------------------------------


@dataclass
class Files:
    csv: Path
    xlsx: Path
    iexport_csv: Path
    header_only: Path
    seconds: float


class Picker:
    """Weighted draws of (code, label); the cell is the label, or the code one time in ten."""

    def __init__(self, rng: random.Random, table: str) -> None:
        self.rng = rng
        entries = [entry.split(":") for entry in table.split()]
        self.items = [(code, label) for code, label, _weight in entries]
        total = 0.0
        self.cum: list[float] = []
        for _code, _label, weight in entries:
            total += float(weight)
            self.cum.append(total)

    def cell(self) -> str:
        code, label = self.rng.choices(self.items, cum_weights=self.cum)[0]
        return code if self.rng.random() < 0.1 else label


def union_codes(unions: int) -> list[str]:
    return [f"BU{u + 1:06d}" for u in range(unions)]


def employer_name(code: str) -> str:
    return f"基准第{int(code[2:])}有限责任公司"


def generate(args: argparse.Namespace, workdir: Path) -> Files:
    """The same rows as CSV (UTF-8 with BOM) and XLSX (openpyxl write-only); a prefix for django-import-export.

    `args.xlsx` False (bench/donations.py, which times the CSV only) leaves the workbook out.
    """
    from openpyxl import Workbook
    from stdnum.cn import ric

    from gonghui.core.regions import region_children  # the GB/T 2260 table only, no Django

    started = time.perf_counter()
    rng = random.Random(args.seed)
    areas = [c.code for city in region_children("520000") for c in region_children(city.code)] or ["520102"]
    surnames = [(s[0], float(s[1:])) for s in SURNAMES.split()]
    surname_pool, surname_weights = [s for s, _ in surnames], [w for _, w in surnames]
    pickers = {
        "民族": Picker(rng, ETHNICITY),
        "学历": Picker(rng, EDUCATION),
        "政治面貌": Picker(rng, POLITICAL),
        "户籍类型": Picker(rng, HUKOU),
        "就业状况": Picker(rng, EMPLOYMENT),
    }
    new_employment = Picker(rng, NEW_EMPLOYMENT)
    unions = union_codes(args.unions)
    born_from, born_days = date(1962, 1, 1).toordinal(), (date(2006, 12, 31) - date(1962, 1, 1)).days
    last_join = min(date(2025, 6, 30), date.today()).toordinal()
    seen: set[str] = set()
    with_xlsx = getattr(args, "xlsx", True)

    paths = Files(
        workdir / "members.csv",
        workdir / "members.xlsx",
        workdir / "members-iexport.csv",
        workdir / "members-header-only.csv",
        0.0,
    )
    with paths.header_only.open("w", encoding="utf-8-sig", newline="") as header_file:
        csv.writer(header_file).writerow(HEADERS)
    workbook = Workbook(write_only=True)
    if with_xlsx:
        sheet = workbook.create_sheet("会员名册")
        sheet.append(list(HEADERS))
    with (
        paths.csv.open("w", encoding="utf-8-sig", newline="") as csv_file,
        paths.iexport_csv.open("w", encoding="utf-8-sig", newline="") as prefix_file,
    ):
        writer, prefix = csv.writer(csv_file), csv.writer(prefix_file)
        writer.writerow(HEADERS)
        prefix.writerow(HEADERS)
        for i in range(args.rows):
            while True:
                birth = date.fromordinal(born_from + rng.randrange(born_days))
                first17 = f"{rng.choice(areas)}{birth:%Y%m%d}{rng.randrange(1000):03d}"
                if first17 not in seen:
                    seen.add(first17)
                    break
            # stdnum computes over the first 17 characters of a full-length number.
            number = first17 + ric.calc_check_digit(first17 + "0")
            given = rng.choice(GIVEN_CHARS) + (rng.choice(GIVEN_CHARS) if rng.random() < 0.8 else "")
            name = rng.choices(surname_pool, surname_weights)[0] + given
            hukou = pickers["户籍类型"].cell()
            migrant = hukou in ("1", "农业户口") and rng.random() < 0.4
            union = unions[rng.randrange(len(unions))]
            # Joined at 18 at the earliest, from 2000 on, written the ways officers write dates.
            first_join = max(date(2000, 1, 1).toordinal(), (birth + timedelta(days=18 * 366)).toordinal())
            joined = date.fromordinal(first_join + rng.randrange(max(1, last_join - first_join)))
            form = rng.random()
            joined_text = (
                joined.isoformat()
                if form < 0.7
                else f"{joined.year}/{joined.month}/{joined.day}"
                if form < 0.9
                else f"{joined.year}年{joined.month}月{joined.day}日"
            )
            row = [
                name,
                number,
                f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}",
                pickers["民族"].cell(),
                pickers["学历"].cell(),
                pickers["政治面貌"].cell(),
                hukou,
                "是" if migrant else "否",
                pickers["就业状况"].cell(),
                new_employment.cell() if rng.random() < 0.2 else "",
                employer_name(union),
                union,
                joined_text,
            ]
            writer.writerow(row)
            if with_xlsx:
                sheet.append(row)
            if i < args.iexport_rows:
                prefix.writerow(row)
            if (i + 1) % 200_000 == 0:
                progress(f"generated {i + 1:,}/{args.rows:,} rows")
    if with_xlsx:
        progress("saving the XLSX")
        workbook.save(paths.xlsx)
    paths.seconds = time.perf_counter() - started
    return paths


# --- the baseline: a raw write of the same rows into copies of the tables --------------------------

# The tables our import fills per member row (MembershipEvent and the tallies are left
# out, so the baseline writes less than the import does).
BASELINE_TABLES = (("members_person", "bench_copy_person"), ("members_membership", "bench_copy_membership"))


@dataclass
class Baseline(Timed):
    how: str = ""


def copy_baseline(args: argparse.Namespace, dbs: Databases, workdir: Path) -> Baseline:
    if args.db == "postgresql":
        return copy_baseline_pg(dbs.url("csv"), workdir, args.rows, keep=args.keep)
    return copy_baseline_sqlite(dbs.path("csv"), args.rows, keep=args.keep)


def copy_baseline_pg(url: str, workdir: Path, rows: int, *, keep: bool) -> Baseline:
    """COPY FROM STDIN of the imported rows, dumped untimed in COPY's text form, into LIKE … INCLUDING ALL copies."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        dumps: list[tuple[str, Path]] = []
        for source, copy in BASELINE_TABLES:
            dump = workdir / f"{copy}.copy"
            dump_sql = f"COPY (SELECT * FROM {source} ORDER BY id) TO STDOUT".encode()
            with conn.cursor() as cur, cur.copy(dump_sql) as cp, dump.open("wb") as out:
                for data in cp:
                    out.write(data)
            conn.execute(f"DROP TABLE IF EXISTS {copy}".encode())
            # Same columns, defaults, constraints and indexes (incl. the partial unique one); no foreign keys.
            conn.execute(f"CREATE TABLE {copy} (LIKE {source} INCLUDING ALL)".encode())
            dumps.append((copy, dump))
        # Start clean: the import's dirty pages are not the baseline's to write.
        conn.execute(b"CHECKPOINT")
        started = time.perf_counter()
        with conn.transaction():
            for copy, dump in dumps:
                with conn.cursor() as cur, cur.copy(f"COPY {copy} FROM STDIN".encode()) as cp, dump.open("rb") as f:
                    while chunk := f.read(1 << 20):
                        cp.write(chunk)
        seconds = time.perf_counter() - started
        for copy, dump in dumps:
            count = conn.execute(f"SELECT count(*) FROM {copy}".encode()).fetchone()
            if count is None or count[0] != rows:
                raise BenchFailure(f"baseline wrote {count} rows into {copy}, expected {rows}")
            dump.unlink()
            if not keep:
                conn.execute(f"DROP TABLE {copy}".encode())
    how = (
        "PostgreSQL COPY FROM STDIN (psycopg, text format, one transaction) of the person and membership rows "
        "our import wrote, dumped untimed, into CREATE TABLE … (LIKE … INCLUDING ALL) copies: same columns "
        "and indexes, no foreign keys"
    )
    return Baseline(seconds, rows, how=how)


def copy_baseline_sqlite(path: Path, rows: int, *, keep: bool) -> Baseline:
    """executemany (sqlite3 module) of the imported rows, read back untimed, into copies of the tables."""
    # The project's pragmas (WAL is kept in the file); foreign keys off, as the copies have none that count.
    writer = sqlite3.connect(path, isolation_level=None)
    writer.execute("PRAGMA synchronous = NORMAL")
    # With SQLite's default 2 MB page cache, random inserts into the blind-index and name
    # indexes read pages back from the OS all the time: the limit would be the cache, not the database.
    writer.execute(f"PRAGMA cache_size = -{SQLITE_BASELINE_CACHE_KB}")
    writer.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    # A second connection reads the source rows, so the writer's page cache holds only its own tables.
    reader = sqlite3.connect(path)
    seconds = 0.0
    try:
        for source, copy in BASELINE_TABLES:
            writer.execute(f'DROP TABLE IF EXISTS "{copy}"')
            for (sql,) in writer.execute(
                "SELECT sql FROM sqlite_master WHERE tbl_name = ? AND sql IS NOT NULL ORDER BY type DESC", (source,)
            ).fetchall():
                if sql.startswith("CREATE TABLE"):
                    sql = sql.replace(f'CREATE TABLE "{source}"', f'CREATE TABLE "{copy}"', 1)
                else:
                    # Index names are global in SQLite; some are written unquoted.
                    sql = re.sub(r'INDEX "?(\w+)"? ON "?\w+"?', f'INDEX "bench_\\1" ON "{copy}"', sql)
                writer.execute(sql)
        started = time.perf_counter()
        writer.execute("BEGIN IMMEDIATE")
        seconds += time.perf_counter() - started
        for source, copy in BASELINE_TABLES:
            columns = [r[1] for r in writer.execute(f'PRAGMA table_info("{source}")')]
            insert = f'INSERT INTO "{copy}" VALUES ({", ".join("?" * len(columns))})'
            last = 0
            while True:
                batch = reader.execute(
                    f'SELECT * FROM "{source}" WHERE id > ? ORDER BY id LIMIT {CHUNK}', (last,)
                ).fetchall()
                if not batch:
                    break
                last = batch[-1][0]
                started = time.perf_counter()
                writer.executemany(insert, batch)
                seconds += time.perf_counter() - started
        started = time.perf_counter()
        writer.execute("COMMIT")
        seconds += time.perf_counter() - started
        for _source, copy in BASELINE_TABLES:
            (count,) = writer.execute(f'SELECT count(*) FROM "{copy}"').fetchone()
            if count != rows:
                raise BenchFailure(f"baseline wrote {count} rows into {copy}, expected {rows}")
            if not keep:
                writer.execute(f'DROP TABLE "{copy}"')
    finally:
        reader.close()
        writer.close()
    how = (
        "SQLite executemany (sqlite3 module, prepared tuples, one transaction, 256 MiB page cache) of the person "
        "and membership rows our import wrote, read back untimed, into copies of the tables: same columns and "
        "indexes, no foreign keys"
    )
    return Baseline(seconds, rows, how=how)


# --- Django child processes ----------------------------------------------------------------------


def child_setup(unions: int) -> dict[str, Any]:
    """A province: 1 federation, 10 cities, 100 counties and `unions` grassroots unions, through the service."""
    import django

    django.setup()
    from django.db import connection

    from gonghui.orgs.models import OrgKind
    from gonghui.orgs.services import OrgSpec, org_bulk_create

    specs = [OrgSpec(code="BP0000", name="基准省总工会", kind=OrgKind.PROVINCE_FEDERATION, parent_code=None)]
    counties: list[str] = []
    for c in range(1, CITIES + 1):
        city = f"BC{c:02d}"
        specs.append(OrgSpec(code=city, name=f"基准第{c}市总工会", kind=OrgKind.CITY_FEDERATION, parent_code="BP0000"))
        for k in range(1, COUNTIES_PER_CITY + 1):
            county = f"BX{c:02d}{k:02d}"
            name = f"基准第{c}市第{k}县总工会"
            specs.append(OrgSpec(code=county, name=name, kind=OrgKind.COUNTY_FEDERATION, parent_code=city))
            counties.append(county)
    for u, code in enumerate(union_codes(unions)):
        name = f"{employer_name(code)}工会"
        specs.append(OrgSpec(code=code, name=name, kind=OrgKind.GRASSROOTS, parent_code=counties[u % len(counties)]))
    created = org_bulk_create(actor=None, specs=specs, action="bench.orgs")
    if connection.vendor == "sqlite":
        # The template is copied as a file: nothing may stay in the WAL.
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()
    return {"orgs": created}


def iexport_run(path: Path, env: dict[str, str], rows: int) -> Timed:
    command = [sys.executable, __file__, "--child", "iexport", "--file", str(path), "--rows", str(rows)]
    _wall, peak, stdout = run_child(command, env)
    result = last_json(stdout)
    if result.get("new") != rows or result.get("persons") != rows or result.get("memberships") != rows:
        raise BenchFailure(f"django-import-export did not import {rows:,} members: {result}")
    return Timed(float(result["seconds"]), rows, peak, result)


def child_iexport(path: Path, rows: int) -> dict[str, Any]:
    """django-import-export's ModelResource for Person, doing our import's work in its hooks.

    Its default row-by-row workflow (an instance lookup by the blind index, a diff,
    `save()` in a savepoint per row), in one transaction (`use_transactions=True`).
    `before_import_row` cleans the row with the project's own functions: ID number
    (check digit, birth date, sex), blind index, ciphertext, masked form, code
    tables, mobile, name and pinyin keys, join date, union. `after_save_instance`
    gives the new person a member number, a live membership and its join event, as
    our import does; `after_import` rebuilds the tallies.
    """
    import django

    django.setup()
    from django.core.exceptions import ValidationError
    from django.db.models import Model
    from django.utils import timezone
    from import_export import resources
    from import_export.fields import Field
    from import_export.formats.base_formats import CSV
    from import_export.widgets import Widget

    from gonghui.core.bulk import CellError, cell_text, parse_date
    from gonghui.core.scoping import unscoped
    from gonghui.members.bulk import COLUMNS, PERSON_KEYS
    from gonghui.members.models import EventType, Membership, MembershipEvent, MembershipStatus, Person
    from gonghui.members.services import tally_rebuild
    from gonghui.members.validation import FieldError, clean_person, name_keys, parse_identity
    from gonghui.orgs.models import Org

    by_header = {c.header: c.key for c in COLUMNS}
    derived = ("id_type", "id_index", "id_cipher", "id_masked", "gender", "birth_date", "name_pinyin",
               "name_initials", "joined_on")  # fmt: skip

    class BytesWidget(Widget):
        def render(self, value: Any, obj: Any = None, **kwargs: Any) -> str:
            return bytes(value).hex() if value is not None else ""

    class PersonResource(resources.ModelResource):
        class Meta:
            model = Person
            import_id_fields = ("id_index",)
            fields = (*PERSON_KEYS, *derived)

        # The ciphertext is bytes: kept as bytes on import, shown as hex in the diff.
        id_cipher = Field(attribute="id_cipher", column_name="id_cipher", widget=BytesWidget())

        def before_import(self, dataset: Any, **kwargs: Any) -> None:
            self.orgs = {o.code: o for o in Org.all_objects.filter(closed_on__isnull=True)}
            self.new: dict[int, bool] = {}
            self.org_of: dict[int, Org] = {}
            # The cleaned values go into English columns, which the fields read.
            for name in (*PERSON_KEYS, *derived):
                if name not in dataset.headers:
                    dataset.append_col([""] * dataset.height, header=name)

        def before_import_row(self, row: dict[str, Any], **kwargs: Any) -> None:
            raw = {by_header[h]: v for h, v in row.items() if h in by_header}
            errors: dict[str, str] = {}
            try:
                identity = parse_identity(cell_text(raw.get("id_number")))
            except (FieldError, CellError) as exc:
                raise ValidationError({"id_number": str(exc)}) from exc
            given = {k: cell_text(raw.get(k)) for k in PERSON_KEYS if k in raw}
            values, errors = clean_person({k: v for k, v in given.items() if v != ""})
            try:
                joined = parse_date(raw.get("joined_on"))
            except CellError as exc:
                errors["joined_on"] = str(exc)
            org = self.orgs.get(cell_text(raw.get("org_code")).upper())
            if org is None:
                errors["org_code"] = "未找到工会代码"
            if errors or org is None:
                raise ValidationError(errors)
            row.update(values)
            row["name_pinyin"], row["name_initials"] = name_keys(values["name"])
            row.update(
                id_type=identity.id_type,
                id_index=identity.index,
                id_cipher=identity.cipher(),
                id_masked=identity.masked,
                gender=identity.gender,
                birth_date=identity.birth_date,
                joined_on=joined,
            )
            self.org_of[kwargs["row_number"]] = org

        def after_init_instance(self, instance: Model, new: bool, row: dict[str, Any], **kwargs: Any) -> None:
            self.new[kwargs["row_number"]] = new

        def after_save_instance(self, instance: Person, row: dict[str, Any], **kwargs: Any) -> None:
            number = kwargs["row_number"]
            if kwargs.get("dry_run") or not self.new.get(number):
                return
            instance.member_no = f"{instance.pk:010d}"
            instance.save(update_fields=["member_no"])
            org = self.org_of[number]
            started = instance.joined_on or timezone.localdate()
            membership = Membership.all_objects.create(
                person=instance, org=org, org_path=org.path, status=MembershipStatus.ACTIVE, started_on=started
            )
            MembershipEvent.all_objects.create(
                membership=membership, org_path=org.path, event_type=EventType.JOIN, reason="批量导入", on=started
            )

        def after_import(self, dataset: Any, result: Any, **kwargs: Any) -> None:
            tally_rebuild()

    with unscoped():
        started = time.perf_counter()
        # As the admin's import view does: the file's text into a tablib Dataset, then import_data.
        dataset = CSV().create_dataset(path.read_text(encoding="utf-8-sig"))
        result = PersonResource().import_data(dataset, dry_run=False, raise_errors=True, use_transactions=True)
        seconds = time.perf_counter() - started
        persons = Person.objects.count()
        memberships = Membership.all_objects.filter(status=MembershipStatus.ACTIVE).count()
    return {
        "seconds": seconds,
        "rows": len(dataset),
        "new": result.totals.get("new", 0),
        "invalid": len(result.invalid_rows),
        "persons": persons,
        "memberships": memberships,
        "maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


# --- the report ----------------------------------------------------------------------------------


@dataclass
class Results:
    files: Files
    orgs: int
    startup: Timed | None
    csv: Timed
    xlsx: Timed
    reimport: Timed
    baseline: Baseline
    iexport: Timed
    loadavg: tuple[float, float]


def report(args: argparse.Namespace, r: Results) -> int:
    peak = max(t.peak_mb or 0.0 for t in (r.csv, r.xlsx, r.reimport))
    copy_csv = r.csv.rate / r.baseline.rate
    iexport_ratio = r.csv.rate / r.iexport.rate
    reimport_ratio = r.reimport.rate / r.csv.rate
    pg = args.db == "postgresql"
    print(
        f"Member import: {args.db}, {args.rows:,} rows, {r.orgs:,} orgs ({args.unions:,} grassroots unions); "
        f"files generated in {r.files.seconds:.1f} s (untimed): CSV {mb(r.files.csv):,.0f} MB, "
        f"XLSX {mb(r.files.xlsx):,.0f} MB"
    )
    print("ours = `gonghui import members FILE` (production settings) as a child process, wall clock incl. start-up;")
    print("       peak MB = the child's peak RSS (wait4 ru_maxrss)")
    print(f"baseline = {r.baseline.how}")
    print(
        f"django-import-export = ModelResource on Person (default row-by-row workflow, one transaction) with the "
        f"project's cleaning in its hooks, on the first {args.iexport_rows:,} rows of the same CSV"
    )
    print(f"1-minute load average before/after: {r.loadavg[0]:.2f} / {r.loadavg[1]:.2f} on {os.cpu_count()} CPUs")
    print()
    # "net rows/s" leaves out the CLI's start-up, which weighs only in small runs; the ratios use rows/s.
    print(f"{'step':<36}{'rows':>11}{'seconds':>10}{'rows/s':>11}{'net rows/s':>12}{'peak MB':>9}")
    if r.startup is not None:
        print(f"{'CLI start-up (a header-only file)':<36}{0:>11}{r.startup.seconds:>10.2f}{'-':>11}{'-':>12}", end="")
        print(f"{r.startup.peak_mb or 0:>9,.0f}")
    for label, t, cli in (
        ("our import, CSV", r.csv, True),
        ("our import, XLSX", r.xlsx, True),
        ("re-import of the CSV (no-op)", r.reimport, True),
        ("baseline (COPY)" if pg else "baseline (executemany)", r.baseline, False),
        ("django-import-export, CSV", r.iexport, False),
    ):
        peak_text = f"{t.peak_mb:,.0f}" if t.peak_mb is not None else "-"
        net = "-"
        if cli and r.startup is not None and t.seconds - r.startup.seconds >= 0.5:
            net = f"{t.rows / (t.seconds - r.startup.seconds):,.0f}"
        print(f"{label:<36}{t.rows:>11,}{t.seconds:>10.1f}{t.rate:>11,.0f}{net:>12}{peak_text:>9}")
    print()
    # (what, measured, target, met, whether DESIGN sets it for this database)
    checks: list[tuple[str, str, str, bool, bool]] = []
    for fmt, rate in (("CSV", r.csv.rate), ("XLSX", r.xlsx.rate)):
        ratio = rate / r.baseline.rate
        checks.append((f"{fmt} rate / baseline rate", f"{ratio:.2f}", f"≥ {COPY_TARGET:.2f}", ratio >= COPY_TARGET, pg))
    checks += [
        (
            "CSV rate / django-import-export rate",
            f"{iexport_ratio:.1f}×",
            f"≥ {IEXPORT_TARGET:.0f}×",
            iexport_ratio >= IEXPORT_TARGET,
            True,
        ),
        (
            "re-import rate / first CSV rate",
            f"{reimport_ratio:.2f}×",
            f"≥ {REIMPORT_TARGET:.0f}×",
            reimport_ratio >= REIMPORT_TARGET,
            True,
        ),
        ("peak memory of an import (MB)", f"{peak:,.0f}", f"≤ {MEMORY_TARGET_MB:,.0f}", peak <= MEMORY_TARGET_MB, True),
    ]
    for fmt, rate in (("CSV", r.csv.rate), ("XLSX", r.xlsx.rate)):
        target = f"≥ {SQLITE_RATE_TARGET:,.0f}"
        checks.append((f"{fmt} rows/s", f"{rate:,.0f}", target, rate >= SQLITE_RATE_TARGET, not pg))
    print(f"{'target (DESIGN §5)':<40}{'measured':>12}{'target':>12}  met")
    missed: list[str] = []
    for what, measured, target, met, applies in checks:
        mark = ("✓" if met else "✗") if applies else "-"
        note = "" if applies else ("  (a PostgreSQL target)" if not pg else "  (a SQLite target)")
        print(f"{what:<40}{measured:>12}{target:>12}  {mark}{note}")
        if applies and not met:
            missed.append(f"TARGET MISSED: {what} {measured}, target {target}")
    print()
    for line in missed:
        print(line)
    if not missed:
        print("all targets met")
    summary = {
        "rows": args.rows,
        "db": args.db,
        "rows_per_s_csv": round(r.csv.rate, 1),
        "rows_per_s_xlsx": round(r.xlsx.rate, 1),
        "copy_ratio": round(copy_csv, 4),
        "iexport_ratio": round(iexport_ratio, 2),
        "reimport_ratio": round(reimport_ratio, 2),
        "peak_mb": round(peak, 1),
    }
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
