"""The bulk-import path: protocols as plain counts, checked and encoded without objects.

A national file has 100,000 rows or more, and building a frozen :class:`Protocol`, a payload
dict, a findings list and an :class:`Event` per row costs more than reading the file. Here a row
that the CSV reader could parse (:data:`~shailoo.io.canonical.CountRow`) is tested by
:func:`is_clean`, a conservative predicate: it is true only when
:func:`~shailoo.checks.protocol.check_protocol` would return no finding at all. Such a row's
payload JSON is filled into a precomputed template (:meth:`ElectionTable.payload_json`, equal
byte for byte to :func:`~shailoo.ledger.encoding.canonical_json` of
:func:`~shailoo.intake.protocols.protocol_payload`; a property test checks both claims). Every
other row, and every row whose station already has a stored protocol from the same source
(a duplicate or a correction), becomes a :class:`Protocol` and goes through the reference checks
unchanged, so the outcome of an import never depends on which path a row took.
"""

from __future__ import annotations

import json
import operator
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeAlias

import msgspec

from shailoo import speedups
from shailoo.checks.protocol import (
    HIGH_TURNOUT_PERCENT,
    Finding,
    check_protocol,
    observer_source_refusal,
    same_counts,
)
from shailoo.domain.definition import Outline, outline_from_json, outline_from_payload
from shailoo.domain.errors import NotFound
from shailoo.domain.events import PROTOCOL_CORRECTED, PROTOCOL_RECORDED, protocol_from_payload
from shailoo.domain.model import Protocol, is_valid_source
from shailoo.intake.protocols import protocol_payload, protocol_payload_json
from shailoo.io.canonical import CountRow, Header, QuickRow, count_row_protocol
from shailoo.ledger.binary_copy import rows_from_copy
from shailoo.ledger.store import Store, chain_protocol_copy, chain_protocol_rows, utc_now

_string = json.encoder.encode_basestring  # what json uses with ensure_ascii=False
#: how the canonical payload of a protocol without warnings ends
_NO_WARNINGS = '"warnings":[]}'
#: the counts of a row, read as one JSON array of integers
_COUNTS = msgspec.json.Decoder(list[int])

#: the keys of a protocol payload before ``votes``, in sorted (canonical) order
#: (every count goes in by ``%s``: an int, or the digits of a CSV cell that msgspec read as
#: a JSON integer, which are then already its canonical text)
_PAYLOAD_HEAD = (
    '{"against_all":%s,"ballots_cast":%s,"ballots_issued":%s,"ballots_received":%s,'
    '"entered_by":%s,"invalid":%s,"reason":%s,"registered":%s,"source":%s,"station":%s,'
    '"votes":{'
)


