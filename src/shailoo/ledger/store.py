"""The ledger store: append-only, hash-chained events per election, on SQLite or PostgreSQL.

:class:`Store` holds everything both backends share: the chain arithmetic, the checks on what
may be appended, paging through events, checkpoints and the side-table helpers. The two
subclasses (:mod:`shailoo.ledger.sqlite`, :mod:`shailoo.ledger.postgres`) only open the
connection, take the write lock and move rows.

Writers are serialized per election (SQLite: ``BEGIN IMMEDIATE``; PostgreSQL: a transaction
advisory lock), and ``(election_id, seq)`` is the primary key, so the chain can never fork even
if two processes append at once.
"""

from __future__ import annotations

import hashlib
import json
import operator
import re
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, datetime
from types import TracebackType
from typing import Any

from shailoo import speedups
from shailoo.domain.definition import election_from_json
from shailoo.domain.errors import LedgerError, NotFound, Refused
from shailoo.domain.events import (
    ELECTION_DEFINED,
    KINDS,
    PROTOCOL_CORRECTED,
    PROTOCOL_RECORDED,
    Event,
)
from shailoo.domain.model import Election
from shailoo.ledger.encoding import (
    ENCODING_VERSION,
    GENESIS_HASH,
    canonical_json,
    event_text_front,
    json_string,
)

#: an election id is a short slug (it appears in URLs and file names)
ELECTION_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
#: how many events one query fetches while streaming
PAGE = 2000
#: how many events one query of :meth:`Store.event_payloads` fetches (a rebuild reads them all)
BULK_PAGE = 50_000
_first = operator.itemgetter(0)
_second = operator.itemgetter(1)

#: the kinds whose ``station`` and ``source`` are copied to indexed columns (not hashed)
PROTOCOL_KINDS = frozenset({PROTOCOL_RECORDED, PROTOCOL_CORRECTED})

COLUMNS = (
    "election_id",
    "seq",
    "kind",
    "author",
    "recorded_at",
    "prev_hash",
    "hash",
    "payload",
    "station",
    "source",
)


#: the newest protocol per (station, source) through the head table: every look-up is a
#: primary-key probe, so the planner has no choice to get wrong on a table without statistics
HEAD_JOIN = (
    f"SELECT {', '.join('e.' + c for c in COLUMNS)} FROM ledger_protocol_head h "
    "JOIN ledger_event e ON e.election_id = h.election_id AND e.seq = h.seq "
    "WHERE h.election_id = ?"
)


