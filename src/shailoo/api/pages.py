"""Builders of the public pages' data: national, region, district, station and the lists.

The numbers come from the tally (:mod:`shailoo.tally`), the projection of the ledger; seats from
the election's own law through :func:`shailoo.tally.service.seats_for_tally`. These functions
only shape them for the pages (and their JSON twins).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from shailoo.api import views
from shailoo.api.forensics_view import ForensicsCache
from shailoo.domain.errors import ShailooError
from shailoo.domain.events import PROTOCOL_CORRECTED
from shailoo.domain.model import PROTOCOL_COUNTS, Protocol
from shailoo.ledger import Store
from shailoo.tally.projection import Tally
from shailoo.tally.units import UnitResult
from shailoo.web.seatchart import colour_for

_PROTOCOL_KEYS = PROTOCOL_COUNTS


def _frac(x: Any) -> float | None:
    return None if x is None else round(float(x), 6)


def unit_results(u: UnitResult, tally: Tally) -> dict[str, Any]:
    """A unit's results for a page: the tally's figures, turnout and each party's share."""
    out = u.to_json()
    out["turnout"] = _frac(u.turnout)
    shares = u.shares
    out["parties"] = [
        {
            "id": p.id,
            "name": p.name,
            "votes": int(u.votes.get(p.id, 0)),
            "share_of_cast": _frac(shares.get(p.id)),
        }
        for p in tally.election.parties
    ]
    return out


def _child(u: UnitResult, tally: Tally) -> dict[str, Any]:
    leader = max(tally.party_ids, key=lambda p: u.votes.get(p, 0), default=None)
    has_votes = leader is not None and u.votes.get(leader, 0) > 0
    return {
        "level": u.level,
        "id": u.id,
        "registered": u.registered_total,
        "ballots_cast": u.ballots_cast,
        "turnout": _frac(u.turnout),
        "stations_reported": u.stations_reported,
        "stations_total": u.stations_total,
        "leader": leader if has_votes else None,
        "leader_name": u.names.get(leader, leader) if has_votes and leader else None,
        "leader_share": _frac(u.shares.get(leader)) if has_votes and leader else None,
        "annulled": u.annulled,
    }


def seats(tally: Tally) -> dict[str, Any]:
    """Seats by the election's law from the counted protocols, with the steps explained.

    An annulled election has no seats (``annulled`` true, the decision in ``message``); before
    enough results are in the law may not allocate (``available`` false, the reason given).
    """
    from shailoo.tally.service import seats_for_tally

    names = {p.id: p.name for p in tally.election.parties}
    if tally.election_annulment() is not None:
        try:
            seats_for_tally(tally)
        except ShailooError as exc:
            message = str(exc)
        return {
            "available": False,
            "annulled": True,
            "total": 0,
            "parties": [],
            "explanation": [],
            "excluded": {},
            "message": message,
        }
    if tally.unit("nation").stations_reported == 0:
        return {
            "available": False,
            "annulled": False,
            "total": 0,
            "parties": [],
            "explanation": [],
            "excluded": {},
            "message": "No protocol counted yet.",
        }
    try:
        law, alloc, _national, _regions = seats_for_tally(tally)
    except ShailooError as exc:
        return {
            "available": False,
            "annulled": False,
            "total": 0,
            "parties": [],
            "explanation": [],
            "excluded": {},
            "message": str(exc),
        }
    order = list(tally.party_ids)
    return {
        "available": True,
        "annulled": False,
        "law": law.name if hasattr(law, "name") else tally.election.law_name,
        "total": sum(alloc.seats.values()),
        "parties": [
            {
                "id": pid,
                "name": names.get(pid, pid),
                "seats": int(alloc.seats.get(pid, 0)),
                "colour": colour_for(i),
            }
            for i, pid in enumerate(order)
        ],
        "excluded": dict(alloc.excluded),
        "explanation": [_step_text(s, names) for s in alloc.steps]
        + [f"{names.get(p, p)}: {why}" for p, why in alloc.excluded.items()]
        + list(alloc.notes),
        "provisional": tally.unit("nation").stations_missing > 0,
    }


def _step_text(step: Mapping[str, Any], names: Mapping[str, str]) -> str:
    """A step of the allocation as a reader wants it: the party's name where the law engine
    (which knows only ids) put the id at the start of the sentence."""
    text = str(step.get("text", ""))
    pid = step.get("party")
    starts = isinstance(pid, str) and pid in names and text.startswith(pid)
    if starts and text[len(str(pid)) : len(str(pid)) + 1] in (":", " "):
        return names[str(pid)] + text[len(str(pid)) :]
    return text


def _as_reported(tally: Tally, level: str, unit_id: str) -> dict[str, Any] | None:
    """An annulled unit's figures as reported, so that what was annulled stays readable
    (issue 4: nothing erased, everything annulled marked as such); None when not annulled."""
    if not tally.unit(level, unit_id).annulled:
        return None
    return unit_results(tally.unit(level, unit_id, as_reported=True), tally)


def national(store: Store, tally: Tally) -> dict[str, Any]:
    """The national page: totals, parties, seats, regions, decisions in force."""
    info = views.election_info(store, tally.election)
    decs = views.decisions(store, tally.election.id)
    return {
        "election": info,
        "ledger": {"seq": tally.head_seq, "hash": tally.head_hash},
        "unit": {"level": "nation", "id": tally.election.id},
        "results": unit_results(tally.unit("nation"), tally),
        "results_as_reported": _as_reported(tally, "nation", ""),
        "seats": seats(tally),
        "children": [_child(u, tally) for u in tally.units("region")],
        "decisions_in_force": [d for d in decs if d["in_force"]],
    }


