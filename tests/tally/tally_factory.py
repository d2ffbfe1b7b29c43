"""Small elections and ledger events built by hand, for the tally and commission tests."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from shailoo.domain.events import (
    DECISION_MADE,
    DECISION_REVOKED,
    ELECTION_DEFINED,
    PROTOCOL_CORRECTED,
    PROTOCOL_RECORDED,
    Event,
)
from shailoo.domain.model import Election, Party, Protocol, Station
from shailoo.intake.protocols import protocol_payload as intake_payload

PARTIES = ("A", "B", "C")


def small_election(
    *,
    election_id: str = "e1",
    parties: Sequence[str] = PARTIES,
    layout: Mapping[str, Mapping[str, int]] | None = None,
    registered: int = 1000,
    double_entry: bool = False,
    law: str = "",
) -> Election:
    """Regions -> districts -> number of stations; station ids are ``<district>-<n>``."""
    layout = layout or {"North": {"N1": 2, "N2": 1}, "South": {"S1": 2}}
    stations = [
        Station(f"{d}-{k}", region, d, registered)
        for region, districts in layout.items()
        for d, n in districts.items()
        for k in range(1, n + 1)
    ]
    return Election(
        id=election_id,
        name=f"Test election {election_id}",
        law=law,
        law_name="test",
        parties=tuple(Party(p, f"Party {p}") for p in parties),
        stations=tuple(stations),
        double_entry=double_entry,
    )


def protocol(
    station: str,
    votes: Mapping[str, int],
    *,
    against_all: int = 0,
    invalid: int = 0,
    registered: int = 1000,
    source: str = "official",
    reason: str | None = None,
) -> Protocol:
    """A protocol that adds up: ballots cast = invalid + against all + party votes."""
    cast = invalid + against_all + sum(votes.values())
    return Protocol(
        station=station,
        registered=registered,
        ballots_received=registered,
        ballots_issued=cast,
        ballots_cast=cast,
        invalid=invalid,
        against_all=against_all,
        votes=dict(votes),
        source=source,
        reason=reason,
    )


def protocol_payload(p: Protocol) -> dict[str, Any]:
    """The ledger payload of a protocol, as intake builds it (votes in the protocol's order)."""
    return intake_payload(p, list(p.votes))


class Ledger:
    """An in-memory list of events with increasing ``seq`` (no hashing: the tally ignores it)."""

    def __init__(self, election: Election) -> None:
        self.election = election
        self.events: list[Event] = []
        self.add(ELECTION_DEFINED, election.to_payload())

    def add(self, kind: str, payload: Mapping[str, Any], author: str = "tester") -> Event:
        """Append one event and return it."""
        ev = Event(
            seq=len(self.events) + 1,
            kind=kind,
            payload=dict(payload),
            author=author,
            election_id=self.election.id,
            hash=f"h{len(self.events) + 1}",
        )
        self.events.append(ev)
        return ev

    def record(self, p: Protocol, corrected: bool = False) -> Event:
        """Record (or correct) a protocol."""
        return self.add(PROTOCOL_CORRECTED if corrected else PROTOCOL_RECORDED, protocol_payload(p))

    def decide(self, decision_id: str, action: str, level: str, unit: str) -> Event:
        """A decision with a stock reason, basis and vote."""
        return self.add(
            DECISION_MADE,
            {
                "decision_id": decision_id,
                "action": action,
                "unit": {"level": level, "id": unit},
                "reason": f"{action} {level} {unit}",
                "legal_basis": {"article": "art. 42", "text": "test basis"},
                "vote": {"for": 9, "against": 2, "abstained": 1},
                "date": "2020-10-06",
            },
        )

    def revoke(self, decision_id: str, revokes: str) -> Event:
        """Revoke a decision."""
        return self.add(
            DECISION_REVOKED,
            {
                "decision_id": decision_id,
                "revokes": revokes,
                "reason": "revoked",
                "legal_basis": {"article": "art. 43", "text": "test"},
                "vote": {"for": 8, "against": 3, "abstained": 0},
                "date": "2020-10-07",
            },
        )
