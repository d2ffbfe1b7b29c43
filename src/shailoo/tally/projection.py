"""The tally: a projection of one election's ledger into results by station and unit.

The state is a station x line matrix of integers (lines: the protocol's counts, a "reported"
flag, an "annulled" flag, a "re-run" flag, then one column per party) and its sums per district,
region and nation. A protocol event replaces one station's row and adds the difference to the
three units above it, so it costs work in proportion to the number of parties, never a recount.
:meth:`Tally.rebuild` applies the events without aggregating and sums the matrix once at the end;
both paths produce the same state (``tests/tally/test_rebuild_property.py``).

Two matrices are kept: ``as reported`` (the accepted protocol of every station, annulled or not,
so that what was annulled stays readable) and ``counted`` (what the results and the seats use:
annulled stations dropped, or replaced by a partial re-run's protocol).
"""

from __future__ import annotations

import json
import operator
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from itertools import chain, compress, repeat
from typing import Any, cast

import msgspec
import numpy as np
from msgspec.structs import astuple

from shailoo import speedups
from shailoo.domain.events import (
    DECISION_MADE,
    DECISION_REVOKED,
    ELECTION_DEFINED,
    ELECTION_REPLACED,
    INCIDENT_REPORTED,
    INCIDENT_UPDATED,
    PROTOCOL_CORRECTED,
    PROTOCOL_RECORDED,
    RECONCILIATION_RESOLVED,
    Event,
)
from shailoo.domain.model import Election, Protocol, VoteTotals
from shailoo.tally.counting import (
    NO_OFFICIAL,
    NUMERIC_FIELDS,
    OFFICIAL,
    accepted_protocol,
    protocol_from_payload,
)
from shailoo.tally.payloads import (
    REFUSED,
    ProtocolPayload,
    Version,
    ballot_order,
    payload_decoder,
    read_head,
)
from shailoo.tally.units import Decision, StationStatus, UnitResult, normalise_level

# Column layout of a station row.
_REPORTED = len(NUMERIC_FIELDS)  # 1 if a protocol counts for the station
_ANNULLED = _REPORTED + 1  # 1 if a standing decision annuls the station
_RERUN = _ANNULLED + 1  # 1 if the station is annulled and a partial re-run covers it
_PARTY0 = _RERUN + 1
_ROW = dict(zip(NUMERIC_FIELDS, range(len(NUMERIC_FIELDS)), strict=True))

_HEAD = operator.itemgetter(*NUMERIC_FIELDS)
_PROTOCOL_KINDS = frozenset({PROTOCOL_RECORDED, PROTOCOL_CORRECTED})
_ID = operator.attrgetter("id")
_REGION = operator.attrgetter("region")
_DISTRICT = operator.attrgetter("district")
_REGISTERED = operator.attrgetter("registered")
_STATION = operator.attrgetter("station")
_SOURCE = operator.attrgetter("source")
_VOTES = operator.attrgetter("votes")
#: the ``source`` values a protocol payload may give for the official protocol
_OFFICIAL_NAMES = frozenset({None, "", OFFICIAL})

#: above this many stations a decision recomputes the sums instead of updating them row by row
_BULK = 256

#: incident statuses after which a station is no longer under incident
_CLOSED_INCIDENT = frozenset({"dismissed"})


