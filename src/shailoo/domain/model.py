"""Plain values of an election: parties, stations, protocols and vote totals.

These are frozen dataclasses (a station: a frozen struct) with no behaviour beyond derived quantities; every other layer
passes them around. They validate only what makes the value meaningless (a negative count); the
control relations between the lines of a protocol live in :mod:`shailoo.checks`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

import msgspec

#: where a protocol came from; ``observer:<id>`` is also allowed
SOURCES = ("official", "second-entry", "machine")


def is_valid_source(source: str) -> bool:
    """True for ``official``, ``second-entry``, ``machine`` and ``observer:<id>``."""
    return source in SOURCES or (source.startswith("observer:") and len(source) > 9)


def _frozen(m: Mapping[str, int] | None) -> Mapping[str, int]:
    return MappingProxyType(dict(m or {}))


@dataclass(frozen=True)
class Party:
    """A party list on the ballot. ``id`` is short and stable; list order is ballot order."""

    id: str
    name: str


class Station(msgspec.Struct, frozen=True, rename={"id": "station"}):
    """A polling station and the units it belongs to.

    A frozen msgspec struct rather than a dataclass, alone among these values: a national
    list has 100,000 stations or more, read from the election's definition by every import,
    rebuild and page, and msgspec builds them while it decodes that JSON (no Python code per
    station: ``shailoo.domain.definition``). It compares, prints and pickles as a frozen
    dataclass does. (``rename``: the definition's JSON calls the id ``station``.)
    """

    id: str
    region: str
    district: str
    registered: int
    extra: Mapping[str, str] = msgspec.field(default_factory=dict)


#: the count lines of a protocol (the fields of :class:`Protocol` between the station and the
#: party votes), in the order of the form; forms, tables and checks list them in this order
PROTOCOL_COUNTS: tuple[str, ...] = (
    "registered",
    "ballots_received",
    "ballots_issued",
    "ballots_cast",
    "invalid",
    "against_all",
)


@dataclass(frozen=True)
class Protocol:
    """The result protocol of one station as one source reported it.

    ``ballots_cast`` counts every ballot found in the boxes, valid and invalid, against-all
    included ("voters who took part" in Kyrgyz law).
    """

    station: str
    registered: int
    ballots_received: int
    ballots_issued: int
    ballots_cast: int
    invalid: int
    against_all: int
    votes: Mapping[str, int]
    source: str = "official"
    entered_by: str | None = None
    reason: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "votes", _frozen(self.votes))

    @property
    def party_votes(self) -> int:
        """Sum of the votes for all parties."""
        return sum(self.votes.values())

    @property
    def valid(self) -> int:
        """Valid ballots: party votes plus against all."""
        return self.party_votes + self.against_all

    def counts(self) -> dict[str, int]:
        """Every numeric line of the protocol, parties last, as one flat mapping."""
        out: dict[str, int] = {line: getattr(self, line) for line in PROTOCOL_COUNTS}
        out.update(self.votes)
        return out


@dataclass(frozen=True)
class VoteTotals:
    """Votes of one unit (nation, region or district) as the law engine needs them.

    Each base line is optional; the law says which ones it needs. ``votes`` maps party id to
    votes, in ballot order.
    """

    votes: Mapping[str, int]
    registered: int | None = None
    ballots_cast: int | None = None
    invalid: int | None = None
    against_all: int | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "votes", _frozen(self.votes))

    @property
    def party_votes(self) -> int:
        """Sum of the votes for all parties."""
        return sum(self.votes.values())


@dataclass(frozen=True)
class Election:
    """An election as defined by its first ledger event (``election.defined``).

    ``law`` is the TOML text of the electoral law (so the ledger holds the law itself, not a
    reference to a file that could change); ``replaces`` links a re-run to the election it
    replaces: ``{"election_id", "final_hash", "scope"}``.
    """

    id: str
    name: str
    law: str
    law_name: str
    parties: tuple[Party, ...]
    stations: tuple[Station, ...]
    date: str | None = None
    double_entry: bool = False
    replaces: Mapping[str, object] | None = None

    @property
    def party_ids(self) -> tuple[str, ...]:
        """Party ids in ballot order."""
        return tuple(p.id for p in self.parties)

    def to_payload(self) -> dict[str, object]:
        """The ``election.defined`` payload for this election."""
        return {
            "election_id": self.id,
            "name": self.name,
            "date": self.date,
            "law": self.law,
            "law_name": self.law_name,
            "parties": [{"id": p.id, "name": p.name} for p in self.parties],
            "stations": [
                {
                    "station": s.id,
                    "region": s.region,
                    "district": s.district,
                    "registered": s.registered,
                    "extra": dict(s.extra),
                }
                for s in self.stations
            ],
            "double_entry": self.double_entry,
            "replaces": dict(self.replaces) if self.replaces is not None else None,
        }

    @classmethod
    def from_payload(cls, payload: Mapping[str, object]) -> Election:
        """Build the election from an ``election.defined`` payload."""
        parties = payload["parties"]
        stations = payload["stations"]
        assert isinstance(parties, list) and isinstance(stations, list)
        replaces = payload.get("replaces")
        date = payload.get("date")
        return cls(
            id=str(payload["election_id"]),
            name=str(payload["name"]),
            law=str(payload["law"]),
            law_name=str(payload.get("law_name", "")),
            parties=tuple(Party(str(p["id"]), str(p["name"])) for p in parties),
            stations=tuple(
                Station(
                    id=str(s["station"]),
                    region=str(s["region"]),
                    district=str(s["district"]),
                    registered=int(s["registered"]),
                    extra=dict(s.get("extra") or {}),
                )
                for s in stations
            ),
            date=None if date is None else str(date),
            double_entry=bool(payload.get("double_entry", False)),
            replaces=dict(replaces) if isinstance(replaces, Mapping) else None,
        )