class ElectionTable:
    """What an import needs from an election, read from its ``election.defined`` payload.

    Building :class:`~shailoo.domain.model.Election` decodes every station into a frozen
    dataclass; an import only needs each station's registered voters and units, so they are
    kept in plain dicts. ``allow_observer_sources``: rows with source ``observer:<id>`` may be
    recorded (only for a caller that checked the observer's accreditation and scope); otherwise
    they are refused with P007.
    """

    def __init__(self, outline: Outline, *, allow_observer_sources: bool = False) -> None:
        election_id, party_ids, registered, units = outline
        self.election_id = election_id
        self.allow_observer_sources = allow_observer_sources
        #: party ids in ballot order (the order of the count columns after the six lines)
        self.party_ids: tuple[str, ...] = party_ids
        self.party_set = frozenset(self.party_ids)
        self.sorted_parties = tuple(sorted(self.party_ids))
        #: station id -> voters on its list
        self.registered: dict[str, int] = registered
        self._read_units = units
        self._units: dict[str, tuple[str, str]] | None = None
        self._unpadded: dict[str, list[str]] | None = None
        # the sorted party keys go into the template literally ('%' doubled for printf)
        votes = ",".join(_string(k).replace("%", "%%") + ":%s" for k in self.sorted_parties)
        self._template = _PAYLOAD_HEAD + votes + "}," + _NO_WARNINGS
        ballot_position = {pid: 6 + i for i, pid in enumerate(self.party_ids)}
        positions = [ballot_position[k] for k in self.sorted_parties]
        self._sorted_votes: Callable[[Sequence[Any]], tuple[Any, ...]]
        if len(positions) == 1:
            only = positions[0]
            self._sorted_votes = lambda n: (n[only],)
        elif positions:
            self._sorted_votes = operator.itemgetter(*positions)
        else:
            self._sorted_votes = lambda n: ()
        self._json_strings: dict[str, str] = {}
        self._valid_sources: dict[str, bool] = {}
        self._payload_parts = _payload_parts(self.sorted_parties, ballot_position)

    @property
    def units(self) -> dict[str, tuple[str, str]]:
        """Station id -> (region, district); read from the definition on first use (only
        files with those columns need it)."""
        if self._units is None:
            self._units = self._read_units()
        return self._units

    def stations_without_zeros(self, number: str) -> list[str]:
        """Station ids equal to ``number`` once their leading zeros are stripped (``0009`` for
        ``9``): a spreadsheet cell holding the number 9 where the election has ``0009``.
        The index is built on first use (only files with numeric station cells need it)."""
        if self._unpadded is None:
            index: dict[str, list[str]] = {}
            for sid in self.registered:
                index.setdefault(sid.lstrip("0") or "0", []).append(sid)
            self._unpadded = index
        return self._unpadded.get(number.lstrip("0") or "0", [])

    @classmethod
    def of(
        cls, store: Store, election_id: str, *, allow_observer_sources: bool = False
    ) -> ElectionTable:
        """The table of ``election_id`` in ``store`` (:class:`NotFound` if it is not there)."""
        text = store.definition_text(election_id)
        if text is None:
            raise NotFound(f"no election {election_id!r}; known: {', '.join(store.elections())}")
        return cls(outline_from_json(text), allow_observer_sources=allow_observer_sources)

    @classmethod
    def from_payload(
        cls, payload: Mapping[str, Any], *, allow_observer_sources: bool = False
    ) -> ElectionTable:
        """The table of an ``election.defined`` payload already decoded."""
        return cls(outline_from_payload(payload), allow_observer_sources=allow_observer_sources)

    def valid_source(self, source: str) -> bool:
        """:func:`~shailoo.domain.model.is_valid_source` and, unless observer sources are
        allowed, not ``observer:<id>`` (P007); remembered per distinct value, so the bulk path
        pays one dict look-up per row."""
        ok = self._valid_sources.get(source)
        if ok is None:
            ok = self._valid_sources[source] = is_valid_source(source) and (
                self.allow_observer_sources or not source.startswith("observer:")
            )
        return ok

    def source_findings(self, source: str) -> list[Finding]:
        """The P007 finding for an observer source this table does not allow, else ``[]``
        (a new list each time: callers extend it)."""
        if self.allow_observer_sources:
            return []
        refusal = observer_source_refusal(source)
        return [] if refusal is None else [refusal]

    def row_findings(self, station: str, source: str) -> list[Finding]:
        """:meth:`source_findings`, and for an unknown station of digits that matches station
        ids once their leading zeros are dropped (``9`` where the list has ``0009``: a
        spreadsheet turned the id into a number on the way), a P002 that says so. The row
        is still refused: only a cell that is a number (XLSX) is matched to its station."""
        out = self.source_findings(source)
        if station.isdigit() and station not in self.registered:
            matches = sorted(self.stations_without_zeros(station))
            if matches:
                out.append(
                    Finding(
                        "P002",
                        "error",
                        f"station {station!r} is not in this election's station list; it "
                        f"matches {', '.join(matches[:5])} once leading zeros are dropped (a "
                        "spreadsheet may have dropped them): format the station column as text",
                        "station",
                        {"station": station, "candidates": matches},
                    )
                )
        return out

    def json_string(self, text: str) -> str:
        """A JSON string literal, remembered (sources and authors repeat on every row)."""
        out = self._json_strings.get(text)
        if out is None:
            out = _string(text)
            if len(self._json_strings) < 64:
                self._json_strings[text] = out
        return out

    def quick_row(self, header: Header) -> QuickRow:
        """For a CSV file with ``header``: a function that turns a clean row into its
        :data:`Ready` form in one step, or returns None (the row then goes the general way).

        The fused form of ``count_row`` + :func:`prepare` for the commonest row of a national
        file: every count cell plain ASCII digits, no region or district cell, a known station,
        a valid source, and :func:`is_clean`. The counts are read by msgspec as one JSON array
        (a third of the cost of ``int()`` per cell); a cell it refuses as JSON, such as
        ``007``, sends the row the general way. Digits msgspec accepts are already the
        canonical JSON of their number, so they go into the payload as they are.
        """
        width, registered = header.width, self.registered
        numbers = header.number_getter
        station_at = header.station_index
        # (0 region | 1 district, position) of the unit columns the file has; a value given
        # there must be the station's (check_units), else the row takes the general path
        unit_at = [
            (k, i)
            for k, i in enumerate((header.region_index, header.district_index))
            if i is not None
        ]
        units = self.units if unit_at else None
        source_at, entered_at, reason_at = (
            header.source_index,
            header.entered_by_index,
            header.reason_index,
        )
        c = speedups.native
        if c is not None and len(header.count_positions) + len(header.party_positions) <= 1000:
            # the same function in C (shailoo.speedups): a fifth of the time per row
            quick_c: QuickRow = c.QuickRow(
                width=width,
                number_at=(*header.count_positions, *header.party_positions),
                station_at=station_at,
                unit_at=tuple(
                    -1 if i is None else i for i in (header.region_index, header.district_index)
                ),
                source_at=-1 if source_at is None else source_at,
                entered_at=-1 if entered_at is None else entered_at,
                reason_at=-1 if reason_at is None else reason_at,
                registered=registered,
                units=units,
                valid_source=self.valid_source,
                encode=_string,
                parts=self._payload_parts,
                high_turnout=HIGH_TURNOUT_PERCENT,
            )
            return quick_c
        decode = _COUNTS.decode
        refused = (msgspec.DecodeError, msgspec.ValidationError)
        valid_source, json_string = self.valid_source, self.json_string
        template, sorted_votes = self._template, self._sorted_votes

        def quick(cells: list[str], line: int) -> Ready | None:
            if len(cells) != width:
                return None
            texts = numbers(cells)
            joined = ",".join(texts)
            # "-5", " 5" and "" are JSON too (or read as such): only plain digits here
            if not (joined.isascii() and joined.replace(",", "").isdigit()):
                return None
            try:
                n = decode("[" + joined + "]")
            except refused:
                return None
            station = cells[station_at].strip()
            source = (cells[source_at].strip() if source_at is not None else "") or "official"
            if not (station and valid_source(source) and is_clean(n, registered.get(station))):
                return None
            for k, i in unit_at:
                given = cells[i].strip()
                if given and (units is None or given != units[station][k]):
                    return None  # not the station's region or district: P006 on the general path
            entered_by = cells[entered_at].strip() if entered_at is not None else ""
            reason = cells[reason_at].strip() if reason_at is not None else ""
            payload = template % (
                texts[5],
                texts[3],
                texts[2],
                texts[1],
                _string(entered_by) if entered_by else "null",
                texts[4],
                _string(reason) if reason else "null",
                texts[0],
                json_string(source),
                _string(station),
                *sorted_votes(texts),
            )
            return (station, source, payload, line)

        return quick

    def payload_json(self, row: CountRow) -> str:
        """The canonical JSON of the payload of a clean row (no warnings).

        Equal to ``canonical_json(protocol_payload(to_protocol(row), party_ids))``.
        """
        n = row[5]
        entered_by, reason = row[3], row[4]
        return self._template % (
            n[5],
            n[3],
            n[2],
            n[1],
            "null" if entered_by is None else _string(entered_by),
            n[4],
            "null" if reason is None else _string(reason),
            n[0],
            self.json_string(row[2]),
            _string(row[1]),
            *self._sorted_votes(n),
        )


