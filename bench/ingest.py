"""Ingest benchmark: ``shailoo import`` against a bare insert of the same rows, in one run.

For each backend, the same canonical CSV of N protocols × P parties is loaded twice, each in a
fresh process whose wall time and peak memory (max RSS, from ``wait4``) are measured:

* floor, SQLite: ``csv.reader`` → ``sqlite3`` ``executemany`` into a plain table, one transaction;
* floor, PostgreSQL: the file streamed to ``COPY ... FROM STDIN (FORMAT csv)`` into a plain table;
* ``shailoo import`` into an election defined beforehand (parse, all checks, payloads, canonical
  JSON, SHA-256 chain, batched appends, the look-up for corrections).

Usage: ``.venv/bin/python bench/ingest.py [--stations 100000] [--parties 20] [--no-pg | --only-pg]
[--pg-parts] [--repeat 3]`` (``--pg-parts``: also store the import's built rows again, timed
alone). Floor and import run alternately ``--repeat`` times (each import into a fresh ledger);
on a shared machine one disturbed run moves a ratio by a third, so the summary line compares the
best run of each, and also gives the median of the pairs' ratios.
Targets (issue 3): ratio ≤ 3, peak memory < 300 MB.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from shailoo.domain.model import Party, Station

PG_URL = os.environ.get("SHAILOO_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")

SQLITE_FLOOR = r"""
import csv, sqlite3, sys
path, db = sys.argv[1], sys.argv[2]
conn = sqlite3.connect(db, isolation_level=None)
conn.execute("PRAGMA journal_mode = WAL"); conn.execute("PRAGMA synchronous = FULL")
with open(path, encoding="utf-8", newline="") as fh:
    r = csv.reader(fh)
    header = next(r)
    conn.execute("CREATE TABLE rows (%s)" % ", ".join('"%s"' % h for h in header))
    conn.execute("BEGIN")
    conn.executemany("INSERT INTO rows VALUES (%s)" % ", ".join("?" * len(header)), r)
    conn.execute("COMMIT")
"""

PG_FLOOR = r"""
import sys, psycopg
path, url, schema = sys.argv[1], sys.argv[2], sys.argv[3]
with psycopg.connect(url, autocommit=True) as conn:
    conn.execute('SET search_path TO "%s"' % schema)
    with open(path, encoding="utf-8") as fh:
        header = fh.readline().strip().split(",")
        conn.execute("CREATE TABLE rows (%s)" % ", ".join('"%s" text' % h for h in header))
        with conn.transaction(), conn.cursor() as cur:
            with cur.copy("COPY rows FROM STDIN (FORMAT csv)") as copy:
                while block := fh.read(1 << 20):
                    copy.write(block)