def utc_now() -> str:
    """The current time as ISO-8601 UTC with microseconds and a ``Z``."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass(frozen=True)
class Checkpoint:
    """A commission signature over the chain hash at ``seq`` (see :mod:`shailoo.ledger.signing`)."""

    election_id: str
    seq: int
    hash: str
    signed_at: str
    public_key: str
    signature: str


def row_to_event(row: Sequence[Any]) -> Event:
    """Build an :class:`Event` from a row in :data:`COLUMNS` order."""
    return Event(
        seq=int(row[1]),
        kind=row[2],
        payload=json.loads(row[7]),
        author=row[3],
        recorded_at=row[4],
        election_id=row[0],
        hash=row[6],
        prev_hash=row[5],
    )


def _event_text_parts(
    election_id: str, author: str, recorded_at: str
) -> tuple[dict[str, str], str, str, str]:
    """The parts of a protocol event's text that one batch shares: the front per kind (up to
    the payload), the middle (up to the previous hash), what follows the previous hash (up to
    the seq) and the tail (:func:`~shailoo.ledger.encoding.event_text` spelled out)."""
    if not isinstance(author, str) or not author:
        raise LedgerError("protocol events need an author")
    fronts = {kind: event_text_front(election_id, kind, author) for kind in PROTOCOL_KINDS}
    after_prev = '","recorded_at":' + json_string(recorded_at) + ',"seq":'
    return fronts, ',"prev_hash":"', after_prev, ',"v":' + str(ENCODING_VERSION) + "}"


def chain_protocol_copy(
    election_id: str,
    author: str,
    recorded_at: str,
    head_seq: int,
    head_hash: str,
    items: Sequence[tuple[str, str, str, str]],
) -> tuple[bytes, tuple[int, str]]:
    """:func:`chain_protocol_rows` written straight as PostgreSQL binary COPY tuples
    (:mod:`shailoo.ledger.binary_copy`), with the new head ``(seq, hash)``; no row is built.
    Needs the C module (:mod:`shailoo.speedups`); the importer's parser process packs a batch
    for PostgreSQL so (tests compare it with ``copy_rows(chain_protocol_rows(...))``)."""
    c = speedups.native
    if c is None:
        raise LedgerError("chaining into COPY data needs shailoo._speedups")
    data, seq, hash_ = _chain_in_c(
        c.chain_copy, election_id, author, recorded_at, head_seq, head_hash, items
    )
    return data, (seq, hash_)


def _chain_in_c(
    loop: Callable[..., Any],
    election_id: str,
    author: str,
    recorded_at: str,
    head_seq: int,
    head_hash: str,
    items: Sequence[tuple[str, str, str, str]],
) -> Any:
    """Run a C chaining loop (``chain_rows`` / ``chain_copy``) with a batch's text parts; its
    ValueErrors (an unknown kind, an item without station or source) are LedgerErrors here,
    as the Python loop raises them."""
    fronts, middle, after_prev, tail = _event_text_parts(election_id, author, recorded_at)
    try:
        return loop(
            election_id,
            author,
            recorded_at,
            head_seq,
            head_hash,
            items,
            fronts,
            middle,
            after_prev,
            tail,
        )
    except ValueError as exc:
        if isinstance(exc, UnicodeError):
            raise
        raise LedgerError(str(exc)) from None


def chain_protocol_rows(
    election_id: str,
    author: str,
    recorded_at: str,
    head_seq: int,
    head_hash: str,
    items: Sequence[tuple[str, str, str, str]],
) -> list[tuple[Any, ...]]:
    """The ledger rows (:data:`COLUMNS` order) of protocol events ``(kind, payload_json,
    station, source)`` appended by ``author`` at ``recorded_at`` after the head
    ``(head_seq, head_hash)``, each with its chain hash.

    :func:`~shailoo.ledger.encoding.event_text` spelled out with the parts that do not change
    within a batch encoded once: the same bytes (``verify`` recomputes them with
    ``event_text``). Pure, so that the importer's parser process can chain a batch while the
    writer stores the one before (:meth:`Writer.append_chained`).
    """
    c = speedups.native
    if c is not None:  # the same loop in C (shailoo.speedups)
        rows_c: list[tuple[Any, ...]] = _chain_in_c(
            c.chain_rows, election_id, author, recorded_at, head_seq, head_hash, items
        )
        return rows_c
    fronts, middle, after_prev, tail = _event_text_parts(election_id, author, recorded_at)
    sha = hashlib.sha256
    seq, prev = head_seq, head_hash
    rows: list[tuple[Any, ...]] = []
    append = rows.append
    for kind, payload_json, station, source in items:
        front = fronts.get(kind)
        if front is None:
            raise LedgerError(f"{kind!r} is not a protocol event kind")
        if not (station and source):
            raise LedgerError(f"a {kind} payload needs a station and a source")
        seq += 1
        h = sha(
            (front + payload_json + middle + prev + after_prev + str(seq) + tail).encode("utf-8")
        ).hexdigest()
        append(
            (election_id, seq, kind, author, recorded_at, prev, h, payload_json, station, source)
        )
        prev = h
    return rows


class Writer:
    """Appends to one election while holding its write lock (inside one transaction).

    Obtained from :meth:`Store.writing`; ``head_seq`` / ``head_hash`` follow every append.
    """

    def __init__(self, store: Store, election_id: str, head_seq: int, head_hash: str) -> None:
        self.store = store
        self.election_id = election_id
        self.head_seq = head_seq
        self.head_hash = head_hash

    def append(
        self,
        items: Sequence[tuple[str, Mapping[str, Any], str]],
        *,
        payload_texts: Sequence[str] | None = None,
    ) -> list[Event]:
        """Chain and insert ``(kind, payload, author)`` items; return the stored events.

        ``payload_texts``, one per item, is each payload's canonical JSON already made by a
        caller that built the payloads from ints and strs only
        (:func:`shailoo.intake.record_protocols`); the float check and encoding are skipped.
        """
        rows: list[tuple[Any, ...]] = []
        heads: dict[tuple[str, str], int] = {}
        events: list[Event] = []
        seq, prev = self.head_seq, self.head_hash
        now = utc_now()
        now_json = json_string(now)
        version = str(ENCODING_VERSION)
        fronts: dict[tuple[str, str], str] = {}
        eid = self.election_id
        sha = hashlib.sha256
        if payload_texts is not None and len(payload_texts) != len(items):
            raise LedgerError("payload_texts must hold one text per item")
        for n, (kind, payload, author) in enumerate(items):
            if kind not in KINDS:
                raise LedgerError(f"unknown event kind {kind!r}; known: {', '.join(KINDS)}")
            if not isinstance(author, str) or not author:
                raise LedgerError(f"event {kind} needs an author")
            if seq == 0:
                if kind != ELECTION_DEFINED:
                    raise NotFound(f"election {eid!r} does not exist (define it first)")
                if payload.get("election_id") != eid:
                    raise LedgerError(
                        f"election.defined payload names {payload.get('election_id')!r}, "
                        f"not {eid!r}"
                    )
            elif kind == ELECTION_DEFINED:
                raise Refused(f"election {eid!r} is already defined")
            payload_json = canonical_json(payload) if payload_texts is None else payload_texts[n]
            seq += 1
            # event_text() spelled out with the constant parts cached: the same bytes (the
            # verifier recomputes them with event_text), fewer string encodings per event
            front = fronts.get((kind, author))
            if front is None:
                front = fronts[(kind, author)] = event_text_front(eid, kind, author)
            text = (
                front
                + payload_json
                + ',"prev_hash":"'
                + prev
                + '","recorded_at":'
                + now_json
                + ',"seq":'
                + str(seq)
                + ',"v":'
                + version
                + "}"
            )
            h = sha(text.encode("utf-8")).hexdigest()
            station: str | None = None
            source: str | None = None
            if kind in PROTOCOL_KINDS:
                station, source = payload.get("station"), payload.get("source")
                if not (
                    isinstance(station, str) and station and isinstance(source, str) and source
                ):
                    raise LedgerError(f"a {kind} payload needs a station and a source")
                heads[(station, source)] = seq
            rows.append((eid, seq, kind, author, now, prev, h, payload_json, station, source))
            events.append(Event(seq, kind, payload, author, now, eid, h, prev))
            prev = h
        if rows:
            self.store._insert_rows(
                rows,
                new_election=self.head_seq == 0,
                heads=[(eid, st, src, n) for (st, src), n in heads.items()],
            )
            self.head_seq, self.head_hash = seq, prev
        return events

    def append_protocol_texts(
        self,
        author: str,
        items: Sequence[tuple[str, str, str, str]],
        *,
        new_heads: bool = False,
    ) -> int:
        """Chain and insert protocol events given as ``(kind, payload_json, station, source)``.

        The bulk-import form of :meth:`append`: ``payload_json`` must be the canonical JSON of
        a protocol payload whose ``station`` and ``source`` are the two given (the importer
        builds it with :func:`shailoo.intake.bulk.payload_json`, property-tested equal to
        :func:`canonical_json`). The event text and hash are exactly those of :meth:`append`
        (``docs/ledger.md``); no :class:`Event` values are built. Returns the number appended.
        ``new_heads=True`` says that no item's ``(station, source)`` has a stored protocol (the
        caller looked under this writer's lock): the newest-protocol table is then filled by
        plain inserts instead of upserts; were the claim wrong, the database refuses the batch.
        """
        if not items:
            return 0
        if self.head_seq == 0:
            raise NotFound(f"election {self.election_id!r} does not exist (define it first)")
        rows = chain_protocol_rows(
            self.election_id, author, utc_now(), self.head_seq, self.head_hash, items
        )
        self._insert_protocol_rows(rows, new_heads=new_heads)
        return len(rows)

    def append_chained(self, rows: Sequence[tuple[Any, ...]], *, after: tuple[int, str]) -> bool:
        """Insert protocol rows chained in advance (:func:`chain_protocol_rows`) after the head
        ``after`` = ``(seq, hash)``, if that is still this election's head.

        For the importer's parser process, which chains a batch while this process writes the
        one before. The caller read ``after`` before it found that the election had no stored
        protocol; so if ``after`` is still the head, nothing was appended since and every
        row's ``(station, source)`` is new. Otherwise nothing is written and False is
        returned (the caller then records the batch the ordinary way). The database refuses
        a seq or a newest-protocol row that exists, and ``verify`` recomputes every hash.
        """
        if not rows:
            return True
        if (self.head_seq, self.head_hash) != after:
            return False
        first = rows[0]
        if first[0] != self.election_id or first[1] != self.head_seq + 1:
            raise LedgerError("chained rows do not continue this election's chain")
        self._insert_protocol_rows(rows, new_heads=True)
        return True

    def append_packed(self, data: bytes, *, after: tuple[int, str], head: tuple[int, str]) -> bool:
        """:meth:`append_chained` for rows given as binary COPY data
        (:mod:`shailoo.ledger.binary_copy`), chained after ``after`` up to ``head``; only for a
        store that :attr:`Store.packs_rows` and keeps no head table."""
        if not data:
            return True
        if not self.store.packs_rows or self.store.head_table:
            raise LedgerError(f"the {self.store.backend} store does not take packed rows")
        if (self.head_seq, self.head_hash) != after:
            return False
        if head[0] <= after[0]:
            raise LedgerError("packed rows must move the head forward")
        self.store._insert_packed(data)
        self.head_seq, self.head_hash = head
        return True

    def _insert_protocol_rows(self, rows: Sequence[tuple[Any, ...]], *, new_heads: bool) -> None:
        """Insert protocol event rows and their newest-protocol entries; move the head."""
        eid = self.election_id
        if not self.store.head_table:
            heads = []
        elif new_heads:
            heads = [(eid, r[8], r[9], r[1]) for r in rows]
        else:
            # one entry per (station, source), the newest: an upsert must not meet a key twice
            newest = {(r[8], r[9]): r[1] for r in rows}
            heads = [(eid, st, src, n) for (st, src), n in newest.items()]
        self.store._insert_rows(
            rows if isinstance(rows, list) else list(rows),
            new_election=False,
            heads=heads,
            new_heads=new_heads,
        )
        self.head_seq, self.head_hash = rows[-1][1], rows[-1][6]

    def latest_protocols(self, stations: Collection[str]) -> dict[tuple[str, str], Event]:
        """The newest protocol event per ``(station, source)`` among ``stations``."""
        return self.store.latest_protocols(self.election_id, stations)

    def latest_protocol_texts(self, stations: Collection[str]) -> dict[tuple[str, str], str]:
        """:meth:`Store.latest_protocol_texts` under this writer's lock."""
        return self.store.latest_protocol_texts(self.election_id, stations)


