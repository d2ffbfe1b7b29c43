"""Results as NIST SP 1500-100 version 2 JSON (Election Results Reporting Common Data Format).

The schema is NIST's (``shared/standards/nist-1500-100-v2``). How a party-list election maps
onto it:

* every unit is a ``ReportingUnit``: the nation (``country``), regions and districts
  (``other`` with ``OtherType`` ``region`` / ``district``), stations (``precinct``), linked by
  ``ComposingGpUnitIds``; registered voters and ballots cast go in ``VotersRegistered`` /
  ``VotersParticipated``, invalid ballots in ``BallotCounts.BallotsRejected``;
* the election is one ``PartyContest`` over the nation; each party list is a
  ``PartySelection`` with ``VoteCounts`` of type ``total`` per unit, and (when seats could be
  allocated) a ``seats`` count on the nation;
* "against all" is not a party; the format has no place for it, so it is a ``PartySelection``
  of a ``Party`` with ``IsRecognizedParty`` false and the id ``against-all``;
* annulled units are left out of every count, as in the results, and carry an
  ``ExternalIdentifier`` (``OtherType`` ``shailoo-annulled``) naming the decisions; the report's
  ``Notes`` say what was annulled and why.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

from shailoo import __version__
from shailoo.tally.projection import Tally
from shailoo.tally.units import UnitResult

AGAINST_ALL = "against-all"


def _id(*parts: str) -> str:
    # @id values are referenced across the document; keep them to a safe alphabet.
    return "-".join(re.sub(r"[^A-Za-z0-9_.-]", "_", p) for p in parts if p)


def _text(s: str, lang: str = "en") -> dict[str, Any]:
    return {
        "@type": "ElectionResults.InternationalizedText",
        "Text": [{"@type": "ElectionResults.LanguageString", "Content": s, "Language": lang}],
    }


def _unit_id(level: str, uid: str) -> str:
    return _id("gpu", level, uid) if level != "nation" else "gpu-nation"


def _reporting_unit(
    u: UnitResult, composing: list[str], rtype: str, other: str | None
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "@type": "ElectionResults.ReportingUnit",
        "@id": _unit_id(u.level, u.id),
        "Name": _text(u.id),
        "Type": rtype,
        "VotersRegistered": u.registered_total,
        "VotersParticipated": u.ballots_cast,
    }
    if other:
        out["OtherType"] = other
    if composing:
        out["ComposingGpUnitIds"] = composing
    if u.level != "station":
        out["SubUnitsReported"] = u.stations_reported
        out["TotalSubUnits"] = u.stations_total
    if u.annulled_by:
        out["ExternalIdentifier"] = [
            {
                "@type": "ElectionResults.ExternalIdentifier",
                "Type": "other",
                "OtherType": "shailoo-annulled",
                "Value": ", ".join(u.annulled_by),
            }
        ]
    return out


def nist_report(
    tally: Tally,
    *,
    seats: Mapping[str, int] | None = None,
    precinct_level: bool = True,
    issuer: str = "Central Election Commission",
    issuer_abbreviation: str = "CEC",
    generated: dt.datetime | None = None,
) -> dict[str, Any]:
    """The tally as a NIST SP 1500-100 v2 ``ElectionReport`` (a JSON-ready dict).

    ``seats`` (from the law engine) are reported as ``seats`` counts on the nation;
    ``precinct_level`` false leaves the stations out (``summary-contest``).
    """
    e = tally.election
    now = (generated or dt.datetime.now(dt.UTC)).strftime("%Y-%m-%dT%H:%M:%SZ")
    nation = tally.unit("nation")
    units: list[tuple[UnitResult, list[str], str, str | None]] = []
    units.append((nation, [_unit_id("region", r) for r in tally.regions], "country", None))
    for r in tally.regions:
        ds = [d for d in tally.districts if tally.region_of_district[d] == r]
        units.append(
            (tally.unit("region", r), [_unit_id("district", d) for d in ds], "other", "region")
        )
    for d in tally.districts:
        stations = tally.station_ids("district", d) if precinct_level else []
        units.append(
            (
                tally.unit("district", d),
                [_unit_id("station", s) for s in stations],
                "other",
                "district",
            )
        )
    if precinct_level:
        units.extend((u, [], "precinct", None) for u in tally.units("station"))

    parties: list[dict[str, Any]] = [
        {
            "@type": "ElectionResults.Party",
            "@id": _id("party", p.id),
            "Name": _text(p.name),
            "Abbreviation": _text(p.id),
        }
        for p in e.parties
    ]
    parties.append(
        {
            "@type": "ElectionResults.Party",
            "@id": _id("party", AGAINST_ALL),
            "Name": _text("Against all"),
            "IsRecognizedParty": False,
        }
    )

    def counts(key: str) -> list[dict[str, Any]]:
        out = []
        for u, *_ in units:
            n = u.against_all if key == AGAINST_ALL else u.votes[key]
            out.append(
                {
                    "@type": "ElectionResults.VoteCounts",
                    "Type": "total",
                    "Count": n,
                    "GpUnitId": _unit_id(u.level, u.id),
                }
            )
        return out

    selections = []
    for order, p in enumerate([*e.party_ids, AGAINST_ALL], start=1):
        vc = counts(p)
        if seats is not None and p in seats:
            vc.append(
                {
                    "@type": "ElectionResults.VoteCounts",
                    "Type": "seats",
                    "Count": seats[p],
                    "GpUnitId": "gpu-nation",
                }
            )
        selections.append(
            {
                "@type": "ElectionResults.PartySelection",
                "@id": _id("sel", p),
                "PartyIds": [_id("party", p)],
                "SequenceOrder": order,
                "VoteCounts": vc,
            }
        )
    complete = nation.stations_missing == 0
    contest = {
        "@type": "ElectionResults.PartyContest",
        "@id": _id("contest", e.id),
        "Name": e.name,
        "ElectionDistrictId": "gpu-nation",
        "ContestSelection": selections,
        "SubUnitsReported": nation.stations_reported,
        "TotalSubUnits": nation.stations_total,
        "CountStatus": [
            {
                "@type": "ElectionResults.CountStatus",
                "Type": "total",
                "Status": "completed" if complete else "in-process",
            }
        ],
    }
    date = e.date or now[:10]
    replaces = e.replaces or {}
    election: dict[str, Any] = {
        "@type": "ElectionResults.Election",
        "ElectionScopeId": "gpu-nation",
        "Name": _text(e.name),
        "StartDate": date,
        "EndDate": date,
        "Type": "special" if replaces else "general",
        "Contest": [contest],
        "BallotCounts": [
            {
                "@type": "ElectionResults.BallotCounts",
                "Type": "total",
                "GpUnitId": _unit_id(u.level, u.id),
                "BallotsCast": u.ballots_cast,
                "BallotsRejected": u.invalid,
            }
            for u, *_ in units
        ],
        "ExternalIdentifier": [
            {
                "@type": "ElectionResults.ExternalIdentifier",
                "Type": "other",
                "OtherType": "shailoo-election-id",
                "Value": e.id,
            },
            {
                "@type": "ElectionResults.ExternalIdentifier",
                "Type": "other",
                "OtherType": "shailoo-ledger-head",
                "Value": f"{tally.head_seq}:{tally.head_hash}",
            },
        ],
    }
    if nation.certified:
        status = "certified"
    else:
        status = "unofficial-complete" if complete else "unofficial-partial"
    notes = []
    for dec in tally.decisions.values():
        if dec.action == "annul":
            where = "the whole election" if dec.level == "nation" else f"{dec.level} {dec.unit}"
            state = "standing" if dec.standing else f"revoked by {dec.revoked_by}"
            notes.append(
                f"{dec.decision_id} ({dec.date}) annulled {where}: {dec.reason} "
                f"[{dec.legal_basis.get('article', '')}] ({state})"
            )
    if replaces:
        notes.append(f"re-run replacing {replaces.get('election_id')}")
    for link in tally.replaced_by:
        notes.append(f"replaced by {link['by']} ({link['scope'].get('level')})")
    report: dict[str, Any] = {
        "@type": "ElectionResults.ElectionReport",
        "Format": "precinct-level" if precinct_level else "summary-contest",
        "GeneratedDate": now,
        "Issuer": issuer,
        "IssuerAbbreviation": issuer_abbreviation,
        "SequenceStart": 1,
        "SequenceEnd": 1,
        "Status": status,
        "VendorApplicationId": f"Shailoo {__version__}",
        "Election": [election],
        "GpUnit": [_reporting_unit(u, comp, t, o) for u, comp, t, o in units],
        "Party": parties,
    }
    if notes:
        report["Notes"] = "; ".join(notes)
    return report
