"""The PostgreSQL ledger store: appends serialized per election by a transaction advisory lock.

Rows are written with binary ``COPY`` (the fastest way into PostgreSQL; ``bench/ingest.py``). The
side-table helpers accept ``?`` placeholders like SQLite and translate them to psycopg's ``%s``.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
from collections.abc import Collection, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import psycopg
from psycopg import sql as pgsql

from shailoo.domain.errors import LedgerError
from shailoo.ledger.binary_copy import SIGNATURE, TRAILER
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

# The newest protocol per (station, source) is not a table here, as it is in SQLite, but a view
# of the events: keeping a table beside them cost a quarter of the server's work in an import
# (an insert and a key entry more per protocol; bench/RESULTS.md), and the station index of the
# events answers the same look-ups. The view keeps the name, so queries (and verify) read it
# as before; a ledger written when it was a table gets the view instead when opened.
HEAD_VIEW = (
    "CREATE VIEW ledger_protocol_head AS "
    "SELECT election_id, station, source, MAX(seq) AS seq FROM ledger_event "
    "WHERE station IS NOT NULL GROUP BY election_id, station, source"
)

#: the rows of the newest protocol events of one election (``{stations}``: a filter or nothing);
#: the filter sits inside the grouping, so a batch's look-up probes the station index
LATEST_ROWS = (
    f"SELECT {', '.join('e.' + c for c in COLUMNS)} FROM ledger_event e JOIN ("
    "SELECT MAX(seq) AS seq FROM ledger_event WHERE election_id = ? AND station IS NOT NULL "
    "{stations} GROUP BY station, source) h ON e.seq = h.seq WHERE e.election_id = ?"
)


class PostgresStore(Store):
    """Ledger in PostgreSQL at ``url``; ``schema`` (created if missing) isolates tests."""

    backend = "postgresql"
    head_table = False
    packs_rows = True
    # The station ids of a look-up as one JSON text, sorted: one statement text for any batch
    # (prepared once), and the planner probes the station index (then the events' key) in
    # order instead of in hash order, 25-35 % less server CPU per look-up of 10,000 stations
    # when it was measured against the head table (bench/RESULTS.md).
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
            self._create_head_view()

    def _create_head_view(self) -> None:
        """Create the ``ledger_protocol_head`` view, replacing the table of older ledgers (its
        rows are derived from the events, so nothing is lost)."""
        row = self.conn.execute(
            "SELECT relkind FROM pg_class WHERE oid = to_regclass('ledger_protocol_head')"
        ).fetchone()
        kind = str(row[0]) if row else None
        if kind == "v":
            return
        if kind is not None:
            self.conn.execute("DROP TABLE ledger_protocol_head")
        self.conn.execute(HEAD_VIEW)

    def _insert_packed(self, data: bytes) -> None:
        """Insert event rows given as binary COPY tuples (:mod:`shailoo.ledger.binary_copy`),
        in the current transaction: sent as they are, no row is built here."""
        with self.conn.cursor() as cur, cur.copy(EVENT_COPY) as copy:
            copy.write(SIGNATURE + data + TRAILER)

    def _rebuild_heads_if_missing(self) -> None:
        """Nothing to rebuild: the newest protocols are a view (:data:`HEAD_VIEW`)."""

    def has_protocols(self, election_id: str) -> bool:
        """True if any protocol of the election is stored."""
        return bool(
            self.query(
                "SELECT 1 FROM ledger_event WHERE election_id = ? AND station IS NOT NULL LIMIT 1",
                (election_id,),
            )
        )

    def _latest_rows(
        self, election_id: str, stations: Collection[str] | None
    ) -> list[tuple[Any, ...]]:
        """The rows of the newest protocol events of ``stations`` (all when None)."""
        if stations is None:
            return self.query(LATEST_ROWS.format(stations=""), (election_id, election_id))
        station_list = sorted(set(stations))
        if not station_list:
            return []
        sql = LATEST_ROWS.format(stations=f"AND station IN ({self._stations_in_json})")
        return self.query(sql, (election_id, json.dumps(station_list), election_id))

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
            # ``heads`` is not written: the newest protocols are a view of these rows. No
            # ANALYZE either: the planner sizes a table by its current pages, so a batch's
            # look-up probes the station index once the table is large, with fresh, stale or
            # no statistics (tests/ledger/test_postgres_copy.py checks it).

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
