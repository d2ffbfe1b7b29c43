"""The kinds of ledger event and the shape of their payloads.

Every change to an election is one event appended to that election's ledger. The ledger
(:mod:`shailoo.ledger`) stores, encodes, chains and signs events; the tally and the observer
views (:mod:`shailoo.tally`, :mod:`shailoo.observe`) are projections that read them. This module
is the contract between the two: the names of the kinds and the keys of each payload. Payloads
hold only JSON values (str, int, bool, None, lists, objects with str keys); never floats, so that
the canonical encoding is exact.

Payload keys by kind (``?`` marks an optional key):

``election.defined``
    ``election_id, name, date?, law`` (the law's TOML text), ``law_name``, ``parties``
    (list of ``{id, name}`` in ballot order), ``stations`` (list of
    ``{station, region, district, registered, extra}``), ``double_entry`` (bool),
    ``replaces?`` (``{election_id, final_hash, scope}`` for a re-run; ``scope`` is
    ``{"level": "election"}`` or ``{"level": "station"|"district"|"region", "ids": [...]}``)
    ``public_key?`` (the commission's Ed25519 public key, 64 hex digits; see docs/ledger.md)
``protocol.recorded`` / ``protocol.corrected``
    the fields of :class:`shailoo.domain.model.Protocol` (``station, registered,
    ballots_received, ballots_issued, ballots_cast, invalid, against_all, votes, source,
    entered_by, reason``) and ``warnings`` (list of ``{code, message}``)
``decision.made``
    ``decision_id, action`` (``certify`` | ``annul``), ``unit`` (``{level, id}``, level one of
    ``station, district, region, election``), ``reason``, ``legal_basis`` (``{article, text}``),
    ``vote`` (``{for, against, abstained}``), ``date``
``decision.revoked``
    ``decision_id`` (of this revocation), ``revokes`` (the decision it undoes), ``reason``,
    ``legal_basis``, ``vote``, ``date``
``election.replaced``
    ``by`` (the re-run's election id), ``scope`` (as in ``replaces``)
``observer.accredited``
    ``observer_id, organisation, name, scope`` (``{stations: [...], districts: [...]}``),
    ``valid_from, valid_to`` (ISO dates)
``incident.reported``
    ``incident_id, observer_id?, station, category, time, description, evidence``
    (list of ``{name, sha256}``)
``incident.updated``
    ``incident_id, status`` (``reported`` | ``under-review`` | ``confirmed`` | ``dismissed``),
    ``response``
``reconciliation.resolved``
    ``station, accepted_source, reason``
``pvt.designed``
    ``sample`` (list of station ids), ``margin_of_error, confidence, seed``
``observation.recorded``
    ``station, source`` (``observer:<id>``), ``minimum`` (``{line: int}``: the smallest value each
    named protocol line can truthfully show, e.g. ballots voters photographed: a lower bound, not
    a copy of the protocol), ``note``
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from shailoo.domain.model import Protocol

ELECTION_DEFINED: Final = "election.defined"
ELECTION_REPLACED: Final = "election.replaced"
PROTOCOL_RECORDED: Final = "protocol.recorded"
PROTOCOL_CORRECTED: Final = "protocol.corrected"
DECISION_MADE: Final = "decision.made"
DECISION_REVOKED: Final = "decision.revoked"
OBSERVER_ACCREDITED: Final = "observer.accredited"
INCIDENT_REPORTED: Final = "incident.reported"
INCIDENT_UPDATED: Final = "incident.updated"
RECONCILIATION_RESOLVED: Final = "reconciliation.resolved"
PVT_DESIGNED: Final = "pvt.designed"
OBSERVATION_RECORDED: Final = "observation.recorded"

KINDS: Final = (
    ELECTION_DEFINED,
    ELECTION_REPLACED,
    PROTOCOL_RECORDED,
    PROTOCOL_CORRECTED,
    DECISION_MADE,
    DECISION_REVOKED,
    OBSERVER_ACCREDITED,
    INCIDENT_REPORTED,
    INCIDENT_UPDATED,
    RECONCILIATION_RESOLVED,
    PVT_DESIGNED,
    OBSERVATION_RECORDED,
)


@dataclass(frozen=True)
class Event:
    """One ledger event as the projections see it.

    ``seq`` is the 1-based position in the election's ledger, ``author`` who caused it,
    ``recorded_at`` an ISO-8601 UTC timestamp, ``hash`` the chain hash once stored.
    """

    seq: int
    kind: str
    payload: Mapping[str, Any]
    author: str = "system"
    recorded_at: str = ""
    election_id: str = ""
    hash: str = ""
    prev_hash: str = ""
    extra: Mapping[str, Any] = field(default_factory=dict)


def protocol_from_payload(payload: Mapping[str, Any]) -> Protocol:
    """The :class:`Protocol` a ``protocol.recorded`` / ``protocol.corrected`` payload holds.

    Numbers are taken through ``int`` and names through ``str`` so that a payload decoded by any
    JSON reader gives the same value; a missing source means ``official``.
    """
    return Protocol(
        station=str(payload["station"]),
        registered=int(payload["registered"]),
        ballots_received=int(payload["ballots_received"]),
        ballots_issued=int(payload["ballots_issued"]),
        ballots_cast=int(payload["ballots_cast"]),
        invalid=int(payload["invalid"]),
        against_all=int(payload["against_all"]),
        votes={str(k): int(v) for k, v in dict(payload["votes"]).items()},
        source=str(payload.get("source") or "official"),
        entered_by=payload.get("entered_by"),
        reason=payload.get("reason"),
    )