class Store(AbstractContextManager["Store"]):
    """Append-only ledger of events, one hash chain per election, plus side tables."""

    #: ``"sqlite"`` or ``"postgresql"``
    backend: str = ""
    #: whether ``ledger_protocol_head`` is a table the store fills (False: a view)
    head_table: bool = True
    #: whether the store takes rows as binary COPY data (:meth:`Writer.append_packed`)
    packs_rows: bool = False
    #: table reference for look-ups by station (SQLite's planner needs ``INDEXED BY`` there:
    #: without statistics it prefers scanning the election's primary-key range)
    _by_station: str = "ledger_event"
    #: a sub-select (``?`` placeholder) of the station ids in one JSON array parameter, where
    #: the backend has one: a statement with hundreds of ``?`` is compiled anew on every call
    #: (0.5 s per 100,000 stations of an import on SQLite), one JSON parameter is not
    _stations_in_json: str = ""

    # ----- backend hooks -------------------------------------------------------------------
    def _write_tx(self, election_id: str) -> AbstractContextManager[tuple[int, str]]:
        """Open a transaction holding the election's write lock; yield its head."""
        raise NotImplementedError

    def _insert_rows(
        self,
        rows: list[tuple[Any, ...]],
        *,
        new_election: bool,
        heads: list[tuple[str, str, str, int]],
        new_heads: bool = False,
    ) -> None:
        """Insert event rows and upsert ``(election, station, source) -> seq`` of the newest
        protocols, in the current transaction (``new_heads``: none of them exists yet, so
        plain inserts suffice)."""
        raise NotImplementedError

    def _insert_packed(self, data: bytes) -> None:
        """Insert event rows given as binary COPY data (stores that :attr:`packs_rows`)."""
        raise NotImplementedError

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """Run a read query with ``?`` placeholders; return all rows as tuples."""
        raise NotImplementedError

    def execute(self, sql: str, params: Sequence[Any] = ()) -> None:
        """Run one statement with ``?`` placeholders and commit it (side tables only)."""
        raise NotImplementedError

    def close(self) -> None:
        """Close the connection."""
        raise NotImplementedError

    def _rebuild_heads_if_missing(self) -> None:
        """Fill the newest-protocol table of a ledger written before it existed (28 Nov 2026)."""
        empty = not self.query("SELECT 1 FROM ledger_protocol_head LIMIT 1")
        if empty and self.query("SELECT 1 FROM ledger_event WHERE station IS NOT NULL LIMIT 1"):
            # One statement, re-checking that the table is empty, and no conflict: another
            # process may append (event and head together) between the two queries above;
            # its head is then the newer one and stays.
            self.execute(
                "INSERT INTO ledger_protocol_head (station, election_id, source, seq) "
                "SELECT station, election_id, source, MAX(seq) FROM ledger_event "
                "WHERE station IS NOT NULL "
                "AND NOT EXISTS (SELECT 1 FROM ledger_protocol_head) "
                "GROUP BY station, election_id, source "
                "ON CONFLICT (station, election_id, source) DO NOTHING"
            )

    # ----- the contract --------------------------------------------------------------------
    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def writing(self, election_id: str) -> AbstractContextManager[Writer]:
        """A :class:`Writer` holding the election's write lock for one transaction.

        Use it when what to append depends on what is stored (protocol corrections): the
        read and the append then happen under the same lock.
        """
        store = self

        class _Ctx(AbstractContextManager[Writer]):
            def __enter__(self) -> Writer:
                if not ELECTION_ID.match(election_id):
                    raise LedgerError(
                        f"election id {election_id!r} is not a short slug "
                        "(lowercase letters, digits, '-')"
                    )
                self._cm = store._write_tx(election_id)
                seq, h = self._cm.__enter__()
                return Writer(store, election_id, seq, h)

            def __exit__(
                self,
                exc_type: type[BaseException] | None,
                exc: BaseException | None,
                tb: TracebackType | None,
            ) -> bool | None:
                return self._cm.__exit__(exc_type, exc, tb)

        return _Ctx()

    def append(
        self, election_id: str, items: Sequence[tuple[str, Mapping[str, Any], str]]
    ) -> list[Event]:
        """Append ``(kind, payload, author)`` items in one transaction, chained; return them."""
        with self.writing(election_id) as w:
            return w.append(items)

    def elections(self) -> list[str]:
        """Election ids in creation order."""
        return [
            r[0] for r in self.query("SELECT election_id FROM ledger_election ORDER BY position")
        ]

    def current_election(self) -> str:
        """The newest election (:class:`NotFound` if there is none)."""
        rows = self.query("SELECT election_id FROM ledger_election ORDER BY position DESC LIMIT 1")
        if not rows:
            raise NotFound("no election in this database; create one with 'shailoo init'")
        return str(rows[0][0])

    def election(self, election_id: str) -> Election:
        """The election as its ``election.defined`` event defines it.

        Cached per store by the hash of that event (a definition never changes; a national
        station list takes a while to decode, and the API asks for it on every protocol).
        """
        found = self.query(
            "SELECT hash FROM ledger_event WHERE election_id = ? AND seq = 1", (election_id,)
        )
        if not found:
            raise NotFound(f"no election {election_id!r}; known: {', '.join(self.elections())}")
        cache: dict[str, tuple[str, Election]] = self.__dict__.setdefault("_elections", {})
        hit = cache.get(election_id)
        if hit is not None and hit[0] == found[0][0]:
            return hit[1]
        text = self.definition_text(election_id)
        if text is None:
            raise NotFound(f"no election {election_id!r}; known: {', '.join(self.elections())}")
        election = election_from_json(text)
        cache[election_id] = (str(found[0][0]), election)
        return election

    def definition_text(self, election_id: str) -> str | None:
        """The payload of event 1 (``election.defined``) as its stored JSON text, or None.

        For readers that decode only part of it (:func:`shailoo.domain.definition.outline_from_json`).
        """
        rows = self.query(
            "SELECT payload FROM ledger_event WHERE election_id = ? AND seq = 1", (election_id,)
        )
        return str(rows[0][0]) if rows else None

    def events(
        self,
        election_id: str,
        after_seq: int = 0,
        kinds: Collection[str] | None = None,
    ) -> Iterator[Event]:
        """Stream the election's events with ``seq > after_seq`` in order, optionally by kind."""
        for row in self.event_rows(election_id, after_seq, kinds):
            yield row_to_event(row)

    def event_rows(
        self,
        election_id: str,
        after_seq: int = 0,
        kinds: Collection[str] | None = None,
    ) -> Iterator[tuple[Any, ...]]:
        """Stream raw rows in :data:`COLUMNS` order (payload as stored text), page by page."""
        kind_list = sorted(kinds) if kinds is not None else None
        if kind_list is not None and not kind_list:
            return
        where = "election_id = ? AND seq > ?"
        if kind_list is not None:
            where += f" AND kind IN ({', '.join('?' * len(kind_list))})"
        sql = (
            f"SELECT {', '.join(COLUMNS)} FROM ledger_event WHERE {where} ORDER BY seq LIMIT {PAGE}"
        )
        last = after_seq
        while True:
            rows = self.query(sql, (election_id, last, *(kind_list or ())))
            yield from rows
            if len(rows) < PAGE:
                return
            last = int(rows[-1][1])

    def event_payloads(
        self,
        election_id: str,
        after_seq: int = 0,
        *,
        without_details: Collection[str] = (),
        without_kinds: Collection[str] = (),
        up_to: int | None = None,
    ) -> Iterator[tuple[int, str, str | None, str | None, str | None, str]]:
        """Stream ``(seq, kind, author, recorded_at, hash, payload)`` of every event after
        ``after_seq`` (and up to ``up_to``, when given), in ledger order, the payload as stored
        JSON text.

        The columns a projection replays and nothing else, in pages of :data:`BULK_PAGE` rows
        (a rebuild of the tally reads the whole ledger; ``bench/tally.py``). For events of a
        kind in ``without_details`` the author, time and hash are not read and come back as
        ``None``; events of a kind in ``without_kinds`` are left out (a rebuild reads its
        protocols with :meth:`payload_pages` and everything else here).
        """
        skip = sorted(without_details)
        leave_out = sorted(without_kinds)
        if skip:
            bare = f"kind IN ({', '.join('?' * len(skip))})"
            details = ", ".join(
                f"CASE WHEN {bare} THEN NULL ELSE {c} END"
                for c in ("author", "recorded_at", "hash")
            )
        else:
            details = "author, recorded_at, hash"
        where = "election_id = ? AND seq > ?"
        if leave_out:
            where += f" AND kind NOT IN ({', '.join('?' * len(leave_out))})"
        if up_to is not None:
            where += " AND seq <= ?"
        sql = (
            f"SELECT seq, kind, {details}, payload FROM ledger_event "
            f"WHERE {where} ORDER BY seq LIMIT {BULK_PAGE}"
        )
        bound = () if up_to is None else (up_to,)
        last = after_seq
        while True:
            rows = self.query(sql, (*skip, *skip, *skip, election_id, last, *leave_out, *bound))
            yield from rows
            if len(rows) < BULK_PAGE:
                return
            last = int(rows[-1][0])

    def payload_pages(
        self, election_id: str, kinds: Collection[str], after_seq: int, up_to: int
    ) -> Iterator[tuple[list[str], list[int]]]:
        """Page by page of :data:`BULK_PAGE` sequence numbers in ``after_seq < seq <= up_to``:
        the payloads (stored JSON text) of the events of ``kinds``, in ledger order, and the
        ``seq`` of every other event there.

        Only those two columns, in one pass over the rows: a rebuild of the tally reads its
        100,000 protocols this way, their order being all it needs of their rows, and learns
        where the few other events are without a second scan (``load_tally``). A page may
        hold nothing.
        """
        kind_list = sorted(kinds)
        chosen = f"kind IN ({', '.join('?' * len(kind_list))})" if kind_list else "0 = 1"
        # the aliases matter: PostgreSQL names a CASE after its ELSE column, and ORDER BY
        # would then sort by the output column (NULL for every protocol), not the row's seq
        sql = (
            f"SELECT CASE WHEN {chosen} THEN payload END AS chosen_payload, "
            f"CASE WHEN {chosen} THEN NULL ELSE seq END AS other_seq FROM ledger_event "
            "WHERE election_id = ? AND seq > ? AND seq <= ? ORDER BY seq"
        )
        low = after_seq
        while low < up_to:
            high = min(low + BULK_PAGE, up_to)
            rows = self.query(sql, (*kind_list, *kind_list, election_id, low, high))
            # each row has exactly one of the two; filter(None) drops the NULLs in C (a
            # payload is never empty text, a seq never 0)
            yield (
                list(filter(None, map(_first, rows))),
                [int(seq) for seq in filter(None, map(_second, rows))],
            )
            low = high

    def first_event(self, election_id: str) -> Event | None:
        """Event 1 (``election.defined``) as stored, or None if the election has no events."""
        rows = self.query(
            f"SELECT {', '.join(COLUMNS)} FROM ledger_event WHERE election_id = ? AND seq = 1",
            (election_id,),
        )
        return row_to_event(rows[0]) if rows else None

    def head_link(self, election_id: str) -> tuple[int, str]:
        """``(seq, hash)`` of the newest event (genesis ``(0, "000…")`` when there is none):
        the head without decoding its payload."""
        return head_of(
            self.query(
                "SELECT seq, hash FROM ledger_event WHERE election_id = ? "
                "ORDER BY seq DESC LIMIT 1",
                (election_id,),
            )
        )

    def has_protocols(self, election_id: str) -> bool:
        """True if any protocol of the election is stored."""
        return bool(
            self.query(
                "SELECT 1 FROM ledger_protocol_head WHERE election_id = ? LIMIT 1", (election_id,)
            )
        )

    def head(self, election_id: str) -> Event | None:
        """The newest event of the election, or None if it has none."""
        rows = self.query(
            f"SELECT {', '.join(COLUMNS)} FROM ledger_event WHERE election_id = ? "
            "ORDER BY seq DESC LIMIT 1",
            (election_id,),
        )
        return row_to_event(rows[0]) if rows else None

    def latest_protocols(
        self, election_id: str, stations: Collection[str] | None = None
    ) -> dict[tuple[str, str], Event]:
        """The newest protocol event per ``(station, source)``; all stations when None."""
        return {
            (row[8], row[9]): row_to_event(row) for row in self._latest_rows(election_id, stations)
        }

    def latest_protocol_texts(
        self, election_id: str, stations: Collection[str]
    ) -> dict[tuple[str, str], str]:
        """:meth:`latest_protocols` as stored payload texts (canonical JSON), not decoded: an
        import compares a file's rows with them, and most are byte for byte the same."""
        return {(row[8], row[9]): row[7] for row in self._latest_rows(election_id, stations)}

    def _latest_rows(
        self, election_id: str, stations: Collection[str] | None
    ) -> list[tuple[Any, ...]]:
        """The rows (:data:`COLUMNS` order) of the newest protocol events of ``stations``."""
        if stations is None:
            return self.query(HEAD_JOIN, (election_id,))
        station_list = list(dict.fromkeys(stations))
        if not station_list:
            return []
        if self._stations_in_json:
            return self.query(
                f"{HEAD_JOIN} AND h.station IN ({self._stations_in_json})",
                (election_id, json.dumps(station_list)),
            )
        rows: list[tuple[Any, ...]] = []
        for i in range(0, len(station_list), 500):
            chunk = station_list[i : i + 500]
            rows += self.query(
                f"{HEAD_JOIN} AND h.station IN ({', '.join('?' * len(chunk))})",
                (election_id, *chunk),
            )
        return rows

    def protocol_history(self, election_id: str, station: str) -> list[Event]:
        """Every protocol event of one station, oldest first (all sources)."""
        rows = self.query(
            f"SELECT {', '.join(COLUMNS)} FROM {self._by_station} WHERE election_id = ? "
            f"AND station = ? AND kind IN ('{PROTOCOL_RECORDED}', '{PROTOCOL_CORRECTED}') "
            "ORDER BY seq",
            (election_id, station),
        )
        return [row_to_event(r) for r in rows]

    # ----- checkpoints ---------------------------------------------------------------------
    def add_checkpoint(self, cp: Checkpoint) -> None:
        """Store a signed checkpoint (made by :func:`shailoo.ledger.signing.sign_head`)."""
        self.execute(
            "INSERT INTO ledger_checkpoint (election_id, seq, hash, signed_at, public_key, "
            "signature) VALUES (?, ?, ?, ?, ?, ?)",
            (cp.election_id, cp.seq, cp.hash, cp.signed_at, cp.public_key, cp.signature),
        )

    def checkpoints(self, election_id: str) -> list[Checkpoint]:
        """The election's signed checkpoints in order of ``seq``."""
        rows = self.query(
            "SELECT election_id, seq, hash, signed_at, public_key, signature "
            "FROM ledger_checkpoint WHERE election_id = ? ORDER BY seq, signed_at",
            (election_id,),
        )
        return [Checkpoint(r[0], int(r[1]), r[2], r[3], r[4], r[5]) for r in rows]

    def count(self, election_id: str) -> int:
        """Number of events in the election's ledger."""
        head = self.query("SELECT MAX(seq) FROM ledger_event WHERE election_id = ?", (election_id,))
        return int(head[0][0] or 0)


def head_of(rows: list[tuple[Any, ...]]) -> tuple[int, str]:
    """``(seq, hash)`` from a ``SELECT seq, hash ... LIMIT 1`` result; genesis when empty."""
    if not rows:
        return 0, GENESIS_HASH
    return int(rows[0][0]), str(rows[0][1])
