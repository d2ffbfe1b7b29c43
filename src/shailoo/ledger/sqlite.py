"""The SQLite ledger store: one file, WAL journal, one transaction per appended batch."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from shailoo.domain.errors import LedgerError
from shailoo.ledger.store import COLUMNS, Store, head_of

SCHEMA = """
CREATE TABLE IF NOT EXISTS ledger_election (
    position INTEGER PRIMARY KEY AUTOINCREMENT,
    election_id TEXT NOT NULL UNIQUE
);
CREATE TABLE IF NOT EXISTS ledger_event (
    election_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    kind TEXT NOT NULL,
    author TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL,
    payload TEXT NOT NULL,
    station TEXT,
    source TEXT,
    PRIMARY KEY (election_id, seq)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS ledger_event_station_lookup
    ON ledger_event (station, election_id, seq);
CREATE TABLE IF NOT EXISTS ledger_protocol_head (
    election_id TEXT NOT NULL,
    station TEXT NOT NULL,
    source TEXT NOT NULL,
    seq BIGINT NOT NULL,
    PRIMARY KEY (station, election_id, source)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS ledger_checkpoint (
    election_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    hash TEXT NOT NULL,
    signed_at TEXT NOT NULL,
    public_key TEXT NOT NULL,
    signature TEXT NOT NULL,
    PRIMARY KEY (election_id, seq, signed_at)
);
"""


# The newest-protocol rows of a batch are copied from the event rows just inserted (protocol
# events are those with a station), inside SQLite: binding 100,000 heads from Python cost about
# as much as the inserts themselves (bench/ingest.py). Same values as the heads the writer
# computes: the newest seq per (station, source) of the batch.
HEAD_UPSERT = (
    "INSERT INTO ledger_protocol_head (election_id, station, source, seq) "
    "SELECT election_id, station, source, MAX(seq) FROM ledger_event "
    "WHERE election_id = ? AND seq BETWEEN ? AND ? AND station IS NOT NULL "
    "GROUP BY station, source "
    "ON CONFLICT (station, election_id, source) DO UPDATE SET seq = excluded.seq"
)

HEAD_INSERT = (
    "INSERT INTO ledger_protocol_head (election_id, station, source, seq) "
    "SELECT election_id, station, source, seq FROM ledger_event "
    "WHERE election_id = ? AND seq BETWEEN ? AND ? AND station IS NOT NULL"
)


class SqliteStore(Store):
    """Ledger in one SQLite file (``path``), WAL mode, ``synchronous=FULL``."""

    backend = "sqlite"
    _by_station = "ledger_event INDEXED BY ledger_event_station_lookup"
    _stations_in_json = "SELECT value FROM json_each(?)"

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        try:
            # autocommit mode: we issue BEGIN IMMEDIATE ourselves so the write lock is taken
            # before the head is read (a deferred transaction could read a stale head).
            # one store may be shared by the threads of a web server: a lock serializes them, and
            # a write transaction holds it from BEGIN to COMMIT
            self._lock = threading.RLock()
            self.conn = sqlite3.connect(
                self.path, isolation_level=None, timeout=60.0, check_same_thread=False
            )
            self.conn.execute("PRAGMA busy_timeout = 60000")
            self.conn.execute("PRAGMA journal_mode = WAL")
            # FULL: a committed batch survives a power cut, not only a process crash
            self.conn.execute("PRAGMA synchronous = FULL")
            self.conn.executescript(SCHEMA)
            self._rebuild_heads_if_missing()
        except sqlite3.DatabaseError as exc:
            raise LedgerError(f"cannot open SQLite database {self.path}: {exc}") from exc
        self._insert_sql = (
            f"INSERT INTO ledger_event ({', '.join(COLUMNS)}) "
            f"VALUES ({', '.join('?' * len(COLUMNS))})"
        )

    @contextmanager
    def _write_tx(self, election_id: str) -> Iterator[tuple[int, str]]:
        with self._lock:
            yield from self._locked_write_tx(election_id)

    def _locked_write_tx(self, election_id: str) -> Iterator[tuple[int, str]]:
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            rows = self.conn.execute(
                "SELECT seq, hash FROM ledger_event WHERE election_id = ? "
                "ORDER BY seq DESC LIMIT 1",
                (election_id,),
            ).fetchall()
            yield head_of(rows)
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        else:
            self.conn.execute("COMMIT")

    def _insert_rows(
        self,
        rows: list[tuple[Any, ...]],
        *,
        new_election: bool,
        heads: list[tuple[str, str, str, int]],
        new_heads: bool = False,
    ) -> None:
        try:
            if new_election:
                self.conn.execute(
                    "INSERT INTO ledger_election (election_id) VALUES (?)", (rows[0][0],)
                )
            self.conn.executemany(self._insert_sql, rows)
            if heads:
                # (the rows of one batch are of one election, in seq order)
                bounds = (rows[0][0], rows[0][1], rows[-1][1])
                self.conn.execute(HEAD_INSERT if new_heads else HEAD_UPSERT, bounds)
        except sqlite3.IntegrityError as exc:
            raise LedgerError(f"ledger append refused by the database: {exc}") from exc

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """Run a read query with ``?`` placeholders; return all rows as tuples."""
        try:
            with self._lock:
                return self.conn.execute(sql, tuple(params)).fetchall()
        except sqlite3.DatabaseError as exc:
            raise LedgerError(f"query failed on {self.path}: {exc}") from exc

    def execute(self, sql: str, params: Sequence[Any] = ()) -> None:
        """Run one statement with ``?`` placeholders and commit it (side tables only)."""
        try:
            with self._lock:
                self.conn.execute(sql, tuple(params))
        except sqlite3.DatabaseError as exc:
            raise LedgerError(f"statement failed on {self.path}: {exc}") from exc

    def close(self) -> None:
        """Close the connection."""
        with self._lock:
            self.conn.close()