#: what fills the slots of :data:`_PAYLOAD_HEAD`, in order: a count by its place in a row's
#: numbers (registered, received, issued, cast, invalid, against all, parties), or one of the
#: text slots of the C module (-1 entered_by, -2 reason, -3 source, -4 station)
_HEAD_SLOTS = (5, 3, 2, 1, -1, 4, -2, 0, -3, -4)


def _payload_parts(
    sorted_parties: Sequence[str], ballot_position: Mapping[str, int]
) -> tuple[str | int, ...]:
    """The payload template as the C ``QuickRow`` takes it: literal texts and slots,
    alternating (the same text as ``ElectionTable._template`` once its slots are filled)."""
    literals = _PAYLOAD_HEAD.split("%s")
    parts: list[str | int] = []
    for literal, slot in zip(literals, _HEAD_SLOTS, strict=False):
        parts += [literal, slot]
    pending = literals[-1]
    for i, party in enumerate(sorted_parties):
        parts += [pending + ("," if i else "") + _string(party) + ":", ballot_position[party]]
        pending = ""
    parts.append(pending + "}," + _NO_WARNINGS)
    return tuple(parts)


def is_clean(numbers: Sequence[int], listed: int | None) -> bool:
    """True only if a protocol with these counts has no finding from the relation checks.

    ``numbers`` are registered, received, issued, cast, invalid, against all, then every
    party's votes (non-negative ints); ``listed`` is the station list's voters (None: unknown
    station). Mirrors P002 and P101–P108 of :func:`~shailoo.checks.protocol.check_protocol`
    (warnings included: a row with a warning takes the reference path so that the warning is
    stored). The sum test uses ``sum(numbers) = reg + rec + iss + cast + (invalid + against +
    party votes)``, so P101 holds iff ``sum(numbers) == reg + rec + iss + 2 * cast``.
    """
    if listed is None:
        return False
    reg, rec, iss, cast = numbers[0], numbers[1], numbers[2], numbers[3]
    return (
        cast <= iss <= rec
        and iss <= reg <= listed
        and cast * 100 <= reg * HIGH_TURNOUT_PERCENT
        and sum(numbers) == reg + rec + iss + 2 * cast
    )