class Tally:
    """Current results of one election, kept up to date event by event.

    >>> t = Tally(election)                       # doctest: +SKIP
    >>> for event in store.events(election.id):   # doctest: +SKIP
    ...     t.apply(event)
    >>> t.unit("region", "Chui").turnout          # doctest: +SKIP
    """

    def __init__(self, election: Election) -> None:
        self.election = election
        self.party_ids: tuple[str, ...] = election.party_ids
        self._party_col = {p: _PARTY0 + i for i, p in enumerate(self.party_ids)}
        self._zeros = (0,) * len(self.party_ids)
        self._width = _PARTY0 + len(self.party_ids)
        stations = election.stations
        n = len(stations)
        # one column per attribute, read by C-level getters: a rebuild of a national list
        # starts here, and a Python loop per station per attribute showed in its profile
        self._station_ids = list(map(_ID, stations))
        region_col = list(map(_REGION, stations))
        district_col = list(map(_DISTRICT, stations))
        self._sidx = dict(zip(self._station_ids, range(n), strict=True))
        self.regions: list[str] = list(dict.fromkeys(region_col))
        self.districts: list[str] = list(dict.fromkeys(district_col))
        self._ridx = dict(zip(self.regions, range(len(self.regions)), strict=True))
        self._didx = dict(zip(self.districts, range(len(self.districts)), strict=True))
        self._region_of = np.fromiter(map(self._ridx.__getitem__, region_col), np.intp, n)
        self._district_of = np.fromiter(map(self._didx.__getitem__, district_col), np.intp, n)
        self.region_of_district: dict[str, str] = dict(zip(district_col, region_col, strict=True))
        self._list_registered = np.fromiter(map(_REGISTERED, stations), np.int64, n)
        self._runs = _UnitRuns(
            self._region_of, self._district_of, len(self.regions), len(self.districts)
        )
        self._rows_all = np.zeros((n, self._width), dtype=np.int64)
        self._rows = np.zeros((n, self._width), dtype=np.int64)
        self._agg_all = self._empty_aggregates()
        self._agg = self._empty_aggregates()
        # A version is kept as its ledger payload until someone reads it as a Protocol
        # (building ~100,000 Protocol objects would dominate a rebuild; see bench/tally.py).
        # A rebuild keeps it as the struct msgspec decodes (shailoo.tally.payloads), or a
        # canonical official payload as its text until read (_official_version). The
        # official versions are a list by station index: a rebuild fills it without a dict
        # operation per station. Which version counts is not stored: _choice reads it off
        # the versions and the reconciliations whenever asked (the rows hold its figures).
        self._official: list[Version | str | None] = [None] * n
        self._others: dict[str, dict[str, Version]] = {}
        # what the full counting rule chose (double entry, a reconciliation), until the
        # station's versions or reconciliation change: it compares and builds Protocols
        self._ruled: dict[str, tuple[Version | None, str]] = {}
        # stations a reconciliation named while a rebuild was deferring their rows
        self._dirty: set[str] = set()
        # pages kept in bulk while a rebuild defers: station indices, the versions (decoded
        # structs, or the payload texts canonical_counts read), their count rows if read
        self._bulk: list[tuple[list[int], list[Any], np.ndarray | None]] = []
        self._text_decoder: Callable[[str | bytes], ProtocolPayload] | None = None
        self._resolved: dict[str, str] = {}
        self._cover = np.zeros(n, dtype=np.int32)
        self._substitutes: dict[str, tuple[str, Protocol | None]] = {}
        self.decisions: dict[str, Decision] = {}
        # standing decisions by (action, level, unit), in ledger order: read for every unit
        self._standing: dict[tuple[str, str, str], list[str]] = {}
        self._incident_station: dict[str, str] = {}
        self._incident_status: dict[str, str] = {}
        #: re-runs that replace this election or part of it: ``{"by", "scope", "seq"}``
        self.replaced_by: list[dict[str, Any]] = []
        #: protocols for stations the election does not define (kept aside, never counted)
        self.unknown_stations: set[str] = set()
        self.head_seq = 0
        self.head_hash = ""
        self._deferred = False

    # ----- building -------------------------------------------------------------------------
    def _empty_aggregates(self) -> dict[str, np.ndarray]:
        return {
            "nation": np.zeros((1, self._width), dtype=np.int64),
            "region": np.zeros((len(self.regions), self._width), dtype=np.int64),
            "district": np.zeros((len(self.districts), self._width), dtype=np.int64),
        }

    @classmethod
    def rebuild(cls, election: Election, events: Iterable[Event]) -> Tally:
        """Build the tally from scratch from the ledger's events (in order).

        Applies every event without touching the sums, then sums the matrix once; the
        result equals applying the same events one by one to an empty :class:`Tally`.
        """
        tally = cls(election)
        tally._deferred = True
        for event in events:
            tally.apply(event)
        tally._finish_rebuild()
        return tally

    @classmethod
    def rebuild_from_rows(cls, election: Election, rows: Iterable[Sequence[Any]]) -> Tally:
        """Build the tally from scratch from raw ledger rows, as :meth:`rebuild` does.

        ``rows`` are ``(seq, kind, author, recorded_at, hash, payload)`` in ledger order with
        the payload as stored JSON text (:meth:`shailoo.ledger.Store.event_payloads`). A
        row may come without its hash (``None``, as protocols may there); if the last row
        does, ``head_hash`` is left empty for the caller to read. The protocols are replayed
        as :meth:`rebuild_from_ledger` replays them, everything else through :meth:`apply`.
        """
        protocols: list[str | bytes] = []
        others: list[Sequence[Any]] = []
        head_seq, head_hash = 0, ""
        for row in rows:
            (protocols.append(row[5]) if row[1] in _PROTOCOL_KINDS else others.append(row))
            head_seq = max(head_seq, int(row[0]))
            # a hash not read (None) leaves the head's hash to the caller ("")
            head_hash = "" if row[4] is None else row[4] or head_hash
        tally = cls.rebuild_from_ledger(election, [protocols], others)
        tally.head_seq, tally.head_hash = head_seq, head_hash
        return tally

    @classmethod
    def rebuild_from_ledger(
        cls,
        election: Election,
        protocol_pages: Iterable[Sequence[str | bytes]],
        other_rows: Iterable[Sequence[Any]],
    ) -> Tally:
        """Build the tally from scratch from the ledger read as two streams, as :meth:`rebuild`.

        ``protocol_pages``: the payloads (stored JSON text) of every protocol event, in
        ledger order, in lists (:meth:`shailoo.ledger.Store.payload_pages`). ``other_rows``:
        every other event as ``(seq, kind, author, recorded_at, hash, payload)`` in ledger
        order (:meth:`shailoo.ledger.Store.event_payloads`), iterated once every page has
        been. ``head_seq`` / ``head_hash`` are those of ``other_rows``; the caller sets the
        ledger's own head.

        Why the two streams may be read apart: a rebuild defers every decision to its end.
        Until then a protocol only replaces the version it supersedes (so protocols keep
        their order among themselves), a decision only marks its stations and a
        reconciliation only names its source; none of these reads what the others did.
        Protocol payloads are decoded straight into
        :class:`~shailoo.tally.payloads.ProtocolPayload` structs and kept in bulk (no Python
        code per protocol in the common case); a page holding a payload the strict struct
        refuses is replayed one by one, that payload through the generic path. The state is
        the event-by-event one (``tests/tally/test_rebuild_rows_property.py``).
        """
        tally = cls(election)
        tally._deferred = True
        generic = msgspec.json.Decoder().decode
        try:
            decode = payload_decoder(tally.party_ids)
        except ValueError:
            # msgspec takes no party id with a quote, a backslash or a control character as a
            # field name (the setup files refuse such ids; the library does not): every
            # protocol then goes the generic way, as apply() takes it
            for page in protocol_pages:
                for text in page:
                    tally._apply_protocol(generic(text))
            return tally._rebuilt(election, other_rows, generic)
        native = speedups.native
        keys = tuple(
            json.dumps(p, ensure_ascii=False).encode() + b":" for p in ballot_order(tally.party_ids)
        )
        for page in protocol_pages:
            # a page of canonical official payloads: their counts read in C, each kept as its
            # text until someone reads the station (shailoo.speedups; else decoded here)
            counts = (
                None
                if native is None
                else native.canonical_counts(page, keys, tally._sidx, tally._width - _PARTY0 + 6)
            )
            if counts is not None:
                tally._keep_texts(page, *counts)
                continue
            try:
                decoded = list(map(decode, page))
            except REFUSED:
                tally._keep_one_by_one(page, decode)
            else:
                tally._keep_payloads(decoded)
        return tally._rebuilt(election, other_rows, generic)

    def _rebuilt(
        self,
        election: Election,
        other_rows: Iterable[Sequence[Any]],
        generic: Callable[[str | bytes], Any],
    ) -> Tally:
        """The end of :meth:`rebuild_from_ledger`: the other events applied in ledger order
        (once every protocol page was read), then every deferred row filled."""
        for seq, kind, author, recorded_at, hash_, payload in other_rows:
            self.apply(
                Event(
                    int(seq),
                    kind,
                    generic(payload),
                    author or "",
                    recorded_at or "",
                    election.id,
                    hash_ or "",
                )
            )
        self._finish_rebuild()
        return self

    def _keep_texts(self, page: Sequence[str | bytes], at: list[int], rows: bytes) -> None:
        """Keep a page of canonical official payloads (in ledger order) as the newest
        versions, while deferred: each as its text (decoded when its station is read), with
        its count row (:func:`shailoo._speedups.canonical_counts`)."""
        texts = cast("list[str]", list(page))  # canonical_counts read only str payloads
        deque(map(self._official.__setitem__, at, texts), maxlen=0)
        width = len(NUMERIC_FIELDS) + len(self.party_ids)
        self._bulk.append((at, texts, np.frombuffer(rows, np.int64).reshape(len(texts), width)))
        self._ruled.clear()

    def _official_version(self, i: int) -> Version | None:
        """The newest official version of station ``i``; a payload kept as its text is
        decoded now (and kept decoded, once the rebuild is done)."""
        v = self._official[i]
        if not isinstance(v, str):
            return v
        decoded = self._decode_text(v)
        if not self._deferred:  # a deferred rebuild still tells versions by identity
            self._official[i] = decoded
        return decoded

    def _decode_text(self, text: str) -> ProtocolPayload:
        """A payload text canonical_counts read, as the struct a rebuild decodes."""
        decode = self._text_decoder
        if decode is None:
            decode = self._text_decoder = payload_decoder(self.party_ids)
        return decode(text)

    def _keep_payloads(self, decoded: list[ProtocolPayload]) -> None:
        """Keep decoded protocols (in ledger order) as the newest versions, while deferred."""
        stations = list(map(_STATION, decoded))
        at = list(map(self._sidx.get, stations, repeat(-1)))
        if -1 not in at and set(map(_SOURCE, decoded)) <= _OFFICIAL_NAMES:
            # every one official and of a known station (the common case): written in ledger
            # order by station index, so the newest of a station is the one that stays
            deque(map(self._official.__setitem__, at, decoded), maxlen=0)
            self._bulk.append((at, decoded, None))
            self._ruled.clear()  # (empty while a rebuild defers: nothing has been read yet)
            return
        self._keep_each(zip(stations, decoded, strict=True))

    def _keep_one_by_one(
        self, page: Sequence[str | bytes], decode: Callable[[str | bytes], ProtocolPayload]
    ) -> None:
        """:meth:`_keep_payloads` for a page with a payload the strict struct refuses."""
        generic = msgspec.json.Decoder().decode
        structs: list[tuple[str, ProtocolPayload]] = []
        for text in page:
            try:
                proto = decode(text)
            except REFUSED:
                self._keep_each(structs)  # the structs before it, in ledger order
                structs = []
                self._apply_protocol(generic(text))  # the generic path, as apply() takes it
            else:
                structs.append((proto.station, proto))
        self._keep_each(structs)

    def _keep_each(self, protocols: Iterable[tuple[str, ProtocolPayload]]) -> None:
        """Keep decoded protocols one by one (in ledger order), the official ones also for
        the bulk fill at the end of the rebuild."""
        at: list[int] = []
        kept: list[ProtocolPayload] = []
        for station, proto in protocols:
            source = proto.source or OFFICIAL
            if self._keep_version(station, source, proto) and source == OFFICIAL:
                at.append(self._sidx[station])
                kept.append(proto)
        self._bulk.append((at, kept, None))

    def _finish_rebuild(self) -> None:
        """Fill the reported matrix once from what counts for every station, then sum once.

        A rebuild starts from an empty tally and defers every row to here. In the common
        case the newest official protocol counts: the rows of the decoded ones are filled in
        bulk, in the order they were read (memory order, whatever the order of the stations
        in the ledger), any other (read the generic way) one by one. A station a
        reconciliation named (``_dirty``), and every station under double data entry, is
        decided by :meth:`_choice` one by one.
        """
        self._deferred = False
        n = len(self._station_ids)
        self._rows_all = np.zeros((n, self._width), dtype=np.int64)
        bulk, self._bulk = self._bulk, []
        if self.election.double_entry:
            decide: Iterable[str] = chain(self._stations_with_versions(), self._dirty)
        else:
            official = self._official
            at = list(chain.from_iterable(page_at for page_at, _, _ in bulk))
            kept = list(chain.from_iterable(page for _, page, _ in bulk))
            matrix = (
                np.concatenate(
                    [
                        rows if rows is not None else self._payload_matrix(page)
                        for _, page, rows in bulk
                    ]
                )
                if kept
                else None
            )
            # a kept protocol whose station has a newer one (or a newer one read the generic
            # way) is not what counts: the newest is the one the official list holds
            newest = list(map(operator.is_, map(official.__getitem__, at), kept))
            if not all(newest):
                at, kept = list(compress(at, newest)), list(compress(kept, newest))
                if matrix is not None:
                    matrix = matrix[np.array(newest, dtype=bool)]
            if kept and matrix is not None:
                self._fill_payload_rows(np.array(at, dtype=np.intp), matrix)
            if len(kept) < n - official.count(None):
                # the newest official version of some stations was read the generic way
                rest = np.fromiter(map(operator.is_not, official, repeat(None)), bool, count=n)
                rest[np.array(at, dtype=np.intp)] = False
                for i in np.flatnonzero(rest).tolist():
                    self._rows_all[i] = self._vector(official[i])
            decide = self._dirty  # reconciled stations: the rule with their accepted source
        for station in decide:
            j = self._sidx.get(station)
            if j is not None:
                choice = self._choice(station)
                self._rows_all[j] = self._vector(choice[0] if choice else None)
        self._dirty.clear()
        self._rows = self._rows_all.copy()
        self._recompute_counted(np.flatnonzero(self._cover))
        self._recompute_aggregates()

    def _payload_matrix(self, payloads: list[ProtocolPayload]) -> np.ndarray:
        """The count rows of decoded payloads: :data:`NUMERIC_FIELDS`, then the votes in
        sorted party order (C-level getters; no Python code per payload)."""
        m, n_head, k = len(payloads), len(NUMERIC_FIELDS), len(self.party_ids)
        native = speedups.native
        if native is not None:
            # the same numbers read in C (shailoo.speedups): no Python int passes an iterator
            return np.frombuffer(
                native.int_rows(payloads, ((read_head,), (_VOTES, astuple)), n_head + k),
                dtype=np.int64,
            ).reshape(m, n_head + k)
        heads = np.fromiter(
            chain.from_iterable(map(read_head, payloads)), dtype=np.int64, count=m * n_head
        ).reshape(m, n_head)
        votes = np.fromiter(
            chain.from_iterable(map(astuple, map(_VOTES, payloads))), dtype=np.int64, count=m * k
        ).reshape(m, k)
        return np.hstack([heads, votes])

    def _fill_payload_rows(self, at: np.ndarray, matrix: np.ndarray) -> None:
        """Write rows ``at`` (distinct station indices) of the zeroed reported matrix from
        ``matrix`` (:meth:`_payload_matrix`'s form): what :meth:`_vector` gives one by one.
        The votes come in sorted party order and go to their ballot columns. When the rows
        are every station in list order (a ledger recorded in station order), the matrix is
        written in place instead of through a 20 MB copy.
        """
        m, n_head = len(matrix), len(NUMERIC_FIELDS)
        heads, votes = matrix[:, :n_head], matrix[:, n_head:]
        rows = self._rows_all
        in_order = m == len(rows) and bool((at == np.arange(m)).all())
        out = rows if in_order else np.zeros((m, self._width), dtype=np.int64)
        out[:, :n_head] = heads
        out[:, _REPORTED] = 1
        columns = [self._party_col[p] for p in ballot_order(self.party_ids)]
        if columns == list(range(_PARTY0, self._width)):
            out[:, _PARTY0:] = votes  # the ballot lists the parties sorted: no permutation
        else:
            out[:, columns] = votes
        if not in_order:
            rows[at] = out

    def _recompute_aggregates(self) -> None:
        pairs = [(self._agg_all, self._rows_all)]
        if self._cover.any():
            pairs.append((self._agg, self._rows))
        for agg, rows in pairs:
            nation, regions, districts = self._runs.sums(rows)
            agg["nation"][0] = nation
            agg["region"][:] = regions
            agg["district"][:] = districts
        if len(pairs) == 1:
            # no station annulled: the counted rows are the rows as reported, and so are the sums
            for level, sums in self._agg_all.items():
                self._agg[level][:] = sums

    def _vector(self, proto: Version | str | None) -> list[int]:
        if proto is None:
            return [0] * self._width
        if isinstance(proto, str):  # a payload text kept by a rebuild
            proto = self._decode_text(proto)
        head: tuple[int, ...]
        votes: Mapping[str, int]
        if isinstance(proto, ProtocolPayload):
            # a rebuild fills these in bulk (_fill_payload_rows); this is for single updates
            head = read_head(proto)
            votes = proto.votes.as_dict()
        elif isinstance(proto, Protocol):
            head = (
                proto.registered,
                proto.ballots_received,
                proto.ballots_issued,
                proto.ballots_cast,
                proto.invalid,
                proto.against_all,
            )
            votes = proto.votes
        else:
            head = _HEAD(proto)
            votes = proto["votes"]
        # C-level lookups: this runs once per protocol in a rebuild. A party not on this
        # election's ballot is never counted; a party missing from the protocol counts 0.
        return [*head, 1, 0, 0, *map(votes.get, self.party_ids, self._zeros)]

    def _counted_row(self, i: int) -> np.ndarray:
        """What station ``i`` contributes to the results, from its row as reported."""
        if self._cover[i] == 0:
            same: np.ndarray = self._rows_all[i].copy()
            return same
        sub = self._substitutes.get(self._station_ids[i])
        row = np.asarray(self._vector(sub[1] if sub else None), dtype=np.int64)
        row[_ANNULLED] = 1
        if sub is not None:
            row[_RERUN] = 1
        return row

    def _recompute_counted(self, idx: np.ndarray) -> None:
        for i in idx:
            self._rows[i] = self._counted_row(int(i))

    def _add(self, agg: dict[str, np.ndarray], i: int, delta: np.ndarray) -> None:
        agg["nation"][0] += delta
        agg["region"][self._region_of[i]] += delta
        agg["district"][self._district_of[i]] += delta

    def _refresh(self, i: int, *, reported_changed: bool) -> None:
        """Bring station ``i``'s rows and the sums above it up to date (cost ∝ parties)."""
        if self._deferred:
            return
        if reported_changed:
            choice = self._choice(self._station_ids[i])
            new_all = np.asarray(self._vector(choice[0] if choice else None), dtype=np.int64)
            delta_all = new_all - self._rows_all[i]
            if delta_all.any():
                self._rows_all[i] = new_all
                self._add(self._agg_all, i, delta_all)
        new = self._counted_row(i)
        delta = new - self._rows[i]
        if delta.any():
            self._rows[i] = new
            self._add(self._agg, i, delta)

    def _refresh_many(self, idx: np.ndarray) -> None:
        if self._deferred:
            return
        if len(idx) <= _BULK:
            for i in idx:
                self._refresh(int(i), reported_changed=False)
            return
        self._recompute_counted(idx)
        self._recompute_aggregates()

    # ----- events -------------------------------------------------------------------------
    def apply(self, event: Event) -> None:
        """Apply one ledger event (events of kinds the tally does not read are skipped)."""
        kind = event.kind
        payload = event.payload
        if kind in (PROTOCOL_RECORDED, PROTOCOL_CORRECTED):
            self._apply_protocol(payload)
        elif kind == DECISION_MADE:
            self._apply_decision(event)
        elif kind == DECISION_REVOKED:
            self._apply_revocation(event)
        elif kind == RECONCILIATION_RESOLVED:
            station = str(payload["station"])
            self._resolved[station] = str(payload["accepted_source"])
            self._ruled.pop(station, None)
            if self._deferred:
                self._dirty.add(station)  # accepted at the end of the rebuild
            else:
                self._reaccept(station)
        elif kind == INCIDENT_REPORTED:
            self._incident_station[str(payload["incident_id"])] = str(payload["station"])
            self._incident_status[str(payload["incident_id"])] = "reported"
        elif kind == INCIDENT_UPDATED:
            self._incident_status[str(payload["incident_id"])] = str(payload["status"])
        elif kind == ELECTION_REPLACED:
            self.replaced_by.append(
                {"by": str(payload["by"]), "scope": dict(payload["scope"]), "seq": event.seq}
            )
        elif kind == ELECTION_DEFINED and payload.get("election_id") != self.election.id:
            raise ValueError(
                f"event {event.seq} defines {payload.get('election_id')!r}, "
                f"not {self.election.id!r}"
            )
        self.head_seq = max(self.head_seq, event.seq)
        self.head_hash = event.hash or self.head_hash

    def apply_all(self, events: Iterable[Event]) -> None:
        """Apply events one by one (incrementally)."""
        for event in events:
            self.apply(event)

    def _apply_protocol(self, payload: Mapping[str, Any]) -> None:
        station = payload["station"]
        kept = self._keep_version(station, payload.get("source") or OFFICIAL, payload)
        if kept and not self._deferred:  # a rebuild fills every row at its end
            self._reaccept(station)

    def _keep_version(self, station: str, source: str, version: Version) -> bool:
        """Keep ``version`` as the station's newest from ``source``; False if the election
        does not define the station (the protocol is then kept aside, never counted)."""
        i = self._sidx.get(station)
        if i is None:
            self.unknown_stations.add(station)
            return False
        self._ruled.pop(station, None)
        if source == OFFICIAL:
            self._official[i] = version
        else:
            self._others.setdefault(station, {})[source] = version
        return True

    def _versions_of(self, station: str) -> dict[str, Version]:
        """The newest version of the station from each source (as kept)."""
        i = self._sidx.get(station)
        official = None if i is None else self._official_version(i)
        others = self._others.get(station, {})
        return {OFFICIAL: official, **others} if official is not None else dict(others)

    def _protocol(self, station: str, source: str) -> Protocol | None:
        """The newest version from ``source`` as a Protocol (built once, on first read)."""
        if source == OFFICIAL:
            i = self._sidx.get(station)
            v = None if i is None else self._official_version(i)
            if v is None or isinstance(v, Protocol):
                return v
            proto = protocol_from_payload(v)
            self._official[self._sidx[station]] = proto
            return proto
        versions = self._others.get(station, {})
        v = versions.get(source)
        if v is None or isinstance(v, Protocol):
            return v
        proto = protocol_from_payload(v)
        versions[source] = proto
        return proto

    def _choice(self, station: str) -> tuple[Version | None, str] | None:
        """The version that counts for the station and why (the counting rule), or None when
        nothing was ever recorded or reconciled for it (or the election does not define it).

        Derived from the versions and the reconciliations; cheap in the common case, where
        the newest official protocol counts and no Protocol is built; the full rule's answer
        is kept until the station's versions or reconciliation change.
        """
        i = self._sidx.get(station)
        if i is None:
            return None
        resolved = self._resolved.get(station)
        official = self._official_version(i)
        if resolved is None and not self.election.double_entry:
            if official is not None:
                return official, OFFICIAL
            return (None, NO_OFFICIAL) if station in self._others else None
        ruled = self._ruled.get(station)
        if ruled is not None:
            return ruled
        versions = self._versions_of(station)
        if not versions and resolved is None:
            return None
        ruled = accepted_protocol(
            {src: self._protocol(station, src) for src in versions},  # type: ignore[misc]
            double_entry=self.election.double_entry,
            resolved_source=resolved,
        )
        self._ruled[station] = ruled
        return ruled

    def _stations_with_versions(self) -> list[str]:
        """Every station with a kept version, in list order."""
        ids, official, sidx = self._station_ids, self._official, self._sidx
        out = [ids[i] for i, v in enumerate(official) if v is not None]
        return out + [s for s in self._others if official[sidx[s]] is None]

    def _reaccept(self, station: str) -> None:
        """Bring the station's rows up to date after its versions or reconciliation changed."""
        i = self._sidx.get(station)
        if i is not None:
            self._refresh(i, reported_changed=True)

    def _scope(self, level: str, unit: str) -> np.ndarray:
        level = normalise_level(level)
        if level == "nation":
            return np.arange(len(self._station_ids))
        if level == "station":
            i = self._sidx.get(unit)
            return np.array([], dtype=np.intp) if i is None else np.array([i])
        if level == "region":
            r = self._ridx.get(unit)
            return np.flatnonzero(self._region_of == r) if r is not None else np.array([], int)
        if level == "district":
            d = self._didx.get(unit)
            return np.flatnonzero(self._district_of == d) if d is not None else np.array([], int)
        return np.array([], dtype=np.intp)

    def _apply_decision(self, event: Event) -> None:
        p = event.payload
        unit = p.get("unit") or {}
        level = normalise_level(str(unit.get("level", "")))
        decision = Decision(
            decision_id=str(p["decision_id"]),
            action=str(p["action"]),
            level=level,
            # the whole election has one unit; its id in the payload is informative only
            unit="" if level == "nation" else str(unit.get("id", "")),
            reason=str(p.get("reason", "")),
            legal_basis=dict(p.get("legal_basis") or {}),
            vote=dict(p.get("vote") or {}),
            date=str(p.get("date", "")),
            seq=event.seq,
            author=event.author,
            recorded_at=event.recorded_at,
        )
        self.decisions[decision.decision_id] = decision
        key = (decision.action, decision.level, decision.unit)
        self._standing.setdefault(key, []).append(decision.decision_id)
        if decision.action == "annul":
            idx = self._scope(decision.level, decision.unit)
            self._cover[idx] += 1
            self._refresh_many(idx)

    def _apply_revocation(self, event: Event) -> None:
        p = event.payload
        target = self.decisions.get(str(p["revokes"]))
        revocation = Decision(
            decision_id=str(p["decision_id"]),
            action="revoke",
            level=target.level if target else "",
            unit=target.unit if target else "",
            reason=str(p.get("reason", "")),
            legal_basis=dict(p.get("legal_basis") or {}),
            vote=dict(p.get("vote") or {}),
            date=str(p.get("date", "")),
            seq=event.seq,
            author=event.author,
            recorded_at=event.recorded_at,
            revokes=str(p["revokes"]),
        )
        self.decisions[revocation.decision_id] = revocation
        if target is None or not target.standing:
            return  # the commission layer refuses these; an imported ledger may still hold one
        self.decisions[target.decision_id] = _replace(target, revoked_by=revocation.decision_id)
        standing = self._standing.get((target.action, target.level, target.unit), [])
        if target.decision_id in standing:
            standing.remove(target.decision_id)
        if target.action == "annul":
            idx = self._scope(target.level, target.unit)
            self._cover[idx] -= 1
            self._refresh_many(idx)

    # ----- partial re-runs -------------------------------------------------------------------
    def attach_rerun(self, rerun: Tally) -> None:
        """Count a partial re-run's protocols in place of this election's annulled ones.

        For every station the re-run defines, its counted protocol (or nothing, while the
        re-run has not reported it) replaces this election's protocol wherever this election
        annulled the station. Figures as reported keep the original protocols.
        """
        changed = []
        for sid in rerun._station_ids:
            i = self._sidx.get(sid)
            if i is None:
                continue
            self._substitutes[sid] = (rerun.election.id, rerun.counted_protocol(sid))
            changed.append(i)
        self._refresh_many(np.array(changed, dtype=np.intp))

    # ----- reading ------------------------------------------------------------------------
    @property
    def annulled(self) -> bool:
        """True if a standing decision annuls the whole election."""
        return bool(self._annulments("nation", ""))

    def election_annulment(self) -> Decision | None:
        """The standing decision that annulled the whole election, if any."""
        found = self._annulments("nation", "")
        return self.decisions[found[0]] if found else None

    def _annulments(self, level: str, unit: str) -> tuple[str, ...]:
        return tuple(self._standing.get(("annul", level, unit), ()))

    def _certifications(self, level: str, unit: str) -> tuple[str, ...]:
        return tuple(self._standing.get(("certify", level, unit), ()))

    def _annulled_by(self, level: str, unit: str) -> tuple[str, ...]:
        """Standing annulments of the unit itself or of any unit containing it."""
        chain: list[tuple[str, str]] = [("nation", "")]
        if level == "region":
            chain.append(("region", unit))
        elif level == "district":
            chain += [("region", self.region_of_district.get(unit, "")), ("district", unit)]
        elif level == "station":
            i = self._sidx.get(unit)
            if i is not None:
                st = self.election.stations[i]
                chain += [("region", st.region), ("district", st.district)]
            chain.append(("station", unit))
        out: tuple[str, ...] = ()
        for lv, u in chain:
            out += self._annulments(lv, u if lv != "nation" else "")
        return out

    def annulled_by(self, level: str, unit_id: str = "") -> tuple[str, ...]:
        """Ids of the standing decisions that annul the unit, directly or through a wider unit."""
        level = normalise_level(level)
        return self._annulled_by(level, "" if level == "nation" else unit_id)

    def certified_by(self, level: str, unit_id: str = "") -> tuple[str, ...]:
        """Ids of the standing decisions that certify exactly this unit."""
        level = normalise_level(level)
        return self._certifications(level, "" if level == "nation" else unit_id)

    def unit(self, level: str, unit_id: str = "", *, as_reported: bool = False) -> UnitResult:
        """Results of a unit: ``nation``, ``region``, ``district`` or ``station``.

        Annulled stations are left out (or replaced by a partial re-run's protocol) unless
        ``as_reported`` is true. Raises :class:`~shailoo.domain.errors.NotFound` for an
        unknown unit.
        """
        from shailoo.domain.errors import NotFound

        level = normalise_level(level)
        agg = self._agg_all if as_reported else self._agg
        rows = self._rows_all if as_reported else self._rows
        if level == "nation":
            row, members, uid = agg["nation"][0], np.arange(len(self._station_ids)), ""
        elif level == "region":
            if unit_id not in self._ridx:
                raise NotFound(f"no region {unit_id!r}; regions: {', '.join(self.regions)}")
            r = self._ridx[unit_id]
            row, members, uid = agg["region"][r], np.flatnonzero(self._region_of == r), unit_id
        elif level == "district":
            if unit_id not in self._didx:
                raise NotFound(f"no district {unit_id!r} in election {self.election.id!r}")
            d = self._didx[unit_id]
            row, members, uid = (
                agg["district"][d],
                np.flatnonzero(self._district_of == d),
                unit_id,
            )
        elif level == "station":
            if unit_id not in self._sidx:
                raise NotFound(f"no station {unit_id!r} in election {self.election.id!r}")
            i = self._sidx[unit_id]
            row, members, uid = rows[i], np.array([i]), unit_id
        else:
            raise NotFound(f"no unit level {level!r}; levels: nation, region, district, station")
        return self._result(level, uid, row, members, as_reported)

    def _result(
        self, level: str, uid: str, row: np.ndarray, members: np.ndarray, as_reported: bool
    ) -> UnitResult:
        r = [int(x) for x in row]
        annulled_by = self._annulled_by(level, uid)
        return UnitResult(
            level=level,
            id=uid or self.election.id,
            registered=r[_ROW["registered"]],
            registered_total=int(self._list_registered[members].sum()),
            ballots_received=r[_ROW["ballots_received"]],
            ballots_issued=r[_ROW["ballots_issued"]],
            ballots_cast=r[_ROW["ballots_cast"]],
            invalid=r[_ROW["invalid"]],
            against_all=r[_ROW["against_all"]],
            votes={p: r[c] for p, c in self._party_col.items()},
            stations_reported=r[_REPORTED],
            stations_total=len(members),
            stations_annulled=int((self._cover[members] > 0).sum()),
            stations_rerun=0 if as_reported else r[_RERUN],
            annulled=bool(annulled_by),
            annulled_by=annulled_by,
            certified_by=self._certifications(level, uid),
            as_reported=as_reported,
            names={p.id: p.name for p in self.election.parties},
        )

    def units(self, level: str, *, as_reported: bool = False) -> list[UnitResult]:
        """Results of every unit of a level, in the order of the station list."""
        level = normalise_level(level)
        if level == "nation":
            return [self.unit("nation", as_reported=as_reported)]
        ids = {"region": self.regions, "district": self.districts, "station": self._station_ids}
        return [self.unit(level, u, as_reported=as_reported) for u in ids[level]]

    def national_totals(self) -> VoteTotals:
        """National figures of the counted protocols, as the law engine takes them."""
        return self.unit("nation").totals()

    def regional_totals(self) -> dict[str, VoteTotals]:
        """Figures of every region (counted protocols), as the law engine takes them."""
        return {r: self.unit("region", r).totals() for r in self.regions}

    def district_totals(self) -> dict[str, VoteTotals]:
        """Figures of every district (counted protocols), as the law engine takes them."""
        return {d: self.unit("district", d).totals() for d in self.districts}

    def station(self, station_id: str) -> Protocol | None:
        """The protocol the counting rule accepts for the station (annulled or not), or None."""
        choice = self._choice(station_id)
        chosen = choice[0] if choice else None
        if chosen is None or isinstance(chosen, Protocol):
            return chosen
        # only the newest official version counts as kept (any other rule built Protocols)
        return self._protocol(station_id, OFFICIAL)

    def counted_protocol(self, station_id: str) -> Protocol | None:
        """The protocol that enters the results for the station, or None."""
        i = self._sidx.get(station_id)
        if i is None:
            return None
        if self._cover[i] == 0:
            return self.station(station_id)
        sub = self._substitutes.get(station_id)
        return sub[1] if sub else None

    def station_status(self, station_id: str) -> StationStatus:
        """Where the station stands, which protocol counts, and why."""
        from shailoo.domain.errors import NotFound

        i = self._sidx.get(station_id)
        if i is None:
            raise NotFound(f"no station {station_id!r} in election {self.election.id!r}")
        reason = (self._choice(station_id) or (None, "no protocol yet"))[1]
        proto = self.station(station_id)
        annulled_by = self._annulled_by("station", station_id)
        sub = self._substitutes.get(station_id) if self._cover[i] else None
        counted = self.counted_protocol(station_id)
        if self._cover[i] and sub is not None:
            status = "reported" if sub[1] is not None else "missing"
            detail = f"annulled; re-run {sub[0]} " + (
                "protocol counts" if sub[1] is not None else "has not reported yet"
            )
        elif self._cover[i]:
            status, detail = "annulled", "annulled by " + ", ".join(annulled_by)
        else:
            status = "reported" if proto is not None else "missing"
            detail = reason
        return StationStatus(
            station=station_id,
            status=status,
            protocol=proto,
            counted=counted,
            detail=detail,
            annulled_by=annulled_by,
            certified_by=self._certifications("station", station_id),
            rerun=sub[0] if sub else None,
            sources=tuple(sorted(self._versions_of(station_id))),
        )

    def versions(self, station_id: str) -> Mapping[str, Protocol]:
        """The newest protocol of the station from each source."""
        return {
            src: p
            for src in list(self._versions_of(station_id))
            if (p := self._protocol(station_id, src)) is not None
        }

    def current_protocols(self) -> Iterator[Protocol]:
        """The counted protocols in station order (what forensics reads)."""
        for sid in self._station_ids:
            proto = self.counted_protocol(sid)
            if proto is not None:
                yield proto

    def station_ids(self, level: str = "nation", unit_id: str = "") -> list[str]:
        """The ids of the stations of a unit, in list order."""
        return [self._station_ids[int(i)] for i in self._scope(level, unit_id)]

    def flagged_stations(self) -> dict[str, list[str]]:
        """Stations under an open observer incident: station id -> incident ids."""
        out: dict[str, list[str]] = {}
        for inc, station in self._incident_station.items():
            if self._incident_status.get(inc) not in _CLOSED_INCIDENT:
                out.setdefault(station, []).append(inc)
        return out

    def is_annulled(self, station_id: str) -> bool:
        """True if a standing decision annuls the station (directly or through its units)."""
        i = self._sidx.get(station_id)
        return bool(i is not None and self._cover[i])

    def has_unit(self, level: str, unit_id: str) -> bool:
        """True if the election has that unit."""
        level = normalise_level(level)
        if level == "nation":
            return True
        known: dict[str, Mapping[str, int]] = {
            "region": self._ridx,
            "district": self._didx,
            "station": self._sidx,
        }
        return level in known and unit_id in known[level]

    def state(self) -> dict[str, Any]:
        """Everything the projection holds, as plain values (tests compare two tallies by it)."""
        return {
            "rows_all": self._rows_all.tolist(),
            "rows": self._rows.tolist(),
            "agg_all": {k: v.tolist() for k, v in self._agg_all.items()},
            "agg": {k: v.tolist() for k, v in self._agg.items()},
            "cover": self._cover.tolist(),
            "accepted": {
                k: (self.station(k), choice[1])
                for k in {*self._stations_with_versions(), *self._resolved}
                if (choice := self._choice(k)) is not None
            },
            "decisions": {k: v.to_json() for k, v in self.decisions.items()},
            "replaced_by": list(self.replaced_by),
            "flagged": self.flagged_stations(),
        }