"""


def measure(cmd: list[str]) -> tuple[float, float, float]:
    """Run ``cmd``; return (wall s, CPU s, peak RSS MB). Fails loudly on a non-zero exit.

    CPU time (user + system of the process) is reported beside wall time because the machine
    is shared: under load the wall ratio mostly measures the neighbours. On Linux ``wait4``
    adds the CPU of the process's reaped children, so the import's parser process is counted;
    peak memory is the larger of the two processes' maximum RSS.
    """
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        err = proc.stderr.read().decode() if proc.stderr else ""
        raise SystemExit(f"{' '.join(cmd)} exited {code}: {err}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024  # Linux: KiB


def make_input(
    folder: Path, stations: int, parties: int
) -> tuple[Path, tuple[Party, ...], tuple[Station, ...]]:
    from shailoo.intake.sample import sample_parties, sample_protocols, sample_stations
    from shailoo.io.canonical import write_protocols_csv

    ps = sample_parties(parties)
    ss = sample_stations(stations)
    ids = tuple(p.id for p in ps)
    path = folder / "protocols.csv"
    with path.open("w", encoding="utf-8") as fh:
        write_protocols_csv(fh, sample_protocols(ss, ids, seed=1), ids)
    return path, ps, ss


def define(
    db: str, parties: tuple[Party, ...], stations: tuple[Station, ...], schema: str | None = None
) -> None:
    from shailoo.intake import create_election
    from shailoo.ledger import open_store

    with open_store(db, schema=schema) as store:
        create_election(
            store,
            law="kg-2020",
            parties=parties,
            stations=stations,
            author="bench",
            election_id="bench",
        )


def report(
    name: str, floor: tuple[float, float, float], ours: tuple[float, float, float], n: int
) -> str:
    line = (
        f"{name:<10} floor {floor[0]:6.2f} s wall {floor[1]:6.2f} s CPU {floor[2]:4.0f} MB | "
        f"shailoo import {ours[0]:6.2f} s wall {ours[1]:6.2f} s CPU {ours[2]:4.0f} MB "
        f"({n / ours[0]:,.0f} rows/s) | ratio wall {ours[0] / floor[0]:5.2f} "
        f"CPU {ours[1] / floor[1]:5.2f}"
    )
    print(line, flush=True)
    return line


PLAIN_EVENTS = """CREATE TABLE plain_event (election_id TEXT, seq BIGINT, kind TEXT, author TEXT,
    recorded_at TEXT, prev_hash TEXT, hash TEXT, payload TEXT, station TEXT, source TEXT)"""


def server_cpu(pid: int) -> float:
    """CPU seconds of the PostgreSQL backend ``pid`` so far (NaN unless the server is local)."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Phases:
    """Wall, client CPU and server CPU seconds summed per named phase."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.sums: dict[str, list[float]] = {}

    @contextmanager
    def __call__(self, name: str) -> Iterator[None]:
        start = (time.perf_counter(), time.process_time(), server_cpu(self.pid))
        yield
        end = (time.perf_counter(), time.process_time(), server_cpu(self.pid))
        sums = self.sums.setdefault(name, [0.0, 0.0, 0.0])
        for i in range(3):
            sums[i] += end[i] - start[i]

    def total(self) -> list[float]:
        """Wall, client CPU, server CPU over all phases."""
        return [sum(v[i] for v in self.sums.values()) for i in range(3)]


def pg_parts(
    imported: str, parties: tuple[Party, ...], stations: tuple[Station, ...], batch: int
) -> tuple[float, Phases]:
    """Store the import's already-built event rows again, timed alone, two ways.

    The rows (hashed and chained, payload JSON made) are read back from schema ``imported``,
    then written in batches of ``batch``, one transaction each: (1) with the store's COPY into
    a table of the same columns without keys or indexes (wall seconds); (2) into a fresh
    ledger as the import's writer does it into an election without stored protocols (write
    lock and head read, ``Writer.append_chained``: the events with their primary key and
    station index, the newest-protocol table; commit), by phase. What a Python client could at
    best do once the rows exist; timed in this process (no interpreter start, unlike the floor).
    """
    import psycopg

    from shailoo.ledger import postgres

    with postgres.PostgresStore(PG_URL, schema=imported) as source:
        rows = [tuple(r) for r in source.event_rows("bench", after_seq=1)]
    chunks = [rows[i : i + batch] for i in range(0, len(rows), batch)]
    types = getattr(postgres, "EVENT_TYPES", None)  # binary COPY since 28 Nov 2026
    schema = "bench_" + uuid.uuid4().hex[:10]
    try:
        with psycopg.connect(PG_URL, autocommit=True) as conn:
            conn.execute(f'CREATE SCHEMA "{schema}"')
            conn.execute(f'SET search_path TO "{schema}"')
            conn.execute(PLAIN_EVENTS)
            t = time.perf_counter()
            for chunk in chunks:
                fmt = " (FORMAT BINARY)" if types else ""
                with (
                    conn.transaction(),
                    conn.cursor() as cur,
                    cur.copy(f"COPY plain_event FROM STDIN{fmt}") as copy,
                ):
                    if types:
                        copy.set_types(types)
                    for row in chunk:
                        copy.write_row(row)
            plain = time.perf_counter() - t
        with psycopg.connect(PG_URL, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')
        define(PG_URL, parties, stations, schema=schema)
        store = postgres.PostgresStore(PG_URL, schema=schema)
        with store:
            phase = Phases(store.conn.info.backend_pid)
            for chunk in chunks:
                ctx = store.writing("bench")
                with phase("lock"):
                    w = ctx.__enter__()
                with phase("COPY"):
                    w.append_chained(chunk, after=(w.head_seq, w.head_hash))
                with phase("commit"):
                    ctx.__exit__(None, None, None)
    finally:
        with psycopg.connect(PG_URL, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
    return plain, phase


def pg_pair(
    py: str,
    path: Path,
    parties: tuple[Party, ...],
    stations: tuple[Station, ...],
    schema: str,
    n: int,
) -> tuple[tuple[float, float, float], tuple[float, float, float]]:
    """One PostgreSQL floor and one import, each into its own tables of a new ``schema``."""
    import psycopg

    with psycopg.connect(PG_URL, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    floor = measure([py, "-c", PG_FLOOR, str(path), PG_URL, schema])
    define(PG_URL, parties, stations, schema=schema)
    url = f"{PG_URL}?options=-csearch_path%3D{schema}"
    ours = measure([py, "-m", "shailoo", "import", "--db", url, "--quiet", str(path)])
    report("PostgreSQL", floor, ours, n)
    return floor, ours


def summary(
    name: str, pairs: list[tuple[tuple[float, float, float], tuple[float, float, float]]], n: int
) -> None:
    """The best floor against the best import of the repeats, and the median pair's ratio."""
    floor = min(pairs, key=lambda p: p[0][0])[0]
    ours = min(pairs, key=lambda p: p[1][0])[1]
    ratios = sorted(o[0] / f[0] for f, o in pairs)
    median = ratios[len(ratios) // 2]
    print(
        f"{name:<10} best of {len(pairs)}: floor {floor[0]:6.2f} s, shailoo import "
        f"{ours[0]:6.2f} s ({n / ours[0]:,.0f} rows/s), peak {max(p[1][2] for p in pairs):4.0f} "
        f"MB | ratio of bests {ours[0] / floor[0]:5.2f}, median of pairs {median:5.2f} "
        f"(range {ratios[0]:.2f}-{ratios[-1]:.2f})",
        flush=True,
    )


def main() -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--stations", type=int, default=100_000)
    ap.add_argument("--parties", type=int, default=20)
    ap.add_argument("--no-pg", action="store_true", help="skip PostgreSQL")
    ap.add_argument("--only-pg", action="store_true", help="skip SQLite")
    ap.add_argument("--repeat", type=int, default=3, help="floor/import pairs per backend (3)")
    ap.add_argument(
        "--pg-parts",
        action="store_true",
        help="also time storing the import's built rows alone (PostgreSQL; see pg_parts)",
    )
    args = ap.parse_args()
    if args.no_pg and args.only_pg:
        ap.error("--no-pg and --only-pg exclude each other")
    if args.repeat < 1:
        ap.error("--repeat must be at least 1")
    py = sys.executable
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        t = time.perf_counter()
        path, parties, stations = make_input(folder, args.stations, args.parties)
        size = path.stat().st_size / 1e6
        print(
            f"input: {args.stations:,} protocols x {args.parties} parties, {size:.1f} MB CSV "
            f"(made in {time.perf_counter() - t:.1f} s)",
            flush=True,
        )

        if not args.only_pg:
            pairs = []
            for n in range(args.repeat):
                floor_db = str(folder / f"floor{n}.db")
                floor = measure([py, "-c", SQLITE_FLOOR, str(path), floor_db])
                db = str(folder / f"ledger{n}.db")
                define(db, parties, stations)
                ours = measure([py, "-m", "shailoo", "import", "--db", db, "--quiet", str(path)])
                report("SQLite", floor, ours, args.stations)
                pairs.append((floor, ours))
            summary("SQLite", pairs, args.stations)

        if not args.no_pg:
            import psycopg

            pairs = []
            schemas: list[str] = []
            try:
                for _ in range(args.repeat):
                    schema = "bench_" + uuid.uuid4().hex[:10]
                    schemas.append(schema)
                    pairs.append(pg_pair(py, path, parties, stations, schema, args.stations))
                summary("PostgreSQL", pairs, args.stations)
                if args.pg_parts:
                    floor = pairs[-1][0]  # the pair whose import's rows are stored again
                    plain, phase = pg_parts(schema, parties, stations, 10_000)
                    wall, client, server = phase.total()
                    detail = ", ".join(
                        f"{name} {v[0]:.2f} / {v[2]:.2f}" for name, v in phase.sums.items()
                    )
                    print(
                        f"PostgreSQL built rows alone, batches of 10,000: plain table "
                        f"{plain:5.2f} s wall ({plain / floor[0]:4.2f} x floor); ledger "
                        f"{wall:5.2f} s wall ({wall / floor[0]:4.2f} x floor), client CPU "
                        f"{client:.2f} s, server CPU {server:.2f} s; wall / server CPU: {detail}",
                        flush=True,
                    )
            finally:
                with psycopg.connect(PG_URL, autocommit=True) as conn:
                    for schema in schemas:
                        conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
    return 0


if __name__ == "__main__":
    sys.exit(main())