class Pending:
    """A row for the reference path: its ``line``, its :class:`Protocol` and the ``extra``
    findings the importer already made (a region or district that does not match)."""

    __slots__ = ("extra", "line", "protocol")

    def __init__(self, line: int, protocol: Protocol, extra: list[Finding] | None = None) -> None:
        self.line = line
        self.protocol = protocol
        self.extra = extra if extra is not None else []

    def __reduce__(self) -> tuple[Any, ...]:
        # Protocol.votes is a read-only mapping proxy, which does not pickle: send plain values
        p = self.protocol
        fields: tuple[Any, ...] = (p.station, p.registered, p.ballots_received, p.ballots_issued)
        fields += (p.ballots_cast, p.invalid, p.against_all, dict(p.votes), p.source)
        fields += (p.entered_by, p.reason)
        return (_pending, (self.line, fields, self.extra))

    @property
    def key(self) -> tuple[str, str]:
        """``(station, source)``."""
        return (self.protocol.station, self.protocol.source)


def _pending(line: int, fields: tuple[Any, ...], extra: list[Finding]) -> Pending:
    """Rebuild a :class:`Pending` sent from the parser process."""
    return Pending(line, Protocol(*fields), extra)


#: a clean row, ready to chain: ``(station, source, payload_json, line)`` (small, so that a
#: parser process can send it cheaply; the payload holds the whole protocol)
Ready: TypeAlias = tuple[str, str, str, int]


def prepare(table: ElectionTable, row: CountRow) -> Ready | Pending:
    """What can be decided about a row before the ledger is read (no I/O, any thread).

    A row that passes :func:`is_clean` with a valid source gets its payload JSON now; every
    other row becomes a :class:`Pending` for the reference checks. Whether a protocol is
    stored already for the station is only known under the write lock (:func:`record_batch`).
    """
    if table.valid_source(row[2]) and is_clean(row[5], table.registered.get(row[1])):
        return (row[1], row[2], table.payload_json(row), row[0])
    return Pending(
        row[0], count_row_protocol(row, table.party_ids), table.row_findings(row[1], row[2])
    )


def protocol_findings(
    table: ElectionTable, p: Protocol, previous: Protocol | None, extra: list[Finding]
) -> list[Finding]:
    """The reference checks of ``p`` against the stored ``previous`` (None: the first of its
    station and source), with the importer's own ``extra`` findings."""
    findings = check_protocol(
        p, None, previous, station_registered=table.registered, party_ids=table.party_set
    )
    if extra:
        # the importer's own finding replaces the checks' one of the same code (its P002 for a
        # numeric station cell says more: the leading zeros)
        codes = {f.code for f in extra}
        findings = [f for f in findings if f.code not in codes] + extra
    return findings


@dataclass
class BatchResult:
    """What :func:`record_batch` did."""

    recorded: int = 0
    corrected: int = 0
    duplicates: int = 0
    #: warning code -> how many recorded protocols carry it
    warnings: dict[str, int] = field(default_factory=dict)
    #: ``(line, protocol, findings)`` of every refused row
    rejected: list[tuple[int, Protocol, list[Finding]]] = field(default_factory=list)


