"""Plain values of an election: parties, stations, protocols and vote totals.

These are frozen dataclasses with no behaviour beyond derived quantities; every other layer
passes them around. They validate only what makes the value meaningless (a negative count); the
control relations between the lines of a protocol live in :mod:`shailoo.checks`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

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


@dataclass(frozen=True)
class Station:
    """A polling station and the units it belongs to."""

    id: str
    region: str
    district: str
    registered: int
    extra: Mapping[str, str] = field(default_factory=dict)


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
        out = {
            "registered": self.registered,
            "ballots_received": self.ballots_received,
            "ballots_issued": self.ballots_issued,
            "ballots_cast": self.ballots_cast,
            "invalid": self.invalid,
            "against_all": self.against_all,
        }
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
