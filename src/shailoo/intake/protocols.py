"""Recording protocols: run the checks, refuse errors, keep warnings, chain corrections."""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from shailoo.checks.protocol import Finding, check_protocol, observer_source_refusal, same_counts
from shailoo.domain.events import (
    PROTOCOL_CORRECTED,
    PROTOCOL_RECORDED,
    Event,
    protocol_from_payload,
)
from shailoo.domain.model import Election, Protocol
from shailoo.ledger.store import Store


@dataclass(frozen=True)
class Rejection:
    """A protocol that was not recorded: its position in the input and the findings."""

    index: int
    protocol: Protocol
    findings: list[Finding]

    @property
    def errors(self) -> list[Finding]:
        """The findings that blocked it."""
        return [f for f in self.findings if f.is_error]


@dataclass
class RecordResult:
    """What :func:`record_protocols` did: events appended, protocols refused, duplicates skipped."""

    recorded: list[Event] = field(default_factory=list)
    rejected: list[Rejection] = field(default_factory=list)
    duplicates: int = 0

    @property
    def corrected(self) -> int:
        """How many of the recorded events are corrections."""
        return sum(1 for e in self.recorded if e.kind == PROTOCOL_CORRECTED)


def protocol_payload(
    p: Protocol, party_ids: Sequence[str], warnings: Iterable[Finding] = ()
) -> dict[str, Any]:
    """The ``protocol.recorded`` / ``protocol.corrected`` payload (votes in ballot order)."""
    votes = p.votes
    return {
        "station": str(p.station),
        "registered": p.registered,
        "ballots_received": p.ballots_received,
        "ballots_issued": p.ballots_issued,
        "ballots_cast": p.ballots_cast,
        "invalid": p.invalid,
        "against_all": p.against_all,
        "votes": {pid: votes[pid] for pid in party_ids if pid in votes},
        "source": p.source,
        # str() so that a payload never holds anything but ints and strs (see Writer.append)
        "entered_by": None if p.entered_by is None else str(p.entered_by),
        "reason": None if p.reason is None else str(p.reason),
        "warnings": [{"code": w.code, "message": w.message} for w in warnings],
    }


_string = json.encoder.encode_basestring  # what json uses with ensure_ascii=False
#: the payload's keys in sorted order; printf-style formatting is the fastest way to fill it
_PAYLOAD_TEMPLATE = (
    '{"against_all":%d,"ballots_cast":%d,"ballots_issued":%d,"ballots_received":%d,'
    '"entered_by":%s,"invalid":%d,"reason":%s,"registered":%d,"source":%s,"station":%s,'
    '"votes":{%s},"warnings":[%s]}'
)


@functools.lru_cache(maxsize=8)
def _vote_prefixes(sorted_parties: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(_string(k) + ":" for k in sorted_parties)


def _vote_parts(
    sorted_parties: Sequence[str], votes: Mapping[str, int]
) -> Iterable[tuple[str, str]]:
    """Pairs of encoded ``"party":`` prefix and party id, in sorted party order."""
    keys = tuple(sorted_parties)
    if len(votes) != len(keys):
        keys = tuple(k for k in keys if k in votes)
    return zip(_vote_prefixes(keys), keys, strict=True)


def protocol_payload_json(payload: Mapping[str, Any], sorted_parties: Sequence[str]) -> str:
    """The canonical JSON of a payload made by :func:`protocol_payload`, built directly.

    Equal to ``canonical_json(payload)`` (a property test checks it) but about three times
    faster, which matters when importing a whole country: the key order below is the sorted
    order of the payload's keys, and ``sorted_parties`` the sorted party ids.
    """
    votes = payload["votes"]
    entered_by, reason = payload["entered_by"], payload["reason"]
    warnings = ",".join(
        '{"code":' + _string(w["code"]) + ',"message":' + _string(w["message"]) + "}"
        for w in payload["warnings"]
    )
    return _PAYLOAD_TEMPLATE % (
        payload["against_all"],
        payload["ballots_cast"],
        payload["ballots_issued"],
        payload["ballots_received"],
        "null" if entered_by is None else _string(entered_by),
        payload["invalid"],
        "null" if reason is None else _string(reason),
        payload["registered"],
        _string(payload["source"]),
        _string(payload["station"]),
        ",".join([pre + str(votes[k]) for pre, k in _vote_parts(sorted_parties, votes)]),
        warnings,
    )


class _Rules:
    """What the checks need from an election, computed once per election value."""

    def __init__(self, election: Election) -> None:
        self.election = election
        self.station_registered = {s.id: s.registered for s in election.stations}
        self.party_ids = frozenset(election.party_ids)
        self.ballot_order = election.party_ids
        self.sorted_parties = tuple(sorted(election.party_ids))


_last_rules: list[_Rules] = []


def _rules(election: Election) -> _Rules:
    if _last_rules and _last_rules[0].election is election:
        return _last_rules[0]
    rules = _Rules(election)
    _last_rules[:] = [rules]
    return rules


def record_protocols(
    store: Store,
    election_id: str,
    protocols: Sequence[Protocol],
    author: str,
    *,
    election: Election | None = None,
    allow_observer_sources: bool = False,
) -> RecordResult:
    """Check and record protocols in one transaction; return what happened to each.

    For every protocol: an exact duplicate of the stored protocol of the same station and source
    is skipped (re-importing a file adds nothing); a protocol with an error finding is refused;
    otherwise it is appended as ``protocol.recorded`` (first from that source) or
    ``protocol.corrected`` (a differing later one, which must carry a ``reason``), with its
    warnings in the payload. ``election`` may be passed to save reading it (bulk imports).
    The look-up of stored protocols and the append happen under the election's write lock, so
    two operators cannot both record "the first" protocol of a station.

    A protocol whose source is ``observer:<id>`` is refused with P007 unless
    ``allow_observer_sources``: only a caller that checked the observer's accreditation and
    scope (:func:`shailoo.observe.service.record_observer_copies`) may pass it.
    """
    rules = _rules(election if election is not None else store.election(election_id))
    result = RecordResult()
    with store.writing(election_id) as w:
        stored = w.latest_protocols({p.station for p in protocols})
        latest: dict[tuple[str, str], Protocol] = {
            key: protocol_from_payload(e.payload) for key, e in stored.items()
        }
        items: list[tuple[str, Mapping[str, Any], str]] = []
        texts: list[str] = []
        for i, p in enumerate(protocols):
            key = (p.station, p.source)
            refusal = None if allow_observer_sources else observer_source_refusal(p.source)
            if refusal is not None:
                # before the duplicate test: without the permission nothing is "already stored"
                result.rejected.append(Rejection(i, p, [refusal]))
                continue
            previous = latest.get(key)
            if previous is not None and same_counts(previous, p):
                result.duplicates += 1
                continue
            findings = check_protocol(
                p,
                rules.election,
                previous,
                station_registered=rules.station_registered,
                party_ids=rules.party_ids,
            )
            if any(f.is_error for f in findings):
                result.rejected.append(Rejection(i, p, findings))
                continue
            kind = PROTOCOL_RECORDED if previous is None else PROTOCOL_CORRECTED
            payload = protocol_payload(p, rules.ballot_order, findings)
            items.append((kind, payload, author))
            texts.append(protocol_payload_json(payload, rules.sorted_parties))
            latest[key] = p
        # every count passed P001 (type int) and every text is a str, so the payloads need no
        # float check, and their canonical JSON is built directly
        result.recorded = w.append(items, payload_texts=texts)
    return result