def record_batch(
    store: Store,
    table: ElectionTable,
    entries: Sequence[Ready | Pending],
    author: str,
) -> BatchResult:
    """Check and record one batch in one transaction; the bulk form of ``record_protocols``.

    Same rules as :func:`~shailoo.intake.protocols.record_protocols`: an exact duplicate of
    the stored protocol of the same station and source is skipped, a protocol with an error
    finding is refused, the others are appended as ``protocol.recorded`` or (when one is stored
    already) ``protocol.corrected``, with their warnings in the payload. The look-up of stored
    protocols and the append happen under the election's write lock. Each ``(station,
    source)`` may appear once per batch (the importer refuses a repeat with P202 first).
    """
    result = BatchResult()
    keys = [(e[0], e[1]) if type(e) is tuple else e.key for e in entries]  # type: ignore[union-attr]
    if len(set(keys)) != len(keys):
        raise ValueError("a (station, source) appears twice in one batch")
    with store.writing(table.election_id) as w:
        # the stored payloads stay text until one is needed: a re-imported file's rows are
        # byte for byte the payloads stored (canonical JSON), and equal texts are equal counts
        stored = w.latest_protocol_texts({k[0] for k in keys})
        latest: dict[tuple[str, str], Protocol] = {}
        items: list[tuple[str, str, str, str]] = []
        for entry, key in zip(entries, keys, strict=True):
            if type(entry) is tuple:
                text = stored.get(key)
                if text is None:
                    items.append((PROTOCOL_RECORDED, entry[2], entry[0], entry[1]))
                    continue
                if text == entry[2]:
                    result.duplicates += 1  # what same_counts would say, without decoding
                    continue
                # a stored protocol: duplicate or correction, decided by the reference rules
                line, extra = entry[3], []
                p = protocol_from_payload(json.loads(entry[2]))
            else:
                assert isinstance(entry, Pending)
                line, p, extra = entry.line, entry.protocol, entry.extra
            previous = latest.get(key)
            if previous is None and key in stored:
                previous = latest[key] = protocol_from_payload(json.loads(stored[key]))
            if previous is not None and same_counts(previous, p) and not extra:
                result.duplicates += 1
                continue
            findings = protocol_findings(table, p, previous, extra)
            if any(f.is_error for f in findings):
                result.rejected.append((line, p, findings))
                continue
            kind = PROTOCOL_RECORDED if previous is None else PROTOCOL_CORRECTED
            payload = protocol_payload(p, table.party_ids, findings)
            items.append(
                (kind, protocol_payload_json(payload, table.sorted_parties), p.station, p.source)
            )
            if kind == PROTOCOL_CORRECTED:
                result.corrected += 1
            for f in findings:
                result.warnings[f.code] = result.warnings.get(f.code, 0) + 1
            latest[key] = p
        # no key of this batch had a stored protocol: the head table gets plain inserts
        result.recorded = w.append_protocol_texts(author, items, new_heads=not stored)
    return result


@dataclass
class Chained:
    """A batch checked and chained in advance by the importer's parser process.

    Into an election with no stored protocol, what a batch records depends only on the file
    (a second row of a station and source is refused earlier, P202): every row is either
    refused or a new ``protocol.recorded``. So the parser process can run the checks and the
    SHA-256 chain itself, from the head it expects, while the writer stores the batch
    before; :func:`record_chained` then only inserts, after checking under the write lock
    that the ledger did not move meanwhile.
    """

    #: the head ``(seq, hash)`` the batch was chained after
    after: tuple[int, str]
    #: the ledger rows of the accepted protocols, in file order (payloads with their warnings)
    rows: list[tuple[Any, ...]]
    #: the file line of each row
    lines: list[int]
    #: warning code -> how many of ``rows`` carry it
    warnings: dict[str, int]

    @property
    def head(self) -> tuple[int, str]:
        """The head after this batch: where the next one is chained from."""
        if not self.rows:
            return self.after
        return (self.rows[-1][1], self.rows[-1][6])

    def ready(self) -> list[Ready]:
        """The rows as :data:`Ready` entries, for recording them the ordinary way."""
        return [(r[8], r[9], r[7], line) for r, line in zip(self.rows, self.lines, strict=True)]


