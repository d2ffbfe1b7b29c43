"""The PostgreSQL ledger store: appends serialized per election by a transaction advisory lock.

Rows are written with binary ``COPY`` (the fastest way into PostgreSQL; ``bench/ingest.py``). The
side-table helpers accept ``?`` placeholders like SQLite and translate them to psycopg's ``%s``.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import psycopg
from psycopg import sql as pgsql

from shailoo.domain.errors import LedgerError
from shailoo.ledger.store import COLUMNS, Store, head_of

SCHEMA = """
CREATE TABLE IF NOT EXISTS ledger_election (
    position BIGSERIAL PRIMARY KEY,
    election_id TEXT NOT NULL UNIQUE
);
CREATE TABLE IF NOT EXISTS ledger_event (
    election_id TEXT NOT NULL,
    seq BIGINT NOT NULL,
    kind TEXT NOT NULL,
    author TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL,
    payload TEXT NOT NULL,
    station TEXT,
    source TEXT,
    PRIMARY KEY (election_id, seq)
);
CREATE INDEX IF NOT EXISTS ledger_event_station_lookup
    ON ledger_event (station, election_id, seq);
CREATE TABLE IF NOT EXISTS ledger_protocol_head (
    election_id TEXT NOT NULL,
    station TEXT NOT NULL,
    source TEXT NOT NULL,
    seq BIGINT NOT NULL,
    PRIMARY KEY (station, election_id, source)
);
CREATE TABLE IF NOT EXISTS ledger_checkpoint (
    election_id TEXT NOT NULL,
    seq BIGINT NOT NULL,
    hash TEXT NOT NULL,
    signed_at TEXT NOT NULL,
    public_key TEXT NOT NULL,
    signature TEXT NOT NULL,
    PRIMARY KEY (election_id, seq, signed_at)
);
"""

_PLACEHOLDER = re.compile(r"'(?:[^']|'')*'|\?|%")


def to_psycopg(sql: str) -> str:
    """Translate ``?`` placeholders to ``%s`` (and a literal ``%`` to ``%%``), outside quotes."""

    def repl(m: re.Match[str]) -> str:
        tok = m.group(0)
        if tok == "?":
            return "%s"
        if tok == "%":
            return "%%"
        return tok.replace("%", "%%")

    return _PLACEHOLDER.sub(repl, sql)


def _lock_key(schema: str, election_id: str) -> int:
    """A signed 64-bit advisory-lock key for one election in one schema."""
    digest = hashlib.sha256(f"shailoo-ledger:{schema}:{election_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


# Binary COPY: psycopg formats a row in C without escaping and the server reads it without
# parsing text (an import's client CPU in COPY halves, 0.37 -> 0.16 s per 100,000 events; the
# server's a little less). The types must be the columns' exactly: TEXT and BIGINT, as in every
# version of SCHEMA. Any text goes through unchanged (tests/ledger/test_postgres_copy.py).
#: the types of :data:`~shailoo.ledger.store.COLUMNS` in ``ledger_event``
EVENT_TYPES = tuple("int8" if c == "seq" else "text" for c in COLUMNS)
EVENT_COPY = f"COPY ledger_event ({', '.join(COLUMNS)}) FROM STDIN (FORMAT BINARY)"
#: the types of ``(election_id, station, source, seq)`` in ``ledger_protocol_head``
HEAD_TYPES = ("text", "text", "text", "int8")
HEAD_COPY = (
    "COPY ledger_protocol_head (election_id, station, source, seq) FROM STDIN (FORMAT BINARY)"
)

# The batch's heads travel as one JSON text: psycopg adapts a Python list to an array
# element by element in Python (0.6 s per 100,000 heads), json.dumps does it in C, and the
# statement text stays the same for every batch (prepared once).
HEAD_UPSERT = (
    "INSERT INTO ledger_protocol_head (election_id, station, source, seq) "
    "SELECT %s, h->>0, h->>1, (h->>2)::bigint FROM jsonb_array_elements(%s::jsonb) h "
    "ON CONFLICT (station, election_id, source) DO UPDATE SET seq = excluded.seq"
)


class PostgresStore(Store):
    """Ledger in PostgreSQL at ``url``; ``schema`` (created if missing) isolates tests."""

    backend = "postgresql"
    # The station ids of a look-up as one JSON text, like the heads above, sorted: the planner
    # then probes the head table's key (and the events' key) in order instead of in hash order,
    # 25-35 % less server CPU per look-up of 10,000 stations (bench figures in bench/RESULTS.md).
    _stations_in_json = "SELECT DISTINCT s FROM json_array_elements_text(?::json) s ORDER BY 1"

    def __init__(self, url: str, schema: str | None = None) -> None:
        self.url = url
        # a store shared by a web server's threads: the lock keeps one transaction at a time
        self._lock = threading.RLock()
        try:
            self.conn = psycopg.connect(url, autocommit=True)
        except psycopg.Error as exc:
            raise LedgerError(f"cannot connect to PostgreSQL: {exc}") from exc
        if schema:
            self.conn.execute(
                pgsql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(pgsql.Identifier(schema))
            )
            self.conn.execute(pgsql.SQL("SET search_path TO {}").format(pgsql.Identifier(schema)))
        row = self.conn.execute("SELECT current_schema()").fetchone()
        self.schema = str(row[0]) if row else "public"
        with self.conn.transaction():
            # concurrent first connections would race on CREATE TABLE IF NOT EXISTS
            self.conn.execute("SELECT pg_advisory_xact_lock(%s)", (_lock_key(self.schema, ""),))
            self.conn.execute(SCHEMA)
            self._rebuild_heads_if_missing()

    @contextmanager
    def _write_tx(self, election_id: str) -> Iterator[tuple[int, str]]:
        try:
            with self._lock, self.conn.transaction():
                self.conn.execute(
                    "SELECT pg_advisory_xact_lock(%s)", (_lock_key(self.schema, election_id),)
                )
                rows = self.conn.execute(
                    "SELECT seq, hash FROM ledger_event WHERE election_id = %s "
                    "ORDER BY seq DESC LIMIT 1",
                    (election_id,),
                ).fetchall()
                yield head_of(rows)
        except psycopg.errors.UniqueViolation as exc:
            raise LedgerError(f"ledger append refused by the database: {exc}") from exc

    def _insert_rows(
        self,
        rows: list[tuple[Any, ...]],
        *,
        new_election: bool,
        heads: list[tuple[str, str, str, int]],
        new_heads: bool = False,
    ) -> None:
        with self.conn.cursor() as cur:
            if new_election:
                cur.execute("INSERT INTO ledger_election (election_id) VALUES (%s)", (rows[0][0],))
            try:
                with cur.copy(EVENT_COPY) as copy:
                    copy.set_types(EVENT_TYPES)
                    for row in rows:
                        copy.write_row(row)
            except TypeError as exc:  # binary COPY dumps by column type: str or None only
                raise LedgerError(
                    f"an event row has a value of the wrong type for its column: {exc}"
                ) from exc
            if heads and new_heads:
                # none exists yet (the caller looked under the lock): COPY, no conflict check
                with cur.copy(HEAD_COPY) as copy:
                    copy.set_types(HEAD_TYPES)
                    for head in heads:
                        copy.write_row(head)
            elif heads:
                # one statement for the whole batch (heads are all of one election)
                eid = heads[0][0]
                if any(h[0] != eid for h in heads):
                    raise LedgerError("protocol heads of one batch must be of one election")
                cur.execute(HEAD_UPSERT, (eid, json.dumps([h[1:] for h in heads])))
            # No ANALYZE of the head table here (there was one every 20,000 heads: 10 % of the
            # server's work in an import). The look-up's plan does not need statistics: the
            # planner sizes a table by its current pages, so a batch's look-up probes the primary
            # key once the table is large and hashes a scan of it while it is small, with fresh,
            # stale or no statistics (tests/ledger/test_postgres_copy.py checks the large case).

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """Run a read query with ``?`` placeholders; return all rows as tuples."""
        try:
            with self._lock:
                return self.conn.execute(to_psycopg(sql), tuple(params)).fetchall()
        except psycopg.Error as exc:
            raise LedgerError(f"query failed: {exc}") from exc

    def execute(self, sql: str, params: Sequence[Any] = ()) -> None:
        """Run one statement with ``?`` placeholders and commit it (side tables only)."""
        try:
            with self._lock:
                self.conn.execute(to_psycopg(sql), tuple(params))
        except psycopg.Error as exc:
            raise LedgerError(f"statement failed: {exc}") from exc

    def close(self) -> None:
        """Close the connection."""
        self.conn.close()
