"""What the tally says about one unit, one station and one commission decision."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from shailoo.domain.model import Protocol, VoteTotals

#: unit levels, from the widest; ``election`` is accepted as a synonym of ``nation``
LEVELS = ("nation", "region", "district", "station")


def normalise_level(level: str) -> str:
    """``election`` and ``national`` mean ``nation``; anything else must be one of :data:`LEVELS`."""
    if level in ("election", "national", "country"):
        return "nation"
    return level


def _ratio(num: int, den: int) -> Fraction | None:
    return Fraction(num, den) if den else None


def _pct(x: Fraction | None) -> float | None:
    # JSON output only (never a decision): a share rounded to 1/10000 of a percent.
    return None if x is None else round(float(x) * 100, 4)


@dataclass(frozen=True)
class UnitResult:
    """Results of one unit (nation, region, district or station) from the counted protocols.

    ``registered`` sums the voter lists of the *reporting* stations (turnout is measured against
    it); ``registered_total`` sums the lists of every station of the unit. Annulled stations are
    left out of every figure unless the result was asked ``as_reported`` (then they are in, and
    ``annulled`` still says so).
    """

    level: str
    id: str
    registered: int
    registered_total: int
    ballots_received: int
    ballots_issued: int
    ballots_cast: int
    invalid: int
    against_all: int
    votes: Mapping[str, int]
    stations_reported: int
    stations_total: int
    stations_annulled: int = 0
    #: annulled stations that a partial re-run covers (reported by it or awaited)
    stations_rerun: int = 0
    annulled: bool = False
    annulled_by: tuple[str, ...] = ()
    certified_by: tuple[str, ...] = ()
    as_reported: bool = False
    names: Mapping[str, str] = field(default_factory=dict)

    @property
    def party_votes(self) -> int:
        """Sum of the votes for all parties."""
        return sum(self.votes.values())

    @property
    def valid(self) -> int:
        """Valid ballots: party votes plus against all."""
        return self.party_votes + self.against_all

    @property
    def turnout(self) -> Fraction | None:
        """Ballots cast over the voters registered at the reporting stations (None if none)."""
        return _ratio(self.ballots_cast, self.registered)

    @property
    def shares(self) -> dict[str, Fraction | None]:
        """Each party's votes over ballots cast ("voters who took part", Kyrgyz law art. 64)."""
        return {p: _ratio(v, self.ballots_cast) for p, v in self.votes.items()}

    @property
    def stations_missing(self) -> int:
        """Stations not reported yet: neither counted nor annulled for good.

        An annulled station that a partial re-run covers is missing until the re-run reports it.
        """
        return (
            self.stations_total
            - self.stations_reported
            - (self.stations_annulled - self.stations_rerun)
        )

    @property
    def certified(self) -> bool:
        """True if a standing commission decision certified this unit's results."""
        return bool(self.certified_by)

    def totals(self) -> VoteTotals:
        """The unit's figures as the law engine takes them."""
        return VoteTotals(
            votes=dict(self.votes),
            registered=self.registered,
            ballots_cast=self.ballots_cast,
            invalid=self.invalid,
            against_all=self.against_all,
        )

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict: counts as integers, turnout and shares as percentages."""
        return {
            "level": self.level,
            "id": self.id,
            "registered": self.registered,
            "registered_total": self.registered_total,
            "ballots_received": self.ballots_received,
            "ballots_issued": self.ballots_issued,
            "ballots_cast": self.ballots_cast,
            "invalid": self.invalid,
            "against_all": self.against_all,
            "valid": self.valid,
            "turnout_pct": _pct(self.turnout),
            "votes": dict(self.votes),
            "shares_pct": {p: _pct(s) for p, s in self.shares.items()},
            "stations_reported": self.stations_reported,
            "stations_total": self.stations_total,
            "stations_missing": self.stations_missing,
            "stations_annulled": self.stations_annulled,
            "stations_rerun": self.stations_rerun,
            "annulled": self.annulled,
            "annulled_by": list(self.annulled_by),
            "certified_by": list(self.certified_by),
            "as_reported": self.as_reported,
        }


@dataclass(frozen=True)
class StationStatus:
    """Where one station stands: ``reported``, ``missing`` or ``annulled``.

    ``protocol`` is the protocol the counting rule accepts (kept even when the station is
    annulled, so that what was annulled stays readable); ``counted`` is what enters the results
    (a partial re-run's protocol for an annulled station, or None). ``detail`` says why.
    """

    station: str
    status: str
    protocol: Protocol | None
    counted: Protocol | None
    detail: str
    annulled_by: tuple[str, ...] = ()
    certified_by: tuple[str, ...] = ()
    rerun: str | None = None
    sources: tuple[str, ...] = ()


@dataclass(frozen=True)
class Decision:
    """A commission decision as the ledger holds it (``decision.made`` or ``decision.revoked``).

    ``action`` is ``certify``, ``annul`` or ``revoke``; ``revokes`` names the decision a
    revocation undoes; ``revoked_by`` is filled in by the tally when a later revocation undoes
    this one.
    """

    decision_id: str
    action: str
    level: str
    unit: str
    reason: str
    legal_basis: Mapping[str, str]
    vote: Mapping[str, int]
    date: str
    seq: int
    author: str
    recorded_at: str = ""
    revokes: str | None = None
    revoked_by: str | None = None

    @property
    def standing(self) -> bool:
        """True while no revocation undoes it."""
        return self.revoked_by is None

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict of the decision."""
        return {
            "decision_id": self.decision_id,
            "action": self.action,
            "unit": {"level": self.level, "id": self.unit},
            "reason": self.reason,
            "legal_basis": dict(self.legal_basis),
            "vote": dict(self.vote),
            "date": self.date,
            "seq": self.seq,
            "author": self.author,
            "recorded_at": self.recorded_at,
            "revokes": self.revokes,
            "revoked_by": self.revoked_by,
            "standing": self.standing,
        }