@dataclass
class Packed:
    """A :class:`Chained` batch whose rows travel as binary COPY data (for a store that
    :attr:`~shailoo.ledger.store.Store.packs_rows`): the parser process sends one bytes value
    instead of thousands of row tuples, and the writer sends it to the database unchanged."""

    #: the head ``(seq, hash)`` the batch was chained after
    after: tuple[int, str]
    #: the head after the batch
    head: tuple[int, str]
    #: the rows in :mod:`shailoo.ledger.binary_copy` form
    data: bytes
    #: the file line of each row
    lines: list[int]
    #: warning code -> how many of the rows carry it
    warnings: dict[str, int]

    def ready(self) -> list[Ready]:
        """The rows as :data:`Ready` entries, for recording them the ordinary way."""
        rows = rows_from_copy(self.data)
        return [(r[8], r[9], r[7], line) for r, line in zip(rows, self.lines, strict=True)]


FreshItems = tuple[
    list[tuple[str, str, str, str]],
    list[int],
    list[tuple[int, Protocol, list[Finding]]],
    dict[str, int],
]


def _fresh_items(table: ElectionTable, entries: Sequence[Ready | Pending]) -> FreshItems:
    """Check ``entries`` as :func:`record_batch` would with no protocol stored: the items to
    chain ``(kind, payload, station, source)``, their lines, the refused rows, the warnings."""
    items: list[tuple[str, str, str, str]] = []
    lines: list[int] = []
    refused: list[tuple[int, Protocol, list[Finding]]] = []
    warnings: dict[str, int] = {}
    recorded = PROTOCOL_RECORDED
    for entry in entries:
        if type(entry) is tuple:
            items.append((recorded, entry[2], entry[0], entry[1]))
            lines.append(entry[3])
            continue
        assert isinstance(entry, Pending)
        p = entry.protocol
        findings = protocol_findings(table, p, None, entry.extra)
        if any(f.is_error for f in findings):
            refused.append((entry.line, p, findings))
            continue
        payload = protocol_payload(p, table.party_ids, findings)
        items.append(
            (recorded, protocol_payload_json(payload, table.sorted_parties), p.station, p.source)
        )
        lines.append(entry.line)
        for f in findings:
            warnings[f.code] = warnings.get(f.code, 0) + 1
    return items, lines, refused, warnings


def chain_fresh(
    table: ElectionTable,
    entries: Sequence[Ready | Pending],
    author: str,
    after: tuple[int, str],
) -> tuple[Chained, list[tuple[int, Protocol, list[Finding]]]]:
    """Check ``entries`` as :func:`record_batch` would with no protocol stored, and chain the
    accepted ones after ``after``; return the :class:`Chained` batch and the refused rows."""
    items, lines, refused, warnings = _fresh_items(table, entries)
    rows = chain_protocol_rows(table.election_id, author, utc_now(), after[0], after[1], items)
    return Chained(after, rows, lines, warnings), refused


def pack_fresh(
    table: ElectionTable,
    entries: Sequence[Ready | Pending],
    author: str,
    after: tuple[int, str],
) -> tuple[Packed, list[tuple[int, Protocol, list[Finding]]]]:
    """:func:`chain_fresh` with the rows written straight as binary COPY data
    (:func:`~shailoo.ledger.store.chain_protocol_copy`, the C module): a :class:`Packed`
    batch for a store that takes them."""
    items, lines, refused, warnings = _fresh_items(table, entries)
    if not items:
        return Packed(after, after, b"", lines, warnings), refused
    data, head = chain_protocol_copy(
        table.election_id, author, utc_now(), after[0], after[1], items
    )
    return Packed(after, head, data, lines, warnings), refused


def record_chained(
    store: Store, table: ElectionTable, batch: Chained | Packed, author: str
) -> BatchResult:
    """Store a :class:`Chained` (or :class:`Packed`) batch; when the ledger moved since it was
    chained (another writer appended), record its rows the ordinary way
    (:func:`record_batch`) instead."""
    with store.writing(table.election_id) as w:
        if isinstance(batch, Packed):
            done = w.append_packed(batch.data, after=batch.after, head=batch.head)
        else:
            done = w.append_chained(batch.rows, after=batch.after)
    if done:
        return BatchResult(recorded=len(batch.lines), warnings=dict(batch.warnings))
    # a row with warnings is checked again (they are counted, and may differ now)
    entries: list[Ready | Pending] = [
        r if r[2].endswith(_NO_WARNINGS) else Pending(r[3], protocol_from_payload(json.loads(r[2])))
        for r in batch.ready()
    ]
    return record_batch(store, table, entries, author)
