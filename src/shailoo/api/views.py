"""The data behind every public page, as plain JSON-ready dicts (the page's JSON twin).

Each function reads the ledger through the store and the projections of the other packages
(tally, decisions, observers, forensics) and returns the dict that the JSON twin serves and the
HTML template renders; the HTML never shows a number the JSON does not hold.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from shailoo.domain.events import (
    DECISION_MADE,
    DECISION_REVOKED,
    ELECTION_REPLACED,
    Event,
)
from shailoo.domain.model import Election
from shailoo.ledger import Store


def election_info(store: Store, election: Election) -> dict[str, Any]:
    """Identity of the election: id, name, date, law, parties, link to what it replaces."""
    replaced_by = None
    for ev in store.events(election.id, kinds=[ELECTION_REPLACED]):
        replaced_by = {"election_id": ev.payload.get("by"), "scope": ev.payload.get("scope")}
    return {
        "id": election.id,
        "name": election.name,
        "date": election.date,
        "law_name": election.law_name,
        "double_entry": election.double_entry,
        "parties": [{"id": p.id, "name": p.name} for p in election.parties],
        "replaces": dict(election.replaces) if election.replaces else None,
        "replaced_by": replaced_by,
        "stations": len(election.stations),
        "regions": sorted({s.region for s in election.stations}),
    }


def event_brief(ev: Event) -> dict[str, Any]:
    return {"seq": ev.seq, "hash": ev.hash, "author": ev.author, "recorded_at": ev.recorded_at}


def decisions(store: Store, election_id: str) -> list[dict[str, Any]]:
    """Every decision and revocation in ledger order, each marked revoked or in force."""
    out: list[dict[str, Any]] = []
    revoked: dict[str, str] = {}
    for ev in store.events(election_id, kinds=[DECISION_MADE, DECISION_REVOKED]):
        item = dict(ev.payload)
        item["kind"] = ev.kind
        item["event"] = event_brief(ev)
        if ev.kind == DECISION_REVOKED:
            revoked[str(ev.payload.get("revokes"))] = str(ev.payload.get("decision_id"))
        out.append(item)
    for item in out:
        item["revoked_by"] = revoked.get(str(item.get("decision_id")))
        item["in_force"] = item["kind"] == DECISION_MADE and item["revoked_by"] is None
    return out


def incidents(store: Store, election_id: str, station: str | None = None) -> list[dict[str, Any]]:
    """Incidents with their latest status and response, oldest first; one station's if given.

    The projection is :mod:`shailoo.observe`'s, so the site and ``shailoo incident`` agree.
    """
    from shailoo.observe.service import incidents as observe_incidents

    found = observe_incidents(store, election_id, station=station)
    out = []
    for inc in sorted(found.values(), key=lambda i: i.seq):
        item: dict[str, Any] = dict(inc.to_dict())
        item["event"] = {"seq": inc.seq, "author": inc.reported_by, "recorded_at": inc.recorded_at}
        out.append(item)
    return out


def affects(decision: Mapping[str, Any], station: str, region: str, district: str) -> bool:
    """True when a decision's unit contains the station."""
    unit = decision.get("unit") or {}
    level, uid = unit.get("level"), unit.get("id")
    return (
        level == "election"
        or (level == "region" and uid == region)
        or (level == "district" and uid == district)
        or (level == "station" and uid == station)
    )