class _UnitRuns:
    """The stations grouped once per election by (region, district), for summing every level.

    The sums of all three levels come from one pass over the matrix: ``np.add.reduceat``
    over the runs of stations of one (region, district) pair, then the few pair sums added
    up per district, per region and for the nation. A station list is usually grouped that
    way already; then the matrix is read in place, else through one reordered copy. A
    district whose stations lie in two regions only makes two pairs.
    """

    def __init__(
        self, region_of: np.ndarray, district_of: np.ndarray, n_regions: int, n_districts: int
    ) -> None:
        self.n_regions = n_regions
        self.n_districts = n_districts
        key = region_of.astype(np.int64) * max(n_districts, 1) + district_of
        self.order: np.ndarray | None = None
        if len(key) > 1 and bool((key[1:] < key[:-1]).any()):
            self.order = np.argsort(key, kind="stable")
            key = key[self.order]
        self.starts = np.flatnonzero(np.concatenate(([True], key[1:] != key[:-1])))[: len(key)]
        first = self.starts if self.order is None else self.order[self.starts]
        self.region = region_of[first]
        self.district = district_of[first]

    def sums(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(nation, regions, districts)`` sums of the matrix rows (exact int64)."""
        if len(self.starts) == 0:
            pair = np.zeros((0, rows.shape[1]), dtype=np.int64)
        else:
            grouped = rows if self.order is None else rows[self.order]
            pair = np.add.reduceat(grouped, self.starts, axis=0)
        return (
            pair.sum(axis=0),
            _sums_by_unit(pair, self.region, self.n_regions),
            _sums_by_unit(pair, self.district, self.n_districts),
        )


def _sums_by_unit(rows: np.ndarray, unit_of: np.ndarray, n_units: int) -> np.ndarray:
    """Row sums per unit (``unit_of[i]`` is row i's unit): exact int64, like ``np.add.at``.

    Sorting once and summing contiguous runs with ``np.add.reduceat`` is several times faster
    than ``np.add.at`` on 100,000 rows; a unit without rows sums to zero.
    """
    out = np.zeros((n_units, rows.shape[1]), dtype=np.int64)
    if len(unit_of) == 0:
        return out
    order = np.argsort(unit_of, kind="stable")
    units = unit_of[order]
    starts = np.flatnonzero(np.concatenate(([True], units[1:] != units[:-1])))
    out[units[starts]] = np.add.reduceat(rows[order], starts, axis=0)
    return out


def _replace(decision: Decision, **changes: Any) -> Decision:
    from dataclasses import replace

    return replace(decision, **changes)
