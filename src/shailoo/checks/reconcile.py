"""Reconciliation of several protocols of one polling station, line by line.

A station can be reported by several independent sources: the official entry, a second
independent entry of the same paper protocol, the ballot-counting machine, and observers' own
copies (the certified copy of the protocol an observer may ask the precinct commission for).
When two full copies disagree on any line, the station's result is
in dispute until the commission decides which is right.

An observer does not always hold a full copy. Photographed ballots (Belarus 2020, the "Voice"
platform) prove only that *at least* so many votes were cast for a candidate: such a count is a
lower bound, and the only contradiction it can show is an official figure below it. This module
keeps the two comparisons apart instead of pretending a lower bound is a full protocol.

Everything here is pure: plain values in, plain values out.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType

from shailoo.domain.model import Protocol

#: rule code of a line on which two full copies disagree
RULE_MISMATCH = "R001"
#: rule code of a line present in one copy and absent from the other
RULE_MISSING_LINE = "R002"
#: rule code of an official figure below an observer's lower bound
RULE_BELOW_LOWER_BOUND = "R101"


@dataclass(frozen=True)
class Difference:
    """One line on which two protocols of a station disagree.

    ``a`` and ``b`` are the values in the first and the second protocol; ``None`` means that
    protocol has no such line (a party column missing from one copy).
    """

    line: str
    a: int | None
    b: int | None

    @property
    def rule(self) -> str:
        """Stable code: ``R001`` for a different value, ``R002`` for a line missing from one."""
        return RULE_MISSING_LINE if self.a is None or self.b is None else RULE_MISMATCH

    def to_dict(self) -> dict[str, object]:
        """JSON shape: ``{line, a, b, rule}``."""
        return {"line": self.line, "a": self.a, "b": self.b, "rule": self.rule}


def compare_counts(a: Mapping[str, int], b: Mapping[str, int]) -> list[Difference]:
    """Every line on which two count mappings differ, in the order of ``a`` then new lines of ``b``.

    Identical mappings give an empty list; a line present in only one gives a difference with
    ``None`` on the other side.
    """
    out: list[Difference] = []
    for line, value in a.items():
        other = b.get(line)
        if other != value:
            out.append(Difference(line, int(value), None if other is None else int(other)))
    for line, value in b.items():
        if line not in a:
            out.append(Difference(line, None, int(value)))
    return out


def compare_protocols(a: Protocol, b: Protocol) -> list[Difference]:
    """Every numeric line on which two protocols of the same station differ.

    Only the numbers are compared (registered voters, the ballot lines, against all, each party's
    votes); the source, the operator and the reason are not part of the result. The tally uses
    this for the double-entry rule: an official protocol counts only once the ``official`` and
    the ``second-entry`` copies give an empty list.
    """
    return compare_counts(a.counts(), b.counts())


@dataclass(frozen=True)
class LowerBound:
    """An observer's count that proves a floor on some lines of a station's protocol.

    ``minimum`` maps a protocol line (a party id, usually) to the smallest value the official
    protocol can truthfully show, e.g. the number of ballots for a candidate that voters
    photographed. Lines not named are unconstrained.
    """

    station: str
    source: str
    minimum: Mapping[str, int]

    def __post_init__(self) -> None:
        object.__setattr__(self, "minimum", MappingProxyType(dict(self.minimum)))


@dataclass(frozen=True)
class Shortfall:
    """An official figure below what an observer's lower bound proves.

    ``official`` is the official value, ``minimum`` the observer's proven floor; ``missing`` how
    many votes at least the official figure lacks.
    """

    line: str
    official: int
    minimum: int

    @property
    def missing(self) -> int:
        """How many votes at least are missing from the official figure."""
        return self.minimum - self.official

    @property
    def rule(self) -> str:
        """Stable code ``R101``."""
        return RULE_BELOW_LOWER_BOUND

    def to_dict(self) -> dict[str, object]:
        """JSON shape: ``{line, official, minimum, missing, rule}``."""
        return {
            "line": self.line,
            "official": self.official,
            "minimum": self.minimum,
            "missing": self.missing,
            "rule": self.rule,
        }


def check_lower_bound(official: Mapping[str, int], bound: LowerBound) -> list[Shortfall]:
    """Every line where the official figure is below the observer's proven floor.

    A line the official protocol does not report cannot be contradicted and is skipped; an
    official figure equal to or above the floor is consistent (the observer saw only some of the
    ballots).
    """
    out: list[Shortfall] = []
    for line, floor in bound.minimum.items():
        value = official.get(line)
        if value is not None and value < floor:
            out.append(Shortfall(line, int(value), int(floor)))
    return out


@dataclass(frozen=True)
class SourceComparison:
    """The differences between the reference copy and one other full copy of a station."""

    source: str
    differences: tuple[Difference, ...]

    def to_dict(self) -> dict[str, object]:
        """JSON shape."""
        return {"source": self.source, "differences": [d.to_dict() for d in self.differences]}


@dataclass(frozen=True)
class StationReconciliation:
    """All sources of one station compared against the reference (normally ``official``).

    ``comparisons`` holds one entry per other full copy (empty differences when it agrees);
    ``shortfalls`` the lower-bound contradictions by source; ``disputed`` is true when any
    difference or shortfall exists and no commission resolution covers the current copies.
    """

    station: str
    reference: str | None
    sources: tuple[str, ...]
    comparisons: tuple[SourceComparison, ...] = ()
    shortfalls: Mapping[str, tuple[Shortfall, ...]] = field(default_factory=dict)
    resolved_by: str | None = None

    @property
    def differing(self) -> bool:
        """True when any copy differs from the reference or any lower bound is broken."""
        return any(c.differences for c in self.comparisons) or any(
            s for s in self.shortfalls.values()
        )

    @property
    def disputed(self) -> bool:
        """Differing and not yet resolved by the commission."""
        return self.differing and self.resolved_by is None

    @property
    def lines(self) -> tuple[str, ...]:
        """The protocol lines that differ in any comparison, each once, in first-seen order."""
        seen: dict[str, None] = {}
        for c in self.comparisons:
            for d in c.differences:
                seen.setdefault(d.line, None)
        for shortfalls in self.shortfalls.values():
            for s in shortfalls:
                seen.setdefault(s.line, None)
        return tuple(seen)

    def to_dict(self) -> dict[str, object]:
        """JSON shape of the reconciliation of one station."""
        return {
            "station": self.station,
            "reference": self.reference,
            "sources": list(self.sources),
            "disputed": self.disputed,
            "differing": self.differing,
            "resolved_by": self.resolved_by,
            "comparisons": [c.to_dict() for c in self.comparisons],
            "shortfalls": {
                src: [s.to_dict() for s in items] for src, items in self.shortfalls.items()
            },
        }


def source_order(source: str) -> tuple[int, str]:
    """Sort key of sources: official, second entry, machine, then observers by id."""
    rank = {"official": 0, "second-entry": 1, "machine": 2}
    return (rank.get(source, 3), source)


def reconcile_station(
    protocols: Sequence[Protocol],
    lower_bounds: Iterable[LowerBound] = (),
    *,
    reference: str = "official",
    resolved_by: str | None = None,
) -> StationReconciliation:
    """Compare every full copy of one station with the reference copy, and check lower bounds.

    ``protocols`` holds the current protocol of each source for the same station (one per
    source). The reference is the ``reference`` source when present, otherwise the first copy
    given. ``resolved_by`` is the source the commission accepted (``reconciliation.resolved``),
    which ends the dispute.
    """
    bounds = list(lower_bounds)
    stations = {p.station for p in protocols} | {b.station for b in bounds}
    if len(stations) > 1:
        raise ValueError(f"reconcile_station got several stations: {sorted(stations)}")
    station = next(iter(stations)) if stations else ""
    by_source: dict[str, Protocol] = {}
    for p in sorted(protocols, key=lambda p: source_order(p.source)):
        by_source[p.source] = p
    ref = by_source.get(reference) or next(iter(by_source.values()), None)
    comparisons = tuple(
        SourceComparison(src, tuple(compare_protocols(ref, p)))
        for src, p in by_source.items()
        if ref is not None and src != ref.source
    )
    shortfalls: dict[str, tuple[Shortfall, ...]] = {}
    if ref is not None:
        counts = ref.counts()
        for b in bounds:
            found = check_lower_bound(counts, b)
            if found:
                shortfalls[b.source] = shortfalls.get(b.source, ()) + tuple(found)
    return StationReconciliation(
        station=station,
        reference=None if ref is None else ref.source,
        sources=tuple(by_source) + tuple(b.source for b in bounds if b.source not in by_source),
        comparisons=comparisons,
        shortfalls=shortfalls,
        resolved_by=resolved_by,
    )
