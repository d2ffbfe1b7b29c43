"""The control relations of one polling-station protocol, as pure functions.

Each check has a stable code, a severity (an ``error`` blocks the protocol, a ``warning`` is
stored with it and shown) and a message that tells the operator what to look at. The codes are
documented in ``docs/formats.md``; never renumber them, other systems filter on them.

The relations follow the structure of the Kyrgyz result protocol (Constitutional Law "On
elections of the President and deputies of the Jogorku Kenesh", the counting chapter): ballots
received by the commission ≥ ballots issued to voters ≥ ballots found in the boxes, and the
ballots found = invalid + against all + the votes of every party.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from shailoo.domain.model import PROTOCOL_COUNTS, Election, Protocol, is_valid_source

ERROR: Final = "error"
WARNING: Final = "warning"

#: Voters added to the list on election day (voters with an absentee certificate and voters
#: found missing from the list, added on proof of residence) make the protocol's "registered"
#: line exceed the station list that was defined before the day. We allow up to
#: ADDED_VOTERS_PERCENT % of the list, and at least ADDED_VOTERS_MINIMUM voters, as a warning;
#: more than that is an error. A project choice, not a legal figure: see docs/formats.md.
ADDED_VOTERS_PERCENT: Final = 5
ADDED_VOTERS_MINIMUM: Final = 10
#: turnout (ballots cast / registered) above this percentage is a warning
HIGH_TURNOUT_PERCENT: Final = 95

#: code -> (severity, short name) of every protocol check
CODES: Final[Mapping[str, tuple[str, str]]] = {
    "P001": (ERROR, "not a non-negative integer"),
    "P002": (ERROR, "unknown station"),
    "P003": (ERROR, "party column missing"),
    "P004": (ERROR, "unknown party column"),
    "P005": (ERROR, "unknown source"),
    "P006": (ERROR, "region or district is not the station's"),
    "P007": (ERROR, "observer copy outside the observer workflow"),
    "P008": (ERROR, "more cells than columns"),
    "P101": (ERROR, "ballots cast do not add up"),
    "P102": (ERROR, "more ballots cast than issued"),
    "P103": (ERROR, "more ballots issued than received"),
    "P104": (ERROR, "more ballots issued than registered voters"),
    "P105": (ERROR, "registered voters far above the station list"),
    "P106": (WARNING, "voters added on the day"),
    "P107": (ERROR, "turnout above 100 %"),
    "P108": (WARNING, "turnout above 95 %"),
    "P201": (ERROR, "correction without a reason"),
    "P202": (ERROR, "station twice in one file"),
}

BASE_LINES: Final = PROTOCOL_COUNTS


@dataclass(frozen=True)
class Finding:
    """One broken rule: ``code`` (``P101``), ``severity``, an actionable ``message``, the
    protocol ``column`` it points at (if one) and the ``values`` that disagree."""

    code: str
    severity: str
    message: str
    column: str | None = None
    values: Mapping[str, Any] = field(default_factory=dict)

    @property
    def is_error(self) -> bool:
        """True if this finding blocks the protocol."""
        return self.severity == ERROR

    def to_dict(self) -> dict[str, Any]:
        """``{code, severity, message, column, values}`` for JSON."""
        return {
            "code": self.code,
            "severity": self.severity,
            "message": self.message,
            "column": self.column,
            "values": dict(self.values),
        }


def _f(code: str, message: str, column: str | None = None, **values: Any) -> Finding:
    return Finding(code, CODES[code][0], message, column, values)


def added_voters_allowance(listed: int) -> int:
    """How many voters may be added on the day to a station list of ``listed`` voters."""
    return max(ADDED_VOTERS_MINIMUM, -(-listed * ADDED_VOTERS_PERCENT // 100))


def same_counts(a: Protocol, b: Protocol) -> bool:
    """True if two protocols carry the same numbers (a re-submission, not a correction)."""
    return (
        a.station == b.station
        and a.registered == b.registered
        and a.ballots_received == b.ballots_received
        and a.ballots_issued == b.ballots_issued
        and a.ballots_cast == b.ballots_cast
        and a.invalid == b.invalid
        and a.against_all == b.against_all
        and dict(a.votes) == dict(b.votes)
    )


def check_protocol(
    protocol: Protocol,
    election: Election | None,
    previous: Protocol | None = None,
    *,
    station_registered: Mapping[str, int] | None = None,
    party_ids: frozenset[str] | None = None,
) -> list[Finding]:
    """Every finding for ``protocol`` in ``election``; errors first is not guaranteed.

    ``previous`` is the protocol already stored for the same station and source, if any: a
    differing new one is a correction and needs a ``reason``. ``station_registered`` and
    ``party_ids`` may be passed precomputed (``{station: registered}``, the set of party ids)
    to keep bulk imports fast; they default to what ``election`` says (which may then be None).
    Pure: no I/O.
    """
    if station_registered is None or party_ids is None:
        if election is None:
            raise ValueError("check_protocol needs the election or both precomputed tables")
        if station_registered is None:
            station_registered = {s.id: s.registered for s in election.stations}
        if party_ids is None:
            party_ids = frozenset(election.party_ids)
    out: list[Finding] = []
    p = protocol

    negative = False
    base = (
        p.registered,
        p.ballots_received,
        p.ballots_issued,
        p.ballots_cast,
        p.invalid,
        p.against_all,
    )
    counts = (*base, *p.votes.values())
    # the common case in one pass (bulk imports); the loops below only name what is wrong
    if not all(type(v) is int for v in counts) or min(counts) < 0:
        for line, value in zip(BASE_LINES, base, strict=True):
            if type(value) is not int or value < 0:
                out.append(_f("P001", f"{line} must be a whole number ≥ 0", line, value=value))
                negative = True
        for party, value in p.votes.items():
            if type(value) is not int or value < 0:
                out.append(
                    _f("P001", f"votes for {party} must be a whole number ≥ 0", party, value=value)
                )
                negative = True

    listed = station_registered.get(p.station)
    if listed is None:
        out.append(
            _f(
                "P002",
                f"station {p.station!r} is not in this election's station list",
                "station",
                station=p.station,
            )
        )
    if not is_valid_source(p.source):
        out.append(
            _f(
                "P005",
                "source must be official, second-entry, machine or observer:<id>",
                "source",
                source=p.source,
            )
        )
    if p.votes.keys() != party_ids:
        for party in sorted(party_ids - p.votes.keys()):
            out.append(_f("P003", f"no votes given for party {party!r}; add its column", party))
        for party in sorted(p.votes.keys() - party_ids):
            out.append(
                _f("P004", f"{party!r} is not a party of this election; remove or rename it", party)
            )
    if negative:
        return out  # the relations below mean nothing with unreadable numbers

    party_votes = p.party_votes
    if p.ballots_cast != p.invalid + p.against_all + party_votes:
        out.append(
            _f(
                "P101",
                "ballots cast must equal invalid + against all + the sum of party votes; "
                "check the party lines and the ballots-cast line",
                "ballots_cast",
                ballots_cast=p.ballots_cast,
                invalid=p.invalid,
                against_all=p.against_all,
                party_votes=party_votes,
                difference=p.ballots_cast - (p.invalid + p.against_all + party_votes),
            )
        )
    if p.ballots_cast > p.ballots_issued:
        out.append(
            _f(
                "P102",
                "more ballots were found in the boxes than were issued to voters",
                "ballots_cast",
                ballots_cast=p.ballots_cast,
                ballots_issued=p.ballots_issued,
            )
        )
    if p.ballots_issued > p.ballots_received:
        out.append(
            _f(
                "P103",
                "more ballots were issued than the commission received",
                "ballots_issued",
                ballots_issued=p.ballots_issued,
                ballots_received=p.ballots_received,
            )
        )
    if p.ballots_issued > p.registered:
        out.append(
            _f(
                "P104",
                "more ballots were issued than there are registered voters",
                "ballots_issued",
                ballots_issued=p.ballots_issued,
                registered=p.registered,
            )
        )
    if listed is not None and p.registered > listed:
        allowance = added_voters_allowance(listed)
        added = p.registered - listed
        if added > allowance:
            out.append(
                _f(
                    "P105",
                    f"registered voters exceed the station list by {added}, more than the "
                    f"{allowance} that may be added on the day; check the registered line",
                    "registered",
                    registered=p.registered,
                    station_list=listed,
                    allowance=allowance,
                )
            )
        else:
            out.append(
                _f(
                    "P106",
                    f"{added} voter(s) added to the list on the day",
                    "registered",
                    registered=p.registered,
                    station_list=listed,
                )
            )
    if p.registered > 0 and p.ballots_cast > p.registered:
        out.append(
            _f(
                "P107",
                "turnout above 100 %: more ballots cast than registered voters",
                "ballots_cast",
                ballots_cast=p.ballots_cast,
                registered=p.registered,
            )
        )
    elif p.registered > 0 and p.ballots_cast * 100 > p.registered * HIGH_TURNOUT_PERCENT:
        out.append(
            _f(
                "P108",
                f"turnout above {HIGH_TURNOUT_PERCENT} %; confirm it with the station",
                "ballots_cast",
                ballots_cast=p.ballots_cast,
                registered=p.registered,
                turnout_per_mille=p.ballots_cast * 1000 // p.registered,
            )
        )
    if previous is not None and not same_counts(previous, p) and not (p.reason or "").strip():
        out.append(
            _f(
                "P201",
                f"station {p.station!r} already has a protocol from source {p.source!r}; "
                "a correction must give a reason",
                "reason",
                station=p.station,
                source=p.source,
            )
        )
    return out


def check_units(
    station: str,
    region: str | None,
    district: str | None,
    units: Mapping[str, tuple[str, str]],
) -> list[Finding]:
    """P006: the ``region`` / ``district`` a protocol file gives for ``station`` must be the
    ones the election defines for it (``units``: station -> (region, district)).

    The columns are optional and not stored (the station already says where it is); they are
    checked because a row whose station id was mistyped into another existing station often
    still names the right region, and results must not move between constituencies silently.
    None means the file gives no value. An unknown station gives no finding here (P002 does).
    """
    known = units.get(station)
    if known is None:
        return []
    out: list[Finding] = []
    for column, given, expected in (("region", region, known[0]), ("district", district, known[1])):
        if given is not None and given != expected:
            out.append(
                _f(
                    "P006",
                    f"the file puts station {station!r} in {column} {given!r}, the election in "
                    f"{expected!r}; check the station id and the {column} cell",
                    column,
                    station=station,
                    in_file=given,
                    in_election=expected,
                )
            )
    return out


def observer_source_refusal(source: str) -> Finding | None:
    """P007 for a protocol whose source is ``observer:<id>`` filed outside the observer workflow.

    An observer's copy counts only from an accredited observer, for a station in the
    observer's scope (docs/observers.md); those checks live in ``shailoo observer copies``.
    A protocol file or the staff form could otherwise record ``observer:nobody`` for any
    station, so both refuse the source unless their caller has made those checks. None for
    any other source.
    """
    if not source.startswith("observer:"):
        return None
    return _f(
        "P007",
        "observer copies are filed with 'shailoo observer copies', which checks the observer's "
        "accreditation and scope; a protocol file may hold official, second-entry or machine "
        "protocols only",
        "source",
        source=source,
    )


def extra_cells(line_cells: int, columns: int, extra: list[str]) -> Finding:
    """P008: a row has ``line_cells`` cells, more than the header's ``columns``, and the extra
    ones (``extra``, as text) are not empty. Refused rather than cut: a shifted row (a stray
    comma in a name) would otherwise put every count in the wrong line."""
    shown = ", ".join(repr(v) for v in extra)
    return _f(
        "P008",
        f"the row has {line_cells} cells but the header {columns} columns; the extra value(s) "
        f"{shown} belong to no column (a stray comma or a missing header?)",
        None,
        extra=extra,
        cells=line_cells,
        columns=columns,
    )


def errors(findings: list[Finding]) -> list[Finding]:
    """Only the findings that block."""
    return [f for f in findings if f.severity == ERROR]