def unit(store: Store, tally: Tally, level: str, unit_id: str) -> dict[str, Any]:
    """A region or district page: totals, parties and the units below it."""
    u = tally.unit(level, unit_id)  # NotFound for an unknown unit
    if level == "region":
        children = [
            tally.unit("district", d)
            for d in tally.districts
            if tally.region_of_district[d] == unit_id
        ]
        parent = None
    else:
        children = [tally.unit("station", s) for s in tally.station_ids("district", unit_id)]
        parent = {"level": "region", "id": tally.region_of_district[unit_id]}
    decs = views.decisions(store, tally.election.id)
    return {
        "election": views.election_info(store, tally.election),
        "ledger": {"seq": tally.head_seq, "hash": tally.head_hash},
        "unit": {"level": level, "id": unit_id, "parent": parent},
        "results": unit_results(u, tally),
        "results_as_reported": _as_reported(tally, level, unit_id),
        "children": [_child(c, tally) for c in children],
        "decisions": [
            d
            for d in decs
            if (d.get("unit") or {}).get("level") == "election"
            or (d.get("unit") or {}).get("id") == unit_id
        ],
    }


def _protocol_dict(p: Protocol | None) -> dict[str, Any] | None:
    if p is None:
        return None
    counts = p.counts()
    out: dict[str, Any] = {k: counts[k] for k in _PROTOCOL_KEYS}
    out["votes"] = dict(p.votes)
    out["source"] = p.source
    out["entered_by"] = p.entered_by
    return out


def station(
    store: Store, tally: Tally, station_id: str, forensics: ForensicsCache | None = None
) -> dict[str, Any]:
    """A station page: counted protocol, every version from every source, incidents, decisions,
    reconciliation of its sources and its forensic risk (from the latest forensic run)."""
    status = tally.station_status(station_id)  # NotFound for an unknown station
    s = next(x for x in tally.election.stations if x.id == station_id)
    history = []
    for ev in store.protocol_history(tally.election.id, station_id):
        p = dict(ev.payload)
        history.append(
            {
                "kind": ev.kind,
                "correction": ev.kind == PROTOCOL_CORRECTED,
                "source": p.get("source"),
                "entered_by": p.get("entered_by"),
                "reason": p.get("reason"),
                "warnings": p.get("warnings") or [],
                "protocol": {k: p.get(k) for k in (*_PROTOCOL_KEYS, "votes")},
                "event": views.event_brief(ev),
            }
        )
    decs = views.decisions(store, tally.election.id)
    return {
        "election": views.election_info(store, tally.election),
        "ledger": {"seq": tally.head_seq, "hash": tally.head_hash},
        "unit": {
            "level": "station",
            "id": station_id,
            "region": s.region,
            "district": s.district,
            "registered": s.registered,
            "extra": dict(s.extra),
        },
        "status": status.status,
        "detail": status.detail,
        "annulled": tally.is_annulled(station_id),
        "sources": list(status.sources),
        "results": unit_results(tally.unit("station", station_id), tally),
        "protocol": _protocol_dict(status.counted),
        "accepted_protocol": _protocol_dict(status.protocol),
        "history": history,
        "incidents": views.incidents(store, tally.election.id, station_id),
        "reconciliation": _reconciliation(store, tally.election.id, station_id),
        "decisions": [d for d in decs if views.affects(d, station_id, s.region, s.district)],
        "risk": forensics.station_risk(tally.election.id, station_id) if forensics else None,
    }


def decisions_page(store: Store, tally: Tally) -> dict[str, Any]:
    """Every decision of the commission with its vote, legal basis and whether it is in force."""
    return {
        "election": views.election_info(store, tally.election),
        "decisions": views.decisions(store, tally.election.id),
    }


def incidents_page(store: Store, tally: Tally) -> dict[str, Any]:
    """Every incident observers reported, with its status and the commission's response."""
    return {
        "election": views.election_info(store, tally.election),
        "incidents": views.incidents(store, tally.election.id),
    }


def elections_page(store: Store) -> dict[str, Any]:
    """Every election in the database, oldest first, with what replaced what."""
    return {"elections": [views.election_info(store, store.election(e)) for e in store.elections()]}


#: the files of the downloads page: (path, what it holds)
DOWNLOADS = (
    ("results.csv", "the counted protocol of every station (canonical protocol CSV)"),
    ("results.json", "national, regional and district results"),
    ("nist.json", "results as NIST SP 1500-100 version 2 JSON"),
    ("ledger.jsonl", "the whole ledger as JSON Lines, to check with 'shailoo verify --file'"),
    (
        "public-key.txt",
        "the commission's Ed25519 public key (hex) that signs the ledger checkpoints",
    ),
    ("forensics.json", "every statistic of the forensic checks"),
)


def downloads_page(store: Store, tally: Tally) -> dict[str, Any]:
    """The downloadable files and what each holds."""
    return {
        "election": views.election_info(store, tally.election),
        "head": {"seq": tally.head_seq, "hash": tally.head_hash},
        "files": [{"name": n, "href": f"/download/{n}", "about": a} for n, a in DOWNLOADS],
    }


def forensics_page(
    store: Store, tally: Tally, forensics: ForensicsCache | None = None
) -> dict[str, Any]:
    """The election's forensic summary: each test's statistic, null, p-value and meaning."""
    data = (forensics or ForensicsCache()).page(tally)
    data["election"] = views.election_info(store, tally.election)
    return data


def _reconciliation(store: Store, election_id: str, station_id: str) -> dict[str, Any] | None:
    """Line-by-line comparison of the station's sources (official, second entry, observers)."""
    from shailoo.observe.service import reconcile

    found = reconcile(store, election_id, [station_id]).get(station_id)
    if found is None or len(found.sources) < 2:
        return None
    return dict(found.to_dict())
