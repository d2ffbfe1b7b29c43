"""Results of one unit (election, region, district, station) as the public pages show them.

The numbers come from the tally (:mod:`shailoo.tally`), the projection of the ledger; this module
only shapes them for the pages: shares, turnout, reported stations, and the children of the unit.
"""

from __future__ import annotations

from typing import Any

from shailoo.domain.model import Election, Protocol


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 6) if whole else None


def totals_dict(
    election: Election,
    protocols: list[Protocol],
    stations_total: int,
    registered_total: int,
) -> dict[str, Any]:
    """Sum ``protocols`` into the shape of a results page."""
    votes = dict.fromkeys(election.party_ids, 0)
    cast = invalid = against = registered_reported = 0
    for p in protocols:
        cast += p.ballots_cast
        invalid += p.invalid
        against += p.against_all
        registered_reported += p.registered
        for pid, v in p.votes.items():
            votes[pid] = votes.get(pid, 0) + v
    valid = sum(votes.values()) + against
    names = {p.id: p.name for p in election.parties}
    return {
        "registered": registered_total,
        "registered_reported": registered_reported,
        "ballots_cast": cast,
        "turnout": _share(cast, registered_reported),
        "invalid": invalid,
        "against_all": against,
        "valid": valid,
        "stations_reported": len(protocols),
        "stations_total": stations_total,
        "parties": [
            {
                "id": pid,
                "name": names.get(pid, pid),
                "votes": v,
                "share_of_cast": _share(v, cast),
            }
            for pid, v in votes.items()
        ],
    }


def protocol_from_payload(payload: dict[str, Any]) -> Protocol:
    """The protocol held by a ``protocol.recorded`` / ``protocol.corrected`` payload."""
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
